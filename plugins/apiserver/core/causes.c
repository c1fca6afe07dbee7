#include "causes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void sk_causes_init(sk_causes *c)
{
    memset(c, 0, sizeof *c);
}

void sk_causes_free(sk_causes *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].reason);
        free(c->v[i].message);
        free(c->v[i].field);
    }
    free(c->v);
    sk_causes_init(c);
}

static int causes_grow(sk_causes *c)
{
    if (c->n < c->cap)
        return 0;
    size_t cap = c->cap ? c->cap * 2 : 8;
    sk_cause *v = realloc(c->v, cap * sizeof *v);
    if (!v)
        return -ENOMEM;
    c->v = v;
    c->cap = cap;
    return 0;
}

void sk_causes_add(sk_causes *c, const char *reason, const char *field, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    sk_cause e = {strdup(reason), n < 0 ? NULL : msg, strdup(field ? field : "")};
    if (!e.reason || !e.message || !e.field || causes_grow(c)) {
        free(e.reason);
        free(e.message);
        free(e.field);
        c->err = -ENOMEM;
        return;
    }
    c->v[c->n++] = e;
}

char *sk_value_text(const json_t *v)
{
    if (json_is_string(v)) {
        char *s = NULL;
        /* Go's %q: quoted, with quotes and backslashes escaped */
        sk_sbuf b;
        sk_sbuf_init(&b, 0);
        sk_sbuf_putc(&b, '"');
        for (const char *p = json_string_value(v); *p; p++) {
            if (*p == '"' || *p == '\\')
                sk_sbuf_putc(&b, '\\');
            sk_sbuf_putc(&b, *p);
        }
        sk_sbuf_putc(&b, '"');
        s = sk_sbuf_take(&b, NULL);
        sk_sbuf_free(&b);
        return s;
    }
    if (json_is_object(v) || json_is_array(v))
        return strdup(json_is_object(v) ? "{...}" : "[...]");
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

void sk_cause_required(sk_causes *c, const char *field, const char *detail)
{
    if (detail && *detail)
        sk_causes_add(c, SK_CAUSE_REQUIRED, field, "Required value: %s", detail);
    else
        sk_causes_add(c, SK_CAUSE_REQUIRED, field, "Required value");
}

void sk_cause_invalid(sk_causes *c, const char *field, const json_t *value, const char *detail)
{
    char *v = value ? sk_value_text(value) : NULL;
    sk_causes_add(c, SK_CAUSE_INVALID, field, "Invalid value: %s%s%s", v ? v : "null",
                  detail && *detail ? ": " : "", detail ? detail : "");
    free(v);
}

void sk_cause_invalid_str(sk_causes *c, const char *field, const char *value,
                          const char *detail)
{
    json_t *v = json_string(value ? value : "");
    sk_cause_invalid(c, field, v, detail);
    json_decref(v);
}

void sk_cause_not_supported(sk_causes *c, const char *field, const json_t *value,
                            const char *const *allowed)
{
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    for (const char *const *a = allowed; a && *a; a++)
        sk_sbuf_printf(&b, "%s\"%s\"", a == allowed ? "" : ", ", *a);
    char *v = sk_value_text(value);
    sk_causes_add(c, SK_CAUSE_NOT_SUPPORTED, field, "Unsupported value: %s: supported values: %s",
                  v ? v : "null", sk_sbuf_str(&b));
    free(v);
    sk_sbuf_free(&b);
}

void sk_cause_duplicate(sk_causes *c, const char *field, const json_t *value)
{
    char *v = sk_value_text(value);
    sk_causes_add(c, SK_CAUSE_DUPLICATE, field, "Duplicate value: %s", v ? v : "null");
    free(v);
}

void sk_cause_forbidden(sk_causes *c, const char *field, const char *detail)
{
    sk_causes_add(c, SK_CAUSE_FORBIDDEN, field, "Forbidden: %s", detail);
}

void sk_cause_too_long(sk_causes *c, const char *field, size_t max)
{
    sk_causes_add(c, SK_CAUSE_TOO_LONG, field, "Too long: may not be more than %zu bytes", max);
}

char *sk_cause_text(const sk_cause *c)
{
    char *s = NULL;
    if (*c->field) {
        if (asprintf(&s, "%s: %s", c->field, c->message) < 0)
            return NULL;
        return s;
    }
    return strdup(c->message);
}
