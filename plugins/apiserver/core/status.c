#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

json_t *sk_status_failure(int code, const char *reason, const char *message, json_t *details)
{
    json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s}", "kind", "Status", "apiVersion", "v1",
                           "metadata", "status", "Failure", "message", message ? message : "",
                           "reason", reason);
    if (st && details)
        json_object_set(st, "details", details);
    json_decref(details);
    if (st)
        json_object_set_new(st, "code", json_integer(code));
    return st;
}

/* {name, group, kind} as Kubernetes fills details: kind is the resource
 * (plural) for most errors, the Kind for Invalid. */
static json_t *details(const sk_resource *r, const char *name, const char *kind)
{
    json_t *d = json_object();
    if (name && *name)
        json_object_set_new(d, "name", json_string(name));
    if (r && *r->group)
        json_object_set_new(d, "group", json_string(r->group));
    if (kind)
        json_object_set_new(d, "kind", json_string(kind));
    return d;
}

json_t *sk_status_success(const sk_resource *r, const char *name, const char *uid)
{
    json_t *d = details(r, name, r ? r->plural : NULL);
    if (uid && *uid)
        json_object_set_new(d, "uid", json_string(uid));
    return json_pack("{s:s, s:s, s:{}, s:s, s:o}", "kind", "Status", "apiVersion", "v1",
                     "metadata", "status", "Success", "details", d);
}

json_t *sk_status_not_found(const sk_resource *r, const char *name)
{
    char qual[160], msg[512];
    sk_resource_qualified(r, qual, sizeof qual);
    snprintf(msg, sizeof msg, "%s \"%s\" not found", qual, name ? name : "");
    return sk_status_failure(404, "NotFound", msg, details(r, name, r->plural));
}

json_t *sk_status_not_found_path(void)
{
    return sk_status_failure(404, "NotFound", "the server could not find the requested resource",
                             json_object());
}

json_t *sk_status_already_exists(const sk_resource *r, const char *name)
{
    char qual[160], msg[512];
    sk_resource_qualified(r, qual, sizeof qual);
    snprintf(msg, sizeof msg, "%s \"%s\" already exists", qual, name ? name : "");
    return sk_status_failure(409, "AlreadyExists", msg, details(r, name, r->plural));
}

json_t *sk_status_conflict(const sk_resource *r, const char *name, const char *why)
{
    char qual[160], msg[768];
    sk_resource_qualified(r, qual, sizeof qual);
    snprintf(msg, sizeof msg, "Operation cannot be fulfilled on %s \"%s\": %s", qual,
             name ? name : "",
             why ? why
                 : "the object has been modified; please apply your changes to the latest "
                   "version and try again");
    return sk_status_failure(409, "Conflict", msg, details(r, name, r->plural));
}

static json_t *causes_json(const sk_causes *c)
{
    json_t *arr = json_array();
    for (size_t i = 0; c && i < c->n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "reason", c->v[i].reason,
                                             "message", c->v[i].message, "field",
                                             c->v[i].field));
    return arr;
}

/* One cause as "field: message", several as "[a, b]", as Go aggregates. */
static void aggregate(sk_sbuf *b, const sk_causes *c)
{
    if (c->n > 1)
        sk_sbuf_putc(b, '[');
    for (size_t i = 0; i < c->n; i++) {
        char *t = sk_cause_text(&c->v[i]);
        sk_sbuf_printf(b, "%s%s", i ? ", " : "", t ? t : "");
        free(t);
    }
    if (c->n > 1)
        sk_sbuf_putc(b, ']');
}

json_t *sk_status_invalid(const sk_resource *r, const char *name, const sk_causes *c)
{
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    if (*r->group)
        sk_sbuf_printf(&b, "%s.%s", r->kind, r->group);
    else
        sk_sbuf_puts(&b, r->kind);
    sk_sbuf_printf(&b, " \"%s\" is invalid", name ? name : "");
    if (c && c->n) {
        sk_sbuf_puts(&b, ": ");
        aggregate(&b, c);
    }
    json_t *d = details(r, name, r->kind);
    json_object_set_new(d, "causes", causes_json(c));
    json_t *st = sk_status_failure(422, "Invalid", sk_sbuf_str(&b), d);
    sk_sbuf_free(&b);
    return st;
}

json_t *sk_status_decode_error(const sk_resource *r, const sk_causes *c)
{
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    bool strict = false;
    for (size_t i = 0; i < c->n; i++)
        strict |= strcmp(c->v[i].reason, SK_CAUSE_UNKNOWN_FIELD) == 0;
    if (strict)
        sk_sbuf_puts(&b, "strict decoding error: ");
    else if (r)
        sk_sbuf_printf(&b, "%s in version \"%s\" cannot be handled as a %s: ", r->kind,
                       r->version, r->kind);
    for (size_t i = 0; i < c->n; i++) {
        bool unknown = strcmp(c->v[i].reason, SK_CAUSE_UNKNOWN_FIELD) == 0;
        char *t = unknown ? strdup(c->v[i].message) : sk_cause_text(&c->v[i]);
        sk_sbuf_printf(&b, "%s%s", i ? ", " : "", t ? t : "");
        free(t);
    }
    json_t *st = sk_status_failure(400, "BadRequest", sk_sbuf_str(&b), NULL);
    sk_sbuf_free(&b);
    return st;
}

json_t *sk_status_bad_request(const char *message)
{
    return sk_status_failure(400, "BadRequest", message, NULL);
}

json_t *sk_status_method_not_allowed(void)
{
    return sk_status_failure(405, "MethodNotAllowed",
                             "the server does not allow this method on the requested resource",
                             json_object());
}

json_t *sk_status_expired(const char *message)
{
    return sk_status_failure(410, "Expired", message, NULL);
}

json_t *sk_status_too_old(long long requested, long long oldest)
{
    char msg[128];
    snprintf(msg, sizeof msg, "too old resource version: %lld (%lld)", requested, oldest);
    return sk_status_expired(msg);
}

json_t *sk_status_too_large(size_t limit)
{
    char msg[128];
    snprintf(msg, sizeof msg, "Request entity too large: limit is %zu", limit);
    return sk_status_failure(413, "RequestEntityTooLarge", msg, NULL);
}

json_t *sk_status_unsupported_media(const char *content_type)
{
    char msg[512];
    snprintf(msg, sizeof msg,
             "the body of the request was in an unknown format (%s) - accepted media types "
             "include: application/json, application/json-patch+json, "
             "application/merge-patch+json, application/strategic-merge-patch+json, "
             "application/apply-patch+yaml",
             content_type ? content_type : "none");
    return sk_status_failure(415, "UnsupportedMediaType", msg, NULL);
}

json_t *sk_status_not_acceptable(const char *accept)
{
    char msg[512];
    snprintf(msg, sizeof msg, "only the following media types are accepted: application/json "
                              "(asked for %s)", accept ? accept : "nothing");
    return sk_status_failure(406, "NotAcceptable", msg, NULL);
}

json_t *sk_status_unauthorized(void)
{
    return sk_status_failure(401, "Unauthorized", "Unauthorized", NULL);
}

json_t *sk_status_forbidden(const sk_resource *r, const char *name, const char *user,
                            const char *verb, const char *ns)
{
    char qual[160], msg[1024];
    sk_resource_qualified(r, qual, sizeof qual);
    int n = name && *name ? snprintf(msg, sizeof msg, "%s \"%s\" is forbidden: ", qual, name)
                          : snprintf(msg, sizeof msg, "%s is forbidden: ", qual);
    snprintf(msg + n, sizeof msg - (size_t)n,
             "User \"%s\" cannot %s resource \"%s\" in API group \"%s\" %s%s%s", user ? user : "",
             verb ? verb : "", r->plural, r->group, ns && *ns ? "in the namespace \"" : "at the cluster scope",
             ns && *ns ? ns : "", ns && *ns ? "\"" : "");
    return sk_status_failure(403, "Forbidden", msg, details(r, name, r->plural));
}

json_t *sk_status_internal(const char *message)
{
    char msg[768];
    snprintf(msg, sizeof msg, "Internal error occurred: %s", message ? message : "");
    return sk_status_failure(500, "InternalError", msg, NULL);
}

json_t *sk_status_unavailable(const char *message)
{
    return sk_status_failure(503, "ServiceUnavailable", message, NULL);
}

json_t *sk_status_timeout(const char *message)
{
    return sk_status_failure(504, "Timeout", message, NULL);
}

json_t *sk_status_too_many_requests(int retry_after_seconds)
{
    return sk_status_failure(429, "TooManyRequests", "Too many requests, please try again later.",
                             json_pack("{s:i}", "retryAfterSeconds", retry_after_seconds));
}

int sk_status_code(const json_t *st)
{
    json_t *c = json_object_get(st, "code");
    return json_is_integer(c) ? (int)json_integer_value(c) : 500;
}

json_t *sk_watch_event(const char *type, json_t *obj)
{
    return json_pack("{s:s, s:o}", "type", type, "object", obj);
}
