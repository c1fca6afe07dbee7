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

void ctl_template_hash(sk_mp_view tmpl, int64_t collisions, char out[16])
{
    static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789"; /* k8s SafeEncodeString */
    uint32_t h = ctl_mp_hash(tmpl, 0);
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
