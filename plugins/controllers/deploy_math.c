/* Deployment arithmetic: IntOrString percentages, maxSurge/maxUnavailable
 * and the pod-template-hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy_int.h"

int64_t ctl_int_or_percent(sk_mp_view v, int64_t total, bool round_up, int64_t def)
{
    int64_t x;
    const char *s;
    size_t n;
    if (!v.p)
        return def;
    if (sk_mp_get_int(v, &x) == 0)
        return x < 0 ? 0 : x;
    if (sk_mp_get_str(v, &s, &n) || n < 2 || n > 8 || s[n - 1] != '%')
        return def;
    int64_t pct = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return def;
        pct = pct * 10 + (s[i] - '0');
    }
    return round_up ? (pct * total + 99) / 100 : pct * total / 100;
}

void ctl_deploy_resolve(sk_mp_view d, int64_t replicas, int64_t *surge, int64_t *unavail)
{
    sk_mp_view ru = ctl_get(d, "spec.strategy.rollingUpdate");
    *surge = ctl_int_or_percent(ctl_get(ru, "maxSurge"), replicas, true,
                                (25 * replicas + 99) / 100);
    *unavail = ctl_int_or_percent(ctl_get(ru, "maxUnavailable"), replicas, false,
                                  25 * replicas / 100);
    if (*unavail > replicas)
        *unavail = replicas;
    if (*surge == 0 && *unavail == 0)
        *unavail = 1; /* k8s: otherwise the rollout could never move */
}

/* Copies v without nil map values (a null creationTimestamp, which
 * `kubectl rollout undo` sends, means the same as none). */
static void put_norm(sk_mp_buf *b, sk_mp_view v)
{
    sk_mp_iter it;
    sk_mp_view k, x;
    uint32_t n = 0;
    sk_mp_type t = sk_mp_type_of(v);
    if ((t != SK_MP_MAP && t != SK_MP_ARRAY) || sk_mp_iter_init(v, &it, &n)) {
        sk_mp_put_raw(b, v);
        return;
    }
    if (t == SK_MP_ARRAY) {
        sk_mp_put_array(b, n);
        while (sk_mp_iter_next(&it, NULL, &x) == 1)
            put_norm(b, x);
        return;
    }
    uint32_t keep = 0;
    while (sk_mp_iter_next(&it, &k, &x) == 1)
        keep += sk_mp_type_of(x) != SK_MP_NIL;
    sk_mp_put_map(b, keep);
    (void)sk_mp_iter_init(v, &it, NULL);
    while (sk_mp_iter_next(&it, &k, &x) == 1) {
        if (sk_mp_type_of(x) == SK_MP_NIL)
            continue;
        sk_mp_put_raw(b, k);
        put_norm(b, x);
    }
}

void ctl_template_norm(sk_mp_buf *b, sk_mp_view tmpl)
{
    sk_mp_buf tmp;
    sk_mp_buf_init(&tmp);
    sk_mp_buf_init(b);
    if (!tmpl.p || sk_mp_type_of(tmpl) != SK_MP_MAP) {
        sk_mp_put_map(b, 0);
        return;
    }
    put_norm(&tmp, tmpl);
    if (tmp.err) {
        b->err = tmp.err;
        return;
    }
    ctl_put_override(b, sk_mp_buf_view(&tmp), "metadata.labels." CTL_LABEL_HASH,
                     (sk_mp_view){NULL, 0});
    sk_mp_buf_free(&tmp);
}

bool ctl_template_equal(sk_mp_view a, sk_mp_view b)
{
    sk_mp_buf x, y;
    ctl_template_norm(&x, a);
    ctl_template_norm(&y, b);
    bool eq = !x.err && !y.err && ctl_mp_equal(sk_mp_buf_view(&x), sk_mp_buf_view(&y));
    sk_mp_buf_free(&x);
    sk_mp_buf_free(&y);
    return eq;
}

void ctl_template_hash(sk_mp_view tmpl, int64_t collisions, char out[16])
{
    static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789"; /* k8s SafeEncodeString */
    sk_mp_buf norm;
    ctl_template_norm(&norm, tmpl);
    uint32_t h = ctl_mp_hash(norm.err ? tmpl : sk_mp_buf_view(&norm), 0);
    sk_mp_buf_free(&norm);
    if (collisions > 0) {
        for (int i = 0; i < 8; i++)
            h = (h ^ (uint8_t)(collisions >> (8 * i))) * 16777619u;
    }
    char dec[16];
    int n = snprintf(dec, sizeof dec, "%u", h);
    for (int i = 0; i < n && i < 15; i++)
        out[i] = alnum[(unsigned char)dec[i] % (sizeof alnum - 1)];
    out[n < 15 ? n : 15] = 0;
}
