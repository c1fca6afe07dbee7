/* The supervisor: `skiff run`. Reads the config, owns the ZeroMQ context,
 * the broker, the metric registry and the admin socket, and drives every
 * plugin instance through load -> init -> start, hot swaps, and stop ->
 * fini -> unload on the way out.
 *
 * Main thread only, except sk_supervisor_quit. The step functions are
 * public so tests can drive a host in-process. */
#ifndef SKIFF_HOST_SUPERVISOR_H
#define SKIFF_HOST_SUPERVISOR_H

#include <stddef.h>

#include "admin.h"

/* Exit codes of `skiff` (documented in --help). */
enum { SK_EXIT_OK = 0, SK_EXIT_FAIL = 1, SK_EXIT_USAGE = 2, SK_EXIT_CONFIG = 78 };

typedef struct sk_sup_opts {
    const char *config_path;
    const char *data_dir;  /* --data-dir, or NULL */
    const char *log_level; /* --log-level, or NULL */
    const char *const *sets; /* --set assignments "a.b=c" */
    size_t nsets;
} sk_sup_opts;

typedef struct sk_supervisor sk_supervisor;

/* The whole `skiff run`: returns the process exit code. */
int sk_supervisor_main(const sk_sup_opts *o);

/* Config (errors: SK_ECONFIG, with file:line:column in err), log level,
 * data dir, admin socket. Nothing runs yet. */
int sk_supervisor_new(const sk_sup_opts *o, sk_supervisor **out, char *err, size_t errlen);
/* Signals, libzmq, broker; then load all, init all, start all in order.
 * On failure everything started is stopped again and err names the
 * plugin. */
int sk_supervisor_start(sk_supervisor *s, char *err, size_t errlen);
/* Serves the admin socket until SIGINT/SIGTERM or sk_supervisor_quit. */
int sk_supervisor_run(sk_supervisor *s);
/* Any thread (async-signal-safe): makes sk_supervisor_run return. */
void sk_supervisor_quit(sk_supervisor *s);
/* Stops every plugin in reverse order, each within stop_timeout, finis and
 * unloads them. 0, or SK_ETIMEDOUT when some plugin overran (the host must
 * then exit non-zero). */
int sk_supervisor_shutdown(sk_supervisor *s);
void sk_supervisor_free(sk_supervisor **s);

/* Admin operations (also reached through the admin socket). path may be
 * NULL: the plugin's current (or configured) path. */
int sk_supervisor_load(sk_supervisor *s, const char *name, const char *path, char *err,
                       size_t errlen);
int sk_supervisor_unload(sk_supervisor *s, const char *name, char *err, size_t errlen);
/* Hot swap: see supervisor_swap.c. On failure the previous version runs
 * again whenever it can, and err says what happened to both. */
int sk_supervisor_reload(sk_supervisor *s, const char *name, const char *path, char *err,
                         size_t errlen);
/* The plugin table, one line per plugin, under a header line. */
int sk_supervisor_list(sk_supervisor *s, sk_text *out);
int sk_supervisor_metrics(sk_supervisor *s, sk_text *out);

/* The admin socket's path and the data dir this host uses. */
const char *sk_supervisor_admin_path(const sk_supervisor *s);
const char *sk_supervisor_data_dir(const sk_supervisor *s);

/* Dispatches one admin request (sk_admin_fn). */
int sk_supervisor_admin(void *sup, int argc, char **argv, sk_text *body, char *err,
                        size_t errlen);

#endif
