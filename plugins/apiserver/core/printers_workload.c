/* Cells of deployments and replica sets. */
#include <stdio.h>
#include <stdlib.h>

#include "jutil.h"
#include "label_selector.h"
#include "printers.h"
#include "strbuf.h"

json_t *sk_cell_deploy_ready(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    char buf[64];
    snprintf(buf, sizeof buf, "%lld/%lld", (long long)sk_jint(obj, "status.readyReplicas", 0),
             (long long)sk_jint(obj, "spec.replicas", 0));
    return json_string(buf);
}

static json_t *join_containers(const json_t *obj, const char *field)
{
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    size_t i;
    json_t *c;
    json_array_foreach(sk_jget(obj, "spec.template.spec.containers"), i, c)
    {
        const char *v = sk_jstr(c, field);
        sk_sbuf_printf(&b, "%s%s", i ? "," : "", v ? v : "");
    }
    json_t *out = json_string(sk_sbuf_str(&b));
    sk_sbuf_free(&b);
    return out;
}

json_t *sk_cell_workload_containers(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return join_containers(obj, "name");
}

json_t *sk_cell_workload_images(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return join_containers(obj, "image");
}

json_t *sk_cell_workload_selector(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    sk_label_selector sel;
    if (sk_label_selector_from_json(sk_jget(obj, "spec.selector"), &sel, NULL))
        return json_string("<invalid>");
    char *s = sk_label_selector_string(&sel);
    sk_label_selector_free(&sel);
    json_t *out = json_string(s && *s ? s : "<none>");
    free(s);
    return out;
}
