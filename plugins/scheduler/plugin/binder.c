/* DefaultBinder: binds a pod with the apiserver's pods/binding subresource
 * (bus method `bind`). This descriptor's bind() blocks (a bus call) and so
 * only ever runs on the binding thread, for profiles whose binding cycle
 * has third-party PreBind/Bind plugins; when DefaultBinder is the whole
 * binding cycle the loop sends the same request asynchronously (drive.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp.h"

typedef struct binder {
    const sk_host *host;
} binder;

void sp_put_bind_request(sk_mp_buf *b, const char *ns, const char *name, const char *uid,
                         const char *node)
{
    sp_put_pod_request(b, ns, name, 1);
    sk_mp_put_str(b, "body");
    sk_mp_put_map(b, 4);
    sk_mp_put_str(b, "apiVersion");
    sk_mp_put_str(b, "v1");
    sk_mp_put_str(b, "kind");
    sk_mp_put_str(b, "Binding");
    sk_mp_put_str(b, "metadata");
    sk_mp_put_map(b, 3);
    sk_mp_put_str(b, "namespace");
    sk_mp_put_str(b, ns);
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, name);
    sk_mp_put_str(b, "uid");
    sk_mp_put_str(b, uid);
    sk_mp_put_str(b, "target");
    sk_mp_put_map(b, 2);
    sk_mp_put_str(b, "kind");
    sk_mp_put_str(b, "Node");
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, node);
}

static int create(const sk_sched_handle *h, void **self, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    binder *b = calloc(1, sizeof(*b));
    if (!b)
        return -ENOMEM;
    b->host = h->host;
    *self = b;
    return 0;
}

static void destroy(void *self)
{
    free(self);
}

static sk_sched_code bind(void *self, sk_sched_cycle *c, const sk_sched_pod *pod, const char *node,
                          sk_sched_status *st)
{
    (void)c;
    const binder *b = self;
    if (!b->host)
        return SK_SCHED_ERROR; /* no bus in unit tests */
    sk_mp_buf req;
    sk_mp_buf_init(&req);
    sp_put_bind_request(&req, pod->ns, pod->name, pod->uid, node);
    void *rep = NULL;
    size_t n = 0;
    char msg[256] = "";
    int rc = req.err ? req.err
                     : sk_call(b->host, "api", "bind", req.data, req.len, 10000, &rep, &n, msg,
                               sizeof(msg));
    sk_mp_buf_free(&req);
    free(rep);
    if (rc == 0)
        return SK_SCHED_SUCCESS;
    (void)st; /* the caller reports the code; the message goes to the log */
    sk_warn(b->host, "scheduler: binding %s/%s to %s: %s %s", pod->ns, pod->name, node,
            sk_strerror(rc), msg);
    return SK_SCHED_ERROR;
}

const sk_sched_plugin_desc sp_default_binder = {
    SK_SCHED_PLUGIN_DESC_INIT,
    .name = SP_BINDER,
    .version = SK_VERSION,
    .description = "binds pods with the apiserver's pods/binding subresource",
    .create = create,
    .destroy = destroy,
    .bind = bind,
};
