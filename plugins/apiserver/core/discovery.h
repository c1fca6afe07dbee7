/* apiserver core — discovery documents, all derived from the registry.
 * Every function returns a new JSON object (caller json_decref()s), or
 * NULL for an unknown group/version (404) or on ENOMEM. */
#ifndef SK_DISCOVERY_H
#define SK_DISCOVERY_H

#include <jansson.h>

#include "accept.h"

/* GET /api: APIVersions. server_address is host:port as clients reach us. */
json_t *sk_discovery_api_versions(const char *server_address);
/* GET /apis: APIGroupList of every named group. */
json_t *sk_discovery_group_list(void);
/* GET /apis/<group>: APIGroup. */
json_t *sk_discovery_group(const char *group);
/* GET /api/v1 (group "") or /apis/<group>/<version>: APIResourceList. */
json_t *sk_discovery_resource_list(const char *group, const char *version);
/* GET /api (core = 1) or /apis (core = 0) answered as an aggregated
 * APIGroupDiscoveryList, for format SK_DISC_V2 or SK_DISC_V2BETA1. */
json_t *sk_discovery_aggregated(int core, sk_disc_format format);

#endif
