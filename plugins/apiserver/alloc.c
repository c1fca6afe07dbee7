/* ClusterIP and NodePort allocation (alloc.h). Each range is one stored
 * map "value" -> "namespace/name", rewritten with compare-and-swap; a
 * lost race re-reads and tries again. */
#include "alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "json_mp.h"
#include "jutil.h"
#include "objects.h"
#include "status.h"

#define IPS_KEY "/registry/ranges/serviceips"
#define PORTS_KEY "/registry/ranges/servicenodeports"
#define ALLOC_RETRIES 64

int ap_parse_cidr(const char *text, uint32_t *net, uint32_t *mask)
{
    char ip[64];
    const char *slash = strchr(text, '/');
    if (!slash || (size_t)(slash - text) >= sizeof ip)
        return -1;
    memcpy(ip, text, (size_t)(slash - text));
    ip[slash - text] = 0;
    char *end;
    long bits = strtol(slash + 1, &end, 10);
    struct in_addr a;
    if (*end || bits < 8 || bits > 30 || inet_pton(AF_INET, ip, &a) != 1)
        return -1;
    *mask = bits == 0 ? 0 : ~0u << (32 - bits);
    *net = ntohl(a.s_addr) & *mask;
    return 0;
}

typedef int (*range_fn)(ap_server *s, json_t *used, void *arg, sk_apierr *err);

/* Reads the range map at key, lets fn change it, writes it back. */
static int range_update(ap_server *s, const char *key, range_fn fn, void *arg, sk_apierr *err)
{
    for (int i = 0; i < ALLOC_RETRIES; i++) {
        ap_retry_pause(i);
        void *buf = NULL;
        ap_kv kv;
        json_t *used = NULL;
        int64_t rev = 0;
        int rc = ap_store_get(s, key, &buf, &kv, err);
        if (rc == 0) {
            rc = sk_mp_to_json(kv.value.p, kv.value.len, NULL, &used, err);
            rev = kv.mod_rev;
        } else if (rc == SK_ENOTFOUND) {
            used = json_object();
            rc = 0;
        }
        free(buf);
        if (rc == 0 && !json_is_object(used))
            rc = sk_apierr_set(err, SK_EBADMSG, "%s: not a map", key);
        if (rc == 0)
            rc = fn(s, used, arg, err);
        if (rc) {
            json_decref(used);
            return rc;
        }
        sk_mp_buf b;
        sk_mp_buf_init(&b);
        rc = sk_json_to_mp(used, &b, NULL, err);
        json_decref(used);
        int64_t nrev;
        if (rc == 0)
            rc = rev ? ap_store_update(s, key, b.data, b.len, rev, &nrev, err)
                     : ap_store_create(s, key, b.data, b.len, &nrev, err);
        sk_mp_buf_free(&b);
        if (rc != SK_ECONFLICT && rc != SK_EEXISTS && rc != SK_ENOTFOUND)
            return rc;
    }
    return sk_apierr_set(err, SK_ECONFLICT, "%s: too many concurrent allocations", key);
}

static uint32_t rnd32(void)
{
    uint32_t v = 0;
    if (getrandom(&v, sizeof v, 0) != sizeof v)
        v = (uint32_t)rand();
    return v;
}

/* ---- cluster IPs ---- */

typedef struct ip_job {
    const char *owner;
    char ip[INET_ADDRSTRLEN]; /* in: wanted ("" = any); out: allocated */
    bool release;
} ip_job;

static int ip_fn(ap_server *s, json_t *used, void *arg, sk_apierr *err)
{
    ip_job *j = arg;
    if (j->release) {
        json_object_del(used, j->ip);
        return 0;
    }
    if (*j->ip) {
        json_t *who = json_object_get(used, j->ip);
        if (who && strcmp(json_string_value(who) ? json_string_value(who) : "", j->owner) != 0)
            return sk_apierr_set(err, -EADDRINUSE, "provided IP is already allocated");
        json_object_set_new(used, j->ip, json_string(j->owner));
        return 0;
    }
    uint32_t size = ~s->conf.svc_mask + 1, start = rnd32() % (size - 2);
    for (uint32_t i = 0; i < size - 2; i++) {
        uint32_t off = 1 + (start + i) % (size - 2);
        struct in_addr a = {htonl(s->conf.svc_net + off)};
        inet_ntop(AF_INET, &a, j->ip, sizeof j->ip);
        if (!json_object_get(used, j->ip)) {
            json_object_set_new(used, j->ip, json_string(j->owner));
            return 0;
        }
    }
    return sk_apierr_set(err, SK_EQUOTA, "range is full");
}

static bool ip_in_range(ap_server *s, const char *ip)
{
    struct in_addr a;
    if (inet_pton(AF_INET, ip, &a) != 1)
        return false;
    uint32_t v = ntohl(a.s_addr);
    return (v & s->conf.svc_mask) == s->conf.svc_net && v != s->conf.svc_net &&
           v != (s->conf.svc_net | ~s->conf.svc_mask);
}

/* ---- node ports ---- */

typedef struct port_job {
    const char *owner;
    json_t *ports; /* the Service's spec.ports; nodePort filled in */
    bool release;
    char bad[160];
} port_job;

static int port_fn(ap_server *s, json_t *used, void *arg, sk_apierr *err)
{
    port_job *j = arg;
    size_t i;
    json_t *p;
    char k[16];
    json_array_foreach(j->ports, i, p) {
        json_t *np = json_object_get(p, "nodePort");
        if (json_is_integer(np) && json_integer_value(np) != 0) {
            snprintf(k, sizeof k, "%lld", (long long)json_integer_value(np));
            if (j->release) {
                json_object_del(used, k);
                continue;
            }
            json_t *who = json_object_get(used, k);
            if (who && strcmp(json_string_value(who) ? json_string_value(who) : "", j->owner)) {
                snprintf(j->bad, sizeof j->bad, "spec.ports[%zu].nodePort", i);
                return sk_apierr_set(err, -EADDRINUSE, "provided port is already allocated");
            }
            json_object_set_new(used, k, json_string(j->owner));
            continue;
        }
        if (j->release)
            continue;
        int64_t n = s->conf.np_hi - s->conf.np_lo + 1, start = rnd32() % n, got = -1;
        for (int64_t t = 0; t < n && got < 0; t++) {
            int64_t port = s->conf.np_lo + (start + t) % n;
            snprintf(k, sizeof k, "%lld", (long long)port);
            if (!json_object_get(used, k))
                got = port;
        }
        if (got < 0)
            return sk_apierr_set(err, SK_EQUOTA, "node port range is full");
        json_object_set_new(used, k, json_string(j->owner));
        json_object_set_new(p, "nodePort", json_integer(got));
    }
    return 0;
}

static bool is_services(const sk_resource *r)
{
    return strcmp(r->plural, "services") == 0 && !*r->group;
}

static bool wants_node_ports(const json_t *svc)
{
    const char *t = sk_jstr(svc, "spec.type");
    return t && (strcmp(t, "NodePort") == 0 || strcmp(t, "LoadBalancer") == 0);
}

static int invalid(const ap_req *rq, const json_t *obj, const char *field, const char *value,
                   const char *why, ap_resp *out)
{
    sk_causes c;
    sk_causes_init(&c);
    sk_cause_invalid_str(&c, field, value, why);
    ap_resp_status(out, sk_status_invalid(rq->res, sk_jstr(obj, "metadata.name"), &c));
    sk_causes_free(&c);
    return -1;
}

static void owner_of(const json_t *obj, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", sk_jstr(obj, "metadata.namespace") ? sk_jstr(obj, "metadata.namespace") : "",
             sk_jstr(obj, "metadata.name") ? sk_jstr(obj, "metadata.name") : "");
}

static int alloc_ports(ap_server *s, const ap_req *rq, json_t *obj, const char *owner,
                       ap_resp *out)
{
    if (!wants_node_ports(obj))
        return 0;
    port_job pj = {.owner = owner, .ports = sk_jget(obj, "spec.ports")};
    size_t i;
    json_t *p;
    json_array_foreach(pj.ports, i, p) {
        json_t *np = json_object_get(p, "nodePort");
        if (json_is_integer(np) && json_integer_value(np) &&
            (json_integer_value(np) < s->conf.np_lo || json_integer_value(np) > s->conf.np_hi)) {
            char f[64], v[24], why[96];
            snprintf(f, sizeof f, "spec.ports[%zu].nodePort", i);
            snprintf(v, sizeof v, "%lld", (long long)json_integer_value(np));
            snprintf(why, sizeof why, "provided port is not in the valid range. The range of "
                     "valid ports is %lld-%lld", (long long)s->conf.np_lo,
                     (long long)s->conf.np_hi);
            return invalid(rq, obj, f, v, why, out);
        }
    }
    sk_apierr err = {{0}};
    int rc = range_update(s, PORTS_KEY, port_fn, &pj, &err);
    if (rc == -EADDRINUSE)
        return invalid(rq, obj, pj.bad, "", err.msg, out);
    if (rc) {
        ap_resp_status(out, ap_status_for(NULL, NULL, rc, err.msg));
        return -1;
    }
    return 0;
}

int ap_alloc_on_create(ap_server *s, const ap_req *rq, json_t *obj, ap_resp *out)
{
    if (!is_services(rq->res) || rq->o.dry_run)
        return 0;
    char owner[600];
    owner_of(obj, owner, sizeof owner);
    json_t *spec = sk_jobj(obj, "spec");
    const char *type = sk_jstr(spec, "type");
    const char *ip = sk_jstr(spec, "clusterIP");
    if (type && strcmp(type, "ExternalName") == 0)
        return 0;
    if (!ip || strcmp(ip, "None") != 0) {
        ip_job j = {.owner = owner};
        if (ip && *ip) {
            if (!ip_in_range(s, ip)) {
                char why[160];
                snprintf(why, sizeof why, "provided IP is not in the valid range. The range of "
                         "valid IPs is %s", sk_cfg_str(s->h, "service_cidr", "10.96.0.0/12"));
                return invalid(rq, obj, "spec.clusterIPs", ip, why, out);
            }
            snprintf(j.ip, sizeof j.ip, "%s", ip);
        }
        sk_apierr err = {{0}};
        int rc = range_update(s, IPS_KEY, ip_fn, &j, &err);
        if (rc == -EADDRINUSE)
            return invalid(rq, obj, "spec.clusterIPs", ip, err.msg, out);
        if (rc) {
            ap_resp_status(out, ap_status_for(NULL, NULL, rc, err.msg));
            return -1;
        }
        json_object_set_new(spec, "clusterIP", json_string(j.ip));
        json_object_set_new(spec, "clusterIPs", json_pack("[s]", j.ip));
        json_object_set_new(spec, "ipFamilies", json_pack("[s]", "IPv4"));
        sk_jdefault(spec, "ipFamilyPolicy", json_string("SingleStack"));
    } else {
        json_object_set_new(spec, "clusterIPs", json_pack("[s]", "None"));
    }
    if (alloc_ports(s, rq, obj, owner, out)) {
        ap_alloc_release(s, rq->res, obj);
        return -1;
    }
    return 0;
}

int ap_alloc_on_update(ap_server *s, const ap_req *rq, json_t *obj, const json_t *old,
                       ap_resp *out)
{
    if (!is_services(rq->res) || rq->o.dry_run)
        return 0;
    json_t *spec = sk_jobj(obj, "spec");
    /* clusterIP may be left out of an update; it keeps the old one. */
    json_t *oip = sk_jget(old, "spec.clusterIP"), *oips = sk_jget(old, "spec.clusterIPs");
    const char *nip = sk_jstr(spec, "clusterIP");
    if (oip && (!nip || !*nip)) {
        json_object_set(spec, "clusterIP", oip);
        if (oips)
            json_object_set(spec, "clusterIPs", oips);
    }
    char owner[600];
    owner_of(obj, owner, sizeof owner);
    /* Keep node ports of ports that had one, matched by port number. */
    json_t *op = sk_jget(old, "spec.ports"), *np = sk_jget(obj, "spec.ports");
    size_t i, j;
    json_t *p, *q;
    json_array_foreach(np, i, p) {
        if (json_integer_value(json_object_get(p, "nodePort")))
            continue;
        json_array_foreach(op, j, q)
            if (sk_jequal(json_object_get(p, "port"), json_object_get(q, "port")) &&
                json_integer_value(json_object_get(q, "nodePort")))
                json_object_set(p, "nodePort", json_object_get(q, "nodePort"));
    }
    return alloc_ports(s, rq, obj, owner, out);
}

void ap_alloc_release(ap_server *s, const sk_resource *r, const json_t *obj)
{
    if (!is_services(r))
        return;
    sk_apierr err = {{0}};
    const char *ip = sk_jstr(obj, "spec.clusterIP");
    if (ip && *ip && strcmp(ip, "None") != 0) {
        ip_job j = {.release = true};
        snprintf(j.ip, sizeof j.ip, "%s", ip);
        if (range_update(s, IPS_KEY, ip_fn, &j, &err))
            sk_warn(s->h, "apiserver: cannot release cluster IP %s: %s", ip, err.msg);
    }
    if (wants_node_ports(obj)) {
        port_job pj = {.release = true, .ports = sk_jget(obj, "spec.ports")};
        if (range_update(s, PORTS_KEY, port_fn, &pj, &err))
            sk_warn(s->h, "apiserver: cannot release node ports: %s", err.msg);
    }
}
