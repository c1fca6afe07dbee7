/* Event writes, paced as client-go's event broadcaster paces them: Events
 * are informative, so they must never slow down scheduling. At most
 * SP_EV_INFLIGHT creates are in flight; further Events wait in a FIFO of
 * at most SP_EV_QUEUE and are dropped (and counted) beyond it, as
 * client-go's 1000-deep broadcaster queue drops when full. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp.h"

#define SP_EV_INFLIGHT 4
#define SP_EV_QUEUE 1000
#define SP_EV_TIMEOUT_MS 10000

struct sp_event {
    struct sp_event *next;
    uint8_t *data;
    size_t len;
};

static void ev_pump(sp *s);

static void ev_done(sp_req *r, int status, const char *errmsg, const void *data, size_t len)
{
    (void)data, (void)len;
    sp *s = r->sp;
    s->ev_inflight--;
    if (status != 0 && status != SK_ESTOPPED && status != SK_ENOTFOUND)
        sk_warn(s->h, "scheduler: %s: %s %s", r->what, sk_strerror(status), errmsg ? errmsg : "");
    if (status != SK_ESTOPPED)
        ev_pump(s);
}

static int ev_send(sp *s, const uint8_t *data, size_t len)
{
    sk_mp_buf b = {.data = (uint8_t *)data, .len = len, .cap = len, .err = 0};
    int rc = sp_request(s, "create", &b, SP_EV_TIMEOUT_MS, ev_done, NULL, "event");
    if (!rc)
        s->ev_inflight++;
    return rc;
}

static void ev_pump(sp *s)
{
    while (s->ev_head && s->ev_inflight < SP_EV_INFLIGHT && !s->stopping) {
        sp_event *e = s->ev_head;
        s->ev_head = e->next;
        if (!s->ev_head)
            s->ev_tail = NULL;
        s->ev_queued--;
        int rc = ev_send(s, e->data, e->len);
        if (rc)
            sk_warn(s->h, "scheduler: event: %s", sk_strerror(rc));
        free(e->data);
        free(e);
    }
}

static void ev_drop(sp *s)
{
    s->ev_dropped++;
    if (s->m_ev_dropped)
        s->h->metrics->add(s->m_ev_dropped, 1);
}

void sp_event_submit(sp *s, sk_mp_buf *b)
{
    if (b->err || s->stopping) {
        sk_mp_buf_free(b);
        return;
    }
    if (s->ev_inflight < SP_EV_INFLIGHT && !s->ev_head) {
        int rc = ev_send(s, b->data, b->len);
        if (rc)
            sk_warn(s->h, "scheduler: event: %s", sk_strerror(rc));
        sk_mp_buf_free(b);
        return;
    }
    sp_event *e = s->ev_queued < SP_EV_QUEUE ? calloc(1, sizeof(*e)) : NULL;
    if (!e) {
        ev_drop(s);
        sk_mp_buf_free(b);
        return;
    }
    e->data = sk_mp_buf_take(b, &e->len);
    if (s->ev_tail)
        s->ev_tail->next = e;
    else
        s->ev_head = e;
    s->ev_tail = e;
    s->ev_queued++;
}

void sp_events_free(sp *s)
{
    for (sp_event *e = s->ev_head, *next; e; e = next) {
        next = e->next;
        free(e->data);
        free(e);
    }
    s->ev_head = s->ev_tail = NULL;
    s->ev_queued = 0;
}
