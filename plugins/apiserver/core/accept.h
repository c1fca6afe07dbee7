/* apiserver core — reading the Accept header. kubectl asks for special
 * renderings (aggregated discovery, Table) through media type parameters:
 *     application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList
 * and the answer's Content-Type must carry the same parameters. */
#ifndef SK_ACCEPT_H
#define SK_ACCEPT_H

#include <stdbool.h>

/* True when accept lists application/json (or a wildcard range) with
 * exactly the given g, v and as parameters; a NULL parameter must be
 * absent. Media ranges with q=0 are ignored. */
bool sk_accept_has(const char *accept, const char *g, const char *v, const char *as);

/* The discovery format to answer /api and /apis with. */
typedef enum sk_disc_format {
    SK_DISC_LEGACY = 0,
    SK_DISC_V2BETA1,
    SK_DISC_V2,
} sk_disc_format;

/* v2 when listed, else v2beta1 when listed, else legacy. */
sk_disc_format sk_discovery_negotiate(const char *accept);
/* The exact Content-Type to send with that format. */
const char *sk_discovery_content_type(sk_disc_format f);

/* The Table rendering requested, if any. */
typedef enum sk_table_format {
    SK_TABLE_NONE = 0,
    SK_TABLE_V1,
    SK_TABLE_V1BETA1,
} sk_table_format;

sk_table_format sk_table_negotiate(const char *accept);
const char *sk_table_content_type(sk_table_format f);

#endif
