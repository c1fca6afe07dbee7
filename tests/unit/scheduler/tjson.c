#include "tjson.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/mp.h"

typedef struct tj {
    const char *s;
    size_t i;
} tj;

static void die(tj *p, const char *what)
{
    fprintf(stderr, "tjson: %s at %zu in: %s\n", what, p->i, p->s);
    abort();
}

static void ws(tj *p)
{
    while (isspace((unsigned char)p->s[p->i]))
        p->i++;
}

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '/' || c == '-';
}

/* Parses one value and writes it; returns via buf. */
static void value(tj *p, sk_mp_buf *b);

static char *string(tj *p)
{
    char q = p->s[p->i];
    if (q == '"' || q == '\'') {
        size_t start = ++p->i;
        while (p->s[p->i] && p->s[p->i] != q)
            p->i++;
        if (!p->s[p->i])
            die(p, "unterminated string");
        char *out = strndup(p->s + start, p->i - start);
        p->i++;
        return out;
    }
    size_t start = p->i;
    while (word_char(p->s[p->i]))
        p->i++;
    if (start == p->i)
        die(p, "expected a string");
    return strndup(p->s + start, p->i - start);
}

/* Emits a container: elements are parsed into a scratch buffer, counted,
 * then copied after the header. */
static void container(tj *p, sk_mp_buf *b, bool map)
{
    char close = map ? '}' : ']';
    sk_mp_buf tmp;
    uint32_t n = 0;
    sk_mp_buf_init(&tmp);
    p->i++;
    ws(p);
    while (p->s[p->i] != close) {
        if (map) {
            char *k = string(p);
            sk_mp_put_str(&tmp, k);
            free(k);
            ws(p);
            if (p->s[p->i++] != ':')
                die(p, "expected ':'");
            ws(p);
        }
        value(p, &tmp);
        n++;
        ws(p);
        if (p->s[p->i] == ',') {
            p->i++;
            ws(p);
        } else if (p->s[p->i] != close) {
            die(p, "expected ',' or a closing bracket");
        }
    }
    p->i++;
    if (map)
        sk_mp_put_map(b, n);
    else
        sk_mp_put_array(b, n);
    /* Append the elements' bytes as they are. */
    for (size_t off = 0; off < tmp.len;) {
        size_t used = 0;
        sk_mp_view v;
        if (sk_mp_check_prefix(tmp.data + off, tmp.len - off, SK_MP_MAX_DEPTH, &v, &used))
            die(p, "internal");
        sk_mp_put_raw(b, v);
        off += used;
    }
    sk_mp_buf_free(&tmp);
}

static void number(tj *p, sk_mp_buf *b)
{
    char *end;
    const char *start = p->s + p->i;
    long long ll = strtoll(start, &end, 10);
    if (*end == '.' || *end == 'e' || *end == 'E') {
        double d = strtod(start, &end);
        sk_mp_put_double(b, d);
    } else {
        sk_mp_put_int(b, ll);
    }
    p->i += (size_t)(end - start);
}

static void value(tj *p, sk_mp_buf *b)
{
    ws(p);
    char c = p->s[p->i];
    if (c == '{' || c == '[') {
        container(p, b, c == '{');
    } else if (c == '-' || isdigit((unsigned char)c)) {
        number(p, b);
    } else {
        bool quoted = c == '"' || c == '\'';
        char *w = string(p);
        if (!quoted && strcmp(w, "true") == 0)
            sk_mp_put_bool(b, true);
        else if (!quoted && strcmp(w, "false") == 0)
            sk_mp_put_bool(b, false);
        else if (!quoted && strcmp(w, "null") == 0)
            sk_mp_put_nil(b);
        else
            sk_mp_put_str(b, w);
        free(w);
    }
}

uint8_t *tj_mp(const char *json, size_t *len)
{
    tj p = {json, 0};
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    value(&p, &b);
    ws(&p);
    if (p.s[p.i])
        die(&p, "trailing input");
    if (b.err)
        die(&p, "msgpack writer failed");
    return sk_mp_buf_take(&b, len);
}

uint8_t *tj_mpf(size_t *len, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf)) {
        fprintf(stderr, "tjson: input too long\n");
        abort();
    }
    return tj_mp(buf, len);
}
