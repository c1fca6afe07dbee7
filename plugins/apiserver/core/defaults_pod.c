/* Defaults of pods and pod templates, as the real API sets them. */
#include <string.h>

#include "jutil.h"
#include "kinds.h"
#include "pod_defaults.h"

/* Always for :latest or an untagged image, else IfNotPresent (a digest
 * counts as a tag). */
static const char *pull_policy_for(const char *image)
{
    if (!image)
        return "IfNotPresent";
    if (strchr(image, '@'))
        return "IfNotPresent";
    const char *slash = strrchr(image, '/');
    const char *colon = strrchr(slash ? slash : image, ':');
    if (!colon || strcmp(colon, ":latest") == 0)
        return "Always";
    return "IfNotPresent";
}

static void default_probe(json_t *probe)
{
    if (!json_is_object(probe))
        return;
    sk_jdefault(probe, "timeoutSeconds", json_integer(1));
    sk_jdefault(probe, "periodSeconds", json_integer(10));
    sk_jdefault(probe, "successThreshold", json_integer(1));
    sk_jdefault(probe, "failureThreshold", json_integer(3));
    json_t *http = json_object_get(probe, "httpGet");
    if (json_is_object(http)) {
        sk_jdefault(http, "path", json_string("/"));
        sk_jdefault(http, "scheme", json_string("HTTP"));
    }
}

static void default_container(json_t *c)
{
    size_t i;
    json_t *v;
    if (!json_is_object(c))
        return;
    sk_jdefault(c, "terminationMessagePath", json_string("/dev/termination-log"));
    sk_jdefault(c, "terminationMessagePolicy", json_string("File"));
    sk_jdefault(c, "imagePullPolicy", json_string(pull_policy_for(sk_jstr(c, "image"))));
    sk_jdefault(c, "resources", json_object());
    json_array_foreach(json_object_get(c, "ports"), i, v)
    {
        sk_jdefault(v, "protocol", json_string("TCP"));
    }
    json_array_foreach(json_object_get(c, "env"), i, v)
    {
        json_t *ref = sk_jget(v, "valueFrom.fieldRef");
        if (json_is_object(ref))
            sk_jdefault(ref, "apiVersion", json_string("v1"));
    }
    default_probe(json_object_get(c, "livenessProbe"));
    default_probe(json_object_get(c, "readinessProbe"));
    default_probe(json_object_get(c, "startupProbe"));
}

static const char *const volume_sources[] = {
    "hostPath", "emptyDir", "secret", "configMap", "persistentVolumeClaim", "nfs",
    "projected", "downwardAPI", "csi", "ephemeral", "image", NULL,
};

static void default_volume(json_t *v)
{
    if (!json_is_object(v))
        return;
    bool any = false;
    for (const char *const *s = volume_sources; *s; s++)
        any |= json_object_get(v, *s) != NULL;
    if (!any)
        json_object_set_new(v, "emptyDir", json_object());
    json_t *sec = json_object_get(v, "secret"), *cm = json_object_get(v, "configMap");
    if (json_is_object(sec))
        sk_jdefault(sec, "defaultMode", json_integer(0644));
    if (json_is_object(cm))
        sk_jdefault(cm, "defaultMode", json_integer(0644));
    json_t *hp = json_object_get(v, "hostPath");
    if (json_is_object(hp))
        sk_jdefault(hp, "type", json_string(""));
}

void sk_default_pod_spec(json_t *spec)
{
    size_t i;
    json_t *v;
    if (!json_is_object(spec))
        return;
    sk_jdefault(spec, "restartPolicy", json_string("Always"));
    sk_jdefault(spec, "terminationGracePeriodSeconds", json_integer(30));
    sk_jdefault(spec, "dnsPolicy", json_string("ClusterFirst"));
    sk_jdefault(spec, "securityContext", json_object());
    sk_jdefault(spec, "schedulerName", json_string("default-scheduler"));
    sk_jdefault(spec, "enableServiceLinks", json_true());
    json_array_foreach(json_object_get(spec, "containers"), i, v)
    {
        default_container(v);
    }
    json_array_foreach(json_object_get(spec, "initContainers"), i, v)
    {
        default_container(v);
    }
    json_array_foreach(json_object_get(spec, "volumes"), i, v)
    {
        default_volume(v);
    }
    const char *sa = sk_jstr(spec, "serviceAccountName");
    if (sa && *sa)
        sk_jdefault(spec, "serviceAccount", json_string(sa));
}

void sk_default_pod(json_t *obj)
{
    sk_default_pod_spec(sk_jobj(obj, "spec"));
    json_t *status = sk_jobj(obj, "status");
    sk_jdefault(status, "phase", json_string("Pending"));
    sk_jdefault(status, "qosClass", json_string(sk_pod_qos_class(json_object_get(obj, "spec"))));
}
