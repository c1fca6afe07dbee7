/* Cells of services, endpoints and endpoint slices. */
#include <stdlib.h>
#include <string.h>

#include "jutil.h"
#include "printers.h"
#include "strbuf.h"

static json_t *sbuf_cell(sk_sbuf *b, const char *empty)
{
    json_t *out = json_string(b->len ? sk_sbuf_str(b) : empty);
    sk_sbuf_free(b);
    return out;
}

json_t *sk_cell_service_type(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *t = sk_jstr(obj, "spec.type");
    return json_string(t ? t : "");
}

json_t *sk_cell_service_cluster_ip(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *ip = sk_jstr(obj, "spec.clusterIP");
    return json_string(ip && *ip ? ip : "<none>");
}

json_t *sk_cell_service_external_ip(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *type = sk_jstr(obj, "spec.type");
    if (type && strcmp(type, "ExternalName") == 0) {
        const char *n = sk_jstr(obj, "spec.externalName");
        return json_string(n ? n : "");
    }
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    size_t i;
    json_t *v;
    bool lb = type && strcmp(type, "LoadBalancer") == 0;
    if (lb) {
        json_array_foreach(sk_jget(obj, "status.loadBalancer.ingress"), i, v)
        {
            const char *a = sk_jstr(v, "ip");
            if (!a || !*a)
                a = sk_jstr(v, "hostname");
            if (a && *a)
                sk_sbuf_printf(&b, "%s%s", b.len ? "," : "", a);
        }
    }
    json_array_foreach(sk_jget(obj, "spec.externalIPs"), i, v)
    {
        if (json_string_length(v))
            sk_sbuf_printf(&b, "%s%s", b.len ? "," : "", json_string_value(v));
    }
    return sbuf_cell(&b, lb ? "<pending>" : "<none>");
}

json_t *sk_cell_service_ports(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    size_t i;
    json_t *p;
    json_array_foreach(sk_jget(obj, "spec.ports"), i, p)
    {
        const char *proto = sk_jstr(p, "protocol");
        long long port = sk_jint(p, "port", 0), node = sk_jint(p, "nodePort", 0);
        if (i)
            sk_sbuf_putc(&b, ',');
        if (node > 0)
            sk_sbuf_printf(&b, "%lld:%lld/%s", port, node, proto ? proto : "TCP");
        else
            sk_sbuf_printf(&b, "%lld/%s", port, proto ? proto : "TCP");
    }
    return sbuf_cell(&b, "<none>");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *sk_cell_service_selector(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    json_t *sel = sk_jget(obj, "spec.selector");
    size_t n = json_object_size(sel), i = 0;
    if (!n)
        return json_string("<none>");
    const char **keys = calloc(n, sizeof *keys);
    if (!keys)
        return NULL;
    const char *k;
    json_t *v;
    json_object_foreach(sel, k, v)
    {
        keys[i++] = k;
    }
    qsort(keys, n, sizeof *keys, cmp_str);
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    for (i = 0; i < n; i++) {
        const char *val = json_string_value(json_object_get(sel, keys[i]));
        sk_sbuf_printf(&b, "%s%s=%s", i ? "," : "", keys[i], val ? val : "");
    }
    free(keys);
    return sbuf_cell(&b, "<none>");
}

/* At most three entries, then " + N more...", as kubectl shows. */
typedef struct short_list {
    sk_sbuf b;
    size_t shown, total;
} short_list;

static void short_add(short_list *l, const char *ip, long long port, bool with_port)
{
    l->total++;
    if (l->shown == 3)
        return;
    l->shown++;
    if (l->b.len)
        sk_sbuf_putc(&l->b, ',');
    bool v6 = strchr(ip, ':') != NULL;
    if (!with_port)
        sk_sbuf_puts(&l->b, ip);
    else if (v6)
        sk_sbuf_printf(&l->b, "[%s]:%lld", ip, port);
    else
        sk_sbuf_printf(&l->b, "%s:%lld", ip, port);
}

static json_t *short_cell(short_list *l, const char *empty)
{
    if (l->total > l->shown)
        sk_sbuf_printf(&l->b, " + %zu more...", l->total - l->shown);
    return sbuf_cell(&l->b, empty);
}

json_t *sk_cell_endpoints(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    short_list l = {.shown = 0};
    sk_sbuf_init(&l.b, 0);
    size_t i, j, k;
    json_t *ss, *port, *addr;
    json_array_foreach(sk_jget(obj, "subsets"), i, ss)
    {
        json_t *ports = json_object_get(ss, "ports");
        json_t *addrs = json_object_get(ss, "addresses");
        if (!json_array_size(ports)) {
            json_array_foreach(addrs, k, addr)
            {
                const char *ip = sk_jstr(addr, "ip");
                short_add(&l, ip ? ip : "", 0, false);
            }
            continue;
        }
        json_array_foreach(ports, j, port)
        {
            json_array_foreach(addrs, k, addr)
            {
                const char *ip = sk_jstr(addr, "ip");
                short_add(&l, ip ? ip : "", sk_jint(port, "port", 0), true);
            }
        }
    }
    return short_cell(&l, "<none>");
}

json_t *sk_cell_slice_ports(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    short_list l = {.shown = 0};
    sk_sbuf_init(&l.b, 0);
    size_t i;
    json_t *p;
    json_array_foreach(sk_jget(obj, "ports"), i, p)
    {
        l.total++;
        if (l.shown == 3)
            continue;
        l.shown++;
        json_t *port = json_object_get(p, "port");
        if (l.b.len)
            sk_sbuf_putc(&l.b, ',');
        if (json_is_integer(port))
            sk_sbuf_printf(&l.b, "%lld", (long long)json_integer_value(port));
        else
            sk_sbuf_puts(&l.b, "<unset>");
    }
    return short_cell(&l, "<unset>");
}

json_t *sk_cell_slice_endpoints(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    short_list l = {.shown = 0};
    sk_sbuf_init(&l.b, 0);
    size_t i, j;
    json_t *ep, *a;
    json_array_foreach(sk_jget(obj, "endpoints"), i, ep)
    {
        json_array_foreach(json_object_get(ep, "addresses"), j, a)
        {
            if (json_is_string(a))
                short_add(&l, json_string_value(a), 0, false);
        }
    }
    return short_cell(&l, "<unset>");
}
