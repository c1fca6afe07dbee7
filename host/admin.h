/* The admin endpoint: a Unix socket (0600, in the 0700 data dir) through
 * which `skiff plugin ...` and `skiff metrics` talk to a running host.
 *
 * Protocol, version 1. One request per connection:
 *   request   one line of at most SK_ADMIN_MAX_REQUEST bytes ending in "\n":
 *             the command and its arguments separated by TAB characters
 *             (arguments never contain TAB or newline):
 *               list | metrics | load NAME [PATH] | unload NAME
 *               | reload NAME [PATH]
 *   response  a status line, "ok\n" or "error\t<message>\n", then a body of
 *             free text (the plugin table, Prometheus text, ...) up to the
 *             point where the host closes the connection.
 * The host serves one connection at a time from its main loop and only
 * answers peers running as its own user (or root). A connection made while
 * the host is still starting is answered once every plugin has started, so
 * `skiff plugin list` doubles as a readiness check. */
#ifndef SKIFF_HOST_ADMIN_H
#define SKIFF_HOST_ADMIN_H

#include <stddef.h>

#define SK_ADMIN_MAX_REQUEST 4096
#define SK_ADMIN_MAX_ARGS 8

/* A growing text buffer for response bodies. Errors are sticky. */
typedef struct sk_text {
    char *p;
    size_t len, cap;
    int err;
} sk_text;

__attribute__((format(printf, 2, 3))) void sk_text_printf(sk_text *t, const char *fmt, ...);
void sk_text_append(sk_text *t, const char *s, size_t n);
void sk_text_free(sk_text *t);

/* Runs one command. argv[0] is the command. Fills body on success; on
 * failure returns non-zero with err set (sent back as the error line). */
typedef int (*sk_admin_fn)(void *arg, int argc, char **argv, sk_text *body, char *err,
                           size_t errlen);

typedef struct sk_admin sk_admin;

/* Binds and listens at path. Refuses (SK_EEXISTS) when another host
 * answers there; replaces a stale socket left by a host that died. */
int sk_admin_open(const char *path, sk_admin **out, char *err, size_t errlen);
/* Closes and removes the socket. */
void sk_admin_close(sk_admin **a);
/* For poll(): readable when a client waits. */
int sk_admin_fd(const sk_admin *a);
/* Accepts one waiting client and answers its request with fn. */
void sk_admin_serve_one(sk_admin *a, sk_admin_fn fn, void *arg);

/* Client side: sends argv to the host at path and waits up to timeout_ms.
 * Returns 0 with *ok (1 = "ok", 0 = the host's error, whose message is
 * then in err) and *body (malloc'd, NUL-terminated; caller frees), or a
 * negative code when no host could be reached (err says why). */
int sk_admin_request(const char *path, int argc, const char *const *argv, int timeout_ms,
                     int *ok, char **body, char *err, size_t errlen);

#endif
