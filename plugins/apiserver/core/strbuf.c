#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

void sk_sbuf_init(sk_sbuf *b, size_t limit)
{
    memset(b, 0, sizeof *b);
    b->limit = limit;
}

void sk_sbuf_free(sk_sbuf *b)
{
    free(b->p);
    sk_sbuf_init(b, b->limit);
}

static int sbuf_reserve(sk_sbuf *b, size_t n)
{
    if (b->err)
        return b->err;
    if (b->limit && (n > b->limit || b->len > b->limit - n))
        return b->err = SK_ETOOLARGE;
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1) {
        if (cap > SIZE_MAX / 2)
            return b->err = -ENOMEM;
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p)
        return b->err = -ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

void sk_sbuf_putn(sk_sbuf *b, const char *s, size_t n)
{
    if (sbuf_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sk_sbuf_puts(sk_sbuf *b, const char *s)
{
    sk_sbuf_putn(b, s, strlen(s));
}

void sk_sbuf_printf(sk_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sbuf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *sk_sbuf_str(const sk_sbuf *b)
{
    return b->p ? b->p : "";
}

char *sk_sbuf_take(sk_sbuf *b, size_t *len)
{
    /* An empty buffer still yields "", so callers never special-case NULL. */
    if (!b->p && sbuf_reserve(b, 0) == 0)
        b->p[0] = '\0';
    if (b->err)
        return NULL;
    char *p = b->p;
    if (len)
        *len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}
