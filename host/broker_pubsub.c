/* Publish/subscribe. The broker, not the publisher, stamps each event with
 * its topic's next sequence number, so every subscriber of that topic sees
 * the same numbering and can count what it missed. A subscriber whose pipe
 * is full loses that event alone; nobody else waits for it. */
#include "broker_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int subs_add(sk_broker *b, bk_dest *d)
{
    if (b->nsubs == b->capsubs) {
        size_t cap = b->capsubs ? b->capsubs * 2 : 8;
        bk_dest **subs = realloc(b->subs, cap * sizeof *subs);
        if (!subs)
            return -ENOMEM;
        b->subs = subs;
        b->capsubs = cap;
    }
    b->subs[b->nsubs++] = d;
    return 0;
}

static void subs_remove(sk_broker *b, bk_dest *d)
{
    for (size_t i = 0; i < b->nsubs; i++) {
        if (b->subs[i] == d) {
            b->subs[i] = b->subs[--b->nsubs];
            return;
        }
    }
}

int bk_subscribe(sk_broker *b, bk_dest *d, const char *prefix)
{
    for (size_t i = 0; i < d->nprefixes; i++)
        if (strcmp(d->prefixes[i], prefix) == 0)
            return 0;
    char **p = realloc(d->prefixes, (d->nprefixes + 1) * sizeof *p);
    if (!p)
        return -ENOMEM;
    d->prefixes = p;
    if (!(p[d->nprefixes] = strdup(prefix)))
        return -ENOMEM;
    if (d->nprefixes == 0 && subs_add(b, d)) {
        free(p[d->nprefixes]);
        return -ENOMEM;
    }
    d->nprefixes++;
    return 0;
}

int bk_unsubscribe(sk_broker *b, bk_dest *d, const char *prefix)
{
    for (size_t i = 0; i < d->nprefixes; i++) {
        if (strcmp(d->prefixes[i], prefix) == 0) {
            free(d->prefixes[i]);
            d->prefixes[i] = d->prefixes[--d->nprefixes];
            if (!d->nprefixes)
                subs_remove(b, d);
            return 0;
        }
    }
    return SK_ENOTFOUND;
}

void bk_subs_drop(sk_broker *b, bk_dest *d)
{
    for (size_t i = 0; i < d->nprefixes; i++)
        free(d->prefixes[i]);
    free(d->prefixes);
    d->prefixes = NULL;
    if (d->nprefixes)
        subs_remove(b, d);
    d->nprefixes = 0;
}

static bool matches(const bk_dest *d, const char *topic)
{
    for (size_t i = 0; i < d->nprefixes; i++)
        if (strncmp(topic, d->prefixes[i], strlen(d->prefixes[i])) == 0)
            return true;
    return false;
}

void bk_deliver_event(sk_broker *b, const sk_env *ev, const void *frame, size_t len)
{
    size_t i = 0;
    while (i < b->nsubs) {
        bk_dest *d = b->subs[i];
        if (!matches(d, ev->name)) {
            i++;
            continue;
        }
        int rc = bk_send(b, d, frame, len, false);
        if (rc == SK_ENOSERVICE) {
            /* Its endpoint went away without unsubscribing. */
            sk_hlog("bus", SK_LOG_DEBUG, "bus: subscriber %.*s is gone", (int)d->hop_len - 1,
                    (const char *)d->hop + 1);
            bk_subs_drop(b, d); /* moves the last subscriber to i */
            bk_dest_gc(b, d);
            continue;
        }
        if (rc) {
            bk_count_dropped_event(b);
            sk_hlog("bus", SK_LOG_TRACE, "bus: event %s #%llu dropped for %.*s: %s", ev->name,
                    (unsigned long long)ev->seq, (int)d->hop_len - 1, (const char *)d->hop + 1,
                    sk_strerror(rc));
        }
        i++;
    }
}

static uint64_t next_seq(sk_broker *b, const char *topic)
{
    size_t n = strlen(topic);
    uint64_t *seq = sk_map_get(&b->topics, topic, n);
    if (!seq) {
        seq = calloc(1, sizeof *seq);
        if (!seq || sk_map_put(&b->topics, topic, n, seq)) {
            free(seq);
            return 0;
        }
    }
    return ++*seq;
}

void bk_on_publish(sk_broker *b, sk_env *e)
{
    if (!e->name[0]) {
        sk_hlog("bus", SK_LOG_WARN, "bus: PUBLISH without a topic dropped");
        return;
    }
    sk_env ev;
    sk_env_init(&ev, SK_ENV_EVENT, 0);
    memcpy(ev.name, e->name, sizeof ev.name);
    memcpy(ev.origin, b->node, sizeof ev.origin);
    ev.seq = next_seq(b, e->name);
    if (!ev.seq) {
        sk_hlog("bus", SK_LOG_ERROR, "bus: out of memory numbering topic %s", e->name);
        return;
    }
    ev.payload = e->payload;
    ev.payload_len = e->payload_len;
    b->out.len = 0;
    b->out.err = 0;
    sk_env_encode(&ev, &b->out);
    if (b->out.err) {
        sk_hlog("bus", SK_LOG_ERROR, "bus: out of memory encoding an event of %s", e->name);
        return;
    }
    bk_count_kind(b, SK_ENV_EVENT);
    bk_deliver_event(b, &ev, b->out.data, b->out.len);
    bk_links_event(b, b->out.data, b->out.len);
}
