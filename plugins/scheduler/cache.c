#include "cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"

typedef struct cache_pod {
    sk_pod_obj *obj;
    sk_node_info *ni;
    bool assumed;
} cache_pod;

struct sk_sched_cache {
    sk_strmap nodes; /* name -> sk_node_info* */
    sk_strmap pods;  /* uid -> cache_pod* */
    sk_strmap nss;   /* name -> sk_ns_obj* */
    sk_node_info **order; /* nodes with an object, in insertion order */
    uint32_t norder, order_cap;
    const sk_sched_node **snap_nodes;
    sk_sched_namespace *ns_arr;
    sk_sched_snapshot snap;
    bool nodes_dirty, ns_dirty;
    uint64_t seq;
};

int sk_cache_new(sk_sched_cache **out)
{
    sk_sched_cache *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    sk_strmap_init(&c->nodes);
    sk_strmap_init(&c->pods);
    sk_strmap_init(&c->nss);
    *out = c;
    return 0;
}

void sk_cache_free(sk_sched_cache **cp)
{
    sk_sched_cache *c = *cp;
    *cp = NULL;
    if (!c)
        return;
    size_t i = 0;
    void *v;
    while (sk_strmap_next(&c->pods, &i, NULL, &v)) {
        cache_pod *p = v;
        sk_pod_unref(&p->obj);
        free(p);
    }
    i = 0;
    while (sk_strmap_next(&c->nodes, &i, NULL, &v)) {
        sk_node_info_clear(v);
        free(v);
    }
    i = 0;
    while (sk_strmap_next(&c->nss, &i, NULL, &v)) {
        sk_ns_obj *ns = v;
        sk_ns_obj_free(&ns);
    }
    sk_strmap_free(&c->pods);
    sk_strmap_free(&c->nodes);
    sk_strmap_free(&c->nss);
    free(c->order);
    free(c->snap_nodes);
    free(c->ns_arr);
    free(c);
}

sk_node_info *sk_cache_node(const sk_sched_cache *c, const char *name)
{
    return sk_strmap_get(&c->nodes, name);
}

static sk_node_info *node_get_or_add(sk_sched_cache *c, const char *name)
{
    sk_node_info *ni = sk_strmap_get(&c->nodes, name);
    if (ni)
        return ni;
    ni = calloc(1, sizeof(*ni));
    if (!ni || !(ni->name = strdup(name))) {
        free(ni);
        return NULL;
    }
    ni->node.name = ni->name;
    if (sk_strmap_put(&c->nodes, ni->name, ni, NULL)) {
        free(ni->name);
        free(ni);
        return NULL;
    }
    return ni;
}

static void order_remove(sk_sched_cache *c, sk_node_info *ni)
{
    for (uint32_t i = 0; i < c->norder; i++) {
        if (c->order[i] == ni) {
            memmove(&c->order[i], &c->order[i + 1], (c->norder - i - 1) * sizeof(c->order[0]));
            c->norder--;
            break;
        }
    }
    ni->listed = false;
}

static int order_add(sk_sched_cache *c, sk_node_info *ni)
{
    if (c->norder == c->order_cap) {
        uint32_t cap = c->order_cap ? c->order_cap * 2 : 64;
        sk_node_info **o = realloc(c->order, cap * sizeof(*o));
        if (!o)
            return -ENOMEM;
        c->order = o;
        c->order_cap = cap;
    }
    c->order[c->norder++] = ni;
    ni->seq = ++c->seq;
    ni->listed = true;
    return 0;
}

/* The public view's node-object fields follow obj. */
static void node_view(sk_node_info *ni)
{
    sk_node_obj *o = ni->obj;
    ni->node.labels = o->labels;
    ni->node.taints = o->taints;
    ni->node.ntaints = o->ntaints;
    ni->node.unschedulable = o->unschedulable;
    ni->node.allocatable = o->allocatable;
}

int sk_cache_node_upsert(sk_sched_cache *c, sk_node_obj *obj, bool *existed)
{
    sk_node_info *ni = node_get_or_add(c, obj->name);
    if (!ni) {
        sk_node_obj_free(&obj);
        return -ENOMEM;
    }
    if (existed)
        *existed = ni->obj != NULL;
    if (!ni->listed && order_add(c, ni)) {
        sk_node_obj_free(&obj);
        return -ENOMEM;
    }
    if (!ni->obj || strcmp(ni->obj->zone_key, obj->zone_key) != 0)
        c->nodes_dirty = true;
    sk_node_obj_free(&ni->obj);
    ni->obj = obj;
    node_view(ni);
    return 0;
}

static void drop_if_unused(sk_sched_cache *c, sk_node_info *ni)
{
    if (ni->obj || ni->node.npods)
        return;
    sk_strmap_del(&c->nodes, ni->name);
    sk_node_info_clear(ni);
    free(ni);
}

int sk_cache_node_delete(sk_sched_cache *c, const char *name)
{
    sk_node_info *ni = sk_strmap_get(&c->nodes, name);
    if (!ni || !ni->obj)
        return SK_ENOTFOUND;
    order_remove(c, ni);
    sk_node_obj_free(&ni->obj);
    c->nodes_dirty = true;
    /* Pods still on it keep a ghost entry until they go too. */
    drop_if_unused(c, ni);
    return 0;
}

static void pod_remove(sk_sched_cache *c, cache_pod *p)
{
    sk_strmap_del(&c->pods, p->obj->pod.uid);
    /* Always on its node: pod_place put it there. */
    (void)sk_node_remove_pod(p->ni, p->obj->pod.uid);
    drop_if_unused(c, p->ni);
    sk_pod_unref(&p->obj);
    free(p);
}

static int pod_place(sk_sched_cache *c, sk_pod_obj *obj, bool assumed)
{
    sk_node_info *ni = node_get_or_add(c, obj->pod.node_name);
    cache_pod *p = calloc(1, sizeof(*p));
    if (!ni || !p) {
        free(p);
        return -ENOMEM;
    }
    int rc = sk_node_add_pod(ni, obj);
    if (!rc) {
        p->obj = sk_pod_ref(obj);
        p->ni = ni;
        p->assumed = assumed;
        rc = sk_strmap_put(&c->pods, p->obj->pod.uid, p, NULL);
        if (rc) {
            sk_node_remove_pod(ni, obj->pod.uid);
            sk_pod_unref(&p->obj);
        }
    }
    if (rc) {
        free(p);
        drop_if_unused(c, ni);
    }
    return rc;
}

int sk_cache_pod_upsert(sk_sched_cache *c, sk_pod_obj *obj)
{
    cache_pod *old = sk_strmap_get(&c->pods, obj->pod.uid);
    if (old)
        pod_remove(c, old);
    if (obj->terminal || !obj->pod.node_name[0])
        return 0;
    return pod_place(c, obj, false);
}

int sk_cache_pod_delete(sk_sched_cache *c, const char *uid)
{
    cache_pod *p = sk_strmap_get(&c->pods, uid);
    if (!p)
        return SK_ENOTFOUND;
    pod_remove(c, p);
    return 0;
}

int sk_cache_assume(sk_sched_cache *c, sk_pod_obj *obj)
{
    if (!obj->pod.node_name[0])
        return -EINVAL;
    if (sk_strmap_get(&c->pods, obj->pod.uid))
        return SK_EEXISTS;
    return pod_place(c, obj, true);
}

int sk_cache_forget(sk_sched_cache *c, const char *uid)
{
    cache_pod *p = sk_strmap_get(&c->pods, uid);
    if (!p || !p->assumed)
        return SK_ENOTFOUND;
    pod_remove(c, p);
    return 0;
}

bool sk_cache_is_assumed(const sk_sched_cache *c, const char *uid)
{
    cache_pod *p = sk_strmap_get(&c->pods, uid);
    return p && p->assumed;
}

const sk_sched_pod *sk_cache_pod(const sk_sched_cache *c, const char *uid)
{
    cache_pod *p = sk_strmap_get(&c->pods, uid);
    return p ? &p->obj->pod : NULL;
}

uint32_t sk_cache_npods(const sk_sched_cache *c)
{
    return (uint32_t)c->pods.len;
}

int sk_cache_ns_upsert(sk_sched_cache *c, sk_ns_obj *obj)
{
    void *old = NULL;
    int rc = sk_strmap_put(&c->nss, obj->ns.name, obj, &old);
    if (rc) {
        sk_ns_obj_free(&obj);
        return rc;
    }
    sk_ns_obj *o = old;
    sk_ns_obj_free(&o);
    c->ns_dirty = true;
    return 0;
}

int sk_cache_ns_delete(sk_sched_cache *c, const char *name)
{
    sk_ns_obj *o = sk_strmap_del(&c->nss, name);
    if (!o)
        return SK_ENOTFOUND;
    sk_ns_obj_free(&o);
    c->ns_dirty = true;
    return 0;
}

static int cmp_ns(const void *a, const void *b)
{
    return strcmp(((const sk_sched_namespace *)a)->name, ((const sk_sched_namespace *)b)->name);
}

static int rebuild_namespaces(sk_sched_cache *c)
{
    size_t n = c->nss.len, i = 0, w = 0;
    sk_sched_namespace *arr = calloc(n ? n : 1, sizeof(*arr));
    if (!arr)
        return -ENOMEM;
    void *v;
    while (sk_strmap_next(&c->nss, &i, NULL, &v))
        arr[w++] = ((sk_ns_obj *)v)->ns;
    qsort(arr, w, sizeof(*arr), cmp_ns);
    free(c->ns_arr);
    c->ns_arr = arr;
    c->snap.namespaces = arr;
    c->snap.nnamespaces = (uint32_t)w;
    c->ns_dirty = false;
    return 0;
}

/* kube-scheduler's node tree: zones in order of first appearance, nodes
 * of each zone in insertion order, taken round-robin so a partial walk
 * (percentageOfNodesToScore) still spreads across zones. */
static int rebuild_nodes(sk_sched_cache *c)
{
    uint32_t n = c->norder, nzones = 0;
    const sk_sched_node **out = calloc(n ? n : 1, sizeof(*out));
    uint32_t *zone_of = calloc(n ? n : 1, sizeof(*zone_of));
    uint32_t *zone_next = calloc(n ? n : 1, sizeof(*zone_next));
    sk_strmap zones;
    sk_strmap_init(&zones);
    int rc = (!out || !zone_of || !zone_next) ? -ENOMEM : 0;
    for (uint32_t i = 0; !rc && i < n; i++) {
        const char *key = c->order[i]->obj->zone_key;
        uintptr_t z = (uintptr_t)sk_strmap_get(&zones, key);
        if (!z) {
            z = ++nzones;
            rc = sk_strmap_put(&zones, key, (void *)z, NULL);
        }
        zone_of[i] = (uint32_t)z - 1;
    }
    /* zone_next[z]: the next position in order to look at for zone z. */
    uint32_t w = 0;
    while (!rc && w < n) {
        for (uint32_t z = 0; z < nzones && w < n; z++) {
            uint32_t i = zone_next[z];
            while (i < n && zone_of[i] != z)
                i++;
            if (i < n) {
                sk_node_info *ni = c->order[i];
                ni->index = w;
                out[w++] = &ni->node;
                i++;
            }
            zone_next[z] = i;
        }
    }
    sk_strmap_free(&zones);
    free(zone_of);
    free(zone_next);
    if (rc) {
        free(out);
        return rc;
    }
    free(c->snap_nodes);
    c->snap_nodes = out;
    c->snap.nodes = out;
    c->snap.nnodes = n;
    c->nodes_dirty = false;
    return 0;
}

const sk_sched_snapshot *sk_cache_snapshot(sk_sched_cache *c)
{
    if (c->nodes_dirty && rebuild_nodes(c))
        return NULL;
    if (c->ns_dirty && rebuild_namespaces(c))
        return NULL;
    return &c->snap;
}
