/* apiserver core — metadata.managedFields, as server-side apply keeps them.
 *
 * A field set is Kubernetes' FieldsV1 JSON: {"f:spec": {"f:replicas": {}},
 * "f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}},
 * "f:finalizers": {"v:\"x\"": {}}}, where "." marks the node itself as
 * owned (list items, and under Update maps that the write created). Keys
 * are sorted, as Go's serializer writes them. Keyed lists use the
 * schema's merge key (plus `protocol`, default "TCP", for ports, whose
 * real list-map-keys are [containerPort|port, protocol]); label selectors
 * and lists without a merge key are atomic leaves. */
#ifndef SK_MANAGED_FIELDS_H
#define SK_MANAGED_FIELDS_H

#include <stdbool.h>

#include <jansson.h>

#include "schema.h"

/* The field set of a whole object (an applied configuration): every field
 * it sets, except apiVersion, kind, the system-maintained metadata
 * (name, namespace, uid, resourceVersion, ...) and .status (or, for
 * subresource "status", everything but .status and metadata).
 * New reference; {} when it sets nothing. */
json_t *sk_fieldset_of(const json_t *obj, const sk_schema *s, const char *subresource);
/* The fields that an update from old to obj added or changed, with "."
 * for maps and list items it created. New reference; {} for none. */
json_t *sk_fieldset_changed(const json_t *old, const json_t *obj, const sk_schema *s,
                            const char *subresource);
/* dst |= src, in place. */
void sk_fieldset_union(json_t *dst, const json_t *src);
/* dst -= the leaves of src, in place; emptied branches go. */
void sk_fieldset_subtract(json_t *dst, const json_t *src);
/* The fields both sets hold, as dotted paths ("spec.replicas",
 * ".spec.containers[name=\"web\"].image"): a new array of strings. */
json_t *sk_fieldset_intersect_paths(const json_t *a, const json_t *b);

typedef struct sk_managed_write {
    const char *manager;     /* fieldManager; NULL: only keep old's entries */
    bool apply;              /* operation Apply (else Update) */
    bool force;              /* apply: take conflicting fields over */
    const char *subresource; /* "status", or NULL */
    const char *api_version; /* e.g. "apps/v1" */
    const char *now;         /* RFC 3339 time of the write */
    const json_t *applied;   /* apply: the applied configuration */
} sk_managed_write;

/* Sets obj's metadata.managedFields for a write from old (NULL for a
 * create) to obj: the old entries, with the writer's entry added or
 * refreshed (Apply: replaced by the applied set; Update: its set grows by
 * what changed) and what it now owns taken from the other managers.
 * Returns 0, or -1 when a non-forced apply takes fields another manager
 * owns: then *conflicts is a new array of {manager, field} objects. */
int sk_managed_fields_record(json_t *obj, const json_t *old, const sk_schema *s,
                             const sk_managed_write *w, json_t **conflicts);

/* Server-side apply: removes from obj the fields manager applied before
 * (its Apply entry in old's managedFields) that applied no longer sets
 * and no other manager owns, as a real apply drops fields left out of
 * the configuration. Runs before defaulting, which restores defaults. */
void sk_managed_remove_unapplied(json_t *obj, const json_t *old, const sk_schema *s,
                                 const char *manager, const json_t *applied,
                                 const char *subresource);

#endif
