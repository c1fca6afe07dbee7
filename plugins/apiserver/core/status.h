/* apiserver core — Status objects (kind: Status, apiVersion: v1), the
 * error bodies clients decode. Messages, reasons and codes follow the
 * real apiserver, so kubectl prints e.g.
 *   Error from server (NotFound): pods "nginx" not found
 * Every constructor returns a new JSON object (NULL only on ENOMEM); r
 * may be NULL where no resource is known. */
#ifndef SK_STATUS_H
#define SK_STATUS_H

#include <stddef.h>

#include <jansson.h>

#include "causes.h"
#include "registry.h"

/* The general form; details (may be NULL) is stolen. */
json_t *sk_status_failure(int code, const char *reason, const char *message, json_t *details);
/* {"status":"Success"} for a delete that returns no object. */
json_t *sk_status_success(const sk_resource *r, const char *name, const char *uid);

json_t *sk_status_not_found(const sk_resource *r, const char *name);     /* 404 */
json_t *sk_status_not_found_path(void);                                  /* 404, no resource */
json_t *sk_status_already_exists(const sk_resource *r, const char *name); /* 409 */
/* 409 Conflict; why NULL means the stale-resourceVersion wording. */
json_t *sk_status_conflict(const sk_resource *r, const char *name, const char *why);
/* 422 Invalid with details.causes. */
json_t *sk_status_invalid(const sk_resource *r, const char *name, const sk_causes *c);
/* 400 BadRequest from decoding problems (type errors, unknown fields). */
json_t *sk_status_decode_error(const sk_resource *r, const sk_causes *c);
json_t *sk_status_bad_request(const char *message);                      /* 400 */
json_t *sk_status_method_not_allowed(void);                              /* 405 */
json_t *sk_status_expired(const char *message);                          /* 410 */
/* "too old resource version: 5 (100)" */
json_t *sk_status_too_old(long long requested, long long oldest);
json_t *sk_status_too_large(size_t limit);                               /* 413 */
json_t *sk_status_unsupported_media(const char *content_type);           /* 415 */
json_t *sk_status_not_acceptable(const char *accept);                    /* 406 */
json_t *sk_status_unauthorized(void);                                    /* 401 */
/* 403: `pods "x" is forbidden: User "u" cannot get resource "pods" in API
 * group "" in the namespace "default"`; name and ns may be NULL. */
json_t *sk_status_forbidden(const sk_resource *r, const char *name, const char *user,
                            const char *verb, const char *ns);
json_t *sk_status_internal(const char *message);                         /* 500 */
json_t *sk_status_unavailable(const char *message);                      /* 503 */
json_t *sk_status_timeout(const char *message);                          /* 504 */
json_t *sk_status_too_many_requests(int retry_after_seconds);            /* 429 */

/* The HTTP code of a Status (its "code"), or 500 when absent. */
int sk_status_code(const json_t *st);
/* {"type": type, "object": obj} for watch streams; obj is stolen. */
json_t *sk_watch_event(const char *type, json_t *obj);

#endif
