/* OpenAPI v3 component schemas from the field schema tables. */
#include <stdio.h>
#include <string.h>

#include "openapi.h"
#include "registry.h"
#include "schema.h"

#define REF_PREFIX "#/components/schemas/"
#define MAX_SCHEMAS 256

static const char intstr_id[] = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
static const char quantity_id[] = "io.k8s.apimachinery.pkg.api.resource.Quantity";
static const char time_id[] = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
static const char microtime_id[] = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";

static json_t *ref_to(const char *id)
{
    char ref[256];
    snprintf(ref, sizeof ref, REF_PREFIX "%s", id);
    return json_pack("{s:[{s:s}]}", "allOf", "$ref", ref);
}

/* The schema of one value of type t (an element when in a list or map). */
static json_t *value_schema(sk_ftype t, const sk_field *f)
{
    switch (t) {
    case SK_FT_STRING: {
        json_t *s = json_pack("{s:s}", "type", "string");
        if (f && f->enums) {
            json_t *e = json_array();
            for (const char *const *v = f->enums; *v; v++)
                json_array_append_new(e, json_string(*v));
            json_object_set_new(s, "enum", e);
        }
        return s;
    }
    case SK_FT_INT32: return json_pack("{s:s, s:s}", "type", "integer", "format", "int32");
    case SK_FT_INT64: return json_pack("{s:s, s:s}", "type", "integer", "format", "int64");
    case SK_FT_NUMBER: return json_pack("{s:s, s:s}", "type", "number", "format", "double");
    case SK_FT_BOOL: return json_pack("{s:s}", "type", "boolean");
    case SK_FT_BYTES: return json_pack("{s:s, s:s}", "type", "string", "format", "byte");
    case SK_FT_INT_OR_STRING: return ref_to(intstr_id);
    case SK_FT_QUANTITY: return ref_to(quantity_id);
    case SK_FT_TIME: return ref_to(time_id);
    case SK_FT_MICROTIME: return ref_to(microtime_id);
    case SK_FT_OBJECT: {
        json_t *s = ref_to(f->ref->id);
        json_object_set_new(s, "default", json_object());
        return s;
    }
    default:
        return json_pack("{s:s, s:b}", "type", "object", "x-kubernetes-preserve-unknown-fields",
                         1);
    }
}

static void list_extensions(json_t *p, const sk_field *f)
{
    if (f->strategy) {
        const char *st = (f->strategy & SK_PS_MERGE) && (f->strategy & SK_PS_RETAIN_KEYS)
                             ? "merge,retainKeys"
                         : (f->strategy & SK_PS_MERGE) ? "merge"
                                                       : "retainKeys";
        json_object_set_new(p, "x-kubernetes-patch-strategy", json_string(st));
    }
    if (f->merge_key) {
        json_object_set_new(p, "x-kubernetes-patch-merge-key", json_string(f->merge_key));
        json_object_set_new(p, "x-kubernetes-list-type", json_string("map"));
        json_object_set_new(p, "x-kubernetes-list-map-keys", json_pack("[s]", f->merge_key));
    } else if (f->type == SK_FT_ARRAY) {
        json_object_set_new(p, "x-kubernetes-list-type",
                            json_string(f->strategy & SK_PS_MERGE ? "set" : "atomic"));
    }
}

static json_t *field_schema(const sk_field *f)
{
    json_t *p;
    if (f->type == SK_FT_ARRAY)
        p = json_pack("{s:s, s:o}", "type", "array", "items", value_schema(f->elem, f));
    else if (f->type == SK_FT_MAP)
        p = json_pack("{s:s, s:o}", "type", "object", "additionalProperties",
                      value_schema(f->elem, f));
    else
        p = value_schema(f->type, f);
    json_object_set_new(p, "description", json_string(f->desc));
    if (f->type == SK_FT_ARRAY || (f->strategy & SK_PS_RETAIN_KEYS))
        list_extensions(p, f);
    return p;
}

static json_t *object_schema(const sk_schema *s)
{
    json_t *props = json_object(), *req = json_array();
    for (const sk_field *f = s->fields; f->name; f++) {
        json_object_set_new(props, f->name, field_schema(f));
        if (f->flags & SK_FF_REQUIRED)
            json_array_append_new(req, json_string(f->name));
    }
    json_t *o = json_pack("{s:s, s:s, s:o}", "description", s->desc, "type", "object",
                          "properties", props);
    if (json_array_size(req))
        json_object_set_new(o, "required", req);
    else
        json_decref(req);
    return o;
}

typedef struct collector {
    const sk_schema *seen[MAX_SCHEMAS];
    size_t n;
    json_t *out;
} collector;

static void collect(collector *c, const sk_schema *s)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->seen[i] == s || strcmp(c->seen[i]->id, s->id) == 0)
            return;
    if (c->n == MAX_SCHEMAS)
        return;
    c->seen[c->n++] = s;
    json_object_set_new(c->out, s->id, object_schema(s));
    for (const sk_field *f = s->fields; f->name; f++)
        if (f->ref)
            collect(c, f->ref);
}

static void add_gvk(json_t *schemas, const char *id, const char *g, const char *v, const char *k)
{
    json_t *s = json_object_get(schemas, id);
    if (!s)
        return;
    json_t *list = json_object_get(s, "x-kubernetes-group-version-kind");
    if (!list) {
        list = json_array();
        json_object_set_new(s, "x-kubernetes-group-version-kind", list);
    }
    json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "group", g, "version", v, "kind", k));
}

static json_t *list_schema(const sk_resource *r)
{
    char ref[256], desc[256];
    snprintf(ref, sizeof ref, REF_PREFIX "%s", r->schema->id);
    snprintf(desc, sizeof desc, "A list of %s.", r->plural);
    return json_pack(
        "{s:s, s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:o, s:{s:s, s:s, s:{s:[{s:s}], s:{}}}}, "
        "s:[s], s:[{s:s, s:s, s:s}]}",
        "description", desc, "type", "object", "properties", "apiVersion", "type", "string",
        "description", "The versioned schema of this list.", "kind", "type", "string",
        "description", "The kind of this list.", "metadata",
        ref_to("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"), "items", "type", "array",
        "description", "The objects of the list.", "items", "allOf", "$ref", ref, "default",
        "required", "items", "x-kubernetes-group-version-kind", "group", r->group, "version",
        r->version, "kind", r->list_kind);
}

static void add_scalar_types(json_t *schemas)
{
    json_object_set_new(schemas, intstr_id,
                        json_pack("{s:s, s:s, s:s}", "description",
                                  "An integer or a string, e.g. 8080 or \"http\" or \"25%\".",
                                  "type", "string", "format", "int-or-string"));
    json_object_set_new(schemas, quantity_id,
                        json_pack("{s:s, s:s}", "description",
                                  "A fixed-point amount, e.g. \"500m\" CPU or \"1Gi\" memory.",
                                  "type", "string"));
    json_object_set_new(schemas, time_id,
                        json_pack("{s:s, s:s, s:s}", "description",
                                  "An RFC 3339 timestamp in UTC, to the second.", "type",
                                  "string", "format", "date-time"));
    json_object_set_new(schemas, microtime_id,
                        json_pack("{s:s, s:s, s:s}", "description",
                                  "An RFC 3339 timestamp in UTC, to the microsecond.", "type",
                                  "string", "format", "date-time"));
}

json_t *sk_openapi_components(const char *group, const char *version)
{
    collector local = {.n = 0, .out = json_object()};
    collector *col = &local;
    collect(col, &sk_schema_list_meta);
    size_t n;
    const sk_resource *const *all = sk_registry_all(&n);
    for (size_t i = 0; i < n; i++) {
        const sk_resource *r = all[i];
        if (strcmp(r->group, group) != 0 || strcmp(r->version, version) != 0)
            continue;
        collect(col, r->schema);
        add_gvk(col->out, r->schema->id, r->group, r->version, r->kind);
        char list_id[256];
        snprintf(list_id, sizeof list_id, "%sList", r->schema->id);
        json_object_set_new(col->out, list_id, list_schema(r));
        for (const sk_subresource *s = r->subresources; s && s->name; s++) {
            const sk_schema *sub = !s->kind                         ? NULL
                                   : strcmp(s->kind, "Scale") == 0    ? &sk_schema_scale
                                   : strcmp(s->kind, "Eviction") == 0 ? &sk_schema_eviction
                                   : strcmp(s->kind, "Binding") == 0  ? &sk_schema_binding
                                                                      : NULL;
            if (sub && !json_object_get(col->out, sub->id)) {
                collect(col, sub);
                add_gvk(col->out, sub->id, s->group, s->version, s->kind);
            }
        }
    }
    add_scalar_types(col->out);
    return col->out;
}
