/* CREATE and UPDATE (PUT), in the real apiserver's order: decode checks
 * (400), object lifecycle fields, defaulting, validation (422), then a
 * compare-and-swap in the store. PATCH (handle_patch.c) and the
 * subresources reuse ap_write_update(). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "cache.h"
#include "json_mp.h"
#include "jutil.h"
#include "managed_fields.h"
#include "objects.h"
#include "status.h"
#include "validate.h"
#include "write.h"

static bool has_status_sub(const sk_resource *r)
{
    return sk_resource_subresource(r, "status") != NULL;
}

int ap_decode_check(const ap_req *rq, const sk_schema *schema, json_t *obj, ap_resp *out)
{
    if (!json_is_object(obj)) {
        ap_resp_status(out, sk_status_bad_request("the body of the request must be a JSON object"));
        return -1;
    }
    sk_causes c;
    sk_causes_init(&c);
    /* fieldValidation: Strict refuses unknown fields; Warn (the default)
     * and Ignore drop them, Warn with one warning each. */
    const char *fv = rq->o.field_validation;
    bool strict = fv && strcmp(fv, "Strict") == 0;
    bool ignore = fv && strcmp(fv, "Ignore") == 0;
    sk_schema_check(obj, schema, SK_CHECK_DECODE | (strict ? SK_CHECK_UNKNOWN : 0), &c);
    int rc = 0;
    if (c.n || c.err) {
        ap_resp_status(out, sk_status_decode_error(rq->res, &c));
        rc = -1;
    } else if (!strict) {
        sk_causes dropped;
        sk_causes_init(&dropped);
        sk_schema_prune(obj, schema, &dropped);
        for (size_t i = 0; i < dropped.n && !ignore; i++)
            ap_resp_warn(out, dropped.v[i].message);
        sk_causes_free(&dropped);
    }
    sk_causes_free(&c);
    return rc;
}

/* kind/apiVersion must name this resource when given; then they are set. */
static int check_type(const ap_req *rq, json_t *obj, ap_resp *out)
{
    const sk_resource *r = rq->res;
    char api[64], msg[512];
    sk_resource_api_version(r, api, sizeof api);
    const char *k = sk_jstr(obj, "kind"), *v = sk_jstr(obj, "apiVersion");
    if ((k && *k && strcmp(k, r->kind) != 0) || (v && *v && strcmp(v, api) != 0)) {
        snprintf(msg, sizeof msg, "the API version in the data (%s) does not match the expected "
                 "API version (%s)", v ? v : "", api);
        if (k && *k && strcmp(k, r->kind) != 0)
            snprintf(msg, sizeof msg, "the kind in the data (%s) does not match the expected "
                     "kind (%s)", k, r->kind);
        ap_resp_status(out, sk_status_bad_request(msg));
        return -1;
    }
    json_object_set_new(obj, "kind", json_string(r->kind));
    json_object_set_new(obj, "apiVersion", json_string(api));
    return 0;
}

/* metadata.namespace against the URL's. */
static int check_namespace(const ap_req *rq, json_t *meta, ap_resp *out)
{
    const char *ns = sk_jstr(meta, "namespace");
    if (!rq->res->namespaced) {
        json_object_del(meta, "namespace");
        return 0;
    }
    if (ns && *ns && rq->ns && *rq->ns && strcmp(ns, rq->ns) != 0) {
        ap_resp_status(out, sk_status_bad_request("the namespace of the provided object does not "
                                                  "match the namespace sent on the request"));
        return -1;
    }
    if (rq->ns && *rq->ns)
        json_object_set_new(meta, "namespace", json_string(rq->ns));
    return 0;
}

static int validate(const ap_req *rq, json_t *obj, const json_t *old, ap_resp *out)
{
    sk_causes c;
    sk_causes_init(&c);
    if (old)
        sk_validate_update(rq->res, obj, old, &c);
    else
        sk_validate_create(rq->res, obj, &c);
    int rc = 0;
    if (c.n || c.err) {
        ap_resp_status(out, sk_status_invalid(rq->res, sk_jstr(obj, "metadata.name"), &c));
        rc = -1;
    }
    sk_causes_free(&c);
    return rc;
}

/* Status a new object starts with, as the real strategies reset it. */
static void reset_status(const sk_resource *r, json_t *obj)
{
    if (strcmp(r->plural, "pods") == 0) {
        json_t *st = json_object_get(obj, "status");
        if (!json_is_object(st) || !json_object_get(st, "phase"))
            json_object_set_new(obj, "status", json_pack("{s:s}", "phase", "Pending"));
    } else if (strcmp(r->plural, "services") == 0) {
        json_object_set_new(obj, "status", json_pack("{s:{}}", "loadBalancer"));
    } else if (strcmp(r->plural, "deployments") == 0 || strcmp(r->plural, "replicasets") == 0) {
        json_object_set_new(obj, "status", json_object());
    }
}

/* 409 for a server-side apply that would take fields other managers own. */
static json_t *apply_conflict(const json_t *cf)
{
    size_t n = json_array_size(cf), i;
    json_t *causes = json_array(), *c;
    char msg[2048];
    int len = snprintf(msg, sizeof msg, "Apply failed with %zu conflict%s: ", n,
                       n == 1 ? "" : "s");
    json_array_foreach(cf, i, c)
    {
        char one[600];
        snprintf(one, sizeof one, "conflict with \"%.200s\"%s%.64s", sk_jstr(c, "manager"),
                 sk_jstr(c, "apiVersion") ? " using " : "",
                 sk_jstr(c, "apiVersion") ? sk_jstr(c, "apiVersion") : "");
        json_array_append_new(causes, json_pack("{s:s, s:s, s:s}", "reason",
                                                "FieldManagerConflict", "message", one, "field",
                                                sk_jstr(c, "field")));
        if (len > 0 && (size_t)len < sizeof msg)
            len += snprintf(msg + len, sizeof msg - (size_t)len, "%s%s: %s", i ? "\n" : "", one,
                            sk_jstr(c, "field"));
    }
    return sk_status_failure(409, "Conflict", msg, json_pack("{s:o}", "causes", causes));
}

/* metadata.managedFields for this write (old: NULL on create); non-zero
 * after a 409 for a non-forced apply that conflicts. */
static int record_managed(const ap_req *rq, json_t *obj, const json_t *old, ap_resp *out)
{
    char api[64], now[32];
    sk_resource_api_version(rq->res, api, sizeof api);
    ap_now_rfc3339(now, sizeof now);
    bool apply = rq->verb == AP_PATCH && rq->ptype == AP_PATCH_APPLY;
    sk_managed_write w = {.manager = rq->o.field_manager, .apply = apply, .force = rq->o.force,
                          .subresource = rq->sub ? rq->sub->name : NULL, .api_version = api,
                          .now = now,
                          .applied = !apply ? NULL : rq->applied ? rq->applied : rq->body};
    json_t *cf = NULL;
    if (sk_managed_fields_record(obj, old, rq->res->schema, &w, &cf) == 0)
        return 0;
    ap_resp_status(out, apply_conflict(cf));
    json_decref(cf);
    return -1;
}

/* Finishes a response object: msgpack with resourceVersion rv. */
static void answer(json_t *obj, int64_t rv, int code, ap_resp *out)
{
    if (rv > 0)
        ap_json_set_rv(obj, rv);
    sk_apierr err;
    if (sk_json_to_mp(obj, &out->mp, NULL, &err))
        ap_resp_status(out, sk_status_internal(err.msg));
    else
        out->code = code;
}

static int store_write(ap_server *s, const ap_req *rq, json_t *obj, int64_t expect,
                       int64_t *rev, ap_resp *out)
{
    char key[1024];
    const char *name = sk_jstr(obj, "metadata.name");
    if (sk_resource_key(rq->res, rq->ns, name, key, sizeof key) < 0) {
        ap_resp_status(out, sk_status_bad_request("name too long"));
        return -1;
    }
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_apierr err = {{0}};
    int rc = ap_json_to_stored(obj, &b, &err);
    if (rc == 0)
        rc = expect ? ap_store_update(s, key, b.data, b.len, expect, rev, &err)
                    : ap_store_create(s, key, b.data, b.len, rev, &err);
    sk_mp_buf_free(&b);
    if (rc && rc != SK_ECONFLICT)
        ap_resp_status(out, ap_status_for(rq->res, name, rc, err.msg));
    return rc;
}

/* metadata.name = generateName (cut to leave room) + a random suffix. */
static void set_generated_name(json_t *meta)
{
    const char *gen = sk_jstr(meta, "generateName");
    char n[300], suffix[6];
    ap_random_suffix(suffix);
    snprintf(n, sizeof n, "%.*s%s", (int)(strlen(gen) > 58 ? 58 : strlen(gen)), gen, suffix);
    json_object_set_new(meta, "name", json_string(n));
}

void ap_handle_create(ap_server *s, ap_req *rq, ap_resp *out)
{
    json_t *obj = rq->body;
    if (!obj) {
        ap_resp_status(out, sk_status_bad_request("the body of the request is empty"));
        return;
    }
    if (ap_decode_check(rq, rq->res->schema, obj, out) || check_type(rq, obj, out))
        return;
    json_t *meta = sk_jobj(obj, "metadata");
    if (check_namespace(rq, meta, out))
        return;
    const char *name = sk_jstr(meta, "name"), *gen = sk_jstr(meta, "generateName");
    bool generated = (!name || !*name) && gen && *gen;
    if (generated)
        set_generated_name(meta);
    char uid[37], now[32];
    ap_new_uid(uid);
    ap_now_rfc3339(now, sizeof now);
    json_object_set_new(meta, "uid", json_string(uid));
    json_object_set_new(meta, "creationTimestamp", json_string(now));
    json_object_set_new(meta, "generation", json_integer(1));
    json_object_del(meta, "resourceVersion");
    json_object_del(meta, "deletionTimestamp");
    json_object_del(meta, "deletionGracePeriodSeconds");
    json_object_del(meta, "managedFields");
    reset_status(rq->res, obj);
    sk_apply_defaults(rq->res, obj);
    if (validate(rq, obj, NULL, out) || record_managed(rq, obj, NULL, out))
        return;
    if (rq->res->namespaced && ap_namespace_check(s, rq, out))
        return;
    if (ap_alloc_on_create(s, rq, obj, out))
        return;
    if (rq->o.dry_run) {
        answer(obj, 0, 201, out);
        return;
    }
    int64_t rev = 0;
    int rc = store_write(s, rq, obj, 0, &rev, out);
    /* A generated name can collide by chance (5 of 27 letters): like
     * Kubernetes' RetryGenerateName, pick another before giving up. */
    for (int i = 0; generated && (rc == SK_ECONFLICT || rc == SK_EEXISTS) && i < 7; i++) {
        json_decref(out->status); /* the collision's AlreadyExists */
        out->status = NULL;
        set_generated_name(meta);
        rc = store_write(s, rq, obj, 0, &rev, out);
    }
    if (rc == SK_ECONFLICT || rc == SK_EEXISTS) {
        ap_alloc_release(s, rq->res, obj);
        ap_resp_status(out, sk_status_already_exists(rq->res, sk_jstr(obj, "metadata.name")));
        return;
    }
    if (rc) {
        ap_alloc_release(s, rq->res, obj);
        return;
    }
    answer(obj, rev, 201, out);
}

/* What an update may not change, and what each endpoint keeps. */
static void prepare_update(const ap_req *rq, json_t *obj, const json_t *old)
{
    json_t *meta = sk_jobj(obj, "metadata");
    const json_t *om = json_object_get(old, "metadata");
    if (rq->internal)
        return;
    static const char *const keep[] = {"uid", "creationTimestamp", "deletionTimestamp",
                                       "deletionGracePeriodSeconds", "generation", NULL};
    for (size_t i = 0; keep[i]; i++) {
        json_t *v = json_object_get(om, keep[i]);
        if (v)
            json_object_set(meta, keep[i], v);
        else
            json_object_del(meta, keep[i]);
    }
    bool status_ep = rq->sub && strcmp(rq->sub->name, "status") == 0;
    if (status_ep) {
        /* /status changes only .status (and metadata); spec stays. */
        json_t *spec = json_object_get(old, "spec");
        if (spec)
            json_object_set(obj, "spec", spec);
        else
            json_object_del(obj, "spec");
    } else if (has_status_sub(rq->res)) {
        json_t *st = json_object_get(old, "status");
        if (st)
            json_object_set(obj, "status", st);
        else
            json_object_del(obj, "status");
    }
    json_t *ns = json_object_get(old, "spec");
    json_t *nw = json_object_get(obj, "spec");
    if (ns && !sk_jequal(ns, nw))
        json_object_set_new(meta, "generation",
                            json_integer(sk_jint(old, "metadata.generation", 1) + 1));
}

/* Being deleted and nothing left to wait for: metadata.finalizers, and
 * for a Namespace also spec.finalizers (cleared through /finalize), and
 * no grace period running. */
static bool finalized(const sk_resource *r, const json_t *obj)
{
    json_t *f = sk_jget(obj, "metadata.finalizers");
    if (!sk_jstr(obj, "metadata.deletionTimestamp") || json_array_size(f) > 0)
        return false;
    /* In a grace period (a pod being stopped by its kubelet): the object
     * goes with a delete of grace 0, not with its last finalizer. */
    if (sk_jint(obj, "metadata.deletionGracePeriodSeconds", 0) > 0)
        return false;
    return strcmp(r->plural, "namespaces") != 0 ||
           json_array_size(sk_jget(obj, "spec.finalizers")) == 0;
}

int ap_write_update(ap_server *s, const ap_req *rq, json_t *obj, const json_t *old,
                    int64_t old_rev, ap_resp *out)
{
    if (check_type(rq, obj, out))
        return -1;
    json_t *meta = sk_jobj(obj, "metadata");
    if (check_namespace(rq, meta, out))
        return -1;
    prepare_update(rq, obj, old);
    sk_apply_defaults(rq->res, obj);
    if (!rq->internal && validate(rq, obj, old, out))
        return -1;
    if (!rq->internal && record_managed(rq, obj, old, out))
        return -1;
    if (ap_alloc_on_update(s, rq, obj, old, out))
        return -1;
    if (rq->o.dry_run) {
        answer(obj, old_rev, 200, out);
        return 0;
    }
    int64_t rev = 0;
    int rc;
    if (finalized(rq->res, obj)) {
        /* The last finalizer is gone from an object being deleted. */
        char key[1024];
        sk_apierr err = {{0}};
        sk_resource_key(rq->res, rq->ns, sk_jstr(obj, "metadata.name"), key, sizeof key);
        rc = ap_store_delete(s, key, old_rev, &rev, &err);
        if (rc == 0) {
            ap_alloc_release(s, rq->res, obj);
            answer(obj, rev, 200, out);
            return 0;
        }
        if (rc != SK_ECONFLICT)
            ap_resp_status(out, ap_status_for(rq->res, rq->name, rc, err.msg));
        return rc;
    }
    rc = store_write(s, rq, obj, old_rev, &rev, out);
    if (rc == 0)
        answer(obj, rev, 200, out);
    return rc;
}

/* Reads the current object as JSON. */
int ap_read_current(ap_server *s, const ap_req *rq, json_t **obj, int64_t *rev, ap_resp *out)
{
    char key[1024];
    sk_apierr err = {{0}};
    if (sk_resource_key(rq->res, rq->ns, rq->name, key, sizeof key) < 0) {
        ap_resp_status(out, sk_status_bad_request("name too long"));
        return -1;
    }
    void *buf;
    ap_kv kv;
    int rc = ap_object_get(s, key, &buf, &kv, &err);
    if (rc == 0) {
        rc = ap_kv_to_json(&kv, obj, &err);
        *rev = kv.mod_rev;
        free(buf);
    }
    if (rc && out)
        ap_resp_status(out, ap_status_for(rq->res, rq->name, rc, err.msg));
    return rc;
}

void ap_handle_update(ap_server *s, ap_req *rq, ap_resp *out)
{
    json_t *obj = rq->body;
    if (!obj) {
        ap_resp_status(out, sk_status_bad_request("the body of the request is empty"));
        return;
    }
    if (ap_decode_check(rq, rq->res->schema, obj, out))
        return;
    const char *bn = sk_jstr(obj, "metadata.name");
    if (bn && *bn && strcmp(bn, rq->name) != 0) {
        char msg[700];
        snprintf(msg, sizeof msg, "the name of the object (%.256s) does not match the name on "
                 "the URL (%.256s)", bn, rq->name);
        ap_resp_status(out, sk_status_bad_request(msg));
        return;
    }
    int64_t want = ap_json_rv(obj);
    if (want < 0) {
        ap_resp_status(out, sk_status_bad_request("metadata.resourceVersion: invalid value"));
        return;
    }
    json_object_set_new(sk_jobj(obj, "metadata"), "name", json_string(rq->name));
    for (int i = 0; i < AP_RETRIES; i++) {
        ap_retry_pause(i);
        json_t *old = NULL;
        int64_t rev = 0;
        if (ap_read_current(s, rq, &old, &rev, out))
            return;
        if (want && want != rev) {
            json_decref(old);
            ap_resp_status(out, sk_status_conflict(rq->res, rq->name, NULL));
            return;
        }
        json_t *copy = json_deep_copy(obj);
        int rc = copy ? ap_write_update(s, rq, copy, old, rev, out) : -ENOMEM;
        json_decref(copy);
        json_decref(old);
        if (rc != SK_ECONFLICT)
            return;
        if (want) {
            ap_resp_status(out, sk_status_conflict(rq->res, rq->name, NULL));
            return;
        }
        ap_resp_reset(out);
    }
    ap_resp_status(out, sk_status_conflict(rq->res, rq->name, "too many concurrent updates"));
}
