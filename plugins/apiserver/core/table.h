/* apiserver core — meta.k8s.io Table rendering from the printer columns
 * of a resource declaration (what `kubectl get` asks for with
 * Accept: application/json;as=Table;v=v1;g=meta.k8s.io). */
#ifndef SK_TABLE_H
#define SK_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "accept.h"
#include "api_err.h"
#include "registry.h"

/* ?includeObject=: what rows[].object holds. */
typedef enum sk_include_object {
    SK_INCLUDE_METADATA = 0, /* PartialObjectMetadata: the default */
    SK_INCLUDE_NONE,
    SK_INCLUDE_OBJECT, /* the full object (kubectl --sort-by) */
} sk_include_object;

typedef struct sk_table_opts {
    int64_t now;                 /* Unix seconds, for AGE */
    sk_include_object include;
    sk_table_format format;      /* SK_TABLE_V1 (default when NONE) or V1BETA1 */
    bool no_headers;             /* watch events after the first: columnDefinitions [] */
    const char *resource_version; /* metadata.resourceVersion, or NULL */
    const char *continue_token;   /* metadata.continue, or NULL */
} sk_table_opts;

/* A Table of n objects (borrowed). NULL only on ENOMEM. */
json_t *sk_table_render(const sk_resource *r, json_t *const *objs, size_t n,
                        const sk_table_opts *o);
/* The columnDefinitions array alone. */
json_t *sk_table_columns(const sk_resource *r);
/* One row: {"cells":[...], "object":...}. */
json_t *sk_table_row(const sk_resource *r, const json_t *obj, const sk_table_opts *o);
/* Parses "Object", "Metadata" or "None"; NULL/"" gives the default.
 * 0 or SK_EBADMSG. */
int sk_table_include_parse(const char *s, sk_include_object *out, sk_apierr *err);

/* Evaluates a JSONPath-like column source (".status.podIP",
 * ".spec.containers[*].image", ".a[0].b") against obj: a new JSON value
 * (several matches are joined with ","), or NULL when nothing matched. */
json_t *sk_table_path_eval(const json_t *obj, const char *path);

#endif
