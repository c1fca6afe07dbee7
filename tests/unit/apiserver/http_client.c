/* Blocking HTTP/1.1 client (http_client.h). */
#include "http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int hc_connect(hc_conn *c, int port, int timeout_ms)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    c->port = port;
    c->timeout_ms = timeout_ms;
    c->len = c->off = 0;
    if (c->fd < 0)
        return -1;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int one = 1;
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa)) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

void hc_close(hc_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

void hc_resp_free(hc_resp *r)
{
    free(r->body);
    r->body = NULL;
}

static int fill(hc_conn *c)
{
    if (c->off > 0) {
        memmove(c->buf, c->buf + c->off, c->len - c->off);
        c->len -= c->off;
        c->off = 0;
    }
    if (c->len == sizeof c->buf)
        return -1;
    ssize_t n;
    do
        n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    c->len += (size_t)n;
    return 0;
}

/* A line ending in \r\n, copied into line (NUL-terminated). */
static int read_line(hc_conn *c, char *line, size_t size)
{
    for (;;) {
        char *nl = memchr(c->buf + c->off, '\n', c->len - c->off);
        if (nl) {
            size_t n = (size_t)(nl - (c->buf + c->off));
            size_t k = n && c->buf[c->off + n - 1] == '\r' ? n - 1 : n;
            if (k >= size)
                return -1;
            memcpy(line, c->buf + c->off, k);
            line[k] = 0;
            c->off += n + 1;
            return 0;
        }
        if (fill(c))
            return -1;
    }
}

static int read_n(hc_conn *c, char *out, size_t n)
{
    size_t got = 0;
    while (got < n) {
        if (c->off == c->len && fill(c))
            return -1;
        size_t k = c->len - c->off;
        if (k > n - got)
            k = n - got;
        memcpy(out + got, c->buf + c->off, k);
        c->off += k;
        got += k;
    }
    return 0;
}

static int append(hc_resp *r, size_t *cap, size_t n)
{
    if (r->len + n + 1 > *cap) {
        size_t nc = *cap ? *cap : 4096;
        while (nc < r->len + n + 1)
            nc *= 2;
        char *b = realloc(r->body, nc);
        if (!b)
            return -1;
        r->body = b;
        *cap = nc;
    }
    return 0;
}

static int read_response(hc_conn *c, hc_resp *r)
{
    char line[8192];
    memset(r, 0, sizeof *r);
    if (read_line(c, line, sizeof line) || sscanf(line, "HTTP/1.%*d %d", &r->code) != 1)
        return -1;
    long long clen = -1;
    int chunked = 0, closes = 0;
    for (;;) {
        if (read_line(c, line, sizeof line))
            return -1;
        if (!*line)
            break;
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            clen = atoll(line + 15);
        else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 && strstr(line, "chunked"))
            chunked = 1;
        else if (strncasecmp(line, "Content-Type:", 13) == 0)
            snprintf(r->ctype, sizeof r->ctype, "%.255s", line + 14);
        else if (strncasecmp(line, "Warning:", 8) == 0 && !*r->warning)
            snprintf(r->warning, sizeof r->warning, "%.255s", line + 9);
        else if (strncasecmp(line, "Connection:", 11) == 0 && strstr(line, "close"))
            closes = 1;
    }
    size_t cap = 0;
    if (append(r, &cap, 0))
        return -1;
    if (chunked) {
        for (;;) {
            if (read_line(c, line, sizeof line))
                return -1;
            size_t n = strtoul(line, NULL, 16);
            if (n == 0) {
                read_line(c, line, sizeof line);
                break;
            }
            if (append(r, &cap, n) || read_n(c, r->body + r->len, n))
                return -1;
            r->len += n;
            if (read_line(c, line, sizeof line))
                return -1;
        }
    } else if (clen >= 0) {
        if (append(r, &cap, (size_t)clen) || read_n(c, r->body, (size_t)clen))
            return -1;
        r->len = (size_t)clen;
    } else {
        for (;;) { /* close-delimited */
            if (c->off == c->len && fill(c))
                break;
            size_t k = c->len - c->off;
            if (append(r, &cap, k))
                return -1;
            memcpy(r->body + r->len, c->buf + c->off, k);
            r->len += k;
            c->off += k;
        }
        closes = 1;
    }
    r->body[r->len] = 0;
    if (closes)
        hc_close(c);
    return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int attempt(hc_conn *c, const char *method, const char *path, const char *headers,
                   const char *body, size_t blen, hc_resp *out)
{
    char head[8192];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s%s"
                     "Content-Length: %zu\r\n\r\n",
                     method, path, c->port, headers ? headers : "",
                     body && !(headers && strcasestr(headers, "Content-Type"))
                         ? "Content-Type: application/json\r\n"
                         : "",
                     body ? blen : 0);
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    if (send_all(c->fd, head, (size_t)n) || (body && send_all(c->fd, body, blen)))
        return -1;
    return read_response(c, out);
}

int hc_do(hc_conn *c, const char *method, const char *path, const char *headers,
          const char *body, size_t blen, hc_resp *out)
{
    if (c->fd < 0 && hc_connect(c, c->port, c->timeout_ms))
        return -1;
    if (attempt(c, method, path, headers, body, blen, out) == 0)
        return 0;
    hc_resp_free(out);
    hc_close(c);
    if (hc_connect(c, c->port, c->timeout_ms))
        return -1;
    int rc = attempt(c, method, path, headers, body, blen, out);
    if (rc)
        hc_resp_free(out);
    return rc;
}

int hc_request(int port, const char *method, const char *path, const char *headers,
               const char *body, hc_resp *out, int timeout_ms)
{
    hc_conn *c = malloc(sizeof *c);
    if (!c || hc_connect(c, port, timeout_ms)) {
        free(c);
        memset(out, 0, sizeof *out);
        return -1;
    }
    int rc = attempt(c, method, path, headers, body, body ? strlen(body) : 0, out);
    if (rc)
        hc_resp_free(out);
    hc_close(c);
    free(c);
    return rc;
}

int hc_port_from_url_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256] = "";
    int port = -1;
    if (fgets(line, sizeof line, f)) {
        char *colon = strrchr(line, ':');
        if (colon)
            port = atoi(colon + 1);
    }
    fclose(f);
    return port > 0 ? port : -1;
}
