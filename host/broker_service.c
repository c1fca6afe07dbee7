/* The service registry and the hot-swap hold. A held service queues its
 * requests; the first other route to SERVE the name takes it over and gets
 * the queue in arrival order, so each request reaches exactly one
 * generation of the plugin. */
#include "broker_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bk_service *bk_service_get(sk_broker *b, const char *name)
{
    return sk_map_get(&b->services, name, strlen(name));
}

static void held_pop(sk_broker *b, bk_service *s, bk_held *h, bk_held *prev)
{
    if (prev)
        prev->next = h->next;
    else
        s->qhead = h->next;
    if (s->qtail == h)
        s->qtail = prev;
    s->qlen--;
    b->nheld--;
}

static void held_fail(sk_broker *b, bk_held *h, int status, const char *why, const char *name)
{
    sk_env e;
    const char *bad;
    if (sk_env_decode(h->frame, h->len, &e, &bad) == 0)
        bk_fail(b, &e, status, "service '%s' %s", name, why);
    free(h);
}

/* Hands the queue to the route now serving s, or fails it. */
static void flush_held(sk_broker *b, bk_service *s)
{
    int64_t now = sk_env_now_ms();
    while (s->qhead) {
        bk_held *h = s->qhead;
        held_pop(b, s, h, NULL);
        sk_env e;
        const char *bad;
        if (!s->owner) {
            held_fail(b, h, SK_ENOSERVICE, "has no provider after the swap", s->name);
            continue;
        }
        if (h->deadline_ms && h->deadline_ms <= now) {
            held_fail(b, h, SK_ETIMEDOUT, "was held past the request's deadline", s->name);
            continue;
        }
        if (sk_env_decode(h->frame, h->len, &e, &bad) == 0)
            bk_forward(b, s->owner, h->key, h->klen, h->frame, h->len, &e);
        free(h);
    }
}

static void service_free(sk_broker *b, bk_service *s)
{
    sk_map_del(&b->services, s->name, strlen(s->name));
    bk_links_announce(b, SK_ENV_UNSERVE, s->name);
    free(s);
}

static int takeover(sk_broker *b, bk_service *s, bk_dest *d)
{
    bk_dest *old = s->owner;
    sk_hlog("bus", SK_LOG_INFO, "bus: %.*s takes over service '%s' (%zu queued requests)",
            (int)d->hop_len - 1, (const char *)d->hop + 1, s->name, s->qlen);
    if (old)
        old->nservices--;
    s->owner = d;
    d->nservices++;
    s->held_by = d->held ? d : NULL;
    if (!s->held_by)
        flush_held(b, s);
    if (old)
        bk_dest_gc(b, old);
    return 0;
}

int bk_serve(sk_broker *b, bk_dest *d, const char *name)
{
    if (!name[0])
        return SK_EBADMSG;
    bk_service *s = bk_service_get(b, name);
    if (s) {
        if (s->owner == d)
            return 0;
        if (s->held_by && s->held_by != d)
            return takeover(b, s, d);
        if (!s->owner) { /* the held route serves it again */
            s->owner = d;
            d->nservices++;
            return 0;
        }
        return SK_EEXISTS;
    }
    s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    memcpy(s->name, name, strlen(name) + 1);
    if (sk_map_put(&b->services, s->name, strlen(s->name), s)) {
        free(s);
        return -ENOMEM;
    }
    s->owner = d;
    s->held_by = d->held ? d : NULL;
    d->nservices++;
    bk_links_announce(b, SK_ENV_SERVE, name);
    return 0;
}

int bk_unserve(sk_broker *b, bk_dest *d, const char *name)
{
    bk_service *s = bk_service_get(b, name);
    if (!s || s->owner != d)
        return SK_ENOTFOUND;
    s->owner = NULL;
    d->nservices--;
    /* A held name stays, with its queue, for the next generation. */
    if (!s->held_by)
        service_free(b, s);
    return 0;
}

int bk_hold_enqueue(sk_broker *b, bk_service *s, const sk_env *req, const uint8_t *key,
                    size_t klen)
{
    if (s->qlen >= BK_HELD_MAX)
        return SK_EFULL;
    b->out.len = 0;
    b->out.err = 0;
    sk_env_encode(req, &b->out);
    if (b->out.err)
        return b->out.err;
    bk_held *h = malloc(sizeof *h + klen + b->out.len);
    if (!h)
        return -ENOMEM;
    h->next = NULL;
    h->deadline_ms = req->deadline_ms;
    h->expires = bk_mono_ms() + (uint64_t)b->hold_timeout_ms;
    h->klen = klen;
    h->len = b->out.len;
    h->key = h->buf;
    h->frame = h->buf + klen;
    memcpy(h->key, key, klen);
    memcpy(h->frame, b->out.data, b->out.len);
    if (s->qtail)
        s->qtail->next = h;
    else
        s->qhead = h;
    s->qtail = h;
    s->qlen++;
    b->nheld++;
    return 0;
}

bool bk_held_cancel(sk_broker *b, const uint8_t *key, size_t klen)
{
    if (!b->nheld)
        return false;
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while ((ent = sk_map_next(&b->services, &it))) {
        bk_service *s = ent->val;
        for (bk_held *h = s->qhead, *prev = NULL; h; prev = h, h = h->next) {
            if (h->klen == klen && memcmp(h->key, key, klen) == 0) {
                held_pop(b, s, h, prev);
                free(h);
                return true;
            }
        }
    }
    return false;
}

static void expire_service(sk_broker *b, bk_service *s, int64_t now_rt, uint64_t now)
{
    bk_held *h = s->qhead, *prev = NULL;
    while (h) {
        bk_held *next = h->next;
        bool late = h->deadline_ms && h->deadline_ms <= now_rt;
        if (late || h->expires <= now) {
            held_pop(b, s, h, prev);
            if (late)
                held_fail(b, h, SK_ETIMEDOUT, "was held past the request's deadline", s->name);
            else
                held_fail(b, h, SK_EUNAVAILABLE, "is being swapped and did not come back in time",
                          s->name);
        } else {
            prev = h;
        }
        h = next;
    }
}

void bk_held_expire(sk_broker *b)
{
    int64_t now_rt = sk_env_now_ms();
    uint64_t now = bk_mono_ms();
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while (b->nheld && (ent = sk_map_next(&b->services, &it))) {
        bk_service *s = ent->val;
        if (s->qlen)
            expire_service(b, s, now_rt, now);
    }
}

static bk_dest *route_dest(sk_broker *b, const char *route, bool create)
{
    uint8_t hop[SK_ENV_HOP_MAX];
    size_t n = strlen(route);
    if (n == 0 || n + 1 > SK_ENV_HOP_MAX)
        return NULL;
    hop[0] = BK_HOP_LOCAL;
    memcpy(hop + 1, route, n);
    return bk_dest_get(b, hop, n + 1, create);
}

int bk_hold(sk_broker *b, const char *route)
{
    bk_dest *d = route_dest(b, route, true);
    if (!d)
        return strlen(route) ? -ENOMEM : -EINVAL;
    d->held = true;
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while ((ent = sk_map_next(&b->services, &it))) {
        bk_service *s = ent->val;
        if (s->owner == d)
            s->held_by = d;
    }
    sk_hlog("bus", SK_LOG_DEBUG, "bus: holding requests for %s", route);
    return 0;
}

int bk_release(sk_broker *b, const char *route)
{
    bk_dest *d = route_dest(b, route, false);
    if (!d || !d->held)
        return SK_ENOTFOUND;
    d->held = false;
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while ((ent = sk_map_next(&b->services, &it))) {
        bk_service *s = ent->val;
        if (s->held_by != d)
            continue;
        s->held_by = NULL;
        flush_held(b, s);
        if (!s->owner)
            service_free(b, s);
    }
    bk_dest_gc(b, d);
    return 0;
}

void bk_services_stop(sk_broker *b)
{
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while ((ent = sk_map_next(&b->services, &it))) {
        bk_service *s = ent->val;
        while (s->qhead) {
            bk_held *h = s->qhead;
            held_pop(b, s, h, NULL);
            held_fail(b, h, SK_ESTOPPED, "is unavailable: the bus broker is stopping", s->name);
        }
    }
}

void bk_services_encode(sk_broker *b, sk_mp_buf *out)
{
    sk_mp_put_array(out, (uint32_t)b->services.n);
    sk_map_it it;
    sk_map_it_init(&it);
    sk_map_ent *ent;
    while ((ent = sk_map_next(&b->services, &it))) {
        bk_service *s = ent->val;
        sk_mp_put_str(out, s->name);
    }
}
