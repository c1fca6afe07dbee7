/* Continue tokens: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"..."},
 * the shape the real apiserver uses. */
#include "list_token.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base64.h"

char *ap_token_encode(int64_t rev, const char *key_suffix, size_t n)
{
    json_t *j = json_pack("{s:s, s:I, s:s%}", "v", "meta.k8s.io/v1", "rv", (json_int_t)rev,
                          "start", key_suffix, n);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return NULL;
    size_t tn = strlen(text);
    char *out = malloc(sk_base64_len(tn) + 1);
    if (out)
        sk_base64_encode(text, tn, out);
    free(text);
    return out;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decodes standard or URL-safe base64, padding optional. -1 if invalid. */
static long b64decode(const char *s, unsigned char *out, size_t cap)
{
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        int v = b64val(*s);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap)
                return -1;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)n;
}

int ap_token_decode(const char *tok, const char *prefix, size_t plen, int64_t *rev,
                    char *start, size_t size, size_t *start_len)
{
    unsigned char raw[2048];
    if (strlen(tok) > 2700)
        return -1;
    long n = b64decode(tok, raw, sizeof raw);
    if (n <= 0)
        return -1;
    json_error_t je;
    json_t *j = json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, &je);
    json_t *rv = json_object_get(j, "rv"), *st = json_object_get(j, "start");
    int rc = -1;
    if (json_is_integer(rv) && json_integer_value(rv) > 0 && json_is_string(st)) {
        size_t sl = json_string_length(st);
        const char *sv = json_string_value(st);
        if (plen + sl + 1 <= size && !memchr(sv, 0, sl)) {
            memcpy(start, prefix, plen);
            memcpy(start + plen, sv, sl);
            start[plen + sl] = '\0';
            *start_len = plen + sl + 1;
            *rev = json_integer_value(rv);
            rc = 0;
        }
    }
    json_decref(j);
    return rc;
}
