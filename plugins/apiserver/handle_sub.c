/* Subresources that are not plain views of the object: /scale (an
 * autoscaling/v1 Scale), pods/binding, pods/eviction, and the namespace
 * check every namespaced create makes. pods/log is in handle_log.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_mp.h"
#include "jutil.h"
#include "label_selector.h"
#include "objects.h"
#include "patch.h"
#include "status.h"
#include "write.h"

extern const sk_resource sk_res_namespaces;

int ap_namespace_check(ap_server *s, const ap_req *rq, ap_resp *out)
{
    const char *ns = rq->ns;
    if (!ns || !*ns)
        return 0;
    ap_req nr = {.res = &sk_res_namespaces, .name = ns};
    json_t *obj = NULL;
    int64_t rev;
    int rc = ap_read_current(s, &nr, &obj, &rev, NULL);
    if (rc == SK_ENOTFOUND) {
        ap_resp_status(out, sk_status_not_found(&sk_res_namespaces, ns));
        return -1;
    }
    if (rc) {
        ap_resp_status(out, ap_status_for(&sk_res_namespaces, ns, rc, "cannot read namespace"));
        return -1;
    }
    bool terminating = sk_jstr(obj, "metadata.deletionTimestamp") != NULL;
    json_decref(obj);
    if (terminating) {
        char msg[400];
        snprintf(msg, sizeof msg, "unable to create new content in namespace %.200s because it "
                 "is being terminated", ns);
        json_t *d = json_pack("{s:s, s:s}", "name", ns, "kind", "namespaces");
        ap_resp_status(out, sk_status_failure(403, "Forbidden", msg, d));
        return -1;
    }
    return 0;
}

/* ---- scale ---- */

static json_t *scale_of(const json_t *obj)
{
    const json_t *m = json_object_get(obj, "metadata");
    json_t *meta = json_object();
    static const char *const keys[] = {"name", "namespace", "uid", "resourceVersion",
                                       "creationTimestamp", NULL};
    for (size_t i = 0; keys[i]; i++) {
        json_t *v = json_object_get(m, keys[i]);
        if (v)
            json_object_set(meta, keys[i], v);
    }
    json_t *st = json_pack("{s:I}", "replicas", (json_int_t)sk_jint(obj, "status.replicas", 0));
    sk_label_selector ls;
    if (sk_label_selector_from_json(sk_jget(obj, "spec.selector"), &ls, NULL) == 0) {
        char *text = sk_label_selector_string(&ls);
        if (text)
            json_object_set_new(st, "selector", json_string(text));
        free(text);
        sk_label_selector_free(&ls);
    }
    return json_pack("{s:s, s:s, s:o, s:{s:I}, s:o}", "kind", "Scale", "apiVersion",
                     "autoscaling/v1", "metadata", meta, "spec", "replicas",
                     (json_int_t)sk_jint(obj, "spec.replicas", 1), "status", st);
}

static void answer_json(json_t *j, int code, ap_resp *out)
{
    sk_apierr err;
    if (!j || sk_json_to_mp(j, &out->mp, NULL, &err))
        ap_resp_status(out, sk_status_internal("cannot encode the answer"));
    else
        out->code = code;
    json_decref(j);
}

/* The new Scale (from the body or a patch of the current one). */
static json_t *desired_scale(const ap_req *rq, const json_t *cur, ap_resp *out)
{
    json_t *sc = scale_of(cur);
    if (rq->verb == AP_UPDATE) {
        json_decref(sc);
        if (ap_decode_check(rq, &sk_schema_scale, rq->body, out))
            return NULL;
        return json_incref(rq->body);
    }
    sk_apierr err = {{0}};
    int rc = rq->ptype == AP_PATCH_JSON    ? sk_json_patch(&sc, rq->body, &err)
             : rq->ptype == AP_PATCH_MERGE ? sk_merge_patch(&sc, rq->body, &err)
                                           : sk_strategic_patch(&sc, rq->body, &sk_schema_scale,
                                                                &err);
    if (rc) {
        json_decref(sc);
        ap_resp_status(out, rc == SK_EBADMSG ? sk_status_bad_request(err.msg)
                                             : sk_status_failure(422, "Invalid", err.msg, NULL));
        return NULL;
    }
    return sc;
}

void ap_handle_scale(ap_server *s, ap_req *rq, ap_resp *out)
{
    for (int i = 0; i < AP_RETRIES; i++) {
        ap_retry_pause(i);
        json_t *cur = NULL;
        int64_t rev = 0;
        if (ap_read_current(s, rq, &cur, &rev, out))
            return;
        if (rq->verb == AP_GET) {
            answer_json(scale_of(cur), 200, out);
            json_decref(cur);
            return;
        }
        json_t *sc = rq->body ? desired_scale(rq, cur, out) : NULL;
        if (!sc) {
            if (!rq->body)
                ap_resp_status(out, sk_status_bad_request("the body of the request is empty"));
            json_decref(cur);
            return;
        }
        int64_t want = ap_json_rv(sc);
        json_t *rep = sk_jget(sc, "spec.replicas");
        if ((want && want != rev) || !json_is_integer(rep) || json_integer_value(rep) < 0) {
            if (want && want != rev)
                ap_resp_status(out, sk_status_conflict(rq->res, rq->name, NULL));
            else
                ap_resp_status(out, sk_status_failure(422, "Invalid",
                                                      "spec.replicas: must be a non-negative "
                                                      "integer", NULL));
            json_decref(sc);
            json_decref(cur);
            return;
        }
        json_t *obj = json_deep_copy(cur);
        json_object_set(sk_jobj(obj, "spec"), "replicas", rep);
        json_decref(sc);
        ap_req ur = *rq;
        ur.sub = NULL;
        ap_resp tmp;
        ap_resp_init(&tmp);
        int rc = ap_write_update(s, &ur, obj, cur, rev, &tmp);
        json_decref(cur);
        if (rc == 0 && !tmp.status) {
            json_t *now = NULL;
            sk_apierr err;
            if (sk_mp_to_json(tmp.mp.data, tmp.mp.len, NULL, &now, &err) == 0)
                answer_json(scale_of(now), 200, out);
            else
                ap_resp_status(out, sk_status_internal(err.msg));
            json_decref(now);
        } else if (rc != SK_ECONFLICT) {
            ap_resp_status(out, json_incref(tmp.status));
        }
        json_decref(obj);
        ap_resp_free(&tmp);
        if (rc != SK_ECONFLICT)
            return;
    }
    ap_resp_status(out, sk_status_conflict(rq->res, rq->name, "too many concurrent updates"));
}

/* ---- binding ---- */

static void add_scheduled_condition(json_t *pod)
{
    json_t *st = sk_jobj(pod, "status");
    json_t *conds = json_object_get(st, "conditions");
    if (!json_is_array(conds)) {
        conds = json_array();
        json_object_set_new(st, "conditions", conds);
    }
    char now[32];
    ap_now_rfc3339(now, sizeof now);
    json_t *c = json_pack("{s:s, s:s, s:n, s:s}", "type", "PodScheduled", "status", "True",
                          "lastProbeTime", "lastTransitionTime", now);
    size_t i;
    json_t *v;
    json_array_foreach(conds, i, v)
        if (json_is_object(v) && sk_jstr(v, "type") &&
            strcmp(sk_jstr(v, "type"), "PodScheduled") == 0) {
            json_array_set_new(conds, i, c);
            return;
        }
    json_array_append_new(conds, c);
}

void ap_handle_binding(ap_server *s, ap_req *rq, ap_resp *out)
{
    const char *node = sk_jstr(rq->body, "target.name");
    if (!node || !*node) {
        sk_causes c;
        sk_causes_init(&c);
        sk_cause_required(&c, "target.name", NULL);
        ap_resp_status(out, sk_status_invalid(rq->res, rq->name, &c));
        sk_causes_free(&c);
        return;
    }
    for (int i = 0; i < AP_RETRIES; i++) {
        ap_retry_pause(i);
        json_t *pod = NULL;
        int64_t rev;
        if (ap_read_current(s, rq, &pod, &rev, out))
            return;
        const char *cur = sk_jstr(pod, "spec.nodeName");
        if ((cur && *cur) || sk_jstr(pod, "metadata.deletionTimestamp")) {
            char msg[600];
            snprintf(msg, sizeof msg, cur && *cur ? "pod %.200s is already assigned to node "
                                                    "\"%.200s\""
                                                  : "pod %.200s is being deleted%.0s",
                     rq->name, cur ? cur : "");
            ap_resp_status(out, sk_status_conflict(rq->res, rq->name, msg));
            json_decref(pod);
            return;
        }
        json_t *old = json_deep_copy(pod);
        json_object_set_new(sk_jobj(pod, "spec"), "nodeName", json_string(node));
        add_scheduled_condition(pod);
        ap_req br = *rq;
        br.sub = NULL;
        br.internal = true;
        ap_resp tmp;
        ap_resp_init(&tmp);
        int rc = ap_write_update(s, &br, pod, old, rev, &tmp);
        json_decref(pod);
        json_decref(old);
        if (rc == 0 && !tmp.status) {
            ap_resp_free(&tmp);
            answer_json(sk_status_success(NULL, NULL, NULL), 201, out);
            return;
        }
        if (rc != SK_ECONFLICT) {
            ap_resp_status(out, json_incref(tmp.status));
            ap_resp_free(&tmp);
            return;
        }
        ap_resp_free(&tmp);
    }
    ap_resp_status(out, sk_status_conflict(rq->res, rq->name, "too many concurrent updates"));
}

/* ---- eviction: a delete with the Eviction's deleteOptions ---- */

void ap_handle_eviction(ap_server *s, ap_req *rq, ap_resp *out)
{
    ap_req dr = *rq;
    dr.sub = NULL;
    dr.verb = AP_DELETE;
    json_t *opts = json_object_get(rq->body, "deleteOptions");
    dr.body = json_is_object(opts) ? json_incref(opts) : NULL;
    ap_resp tmp;
    ap_resp_init(&tmp);
    ap_handle_delete(s, &dr, &tmp);
    json_decref(dr.body);
    if (tmp.status)
        ap_resp_status(out, json_incref(tmp.status));
    else
        answer_json(sk_status_success(NULL, NULL, NULL), 201, out);
    ap_resp_free(&tmp);
}

/* ---- namespaces/finalize: only spec.finalizers changes ---- */

void ap_handle_finalize(ap_server *s, ap_req *rq, ap_resp *out)
{
    json_t *want = sk_jget(rq->body, "spec.finalizers");
    if (want && !json_is_array(want)) {
        ap_resp_status(out, sk_status_bad_request("spec.finalizers must be a list"));
        return;
    }
    for (int i = 0; i < AP_RETRIES; i++) {
        ap_retry_pause(i);
        json_t *cur = NULL;
        int64_t rev;
        if (ap_read_current(s, rq, &cur, &rev, out))
            return;
        int64_t given = ap_json_rv(rq->body);
        if (given && given != rev) {
            json_decref(cur);
            ap_resp_status(out, sk_status_conflict(rq->res, rq->name, NULL));
            return;
        }
        json_t *obj = json_deep_copy(cur);
        json_object_set_new(sk_jobj(obj, "spec"), "finalizers",
                            want ? json_deep_copy(want) : json_array());
        ap_req fr = *rq;
        fr.sub = NULL;
        fr.internal = true;
        ap_resp_reset(out);
        int rc = ap_write_update(s, &fr, obj, cur, rev, out);
        json_decref(obj);
        json_decref(cur);
        if (rc != SK_ECONFLICT)
            return;
        ap_resp_reset(out);
    }
    ap_resp_status(out, sk_status_conflict(rq->res, rq->name, "too many concurrent updates"));
}
