/* apiserver core — OpenAPI v3 documents generated from the registry.
 *
 * kubectl needs them for `create/apply -f` with validation (a PATCH
 * operation per resource carrying x-kubernetes-group-version-kind and the
 * fieldValidation parameter, so it defers validation to the server) and
 * for `kubectl explain` (components.schemas with descriptions and the GVK
 * extension). Each call builds a new document (caller json_decref()s);
 * the plugin is expected to build them once and cache the text. */
#ifndef SK_OPENAPI_H
#define SK_OPENAPI_H

#include <stddef.h>

#include <jansson.h>

#define SK_OPENAPI_K8S_VERSION "v1.33.1"

/* GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL":
 * "/openapi/v3/api/v1?hash=..."}, "apis/apps/v1": {...}}}. */
json_t *sk_openapi_root(void);
/* GET /openapi/v3/api/v1 (group "") or /openapi/v3/apis/<g>/<v>; NULL
 * for a group/version skiff does not serve. */
json_t *sk_openapi_document(const char *group, const char *version);
/* The hash of a group/version document as it appears in the root's
 * serverRelativeURL (16 upper-case hex digits) into buf (>= 17 bytes). */
void sk_openapi_hash(const json_t *doc, char *buf);
/* components.schemas for every type reachable from the group/version's
 * resources (and their subresources' kinds). */
json_t *sk_openapi_components(const char *group, const char *version);

/* GET /openapi/v2 for kubectl 1.27/1.28: a gnostic openapi_v2.Document
 * protobuf holding, per resource, a PATCH operation with the GVK extension
 * and the fieldValidation parameter (so they defer validation to the
 * server). *out is malloc'd (caller frees). 0 or a negative code. */
int sk_openapi_v2_proto(char **out, size_t *len);

#endif
