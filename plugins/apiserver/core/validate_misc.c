/* Validation of namespaces, nodes, config maps, secrets, events, leases
 * and endpoint slices. */
#include <string.h>

#include "jutil.h"
#include "kinds.h"
#include "names.h"
#include "validate.h"

#define P(...) sk_path(p, sizeof p, __VA_ARGS__)
#define SK_CONFIG_MAX_BYTES (1024 * 1024)

void sk_validate_namespace(const json_t *obj, sk_causes *out)
{
    char p[64];
    size_t i;
    json_t *f;
    json_array_foreach(sk_jget(obj, "spec.finalizers"), i, f)
    {
        const char *s = json_string_value(f);
        if (s && strchr(s, '/') == NULL && strcmp(s, "kubernetes") != 0)
            sk_cause_invalid(out, P("spec.finalizers[%zu]", i), f,
                             "name is neither a standard finalizer name nor is it fully "
                             "qualified");
        else if (s && sk_qualified_name_problem(s, strlen(s)))
            sk_cause_invalid(out, P("spec.finalizers[%zu]", i), f,
                             sk_qualified_name_problem(s, strlen(s)));
    }
}

void sk_validate_node(const json_t *obj, sk_causes *out)
{
    const char *cidr = sk_jstr(obj, "spec.podCIDR");
    if (cidr && *cidr && !strchr(cidr, '/'))
        sk_cause_invalid(out, "spec.podCIDR", sk_jget(obj, "spec.podCIDR"),
                         "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
}

void sk_validate_node_update(const json_t *obj, const json_t *old, sk_causes *out)
{
    const char *old_cidr = sk_jstr(old, "spec.podCIDR");
    if (old_cidr && *old_cidr)
        sk_validate_immutable(sk_jget(obj, "spec.podCIDR"), sk_jget(old, "spec.podCIDR"),
                              "spec.podCIDR", out);
}

/* Keys of data/binaryData: config keys, unique across both maps, total
 * size bounded. */
static void validate_config_keys(const json_t *obj, const char *a, const char *b,
                                 sk_causes *out)
{
    char p[512];
    size_t total = 0;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(obj, a), k, v)
    {
        const char *why = sk_config_key_problem(k, strlen(k));
        if (why)
            sk_cause_invalid_str(out, P("%s[%s]", a, k), k, why);
        if (b && json_object_get(json_object_get(obj, b), k))
            sk_cause_invalid_str(out, P("%s[%s]", a, k), k,
                                 "duplicate of key present in binaryData");
        total += strlen(k) + json_string_length(v);
    }
    json_object_foreach(json_object_get(obj, b ? b : ""), k, v)
    {
        const char *why = sk_config_key_problem(k, strlen(k));
        if (why)
            sk_cause_invalid_str(out, P("%s[%s]", b, k), k, why);
        total += strlen(k) + json_string_length(v);
    }
    if (total > SK_CONFIG_MAX_BYTES)
        sk_causes_add(out, SK_CAUSE_TOO_LONG, "", "Too long: must have at most %d bytes",
                      SK_CONFIG_MAX_BYTES);
}

void sk_validate_config_map(const json_t *obj, sk_causes *out)
{
    validate_config_keys(obj, "data", "binaryData", out);
}

void sk_validate_secret(const json_t *obj, sk_causes *out)
{
    validate_config_keys(obj, "data", NULL, out);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(obj, "stringData"), k, v)
    {
        char p[512];
        if (sk_config_key_problem(k, strlen(k)))
            sk_cause_invalid_str(out, P("stringData[%s]", k), k,
                                 sk_config_key_problem(k, strlen(k)));
    }
}

/* Once `immutable: true` is set, the data and the flag itself stay. */
static void validate_immutable_data(const json_t *obj, const json_t *old, const char *const *keys,
                                    sk_causes *out)
{
    if (!sk_jbool(old, "immutable", false))
        return;
    if (!sk_jbool(obj, "immutable", false))
        sk_cause_forbidden(out, "immutable", "field is immutable when `immutable` is set");
    for (const char *const *k = keys; *k; k++) {
        json_t *a = json_object_get(obj, *k), *b = json_object_get(old, *k);
        bool empty_a = !a || !json_object_size(a), empty_b = !b || !json_object_size(b);
        if (!(empty_a && empty_b) && !sk_jequal(a ? a : json_null(), b ? b : json_null()))
            sk_cause_forbidden(out, *k, "field is immutable when `immutable` is set");
    }
}

void sk_validate_config_map_update(const json_t *obj, const json_t *old, sk_causes *out)
{
    static const char *const keys[] = {"data", "binaryData", NULL};
    validate_immutable_data(obj, old, keys, out);
}

void sk_validate_secret_update(const json_t *obj, const json_t *old, sk_causes *out)
{
    static const char *const keys[] = {"data", NULL};
    sk_validate_immutable(json_object_get(obj, "type"), json_object_get(old, "type"), "type",
                          out);
    validate_immutable_data(obj, old, keys, out);
}

void sk_validate_event(const json_t *obj, sk_causes *out)
{
    const char *ns = sk_jstr(obj, "metadata.namespace");
    const char *ins = sk_jstr(obj, "involvedObject.namespace");
    if (ns && ins && *ins && strcmp(ns, ins) != 0)
        sk_cause_invalid(out, "involvedObject.namespace", sk_jget(obj, "involvedObject.namespace"),
                         "does not match event.namespace");
}

void sk_validate_lease(const json_t *obj, sk_causes *out)
{
    json_t *d = sk_jget(obj, "spec.leaseDurationSeconds");
    if (json_is_integer(d) && json_integer_value(d) <= 0)
        sk_cause_invalid(out, "spec.leaseDurationSeconds", d, "must be greater than 0");
    json_t *t = sk_jget(obj, "spec.leaseTransitions");
    if (json_is_integer(t) && json_integer_value(t) < 0)
        sk_cause_invalid(out, "spec.leaseTransitions", t, "must be greater than or equal to 0");
}

void sk_validate_endpoint_slice(const json_t *obj, sk_causes *out)
{
    char p[256];
    json_t *eps = json_object_get(obj, "endpoints");
    if (json_array_size(eps) > 1000)
        sk_causes_add(out, SK_CAUSE_TOO_MANY, "endpoints",
                      "Too many: %zu: must have at most 1000 items", json_array_size(eps));
    const char *at = sk_jstr(obj, "addressType");
    bool ip = at && (strcmp(at, "IPv4") == 0 || strcmp(at, "IPv6") == 0);
    size_t i, j;
    json_t *ep, *a;
    json_array_foreach(eps, i, ep)
    {
        json_t *addrs = json_object_get(ep, "addresses");
        if (json_is_array(addrs) && (json_array_size(addrs) < 1 || json_array_size(addrs) > 100))
            sk_cause_invalid(out, P("endpoints[%zu].addresses", i), addrs,
                             "must contain at least 1 and at most 100 addresses");
        json_array_foreach(addrs, j, a)
        {
            if (ip && !sk_ip_valid(json_string_value(a)))
                sk_cause_invalid(out, P("endpoints[%zu].addresses[%zu]", i, j), a,
                                 "must be a valid IP address");
        }
    }
    json_array_foreach(json_object_get(obj, "ports"), i, a)
    {
        sk_validate_port(json_object_get(a, "port"), P("ports[%zu].port", i), true, out);
    }
}

void sk_validate_endpoint_slice_update(const json_t *obj, const json_t *old, sk_causes *out)
{
    sk_validate_immutable(json_object_get(obj, "addressType"), json_object_get(old, "addressType"),
                          "addressType", out);
}
