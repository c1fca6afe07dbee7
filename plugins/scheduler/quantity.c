#include "quantity.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"

/* Mantissas beyond this many significant digits are refused rather than
 * rounded: exactness matters more than accepting absurd input. */
enum { MAX_DIGITS = 30, MAX_EXP = 60 };

typedef __int128 i128;

typedef struct qparts {
    bool neg;
    i128 mant;    /* all significant digits as an integer */
    int exp10;    /* value = mant * 10^exp10 * 2^exp2 */
    int exp2;
} qparts;

static int parse_number(const char *s, size_t len, size_t *pos, qparts *p)
{
    size_t i = *pos;
    int ndigits = 0, nsig = 0;
    bool seen_dot = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        p->neg = s[i++] == '-';
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.' && !seen_dot) {
            seen_dot = true;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        ndigits++;
        if (p->mant == 0 && c == '0') {
            if (seen_dot)
                p->exp10--;
            continue;
        }
        if (++nsig > MAX_DIGITS)
            return SK_EBADMSG;
        p->mant = p->mant * 10 + (c - '0');
        if (seen_dot)
            p->exp10--;
    }
    if (ndigits == 0)
        return SK_EBADMSG;
    *pos = i;
    return 0;
}

static int parse_exponent(const char *s, size_t len, int *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == len)
        return SK_EBADMSG;
    int v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return SK_EBADMSG;
        if (v > 1000)
            return SK_EBADMSG;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

static int parse_suffix(const char *s, size_t len, qparts *p)
{
    static const char dec[] = "kMGTPE";
    if (len == 0)
        return 0;
    if (len == 1) {
        switch (s[0]) {
        case 'n': p->exp10 -= 9; return 0;
        case 'u': p->exp10 -= 6; return 0;
        case 'm': p->exp10 -= 3; return 0;
        default: break;
        }
        const char *d = memchr(dec, s[0], sizeof(dec) - 1);
        if (!d)
            return SK_EBADMSG;
        p->exp10 += 3 * (int)(d - dec + 1);
        return 0;
    }
    if (len == 2 && s[1] == 'i') {
        const char *b = memchr("KMGTPE", s[0], 6);
        if (!b)
            return SK_EBADMSG;
        p->exp2 += 10 * (int)(b - "KMGTPE" + 1);
        return 0;
    }
    if (s[0] == 'e' || s[0] == 'E') {
        int e;
        int rc = parse_exponent(s + 1, len - 1, &e);
        if (rc)
            return rc;
        p->exp10 += e;
        return 0;
    }
    return SK_EBADMSG;
}

static const i128 I64MAX = INT64_MAX;

/* mant * 2^e2 * 10^e10 with e10 >= 0, saturated at INT64_MAX + 1. */
static i128 scale_up(i128 m, int e2, int e10)
{
    for (int i = 0; i < e2 && m <= I64MAX; i++)
        m *= 2;
    for (int i = 0; i < e10 && m <= I64MAX; i++)
        m *= 10;
    return m > I64MAX ? I64MAX + 1 : m;
}

/* ceil or floor of mant * 2^e2 / 10^k for k > 0. */
static int scale_down(i128 m, int e2, int k, bool round_up, i128 *out)
{
    const i128 LIMIT = (i128)1 << 120;
    for (int i = 0; i < e2; i++) {
        if (m >= LIMIT)
            return SK_EBADMSG;
        m *= 2;
    }
    i128 den = 1;
    for (int i = 0; i < k; i++) {
        if (den > m) {
            /* 0 < value < 1 from here on (m > 0), or value == 0. */
            *out = (m != 0 && round_up) ? 1 : 0;
            return 0;
        }
        den *= 10;
    }
    i128 q = m / den;
    if (round_up && q * den != m)
        q++;
    *out = q;
    return 0;
}

static int64_t clamp(i128 v, bool neg)
{
    if (v > I64MAX)
        v = I64MAX + (neg ? 1 : 0);
    return neg ? (int64_t)(-v) : (int64_t)v;
}

/* ceil(value * 10^extra10) */
static int reading(const qparts *p, int extra10, int64_t *out)
{
    int e10 = p->exp10 + extra10;
    if (p->mant == 0) {
        *out = 0;
        return 0;
    }
    if (e10 > MAX_EXP) {
        *out = p->neg ? INT64_MIN : INT64_MAX;
        return 0;
    }
    if (e10 < -MAX_EXP) {
        /* mant < 10^30 and 2^exp2 <= 2^60: the magnitude is below 1. */
        *out = p->neg ? 0 : 1;
        return 0;
    }
    i128 v;
    if (e10 >= 0) {
        v = scale_up(p->mant, p->exp2, e10);
    } else {
        /* Rounding toward +inf means rounding the magnitude down when the
         * quantity is negative. */
        int rc = scale_down(p->mant, p->exp2, -e10, !p->neg, &v);
        if (rc)
            return rc;
    }
    *out = clamp(v, p->neg);
    return 0;
}

int sk_quantity_parse(const char *s, size_t len, sk_quantity *q)
{
    qparts p = {0};
    size_t pos = 0;
    if (!s || len == 0 || len > 64)
        return SK_EBADMSG;
    int rc = parse_number(s, len, &pos, &p);
    if (rc)
        return rc;
    rc = parse_suffix(s + pos, len - pos, &p);
    if (rc)
        return rc;
    rc = reading(&p, 0, &q->value);
    if (rc)
        return rc;
    return reading(&p, 3, &q->milli);
}

static void from_int(int64_t v, sk_quantity *q)
{
    q->value = v;
    if (v > INT64_MAX / 1000)
        q->milli = INT64_MAX;
    else if (v < INT64_MIN / 1000)
        q->milli = INT64_MIN;
    else
        q->milli = v * 1000;
}

/* The shortest decimal that reads back as d, as JSON encoders print it. */
static int from_double(double d, sk_quantity *q)
{
    char buf[40];
    if (d != d || d > 9.2e18 || d < -9.2e18)
        return SK_EBADMSG;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    return sk_quantity_parse(buf, strlen(buf), q);
}

int sk_quantity_from_mp(sk_mp_view v, sk_quantity *q)
{
    switch (sk_mp_type_of(v)) {
    case SK_MP_STR: {
        const char *s;
        size_t n;
        if (sk_mp_get_str(v, &s, &n))
            return SK_EBADMSG;
        return sk_quantity_parse(s, n, q);
    }
    case SK_MP_UINT: {
        uint64_t u;
        if (sk_mp_get_uint(v, &u))
            return SK_EBADMSG;
        from_int(u > INT64_MAX ? INT64_MAX : (int64_t)u, q);
        return 0;
    }
    case SK_MP_INT: {
        int64_t i;
        if (sk_mp_get_int(v, &i))
            return SK_EBADMSG;
        from_int(i, q);
        return 0;
    }
    case SK_MP_FLOAT: {
        double d;
        if (sk_mp_get_double(v, &d))
            return SK_EBADMSG;
        return from_double(d, q);
    }
    default:
        return SK_EBADMSG;
    }
}
