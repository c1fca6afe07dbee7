/* The HTTP listener: libmicrohttpd with one thread per connection, so a
 * handler may block on the bus (store calls, watch streams) without
 * holding up other clients. Bodies are collected up to 3 MiB; beyond
 * that the request is answered 413 without buffering the rest.
 * HTTPS by default (a certificate from the config, or one tls_gen.c
 * issues from the kept cluster CA); `tls: false` serves plain HTTP. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"
#include "status.h"
#include "tls_gen.h"

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

const char *ap_http_header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

const char *ap_http_arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

enum MHD_Result ap_http_send(struct MHD_Connection *c, int code, const char *ctype,
                             const char *text, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Cache-Control", "no-cache, private");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)code, r);
    MHD_destroy_response(r);
    return rc;
}

void ap_http_add_warnings(struct MHD_Response *r, const json_t *warnings)
{
    size_t i;
    json_t *v;
    json_array_foreach(warnings, i, v)
    {
        /* RFC 7234 warn-value, as the real apiserver writes it:
         * 299 - "text" with " and \ escaped. */
        const char *t = json_string_value(v);
        size_t n = t ? strlen(t) : 0;
        char *h = malloc(2 * n + 16);
        if (!h)
            return;
        size_t k = (size_t)sprintf(h, "299 - \"");
        for (size_t j = 0; j < n; j++) {
            if (t[j] == '"' || t[j] == '\\')
                h[k++] = '\\';
            h[k++] = (t[j] == '\r' || t[j] == '\n') ? ' ' : t[j];
        }
        h[k++] = '"';
        h[k] = '\0';
        MHD_add_response_header(r, "Warning", h);
        free(h);
    }
}

enum MHD_Result ap_http_send_json(struct MHD_Connection *c, int code, const char *ctype,
                                  json_t *j)
{
    return ap_http_send_json_w(c, code, ctype, j, NULL);
}

enum MHD_Result ap_http_send_json_w(struct MHD_Connection *c, int code, const char *ctype,
                                    json_t *j, const json_t *warnings)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return ap_http_send(c, 500, "text/plain", "out of memory\n", 14);
    size_t n = strlen(text);
    struct MHD_Response *r = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", ctype ? ctype : "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-cache, private");
    ap_http_add_warnings(r, warnings);
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)code, r);
    MHD_destroy_response(r);
    return rc;
}

enum MHD_Result ap_http_send_status(struct MHD_Connection *c, json_t *st)
{
    if (!st)
        st = sk_status_internal("out of memory");
    return ap_http_send_json(c, sk_status_code(st), NULL, st);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    ap_server *s = cls;
    ap_hctx *x = *con_cls;
    (void)version;
    if (!x) {
        x = calloc(1, sizeof *x);
        if (!x)
            return MHD_NO;
        x->t0_us = now_us();
        x->verb = method;
        x->resource = "";
        const char *cl = ap_http_header(c, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > AP_BODY_MAX)
            x->too_large = true;
        *con_cls = x;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (x->too_large)
            return MHD_YES;
        if (x->len + n > AP_BODY_MAX) {
            x->too_large = true;
            free(x->body);
            x->body = NULL;
            x->len = x->cap = 0;
            return MHD_YES;
        }
        if (x->len + n + 1 > x->cap) {
            size_t cap = x->cap ? x->cap * 2 : 4096;
            while (cap < x->len + n + 1)
                cap *= 2;
            char *b = realloc(x->body, cap);
            if (!b)
                return MHD_NO;
            x->body = b;
            x->cap = cap;
        }
        memcpy(x->body + x->len, upload, n);
        x->len += n;
        x->body[x->len] = 0;
        return MHD_YES;
    }
    if (x->too_large)
        return ap_http_send_status(c, sk_status_too_large(AP_BODY_MAX));
    return ap_http_dispatch(s, c, url, method, x);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    ap_server *s = cls;
    ap_hctx *x = *con_cls;
    (void)toe;
    if (!x)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    int code = ci ? (int)ci->http_status : 0;
    ap_metric_request(s, x->verb, x->resource, code, (double)(now_us() - x->t0_us) / 1e6);
    free(x->body);
    free(x);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    ap_server *s = cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = 0;
    sk_debug(s->h, "apiserver: libmicrohttpd: %s", line);
}

/* The whole of a small file (a PEM), NUL-terminated; NULL on error. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 4096) {
            if (cap >= (1u << 20)) {
                free(buf);
                fclose(f);
                return NULL; /* not a PEM file */
            }
            char *b = realloc(buf, cap + 8192);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
            cap += 8192;
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    buf[n] = 0;
    return buf;
}

static int load_tls(ap_server *s)
{
    if (!s->conf.tls) {
        if (s->conf.loopback_admin)
            sk_warn(s->h, "apiserver: plain HTTP (tls: false) with loopback_admin: every "
                          "local process without a token is the cluster admin; for tests "
                          "and local development only");
        return 0;
    }
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        sk_error(s->h, "apiserver: this libmicrohttpd has no TLS support");
        return SK_ECONFIG;
    }
    if (!s->conf.tls_cert_file)
        return ap_tls_generate(s);
    free(s->tls_cert);
    free(s->tls_key);
    s->tls_cert = slurp(s->conf.tls_cert_file);
    s->tls_key = slurp(s->conf.tls_key_file);
    if (!s->tls_cert || !s->tls_key) {
        sk_error(s->h, "apiserver: cannot read %s or %s", s->conf.tls_cert_file,
                 s->conf.tls_key_file);
        return SK_ECONFIG;
    }
    return 0;
}

int ap_http_start(ap_server *s)
{
    int trc = load_tls(s);
    if (trc)
        return trc;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->conf.port)};
    if (inet_pton(AF_INET, s->conf.address, &sa.sin_addr) != 1) {
        sk_error(s->h, "apiserver: address %s: not an IPv4 address", s->conf.address);
        return SK_ECONFIG;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    bool tls = s->tls_cert != NULL;
    if (tls)
        flags |= MHD_USE_TLS;
    /* With TLS off, the key/cert options are skipped: MHD_OPTION_ARRAY
     * takes a list that simply ends early. */
    struct MHD_OptionItem tls_opts[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, s->tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->conf.max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_THREAD_STACK_SIZE,
        (size_t)(512 * 1024), MHD_OPTION_END);
    if (!d) {
        sk_error(s->h, "apiserver: cannot listen on %s:%lld: %s", s->conf.address,
                 (long long)s->conf.port, strerror(errno));
        return -EADDRINUSE;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di && di->port ? di->port : (int)s->conf.port;
    /* A wildcard is no address to connect to, nor a name in the
     * generated certificate: the kubeconfig's server is loopback then. */
    const char *host = strcmp(s->conf.address, "0.0.0.0") == 0 ? "127.0.0.1" : s->conf.address;
    snprintf(s->url, sizeof s->url, "%s://%s:%d", tls ? "https" : "http", host, s->port);
    s->mhd = d;
    return 0;
}

void ap_http_stop(ap_server *s)
{
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    s->mhd = NULL;
}
