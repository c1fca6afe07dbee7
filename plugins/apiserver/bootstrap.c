/* What a fresh cluster has before anyone asks: the system namespaces and
 * the `kubernetes` Service on the first address of the service range.
 * Created through the request core (so defaulting and allocation apply);
 * an object that exists already is left alone. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver.h"
#include "registry.h"

extern const sk_resource sk_res_namespaces, sk_res_services;

static int create(ap_server *s, const sk_resource *r, const char *ns, json_t *body)
{
    ap_req rq = {.verb = AP_CREATE, .res = r, .ns = ns, .body = body};
    ap_opts_init(&rq.o);
    ap_resp out;
    ap_resp_init(&out);
    ap_handle(s, &rq, &out);
    int code = out.code;
    if (out.status && code != 409) {
        char *t = json_dumps(json_object_get(out.status, "message"), JSON_ENCODE_ANY);
        sk_warn(s->h, "apiserver: bootstrap: cannot create %s %s: %s", r->plural,
                json_string_value(json_object_get(json_object_get(body, "metadata"), "name")),
                t ? t : "?");
        free(t);
    }
    ap_resp_free(&out);
    ap_req_free(&rq);
    return code == 201 || code == 409 ? 0 : -1;
}

int ap_bootstrap_once(ap_server *s)
{
    static const char *const names[] = {"default", "kube-system", "kube-public",
                                        "kube-node-lease", NULL};
    int rc = 0;
    for (size_t i = 0; names[i]; i++)
        rc |= create(s, &sk_res_namespaces, NULL,
                     json_pack("{s:{s:s}}", "metadata", "name", names[i]));
    struct in_addr a = {htonl(s->conf.svc_net + 1)};
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, ip, sizeof ip);
    json_t *svc = json_pack("{s:{s:s, s:{s:s, s:s}}, s:{s:s, s:s, s:[{s:s, s:i, s:s, s:i}]}}",
                            "metadata", "name", "kubernetes", "labels", "component",
                            "apiserver", "provider", "kubernetes", "spec", "type", "ClusterIP",
                            "clusterIP", ip, "ports", "name", "https", "port", 443, "protocol",
                            "TCP", "targetPort", s->port);
    rc |= create(s, &sk_res_services, "default", svc);
    return rc;
}
