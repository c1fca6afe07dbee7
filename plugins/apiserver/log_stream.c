/* `kubectl logs -f`: pods/log?follow=true streamed from the kubelet.
 *
 * The kubelet's `log` method with follow=true answers with streamed parts
 * (each the log bytes: bin, str or {log: ...}) and one final reply when
 * the container ends. Streamed requests are loop-thread only, so the HTTP
 * connection's thread posts the start to the loop; parts are queued and
 * the connection's thread writes them out (chunked). The same reference
 * rule as watch.c: the loop side holds one reference while its request is
 * open, the connection one until its response is freed. */
#include "log_stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "status.h"

#define LOG_QUEUE_MAX 4096

typedef struct lpart {
    struct lpart *next;
    size_t len, off;
    char data[];
} lpart;

struct ap_log_stream {
    ap_server *s;
    atomic_int refs;
    struct ap_log_stream *prev, *next; /* s->logs, under s->mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    lpart *head, *tail;
    size_t qlen;
    bool ended, cut, closed;
    /* loop thread */
    uint64_t req_id;
    bool req_active, loop_ref;
    char svc[300];
    sk_mp_buf req;
};

static void decref(ap_log_stream *l)
{
    if (atomic_fetch_sub(&l->refs, 1) != 1)
        return;
    ap_server *s = l->s;
    pthread_mutex_lock(&s->mu);
    if (l->prev)
        l->prev->next = l->next;
    else if (s->logs == l)
        s->logs = l->next;
    if (l->next)
        l->next->prev = l->prev;
    pthread_mutex_unlock(&s->mu);
    for (lpart *p = l->head, *n; p; p = n) {
        n = p->next;
        free(p);
    }
    sk_mp_buf_free(&l->req);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l);
}

static void mark_ended(ap_log_stream *l, bool cut)
{
    pthread_mutex_lock(&l->mu);
    l->ended = true;
    l->cut |= cut;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

static void end_loop_side(ap_log_stream *l)
{
    if (l->req_active) {
        l->s->h->bus->cancel(l->s->h->bus_ctx, l->req_id);
        l->req_active = false;
    }
    if (l->loop_ref) {
        l->loop_ref = false;
        decref(l);
    }
}

static void on_part(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    ap_log_stream *l = arg;
    (void)errmsg;
    if (status != SK_BUS_MORE) {
        l->req_active = false;
        mark_ended(l, false);
        end_loop_side(l);
        return;
    }
    const void *p;
    size_t n;
    if (ap_log_bytes(data, len, &p, &n) || n == 0)
        return;
    lpart *part = malloc(sizeof *part + n);
    pthread_mutex_lock(&l->mu);
    bool over = !part || l->qlen >= LOG_QUEUE_MAX || l->closed;
    if (!over) {
        part->next = NULL;
        part->len = n;
        part->off = 0;
        memcpy(part->data, p, n);
        if (l->tail)
            l->tail->next = part;
        else
            l->head = part;
        l->tail = part;
        l->qlen++;
        pthread_cond_signal(&l->cv);
    }
    pthread_mutex_unlock(&l->mu);
    if (over) {
        free(part);
        mark_ended(l, true);
        end_loop_side(l);
    }
}

static void start_fn(void *arg)
{
    ap_log_stream *l = arg;
    pthread_mutex_lock(&l->mu);
    bool gone = l->closed;
    pthread_mutex_unlock(&l->mu);
    int rc = gone || atomic_load(&l->s->stopping)
                 ? SK_ESTOPPED
                 : sk_request(l->s->h, l->svc, "log", l->req.data, l->req.len, 0, on_part, l,
                              &l->req_id);
    if (rc) {
        mark_ended(l, false);
        end_loop_side(l);
        return;
    }
    l->req_active = true;
}

static void close_fn(void *arg)
{
    ap_log_stream *l = arg;
    end_loop_side(l);
    decref(l);
}

int ap_log_stream_open(ap_server *s, ap_req *rq, ap_log_stream **out, ap_resp *err)
{
    *out = NULL;
    if (ap_authorize_req(s, rq, err))
        return -1;
    ap_log_stream *l = calloc(1, sizeof *l);
    if (!l) {
        ap_resp_status(err, sk_status_internal("out of memory"));
        return -1;
    }
    l->s = s;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    sk_mp_buf_init(&l->req);
    atomic_store(&l->refs, 1);
    if (ap_log_prepare(s, rq, true, l->svc, sizeof l->svc, &l->req, err)) {
        decref(l);
        return -1;
    }
    /* An absent kubelet must be a 503 before the 200 of a stream goes out. */
    void *rep = NULL;
    size_t n = 0;
    int rc = sk_call(s->h, l->svc, "ping", "\x80", 1, 1000, &rep, &n, NULL, 0);
    free(rep);
    if (rc == SK_ENOSERVICE) {
        ap_log_unavailable(l->svc, err);
        decref(l);
        return -1;
    }
    atomic_store(&l->refs, 2);
    l->loop_ref = true;
    pthread_mutex_lock(&s->mu);
    l->next = s->logs;
    if (s->logs)
        s->logs->prev = l;
    s->logs = l;
    pthread_mutex_unlock(&s->mu);
    if (sk_post(s->h, start_fn, l)) {
        l->loop_ref = false;
        atomic_store(&l->refs, 1);
        decref(l);
        ap_resp_status(err, sk_status_unavailable("apiserver is stopping"));
        return -1;
    }
    *out = l;
    return 0;
}

ssize_t ap_log_stream_read(ap_log_stream *l, char *buf, size_t max)
{
    pthread_mutex_lock(&l->mu);
    for (;;) {
        if (l->head) {
            lpart *p = l->head;
            size_t n = p->len - p->off;
            if (n > max)
                n = max;
            memcpy(buf, p->data + p->off, n);
            p->off += n;
            if (p->off == p->len) {
                l->head = p->next;
                if (!l->head)
                    l->tail = NULL;
                l->qlen--;
                free(p);
            }
            pthread_mutex_unlock(&l->mu);
            return (ssize_t)n;
        }
        if (l->cut) {
            pthread_mutex_unlock(&l->mu);
            return -2;
        }
        if (l->ended || atomic_load(&l->s->stopping)) {
            pthread_mutex_unlock(&l->mu);
            return -1;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&l->cv, &l->mu, &ts);
    }
}

void ap_log_stream_close(ap_log_stream *l)
{
    pthread_mutex_lock(&l->mu);
    l->closed = true;
    pthread_mutex_unlock(&l->mu);
    atomic_fetch_add(&l->refs, 1);
    if (sk_post(l->s->h, close_fn, l))
        decref(l); /* the loop stopped: its request was failed by the endpoint */
    decref(l);
}

void ap_log_stream_stop_all(ap_server *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = 0;
    for (ap_log_stream *l = s->logs; l; l = l->next)
        n++;
    ap_log_stream **all = n ? calloc(n, sizeof *all) : NULL;
    n = 0;
    for (ap_log_stream *l = all ? s->logs : NULL; l; l = l->next) {
        atomic_fetch_add(&l->refs, 1);
        all[n++] = l;
    }
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < n; i++) {
        mark_ended(all[i], false);
        end_loop_side(all[i]);
        decref(all[i]);
    }
    free(all);
}
