/* pods/log: the apiserver holds no logs; it asks the kubelet of the pod's
 * node over the bus (service "kubelet/<node>", method "log", docs/API.md)
 * and passes its bytes on as text/plain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutil.h"
#include "objects.h"
#include "status.h"
#include "write.h"

/* The container to read: the one asked for, the default-container
 * annotation, or the only one; NULL after setting a 400. */
static const char *pick_container(const ap_req *rq, const json_t *pod, ap_resp *out)
{
    json_t *cs = sk_jget(pod, "spec.containers");
    char msg[1024];
    const char *want = rq->o.container;
    if (!want || !*want)
        want = json_string_value(json_object_get(sk_jget(pod, "metadata.annotations"),
                                                 "kubectl.kubernetes.io/default-container"));
    if (want && *want) {
        size_t i;
        json_t *c;
        json_array_foreach(cs, i, c)
            if (sk_jstr(c, "name") && strcmp(sk_jstr(c, "name"), want) == 0)
                return want;
        json_array_foreach(sk_jget(pod, "spec.initContainers"), i, c)
            if (sk_jstr(c, "name") && strcmp(sk_jstr(c, "name"), want) == 0)
                return want;
        snprintf(msg, sizeof msg, "container %.200s is not valid for pod %.200s", want, rq->name);
        ap_resp_status(out, sk_status_bad_request(msg));
        return NULL;
    }
    if (json_array_size(cs) == 1)
        return sk_jstr(json_array_get(cs, 0), "name");
    snprintf(msg, sizeof msg, "a container name must be specified for pod %.200s", rq->name);
    ap_resp_status(out, sk_status_bad_request(msg));
    return NULL;
}

static void put_kv_int(sk_mp_buf *b, const char *k, int64_t v)
{
    sk_mp_put_str(b, k);
    sk_mp_put_int(b, v);
}

static void encode_request(const ap_req *rq, const json_t *pod, const char *container,
                           bool follow, sk_mp_buf *b)
{
    const ap_opts *o = &rq->o;
    sk_mp_put_map(b, 10);
    sk_mp_put_str(b, "namespace");
    sk_mp_put_str(b, rq->ns ? rq->ns : "");
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, rq->name);
    sk_mp_put_str(b, "uid");
    sk_mp_put_str(b, sk_jstr(pod, "metadata.uid") ? sk_jstr(pod, "metadata.uid") : "");
    sk_mp_put_str(b, "container");
    sk_mp_put_str(b, container);
    sk_mp_put_str(b, "follow");
    sk_mp_put_bool(b, follow);
    sk_mp_put_str(b, "previous");
    sk_mp_put_bool(b, o->previous);
    sk_mp_put_str(b, "timestamps");
    sk_mp_put_bool(b, o->timestamps);
    put_kv_int(b, "tailLines", o->tail_lines);
    put_kv_int(b, "sinceSeconds", o->since_seconds);
    put_kv_int(b, "limitBytes", o->limit_bytes);
}

int ap_log_bytes(const void *rep, size_t n, const void **p, size_t *len)
{
    sk_mp_view v, x;
    if (sk_mp_check(rep, n, 8, &v))
        return -1;
    if (sk_mp_type_of(v) == SK_MP_MAP && sk_mp_find(v, "log", &x) == 0)
        v = x;
    const char *s;
    if (sk_mp_get_bin(v, p, len) == 0)
        return 0;
    if (sk_mp_get_str(v, &s, len) == 0) {
        *p = s;
        return 0;
    }
    return -1;
}

int ap_log_prepare(ap_server *s, const ap_req *rq, bool follow, char *svc, size_t svc_size,
                   sk_mp_buf *req, ap_resp *out)
{
    json_t *pod = NULL;
    int64_t rev;
    if (ap_read_current(s, rq, &pod, &rev, out))
        return -1;
    const char *node = sk_jstr(pod, "spec.nodeName");
    char msg[600];
    int rc = -1;
    const char *container = pick_container(rq, pod, out);
    if (!container)
        goto done;
    if (!node || !*node) {
        snprintf(msg, sizeof msg, "pod %.200s does not have a host assigned", rq->name);
        ap_resp_status(out, sk_status_bad_request(msg));
        goto done;
    }
    snprintf(svc, svc_size, "kubelet/%.250s", node);
    encode_request(rq, pod, container, follow, req);
    rc = req->err ? ap_resp_status(out, sk_status_internal("out of memory")) : 0;
done:
    json_decref(pod);
    return rc;
}

void ap_log_unavailable(const char *svc, ap_resp *out)
{
    char msg[400];
    snprintf(msg, sizeof msg, "no kubelet for node %.250s yet",
             strncmp(svc, "kubelet/", 8) == 0 ? svc + 8 : svc);
    ap_resp_status(out, sk_status_unavailable(msg));
}

void ap_handle_log(ap_server *s, ap_req *rq, ap_resp *out)
{
    char svc[300], msg[600];
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    if (ap_log_prepare(s, rq, false, svc, sizeof svc, &b, out)) {
        sk_mp_buf_free(&b);
        return;
    }
    void *rep = NULL;
    size_t n = 0;
    char err[400] = "";
    int rc = sk_call(s->h, svc, "log", b.data, b.len, (int)s->conf.timeout_ms, &rep, &n, err,
                     sizeof err);
    sk_mp_buf_free(&b);
    if (rc == SK_ENOSERVICE) {
        ap_log_unavailable(svc, out);
    } else if (rc) {
        snprintf(msg, sizeof msg, "%.250s: %.300s", svc, *err ? err : sk_strerror(rc));
        ap_resp_status(out, ap_status_for(rq->res, rq->name, rc, msg));
    } else {
        const void *p;
        size_t len;
        if (ap_log_bytes(rep, n, &p, &len)) {
            ap_resp_status(out, sk_status_internal("kubelet: malformed log answer"));
        } else if ((out->raw = malloc(len + 1))) {
            memcpy(out->raw, p, len);
            out->raw_len = len;
            out->raw_type = "text/plain";
        } else {
            ap_resp_status(out, sk_status_internal("out of memory"));
        }
    }
    free(rep);
}
