/* PATCH in its four types. The patch is applied to the current object
 * and written back with a compare on its revision; a concurrent write
 * makes it re-read and re-apply (as the real GuaranteedUpdate does), so
 * patches never fail with a conflict unless they carry a stale
 * resourceVersion themselves. Server-side apply merges the applied
 * configuration strategically (creating the object when it is missing)
 * and records managedFields, with field-manager conflicts (409 unless
 * force) in handle_write.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json_mp.h"
#include "jutil.h"
#include "managed_fields.h"
#include "objects.h"
#include "patch.h"
#include "status.h"
#include "write.h"

static int apply_patch(const ap_req *rq, const sk_schema *schema, json_t **doc, ap_resp *out)
{
    sk_apierr err = {{0}};
    int rc;
    switch (rq->ptype) {
    case AP_PATCH_JSON:
        if (!json_is_array(rq->body)) {
            ap_resp_status(out, sk_status_bad_request("a JSON patch must be an array of "
                                                      "operations"));
            return -1;
        }
        rc = sk_json_patch(doc, rq->body, &err);
        break;
    case AP_PATCH_MERGE:
        rc = json_is_object(rq->body) ? sk_merge_patch(doc, rq->body, &err) : SK_EBADMSG;
        break;
    default: /* strategic, and apply's approximation */
        rc = json_is_object(rq->body) ? sk_strategic_patch(doc, rq->body, schema, &err)
                                      : SK_EBADMSG;
    }
    if (rc == 0)
        return 0;
    if (rc == SK_EBADMSG)
        ap_resp_status(out, sk_status_bad_request(*err.msg ? err.msg
                                                           : "the patch must be a JSON object"));
    else if (rc == -EINVAL)
        ap_resp_status(out, sk_status_failure(422, "Invalid", err.msg, NULL));
    else
        ap_resp_status(out, sk_status_internal(err.msg));
    return -1;
}

/* Server-side apply of an object that does not exist yet: a create. */
static void apply_create(ap_server *s, ap_req *rq, ap_resp *out)
{
    json_t *meta = sk_jobj(rq->body, "metadata");
    const char *n = sk_jstr(meta, "name");
    if (n && *n && strcmp(n, rq->name) != 0) {
        ap_resp_status(out, sk_status_bad_request("the name of the object does not match the "
                                                  "name on the URL"));
        return;
    }
    json_object_set_new(meta, "name", json_string(rq->name));
    /* managedFields record the configuration as applied, not defaulted */
    json_t *applied = json_deep_copy(rq->body);
    rq->applied = applied;
    ap_handle_create(s, rq, out);
    rq->applied = NULL;
    json_decref(applied);
}

void ap_handle_patch(ap_server *s, ap_req *rq, ap_resp *out)
{
    if (!rq->body) {
        ap_resp_status(out, sk_status_bad_request("the body of the request is empty"));
        return;
    }
    if (rq->ptype == AP_PATCH_APPLY && (!rq->o.field_manager || !*rq->o.field_manager)) {
        ap_resp_status(out, sk_status_failure(422, "Invalid",
                                              "PatchOptions.meta.k8s.io \"\" is invalid: "
                                              "fieldManager: Required value: is required for "
                                              "apply patch", NULL));
        return;
    }
    const sk_schema *schema = rq->res->schema;
    for (int i = 0; i < AP_RETRIES; i++) {
        ap_retry_pause(i);
        json_t *cur = NULL;
        int64_t rev = 0;
        int rc = ap_read_current(s, rq, &cur, &rev, NULL);
        if (rc == SK_ENOTFOUND && rq->ptype == AP_PATCH_APPLY && !rq->sub) {
            apply_create(s, rq, out);
            return;
        }
        if (rc) {
            ap_resp_status(out, ap_status_for(rq->res, rq->name, rc, "cannot read the object"));
            return;
        }
        json_t *old = json_deep_copy(cur);
        int prc = old ? apply_patch(rq, schema, &cur, out) : -1;
        /* An apply drops what the manager applied before and no longer
         * does (before defaulting, which restores defaults). */
        if (prc == 0 && rq->ptype == AP_PATCH_APPLY)
            sk_managed_remove_unapplied(cur, old, schema, rq->o.field_manager, rq->body,
                                        rq->sub ? rq->sub->name : NULL);
        if (prc || ap_decode_check(rq, schema, cur, out)) {
            if (!old)
                ap_resp_status(out, sk_status_internal("out of memory"));
            json_decref(old);
            json_decref(cur);
            return;
        }
        /* A resourceVersion in the patch is a precondition. */
        int64_t want = ap_json_rv(cur);
        if (want != 0 && want != rev) {
            json_decref(old);
            json_decref(cur);
            ap_resp_status(out, sk_status_conflict(rq->res, rq->name, NULL));
            return;
        }
        rc = ap_write_update(s, rq, cur, old, rev, out);
        json_decref(old);
        json_decref(cur);
        if (rc != SK_ECONFLICT)
            return;
        ap_resp_reset(out);
    }
    ap_resp_status(out, sk_status_conflict(rq->res, rq->name, "too many concurrent updates"));
}
