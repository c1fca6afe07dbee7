/* Read access to the config tree: the sk_cfg_api table plugins get, path
 * lookup, and the conversions of scalars to ints (with k/Ki... suffixes),
 * doubles, bools and durations. Nothing here writes to the tree. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_tree.h"
#include "skiff/errors.h"

#define CFG_NOWHERE "<unknown>"

/* Digits only: "+1", " 1" and "0x1" name no list item. */
int cfg_parse_index(const char *s, size_t len, size_t *out)
{
    size_t v = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (SIZE_MAX - 9) / 10)
            return -1;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

size_t cfg_find_key(const sk_cfg *map, const char *k, size_t klen)
{
    for (size_t i = 0; i < map->n; i++) {
        const char *t = map->keys[i]->text;
        if (strncmp(t, k, klen) == 0 && t[klen] == '\0')
            return i;
    }
    return SIZE_MAX;
}

/* One path segment: a key of a map or an index into a list. */
static sk_cfg *child_of(const sk_cfg *node, const char *seg, size_t len)
{
    size_t i;
    if (len == 0)
        return NULL;
    if (node->type == SK_CFG_MAP) {
        i = cfg_find_key(node, seg, len);
        return i == SIZE_MAX ? NULL : node->items[i];
    }
    if (node->type == SK_CFG_LIST && cfg_parse_index(seg, len, &i) == 0 && i < node->n)
        return node->items[i];
    return NULL;
}

/* A key whose value is null (`key:`, `~`, `null`) reads as absent, so
 * commenting out a value or `--set key=` restores the default. */
static const sk_cfg *cfg_get(const sk_cfg *node, const char *path)
{
    if (!node || !path)
        return NULL;
    const sk_cfg *cur = node;
    const char *p = path;
    while (*p && cur) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        cur = child_of(cur, p, len);
        if (!dot)
            break;
        p = dot + 1;
        if (!*p)
            return NULL; /* trailing dot */
    }
    return cur && cur->type != SK_CFG_NULL ? cur : NULL;
}

static sk_cfg_type cfg_type(const sk_cfg *node)
{
    return node ? node->type : SK_CFG_NULL;
}

static const char *cfg_str(const sk_cfg *node)
{
    return node && node->type == SK_CFG_SCALAR ? node->text : NULL;
}

typedef struct cfg_unit {
    const char *name;
    uint64_t mult;
} cfg_unit;

static const cfg_unit int_suffixes[] = {
    {"", 1},
    {"k", 1000ULL},
    {"M", 1000000ULL},
    {"G", 1000000000ULL},
    {"T", 1000000000000ULL},
    {"P", 1000000000000000ULL},
    {"E", 1000000000000000000ULL},
    {"Ki", 1ULL << 10},
    {"Mi", 1ULL << 20},
    {"Gi", 1ULL << 30},
    {"Ti", 1ULL << 40},
    {"Pi", 1ULL << 50},
    {"Ei", 1ULL << 60},
};

/* Reads decimal digits at *s into *v; fails on none or on overflow. */
static int scan_digits(const char **s, uint64_t *v)
{
    const char *p = *s;
    uint64_t x = 0;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *s = p;
    *v = x;
    return 0;
}

static int cfg_to_int(const sk_cfg *node, int64_t *out)
{
    const char *s = cfg_str(node);
    if (!s || !out)
        return SK_ECONFIG;
    int neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    uint64_t v;
    if (scan_digits(&s, &v))
        return SK_ECONFIG;
    const cfg_unit *u = NULL;
    for (size_t i = 0; i < sizeof int_suffixes / sizeof int_suffixes[0] && !u; i++)
        if (strcmp(s, int_suffixes[i].name) == 0)
            u = &int_suffixes[i];
    if (!u || __builtin_mul_overflow(v, u->mult, &v))
        return SK_ECONFIG;
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return SK_ECONFIG;
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 0;
}

static int cfg_to_double(const sk_cfg *node, double *out)
{
    const char *s = cfg_str(node);
    if (!s || !out || !*s || !((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == '.'))
        return SK_ECONFIG; /* strtod would skip spaces and take "inf"/"nan" */
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (*end || !isfinite(d) || (errno == ERANGE && fabs(d) > 1.0))
        return SK_ECONFIG;
    *out = d;
    return 0;
}

static int cfg_to_bool(const sk_cfg *node, int *out)
{
    static const char *const words[] = {"false", "true", "no", "yes", "off", "on"};
    const char *s = cfg_str(node);
    if (!s || !out)
        return SK_ECONFIG;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcasecmp(s, words[i]) == 0) {
            *out = (int)(i % 2);
            return 0;
        }
    }
    return SK_ECONFIG;
}

static const cfg_unit duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};

static const cfg_unit *duration_unit(const char **s)
{
    for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
        size_t n = strlen(duration_units[i].name);
        if (strncmp(*s, duration_units[i].name, n) == 0) {
            *s += n;
            return &duration_units[i];
        }
    }
    return NULL;
}

/* One "<digits>[.<digits>]<unit>" term, added to *total. */
static int duration_term(const char **s, uint64_t *total)
{
    uint64_t whole, frac = 0, scale = 1;
    if (scan_digits(s, &whole))
        return -1;
    if (**s == '.') {
        (*s)++;
        if (**s < '0' || **s > '9')
            return -1;
        for (; **s >= '0' && **s <= '9'; (*s)++) {
            if (scale < 1000000000ULL) { /* finer than a nanounit is noise */
                frac = frac * 10 + (uint64_t)(**s - '0');
                scale *= 10;
            }
        }
    }
    const cfg_unit *u = duration_unit(s);
    uint64_t ms;
    if (!u || __builtin_mul_overflow(whole, u->mult, &ms) ||
        __builtin_add_overflow(ms, frac * u->mult / scale, &ms) ||
        __builtin_add_overflow(*total, ms, total))
        return -1;
    return 0;
}

static int cfg_to_duration_ms(const sk_cfg *node, int64_t *out_ms)
{
    const char *s = cfg_str(node);
    uint64_t total = 0;
    if (!s || !out_ms || !*s)
        return SK_ECONFIG;
    if (s[strspn(s, "0123456789")] == '\0') { /* a bare number is milliseconds */
        if (scan_digits(&s, &total))
            return SK_ECONFIG;
    } else {
        while (*s)
            if (duration_term(&s, &total))
                return SK_ECONFIG;
    }
    if (total > (uint64_t)INT64_MAX)
        return SK_ECONFIG;
    *out_ms = (int64_t)total;
    return 0;
}

static size_t cfg_len(const sk_cfg *node)
{
    return node && (node->type == SK_CFG_MAP || node->type == SK_CFG_LIST) ? node->n : 0;
}

static const sk_cfg *cfg_at(const sk_cfg *node, size_t i)
{
    return i < cfg_len(node) ? node->items[i] : NULL;
}

static const char *cfg_key(const sk_cfg *node, size_t i)
{
    return node && node->type == SK_CFG_MAP && i < node->n ? node->keys[i]->text : NULL;
}

static const char *cfg_where(const sk_cfg *node)
{
    return node && node->where ? node->where : CFG_NOWHERE;
}

const char *sk_cfg_key_where(const sk_cfg *map, size_t i)
{
    return map && map->type == SK_CFG_MAP && i < map->n ? map->keys[i]->where : CFG_NOWHERE;
}

const sk_cfg_api sk_cfg_api_impl = {
    .size = sizeof(sk_cfg_api),
    .get = cfg_get,
    .type = cfg_type,
    .str = cfg_str,
    .to_int = cfg_to_int,
    .to_double = cfg_to_double,
    .to_bool = cfg_to_bool,
    .to_duration_ms = cfg_to_duration_ms,
    .len = cfg_len,
    .at = cfg_at,
    .key = cfg_key,
    .where = cfg_where,
};
