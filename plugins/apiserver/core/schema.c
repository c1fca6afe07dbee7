#include "schema.h"

#include <string.h>

const sk_field *sk_schema_field(const sk_schema *s, const char *name, size_t name_len)
{
    if (!s)
        return NULL;
    for (const sk_field *f = s->fields; f->name; f++)
        if (strlen(f->name) == name_len && memcmp(f->name, name, name_len) == 0)
            return f;
    return NULL;
}

const sk_schema *sk_field_schema(const sk_field *f)
{
    if (!f)
        return NULL;
    if (f->type == SK_FT_OBJECT || f->elem == SK_FT_OBJECT)
        return f->ref;
    return NULL;
}

const sk_field *sk_schema_field_at(const sk_schema *s, const char *path)
{
    const sk_field *f = NULL;
    while (s && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        f = sk_schema_field(s, path, n);
        if (!f || !dot)
            return f;
        s = sk_field_schema(f);
        path = dot + 1;
    }
    return NULL;
}

const sk_schema *sk_schema_at(const sk_schema *s, const char *path)
{
    if (!*path)
        return s;
    return sk_field_schema(sk_schema_field_at(s, path));
}

const char *sk_ftype_name(sk_ftype t)
{
    switch (t) {
    case SK_FT_STRING: return "string";
    case SK_FT_INT32:
    case SK_FT_INT64: return "integer";
    case SK_FT_NUMBER: return "number";
    case SK_FT_BOOL: return "boolean";
    case SK_FT_OBJECT: return "object";
    case SK_FT_ARRAY: return "array";
    case SK_FT_MAP: return "map";
    case SK_FT_INT_OR_STRING: return "integer or string";
    case SK_FT_QUANTITY: return "quantity";
    case SK_FT_TIME:
    case SK_FT_MICROTIME: return "timestamp";
    case SK_FT_BYTES: return "base64 string";
    case SK_FT_ANY: return "any";
    default: return "none";
    }
}
