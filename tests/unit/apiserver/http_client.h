/* A small blocking HTTP/1.1 client for the apiserver's tests and bench:
 * keep-alive connections, Content-Length and chunked bodies, every read
 * bounded by a timeout. Not general: just what talking to skiff needs. */
#ifndef HC_HTTP_CLIENT_H
#define HC_HTTP_CLIENT_H

#include <stddef.h>

typedef struct hc_conn {
    int fd;
    int port;
    int timeout_ms;
    char buf[65536];
    size_t len, off;
} hc_conn;

typedef struct hc_resp {
    int code;
    char ctype[256];
    char warning[256]; /* the first Warning header's value, or "" */
    char *body; /* NUL-terminated, malloc'd */
    size_t len;
} hc_resp;

/* 0 or -1. */
int hc_connect(hc_conn *c, int port, int timeout_ms);
void hc_close(hc_conn *c);
/* One request on c (reconnecting once if the server closed it). headers:
 * extra header lines, each ending in \r\n, or NULL. 0 or -1. */
int hc_do(hc_conn *c, const char *method, const char *path, const char *headers,
          const char *body, size_t blen, hc_resp *out);
void hc_resp_free(hc_resp *r);
/* One request on a fresh connection. */
int hc_request(int port, const char *method, const char *path, const char *headers,
               const char *body, hc_resp *out, int timeout_ms);

/* Reads the apiserver's port from <data-dir>/apiserver/url; -1 if absent. */
int hc_port_from_url_file(const char *path);

#endif
