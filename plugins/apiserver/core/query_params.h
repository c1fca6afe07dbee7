/* apiserver core — query parameter values as Kubernetes clients send
 * them. Booleans follow Go's strconv.ParseBool, because the Python client
 * sends `watch=True` and kubectl `watch=true`. */
#ifndef SK_QUERY_PARAMS_H
#define SK_QUERY_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "api_err.h"

/* 1 t T TRUE true True / 0 f F FALSE false False. 0 or SK_EBADMSG. */
int sk_parse_bool(const char *name, const char *s, bool *out, sk_apierr *err);
/* A decimal integer in [min, max] (limit, timeoutSeconds,
 * gracePeriodSeconds, resourceVersion). 0 or SK_EBADMSG. */
int sk_parse_int(const char *name, const char *s, int64_t min, int64_t max, int64_t *out,
                 sk_apierr *err);

#endif
