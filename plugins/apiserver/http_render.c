/* Core answers as HTTP responses: JSON text straight from msgpack, or a
 * meta.k8s.io Table when the client asked for one; watches as chunked
 * newline-delimited events; request metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"
#include "json_mp.h"
#include "status.h"
#include "log_stream.h"
#include "watch.h"

#define WATCH_BLOCK 32768

static enum MHD_Result send_owned(struct MHD_Connection *c, int code, const char *ctype,
                                  char *text, size_t n, const json_t *warnings)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Cache-Control", "no-cache, private");
    ap_http_add_warnings(r, warnings);
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)code, r);
    MHD_destroy_response(r);
    return rc;
}

/* A list or an object as a Table. */
static json_t *as_table(const ap_req *rq, json_t *j)
{
    sk_table_opts o = {.now = time(NULL), .include = rq->o.include, .format = rq->o.table};
    json_t *meta = json_object_get(j, "metadata");
    o.resource_version = json_string_value(json_object_get(meta, "resourceVersion"));
    o.continue_token = json_string_value(json_object_get(meta, "continue"));
    if (rq->verb == AP_LIST || rq->verb == AP_DELETECOLLECTION) {
        json_t *items = json_object_get(j, "items");
        size_t n = json_array_size(items);
        json_t **objs = n ? calloc(n, sizeof *objs) : NULL;
        if (n && !objs)
            return NULL;
        for (size_t i = 0; i < n; i++)
            objs[i] = json_array_get(items, i);
        json_t *t = sk_table_render(rq->res, objs, n, &o);
        free(objs);
        return t;
    }
    o.resource_version = NULL;
    return sk_table_render(rq->res, &j, 1, &o);
}

enum MHD_Result ap_http_render(ap_server *s, struct MHD_Connection *c, const ap_req *rq,
                               ap_resp *r)
{
    (void)s;
    if (r->status)
        return ap_http_send_json_w(c, r->code, NULL, json_incref(r->status), r->warnings);
    if (r->raw) {
        char *raw = r->raw;
        r->raw = NULL; /* handed to libmicrohttpd */
        return send_owned(c, r->code, r->raw_type, raw, r->raw_len, r->warnings);
    }
    sk_apierr err = {{0}};
    bool table = rq->o.table != SK_TABLE_NONE && !rq->sub &&
                 (rq->verb == AP_GET || rq->verb == AP_LIST);
    if (table) {
        json_t *j = NULL;
        if (sk_mp_to_json(r->mp.data, r->mp.len, NULL, &j, &err))
            return ap_http_send_status(c, sk_status_internal(err.msg));
        json_t *t = as_table(rq, j);
        json_decref(j);
        if (!t)
            return ap_http_send_status(c, sk_status_internal("out of memory"));
        return ap_http_send_json_w(c, r->code, sk_table_content_type(rq->o.table), t,
                                   r->warnings);
    }
    char *text = NULL;
    size_t n = 0;
    if (sk_mp_to_json_text(r->mp.data, r->mp.len, NULL, &text, &n, &err))
        return ap_http_send_status(c, sk_status_internal(err.msg));
    return send_owned(c, r->code, "application/json", text, n, r->warnings);
}

static ssize_t watch_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    ssize_t n = ap_watch_read(cls, buf, max);
    if (n == -1)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n;
}

static void watch_free(void *cls)
{
    ap_watch_close(cls);
}

enum MHD_Result ap_http_watch(ap_server *s, struct MHD_Connection *c, ap_req *rq)
{
    if (!(rq->res->verbs & SK_VERB_WATCH) || rq->sub)
        return ap_http_send_status(c, sk_status_method_not_allowed());
    /* GET .../pods/x?watch=1 watches that one object. */
    char fsel[600];
    if (rq->name && *rq->name) {
        snprintf(fsel, sizeof fsel, "metadata.name=%.250s%s%.300s", rq->name,
                 rq->o.field_selector && *rq->o.field_selector ? "," : "",
                 rq->o.field_selector ? rq->o.field_selector : "");
        rq->o.field_selector = fsel;
        rq->name = NULL;
    }
    ap_resp out;
    ap_resp_init(&out);
    ap_watch *w = NULL;
    if (ap_watch_open(s, rq, NULL, &w, &out)) {
        enum MHD_Result rc = ap_http_send_status(c, json_incref(out.status));
        ap_resp_free(&out);
        return rc;
    }
    ap_resp_free(&out);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WATCH_BLOCK, watch_reader, w,
                                          watch_free);
    if (!r) {
        ap_watch_close(w);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", rq->o.table != SK_TABLE_NONE
                                                   ? sk_table_content_type(rq->o.table)
                                                   : "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-cache, private");
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static ssize_t log_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    ssize_t n = ap_log_stream_read(cls, buf, max);
    if (n == -1)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n;
}

static void log_free(void *cls)
{
    ap_log_stream_close(cls);
}

enum MHD_Result ap_http_log_follow(ap_server *s, struct MHD_Connection *c, ap_req *rq)
{
    ap_resp out;
    ap_resp_init(&out);
    ap_log_stream *l = NULL;
    if (ap_log_stream_open(s, rq, &l, &out)) {
        enum MHD_Result rc = ap_http_send_status(c, json_incref(out.status));
        ap_resp_free(&out);
        return rc;
    }
    ap_resp_free(&out);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WATCH_BLOCK, log_reader, l, log_free);
    if (!r) {
        ap_log_stream_close(l);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/plain");
    MHD_add_response_header(r, "Cache-Control", "no-cache, private");
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

void ap_metric_request(ap_server *s, const char *verb, const char *resource, int code,
                       double seconds)
{
    char labels[256];
    snprintf(labels, sizeof labels, "verb=\"%.32s\",resource=\"%.64s\",code=\"%d\"",
             verb ? verb : "", resource ? resource : "", code);
    sk_metric *m = sk_counter(s->h, "apiserver_request_total",
                              "Requests by verb, resource and HTTP code.", labels);
    if (m)
        s->h->metrics->add(m, 1);
    if (s->m.latency && (!verb || strcmp(verb, "WATCH") != 0))
        s->h->metrics->observe(s->m.latency, seconds);
}
