/* Pod validation: containers, volumes, ports and the update rules. */
#include <string.h>

#include "jutil.h"
#include "kinds.h"
#include "names.h"
#include "validate.h"

#define P(...) sk_path(p, sizeof p, __VA_ARGS__)

static void validate_container_ports(const json_t *c, const char *at, sk_causes *out)
{
    char p[512];
    size_t i, j;
    json_t *port, *other;
    json_array_foreach(json_object_get(c, "ports"), i, port)
    {
        sk_validate_port(json_object_get(port, "containerPort"),
                         P("%s.ports[%zu].containerPort", at, i), false, out);
        sk_validate_port(json_object_get(port, "hostPort"), P("%s.ports[%zu].hostPort", at, i),
                         true, out);
        const char *name = sk_jstr(port, "name");
        if (name && *name && sk_port_name_problem(name, strlen(name)))
            sk_cause_invalid(out, P("%s.ports[%zu].name", at, i), json_object_get(port, "name"),
                             sk_port_name_problem(name, strlen(name)));
        json_array_foreach(json_object_get(c, "ports"), j, other)
        {
            const char *on = sk_jstr(other, "name");
            if (j < i && name && *name && on && strcmp(name, on) == 0)
                sk_cause_duplicate(out, P("%s.ports[%zu].name", at, i),
                                   json_object_get(port, "name"));
        }
    }
}

static void validate_env(const json_t *c, const char *at, sk_causes *out)
{
    char p[512];
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(c, "env"), i, e)
    {
        const char *name = sk_jstr(e, "name");
        if (name && sk_env_var_name_problem(name, strlen(name)))
            sk_cause_invalid(out, P("%s.env[%zu].name", at, i), json_object_get(e, "name"),
                             sk_env_var_name_problem(name, strlen(name)));
        const char *value = sk_jstr(e, "value");
        if (value && *value && sk_jget(e, "valueFrom"))
            sk_cause_invalid_str(out, P("%s.env[%zu].valueFrom", at, i), "",
                                 "may not be specified when `value` is not empty");
    }
}

static bool has_volume(const json_t *spec, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(spec, "volumes"), i, v)
    {
        const char *n = sk_jstr(v, "name");
        if (n && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

static void validate_mounts(const json_t *spec, const json_t *c, const char *at, sk_causes *out)
{
    char p[512];
    size_t i, j;
    json_t *m, *other;
    json_array_foreach(json_object_get(c, "volumeMounts"), i, m)
    {
        const char *name = sk_jstr(m, "name");
        if (name && !has_volume(spec, name))
            sk_causes_add(out, SK_CAUSE_NOT_FOUND, P("%s.volumeMounts[%zu].name", at, i),
                          "Not found: \"%s\"", name);
        const char *mp = sk_jstr(m, "mountPath");
        json_array_foreach(json_object_get(c, "volumeMounts"), j, other)
        {
            const char *omp = sk_jstr(other, "mountPath");
            if (j < i && mp && omp && strcmp(mp, omp) == 0)
                sk_cause_invalid(out, P("%s.volumeMounts[%zu].mountPath", at, i),
                                 json_object_get(m, "mountPath"), "must be unique");
        }
    }
}

/* Containers of one list (containers or initContainers); names must be
 * unique across both lists. */
static void validate_containers(const json_t *spec, const char *list, const char *at,
                                sk_causes *out)
{
    char p[512], cp[512];
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(spec, list), i, c)
    {
        sk_path(cp, sizeof cp, "%s.%s[%zu]", at, list, i);
        const char *name = sk_jstr(c, "name");
        if (name && *name && sk_dns1123_label_problem(name, strlen(name)))
            sk_cause_invalid(out, P("%s.name", cp), json_object_get(c, "name"),
                             sk_dns1123_label_problem(name, strlen(name)));
        const char *image = sk_jstr(c, "image");
        if (!image || !*image)
            sk_cause_required(out, P("%s.image", cp), NULL);
        validate_container_ports(c, cp, out);
        validate_env(c, cp, out);
        validate_mounts(spec, c, cp, out);
    }
}

static void validate_unique_names(const json_t *spec, const char *at, sk_causes *out)
{
    static const char *const lists[] = {"initContainers", "containers"};
    char p[512];
    const char *seen[256];
    size_t n = 0, i;
    json_t *c;
    for (size_t l = 0; l < 2; l++) {
        json_array_foreach(json_object_get(spec, lists[l]), i, c)
        {
            const char *name = sk_jstr(c, "name");
            if (!name)
                continue;
            for (size_t k = 0; k < n; k++)
                if (strcmp(seen[k], name) == 0)
                    sk_cause_duplicate(out, P("%s.%s[%zu].name", at, lists[l], i),
                                       json_object_get(c, "name"));
            if (n < 256)
                seen[n++] = name;
        }
    }
}

static const char *const volume_sources[] = {
    "hostPath", "emptyDir", "secret", "configMap", "persistentVolumeClaim", "nfs",
    "projected", "downwardAPI", "csi", "ephemeral", "image", NULL,
};

static void validate_volumes(const json_t *spec, const char *at, sk_causes *out)
{
    char p[512];
    size_t i, j;
    json_t *v, *other;
    json_array_foreach(json_object_get(spec, "volumes"), i, v)
    {
        const char *name = sk_jstr(v, "name");
        if (name && sk_dns1123_label_problem(name, strlen(name)))
            sk_cause_invalid(out, P("%s.volumes[%zu].name", at, i), json_object_get(v, "name"),
                             sk_dns1123_label_problem(name, strlen(name)));
        json_array_foreach(json_object_get(spec, "volumes"), j, other)
        {
            const char *on = sk_jstr(other, "name");
            if (j < i && name && on && strcmp(name, on) == 0)
                sk_cause_duplicate(out, P("%s.volumes[%zu].name", at, i),
                                   json_object_get(v, "name"));
        }
        int sources = 0;
        for (const char *const *s = volume_sources; *s; s++)
            sources += json_object_get(v, *s) != NULL;
        if (sources == 0)
            sk_cause_required(out, P("%s.volumes[%zu]", at, i), "must specify a volume type");
        else if (sources > 1)
            sk_cause_forbidden(out, P("%s.volumes[%zu]", at, i),
                               "may not specify more than 1 volume type");
    }
}

void sk_validate_pod_spec(const json_t *spec, const char *at, sk_causes *out)
{
    char p[512];
    if (!json_is_object(spec)) {
        sk_cause_required(out, at, NULL);
        return;
    }
    if (!json_array_size(json_object_get(spec, "containers")) &&
        !json_is_null(json_object_get(spec, "containers")) &&
        json_object_get(spec, "containers"))
        sk_cause_required(out, P("%s.containers", at), NULL);
    validate_containers(spec, "containers", at, out);
    validate_containers(spec, "initContainers", at, out);
    validate_unique_names(spec, at, out);
    validate_volumes(spec, at, out);
    json_t *grace = json_object_get(spec, "terminationGracePeriodSeconds");
    if (json_is_integer(grace) && json_integer_value(grace) < 0)
        sk_cause_invalid(out, P("%s.terminationGracePeriodSeconds", at), grace,
                         "must be greater than or equal to 0");
    json_t *ads = json_object_get(spec, "activeDeadlineSeconds");
    if (json_is_integer(ads) && json_integer_value(ads) <= 0)
        sk_cause_invalid(out, P("%s.activeDeadlineSeconds", at), ads, "must be between 1 and "
                                                                       "2147483647, inclusive");
    sk_validate_labels(json_object_get(spec, "nodeSelector"), P("%s.nodeSelector", at), out);
    const char *host = sk_jstr(spec, "hostname");
    if (host && *host && sk_dns1123_label_problem(host, strlen(host)))
        sk_cause_invalid(out, P("%s.hostname", at), json_object_get(spec, "hostname"),
                         sk_dns1123_label_problem(host, strlen(host)));
    const char *sa = sk_jstr(spec, "serviceAccountName");
    if (sa && *sa && sk_dns1123_subdomain_problem(sa, strlen(sa)))
        sk_cause_invalid(out, P("%s.serviceAccountName", at),
                         json_object_get(spec, "serviceAccountName"),
                         sk_dns1123_subdomain_problem(sa, strlen(sa)));
}

void sk_validate_pod(const json_t *obj, sk_causes *out)
{
    sk_validate_pod_spec(json_object_get(obj, "spec"), "spec", out);
}

/* The fields of a pod spec that may change after creation are masked out
 * of both versions before comparing. */
static json_t *mutable_masked(const json_t *spec)
{
    static const char *const lists[] = {"containers", "initContainers"};
    json_t *m = json_deep_copy(spec);
    if (!json_is_object(m))
        return m;
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(m, lists[l]), i, c)
        {
            if (json_is_object(c))
                json_object_del(c, "image");
        }
    }
    json_object_del(m, "activeDeadlineSeconds");
    json_object_del(m, "tolerations");
    json_object_del(m, "terminationGracePeriodSeconds");
    json_object_del(m, "schedulingGates");
    /* binding sets nodeName once; the request core guards that path */
    json_object_del(m, "nodeName");
    return m;
}

void sk_validate_pod_update(const json_t *obj, const json_t *old, sk_causes *out)
{
    json_t *a = mutable_masked(json_object_get(obj, "spec"));
    json_t *b = mutable_masked(json_object_get(old, "spec"));
    if (!sk_jequal(a ? a : json_null(), b ? b : json_null()))
        sk_cause_forbidden(out, "spec",
                           "pod updates may not change fields other than "
                           "`spec.containers[*].image`,`spec.initContainers[*].image`,"
                           "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
                           "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it "
                           "to be set to 1 if it was previously negative)");
    json_decref(a);
    json_decref(b);
}
