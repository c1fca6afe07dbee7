/* Asynchronous requests to the API service, tracked so that stop() can
 * cancel whatever is still in flight (its callback would never run after
 * stop, and its context would leak). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp.h"

static void unlink_req(sp *s, sp_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        s->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    s->nreqs--;
}

static void on_reply(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    sp_req *r = arg;
    if (status == SK_BUS_MORE)
        return; /* none of our requests stream; ignore stray parts */
    unlink_req(r->sp, r);
    r->done(r, status, errmsg, data, len);
    free(r);
}

int sp_request(sp *s, const char *method, sk_mp_buf *body, int64_t timeout_ms, sp_done_fn done,
               sk_sched_binding *b, const char *what)
{
    if (body->err)
        return body->err;
    if (s->stopping)
        return SK_ESTOPPED;
    sp_req *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->sp = s;
    r->done = done;
    r->binding = b;
    snprintf(r->what, sizeof(r->what), "%s", what ? what : "");
    /* Linked first: the reply can only come on a later loop iteration,
     * but a failed send must unlink it again. */
    r->next = s->reqs;
    if (s->reqs)
        s->reqs->prev = r;
    s->reqs = r;
    s->nreqs++;
    int rc = sk_request(s->h, s->api, method, body->data, body->len, (int)timeout_ms, on_reply, r,
                        &r->id);
    if (rc) {
        unlink_req(s, r);
        free(r);
    }
    return rc;
}

void sp_requests_cancel_all(sp *s)
{
    while (s->reqs) {
        sp_req *r = s->reqs;
        (void)s->h->bus->cancel(s->h->bus_ctx, r->id); /* SK_ENOTFOUND: already over */
        unlink_req(s, r);
        /* Tell the owner it ended, so a binding is unwound and freed. */
        r->done(r, SK_ESTOPPED, "scheduler stopping", NULL, 0);
        free(r);
    }
}

void sp_put_pod_request(sk_mp_buf *b, const char *ns, const char *name, uint32_t extra)
{
    sk_mp_put_map(b, 4 + extra);
    sk_mp_put_str(b, "version");
    sk_mp_put_str(b, "v1");
    sk_mp_put_str(b, "resource");
    sk_mp_put_str(b, "pods");
    sk_mp_put_str(b, "namespace");
    sk_mp_put_str(b, ns);
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, name);
}
