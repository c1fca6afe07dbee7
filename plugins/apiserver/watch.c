/* Watches (watch.h).
 *
 * Lifetime: a watch is reference-counted. The loop side holds one
 * reference from open until its store request ends or is cancelled
 * (`loop_ref`, touched only on the loop thread once the start was
 * posted); an HTTP consumer holds one until ap_watch_close(). Whoever
 * drops the last one frees it. */
#include "watch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "field_selector.h"
#include "json_mp.h"
#include "label_selector.h"
#include "objects.h"
#include "status.h"
#include "store_client.h"
#include "strbuf.h"

#define BOOKMARK_MS 60000
#define WAIT_SLICE_MS 1000

typedef struct wpart {
    struct wpart *next;
    size_t len;
    uint8_t data[];
} wpart;

struct ap_watch {
    ap_server *s;
    atomic_int refs;
    struct ap_watch *prev, *next; /* s->watches, under s->mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* under mu */
    wpart *head, *tail;
    size_t qlen;
    bool ended, cut, closed;
    int end_rc;
    /* loop thread */
    uint64_t req_id;
    int64_t timer;
    bool req_active, loop_ref;
    sk_bus_req *breq;
    /* what to watch */
    const sk_resource *res;
    sk_label_selector ls;
    sk_field_selector fs;
    char prefix[1024];
    size_t plen;
    int64_t start_rev, last_rev, compact_rev;
    /* output (consumer) */
    bool table, headers_sent, bookmarks;
    sk_table_opts topts;
    uint64_t deadline_ms, next_bookmark_ms;
    ap_range initial;
    bool has_initial;
    sk_sbuf out;
    size_t out_off;
    bool eos;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void free_watch(ap_watch *w)
{
    ap_server *s = w->s;
    pthread_mutex_lock(&s->mu);
    if (w->prev)
        w->prev->next = w->next;
    else if (s->watches == w)
        s->watches = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&s->mu);
    for (wpart *p = w->head, *n; p; p = n) {
        n = p->next;
        free(p);
    }
    sk_label_selector_free(&w->ls);
    sk_field_selector_free(&w->fs);
    if (w->has_initial)
        ap_range_free(&w->initial);
    sk_sbuf_free(&w->out);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    if (s->m.watchers)
        s->h->metrics->add(s->m.watchers, -1);
    free(w);
}

static void decref(ap_watch *w)
{
    if (atomic_fetch_sub(&w->refs, 1) == 1)
        free_watch(w);
}

static void mark_ended(ap_watch *w, int rc, bool cut)
{
    pthread_mutex_lock(&w->mu);
    if (!w->ended) {
        w->ended = true;
        w->end_rc = rc;
    }
    w->cut |= cut;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* ---- rendering one event ---- */

static bool matches(const ap_watch *w, sk_mp_view obj)
{
    if ((w->ls.n || w->ls.match_nothing) && !sk_label_selector_matches_object_mp(&w->ls, obj))
        return false;
    return w->fs.n == 0 || sk_field_selector_matches_mp(&w->fs, obj);
}

/* {type, object} with obj's resourceVersion set to rv, into b. */
static int event_mp(const char *type, sk_mp_view obj, int64_t rv, sk_mp_buf *b)
{
    sk_mp_put_map(b, 2);
    sk_mp_put_str(b, "type");
    sk_mp_put_str(b, type);
    sk_mp_put_str(b, "object");
    return ap_mp_with_rv(obj, rv, b);
}

static void emit_table(ap_watch *w, const char *type, sk_mp_view obj, int64_t rv)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    json_t *o = NULL, *ev = NULL;
    sk_apierr err;
    if (ap_mp_with_rv(obj, rv, &b) == 0 && sk_mp_to_json(b.data, b.len, NULL, &o, &err) == 0) {
        w->topts.no_headers = w->headers_sent;
        ev = sk_watch_event(type, sk_table_render(w->res, &o, 1, &w->topts));
        w->headers_sent = true;
    }
    char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    if (text) {
        sk_sbuf_puts(&w->out, text);
        sk_sbuf_putc(&w->out, '\n');
    }
    free(text);
    json_decref(ev);
    json_decref(o);
    sk_mp_buf_free(&b);
}

/* Renders one event for the consumer: a JSON line, or a bus part. */
static void emit(ap_watch *w, const char *type, sk_mp_view obj, int64_t rv)
{
    if (w->table && !w->breq) {
        emit_table(w, type, obj, rv);
        return;
    }
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    if (event_mp(type, obj, rv, &b) == 0 && !b.err) {
        if (w->breq) {
            int rc = sk_stream_part(w->s->h, w->breq, b.data, b.len);
            if (rc)
                mark_ended(w, rc, true);
        } else {
            char *text = NULL;
            size_t n = 0;
            sk_apierr err;
            if (sk_mp_to_json_text(b.data, b.len, NULL, &text, &n, &err) == 0) {
                sk_sbuf_putn(&w->out, text, n);
                sk_sbuf_putc(&w->out, '\n');
            }
            free(text);
        }
    }
    sk_mp_buf_free(&b);
}

static void emit_json(ap_watch *w, json_t *ev)
{
    if (w->breq) {
        sk_mp_buf b;
        sk_apierr err;
        sk_mp_buf_init(&b);
        if (sk_json_to_mp(ev, &b, NULL, &err) == 0)
            sk_stream_part(w->s->h, w->breq, b.data, b.len);
        sk_mp_buf_free(&b);
    } else {
        char *text = json_dumps(ev, JSON_COMPACT);
        if (text) {
            sk_sbuf_puts(&w->out, text);
            sk_sbuf_putc(&w->out, '\n');
        }
        free(text);
    }
    json_decref(ev);
}

static void emit_bookmark(ap_watch *w)
{
    char api[64], rv[24];
    sk_resource_api_version(w->res, api, sizeof api);
    snprintf(rv, sizeof rv, "%" PRId64, w->last_rev);
    emit_json(w, json_pack("{s:s, s:{s:s, s:s, s:{s:s}}}", "type", "BOOKMARK", "object", "kind",
                           w->res->kind, "apiVersion", api, "metadata", "resourceVersion", rv));
}

static void emit_expired(ap_watch *w)
{
    emit_json(w, sk_watch_event("ERROR", sk_status_too_old((long long)w->start_rev - 1,
                                                           (long long)w->compact_rev)));
}

/* One store event: what it means to a client with selectors. */
static void process_event(ap_watch *w, sk_mp_view ev)
{
    sk_mp_view x, kvv, val = {0}, prev = {0};
    bool put = sk_mp_find(ev, "type", &x) == 0 && sk_mp_str_eq(x, "put");
    if (sk_mp_find(ev, "kv", &kvv))
        return;
    int64_t mod = 0, create = 0;
    if (sk_mp_find(kvv, "mod_revision", &x) == 0)
        sk_mp_get_int(x, &mod);
    if (sk_mp_find(kvv, "create_revision", &x) == 0)
        sk_mp_get_int(x, &create);
    const void *p;
    size_t n;
    if (put && sk_mp_find(kvv, "value", &x) == 0 && sk_mp_get_bin(x, &p, &n) == 0 &&
        sk_mp_check(p, n, SK_MP_MAX_DEPTH, &val))
        return;
    if (sk_mp_find(ev, "prev_kv.value", &x) == 0 && sk_mp_get_bin(x, &p, &n) == 0 &&
        sk_mp_check(p, n, SK_MP_MAX_DEPTH, &prev))
        prev.p = NULL;
    bool now_ok = put && val.p && matches(w, val);
    bool was_ok = prev.p && matches(w, prev);
    if (put && now_ok)
        emit(w, was_ok ? "MODIFIED" : "ADDED", val, mod);
    else if (was_ok)
        emit(w, "DELETED", prev, mod);
    (void)create;
}

static void process_part(ap_watch *w, const void *data, size_t len)
{
    sk_mp_view v, evs, x;
    if (sk_mp_check(data, len, 32, &v))
        return;
    /* The client will have seen these revisions: a read it makes next
     * (e.g. a PATCH of the pod it was just told about) must not come from
     * a cache that has not got there yet. The store's answer to the write
     * may reach this server after the event does. */
    int64_t seen;
    if (sk_mp_find(v, "revision", &x) == 0 && sk_mp_get_int(x, &seen) == 0)
        ap_cache_saw(w->s, seen);
    if (sk_mp_find(v, "compact_revision", &x) == 0)
        sk_mp_get_int(x, &w->compact_rev);
    if (sk_mp_find(v, "events", &evs) == 0) {
        sk_mp_iter it;
        sk_mp_view e;
        if (sk_mp_iter_init(evs, &it, NULL) == 0)
            while (sk_mp_iter_next(&it, NULL, &e) == 1)
                process_event(w, e);
    }
    int64_t rev;
    if (sk_mp_find(v, "revision", &x) == 0 && sk_mp_get_int(x, &rev) == 0 && rev > w->last_rev &&
        sk_mp_find(v, "canceled", &x) != 0)
        w->last_rev = rev;
}

/* ---- the loop side ---- */

static void end_loop_side(ap_watch *w)
{
    if (w->req_active) {
        w->s->h->bus->cancel(w->s->h->bus_ctx, w->req_id);
        w->req_active = false;
    }
    if (w->timer > 0) {
        sk_timer_cancel(w->s->h, (uint64_t)w->timer);
        w->timer = 0;
    }
    if (w->loop_ref) {
        w->loop_ref = false;
        decref(w);
    }
}

static void bus_finish(ap_watch *w, int rc, const char *msg)
{
    if (!w->breq)
        return;
    sk_bus_req *r = w->breq;
    w->breq = NULL;
    int e = rc == 0 ? sk_reply(w->s->h, r, "\x80", 1) : sk_reply_error(w->s->h, r, rc, msg);
    if (e)
        sk_debug(w->s->h, "apiserver: watch: final answer not delivered: %s", sk_strerror(e));
}

static void on_reply(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    ap_watch *w = arg;
    if (status == SK_BUS_MORE) {
        if (w->breq) {
            process_part(w, data, len);
            pthread_mutex_lock(&w->mu);
            bool cut = w->cut;
            pthread_mutex_unlock(&w->mu);
            if (cut) {
                bus_finish(w, SK_EFULL, "watch: the client could not keep up");
                end_loop_side(w);
            }
            return;
        }
        wpart *p = malloc(sizeof *p + len);
        pthread_mutex_lock(&w->mu);
        bool closed = w->closed;
        bool over = !p || w->qlen >= (size_t)w->s->conf.watch_queue || closed;
        if (!over) {
            p->next = NULL;
            p->len = len;
            memcpy(p->data, data, len);
            if (w->tail)
                w->tail->next = p;
            else
                w->head = p;
            w->tail = p;
            w->qlen++;
            pthread_cond_signal(&w->cv);
        }
        pthread_mutex_unlock(&w->mu);
        if (over) {
            free(p);
            if (!closed)
                sk_info(w->s->h, "apiserver: watch on %s: client too slow, disconnecting",
                        w->prefix);
            mark_ended(w, SK_EFULL, true);
            end_loop_side(w);
        }
        return;
    }
    /* Final: the store ended the watch (compacted, cancelled, stopping). */
    w->req_active = false;
    if (w->breq) {
        if (status == SK_ECOMPACTED)
            emit_expired(w); /* compact_revision came in the last part */
        bus_finish(w, status ? status : SK_ECANCELED, errmsg);
    }
    mark_ended(w, status ? status : SK_ECANCELED, false);
    end_loop_side(w);
}

static void on_timeout(void *arg, uint64_t id)
{
    ap_watch *w = arg;
    (void)id;
    w->timer = 0;
    bus_finish(w, 0, NULL);
    mark_ended(w, 0, false);
    end_loop_side(w);
}

static void on_bus_cancel(void *arg, sk_bus_req *req)
{
    ap_watch *w = arg;
    (void)req;
    bus_finish(w, SK_ECANCELED, "watch cancelled");
    mark_ended(w, SK_ECANCELED, false);
    end_loop_side(w);
}

static void start_fn(void *arg)
{
    ap_watch *w = arg;
    ap_server *s = w->s;
    pthread_mutex_lock(&w->mu);
    bool gone = w->closed || w->ended;
    pthread_mutex_unlock(&w->mu);
    if (gone || atomic_load(&s->stopping)) {
        bus_finish(w, SK_ESTOPPED, "apiserver is stopping");
        mark_ended(w, SK_ESTOPPED, false);
        end_loop_side(w);
        return;
    }
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 4);
    sk_mp_put_str(&b, "key");
    sk_mp_put_bin(&b, w->prefix, w->plen);
    sk_mp_put_str(&b, "prefix");
    sk_mp_put_bool(&b, true);
    sk_mp_put_str(&b, "start_revision");
    sk_mp_put_int(&b, w->start_rev);
    sk_mp_put_str(&b, "prev_kv");
    sk_mp_put_bool(&b, true);
    int rc = b.err ? b.err
                   : sk_request(s->h, s->conf.store_service, "watch", b.data, b.len, 0, on_reply,
                                w, &w->req_id);
    sk_mp_buf_free(&b);
    if (rc) {
        sk_warn(s->h, "apiserver: watch: cannot start the store watch: %s", sk_strerror(rc));
        bus_finish(w, rc, "apiserver: cannot start the store watch");
        mark_ended(w, rc, false);
        end_loop_side(w);
        return;
    }
    w->req_active = true;
    if (w->breq) {
        int e = s->h->bus->req_on_cancel(s->h->bus_ctx, w->breq, on_bus_cancel, w);
        if (e && e != -EALREADY)
            sk_debug(s->h, "apiserver: watch: no cancel notification: %s", sk_strerror(e));
        if (w->deadline_ms) {
            uint64_t now = now_ms();
            w->timer = sk_timer_add(s->h, w->deadline_ms > now ? w->deadline_ms - now : 0, 0,
                                    on_timeout, w);
        }
    }
}

static void close_fn(void *arg)
{
    ap_watch *w = arg;
    end_loop_side(w);
    decref(w); /* the reference ap_watch_close() took for this post */
}

/* ---- opening ---- */

static int initial_list(ap_watch *w, sk_apierr *err)
{
    char end[1100];
    size_t end_len = ap_prefix_end(w->prefix, w->plen, end);
    int rc = ap_store_range(w->s, w->prefix, w->plen, end, end_len, 0, 0, &w->initial, err);
    if (rc)
        return rc;
    w->has_initial = true;
    w->start_rev = w->initial.rev + 1;
    w->last_rev = w->initial.rev;
    return 0;
}

/* Emits the next initial ADDED event; false when none are left. */
static bool next_initial(ap_watch *w)
{
    ap_kv kv;
    while (ap_range_next(&w->initial, &kv) == 1) {
        if (!kv.value.p || !matches(w, kv.value))
            continue;
        emit(w, "ADDED", kv.value, kv.mod_rev);
        return true;
    }
    ap_range_free(&w->initial);
    w->has_initial = false;
    return false;
}

static int setup(ap_req *rq, ap_watch *w, ap_resp *out)
{
    json_t *st = NULL;
    if (ap_selectors_parse(rq, &w->ls, &w->fs, &st)) {
        ap_resp_status(out, st);
        return -1;
    }
    int n;
    if (rq->res->namespaced && !(rq->ns && *rq->ns))
        n = snprintf(w->prefix, sizeof w->prefix, "/registry/%s/", rq->res->plural);
    else
        n = sk_resource_key(rq->res, rq->ns, "", w->prefix, sizeof w->prefix);
    if (n < 0 || (size_t)n >= sizeof w->prefix) {
        ap_resp_status(out, sk_status_bad_request("namespace too long"));
        return -1;
    }
    w->plen = (size_t)n;
    const char *rv = rq->o.resource_version;
    sk_apierr err = {{0}};
    if (!rv || !*rv || strcmp(rv, "0") == 0) {
        int rc = initial_list(w, &err);
        if (rc) {
            ap_resp_status(out, ap_status_for(rq->res, NULL, rc, err.msg));
            return -1;
        }
    } else {
        char *end;
        errno = 0;
        long long v = strtoll(rv, &end, 10);
        if (errno || *end || v < 0) {
            ap_resp_status(out, sk_status_bad_request("resourceVersion: invalid value"));
            return -1;
        }
        w->start_rev = v + 1;
        w->last_rev = v;
    }
    w->table = rq->o.table != SK_TABLE_NONE;
    w->topts = (sk_table_opts){.now = time(NULL), .include = rq->o.include, .format = rq->o.table};
    w->bookmarks = rq->o.bookmarks;
    uint64_t now = now_ms();
    w->deadline_ms = rq->o.timeout_s > 0 ? now + (uint64_t)rq->o.timeout_s * 1000 : 0;
    w->next_bookmark_ms = now + BOOKMARK_MS;
    return 0;
}

int ap_watch_open(ap_server *s, ap_req *rq, sk_bus_req *breq, ap_watch **wp, ap_resp *out)
{
    *wp = NULL;
    if (ap_authorize_req(s, rq, out))
        return -1;
    if (atomic_load(&s->stopping)) {
        ap_resp_status(out, sk_status_unavailable("apiserver is stopping"));
        return -1;
    }
    ap_watch *w = calloc(1, sizeof *w);
    if (!w) {
        ap_resp_status(out, sk_status_internal("out of memory"));
        return -1;
    }
    w->s = s;
    w->res = rq->res;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    sk_sbuf_init(&w->out, 0);
    atomic_store(&w->refs, 2); /* opener/consumer + loop */
    w->loop_ref = true;
    pthread_mutex_lock(&s->mu);
    w->next = s->watches;
    if (s->watches)
        s->watches->prev = w;
    s->watches = w;
    pthread_mutex_unlock(&s->mu);
    if (s->m.watchers)
        s->h->metrics->add(s->m.watchers, 1);
    if (setup(rq, w, out)) {
        w->loop_ref = false;
        atomic_store(&w->refs, 1);
        decref(w);
        return -1;
    }
    if (breq) {
        /* Initial events go out before the store watch starts, in order. */
        w->breq = breq;
        while (w->has_initial && next_initial(w)) {
        }
    }
    int rc = sk_post(s->h, start_fn, w);
    if (rc) {
        w->breq = NULL; /* the caller still owns it: it answers with out */
        w->loop_ref = false;
        atomic_store(&w->refs, 1);
        decref(w);
        ap_resp_status(out, sk_status_unavailable("apiserver is stopping"));
        return -1;
    }
    if (breq) {
        decref(w); /* bus watches have no consumer: the loop side owns it */
        return 0;
    }
    *wp = w;
    return 0;
}

/* ---- the HTTP consumer ---- */

/* Waits for a part, the end, a deadline or a bookmark; returns the part
 * (caller frees) or NULL with *why set: 1 ended, 2 cut, 3 deadline, 4
 * bookmark due. */
static wpart *wait_next(ap_watch *w, int *why)
{
    pthread_mutex_lock(&w->mu);
    for (;;) {
        if (w->head) {
            wpart *p = w->head;
            w->head = p->next;
            if (!w->head)
                w->tail = NULL;
            w->qlen--;
            pthread_mutex_unlock(&w->mu);
            return p;
        }
        *why = w->cut ? 2 : w->ended || atomic_load(&w->s->stopping) ? 1 : 0;
        uint64_t now = now_ms();
        if (!*why && w->deadline_ms && now >= w->deadline_ms)
            *why = 3;
        if (!*why && w->bookmarks && now >= w->next_bookmark_ms)
            *why = 4;
        if (*why) {
            pthread_mutex_unlock(&w->mu);
            return NULL;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += WAIT_SLICE_MS / 1000;
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
}

ssize_t ap_watch_read(ap_watch *w, char *buf, size_t max)
{
    for (;;) {
        if (w->out.len > w->out_off) {
            size_t n = w->out.len - w->out_off;
            if (n > max)
                n = max;
            memcpy(buf, w->out.p + w->out_off, n);
            w->out_off += n;
            if (w->out_off == w->out.len) {
                w->out.len = w->out_off = 0;
                if (w->out.p)
                    w->out.p[0] = 0;
            }
            return (ssize_t)n;
        }
        if (w->out.err)
            return -2;
        if (w->eos)
            return -1;
        if (w->has_initial && next_initial(w))
            continue;
        int why = 0;
        wpart *p = wait_next(w, &why);
        if (p) {
            process_part(w, p->data, p->len);
            free(p);
            continue;
        }
        if (why == 2)
            return -2;
        if (why == 4) {
            emit_bookmark(w);
            w->next_bookmark_ms = now_ms() + BOOKMARK_MS;
            continue;
        }
        if (why == 1 && w->end_rc == SK_ECOMPACTED)
            emit_expired(w);
        w->eos = true;
    }
}

void ap_watch_close(ap_watch *w)
{
    pthread_mutex_lock(&w->mu);
    w->closed = true;
    pthread_mutex_unlock(&w->mu);
    atomic_fetch_add(&w->refs, 1);
    if (sk_post(w->s->h, close_fn, w))
        decref(w); /* the loop stopped: stop() ends the store side */
    decref(w);
}

void ap_watch_stop_all(ap_server *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = 0;
    for (ap_watch *w = s->watches; w; w = w->next)
        n++;
    ap_watch **all = n ? calloc(n, sizeof *all) : NULL;
    n = 0;
    for (ap_watch *w = all ? s->watches : NULL; w; w = w->next) {
        atomic_fetch_add(&w->refs, 1);
        all[n++] = w;
    }
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < n; i++) {
        bus_finish(all[i], SK_ESTOPPED, "apiserver is stopping");
        mark_ended(all[i], SK_ESTOPPED, false);
        end_loop_side(all[i]);
        decref(all[i]);
    }
    free(all);
}
