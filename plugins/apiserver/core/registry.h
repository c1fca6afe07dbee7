/* apiserver core — the resource registry.
 *
 * Each served resource is declared once, as a static sk_resource
 * (resources_*.c), and everything else is derived from that declaration:
 * routing lookups, discovery documents, OpenAPI, Table columns, defaulting
 * and validation. The tables are const and global: nothing here is
 * mutable, so two plugin generations can share them during a hot swap. */
#ifndef SK_REGISTRY_H
#define SK_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "causes.h"
#include "schema.h"

/* Verbs, in the alphabetical order discovery lists them. */
enum {
    SK_VERB_CREATE = 1 << 0,
    SK_VERB_DELETE = 1 << 1,
    SK_VERB_DELETECOLLECTION = 1 << 2,
    SK_VERB_GET = 1 << 3,
    SK_VERB_LIST = 1 << 4,
    SK_VERB_PATCH = 1 << 5,
    SK_VERB_UPDATE = 1 << 6,
    SK_VERB_WATCH = 1 << 7,
};
#define SK_VERB_COUNT 8
#define SK_VERBS_ALL 0xffu
#define SK_VERBS_STATUS (SK_VERB_GET | SK_VERB_PATCH | SK_VERB_UPDATE)

/* Verb name by bit index (0..SK_VERB_COUNT-1). */
const char *sk_verb_name(int bit);
/* The verb bit for a name such as "deletecollection", or 0. */
unsigned sk_verb_from_name(const char *name);

typedef struct sk_subresource {
    const char *name;                   /* "status", "scale", "log", ... */
    const char *group, *version, *kind; /* the response kind; NULL = the parent's */
    unsigned verbs;
} sk_subresource;

/* What a computed table cell may depend on besides the object. */
typedef struct sk_cell_ctx {
    int64_t now; /* Unix seconds, for AGE columns; passed in so tests are fixed */
} sk_cell_ctx;

/* Returns a new JSON value for one cell (a string or an integer). */
typedef json_t *(*sk_cell_fn)(const json_t *obj, const sk_cell_ctx *ctx);

typedef struct sk_column {
    const char *name;   /* as the real apiserver names it: "Name", "Nominated Node" */
    const char *type;   /* "string", "integer", "date", ... */
    const char *format; /* "name" for the name column, else "" */
    const char *desc;
    int priority;       /* 0: always shown; 1: with -o wide */
    const char *path;   /* JSONPath-like source, e.g. ".status.podIP" */
    sk_cell_fn cell;    /* used instead of path when set */
} sk_column;

/* How metadata.name is validated. */
typedef enum sk_name_rule {
    SK_NAME_DNS1123_SUBDOMAIN = 0,
    SK_NAME_DNS1123_LABEL,
    SK_NAME_DNS1035_LABEL,
} sk_name_rule;

/* Hooks; each may be NULL. Causes carry field paths from the object root. */
typedef void (*sk_default_fn)(json_t *obj);
typedef void (*sk_validate_fn)(const json_t *obj, sk_causes *out);
typedef void (*sk_validate_update_fn)(const json_t *obj, const json_t *old, sk_causes *out);

typedef struct sk_resource {
    const char *group; /* "" for the core group */
    const char *version;
    const char *kind, *list_kind;
    const char *plural, *singular;
    const char *const *short_names; /* NULL-terminated, or NULL */
    const char *const *categories;  /* NULL-terminated, or NULL */
    bool namespaced;
    unsigned verbs;
    const sk_subresource *subresources; /* ends with name NULL; or NULL */
    const sk_column *columns;           /* ends with name NULL */
    const sk_schema *schema;
    /* Fields usable in ?fieldSelector= besides metadata.name and
     * metadata.namespace: "spec.nodeName", or "label:path" when the label
     * differs from the object path ("source:source.component"). */
    const char *const *field_labels;
    sk_name_rule name_rule;
    sk_default_fn defaults;
    sk_validate_fn validate;
    sk_validate_update_fn validate_update;
} sk_resource;

/* Every declared resource, in discovery order. */
const sk_resource *const *sk_registry_all(size_t *n);
/* By group ("" = core), version and plural, e.g. ("apps","v1","deployments"). */
const sk_resource *sk_registry_find(const char *group, const char *version,
                                    const char *plural);
/* By kind; group may be NULL to match any group. */
const sk_resource *sk_registry_by_kind(const char *group, const char *kind);
/* By apiVersion ("v1", "apps/v1") and kind, as found in an object. */
const sk_resource *sk_registry_by_gvk(const char *api_version, const char *kind);
/* Resolves what a user types (`kubectl get po`): plural, singular, short
 * name or kind, case-insensitively, optionally qualified as
 * "deployments.apps". NULL when unknown. */
const sk_resource *sk_registry_resolve(const char *name);
/* A subresource of r by name, or NULL. */
const sk_subresource *sk_resource_subresource(const sk_resource *r, const char *name);

/* "v1" or "apps/v1" into buf. */
const char *sk_resource_api_version(const sk_resource *r, char *buf, size_t size);
/* "pods" or "deployments.apps" (a group-qualified resource, as in
 * messages) into buf. */
const char *sk_resource_qualified(const sk_resource *r, char *buf, size_t size);
/* Storage key /registry/<plural>/<namespace>/<name> (cluster-scoped:
 * /registry/<plural>/<name>; name "" gives the prefix with a trailing
 * '/'). Returns the length, or -1 if it did not fit. */
int sk_resource_key(const sk_resource *r, const char *ns, const char *name, char *buf,
                    size_t size);

#endif
