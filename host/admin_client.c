/* The admin socket, client side (the `skiff plugin` and `skiff metrics`
 * commands). Waits with poll() so a wedged host cannot hang the CLI. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for `events` until the deadline. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return -errno;
    }
}

static int connect_to(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "admin socket %s: path too long", path);
        return -ENAMETOOLONG;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "admin socket: %s", strerror(e));
        return -e;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        if (e == ENOENT || e == ECONNREFUSED)
            snprintf(err, errlen, "no skiff host is running at %s (%s)", path, strerror(e));
        else
            snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(e));
        return -e;
    }
    return fd;
}

static int build_request(int argc, const char *const *argv, sk_text *req, char *err,
                         size_t errlen)
{
    for (int i = 0; i < argc; i++) {
        if (strpbrk(argv[i], "\t\n\r")) {
            snprintf(err, errlen, "argument '%s' contains a tab or newline", argv[i]);
            return -EINVAL;
        }
        if (i)
            sk_text_append(req, "\t", 1);
        sk_text_append(req, argv[i], strlen(argv[i]));
    }
    sk_text_append(req, "\n", 1);
    if (!req->err && req->len > SK_ADMIN_MAX_REQUEST) {
        snprintf(err, errlen, "request longer than %d bytes", SK_ADMIN_MAX_REQUEST);
        return -E2BIG;
    }
    return req->err;
}

static int send_request(int fd, const sk_text *req, int64_t deadline)
{
    for (size_t off = 0; off < req->len;) {
        int rc = wait_fd(fd, POLLOUT, deadline);
        if (rc)
            return rc;
        ssize_t n = send(fd, req->p + off, req->len - off, MSG_NOSIGNAL);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0)
            off += (size_t)n;
    }
    return 0;
}

static int read_all(int fd, sk_text *resp, int64_t deadline)
{
    char buf[4096];
    for (;;) {
        int rc = wait_fd(fd, POLLIN, deadline);
        if (rc)
            return rc;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0)
            return resp->err;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        sk_text_append(resp, buf, (size_t)n);
        if (resp->err)
            return resp->err;
    }
}

/* Splits "ok\n<body>" / "error\t<msg>\n<body>". */
static int parse_response(sk_text *resp, int *ok, char **body, char *err, size_t errlen)
{
    char *nl = resp->p ? strchr(resp->p, '\n') : NULL;
    if (!nl) {
        snprintf(err, errlen, "the host closed the connection without an answer");
        return -EPROTO;
    }
    *nl = '\0';
    if (strcmp(resp->p, "ok") == 0) {
        *ok = 1;
    } else if (strncmp(resp->p, "error\t", 6) == 0) {
        *ok = 0;
        snprintf(err, errlen, "%s", resp->p + 6);
    } else {
        snprintf(err, errlen, "unexpected answer from the host: %.80s", resp->p);
        return -EPROTO;
    }
    *body = strdup(nl + 1);
    return *body ? 0 : -ENOMEM;
}

int sk_admin_request(const char *path, int argc, const char *const *argv, int timeout_ms,
                     int *ok, char **body, char *err, size_t errlen)
{
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
    sk_text req = {0}, resp = {0};
    *body = NULL;
    *ok = 0;
    int rc = build_request(argc, argv, &req, err, errlen);
    int fd = rc ? rc : connect_to(path, err, errlen);
    if (fd < 0) {
        sk_text_free(&req);
        return fd;
    }
    rc = send_request(fd, &req, deadline);
    if (rc == 0) {
        shutdown(fd, SHUT_WR);
        rc = read_all(fd, &resp, deadline);
    }
    close(fd);
    if (rc == -ETIMEDOUT)
        snprintf(err, errlen, "the host at %s did not answer within %d ms", path, timeout_ms);
    else if (rc)
        snprintf(err, errlen, "talking to the host at %s: %s", path, strerror(-rc));
    else
        rc = parse_response(&resp, ok, body, err, errlen);
    sk_text_free(&req);
    sk_text_free(&resp);
    return rc;
}
