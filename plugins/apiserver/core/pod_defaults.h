/* apiserver core — pod spec defaulting shared by pods and templates. */
#ifndef SK_POD_DEFAULTS_H
#define SK_POD_DEFAULTS_H

#include <jansson.h>

void sk_default_pod_spec(json_t *spec);
/* Guaranteed, Burstable or BestEffort, from the containers' resources. */
const char *sk_pod_qos_class(const json_t *spec);

#endif
