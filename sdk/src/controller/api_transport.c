/* The bus-backed API transport and request-building helpers shared by the
 * informer, the leader elector and controllers. */
#include <stdio.h>
#include <string.h>

#include "skiff/errors.h"
#include "skiff/informer.h"
#include "skiff/skiff.h"

static int bus_request(void *ctx, const char *method, const void *data, size_t len,
                       int timeout_ms, sk_bus_reply_fn fn, void *arg, uint64_t *id)
{
    sk_api_bus *b = ctx;
    return sk_request(b->host, b->service ? b->service : "api", method, data, len, timeout_ms,
                      fn, arg, id);
}

static int bus_cancel(void *ctx, uint64_t id)
{
    sk_api_bus *b = ctx;
    return b->host->bus->cancel(b->host->bus_ctx, id);
}

static int bus_call(void *ctx, const char *method, const void *data, size_t len, int timeout_ms,
                    void **reply, size_t *reply_len)
{
    sk_api_bus *b = ctx;
    return sk_call(b->host, b->service ? b->service : "api", method, data, len, timeout_ms, reply,
                   reply_len, NULL, 0);
}

sk_api_transport sk_api_transport_bus(sk_api_bus *b)
{
    return (sk_api_transport){.ctx = b, .request = bus_request, .cancel = bus_cancel,
                              .call = bus_call};
}

void sk_api_put_request(sk_mp_buf *b, const sk_api_kind *kind, const char *namespace_,
                        uint32_t extra)
{
    bool ns = namespace_ && *namespace_;
    sk_mp_put_map(b, 3 + (ns ? 1 : 0) + extra);
    sk_mp_put_str(b, "group");
    sk_mp_put_str(b, kind->group ? kind->group : "");
    sk_mp_put_str(b, "version");
    sk_mp_put_str(b, kind->version ? kind->version : "v1");
    sk_mp_put_str(b, "resource");
    sk_mp_put_str(b, kind->resource ? kind->resource : "");
    if (ns) {
        sk_mp_put_str(b, "namespace");
        sk_mp_put_str(b, namespace_);
    }
}

int sk_object_key(sk_mp_view obj, char *buf, size_t size)
{
    char ns[256] = "", name[256];
    int rc = sk_mp_find_str(obj, "metadata.name", name, sizeof name);
    if (rc == SK_ENOTFOUND || (rc == 0 && !*name))
        return SK_EBADMSG;
    if (rc)
        return rc == SK_ETOOLARGE ? SK_ETOOLARGE : SK_EBADMSG;
    rc = sk_mp_find_str(obj, "metadata.namespace", ns, sizeof ns);
    if (rc && rc != SK_ENOTFOUND)
        return rc == SK_ETOOLARGE ? SK_ETOOLARGE : SK_EBADMSG;
    int n = *ns ? snprintf(buf, size, "%s/%s", ns, name) : snprintf(buf, size, "%s", name);
    return n < 0 || (size_t)n >= size ? SK_ETOOLARGE : 0;
}
