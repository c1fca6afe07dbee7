/* apiserver core — per-kind defaulting and validation hooks, referenced by
 * the resource declarations (defaults_*.c, validate_*.c). */
#ifndef SK_KINDS_H
#define SK_KINDS_H

#include "registry.h"

void sk_default_namespace(json_t *obj);
void sk_default_pod(json_t *obj);
void sk_default_service(json_t *obj);
void sk_default_endpoints(json_t *obj);
void sk_default_secret(json_t *obj);
void sk_default_deployment(json_t *obj);
void sk_default_replica_set(json_t *obj);
void sk_default_endpoint_slice(json_t *obj);

void sk_validate_namespace(const json_t *obj, sk_causes *out);
void sk_validate_node(const json_t *obj, sk_causes *out);
void sk_validate_pod(const json_t *obj, sk_causes *out);
void sk_validate_service(const json_t *obj, sk_causes *out);
void sk_validate_endpoints(const json_t *obj, sk_causes *out);
void sk_validate_config_map(const json_t *obj, sk_causes *out);
void sk_validate_secret(const json_t *obj, sk_causes *out);
void sk_validate_event(const json_t *obj, sk_causes *out);
void sk_validate_deployment(const json_t *obj, sk_causes *out);
void sk_validate_replica_set(const json_t *obj, sk_causes *out);
void sk_validate_lease(const json_t *obj, sk_causes *out);
void sk_validate_endpoint_slice(const json_t *obj, sk_causes *out);

void sk_validate_pod_update(const json_t *obj, const json_t *old, sk_causes *out);
void sk_validate_service_update(const json_t *obj, const json_t *old, sk_causes *out);
void sk_validate_config_map_update(const json_t *obj, const json_t *old, sk_causes *out);
void sk_validate_secret_update(const json_t *obj, const json_t *old, sk_causes *out);
void sk_validate_node_update(const json_t *obj, const json_t *old, sk_causes *out);
void sk_validate_deployment_update(const json_t *obj, const json_t *old, sk_causes *out);
void sk_validate_replica_set_update(const json_t *obj, const json_t *old, sk_causes *out);
void sk_validate_endpoint_slice_update(const json_t *obj, const json_t *old, sk_causes *out);

#endif
