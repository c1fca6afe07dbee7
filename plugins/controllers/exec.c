/* Sending a reconcile's actions and finishing its key once every one has
 * answered, so a key is never reconciled again while its own writes are
 * in flight; plus ReplicaSet expectations (k8s ControllerExpectations). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr.h"

#define EXPECT_TTL_MS (5 * 60 * 1000) /* k8s ExpectationsTimeout */

bool ctl_expect_satisfied(ctl_mgr *m, const char *rs_key)
{
    ctl_expect *e = kv_get(&m->expect, rs_key);
    if (!e)
        return true;
    return (e->adds <= 0 && e->dels <= 0) || ctl_now_mono(m) - e->at > EXPECT_TTL_MS;
}

void ctl_expect_set(ctl_mgr *m, const char *rs_key, int adds, int dels)
{
    ctl_expect *e = kv_get(&m->expect, rs_key);
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e || kv_put(&m->expect, rs_key, e)) {
            free(e);
            return; /* without a record the RS just re-checks (level-triggered) */
        }
    }
    e->adds = adds;
    e->dels = dels;
    e->at = ctl_now_mono(m);
}

void ctl_expect_observed(ctl_mgr *m, const char *rs_key, bool add)
{
    ctl_expect *e = kv_get(&m->expect, rs_key);
    if (e && add)
        e->adds--;
    else if (e)
        e->dels--;
}

typedef struct batch {
    struct batch *prev, *next;
    ctl_loop *l;
    size_t pending;
    int rc;
    int64_t requeue_ms;
    char key[];
} batch;

typedef struct one {
    struct one *prev, *next;
    uint64_t id;
    batch *b;
    bool pod_create, pod_delete;
    char desc[160];
    char expect_uid[128]; /* a GC owner verification */
} one;

/* In-flight batches and requests are linked from the manager so stop()
 * can cancel them: after stop() no callback of ours may run. */
#define LINK(head, x)                                                          \
    do {                                                                       \
        (x)->prev = NULL;                                                      \
        (x)->next = (head);                                                    \
        if (head)                                                              \
            (head)->prev = (x);                                                \
        (head) = (x);                                                          \
    } while (0)
#define UNLINK(head, x)                                                        \
    do {                                                                       \
        if ((x)->prev)                                                         \
            (x)->prev->next = (x)->next;                                       \
        else                                                                   \
            (head) = (x)->next;                                                \
        if ((x)->next)                                                         \
            (x)->next->prev = (x)->prev;                                       \
    } while (0)

static void batch_done(batch *b)
{
    ctl_loop *l = b->l;
    ctl_mgr *m = l->m;
    m->batches--;
    UNLINK(m->batch_list, b);
    if (b->rc)
        m->h->metrics->add(l->errors, 1);
    (void)sk_workqueue_finish(l->q, b->key, b->rc);
    if (!b->rc && b->requeue_ms > 0)
        (void)sk_workqueue_add_after(l->q, b->key, (uint64_t)b->requeue_ms);
    free(b);
}

/* Answers that mean "already done" or "moot" are not failures of a
 * level-triggered controller: a create that exists; a delete, patch or
 * update of what is gone (its own event will follow). Pods are created
 * with generateName, so for them "exists" means a name collision and no
 * pod: a failure to retry, not something done. */
static bool benign(const one *o, int status)
{
    return (status == SK_EEXISTS && strncmp(o->desc, "create", 6) == 0 && !o->pod_create) ||
           (status == SK_ENOTFOUND && strncmp(o->desc, "create", 6) != 0);
}

static void on_reply(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    one *o = arg;
    if (status == SK_BUS_MORE)
        return;
    batch *b = o->b;
    ctl_mgr *m = b->l->m;
    UNLINK(m->one_list, o);
    if (*o->expect_uid) {
        /* The owner is gone when absent, or when the name now belongs to
         * a different object; either way the GC may act on it. */
        sk_mp_view obj;
        char uid[128] = "";
        if (status == 0 && sk_mp_check(data, len, SK_MP_MAX_DEPTH, &obj) == 0)
            ctl_str(obj, "metadata.uid", uid, sizeof uid);
        if (status == SK_ENOTFOUND || (status == 0 && strcmp(uid, o->expect_uid) != 0))
            ctl_gc_confirm_absent(m, o->expect_uid);
        if (status == SK_ENOTFOUND)
            status = 0;
    }
    if (status && !benign(o, status)) {
        if (status != SK_ECONFLICT)
            sk_warn(m->h, "controllers: %s: %s: %s", ctl_names[b->l->id], o->desc,
                    errmsg && *errmsg ? errmsg : sk_strerror(status));
        if (!b->rc)
            b->rc = status;
        /* The object will never be observed: stop waiting for it. */
        if (o->pod_create || o->pod_delete)
            ctl_expect_observed(m, b->key, o->pod_create);
    }
    free(o);
    if (--b->pending == 0)
        batch_done(b);
}

void ctl_exec(ctl_loop *l, const char *key, ctl_actions *a)
{
    ctl_mgr *m = l->m;
    size_t kl = strlen(key) + 1;
    batch *b = malloc(sizeof(*b) + kl);
    if (!b || a->err) {
        free(b);
        sk_warn(m->h, "controllers: %s: %s: %s", ctl_names[l->id], key,
                sk_strerror(a->err ? a->err : -ENOMEM));
        (void)sk_workqueue_finish(l->q, key, a->err ? a->err : -ENOMEM);
        ctl_actions_free(a);
        return;
    }
    memcpy(b->key, key, kl);
    b->l = l;
    b->pending = 1; /* held until every request is out */
    b->rc = 0;
    b->requeue_ms = a->requeue_ms;
    m->batches++;
    LINK(m->batch_list, b);
    for (size_t i = 0; i < a->n; i++) {
        one *o = calloc(1, sizeof(*o));
        if (!o) {
            b->rc = -ENOMEM;
            break;
        }
        o->b = b;
        snprintf(o->desc, sizeof o->desc, "%s", a->v[i].desc);
        snprintf(o->expect_uid, sizeof o->expect_uid, "%s", a->v[i].expect_uid);
        o->pod_create = l->id == C_RS && strncmp(o->desc, "create pods", 11) == 0;
        o->pod_delete = l->id == C_RS && strncmp(o->desc, "delete pods", 11) == 0;
        b->pending++;
        LINK(m->one_list, o);
        int rc = m->tr.request(m->tr.ctx, a->v[i].method, a->v[i].req, a->v[i].len,
                               (int)m->conf.timeout_ms, on_reply, o, &o->id);
        if (rc) /* frees o; never the batch, which we still hold */
            on_reply(o, rc, sk_strerror(rc), NULL, 0);
    }
    m->h->metrics->add(l->syncs, 1);
    ctl_actions_free(a);
    if (--b->pending == 0)
        batch_done(b);
}

void ctl_exec_cancel_all(ctl_mgr *m)
{
    while (m->one_list) {
        one *o = m->one_list;
        UNLINK(m->one_list, o);
        if (m->tr.cancel)
            (void)m->tr.cancel(m->tr.ctx, o->id);
        free(o);
    }
    while (m->batch_list) {
        batch *b = m->batch_list;
        UNLINK(m->batch_list, b);
        free(b);
    }
    m->batches = 0;
}
