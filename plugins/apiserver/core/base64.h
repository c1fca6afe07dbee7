/* apiserver core — standard base64 (RFC 4648, padded), as Go's
 * encoding/json writes []byte and as Secret data is carried. */
#ifndef SK_BASE64_H
#define SK_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* Encoded length of n bytes, without the NUL. */
size_t sk_base64_len(size_t n);
/* Writes sk_base64_len(n) chars and a NUL into out. */
void sk_base64_encode(const void *in, size_t n, char *out);
/* True when s[0..n) is valid padded standard base64. */
bool sk_base64_valid(const char *s, size_t n);

#endif
