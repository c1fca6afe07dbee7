/* Checking a JSON object against its declared schema. */
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "field_path.h"
#include "k8s_time.h"
#include "validate.h"

typedef struct chk {
    unsigned flags;
    sk_fpath path;
    sk_causes *out;
    bool in_status; /* below the object's top-level .status */
} chk;

static void chk_object(chk *c, const json_t *obj, const sk_schema *s, int depth);

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    default: return "null";
    }
}

static void type_error(chk *c, const json_t *v, const char *want)
{
    if (c->flags & SK_CHECK_DECODE)
        sk_causes_add(c->out, SK_CAUSE_TYPE_INVALID, sk_fpath_str(&c->path),
                      "Invalid type: expected %s, got %s", want, json_kind(v));
}

static void format_error(chk *c, const json_t *v, const char *detail)
{
    if (c->flags & SK_CHECK_DECODE)
        sk_cause_invalid(c->out, sk_fpath_str(&c->path), v, detail);
}

/* A scalar of type t (or an element of an array / map). */
static void chk_scalar(chk *c, const json_t *v, sk_ftype t, const sk_field *f, int depth)
{
    int64_t ts;
    switch (t) {
    case SK_FT_STRING:
        if (!json_is_string(v))
            type_error(c, v, "string");
        else if (f && f->enums && (c->flags & SK_CHECK_VALUES)) {
            const char *s = json_string_value(v);
            bool ok = false;
            for (const char *const *e = f->enums; *e && !ok; e++)
                ok = strcmp(*e, s) == 0;
            /* "" reads as unset for optional enums, as Go's zero value */
            if (!ok && *s)
                sk_cause_not_supported(c->out, sk_fpath_str(&c->path), v, f->enums);
        }
        break;
    case SK_FT_INT32:
        if (!json_is_integer(v))
            type_error(c, v, "integer");
        else if (json_integer_value(v) < INT32_MIN || json_integer_value(v) > INT32_MAX)
            format_error(c, v, "must fit in a 32-bit integer");
        break;
    case SK_FT_INT64:
        if (!json_is_integer(v))
            type_error(c, v, "integer");
        break;
    case SK_FT_NUMBER:
        if (!json_is_number(v))
            type_error(c, v, "number");
        break;
    case SK_FT_BOOL:
        if (!json_is_boolean(v))
            type_error(c, v, "boolean");
        break;
    case SK_FT_INT_OR_STRING:
        if (!json_is_integer(v) && !json_is_string(v))
            type_error(c, v, "integer or string");
        break;
    case SK_FT_QUANTITY:
        if (json_is_number(v))
            break;
        if (!json_is_string(v))
            type_error(c, v, "quantity");
        else if (!sk_quantity_valid(json_string_value(v)))
            format_error(c, v, "quantities must match the regular expression "
                               "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        break;
    case SK_FT_TIME:
    case SK_FT_MICROTIME:
        if (!json_is_string(v))
            type_error(c, v, "RFC 3339 timestamp");
        else if (!sk_time_parse(json_string_value(v), &ts))
            format_error(c, v, "must be an RFC 3339 timestamp");
        break;
    case SK_FT_BYTES:
        if (!json_is_string(v))
            type_error(c, v, "base64 string");
        else if (!sk_base64_valid(json_string_value(v), json_string_length(v)))
            format_error(c, v, "illegal base64 data");
        break;
    case SK_FT_OBJECT:
        if (!json_is_object(v))
            type_error(c, v, "object");
        else
            chk_object(c, v, f ? f->ref : NULL, depth + 1);
        break;
    default:
        break;
    }
}

static void chk_field(chk *c, const json_t *v, const sk_field *f, int depth)
{
    size_t i;
    const char *k;
    json_t *e;
    if (json_is_null(v))
        return; /* null decodes as the zero value */
    if (f->type == SK_FT_ARRAY) {
        if (!json_is_array(v)) {
            type_error(c, v, "array");
            return;
        }
        json_array_foreach(v, i, e)
        {
            size_t mark = sk_fpath_index(&c->path, i);
            if (!json_is_null(e))
                chk_scalar(c, e, f->elem, f, depth);
            sk_fpath_restore(&c->path, mark);
        }
        return;
    }
    if (f->type == SK_FT_MAP) {
        if (!json_is_object(v)) {
            type_error(c, v, "object");
            return;
        }
        json_object_foreach((json_t *)v, k, e)
        {
            size_t mark = sk_fpath_key(&c->path, k);
            if (!json_is_null(e))
                chk_scalar(c, e, f->elem, f, depth);
            sk_fpath_restore(&c->path, mark);
        }
        return;
    }
    chk_scalar(c, v, f->type, f, depth);
}

static void chk_object(chk *c, const json_t *obj, const sk_schema *s, int depth)
{
    const char *k;
    json_t *v;
    void *tmp;
    if (!s || depth > 64)
        return;
    json_object_foreach_safe((json_t *)obj, tmp, k, v)
    {
        const sk_field *f = sk_schema_field(s, k, strlen(k));
        size_t mark = sk_fpath_child(&c->path, k);
        /* .status is never required to be complete: it is reset on create
         * and written by controllers, whose Go structs always decode (a
         * missing non-pointer field is its zero value). */
        bool status = depth == 0 && strcmp(k, "status") == 0;
        if (status)
            c->in_status = true;
        if (f)
            chk_field(c, v, f, depth);
        else if (c->flags & (SK_CHECK_UNKNOWN | SK_CHECK_PRUNE)) {
            sk_causes_add(c->out, SK_CAUSE_UNKNOWN_FIELD, sk_fpath_str(&c->path),
                          "unknown field \"%s\"", sk_fpath_str(&c->path));
            if (c->flags & SK_CHECK_PRUNE) {
                char *key = strdup(k); /* k belongs to the entry deleted */
                if (key)
                    json_object_del((json_t *)obj, key);
                free(key);
            }
        }
        if (status)
            c->in_status = false;
        sk_fpath_restore(&c->path, mark);
    }
    if (!(c->flags & SK_CHECK_VALUES) || c->in_status)
        return;
    for (const sk_field *f = s->fields; f->name; f++) {
        json_t *v2 = json_object_get(obj, f->name);
        if (!(f->flags & SK_FF_REQUIRED) || (v2 && !json_is_null(v2)))
            continue;
        size_t mark = sk_fpath_child(&c->path, f->name);
        sk_cause_required(c->out, sk_fpath_str(&c->path), NULL);
        sk_fpath_restore(&c->path, mark);
    }
}

void sk_schema_check(const json_t *obj, const sk_schema *s, unsigned flags, sk_causes *out)
{
    chk c = {.flags = flags, .out = out};
    sk_fpath_init(&c.path, NULL);
    if (!json_is_object(obj)) {
        sk_causes_add(out, SK_CAUSE_TYPE_INVALID, "", "Invalid type: expected object, got %s",
                      json_kind(obj));
        return;
    }
    chk_object(&c, obj, s, 0);
}

void sk_schema_prune(json_t *obj, const sk_schema *s, sk_causes *dropped)
{
    if (json_is_object(obj))
        sk_schema_check(obj, s, SK_CHECK_PRUNE, dropped);
}
