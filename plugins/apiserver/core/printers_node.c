/* Cells of `kubectl get nodes` and `kubectl get namespaces`. */
#include <stdlib.h>
#include <string.h>

#include "jutil.h"
#include "printers.h"
#include "strbuf.h"

json_t *sk_cell_node_status(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *ready = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(sk_jget(obj, "status.conditions"), i, c)
    {
        const char *t = sk_jstr(c, "type");
        if (t && strcmp(t, "Ready") == 0)
            ready = sk_jstr(c, "status");
    }
    const char *st = !ready ? "Unknown" : strcmp(ready, "True") == 0 ? "Ready" : "NotReady";
    if (!sk_jbool(obj, "spec.unschedulable", false))
        return json_string(st);
    char buf[64];
    snprintf(buf, sizeof buf, "%s,SchedulingDisabled", st);
    return json_string(buf);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *sk_cell_node_roles(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    static const char prefix[] = "node-role.kubernetes.io/";
    json_t *labels = sk_jget(obj, "metadata.labels");
    const char *roles[64];
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(labels, k, v)
    {
        if (n == sizeof roles / sizeof roles[0])
            break;
        if (strncmp(k, prefix, sizeof prefix - 1) == 0 && k[sizeof prefix - 1])
            roles[n++] = k + sizeof prefix - 1;
        else if (strcmp(k, "kubernetes.io/role") == 0 && json_string_length(v))
            roles[n++] = json_string_value(v);
    }
    if (!n)
        return json_string("<none>");
    qsort(roles, n, sizeof roles[0], cmp_str);
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    for (size_t i = 0; i < n; i++)
        if (!i || strcmp(roles[i], roles[i - 1]) != 0)
            sk_sbuf_printf(&b, "%s%s", b.len ? "," : "", roles[i]);
    json_t *out = json_string(sk_sbuf_str(&b));
    sk_sbuf_free(&b);
    return out;
}

static json_t *node_address(const json_t *obj, const char *type)
{
    size_t i;
    json_t *a;
    json_array_foreach(sk_jget(obj, "status.addresses"), i, a)
    {
        const char *t = sk_jstr(a, "type");
        if (t && strcmp(t, type) == 0 && sk_jstr(a, "address"))
            return json_string(sk_jstr(a, "address"));
    }
    return json_string("<none>");
}

json_t *sk_cell_node_internal_ip(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return node_address(obj, "InternalIP");
}

json_t *sk_cell_node_external_ip(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return node_address(obj, "ExternalIP");
}

static json_t *info_or_unknown(const json_t *obj, const char *path)
{
    const char *s = sk_jstr(obj, path);
    return json_string(s && *s ? s : "<unknown>");
}

json_t *sk_cell_node_os_image(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return info_or_unknown(obj, "status.nodeInfo.osImage");
}

json_t *sk_cell_node_kernel(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return info_or_unknown(obj, "status.nodeInfo.kernelVersion");
}

json_t *sk_cell_node_runtime(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return info_or_unknown(obj, "status.nodeInfo.containerRuntimeVersion");
}

json_t *sk_cell_namespace_status(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *p = sk_jstr(obj, "status.phase");
    return json_string(p ? p : "");
}
