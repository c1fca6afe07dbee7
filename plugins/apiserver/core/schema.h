/* apiserver core — the field schema of each declared type.
 *
 * One static tree per Kubernetes type (PodSpec, Container, ...), written
 * once in schema_*.c and read by everything that needs to know a field:
 * strict decoding and validation (types, required, enum values), strategic
 * merge patch (list merge keys and strategies), OpenAPI v3 and so
 * `kubectl explain` (descriptions). Fields that skiff does not model in
 * depth are SK_FT_ANY: accepted and kept as they are, never checked. */
#ifndef SK_SCHEMA_H
#define SK_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

typedef enum sk_ftype {
    SK_FT_NONE = 0,
    SK_FT_STRING,
    SK_FT_INT32,
    SK_FT_INT64,
    SK_FT_NUMBER,        /* float64 */
    SK_FT_BOOL,
    SK_FT_OBJECT,        /* a struct described by ref */
    SK_FT_ARRAY,         /* elements of type elem (ref when elem is OBJECT) */
    SK_FT_MAP,           /* string keys to elem (ref when elem is OBJECT) */
    SK_FT_INT_OR_STRING, /* 8080 or "http" or "25%" */
    SK_FT_QUANTITY,      /* "100m", "1Gi" or a number */
    SK_FT_TIME,          /* RFC 3339, seconds */
    SK_FT_MICROTIME,     /* RFC 3339, microseconds */
    SK_FT_BYTES,         /* base64 in JSON */
    SK_FT_ANY            /* free-form JSON; kept, not checked */
} sk_ftype;

enum {
    SK_FF_REQUIRED = 1 << 0, /* must be present (OpenAPI `required`) */
};

/* Strategic merge patch strategy of a field (x-kubernetes-patch-strategy). */
enum {
    SK_PS_REPLACE = 0,          /* lists are atomic; maps merge key by key */
    SK_PS_MERGE = 1 << 0,       /* lists merge: by merge_key, or as a set */
    SK_PS_RETAIN_KEYS = 1 << 1, /* honours $retainKeys */
};

struct sk_schema;

typedef struct sk_field {
    const char *name;
    sk_ftype type;
    sk_ftype elem;               /* element type of ARRAY and MAP */
    const struct sk_schema *ref; /* OBJECT, or ARRAY/MAP of OBJECT */
    unsigned flags;              /* SK_FF_* */
    unsigned strategy;           /* SK_PS_* */
    const char *merge_key;       /* list merge key (x-kubernetes-patch-merge-key) */
    const char *const *enums;    /* allowed string values, NULL-terminated */
    const char *desc;
} sk_field;

typedef struct sk_schema {
    const char *id;         /* OpenAPI component name, e.g. io.k8s.api.core.v1.Pod */
    const char *desc;
    const sk_field *fields; /* ends with an entry whose name is NULL */
} sk_schema;

/* The field called name (name_len bytes), or NULL. s may be NULL. */
const sk_field *sk_schema_field(const sk_schema *s, const char *name, size_t name_len);
/* The schema of a field's value (OBJECT) or element (ARRAY/MAP of OBJECT). */
const sk_schema *sk_field_schema(const sk_field *f);
/* The schema reached by a dotted path of field names ("spec.template.spec"),
 * looking through arrays and maps; NULL when the path leaves the tree. */
const sk_schema *sk_schema_at(const sk_schema *s, const char *path);
/* The field at a dotted path ("spec.containers"), or NULL. */
const sk_field *sk_schema_field_at(const sk_schema *s, const char *path);
/* Name used in messages and OpenAPI: "string", "integer", ... */
const char *sk_ftype_name(sk_ftype t);

/* ---- the declared types (schema_*.c) ---- */
extern const sk_schema sk_schema_object_meta, sk_schema_list_meta, sk_schema_label_selector,
    sk_schema_owner_reference, sk_schema_object_reference, sk_schema_condition,
    sk_schema_local_object_reference;
extern const sk_schema sk_schema_pod, sk_schema_pod_spec, sk_schema_pod_status,
    sk_schema_pod_template_spec, sk_schema_container, sk_schema_volume, sk_schema_binding,
    sk_schema_eviction;
extern const sk_schema sk_schema_namespace, sk_schema_node, sk_schema_service,
    sk_schema_endpoints, sk_schema_config_map, sk_schema_secret, sk_schema_event,
    sk_schema_service_account;
extern const sk_schema sk_schema_deployment, sk_schema_replica_set, sk_schema_scale;
extern const sk_schema sk_schema_lease, sk_schema_endpoint_slice;

#endif
