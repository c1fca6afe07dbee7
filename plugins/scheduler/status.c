#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sk_intern_init(sk_intern *in)
{
    sk_strmap_init(&in->map);
    return pthread_mutex_init(&in->mu, NULL) ? -1 : 0;
}

void sk_intern_free(sk_intern *in)
{
    size_t i = 0;
    const char *k;
    while (sk_strmap_next(&in->map, &i, &k, NULL))
        free((char *)k);
    sk_strmap_free(&in->map);
    pthread_mutex_destroy(&in->mu);
}

const char *sk_intern_str(sk_intern *in, const char *s)
{
    pthread_mutex_lock(&in->mu);
    const char *have = sk_strmap_get(&in->map, s);
    if (!have) {
        char *copy = strdup(s);
        if (copy && sk_strmap_put(&in->map, copy, copy, NULL) == 0) {
            have = copy;
        } else {
            free(copy);
        }
    }
    pthread_mutex_unlock(&in->mu);
    return have;
}

void sk_status_init(sk_sched_status *st, sk_intern *in)
{
    memset(st, 0, sizeof(*st));
    st->intern = in;
}

void sk_status_reason(sk_sched_status *st, const char *reason)
{
    if (!st || !reason || st->nreasons >= SK_STATUS_MAX_REASONS)
        return;
    const char *r = st->intern ? sk_intern_str(st->intern, reason) : NULL;
    st->reasons[st->nreasons++] = r ? r : "(out of memory)";
}

void sk_status_message(const sk_sched_status *st, char *buf, size_t size)
{
    size_t used = 0;
    if (!size)
        return;
    buf[0] = '\0';
    for (uint32_t i = 0; i < st->nreasons && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", st->reasons[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

const char *sk_code_name(sk_sched_code c)
{
    switch (c) {
    case SK_SCHED_SUCCESS: return "Success";
    case SK_SCHED_ERROR: return "Error";
    case SK_SCHED_UNSCHEDULABLE: return "Unschedulable";
    case SK_SCHED_UNRESOLVABLE: return "UnschedulableAndUnresolvable";
    case SK_SCHED_WAIT: return "Wait";
    case SK_SCHED_SKIP: return "Skip";
    }
    return "Unknown";
}
