/* apiserver core — a growable NUL-terminated string with a sticky error,
 * for building JSON text, table cells and messages. */
#ifndef SK_STRBUF_H
#define SK_STRBUF_H

#include <stddef.h>

typedef struct sk_sbuf {
    char *p;    /* NUL-terminated once anything was written */
    size_t len, cap;
    size_t limit; /* 0 = unlimited; past it err becomes SK_ETOOLARGE */
    int err;      /* 0, -ENOMEM or SK_ETOOLARGE; later writes are ignored */
} sk_sbuf;

void sk_sbuf_init(sk_sbuf *b, size_t limit);
void sk_sbuf_free(sk_sbuf *b);
void sk_sbuf_putn(sk_sbuf *b, const char *s, size_t n);
void sk_sbuf_puts(sk_sbuf *b, const char *s);
/* Inline: JSON rendering puts a character per token. */
static inline void sk_sbuf_putc(sk_sbuf *b, char c)
{
    if (b->len + 2 <= b->cap && !b->err && (!b->limit || b->len < b->limit)) {
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return;
    }
    sk_sbuf_putn(b, &c, 1);
}
void sk_sbuf_printf(sk_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty); owned by b. */
const char *sk_sbuf_str(const sk_sbuf *b);
/* Hands the malloc'd string to the caller (never NULL unless b->err). */
char *sk_sbuf_take(sk_sbuf *b, size_t *len);

#endif
