/* Service and Endpoints validation. */
#include <string.h>

#include "jutil.h"
#include "kinds.h"
#include "names.h"
#include "validate.h"

#define P(...) sk_path(p, sizeof p, __VA_ARGS__)

static bool str_is(const char *s, const char *v)
{
    return s && strcmp(s, v) == 0;
}

static void validate_target_port(const json_t *tp, const char *field, sk_causes *out)
{
    if (json_is_integer(tp)) {
        sk_validate_port(tp, field, false, out);
    } else if (json_is_string(tp)) {
        const char *why = sk_port_name_problem(json_string_value(tp), json_string_length(tp));
        if (why)
            sk_cause_invalid(out, field, tp, why);
    }
}

static void validate_service_ports(const json_t *spec, sk_causes *out)
{
    char p[256];
    json_t *ports = json_object_get(spec, "ports");
    size_t n = json_array_size(ports), i, j;
    json_t *port, *other;
    json_array_foreach(ports, i, port)
    {
        const char *name = sk_jstr(port, "name");
        if (n > 1 && (!name || !*name))
            sk_cause_required(out, P("spec.ports[%zu].name", i), NULL);
        else if (name && *name && sk_dns1123_label_problem(name, strlen(name)))
            sk_cause_invalid(out, P("spec.ports[%zu].name", i), json_object_get(port, "name"),
                             sk_dns1123_label_problem(name, strlen(name)));
        sk_validate_port(json_object_get(port, "port"), P("spec.ports[%zu].port", i), false, out);
        sk_validate_port(json_object_get(port, "nodePort"), P("spec.ports[%zu].nodePort", i),
                         true, out);
        validate_target_port(json_object_get(port, "targetPort"),
                             P("spec.ports[%zu].targetPort", i), out);
        json_array_foreach(ports, j, other)
        {
            if (j >= i)
                break;
            const char *on = sk_jstr(other, "name");
            if (name && *name && on && strcmp(name, on) == 0)
                sk_cause_duplicate(out, P("spec.ports[%zu].name", i),
                                   json_object_get(port, "name"));
            const char *pa = sk_jstr(port, "protocol"), *pb = sk_jstr(other, "protocol");
            if (sk_jint(port, "port", -1) == sk_jint(other, "port", -2) &&
                strcmp(pa ? pa : "TCP", pb ? pb : "TCP") == 0)
                sk_causes_add(out, SK_CAUSE_DUPLICATE, P("spec.ports[%zu]", i),
                              "Duplicate value: port %lld/%s", (long long)sk_jint(port, "port", 0),
                              pa ? pa : "TCP");
        }
    }
}

static void validate_cluster_ip(const json_t *spec, const char *type, sk_causes *out)
{
    const char *ip = sk_jstr(spec, "clusterIP");
    bool none = str_is(ip, "None");
    if (ip && *ip && !none && !sk_ip_valid(ip))
        sk_cause_invalid(out, "spec.clusterIP", json_object_get(spec, "clusterIP"),
                         "must be empty, 'None', or a valid IP address");
    json_t *ips = json_object_get(spec, "clusterIPs");
    const char *first = json_string_value(json_array_get(ips, 0));
    if (ip && *ip && first && strcmp(first, ip) != 0)
        sk_cause_invalid(out, "spec.clusterIPs", ips,
                         "first value must match `spec.clusterIP`");
    if (str_is(type, "ExternalName") && ip && *ip)
        sk_cause_forbidden(out, "spec.clusterIP", "may not be set for type=ExternalName");
    if (none && (str_is(type, "NodePort") || str_is(type, "LoadBalancer")))
        sk_cause_invalid(out, "spec.clusterIP", json_object_get(spec, "clusterIP"),
                         "may not be set to 'None' for NodePort services");
}

void sk_validate_service(const json_t *obj, sk_causes *out)
{
    const json_t *spec = json_object_get(obj, "spec");
    if (!json_is_object(spec)) {
        sk_cause_required(out, "spec", NULL);
        return;
    }
    const char *type = sk_jstr(spec, "type");
    bool headless = str_is(sk_jstr(spec, "clusterIP"), "None");
    if (!json_array_size(json_object_get(spec, "ports")) && !str_is(type, "ExternalName") &&
        !headless)
        sk_cause_required(out, "spec.ports", NULL);
    validate_service_ports(spec, out);
    validate_cluster_ip(spec, type, out);
    if (str_is(type, "ExternalName")) {
        const char *en = sk_jstr(spec, "externalName");
        if (!en || !*en)
            sk_cause_required(out, "spec.externalName", NULL);
        else if (sk_dns1123_subdomain_problem(en, strlen(en)))
            sk_cause_invalid(out, "spec.externalName", json_object_get(spec, "externalName"),
                             sk_dns1123_subdomain_problem(en, strlen(en)));
    }
    sk_validate_labels(json_object_get(spec, "selector"), "spec.selector", out);
    json_t *t = sk_jget(spec, "sessionAffinityConfig.clientIP.timeoutSeconds");
    if (json_is_integer(t) && (json_integer_value(t) <= 0 || json_integer_value(t) > 86400))
        sk_cause_invalid(out, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", t,
                         "must be greater than 0 and less than 86400");
    size_t i;
    json_t *ip;
    json_array_foreach(json_object_get(spec, "externalIPs"), i, ip)
    {
        char p[64];
        if (!sk_ip_valid(json_string_value(ip)))
            sk_cause_invalid(out, P("spec.externalIPs[%zu]", i), ip,
                             "must be a valid IP address");
    }
}

void sk_validate_service_update(const json_t *obj, const json_t *old, sk_causes *out)
{
    const char *type = sk_jstr(obj, "spec.type"), *old_type = sk_jstr(old, "spec.type");
    /* ExternalName services have no cluster IP to keep */
    if (str_is(type, "ExternalName") || str_is(old_type, "ExternalName"))
        return;
    const char *old_ip = sk_jstr(old, "spec.clusterIP");
    if (old_ip && *old_ip)
        sk_validate_immutable(sk_jget(obj, "spec.clusterIP"), sk_jget(old, "spec.clusterIP"),
                              "spec.clusterIP", out);
}

void sk_validate_endpoints(const json_t *obj, sk_causes *out)
{
    char p[256];
    size_t i, j;
    json_t *ss, *v;
    json_array_foreach(json_object_get(obj, "subsets"), i, ss)
    {
        static const char *const lists[] = {"addresses", "notReadyAddresses"};
        for (size_t l = 0; l < 2; l++) {
            json_array_foreach(json_object_get(ss, lists[l]), j, v)
            {
                const char *ip = sk_jstr(v, "ip");
                if (ip && !sk_ip_valid(ip))
                    sk_cause_invalid(out, P("subsets[%zu].%s[%zu].ip", i, lists[l], j),
                                     json_object_get(v, "ip"), "must be a valid IP address");
            }
        }
        json_array_foreach(json_object_get(ss, "ports"), j, v)
        {
            sk_validate_port(json_object_get(v, "port"), P("subsets[%zu].ports[%zu].port", i, j),
                             false, out);
        }
    }
}
