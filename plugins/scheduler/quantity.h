/* Kubernetes resource quantities ("500m", "1Gi", "2", "1e3", "0.5"),
 * parsed exactly as k8s.io/apimachinery's resource.Quantity: arbitrary
 * decimal fractions with SI (n u m k M G T P E), binary (Ki..Ei) or
 * exponent (e3) suffixes, and the two readings the scheduler uses,
 * Value() and MilliValue(), both rounded up (toward +inf). */
#ifndef SK_SCHED_QUANTITY_H
#define SK_SCHED_QUANTITY_H

#include <stddef.h>
#include <stdint.h>

#include "skiff/mp.h"

typedef struct sk_quantity {
    int64_t value; /* ceil(q), saturated to the int64 range */
    int64_t milli; /* ceil(q * 1000), saturated */
} sk_quantity;

/* s need not be NUL-terminated. 0 or SK_EBADMSG. */
int sk_quantity_parse(const char *s, size_t len, sk_quantity *q);
/* A quantity as the API stores it: a string, or a bare integer or float
 * (JSON numbers are valid quantities). 0 or SK_EBADMSG. */
int sk_quantity_from_mp(sk_mp_view v, sk_quantity *q);

#endif
