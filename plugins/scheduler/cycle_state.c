#include "cycle_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

sk_sched_cycle *sk_cycle_new(sk_sched_fw *fw, const sk_sched_snapshot *snap)
{
    sk_sched_cycle *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->fw = fw;
    c->snap = snap;
    sk_strmap_init(&c->kv);
    return c;
}

static void val_release(sk_cycle_val *v)
{
    if (!v || atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (v->free_fn)
        v->free_fn(v->value);
    free(v);
}

void sk_cycle_free(sk_sched_cycle **cp)
{
    sk_sched_cycle *c = *cp;
    *cp = NULL;
    if (!c)
        return;
    size_t i = 0;
    const char *k;
    void *v;
    while (sk_strmap_next(&c->kv, &i, &k, &v)) {
        val_release(v);
        free((char *)k);
    }
    sk_strmap_free(&c->kv);
    free(c);
}

static int put(sk_sched_cycle *c, const char *key, sk_cycle_val *v)
{
    char *k = strdup(key);
    if (!k)
        return -ENOMEM;
    sk_cycle_val *old = NULL;
    /* Look the old entry up first so its key copy can be freed. */
    size_t i = 0;
    const char *ok;
    void *ov;
    while (sk_strmap_next(&c->kv, &i, &ok, &ov)) {
        if (strcmp(ok, key) == 0) {
            sk_strmap_del(&c->kv, key);
            free((char *)ok);
            old = ov;
            break;
        }
    }
    int rc = sk_strmap_put(&c->kv, k, v, NULL);
    if (rc)
        free(k);
    val_release(old);
    return rc;
}

int sk_cycle_write(sk_sched_cycle *c, const char *key, void *value,
                   void *(*clone_fn)(const void *), void (*free_fn)(void *))
{
    if (!c || !key) {
        if (free_fn)
            free_fn(value);
        return -EINVAL;
    }
    sk_cycle_val *v = calloc(1, sizeof(*v));
    if (!v) {
        if (free_fn)
            free_fn(value);
        return -ENOMEM;
    }
    atomic_init(&v->refs, 1);
    v->value = value;
    v->clone_fn = clone_fn;
    v->free_fn = free_fn;
    int rc = put(c, key, v);
    if (rc)
        val_release(v);
    return rc;
}

void *sk_cycle_read(const sk_sched_cycle *c, const char *key)
{
    sk_cycle_val *v = c ? sk_strmap_get(&c->kv, key) : NULL;
    return v ? v->value : NULL;
}

static sk_cycle_val *val_copy(sk_cycle_val *v)
{
    if (!v->clone_fn) {
        atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
        return v;
    }
    sk_cycle_val *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->value = v->clone_fn(v->value);
    if (!n->value) {
        free(n);
        return NULL;
    }
    atomic_init(&n->refs, 1);
    n->clone_fn = v->clone_fn;
    n->free_fn = v->free_fn;
    return n;
}

sk_sched_cycle *sk_cycle_clone(const sk_sched_cycle *c)
{
    sk_sched_cycle *n = sk_cycle_new(c->fw, c->snap);
    if (!n)
        return NULL;
    n->skip_filter = c->skip_filter;
    n->skip_score = c->skip_score;
    n->node_status = c->node_status;
    n->nnode_status = c->nnode_status;
    n->all_code = c->all_code;
    size_t i = 0;
    const char *k;
    void *v;
    while (sk_strmap_next(&c->kv, &i, &k, &v)) {
        sk_cycle_val *cv = val_copy(v);
        char *kc = cv ? strdup(k) : NULL;
        if (!kc || sk_strmap_put(&n->kv, kc, cv, NULL) != 0) {
            free(kc);
            if (cv)
                val_release(cv);
            sk_cycle_free(&n);
            return NULL;
        }
    }
    return n;
}
