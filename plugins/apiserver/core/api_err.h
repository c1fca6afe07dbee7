/* apiserver core — a caller-provided buffer for one error message.
 *
 * Core functions return 0 or a negative code (skiff/errors.h) and, when
 * given a non-NULL sk_apierr, write a sentence saying what failed and where
 * (a field path when there is one). The buffer is the caller's; no
 * allocation happens on the error path, so ENOMEM can still be reported. */
#ifndef SK_API_ERR_H
#define SK_API_ERR_H

#include <stddef.h>

typedef struct sk_apierr {
    char msg[320];
} sk_apierr;

/* Formats into e->msg (truncating) and returns code, so callers can write
 * `return sk_apierr_set(err, SK_EBADMSG, "...")`. e may be NULL. */
int sk_apierr_set(sk_apierr *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* e->msg, or "" when e is NULL. */
const char *sk_apierr_msg(const sk_apierr *e);

#endif
