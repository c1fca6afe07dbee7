/* What a YAML scalar means: go-yaml v2's resolve(), which is what
 * kube-apiserver applies to YAML bodies (see yaml_scalar.h). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "yaml_scalar.h"

enum { GO_OK, GO_SYNTAX, GO_RANGE };

/* go-yaml's resolve map: exact spellings only ("yEs" is a string). */
static const struct {
    const char *text;
    sk_ys_kind kind;
    bool b;
    double d;
} words[] = {
    {"", SK_YS_NULL, false, 0},         {"~", SK_YS_NULL, false, 0},
    {"null", SK_YS_NULL, false, 0},     {"Null", SK_YS_NULL, false, 0},
    {"NULL", SK_YS_NULL, false, 0},     {"y", SK_YS_BOOL, true, 0},
    {"Y", SK_YS_BOOL, true, 0},         {"yes", SK_YS_BOOL, true, 0},
    {"Yes", SK_YS_BOOL, true, 0},       {"YES", SK_YS_BOOL, true, 0},
    {"true", SK_YS_BOOL, true, 0},      {"True", SK_YS_BOOL, true, 0},
    {"TRUE", SK_YS_BOOL, true, 0},      {"on", SK_YS_BOOL, true, 0},
    {"On", SK_YS_BOOL, true, 0},        {"ON", SK_YS_BOOL, true, 0},
    {"n", SK_YS_BOOL, false, 0},        {"N", SK_YS_BOOL, false, 0},
    {"no", SK_YS_BOOL, false, 0},       {"No", SK_YS_BOOL, false, 0},
    {"NO", SK_YS_BOOL, false, 0},       {"false", SK_YS_BOOL, false, 0},
    {"False", SK_YS_BOOL, false, 0},    {"FALSE", SK_YS_BOOL, false, 0},
    {"off", SK_YS_BOOL, false, 0},      {"Off", SK_YS_BOOL, false, 0},
    {"OFF", SK_YS_BOOL, false, 0},      {".nan", SK_YS_FLOAT, false, NAN},
    {".NaN", SK_YS_FLOAT, false, NAN},  {".NAN", SK_YS_FLOAT, false, NAN},
    {".inf", SK_YS_FLOAT, false, INFINITY},   {".Inf", SK_YS_FLOAT, false, INFINITY},
    {".INF", SK_YS_FLOAT, false, INFINITY},   {"+.inf", SK_YS_FLOAT, false, INFINITY},
    {"+.Inf", SK_YS_FLOAT, false, INFINITY},  {"+.INF", SK_YS_FLOAT, false, INFINITY},
    {"-.inf", SK_YS_FLOAT, false, -INFINITY}, {"-.Inf", SK_YS_FLOAT, false, -INFINITY},
    {"-.INF", SK_YS_FLOAT, false, -INFINITY},
};

static bool lookup_word(const char *s, size_t len, sk_yscalar *out)
{
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i].text) == len && memcmp(words[i].text, s, len) == 0) {
            out->kind = words[i].kind;
            out->b = words[i].b;
            out->d = words[i].d;
            return true;
        }
    }
    return false;
}

static unsigned digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'z' ? (unsigned)(c - 'a' + 10) : 99;
}

/* Go's strconv.ParseUint(s, 0, 64) on text without `_`. Unlike Go it
 * reads to the end before reporting an overflow, so GO_RANGE also means
 * "well-formed" (what go-yaml's big.Int fallback then checks). */
static int go_parse_uint(const char *s, size_t n, uint64_t *out)
{
    unsigned base = 10;
    if (n == 0)
        return GO_SYNTAX;
    if (s[0] == '0') {
        char c = n >= 3 ? (char)(s[1] | 0x20) : 0;
        size_t skip = (c == 'b' || c == 'o' || c == 'x') ? 2 : 1;
        base = c == 'b' ? 2 : c == 'o' ? 8 : c == 'x' ? 16 : 8;
        s += skip;
        n -= skip;
    }
    uint64_t v = 0;
    bool range = false;
    for (size_t i = 0; i < n; i++) {
        unsigned d = digit_value(s[i]);
        if (d >= base)
            return GO_SYNTAX;
        if (v > (UINT64_MAX - d) / base)
            range = true;
        v = v * base + d;
    }
    *out = v;
    return range ? GO_RANGE : GO_OK;
}

/* Go's strconv.ParseInt(s, 0, 64) on text without `_`. */
static int go_parse_int(const char *s, size_t n, int64_t *out)
{
    bool neg = n > 0 && s[0] == '-';
    size_t sign = n > 0 && (s[0] == '-' || s[0] == '+');
    uint64_t u;
    int rc = go_parse_uint(s + sign, n - sign, &u);
    if (rc != GO_OK)
        return rc;
    if (neg && u > (uint64_t)INT64_MAX + 1)
        return GO_RANGE;
    if (!neg && u > (uint64_t)INT64_MAX)
        return GO_RANGE;
    /* -(2^63) has no positive int64: negate in unsigned arithmetic */
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return GO_OK;
}

static size_t skip_digits(const char *s, size_t i, size_t n)
{
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool float_syntax(const char *s, size_t n)
{
    size_t i = n > 0 && (s[0] == '-' || s[0] == '+'), j;
    if (i < n && s[i] == '.') {
        j = skip_digits(s, i + 1, n);
        if (j == i + 1)
            return false;
    } else {
        j = skip_digits(s, i, n);
        if (j == i)
            return false;
        if (j < n && s[j] == '.')
            j = skip_digits(s, j + 1, n);
    }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1 + (j + 1 < n && (s[j + 1] == '-' || s[j + 1] == '+'));
        j = skip_digits(s, k, n);
        if (j == k)
            return false;
    }
    return j == n;
}

/* s is NUL-terminated and well-formed. Go's ParseFloat fails (and the
 * scalar stays a string) only on overflow; underflow gives 0. */
static bool parse_float(const char *s, double *out)
{
    errno = 0;
    double d = strtod(s, NULL);
    if (errno == ERANGE && isinf(d))
        return false;
    *out = d;
    return true;
}

/* The number a scalar starting with a digit, a sign or '.' may be; p is
 * NUL-terminated. A '.' start only tries a float, as in go-yaml. */
static void resolve_digits(const char *p, size_t n, bool dot, sk_yscalar *out)
{
    int ru = GO_SYNTAX;
    if (!dot) {
        uint64_t u;
        if (go_parse_int(p, n, &out->i) == GO_OK) {
            out->kind = SK_YS_INT;
            return;
        }
        ru = go_parse_uint(p, n, &u);
        if (ru == GO_OK) {
            out->kind = SK_YS_BIGINT;
            return;
        }
    }
    if (float_syntax(p, n) && parse_float(p, &out->d))
        out->kind = SK_YS_FLOAT;
    else if (ru == GO_RANGE)
        out->kind = SK_YS_BIGINT; /* go-yaml's big.Int */
}

static int resolve_number(const char *s, size_t len, sk_yscalar *out)
{
    bool dot = s[0] == '.';
    char small[64], *p = len < sizeof small ? small : malloc(len + 1);
    if (!p)
        return -ENOMEM;
    size_t n = 0;
    /* go-yaml drops every `_` before parsing a number (not a '.' float) */
    for (size_t i = 0; i < len; i++)
        if (dot || s[i] != '_')
            p[n++] = s[i];
    p[n] = '\0';
    if (memchr(p, '\0', n) == NULL)
        resolve_digits(p, n, dot, out);
    if (p != small)
        free(p);
    return 0;
}

int sk_yaml_resolve_plain(const char *s, size_t len, sk_yscalar *out)
{
    out->kind = SK_YS_STR;
    /* go-yaml only looks further when the first byte hints at a non-string */
    if (len && !strchr("+-0123456789yYnNtTfFoO~.", s[0]))
        return 0;
    if (lookup_word(s, len, out))
        return 0;
    if (len && strchr("+-0123456789.", s[0]))
        return resolve_number(s, len, out);
    return 0;
}

static const char *kind_tag(sk_ys_kind k)
{
    static const char *const names[] = {"!!str", "!!null", "!!bool", "!!int", "!!float", "!!int"};
    return names[k];
}

/* YYYY-M-D, then the end or a time part: enough to tell a timestamp from
 * other text, since go-yaml keeps a timestamp's text in interface{}. */
static bool looks_like_timestamp(const char *s, size_t n)
{
    size_t i = skip_digits(s, 0, n), j, k;
    if (i != 4 || i >= n || s[i] != '-')
        return false;
    j = skip_digits(s, i + 1, n);
    if (j == i + 1 || j - i > 3 || j >= n || s[j] != '-')
        return false;
    k = skip_digits(s, j + 1, n);
    if (k == j + 1 || k - j > 3)
        return false;
    return k == n || s[k] == 'T' || s[k] == 't' || s[k] == ' ';
}

/* The expected kind of a standard tag (-1: not one go-yaml resolves). */
static int tag_kind(const char *name)
{
    static const struct {
        const char *name;
        sk_ys_kind kind;
    } tags[] = {{"null", SK_YS_NULL}, {"bool", SK_YS_BOOL}, {"int", SK_YS_INT},
                {"float", SK_YS_FLOAT}};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strcmp(tags[i].name, name) == 0)
            return (int)tags[i].kind;
    return -1;
}

static int mismatch(sk_apierr *err, const sk_yscalar *got, const char *s, size_t len,
                    const char *name)
{
    return sk_apierr_set(err, SK_EBADMSG, "cannot decode %s `%.*s` as a !!%s", kind_tag(got->kind),
                         (int)(len > 60 ? 60 : len), s, name);
}

int sk_yaml_scalar(const char *tag, const char *s, size_t len, bool plain, sk_yscalar *out,
                   sk_apierr *err)
{
    const size_t plen = strlen(SK_YAML_TAG_PREFIX);
    out->kind = SK_YS_STR;
    if (!tag)
        return plain ? sk_yaml_resolve_plain(s, len, out) : 0;
    /* "!", local tags and !!str, !!map, !!merge, ...: go-yaml keeps the text */
    if (strncmp(tag, SK_YAML_TAG_PREFIX, plen) != 0)
        return 0;
    const char *name = tag + plen;
    if (strcmp(name, "binary") == 0)
        return sk_apierr_set(err, SK_EBADMSG,
                             "!!binary is not supported (send base64 text without the tag)");
    if (strcmp(name, "timestamp") == 0)
        return looks_like_timestamp(s, len) ? 0 : mismatch(err, out, s, len, name);
    int want = tag_kind(name);
    if (want < 0)
        return 0;
    int rc = sk_yaml_resolve_plain(s, len, out);
    if (rc || out->kind == (sk_ys_kind)want)
        return rc;
    if (want == SK_YS_FLOAT && out->kind == SK_YS_INT) {
        out->kind = SK_YS_FLOAT;
        out->d = (double)out->i;
        return 0;
    }
    return mismatch(err, out, s, len, name);
}

/* The exponent of a "%e" rendering. */
static int e_exponent(const char *e)
{
    const char *x = strchr(e, 'e');
    return x ? atoi(x + 1) : 0;
}

void sk_yaml_float_key(double d, char *buf, size_t size)
{
    if (isnan(d) || fabs(d) > FLT_MAX) {
        snprintf(buf, size, "%s", isnan(d) ? ".nan" : d > 0 ? ".inf" : "-.inf");
        return;
    }
    float f = (float)d;
    char e[48];
    int p = 1;
    /* the fewest significant digits that read back as the same float32 */
    for (; p < 9; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, (double)f);
        if ((float)strtod(e, NULL) == f)
            break;
    }
    snprintf(e, sizeof e, "%.*e", p - 1, (double)f);
    int x = e_exponent(e);
    /* Go's shortest %g switches to an exponent below 1e-4 and from 1e6 on,
     * whatever the digit count; its exponent has 2 digits at least, as C's */
    if (x < -4 || x >= 6)
        snprintf(buf, size, "%s", e);
    else
        snprintf(buf, size, "%.*f", p - 1 - x > 0 ? p - 1 - x : 0, (double)f);
}
