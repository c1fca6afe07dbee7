/* The admin socket, server side. Requests are served one at a time on the
 * host's main thread: every command (load, reload...) changes the set of
 * instances, which only the main thread touches. A slow or silent client
 * is cut off by socket timeouts so it cannot stall the host. */
#include "admin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "skiff/errors.h"

#define CLIENT_IO_TIMEOUT_S 5

struct sk_admin {
    int fd;
    char *path;
};

/* ---- text buffer ---- */

static void text_reserve(sk_text *t, size_t more)
{
    if (t->err || t->len + more + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + more + 1)
        cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) {
        t->err = -ENOMEM;
        return;
    }
    t->p = p;
    t->cap = cap;
}

void sk_text_append(sk_text *t, const char *s, size_t n)
{
    text_reserve(t, n);
    if (t->err)
        return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

void sk_text_printf(sk_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->err = -EINVAL;
        return;
    }
    text_reserve(t, (size_t)n);
    if (t->err)
        return;
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void sk_text_free(sk_text *t)
{
    free(t->p);
    memset(t, 0, sizeof *t);
}

/* ---- opening ---- */

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa->sun_path)
        return -ENAMETOOLONG;
    memcpy(sa->sun_path, path, strlen(path) + 1);
    return 0;
}

/* 1 when a host answers at path, 0 when nothing (or a stale socket) is
 * there, negative on anything that must stop us. */
static int probe_live(const char *path, const struct sockaddr_un *sa, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "admin socket %s: exists and is not a socket", path);
        return -EEXIST;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int rc = connect(fd, (const struct sockaddr *)sa, sizeof *sa);
    int e = errno;
    close(fd);
    if (rc == 0) {
        snprintf(err, errlen, "another skiff host is running (admin socket %s answers)", path);
        return 1;
    }
    if (e != ECONNREFUSED) {
        snprintf(err, errlen, "admin socket %s: cannot check it: %s", path, strerror(e));
        return -e;
    }
    sk_hlog("host", SK_LOG_INFO, "removing stale admin socket %s", path);
    if (unlink(path) != 0 && errno != ENOENT) {
        e = errno;
        snprintf(err, errlen, "admin socket %s: cannot remove the stale one: %s", path,
                 strerror(e));
        return -e;
    }
    return 0;
}

static int bind_listen(int fd, const char *path, const struct sockaddr_un *sa, char *err,
                       size_t errlen)
{
    /* umask is process-wide: this runs before the host starts any thread. */
    mode_t old = umask(0177);
    int rc = bind(fd, (const struct sockaddr *)sa, sizeof *sa);
    int e = errno;
    umask(old);
    if (rc != 0) {
        snprintf(err, errlen, "admin socket %s: cannot bind: %s", path, strerror(e));
        return -e;
    }
    if (chmod(path, 0600) != 0 || listen(fd, 16) != 0) {
        e = errno;
        snprintf(err, errlen, "admin socket %s: cannot listen: %s", path, strerror(e));
        unlink(path);
        return -e;
    }
    return 0;
}

int sk_admin_open(const char *path, sk_admin **out, char *err, size_t errlen)
{
    struct sockaddr_un sa;
    if (fill_addr(&sa, path) != 0) {
        snprintf(err, errlen, "admin socket %s: path longer than %zu bytes", path,
                 sizeof sa.sun_path - 1);
        return -ENAMETOOLONG;
    }
    int rc = probe_live(path, &sa, err, errlen);
    if (rc != 0)
        return rc > 0 ? SK_EEXISTS : rc;
    sk_admin *a = calloc(1, sizeof *a);
    if (!a || !(a->path = strdup(path))) {
        free(a);
        snprintf(err, errlen, "admin socket %s: out of memory", path);
        return -ENOMEM;
    }
    a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (a->fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "admin socket %s: %s", path, strerror(-rc));
    } else {
        rc = bind_listen(a->fd, path, &sa, err, errlen);
    }
    if (rc) {
        if (a->fd >= 0)
            close(a->fd);
        free(a->path);
        free(a);
        return rc;
    }
    *out = a;
    return 0;
}

void sk_admin_close(sk_admin **pa)
{
    if (!pa || !*pa)
        return;
    sk_admin *a = *pa;
    close(a->fd);
    if (unlink(a->path) != 0 && errno != ENOENT)
        sk_hlog("host", SK_LOG_WARN, "cannot remove admin socket %s: %s", a->path,
                strerror(errno));
    free(a->path);
    free(a);
    *pa = NULL;
}

int sk_admin_fd(const sk_admin *a) { return a->fd; }

/* ---- serving ---- */

static int peer_allowed(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return 0;
    return cred.uid == geteuid() || cred.uid == 0;
}

static void set_timeouts(int fd)
{
    struct timeval tv = {.tv_sec = CLIENT_IO_TIMEOUT_S};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        sk_hlog("admin", SK_LOG_WARN, "cannot set client socket timeouts: %s", strerror(errno));
}

/* Reads up to the first newline. 0, or -1 on a bad/oversized request. */
static int read_request(int fd, char *buf, size_t size)
{
    size_t len = 0;
    while (len < size - 1) {
        ssize_t n = recv(fd, buf + len, size - 1 - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        char *nl = memchr(buf + len, '\n', (size_t)n);
        len += (size_t)n;
        if (nl) {
            *nl = '\0';
            return 0;
        }
    }
    return -1;
}

static int split_args(char *line, char **argv)
{
    int argc = 0;
    for (char *p = line; argc < SK_ADMIN_MAX_ARGS;) {
        argv[argc++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            return argc;
        *tab = '\0';
        p = tab + 1;
    }
    return -1;
}

static void send_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the client left; nothing to tell it */
        p += n;
        len -= (size_t)n;
    }
}

/* Messages go on one line: a newline in one would end the status line. */
static void send_error(int fd, const char *msg)
{
    sk_text t = {0};
    sk_text_printf(&t, "error\t%s", msg);
    for (size_t i = 6; t.p && i < t.len; i++)
        if (t.p[i] == '\n' || t.p[i] == '\r')
            t.p[i] = ' ';
    sk_text_append(&t, "\n", 1);
    if (!t.err)
        send_all(fd, t.p, t.len);
    sk_text_free(&t);
}

static void answer(int fd, sk_admin_fn fn, void *arg)
{
    char line[SK_ADMIN_MAX_REQUEST + 1];
    char *argv[SK_ADMIN_MAX_ARGS];
    if (read_request(fd, line, sizeof line) != 0) {
        send_error(fd, "bad request: expected one line of TAB-separated words");
        return;
    }
    int argc = split_args(line, argv);
    if (argc <= 0 || !*argv[0]) {
        send_error(fd, "bad request: too many arguments or no command");
        return;
    }
    char err[1024] = "";
    sk_text body = {0};
    int rc = fn(arg, argc, argv, &body, err, sizeof err);
    if (rc == 0 && body.err) {
        rc = body.err;
        snprintf(err, sizeof err, "%s: out of memory building the answer", argv[0]);
    }
    if (rc) {
        send_error(fd, *err ? err : sk_strerror(rc));
    } else {
        send_all(fd, "ok\n", 3);
        if (body.len)
            send_all(fd, body.p, body.len);
    }
    sk_text_free(&body);
}

void sk_admin_serve_one(sk_admin *a, sk_admin_fn fn, void *arg)
{
    int fd = accept4(a->fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            sk_hlog("admin", SK_LOG_WARN, "accept on %s: %s", a->path, strerror(errno));
        return;
    }
    set_timeouts(fd);
    if (!peer_allowed(fd)) {
        sk_hlog("admin", SK_LOG_WARN, "refused a client of another user on %s", a->path);
        send_error(fd, "permission denied: not the host's user");
    } else {
        answer(fd, fn, arg);
    }
    close(fd);
}
