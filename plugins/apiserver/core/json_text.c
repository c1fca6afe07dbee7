#include "json_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t sk_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        min = 0x80;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        min = 0x800;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are invalid */
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return len;
}

/* 1 for the ASCII bytes a JSON string must (or, like Go's encoder for
 * <, > and &, does) escape. */
static const unsigned char needs_escape[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* control characters */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1,
};

static void put_escape(sk_sbuf *b, unsigned char c)
{
    char tmp[8];
    switch (c) {
    case '"': sk_sbuf_putn(b, "\\\"", 2); return;
    case '\\': sk_sbuf_putn(b, "\\\\", 2); return;
    case '\n': sk_sbuf_putn(b, "\\n", 2); return;
    case '\r': sk_sbuf_putn(b, "\\r", 2); return;
    case '\t': sk_sbuf_putn(b, "\\t", 2); return;
    default:
        snprintf(tmp, sizeof tmp, "\\u%04x", c);
        sk_sbuf_putn(b, tmp, 6);
    }
}

int sk_json_text_string(sk_sbuf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    sk_sbuf_putc(b, '"');
    size_t run = 0; /* start of the pending run of bytes needing no escape */
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        if (c < 0x80) {
            if (needs_escape[c]) {
                sk_sbuf_putn(b, s + run, i - run);
                put_escape(b, c);
                run = i + 1;
            }
            i++;
            continue;
        }
        size_t l = sk_utf8_seq_len(u + i, n - i);
        if (!l)
            return -1;
        i += l;
    }
    sk_sbuf_putn(b, s + run, n - run);
    sk_sbuf_putc(b, '"');
    return 0;
}

int sk_json_text_double(sk_sbuf *b, double d)
{
    char sci[40], tmp[400];
    int prec = 1;
    if (!isfinite(d))
        return -1;
    /* the fewest significant digits that read back exactly */
    for (; prec <= 17; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, d);
        if (strtod(sci, NULL) == d)
            break;
    }
    /* plain notation in the range Go's encoding/json uses it, else exponent */
    double a = fabs(d);
    const char *out = sci;
    if (a == 0 || (a >= 1e-6 && a < 1e21)) {
        int exp10 = atoi(strchr(sci, 'e') + 1);
        int decimals = prec - 1 - exp10;
        snprintf(tmp, sizeof tmp, "%.*f", decimals > 0 ? decimals : 0, d);
        out = tmp;
    }
    sk_sbuf_puts(b, out);
    if (!strpbrk(out, ".e"))
        sk_sbuf_puts(b, ".0");
    return 0;
}
