/* Defaults of the other kinds, as the real API sets them. */
#include <stdlib.h>
#include <string.h>

#include "base64.h"

#include "jutil.h"
#include "kinds.h"
#include "pod_defaults.h"

void sk_default_namespace(json_t *obj)
{
    json_t *spec = sk_jobj(obj, "spec");
    sk_jdefault(spec, "finalizers", json_pack("[s]", "kubernetes"));
    sk_jdefault(sk_jobj(obj, "status"), "phase", json_string("Active"));
    const char *name = sk_jstr(obj, "metadata.name");
    if (name && *name)
        json_object_set_new(sk_jobj(obj, "metadata.labels"), "kubernetes.io/metadata.name",
                            json_string(name));
}

static void default_service_port(json_t *p)
{
    if (!json_is_object(p))
        return;
    sk_jdefault(p, "protocol", json_string("TCP"));
    json_t *tp = json_object_get(p, "targetPort");
    bool unset = !tp || json_is_null(tp) || (json_is_integer(tp) && !json_integer_value(tp)) ||
                 (json_is_string(tp) && !json_string_length(tp));
    json_t *port = json_object_get(p, "port");
    if (unset && json_is_integer(port))
        json_object_set_new(p, "targetPort", json_integer(json_integer_value(port)));
}

void sk_default_service(json_t *obj)
{
    json_t *spec = sk_jobj(obj, "spec");
    sk_jdefault(spec, "type", json_string("ClusterIP"));
    sk_jdefault(spec, "sessionAffinity", json_string("None"));
    const char *type = sk_jstr(spec, "type");
    bool external_name = type && strcmp(type, "ExternalName") == 0;
    if (!external_name)
        sk_jdefault(spec, "internalTrafficPolicy", json_string("Cluster"));
    if (type && (strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0))
        sk_jdefault(spec, "externalTrafficPolicy", json_string("Cluster"));
    if (type && strcmp(type, "LoadBalancer") == 0)
        sk_jdefault(spec, "allocateLoadBalancerNodePorts", json_true());
    const char *aff = sk_jstr(spec, "sessionAffinity");
    if (aff && strcmp(aff, "ClientIP") == 0)
        sk_jdefault(sk_jobj(spec, "sessionAffinityConfig.clientIP"), "timeoutSeconds",
                    json_integer(10800));
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(spec, "ports"), i, p)
    {
        default_service_port(p);
    }
    sk_jobj(obj, "status.loadBalancer");
}

void sk_default_endpoints(json_t *obj)
{
    size_t i, j;
    json_t *ss, *p;
    json_array_foreach(json_object_get(obj, "subsets"), i, ss)
    {
        json_array_foreach(json_object_get(ss, "ports"), j, p)
        {
            if (json_is_object(p))
                sk_jdefault(p, "protocol", json_string("TCP"));
        }
    }
}

void sk_default_endpoint_slice(json_t *obj)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(obj, "ports"), i, p)
    {
        if (!json_is_object(p))
            continue;
        sk_jdefault(p, "protocol", json_string("TCP"));
        sk_jdefault(p, "name", json_string(""));
    }
}

/* stringData is write-only: each key goes into data (base64), winning
 * over the same key there, and stringData itself is never stored, as the
 * real API's conversion does on create and update. */
static void merge_string_data(json_t *obj)
{
    json_t *sd = json_object_get(obj, "stringData");
    if (!json_is_object(sd)) {
        if (sd)
            json_object_del(obj, "stringData");
        return;
    }
    if (json_object_size(sd) > 0) {
        json_t *data = json_object_get(obj, "data");
        if (!json_is_object(data)) {
            data = json_object();
            if (!data)
                return;
            json_object_set_new(obj, "data", data);
        }
        const char *k;
        json_t *v;
        json_object_foreach(sd, k, v)
        {
            if (!json_is_string(v))
                continue;
            size_t n = json_string_length(v);
            char *b64 = malloc(sk_base64_len(n) + 1);
            if (!b64)
                return;
            sk_base64_encode(json_string_value(v), n, b64);
            json_object_set_new(data, k, json_string(b64));
            free(b64);
        }
    }
    json_object_del(obj, "stringData");
}

void sk_default_secret(json_t *obj)
{
    const char *t = sk_jstr(obj, "type");
    if (!t || !*t)
        json_object_set_new(obj, "type", json_string("Opaque"));
    merge_string_data(obj);
}

static void default_template(json_t *spec)
{
    sk_default_pod_spec(sk_jobj(spec, "template.spec"));
}

void sk_default_deployment(json_t *obj)
{
    json_t *spec = sk_jobj(obj, "spec");
    sk_jdefault(spec, "replicas", json_integer(1));
    json_t *strategy = sk_jobj(spec, "strategy");
    sk_jdefault(strategy, "type", json_string("RollingUpdate"));
    const char *type = sk_jstr(strategy, "type");
    if (type && strcmp(type, "RollingUpdate") == 0) {
        json_t *ru = sk_jobj(strategy, "rollingUpdate");
        sk_jdefault(ru, "maxUnavailable", json_string("25%"));
        sk_jdefault(ru, "maxSurge", json_string("25%"));
    }
    sk_jdefault(spec, "revisionHistoryLimit", json_integer(10));
    sk_jdefault(spec, "progressDeadlineSeconds", json_integer(600));
    default_template(spec);
}

void sk_default_replica_set(json_t *obj)
{
    json_t *spec = sk_jobj(obj, "spec");
    sk_jdefault(spec, "replicas", json_integer(1));
    default_template(spec);
    /* ReplicaSetStatus.replicas is not omitempty: Go always writes it. */
    json_t *st = json_object_get(obj, "status");
    if (json_is_object(st))
        sk_jdefault(st, "replicas", json_integer(0));
}
