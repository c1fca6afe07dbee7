/* RFC 3339 timestamps as the Kubernetes API writes them
 * ("2024-05-01T10:00:00Z", optional fraction and numeric offset). */
#ifndef SK_SCHED_TIMEPARSE_H
#define SK_SCHED_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Unix milliseconds. 0 or SK_EBADMSG. */
int sk_rfc3339_ms(const char *s, size_t len, int64_t *out_ms);

#endif
