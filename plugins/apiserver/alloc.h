/* Service ClusterIP and NodePort allocation. The allocation state lives
 * in the store (/registry/ranges/serviceips, .../servicenodeports: a
 * msgpack map of used value -> "ns/name"), changed with compare-and-swap,
 * so it survives restarts and concurrent creates never hand out the same
 * address twice. */
#ifndef AP_ALLOC_H
#define AP_ALLOC_H

#include "apiserver.h"

/* Services: assigns clusterIP(s) and nodePorts (or reserves the ones
 * asked for: 422 when taken or out of range). Other kinds: no-op. */
int ap_alloc_on_create(ap_server *s, const ap_req *rq, json_t *obj, ap_resp *out);
/* Keeps the allocated clusterIP on update (it is immutable) and
 * allocates nodePorts added by the update. */
int ap_alloc_on_update(ap_server *s, const ap_req *rq, json_t *obj, const json_t *old,
                       ap_resp *out);
/* Releases what obj holds (a deleted Service). Best effort: a failure is
 * logged; the values are reclaimed when the ranges are repaired. */
void ap_alloc_release(ap_server *s, const sk_resource *r, const json_t *obj);
/* Parses "10.96.0.0/12" into network and mask (host order). */
int ap_parse_cidr(const char *text, uint32_t *net, uint32_t *mask);

#endif
