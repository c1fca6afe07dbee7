/* Publish/subscribe at the endpoint. The broker numbers each topic's
 * events per origin node; the endpoint remembers the last number it saw for
 * every (origin, topic) and turns a jump into `missed`, and a repeat (the
 * same event over a second link) into nothing. */
#include "endpoint_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ep_publish(void *ctx, const char *topic, const void *data, size_t len)
{
    sk_endpoint *e = ctx;
    if (!e || !ep_valid_name(topic, false) || (!data && len))
        return -EINVAL;
    if ((int64_t)len > SK_ENV_MAX_FRAME - 4096)
        return SK_ETOOLARGE;
    sk_env env;
    sk_env_init(&env, SK_ENV_PUBLISH, 0);
    sk_env_set(env.name, topic);
    env.payload = data;
    env.payload_len = len;
    return ep_send(e, &env, false);
}

static ep_sub *find_sub(sk_endpoint *e, const char *prefix)
{
    for (size_t i = 0; i < e->nsubs; i++)
        if (strcmp(e->subs[i].prefix, prefix) == 0)
            return &e->subs[i];
    return NULL;
}

int ep_subscribe(void *ctx, const char *prefix, sk_bus_event_fn fn, void *arg)
{
    sk_endpoint *e = ctx;
    if (!e || !fn || !ep_valid_name(prefix, true))
        return -EINVAL;
    if (!ep_on_loop(e) || e->closing)
        return e->closing ? SK_ESTOPPED : -EPERM;
    if (find_sub(e, prefix))
        return SK_EEXISTS;
    ep_sub *subs = realloc(e->subs, (e->nsubs + 1) * sizeof *subs);
    if (!subs)
        return -ENOMEM;
    e->subs = subs;
    ep_sub *s = &subs[e->nsubs];
    if (!(s->prefix = strdup(prefix)))
        return -ENOMEM;
    s->plen = strlen(prefix);
    s->fn = fn;
    s->arg = arg;
    s->sid = ++e->next_sid;
    e->nsubs++;
    int rc = ep_control(e, SK_ENV_SUBSCRIBE, prefix);
    if (rc) {
        ep_sub *again = find_sub(e, prefix);
        if (again) {
            free(again->prefix);
            *again = e->subs[--e->nsubs];
        }
        sk_hlog(e->who, SK_LOG_ERROR, "bus: subscribe '%s': %s", prefix, sk_strerror(rc));
    }
    return rc;
}

static bool any_match(const sk_endpoint *e, const char *topic)
{
    for (size_t i = 0; i < e->nsubs; i++)
        if (strncmp(topic, e->subs[i].prefix, e->subs[i].plen) == 0)
            return true;
    return false;
}

/* Forgets the numbering of topics no subscription covers anymore: events
 * skipped while unsubscribed are not losses. */
static void forget_seqs(sk_endpoint *e)
{
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while ((ent = sk_map_next(&e->seqs, &it))) {
        const char *k = (const char *)ent->key;
        const char *nul = memchr(k, 0, ent->klen);
        char topic[SK_BUS_NAME_MAX + 1];
        size_t tlen = nul ? ent->klen - (size_t)(nul - k) - 1 : 0;
        if (!nul || tlen > SK_BUS_NAME_MAX)
            continue;
        memcpy(topic, nul + 1, tlen);
        topic[tlen] = 0;
        if (!any_match(e, topic))
            free(sk_map_del(&e->seqs, ent->key, ent->klen));
    }
}

int ep_unsubscribe(void *ctx, const char *prefix)
{
    sk_endpoint *e = ctx;
    if (!e || !ep_valid_name(prefix, true))
        return -EINVAL;
    if (!ep_on_loop(e))
        return -EPERM;
    ep_sub *s = find_sub(e, prefix);
    if (!s)
        return SK_ENOTFOUND;
    free(s->prefix);
    *s = e->subs[--e->nsubs];
    int rc = ep_control(e, SK_ENV_UNSUBSCRIBE, prefix);
    forget_seqs(e);
    return rc == SK_ENOTFOUND ? 0 : rc;
}

void ep_subs_stop(sk_endpoint *e)
{
    while (e->nsubs) {
        ep_sub *s = &e->subs[e->nsubs - 1];
        int rc = ep_control(e, SK_ENV_UNSUBSCRIBE, s->prefix);
        if (rc && rc != SK_ENOTFOUND)
            sk_hlog(e->who, SK_LOG_WARN, "bus: unsubscribe '%s' at close: %s", s->prefix,
                    sk_strerror(rc));
        free(s->prefix);
        e->nsubs--;
    }
    free(e->subs);
    e->subs = NULL;
}

/* Returns false for a repeat; *missed gets the size of the gap. */
static bool track_seq(sk_endpoint *e, const sk_env *env, uint64_t *missed)
{
    char key[2 * (SK_BUS_NAME_MAX + 1)];
    size_t olen = strlen(env->origin), tlen = strlen(env->name);
    memcpy(key, env->origin, olen + 1);
    memcpy(key + olen + 1, env->name, tlen);
    size_t klen = olen + 1 + tlen;
    uint64_t *last = sk_map_get(&e->seqs, key, klen);
    *missed = 0;
    if (!last) {
        last = malloc(sizeof *last);
        if (!last || sk_map_put(&e->seqs, key, klen, last)) {
            free(last);
            return true; /* no memory to remember: deliver without a count */
        }
    } else if (env->seq <= *last) {
        return false;
    } else {
        *missed = env->seq - *last - 1;
    }
    *last = env->seq;
    return true;
}

void ep_on_event(sk_endpoint *e, const sk_env *env)
{
    if (!any_match(e, env->name))
        return;
    uint64_t missed;
    if (!track_seq(e, env, &missed)) {
        sk_hlog(e->who, SK_LOG_TRACE, "bus: repeated event %s #%llu from %s ignored", env->name,
                (unsigned long long)env->seq, env->origin);
        return;
    }
    if (missed)
        sk_hlog(e->who, SK_LOG_DEBUG, "bus: %llu events of %s from %s were lost",
                (unsigned long long)missed, env->name, env->origin);
    /* Callbacks may (un)subscribe: call by id, looking each up again. */
    size_t n = e->nsubs;
    uint64_t ids[64], *sids = n <= 64 ? ids : malloc(n * sizeof *sids);
    if (!sids)
        return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(env->name, e->subs[i].prefix, e->subs[i].plen) == 0)
            sids[k++] = e->subs[i].sid;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < e->nsubs; j++) {
            if (e->subs[j].sid == sids[i]) {
                e->subs[j].fn(e->subs[j].arg, env->name, env->seq, missed, env->payload,
                              env->payload_len);
                break;
            }
        }
    }
    if (sids != ids)
        free(sids);
}
