/* Endpoints and EndpointSlice controllers: the addresses of the pods a
 * Service selects, ready ones apart from not-ready ones, with the Service's
 * ports resolved against each pod (named targetPorts). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile.h"

#define EP_MAX_PORTS 16

typedef struct ep_pod {
    sk_mp_view v;
    char ip[64], sig[EP_MAX_PORTS * 8];
    int64_t port[EP_MAX_PORTS]; /* per service port; -1: unresolved */
    bool ready, terminating;
} ep_pod;

/* The container port named name, or -1. */
static int64_t named_port(sk_mp_view pod, sk_mp_view name)
{
    sk_mp_view cs = ctl_get(pod, "spec.containers"), c, ports, p;
    sk_mp_iter it, jt;
    if (!cs.p || sk_mp_iter_init(cs, &it, NULL))
        return -1;
    while (sk_mp_iter_next(&it, NULL, &c) == 1) {
        ports = ctl_get(c, "ports");
        if (!ports.p || sk_mp_iter_init(ports, &jt, NULL))
            continue;
        while (sk_mp_iter_next(&jt, NULL, &p) == 1)
            if (ctl_mp_equal(ctl_get(p, "name"), name))
                return ctl_int(p, "containerPort", -1);
    }
    return -1;
}

static size_t svc_ports(sk_mp_view svc, sk_mp_view *out)
{
    sk_mp_view ports = ctl_get(svc, "spec.ports"), p;
    sk_mp_iter it;
    size_t n = 0;
    if (ports.p && sk_mp_iter_init(ports, &it, NULL) == 0)
        while (n < EP_MAX_PORTS && sk_mp_iter_next(&it, NULL, &p) == 1)
            out[n++] = p;
    return n;
}

static void resolve(ep_pod *e, const sk_mp_view *sp, size_t nsp)
{
    size_t off = 0;
    for (size_t i = 0; i < nsp; i++) {
        sk_mp_view tp = ctl_get(sp[i], "targetPort");
        int64_t v;
        if (!tp.p)
            v = ctl_int(sp[i], "port", -1);
        else if (sk_mp_type_of(tp) == SK_MP_STR)
            v = named_port(e->v, tp);
        else
            v = ctl_int(sp[i], "targetPort", -1);
        e->port[i] = v;
        int n = snprintf(e->sig + off, sizeof e->sig - off, "%lld,", (long long)v);
        if (n > 0 && (size_t)n < sizeof e->sig - off)
            off += (size_t)n;
    }
}

static int cmp_pod(const void *a, const void *b)
{
    const ep_pod *x = a, *y = b;
    int c = strcmp(x->sig, y->sig);
    return c ? c : strcmp(x->ip, y->ip);
}

/* The pods behind the Service, sorted by port signature then IP. */
static size_t select_pods(const ctl_ep_in *in, ep_pod *v, const sk_mp_view *sp, size_t nsp)
{
    sk_mp_view sel = ctl_get(in->svc, "spec.selector");
    bool publish = ctl_bool(in->svc, "spec.publishNotReadyAddresses", false);
    size_t n = 0;
    for (size_t i = 0; i < in->npods; i++) {
        sk_mp_view pod = in->pods[i], phase = ctl_get(pod, "status.phase");
        ep_pod *e = &v[n];
        memset(e, 0, sizeof(*e));
        e->v = pod;
        if (!ctl_map_selector_matches(sel, ctl_get(pod, "metadata.labels")) ||
            !*ctl_str(pod, "status.podIP", e->ip, sizeof e->ip) || ctl_eq(phase, "Succeeded") ||
            ctl_eq(phase, "Failed"))
            continue;
        e->terminating = ctl_deleting(pod);
        if (e->terminating && !publish)
            continue;
        e->ready = publish || ctl_pod_ready(pod);
        resolve(e, sp, nsp);
        n++;
    }
    if (n > 1) /* qsort(NULL, 0) is undefined */
        qsort(v, n, sizeof(*v), cmp_pod);
    return n;
}

static void put_target_ref(sk_mp_buf *b, sk_mp_view pod)
{
    char s[256];
    sk_mp_put_map(b, 4);
    sk_mp_put_str(b, "kind");
    sk_mp_put_str(b, "Pod");
    sk_mp_put_str(b, "namespace");
    sk_mp_put_str(b, ctl_str(pod, "metadata.namespace", s, sizeof s));
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, ctl_str(pod, "metadata.name", s, sizeof s));
    sk_mp_put_str(b, "uid");
    sk_mp_put_str(b, ctl_str(pod, "metadata.uid", s, sizeof s));
}

static void put_address(sk_mp_buf *b, const ep_pod *e)
{
    char node[256];
    ctl_str(e->v, "spec.nodeName", node, sizeof node);
    sk_mp_put_map(b, *node ? 3 : 2);
    sk_mp_put_str(b, "ip");
    sk_mp_put_str(b, e->ip);
    if (*node) {
        sk_mp_put_str(b, "nodeName");
        sk_mp_put_str(b, node);
    }
    sk_mp_put_str(b, "targetRef");
    put_target_ref(b, e->v);
}

static void put_ports(sk_mp_buf *b, const sk_mp_view *sp, size_t nsp, const int64_t *port)
{
    uint32_t n = 0;
    for (size_t i = 0; i < nsp; i++)
        n += port[i] >= 0;
    sk_mp_put_array(b, n);
    for (size_t i = 0; i < nsp; i++) {
        if (port[i] < 0)
            continue;
        sk_mp_view name = ctl_get(sp[i], "name"), proto = ctl_get(sp[i], "protocol");
        bool has_name = name.p && sk_mp_type_of(name) == SK_MP_STR;
        sk_mp_put_map(b, 2 + (has_name ? 1 : 0));
        if (has_name) {
            sk_mp_put_str(b, "name");
            sk_mp_put_raw(b, name);
        }
        sk_mp_put_str(b, "port");
        sk_mp_put_int(b, port[i]);
        sk_mp_put_str(b, "protocol");
        if (proto.p && sk_mp_type_of(proto) == SK_MP_STR)
            sk_mp_put_raw(b, proto);
        else
            sk_mp_put_str(b, "TCP");
    }
}

/* subsets: one per distinct set of resolved ports. */
static void put_subsets(sk_mp_buf *b, const ep_pod *v, size_t n, const sk_mp_view *sp, size_t nsp)
{
    uint32_t groups = 0;
    for (size_t i = 0; i < n; i++)
        groups += i == 0 || strcmp(v[i].sig, v[i - 1].sig) != 0;
    sk_mp_put_array(b, groups);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        uint32_t ready = 0, notready = 0;
        while (j < n && strcmp(v[j].sig, v[i].sig) == 0)
            v[j].ready ? ready++ : notready++, j++;
        sk_mp_put_map(b, 1 + (ready ? 1 : 0) + (notready ? 1 : 0));
        if (ready) {
            sk_mp_put_str(b, "addresses");
            sk_mp_put_array(b, ready);
            for (size_t k = i; k < j; k++)
                if (v[k].ready)
                    put_address(b, &v[k]);
        }
        if (notready) {
            sk_mp_put_str(b, "notReadyAddresses");
            sk_mp_put_array(b, notready);
            for (size_t k = i; k < j; k++)
                if (!v[k].ready)
                    put_address(b, &v[k]);
        }
        sk_mp_put_str(b, "ports");
        put_ports(b, sp, nsp, v[i].port);
        i = j;
    }
}

static void write_obj(ctl_actions *out, const sk_api_kind *k, const ctl_ep_in *in,
                      sk_mp_view cur, const sk_mp_buf *body)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_req_begin(&b, k, in->ns, cur.p ? in->name : NULL, 1);
    sk_mp_put_str(&b, "body");
    sk_mp_put_raw(&b, sk_mp_buf_view(body));
    if (body->err)
        b.err = body->err;
    ctl_actions_push(out, cur.p ? "update" : "create", &b, k->resource, in->ns, in->name);
}

static void put_meta(sk_mp_buf *b, const ctl_ep_in *in, const char *name, sk_mp_view cur,
                     sk_mp_view labels, bool owner)
{
    char rv[64];
    ctl_str(cur, "metadata.resourceVersion", rv, sizeof rv);
    sk_mp_put_map(b, 3 + (*rv ? 1 : 0) + (owner ? 1 : 0));
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, name);
    sk_mp_put_str(b, "namespace");
    sk_mp_put_str(b, in->ns);
    sk_mp_put_str(b, "labels");
    if (labels.p)
        sk_mp_put_raw(b, labels);
    else
        sk_mp_put_map(b, 0);
    if (*rv) {
        sk_mp_put_str(b, "resourceVersion");
        sk_mp_put_str(b, rv);
    }
    if (owner) {
        sk_mp_put_str(b, "ownerReferences");
        sk_mp_put_array(b, 1);
        ctl_put_owner_ref(b, "v1", "Service", in->svc, true);
    }
}

static void sync_endpoints(const ctl_ep_in *in, ctl_actions *out, const ep_pod *v, size_t n,
                           const sk_mp_view *sp, size_t nsp)
{
    sk_mp_buf subsets, body;
    sk_mp_buf_init(&subsets);
    put_subsets(&subsets, v, n, sp, nsp);
    sk_mp_view labels = ctl_get(in->svc, "metadata.labels");
    if (in->endpoints.p && !subsets.err &&
        ctl_mp_equal(sk_mp_buf_view(&subsets), ctl_get(in->endpoints, "subsets")) &&
        (!labels.p || ctl_mp_equal(labels, ctl_get(in->endpoints, "metadata.labels")))) {
        sk_mp_buf_free(&subsets);
        return;
    }
    sk_mp_buf_init(&body);
    sk_mp_put_map(&body, 4);
    sk_mp_put_str(&body, "apiVersion");
    sk_mp_put_str(&body, "v1");
    sk_mp_put_str(&body, "kind");
    sk_mp_put_str(&body, "Endpoints");
    sk_mp_put_str(&body, "metadata");
    put_meta(&body, in, in->name, in->endpoints, labels, false);
    sk_mp_put_str(&body, "subsets");
    sk_mp_put_raw(&body, sk_mp_buf_view(&subsets));
    if (subsets.err)
        body.err = subsets.err;
    write_obj(out, &ctl_k_ep, in, in->endpoints, &body);
    sk_mp_buf_free(&subsets);
    sk_mp_buf_free(&body);
}

void ctl_slice_name(const char *svc, char *buf, size_t size)
{
    snprintf(buf, size, "%s-skiff", svc);
}

static void put_slice_endpoint(sk_mp_buf *b, const ep_pod *e)
{
    char node[256];
    ctl_str(e->v, "spec.nodeName", node, sizeof node);
    sk_mp_put_map(b, *node ? 4 : 3);
    sk_mp_put_str(b, "addresses");
    sk_mp_put_array(b, 1);
    sk_mp_put_str(b, e->ip);
    sk_mp_put_str(b, "conditions");
    sk_mp_put_map(b, 3);
    sk_mp_put_str(b, "ready");
    sk_mp_put_bool(b, e->ready && !e->terminating);
    sk_mp_put_str(b, "serving");
    sk_mp_put_bool(b, e->ready);
    sk_mp_put_str(b, "terminating");
    sk_mp_put_bool(b, e->terminating);
    if (*node) {
        sk_mp_put_str(b, "nodeName");
        sk_mp_put_str(b, node);
    }
    sk_mp_put_str(b, "targetRef");
    put_target_ref(b, e->v);
}

/* One slice: the pods whose ports resolve like the first pod's (the usual
 * case: all); the rest appear in Endpoints only. */
static void sync_slice(const ctl_ep_in *in, ctl_actions *out, const ep_pod *v, size_t n,
                       const sk_mp_view *sp, size_t nsp)
{
    char name[300];
    ctl_slice_name(in->name, name, sizeof name);
    int64_t noports[EP_MAX_PORTS];
    for (size_t i = 0; i < EP_MAX_PORTS; i++)
        noports[i] = -1;
    const int64_t *ports = n ? v[0].port : noports;
    if (!n) /* no pods: the Service's ports as declared */
        for (size_t i = 0; i < nsp; i++)
            noports[i] = ctl_int(sp[i], "port", -1);
    size_t cnt = 0;
    while (cnt < n && strcmp(v[cnt].sig, v[0].sig) == 0)
        cnt++;
    sk_mp_buf eps, pts;
    sk_mp_buf_init(&eps);
    sk_mp_buf_init(&pts);
    sk_mp_put_array(&eps, (uint32_t)cnt);
    for (size_t i = 0; i < cnt; i++)
        put_slice_endpoint(&eps, &v[i]);
    put_ports(&pts, sp, nsp, ports);
    sk_mp_view cur = in->slice;
    if (cur.p && ctl_mp_equal(sk_mp_buf_view(&eps), ctl_get(cur, "endpoints")) &&
        ctl_mp_equal(sk_mp_buf_view(&pts), ctl_get(cur, "ports"))) {
        sk_mp_buf_free(&eps);
        sk_mp_buf_free(&pts);
        return;
    }
    sk_mp_buf labels, s, body;
    sk_mp_buf_init(&labels);
    sk_mp_buf_init(&body);
    sk_mp_buf tmp;
    sk_mp_buf_init(&tmp);
    ctl_put_set_key(&tmp, ctl_get(in->svc, "metadata.labels"), "kubernetes.io/service-name",
                     ctl_mp_str(&s, in->name));
    sk_mp_buf_free(&s);
    ctl_put_set_key(&labels, sk_mp_buf_view(&tmp), "endpointslice.kubernetes.io/managed-by",
                     ctl_mp_str(&s, "endpointslice-controller.k8s.io"));
    sk_mp_buf_free(&s);
    sk_mp_buf_free(&tmp);
    sk_mp_put_map(&body, 6);
    sk_mp_put_str(&body, "apiVersion");
    sk_mp_put_str(&body, "discovery.k8s.io/v1");
    sk_mp_put_str(&body, "kind");
    sk_mp_put_str(&body, "EndpointSlice");
    sk_mp_put_str(&body, "metadata");
    put_meta(&body, in, name, cur, sk_mp_buf_view(&labels), true);
    sk_mp_put_str(&body, "addressType");
    sk_mp_put_str(&body, "IPv4");
    sk_mp_put_str(&body, "endpoints");
    sk_mp_put_raw(&body, sk_mp_buf_view(&eps));
    sk_mp_put_str(&body, "ports");
    sk_mp_put_raw(&body, sk_mp_buf_view(&pts));
    if (eps.err || pts.err || labels.err)
        body.err = -ENOMEM;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_req_begin(&b, &ctl_k_eps, in->ns, cur.p ? name : NULL, 1);
    sk_mp_put_str(&b, "body");
    sk_mp_put_raw(&b, sk_mp_buf_view(&body));
    if (body.err)
        b.err = body.err;
    ctl_actions_push(out, cur.p ? "update" : "create", &b, "endpointslices", in->ns, name);
    sk_mp_buf_free(&eps);
    sk_mp_buf_free(&pts);
    sk_mp_buf_free(&labels);
    sk_mp_buf_free(&body);
}

int ctl_endpoints_sync(const ctl_ep_in *in, ctl_actions *out)
{
    if (!in->svc.p || ctl_deleting(in->svc)) {
        char name[300];
        ctl_slice_name(in->name, name, sizeof name);
        if (in->endpoints.p)
            ctl_delete(out, &ctl_k_ep, in->ns, in->name, NULL, NULL);
        if (in->slice.p)
            ctl_delete(out, &ctl_k_eps, in->ns, name, NULL, NULL);
        return out->err;
    }
    sk_mp_view sel = ctl_get(in->svc, "spec.selector");
    uint32_t nsel = 0;
    sk_mp_iter it;
    if (!sel.p || sk_mp_type_of(sel) != SK_MP_MAP || sk_mp_iter_init(sel, &it, &nsel) || !nsel)
        return 0; /* no selector: Endpoints are the user's */
    sk_mp_view sp[EP_MAX_PORTS];
    size_t nsp = svc_ports(in->svc, sp);
    ep_pod *v = in->npods ? calloc(in->npods, sizeof(*v)) : NULL;
    if (in->npods && !v)
        return out->err = -ENOMEM;
    size_t n = select_pods(in, v, sp, nsp);
    sync_endpoints(in, out, v, n, sp, nsp);
    sync_slice(in, out, v, n, sp, nsp);
    free(v);
    return out->err;
}
