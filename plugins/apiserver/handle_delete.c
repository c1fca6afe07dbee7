/* DELETE and DELETECOLLECTION. An object with finalizers (or deleted
 * with propagationPolicy Foreground/Orphan, which add one for the garbage
 * collector) is only marked: deletionTimestamp is set and it stays
 * visible until the last finalizer is removed by an update. A pod bound
 * to a node is deleted gracefully the same way, with its grace period
 * (the kubelet finishes it with gracePeriodSeconds=0); a Namespace turns
 * Terminating until the namespace controller empties it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "json_mp.h"
#include "jutil.h"
#include "k8s_time.h"
#include "objects.h"
#include "status.h"
#include "write.h"

/* Options from the body (DeleteOptions) override the query's. */
static void read_options(ap_req *rq, const char **uid_pre, int64_t *rv_pre)
{
    json_t *b = rq->body;
    *uid_pre = NULL;
    *rv_pre = 0;
    if (!json_is_object(b))
        return;
    json_t *g = json_object_get(b, "gracePeriodSeconds");
    if (json_is_integer(g)) {
        rq->o.has_grace = true;
        rq->o.grace = json_integer_value(g);
    }
    const char *p = sk_jstr(b, "propagationPolicy");
    if (p)
        rq->o.propagation = p;
    json_t *dr = json_object_get(b, "dryRun");
    if (json_is_array(dr) && json_array_size(dr) > 0)
        rq->o.dry_run = true;
    if (sk_jbool(b, "orphanDependents", false) && !rq->o.propagation)
        rq->o.propagation = "Orphan";
    *uid_pre = sk_jstr(b, "preconditions.uid");
    const char *rv = sk_jstr(b, "preconditions.resourceVersion");
    if (rv)
        *rv_pre = strtoll(rv, NULL, 10);
}

static void add_finalizer(json_t *meta, const char *f)
{
    json_t *arr = json_object_get(meta, "finalizers");
    if (!json_is_array(arr)) {
        arr = json_array();
        json_object_set_new(meta, "finalizers", arr);
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), f) == 0)
            return;
    json_array_append_new(arr, json_string(f));
}

/* A pod's grace period for this delete, as the real pod strategy
 * decides it: the request's gracePeriodSeconds, else the pod's
 * terminationGracePeriodSeconds (default 30); negative means 1; 0 for a
 * pod never scheduled (no kubelet has to stop it) or already terminal. */
static int64_t pod_grace(const ap_req *rq, const json_t *pod)
{
    int64_t grace = rq->o.has_grace ? rq->o.grace
                                    : sk_jint(pod, "spec.terminationGracePeriodSeconds", 30);
    if (grace < 0)
        grace = 1;
    const char *node = sk_jstr(pod, "spec.nodeName");
    const char *phase = sk_jstr(pod, "status.phase");
    if (!node || !*node)
        grace = 0;
    if (phase && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0))
        grace = 0;
    return grace;
}

/* Whether the delete only marks the object; fills it in when so. */
static bool mark_instead(const ap_req *rq, json_t *obj)
{
    json_t *meta = sk_jobj(obj, "metadata");
    const char *pp = rq->o.propagation;
    if (pp && strcmp(pp, "Foreground") == 0)
        add_finalizer(meta, "foregroundDeletion");
    else if (pp && strcmp(pp, "Orphan") == 0)
        add_finalizer(meta, "orphan");
    bool ns = strcmp(rq->res->plural, "namespaces") == 0;
    json_t *fin = json_object_get(meta, "finalizers");
    int64_t grace = strcmp(rq->res->plural, "pods") == 0 ? pod_grace(rq, obj) : 0;
    bool graceful = grace > 0;
    if (!ns && !graceful && json_array_size(fin) == 0)
        return false;
    /* deletionTimestamp is when the grace period ends (now + grace). */
    int64_t now = (int64_t)time(NULL), ts;
    char when[32];
    const char *old_ts = sk_jstr(meta, "deletionTimestamp");
    if (!old_ts) {
        sk_time_format(now + grace, when, sizeof when);
        json_object_set_new(meta, "deletionTimestamp", json_string(when));
        json_object_set_new(meta, "deletionGracePeriodSeconds", json_integer(grace));
    } else if (grace < sk_jint(meta, "deletionGracePeriodSeconds", 0)) {
        /* A second delete may shorten the grace period, never extend it. */
        if (!sk_time_parse(old_ts, &ts) || now + grace < ts) {
            sk_time_format(now + grace, when, sizeof when);
            json_object_set_new(meta, "deletionTimestamp", json_string(when));
        }
        json_object_set_new(meta, "deletionGracePeriodSeconds", json_integer(grace));
    }
    if (ns)
        json_object_set_new(sk_jobj(obj, "status"), "phase", json_string("Terminating"));
    return true;
}

/* Deletes or marks one object; the answer is the object. */
static int delete_one(ap_server *s, ap_req *rq, const char *uid_pre, int64_t rv_pre,
                      ap_resp *out)
{
    json_t *obj = NULL;
    int64_t rev = 0;
    if (ap_read_current(s, rq, &obj, &rev, out))
        return -1;
    const char *uid = sk_jstr(obj, "metadata.uid");
    if ((uid_pre && (!uid || strcmp(uid, uid_pre) != 0)) || (rv_pre && rv_pre != rev)) {
        char msg[256];
        snprintf(msg, sizeof msg, "Precondition failed: UID in precondition: %s, UID in object "
                 "meta: %s", uid_pre ? uid_pre : "", uid ? uid : "");
        ap_resp_status(out, sk_status_conflict(rq->res, rq->name, msg));
        json_decref(obj);
        return -1;
    }
    int rc;
    bool already = sk_jstr(obj, "metadata.deletionTimestamp") != NULL;
    bool force_now = rq->o.has_grace && rq->o.grace == 0;
    json_t *marked = json_deep_copy(obj);
    if (!marked) {
        json_decref(obj);
        ap_resp_status(out, sk_status_internal("out of memory"));
        return -1;
    }
    bool mark = mark_instead(rq, marked);
    json_t *fin = sk_jget(marked, "metadata.finalizers");
    if (mark && (json_array_size(fin) > 0 || !force_now) &&
        (strcmp(rq->res->plural, "namespaces") != 0 ||
         json_array_size(sk_jget(marked, "spec.finalizers")) > 0)) {
        if (already && sk_jequal(marked, obj)) {
            rc = 0;
            ap_resp_reset(out);
            sk_apierr e;
            if (sk_json_to_mp(obj, &out->mp, NULL, &e))
                ap_resp_status(out, sk_status_internal(e.msg));
        } else {
            /* Marking is a server-side update: the lifecycle fields and
             * status it sets must not be reset by the update rules. */
            ap_req mr = *rq;
            mr.sub = NULL;
            mr.body = NULL;
            mr.internal = true;
            rc = ap_write_update(s, &mr, marked, obj, rev, out);
        }
        json_decref(marked);
        json_decref(obj);
        return rc;
    }
    json_decref(marked);
    if (rq->o.dry_run) {
        sk_apierr e;
        if (sk_json_to_mp(obj, &out->mp, NULL, &e))
            ap_resp_status(out, sk_status_internal(e.msg));
        json_decref(obj);
        return 0;
    }
    char key[1024];
    sk_apierr err = {{0}};
    sk_resource_key(rq->res, rq->ns, rq->name, key, sizeof key);
    int64_t drev = 0;
    rc = ap_store_delete(s, key, rev, &drev, &err);
    if (rc == 0) {
        ap_alloc_release(s, rq->res, obj);
        sk_apierr e;
        if (sk_json_to_mp(obj, &out->mp, NULL, &e))
            ap_resp_status(out, sk_status_internal(e.msg));
    } else if (rc != SK_ECONFLICT) {
        ap_resp_status(out, ap_status_for(rq->res, rq->name, rc, err.msg));
    }
    json_decref(obj);
    return rc;
}

void ap_handle_delete(ap_server *s, ap_req *rq, ap_resp *out)
{
    const char *uid_pre;
    int64_t rv_pre;
    read_options(rq, &uid_pre, &rv_pre);
    for (int i = 0; i < AP_RETRIES; i++) {
        ap_retry_pause(i);
        int rc = delete_one(s, rq, uid_pre, rv_pre, out);
        if (rc != SK_ECONFLICT)
            return;
        ap_resp_reset(out);
    }
    ap_resp_status(out, sk_status_conflict(rq->res, rq->name, "too many concurrent updates"));
}

/* Lists what matches, then deletes each one; answers the list of what was
 * deleted (or marked). */
void ap_handle_deletecollection(ap_server *s, ap_req *rq, ap_resp *out)
{
    ap_resp lst;
    ap_resp_init(&lst);
    json_t *body = rq->body;
    rq->body = NULL;
    ap_handle_list(s, rq, &lst);
    rq->body = body;
    if (lst.status) {
        ap_resp_status(out, json_incref(lst.status));
        ap_resp_free(&lst);
        return;
    }
    json_t *list = NULL;
    sk_apierr err;
    int rc = sk_mp_to_json(lst.mp.data, lst.mp.len, NULL, &list, &err);
    ap_resp_free(&lst);
    if (rc) {
        ap_resp_status(out, sk_status_internal(err.msg));
        return;
    }
    json_t *items = json_object_get(list, "items"), *done = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        ap_req one = *rq;
        one.name = sk_jstr(it, "metadata.name");
        one.ns = sk_jstr(it, "metadata.namespace");
        one.body = rq->body ? json_incref(rq->body) : NULL;
        ap_resp r1;
        ap_resp_init(&r1);
        ap_handle_delete(s, &one, &r1);
        json_decref(one.body);
        json_t *o = NULL;
        if (!r1.status && sk_mp_to_json(r1.mp.data, r1.mp.len, NULL, &o, &err) == 0)
            json_array_append_new(done, o);
        ap_resp_free(&r1);
    }
    json_object_set_new(list, "items", done);
    if (sk_json_to_mp(list, &out->mp, NULL, &err))
        ap_resp_status(out, sk_status_internal(err.msg));
    json_decref(list);
}
