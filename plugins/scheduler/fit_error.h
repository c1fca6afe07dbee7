/* The FailedScheduling message, built exactly as kube-scheduler's
 * FitError.Error(): "0/N nodes are available: <PreFilter message>." or
 * "0/N nodes are available: <count> <reason>, ...." with the
 * "<count> <reason>" strings sorted bytewise (so "2 node(s)..." comes
 * before "3 Insufficient cpu"), then " <PostFilter message>". */
#ifndef SK_SCHED_FIT_ERROR_H
#define SK_SCHED_FIT_ERROR_H

#include <stdint.h>

#include "strmap.h"

typedef struct sk_fit_error {
    sk_strmap counts; /* reason -> (uintptr_t) count; reasons borrowed */
    uint32_t nall;
    int err; /* sticky: -ENOMEM once a reason could not be counted */
} sk_fit_error;

void sk_fit_error_init(sk_fit_error *fe, uint32_t nall_nodes);
void sk_fit_error_free(sk_fit_error *fe);
void sk_fit_error_add(sk_fit_error *fe, const char *reason, uint32_t count);
/* malloc'd message (NULL on ENOMEM, including an earlier add's); prefilter_msg / postfilter_msg may be NULL or "". */
char *sk_fit_error_format(const sk_fit_error *fe, const char *prefilter_msg,
                          const char *postfilter_msg);

#endif
