#include "accept.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct media_range {
    char type[64];
    char g[96], v[32], as[64];
    bool has_g, has_v, has_as;
    bool zero_q;
} media_range;

static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

static void copy_to(char *dst, size_t size, const char *s, const char *e)
{
    size_t n = (size_t)(e - s);
    if (n >= size)
        n = size - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void parse_param(media_range *m, const char *s, const char *e)
{
    const char *eq = memchr(s, '=', (size_t)(e - s));
    if (!eq)
        return;
    const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
    trim(&ks, &ke);
    trim(&vs, &ve);
    if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
        vs++;
        ve--;
    }
    size_t kn = (size_t)(ke - ks);
    if (kn == 1 && *ks == 'g') {
        copy_to(m->g, sizeof m->g, vs, ve);
        m->has_g = true;
    } else if (kn == 1 && *ks == 'v') {
        copy_to(m->v, sizeof m->v, vs, ve);
        m->has_v = true;
    } else if (kn == 2 && strncmp(ks, "as", 2) == 0) {
        copy_to(m->as, sizeof m->as, vs, ve);
        m->has_as = true;
    } else if (kn == 1 && *ks == 'q') {
        char tmp[16];
        copy_to(tmp, sizeof tmp, vs, ve);
        m->zero_q = strtod(tmp, NULL) <= 0;
    }
}

static void parse_range(media_range *m, const char *s, const char *e)
{
    memset(m, 0, sizeof *m);
    const char *semi = memchr(s, ';', (size_t)(e - s));
    const char *te = semi ? semi : e, *ts = s;
    trim(&ts, &te);
    copy_to(m->type, sizeof m->type, ts, te);
    while (semi) {
        const char *ps = semi + 1;
        semi = memchr(ps, ';', (size_t)(e - ps));
        parse_param(m, ps, semi ? semi : e);
    }
}

static bool param_is(bool has, const char *have, const char *want)
{
    return want ? has && strcmp(have, want) == 0 : !has;
}

bool sk_accept_has(const char *accept, const char *g, const char *v, const char *as)
{
    if (!accept)
        return false;
    const char *s = accept;
    while (*s) {
        const char *comma = strchr(s, ',');
        const char *e = comma ? comma : s + strlen(s);
        media_range m;
        parse_range(&m, s, e);
        bool json = strcasecmp(m.type, "application/json") == 0 ||
                    strcasecmp(m.type, "application/*") == 0 || strcmp(m.type, "*/*") == 0;
        if (json && !m.zero_q && param_is(m.has_g, m.g, g) && param_is(m.has_v, m.v, v) &&
            param_is(m.has_as, m.as, as))
            return true;
        s = comma ? comma + 1 : e;
    }
    return false;
}

sk_disc_format sk_discovery_negotiate(const char *accept)
{
    if (sk_accept_has(accept, "apidiscovery.k8s.io", "v2", "APIGroupDiscoveryList"))
        return SK_DISC_V2;
    if (sk_accept_has(accept, "apidiscovery.k8s.io", "v2beta1", "APIGroupDiscoveryList"))
        return SK_DISC_V2BETA1;
    return SK_DISC_LEGACY;
}

const char *sk_discovery_content_type(sk_disc_format f)
{
    switch (f) {
    case SK_DISC_V2: return "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    case SK_DISC_V2BETA1:
        return "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
    default: return "application/json";
    }
}

sk_table_format sk_table_negotiate(const char *accept)
{
    if (sk_accept_has(accept, "meta.k8s.io", "v1", "Table"))
        return SK_TABLE_V1;
    if (sk_accept_has(accept, "meta.k8s.io", "v1beta1", "Table"))
        return SK_TABLE_V1BETA1;
    return SK_TABLE_NONE;
}

const char *sk_table_content_type(sk_table_format f)
{
    switch (f) {
    case SK_TABLE_V1: return "application/json;as=Table;v=v1;g=meta.k8s.io";
    case SK_TABLE_V1BETA1: return "application/json;as=Table;v=v1beta1;g=meta.k8s.io";
    default: return "application/json";
    }
}
