/* The JSONPath subset printer columns use: .field, [n] and [*]. */
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "table.h"

#define MAX_MATCHES 256

typedef struct matches {
    const json_t *v[MAX_MATCHES];
    size_t n;
} matches;

static void step(const json_t *cur, const char *path, matches *m, int depth)
{
    if (!cur || m->n == MAX_MATCHES || depth > 32)
        return;
    if (!*path) {
        m->v[m->n++] = cur;
        return;
    }
    if (*path == '.') {
        const char *name = path + 1;
        size_t n = strcspn(name, ".[");
        step(json_object_getn(cur, name, n), name + n, m, depth + 1);
        return;
    }
    if (*path != '[')
        return;
    const char *close = strchr(path, ']');
    if (!close)
        return;
    if (close - path == 2 && path[1] == '*') {
        for (size_t i = 0; i < json_array_size(cur); i++)
            step(json_array_get(cur, i), close + 1, m, depth + 1);
        return;
    }
    char *end;
    unsigned long idx = strtoul(path + 1, &end, 10);
    if (end == close)
        step(json_array_get(cur, idx), close + 1, m, depth + 1);
}

static void put_text(sk_sbuf *b, const json_t *v)
{
    if (json_is_string(v)) {
        sk_sbuf_puts(b, json_string_value(v));
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (s)
            sk_sbuf_puts(b, s);
        free(s);
    }
}

json_t *sk_table_path_eval(const json_t *obj, const char *path)
{
    matches m = {.n = 0};
    step(obj, path, &m, 0);
    if (!m.n)
        return NULL;
    if (m.n == 1 && !json_is_object(m.v[0]) && !json_is_array(m.v[0]))
        return json_deep_copy(m.v[0]);
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    for (size_t i = 0; i < m.n; i++) {
        if (i)
            sk_sbuf_putc(&b, ',');
        put_text(&b, m.v[i]);
    }
    json_t *out = json_string(sk_sbuf_str(&b));
    sk_sbuf_free(&b);
    return out;
}
