/* Internals of the HTTP front end shared by http*.c. */
#ifndef AP_HTTP_INT_H
#define AP_HTTP_INT_H

#include <microhttpd.h>

#include "apiserver.h"

/* One request being received: its body (bounded) and when it began. */
typedef struct ap_hctx {
    char *body;
    size_t len, cap;
    bool too_large;
    uint64_t t0_us;
    const char *verb;     /* for metrics: GET, LIST, WATCH, POST, ... */
    const char *resource; /* for metrics: the plural, or "" */
} ap_hctx;

/* Sends text (copied) with the given code and Content-Type. */
enum MHD_Result ap_http_send(struct MHD_Connection *c, int code, const char *ctype,
                             const char *text, size_t len);
/* Sends a Status object (stolen) as JSON with its code. */
enum MHD_Result ap_http_send_status(struct MHD_Connection *c, json_t *st);
/* Sends a JSON value (stolen) with code and ctype (NULL: application/json). */
enum MHD_Result ap_http_send_json(struct MHD_Connection *c, int code, const char *ctype,
                                  json_t *j);
/* The same with a Warning header per string in warnings (may be NULL). */
enum MHD_Result ap_http_send_json_w(struct MHD_Connection *c, int code, const char *ctype,
                                    json_t *j, const json_t *warnings);
/* Adds `Warning: 299 - "text"` headers to r, one per string. */
void ap_http_add_warnings(struct MHD_Response *r, const json_t *warnings);

/* Routes one complete request. */
enum MHD_Result ap_http_dispatch(ap_server *s, struct MHD_Connection *c, const char *url,
                                 const char *method, ap_hctx *x);
/* Non-resource paths (/version, /healthz, discovery, OpenAPI, /metrics):
 * MHD_YES/MHD_NO when handled, -1 when url is not one of them. */
int ap_http_static(ap_server *s, struct MHD_Connection *c, const char *url,
                   const char *method, ap_hctx *x);
/* Renders a core answer (object, list, Status, raw) for rq. */
enum MHD_Result ap_http_render(ap_server *s, struct MHD_Connection *c, const ap_req *rq,
                               ap_resp *r);
/* Streams pods/log?follow=true from the kubelet. */
enum MHD_Result ap_http_log_follow(ap_server *s, struct MHD_Connection *c, ap_req *rq);
/* Starts a watch stream for rq. */
enum MHD_Result ap_http_watch(ap_server *s, struct MHD_Connection *c, ap_req *rq);

const char *ap_http_header(struct MHD_Connection *c, const char *name);
const char *ap_http_arg(struct MHD_Connection *c, const char *name);

#endif
