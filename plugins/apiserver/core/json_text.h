/* apiserver core — the pieces of JSON text writing shared by the msgpack
 * text encoder and anything else that writes JSON by hand. */
#ifndef SK_JSON_TEXT_H
#define SK_JSON_TEXT_H

#include <stddef.h>

#include "strbuf.h"

/* Writes s[0..n) as a quoted JSON string. -1 (nothing useful written) when
 * s is not valid UTF-8. Escapes <, > and & as \u003c.. like Go does, so a
 * body can never be sniffed as HTML. */
int sk_json_text_string(sk_sbuf *b, const char *s, size_t n);
/* Writes the shortest text that reads back as d, always with a '.' or an
 * exponent so it stays a float. -1 for NaN and infinities. */
int sk_json_text_double(sk_sbuf *b, double d);
/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t sk_utf8_seq_len(const unsigned char *s, size_t n);

#endif
