/* Cells of config maps, secrets, service accounts, leases and events. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "jutil.h"
#include "k8s_time.h"
#include "printers.h"

json_t *sk_cell_data_count(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return json_integer((json_int_t)(json_object_size(sk_jget(obj, "data")) +
                                     json_object_size(sk_jget(obj, "binaryData"))));
}

json_t *sk_cell_secret_type(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *t = sk_jstr(obj, "type");
    return json_string(t ? t : "");
}

json_t *sk_cell_sa_secrets(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    return json_integer((json_int_t)json_array_size(sk_jget(obj, "secrets")));
}

json_t *sk_cell_lease_holder(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *h = sk_jstr(obj, "spec.holderIdentity");
    return json_string(h ? h : "");
}

static bool has_time(const json_t *obj, const char *path)
{
    const char *s = sk_jstr(obj, path);
    return s && *s;
}

json_t *sk_cell_event_first_seen(const json_t *obj, const sk_cell_ctx *ctx)
{
    char buf[32];
    sk_age(sk_jstr(obj, has_time(obj, "firstTimestamp") ? "firstTimestamp" : "eventTime"),
           ctx->now, buf, sizeof buf);
    return json_string(buf);
}

json_t *sk_cell_event_last_seen(const json_t *obj, const sk_cell_ctx *ctx)
{
    char buf[32];
    if (sk_jget(obj, "series") && has_time(obj, "series.lastObservedTime"))
        sk_age(sk_jstr(obj, "series.lastObservedTime"), ctx->now, buf, sizeof buf);
    else if (has_time(obj, "lastTimestamp"))
        sk_age(sk_jstr(obj, "lastTimestamp"), ctx->now, buf, sizeof buf);
    else
        return sk_cell_event_first_seen(obj, ctx);
    return json_string(buf);
}

json_t *sk_cell_event_object(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *kind = sk_jstr(obj, "involvedObject.kind");
    const char *name = sk_jstr(obj, "involvedObject.name");
    char buf[512];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%s", kind ? kind : "");
    for (size_t i = 0; i < n && i < sizeof buf; i++)
        buf[i] = (char)tolower((unsigned char)buf[i]);
    if (name && *name)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "/%s", name);
    return json_string(buf);
}

json_t *sk_cell_event_source(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    const char *comp = sk_jstr(obj, "source.component");
    const char *host = sk_jstr(obj, "source.host");
    if (!comp || !*comp) {
        comp = sk_jstr(obj, "reportingComponent");
        host = sk_jstr(obj, "reportingInstance");
    }
    char buf[512];
    if (host && *host)
        snprintf(buf, sizeof buf, "%s, %s", comp ? comp : "", host);
    else
        snprintf(buf, sizeof buf, "%s", comp ? comp : "");
    return json_string(buf);
}

json_t *sk_cell_event_count(const json_t *obj, const sk_cell_ctx *ctx)
{
    (void)ctx;
    int64_t count = sk_jint(obj, "count", 0);
    if (sk_jget(obj, "series"))
        count = sk_jint(obj, "series.count", 0);
    else if (!count)
        count = 1;
    return json_integer((json_int_t)count);
}
