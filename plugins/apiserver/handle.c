/* The request core's entry: authorization, dispatch by verb and
 * subresource, and the mapping of store and bus errors to Status. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "apiserver.h"
#include "status.h"

void ap_retry_pause(int attempt)
{
    if (attempt < 2)
        return;
    unsigned r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = (unsigned)attempt * 7919u;
    int cap_us = attempt < 10 ? 200 * attempt : 2000;
    struct timespec ts = {0, (long)(r % (unsigned)cap_us) * 1000L};
    nanosleep(&ts, NULL);
}

void ap_resp_init(ap_resp *r)
{
    memset(r, 0, sizeof *r);
    sk_mp_buf_init(&r->mp);
    r->code = 200;
}

void ap_resp_free(ap_resp *r)
{
    json_decref(r->status);
    json_decref(r->warnings);
    sk_mp_buf_free(&r->mp);
    free(r->raw);
    memset(r, 0, sizeof *r);
}

void ap_resp_reset(ap_resp *r)
{
    json_t *w = r->warnings;
    r->warnings = NULL;
    ap_resp_free(r);
    ap_resp_init(r);
    r->warnings = w;
}

void ap_resp_warn(ap_resp *r, const char *text)
{
    size_t i;
    json_t *v;
    json_array_foreach(r->warnings, i, v)
    {
        if (strcmp(json_string_value(v), text) == 0)
            return;
    }
    if (!r->warnings)
        r->warnings = json_array();
    json_array_append_new(r->warnings, json_string(text));
}

int ap_resp_status(ap_resp *r, json_t *st)
{
    json_decref(r->status);
    r->status = st ? st : sk_status_internal("out of memory");
    r->code = sk_status_code(r->status);
    sk_mp_buf_free(&r->mp);
    sk_mp_buf_init(&r->mp);
    return r->code;
}

void ap_opts_init(ap_opts *o)
{
    memset(o, 0, sizeof *o);
    o->tail_lines = o->since_seconds = o->limit_bytes = -1;
}

void ap_req_free(ap_req *r)
{
    json_decref(r->body);
    r->body = NULL;
}

json_t *ap_status_for(const sk_resource *r, const char *name, int rc, const char *msg)
{
    switch (rc) {
    case SK_ENOTFOUND:
        return r ? sk_status_not_found(r, name) : sk_status_not_found_path();
    case SK_EEXISTS:
        return r ? sk_status_already_exists(r, name) : sk_status_internal(msg);
    case SK_ECONFLICT:
        return r ? sk_status_conflict(r, name, NULL) : sk_status_internal(msg);
    case SK_ECOMPACTED:
        return sk_status_expired(msg);
    case SK_ETOOLARGE:
        return sk_status_failure(413, "RequestEntityTooLarge", msg, NULL);
    case SK_EQUOTA:
        return sk_status_failure(507, "InternalError", msg, NULL);
    case SK_ETIMEDOUT:
        return sk_status_timeout(msg);
    case SK_ENOSERVICE:
    case SK_EUNAVAILABLE:
    case SK_ESTOPPED:
    case SK_EFULL:
        return sk_status_unavailable(msg);
    case SK_EBADMSG:
        return sk_status_bad_request(msg);
    default:
        return sk_status_internal(msg);
    }
}

int ap_code_to_sk(int code, const char *reason)
{
    switch (code) {
    case 404:
        return SK_ENOTFOUND;
    case 409:
        return reason && strcmp(reason, "AlreadyExists") == 0 ? SK_EEXISTS : SK_ECONFLICT;
    case 410:
        return SK_ECOMPACTED;
    case 401:
    case 403:
        return SK_EDENIED;
    case 413:
        return SK_ETOOLARGE;
    case 429:
    case 503:
        return SK_EUNAVAILABLE;
    case 504:
        return SK_ETIMEDOUT;
    default:
        return code >= 400 && code < 500 ? SK_EBADMSG : SK_EINTERNAL;
    }
}

static const char *verb_name(ap_verb v)
{
    static const char *const names[] = {"",       "get",    "list",  "watch",
                                        "create", "update", "patch", "delete",
                                        "deletecollection"};
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "";
}

static unsigned verb_bit(ap_verb v)
{
    return sk_verb_from_name(verb_name(v));
}

/* Subresource verbs: status/scale act like the main verbs; binding and
 * eviction are creates; log is a get. */
static void dispatch_sub(ap_server *s, ap_req *rq, ap_resp *out)
{
    const char *n = rq->sub->name;
    if (!(rq->sub->verbs & verb_bit(rq->verb))) {
        ap_resp_status(out, sk_status_method_not_allowed());
        return;
    }
    if (strcmp(n, "status") == 0) {
        if (rq->verb == AP_GET)
            ap_handle_get(s, rq, out);
        else if (rq->verb == AP_UPDATE)
            ap_handle_update(s, rq, out);
        else
            ap_handle_patch(s, rq, out);
    } else if (strcmp(n, "scale") == 0) {
        ap_handle_scale(s, rq, out);
    } else if (strcmp(n, "binding") == 0) {
        ap_handle_binding(s, rq, out);
    } else if (strcmp(n, "eviction") == 0) {
        ap_handle_eviction(s, rq, out);
    } else if (strcmp(n, "finalize") == 0) {
        ap_handle_finalize(s, rq, out);
    } else if (strcmp(n, "log") == 0) {
        ap_handle_log(s, rq, out);
    } else {
        ap_resp_status(out, sk_status_method_not_allowed());
    }
}

int ap_authorize_req(ap_server *s, const ap_req *rq, ap_resp *out)
{
    const sk_resource *r = rq->res;
    if (rq->user && s->authorize &&
        s->authorize(s->authorize_arg, rq->user, verb_name(rq->verb), r, rq->ns, rq->name)) {
        ap_resp_status(out, sk_status_forbidden(r, rq->name, rq->user->name,
                                                verb_name(rq->verb), rq->ns));
        return -1;
    }
    return 0;
}

void ap_handle(ap_server *s, ap_req *rq, ap_resp *out)
{
    const sk_resource *r = rq->res;
    if (ap_authorize_req(s, rq, out))
        return;
    if (rq->sub) {
        if (!rq->name || !*rq->name)
            ap_resp_status(out, sk_status_not_found_path());
        else
            dispatch_sub(s, rq, out);
        return;
    }
    if (!(r->verbs & verb_bit(rq->verb))) {
        ap_resp_status(out, sk_status_method_not_allowed());
        return;
    }
    switch (rq->verb) {
    case AP_GET:
        ap_handle_get(s, rq, out);
        break;
    case AP_LIST:
        ap_handle_list(s, rq, out);
        break;
    case AP_CREATE:
        ap_handle_create(s, rq, out);
        break;
    case AP_UPDATE:
        ap_handle_update(s, rq, out);
        break;
    case AP_PATCH:
        ap_handle_patch(s, rq, out);
        break;
    case AP_DELETE:
        ap_handle_delete(s, rq, out);
        break;
    case AP_DELETECOLLECTION:
        ap_handle_deletecollection(s, rq, out);
        break;
    default: /* watches are streams: the front ends start them */
        ap_resp_status(out, sk_status_method_not_allowed());
    }
}
