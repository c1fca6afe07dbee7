#include "pod_requests.h"

#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "skiff/errors.h"

static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static int64_t *scalar_slot(sk_reslist *r, const char *name, size_t len)
{
    for (uint32_t i = 0; i < r->n; i++)
        if (r->s[i].len == len && memcmp(r->s[i].name, name, len) == 0)
            return &r->s[i].v;
    if (r->n == sizeof(r->s) / sizeof(r->s[0]))
        return NULL;
    r->s[r->n].name = name;
    r->s[r->n].len = len;
    r->s[r->n].v = 0;
    return &r->s[r->n++].v;
}

static bool name_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Sets (not adds) one entry: a ResourceList has each name once. */
static int set_entry(sk_reslist *r, const char *name, size_t n, const sk_quantity *q)
{
    if (name_is(name, n, "cpu")) {
        r->cpu = q->milli;
        r->has_cpu = true;
    } else if (name_is(name, n, "memory")) {
        r->mem = q->value;
        r->has_mem = true;
    } else if (name_is(name, n, "ephemeral-storage")) {
        r->eph = q->value;
    } else if (name_is(name, n, "pods")) {
        r->pods = q->value;
    } else {
        int64_t *slot = scalar_slot(r, name, n);
        if (!slot)
            return SK_ETOOLARGE;
        *slot = q->value;
    }
    return 0;
}

int sk_reslist_read(sk_mpx *x, sk_mp_view map, sk_reslist *r)
{
    sk_mp_iter it;
    sk_mp_view k, v;
    uint32_t n;
    if (sk_mpx_absent(map))
        return 0;
    if (sk_mp_type_of(map) != SK_MP_MAP || sk_mp_iter_init(map, &it, &n)) {
        x->what = "resources";
        return SK_EBADMSG;
    }
    while (sk_mp_iter_next(&it, &k, &v) == 1) {
        const char *name;
        size_t len;
        sk_quantity q;
        if (sk_mp_get_str(k, &name, &len) || sk_quantity_from_mp(v, &q)) {
            x->what = "resources: quantity";
            return SK_EBADMSG;
        }
        int rc = set_entry(r, name, len, &q);
        if (rc)
            return rc;
    }
    return 0;
}

static int add(sk_reslist *a, const sk_reslist *b)
{
    a->cpu = sat_add(a->cpu, b->cpu);
    a->mem = sat_add(a->mem, b->mem);
    a->eph = sat_add(a->eph, b->eph);
    for (uint32_t i = 0; i < b->n; i++) {
        int64_t *slot = scalar_slot(a, b->s[i].name, b->s[i].len);
        if (!slot)
            return SK_ETOOLARGE;
        *slot = sat_add(*slot, b->s[i].v);
    }
    return 0;
}

static int take_max(sk_reslist *a, const sk_reslist *b)
{
    if (b->cpu > a->cpu)
        a->cpu = b->cpu;
    if (b->mem > a->mem)
        a->mem = b->mem;
    if (b->eph > a->eph)
        a->eph = b->eph;
    for (uint32_t i = 0; i < b->n; i++) {
        int64_t *slot = scalar_slot(a, b->s[i].name, b->s[i].len);
        if (!slot)
            return SK_ETOOLARGE;
        if (b->s[i].v > *slot)
            *slot = b->s[i].v;
    }
    return 0;
}

/* One container's requests; limits stand in for missing requests. With
 * nonzero, a missing cpu or memory request counts the scoring default. */
static int container_requests(sk_mpx *x, sk_mp_view c, bool nonzero, sk_reslist *out)
{
    sk_mp_view res, req, lim;
    sk_reslist limits;
    memset(out, 0, sizeof(*out));
    memset(&limits, 0, sizeof(limits));
    int rc = sk_mpx_field(x, c, "resources", &res);
    if (!rc)
        rc = sk_mpx_field(x, res, "requests", &req);
    if (!rc)
        rc = sk_mpx_field(x, res, "limits", &lim);
    if (!rc)
        rc = sk_reslist_read(x, req, out);
    if (!rc)
        rc = sk_reslist_read(x, lim, &limits);
    if (rc)
        return rc;
    if (!out->has_cpu && limits.has_cpu) {
        out->cpu = limits.cpu;
        out->has_cpu = true;
    }
    if (!out->has_mem && limits.has_mem) {
        out->mem = limits.mem;
        out->has_mem = true;
    }
    if (out->eph == 0 && limits.eph)
        out->eph = limits.eph;
    for (uint32_t i = 0; i < limits.n; i++) {
        int64_t *slot = scalar_slot(out, limits.s[i].name, limits.s[i].len);
        if (!slot)
            return SK_ETOOLARGE;
        if (*slot == 0)
            *slot = limits.s[i].v;
    }
    if (nonzero && !out->has_cpu)
        out->cpu = SK_SCHED_DEFAULT_MILLI_CPU;
    if (nonzero && !out->has_mem)
        out->mem = SK_SCHED_DEFAULT_MEMORY;
    if (out->cpu < 0 || out->mem < 0 || out->eph < 0) {
        x->what = "resources: negative request";
        return SK_EBADMSG;
    }
    return 0;
}

static bool is_sidecar(sk_mpx *x, sk_mp_view c)
{
    sk_mp_view rp;
    return sk_mpx_field(x, c, "restartPolicy", &rp) == 0 && !sk_mpx_absent(rp) &&
           sk_mp_str_eq(rp, "Always");
}

static int sum_containers(sk_mpx *x, sk_mp_view list, bool nonzero, sk_reslist *total)
{
    sk_mp_iter it;
    sk_mp_view k, c;
    uint32_t n;
    int rc = sk_mpx_array(x, list, &n);
    if (rc || n == 0)
        return rc;
    sk_mp_iter_init(list, &it, &n);
    while (sk_mp_iter_next(&it, &k, &c) == 1) {
        sk_reslist one;
        rc = container_requests(x, c, nonzero, &one);
        if (!rc)
            rc = add(total, &one);
        if (rc)
            return rc;
    }
    return 0;
}

static int init_floor(sk_mpx *x, sk_mp_view list, bool nonzero, sk_reslist *reqs)
{
    sk_mp_iter it;
    sk_mp_view k, c;
    sk_reslist sidecars, floor;
    uint32_t n;
    int rc = sk_mpx_array(x, list, &n);
    if (rc || n == 0)
        return rc;
    memset(&sidecars, 0, sizeof(sidecars));
    memset(&floor, 0, sizeof(floor));
    sk_mp_iter_init(list, &it, &n);
    while (sk_mp_iter_next(&it, &k, &c) == 1) {
        sk_reslist one;
        rc = container_requests(x, c, nonzero, &one);
        if (rc)
            return rc;
        if (is_sidecar(x, c)) {
            /* A sidecar keeps running beside everything started after it. */
            if ((rc = add(reqs, &one)) || (rc = add(&sidecars, &one)))
                return rc;
            one = sidecars;
        } else if ((rc = add(&one, &sidecars))) {
            return rc;
        }
        if ((rc = take_max(&floor, &one)))
            return rc;
    }
    return take_max(reqs, &floor);
}

static int compute(sk_mpx *x, sk_mp_view spec, bool nonzero, sk_reslist *reqs)
{
    sk_mp_view containers, inits, overhead;
    sk_reslist oh;
    memset(reqs, 0, sizeof(*reqs));
    memset(&oh, 0, sizeof(oh));
    int rc = sk_mpx_field(x, spec, "containers", &containers);
    if (!rc)
        rc = sk_mpx_field(x, spec, "initContainers", &inits);
    if (!rc)
        rc = sk_mpx_field(x, spec, "overhead", &overhead);
    if (!rc)
        rc = sum_containers(x, containers, nonzero, reqs);
    if (!rc)
        rc = init_floor(x, inits, nonzero, reqs);
    if (!rc)
        rc = sk_reslist_read(x, overhead, &oh);
    if (!rc)
        rc = add(reqs, &oh);
    return rc;
}

static int cmp_scalar(const void *a, const void *b)
{
    return strcmp(((const sk_sched_scalar *)a)->name, ((const sk_sched_scalar *)b)->name);
}

int sk_reslist_export(sk_mpx *x, const sk_reslist *r, sk_sched_resources *out)
{
    memset(out, 0, sizeof(*out));
    out->milli_cpu = r->cpu;
    out->memory = r->mem;
    out->ephemeral_storage = r->eph;
    out->pods = r->pods;
    uint32_t n = 0;
    sk_sched_scalar *s = r->n ? sk_arena_calloc(x->arena, r->n, sizeof(*s)) : NULL;
    if (r->n && !s)
        return x->arena->err;
    for (uint32_t i = 0; i < r->n; i++) {
        if (r->s[i].v == 0)
            continue;
        s[n].name = sk_arena_strndup(x->arena, r->s[i].name, r->s[i].len);
        if (!s[n].name)
            return x->arena->err;
        s[n++].value = r->s[i].v;
    }
    if (n)
        qsort(s, n, sizeof(*s), cmp_scalar);
    out->scalars = s;
    out->nscalars = n;
    return 0;
}

int sk_pod_requests(sk_mpx *x, sk_mp_view spec, sk_sched_pod *pod)
{
    sk_reslist reqs, nz;
    int rc = compute(x, spec, false, &reqs);
    if (!rc)
        rc = compute(x, spec, true, &nz);
    if (!rc)
        rc = sk_reslist_export(x, &reqs, &pod->requests);
    if (rc)
        return rc;
    pod->requests.pods = 1;
    pod->nonzero_milli_cpu = nz.cpu;
    pod->nonzero_memory = nz.mem;
    return 0;
}
