/* skiff SDK — read-only access to a plugin's config subtree.
 *
 * The host parses the YAML config once; a plugin receives the node of its own
 * `config:` key (never NULL: an empty map when absent). Nodes and the strings
 * they return are owned by the host and stay valid until the plugin's fini()
 * returns. Every node knows where it came from, so a plugin reports its own
 * config errors as file:line:column via where(). */
#ifndef SKIFF_CONFIG_H
#define SKIFF_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_cfg sk_cfg; /* opaque node */

typedef enum sk_cfg_type {
    SK_CFG_NULL = 0,
    SK_CFG_SCALAR = 1, /* a string, number or boolean: read with str/int/... */
    SK_CFG_MAP = 2,
    SK_CFG_LIST = 3
} sk_cfg_type;

typedef struct sk_cfg_api {
    unsigned size;
    /* Dotted path below node ("store.quota_bytes"; list items by index:
     * "peers.0.endpoint"). NULL when absent. NULL node -> NULL. */
    const sk_cfg *(*get)(const sk_cfg *node, const char *path);
    sk_cfg_type (*type)(const sk_cfg *node);
    /* Scalar text, or NULL for a non-scalar. */
    const char *(*str)(const sk_cfg *node);
    /* Conversions: 0, or SK_ECONFIG when the scalar is not of that type
     * (ints accept k/M/G/Ki/Mi/Gi suffixes; bools true/false/yes/no/on/off). */
    int (*to_int)(const sk_cfg *node, int64_t *out);
    int (*to_double)(const sk_cfg *node, double *out);
    int (*to_bool)(const sk_cfg *node, int *out);
    /* "250ms", "5s", "2m", "1h" or a bare number of milliseconds. */
    int (*to_duration_ms)(const sk_cfg *node, int64_t *out_ms);
    /* Number of entries of a map or list; 0 otherwise. */
    size_t (*len)(const sk_cfg *node);
    /* i-th value of a map or list, and i-th key of a map (NULL otherwise). */
    const sk_cfg *(*at)(const sk_cfg *node, size_t i);
    const char *(*key)(const sk_cfg *node, size_t i);
    /* "file:line:column" of the node; static per node, never NULL. */
    const char *(*where)(const sk_cfg *node);
} sk_cfg_api;

/* A plugin may declare its options; the host then rejects unknown keys and
 * wrong types in the plugin's config (with their position) before init(), and
 * `skiff plugin options` prints them. Terminated by an entry with key NULL. */
typedef enum sk_opt_type {
    SK_OPT_STRING = 1,
    SK_OPT_INT = 2,
    SK_OPT_DOUBLE = 3,
    SK_OPT_BOOL = 4,
    SK_OPT_MAP = 5,  /* a subtree the plugin checks itself */
    SK_OPT_LIST = 6,
    SK_OPT_DURATION = 7 /* read with to_duration_ms */
} sk_opt_type;

typedef struct sk_option {
    const char *key;          /* top-level key of the plugin's config */
    sk_opt_type type;
    const char *def;          /* default, as text, for documentation; may be NULL */
    const char *description;
} sk_option;

#ifdef __cplusplus
}
#endif
#endif
