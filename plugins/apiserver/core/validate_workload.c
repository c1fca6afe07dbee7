/* Deployment and ReplicaSet validation. */
#include <stdlib.h>
#include <string.h>

#include "jutil.h"
#include "kinds.h"
#include "label_selector.h"
#include "validate.h"

static void nonneg(const json_t *spec, const char *key, const char *field, sk_causes *out)
{
    json_t *v = json_object_get(spec, key);
    if (json_is_integer(v) && json_integer_value(v) < 0)
        sk_cause_invalid(out, field, v, "must be greater than or equal to 0");
}

/* selector required, non-empty, valid, and matching the template labels;
 * the template's pods must restart Always. */
static void validate_selector_template(const json_t *spec, sk_causes *out)
{
    json_t *sel = json_object_get(spec, "selector");
    sk_label_selector s;
    sk_apierr err;
    if (!json_is_object(sel))
        return; /* "Required value" comes from the schema */
    if (!json_object_size(json_object_get(sel, "matchLabels")) &&
        !json_array_size(json_object_get(sel, "matchExpressions"))) {
        sk_cause_invalid(out, "spec.selector", sel, "empty selector is invalid for deployment");
        return;
    }
    sk_validate_labels(json_object_get(sel, "matchLabels"), "spec.selector.matchLabels", out);
    if (sk_label_selector_from_json(sel, &s, &err)) {
        sk_cause_invalid(out, "spec.selector", sel, err.msg);
        return;
    }
    json_t *labels = sk_jget(spec, "template.metadata.labels");
    if (!sk_label_selector_matches_json(&s, labels))
        sk_cause_invalid(out, "spec.template.metadata.labels", labels ? labels : json_null(),
                         "`selector` does not match template `labels`");
    sk_label_selector_free(&s);
    static const char *const always[] = {"Always", NULL};
    json_t *rp = sk_jget(spec, "template.spec.restartPolicy");
    if (json_is_string(rp) && strcmp(json_string_value(rp), "Always") != 0)
        sk_cause_not_supported(out, "spec.template.spec.restartPolicy", rp, always);
}

/* An int >= 0 or a percentage between 0% and 100%. */
static bool int_or_percent(const json_t *v, const char *field, sk_causes *out, bool *zero)
{
    *zero = false;
    if (json_is_integer(v)) {
        *zero = json_integer_value(v) == 0;
        if (json_integer_value(v) >= 0)
            return true;
        sk_cause_invalid(out, field, v, "must be greater than or equal to 0");
        return false;
    }
    const char *s = json_string_value(v);
    if (!s)
        return true;
    char *end;
    long pct = strtol(s, &end, 10);
    if (end == s || strcmp(end, "%") != 0) {
        sk_cause_invalid(out, field, v, "a valid percent string must be a numeric string "
                                        "followed by an ending '%' (e.g. '1%',  or '93%', regex "
                                        "used for validation is '[0-9]+%')");
        return false;
    }
    *zero = pct == 0;
    if (pct < 0 || pct > 100) {
        sk_cause_invalid(out, field, v, "must not be greater than 100%");
        return false;
    }
    return true;
}

static void validate_strategy(const json_t *spec, sk_causes *out)
{
    json_t *st = json_object_get(spec, "strategy");
    const char *type = sk_jstr(st, "type");
    json_t *ru = json_object_get(st, "rollingUpdate");
    if (type && strcmp(type, "Recreate") == 0 && ru && !json_is_null(ru)) {
        sk_cause_forbidden(out, "spec.strategy.rollingUpdate",
                           "may not be specified when strategy `type` is 'Recreate'");
        return;
    }
    bool unavail0 = false, surge0 = false;
    if (!json_is_object(ru))
        return;
    bool ok = int_or_percent(json_object_get(ru, "maxUnavailable"),
                             "spec.strategy.rollingUpdate.maxUnavailable", out, &unavail0);
    ok &= int_or_percent(json_object_get(ru, "maxSurge"), "spec.strategy.rollingUpdate.maxSurge",
                         out, &surge0);
    if (ok && unavail0 && surge0)
        sk_cause_invalid(out, "spec.strategy.rollingUpdate.maxUnavailable",
                         json_object_get(ru, "maxUnavailable"),
                         "may not be 0 when `maxSurge` is 0");
}

static void validate_replicated(const json_t *obj, sk_causes *out)
{
    json_t *spec = json_object_get(obj, "spec");
    if (!json_is_object(spec)) {
        sk_cause_required(out, "spec", NULL);
        return;
    }
    nonneg(spec, "replicas", "spec.replicas", out);
    nonneg(spec, "minReadySeconds", "spec.minReadySeconds", out);
    validate_selector_template(spec, out);
    json_t *tmeta = sk_jget(spec, "template.metadata");
    sk_validate_labels(json_object_get(tmeta, "labels"), "spec.template.metadata.labels", out);
    if (json_is_object(json_object_get(spec, "template")))
        sk_validate_pod_spec(sk_jget(spec, "template.spec"), "spec.template.spec", out);
}

void sk_validate_deployment(const json_t *obj, sk_causes *out)
{
    validate_replicated(obj, out);
    json_t *spec = json_object_get(obj, "spec");
    nonneg(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", out);
    validate_strategy(spec, out);
    json_t *pds = json_object_get(spec, "progressDeadlineSeconds");
    if (json_is_integer(pds) && json_integer_value(pds) <= sk_jint(spec, "minReadySeconds", 0))
        sk_cause_invalid(out, "spec.progressDeadlineSeconds", pds,
                         "must be greater than minReadySeconds");
}

void sk_validate_replica_set(const json_t *obj, sk_causes *out)
{
    validate_replicated(obj, out);
}

void sk_validate_deployment_update(const json_t *obj, const json_t *old, sk_causes *out)
{
    sk_validate_immutable(sk_jget(obj, "spec.selector"), sk_jget(old, "spec.selector"),
                          "spec.selector", out);
}

void sk_validate_replica_set_update(const json_t *obj, const json_t *old, sk_causes *out)
{
    sk_validate_immutable(sk_jget(obj, "spec.selector"), sk_jget(old, "spec.selector"),
                          "spec.selector", out);
}
