/* Table rendering from printer columns. */
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "table.h"

json_t *sk_table_columns(const sk_resource *r)
{
    json_t *cols = json_array();
    for (const sk_column *c = r->columns; c && c->name; c++)
        json_array_append_new(cols, json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", c->name,
                                              "type", c->type, "format", c->format,
                                              "description", c->desc, "priority", c->priority));
    return cols;
}

/* A path column's cell: integer columns read missing values as 0, string
 * columns as "", as the zero values of the Go fields they print. */
static json_t *path_cell(const sk_column *c, const json_t *obj)
{
    json_t *v = sk_table_path_eval(obj, c->path);
    bool integer = strcmp(c->type, "integer") == 0;
    if (!v || json_is_null(v)) {
        json_decref(v);
        return integer ? json_integer(0) : json_string("");
    }
    if (integer || json_is_string(v))
        return v;
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(v);
    json_t *out = json_string(s ? s : "");
    free(s);
    return out;
}

static const char *table_api_version(const sk_table_opts *o)
{
    return o->format == SK_TABLE_V1BETA1 ? "meta.k8s.io/v1beta1" : "meta.k8s.io/v1";
}

static json_t *row_object(const sk_resource *r, const json_t *obj, const sk_table_opts *o)
{
    if (o->include == SK_INCLUDE_METADATA) {
        json_t *meta = json_object_get(obj, "metadata");
        return json_pack("{s:s, s:s, s:O}", "kind", "PartialObjectMetadata", "apiVersion",
                         table_api_version(o), "metadata", meta ? meta : json_object());
    }
    /* the full object, with its type filled in when the store left it out */
    json_t *full = json_copy((json_t *)obj);
    if (full && !json_object_get(full, "kind")) {
        char av[128];
        json_t *head = json_pack("{s:s, s:s}", "kind", r->kind, "apiVersion",
                                 sk_resource_api_version(r, av, sizeof av));
        json_object_update_missing(head, full);
        json_decref(full);
        full = head;
    }
    return full;
}

json_t *sk_table_row(const sk_resource *r, const json_t *obj, const sk_table_opts *o)
{
    sk_cell_ctx ctx = {.now = o->now};
    json_t *cells = json_array();
    for (const sk_column *c = r->columns; c && c->name; c++) {
        json_t *cell = c->cell ? c->cell(obj, &ctx) : path_cell(c, obj);
        json_array_append_new(cells, cell ? cell : json_null());
    }
    json_t *row = json_pack("{s:o}", "cells", cells);
    if (row && o->include != SK_INCLUDE_NONE)
        json_object_set_new(row, "object", row_object(r, obj, o));
    return row;
}

json_t *sk_table_render(const sk_resource *r, json_t *const *objs, size_t n,
                        const sk_table_opts *o)
{
    json_t *meta = json_object();
    if (o->resource_version)
        json_object_set_new(meta, "resourceVersion", json_string(o->resource_version));
    if (o->continue_token && *o->continue_token)
        json_object_set_new(meta, "continue", json_string(o->continue_token));
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, sk_table_row(r, objs[i], o));
    return json_pack("{s:s, s:s, s:o, s:o, s:o}", "kind", "Table", "apiVersion",
                     table_api_version(o), "metadata", meta, "columnDefinitions",
                     o->no_headers ? json_array() : sk_table_columns(r), "rows", rows);
}

int sk_table_include_parse(const char *s, sk_include_object *out, sk_apierr *err)
{
    if (!s || !*s || strcmp(s, "Metadata") == 0)
        *out = SK_INCLUDE_METADATA;
    else if (strcmp(s, "Object") == 0)
        *out = SK_INCLUDE_OBJECT;
    else if (strcmp(s, "None") == 0)
        *out = SK_INCLUDE_NONE;
    else
        return sk_apierr_set(err, SK_EBADMSG,
                             "includeObject: unsupported value \"%s\": supported values: "
                             "\"None\", \"Metadata\", \"Object\"",
                             s);
    return 0;
}
