/* `skiff run`: the config phase, the main loop and the exit code. Every
 * config problem is found before anything starts, so a bad config never
 * leaves a half-started host. */
#include "supervisor.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"
#include "skiff/errors.h"
#include "supervisor_int.h"

static int load_config(sk_supervisor *s, const sk_sup_opts *o, char *err, size_t errlen)
{
    if (!o->config_path) {
        snprintf(err, errlen, "no config file given (-c FILE)");
        return SK_ECONFIG;
    }
    int rc = sk_cfg_parse_file(o->config_path, &s->root, err, errlen);
    if (rc)
        return SK_ECONFIG;
    for (size_t i = 0; i < o->nsets; i++) {
        char e[512];
        if (sk_cfg_set(s->root, o->sets[i], e, sizeof e) != 0) {
            snprintf(err, errlen, "--set %s: %s", o->sets[i], e);
            return SK_ECONFIG;
        }
    }
    if (sk_host_config_parse(s->root, &s->hc, err, errlen) != 0)
        return SK_ECONFIG;
    s->hc_parsed = true;
    return 0;
}

/* --log-level (checked by the CLI) wins over log.level (checked by the
 * schema), which wins over info. */
static int apply_log_level(const sk_supervisor *s, const sk_sup_opts *o, char *err,
                           size_t errlen)
{
    const char *text = o->log_level ? o->log_level : s->hc.log_level;
    sk_log_level lvl = SK_LOG_INFO;
    if (text && sk_log_parse_level(text, &lvl) != 0) {
        snprintf(err, errlen, "unknown log level '%s' (error, warn, info, debug, trace)", text);
        return SK_ECONFIG;
    }
    sk_log_set_level(lvl);
    return 0;
}

static int setup_dirs(sk_supervisor *s, const sk_sup_opts *o, char *err, size_t errlen)
{
    const char *dir = o->data_dir ? o->data_dir : s->hc.data_dir;
    int rc = dir ? sk_path_join(s->data_dir, sizeof s->data_dir, "%s", dir)
                 : sk_path_default_data_dir(s->data_dir, sizeof s->data_dir);
    if (rc == 0)
        rc = sk_path_mkdirs(s->data_dir, 0700);
    if (rc) {
        snprintf(err, errlen, "data dir %s: %s", dir ? dir : s->data_dir, strerror(-rc));
        return rc;
    }
    rc = s->hc.admin_socket
             ? sk_path_join(s->admin_path, sizeof s->admin_path, "%s", s->hc.admin_socket)
             : sk_path_join(s->admin_path, sizeof s->admin_path, "%s/admin.sock", s->data_dir);
    if (rc)
        snprintf(err, errlen, "admin socket path under %s: %s", s->data_dir, strerror(-rc));
    return rc;
}

int sk_supervisor_new(const sk_sup_opts *o, sk_supervisor **out, char *err, size_t errlen)
{
    sk_supervisor *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    s->sigfd = s->quitfd = -1;
    int rc = load_config(s, o, err, errlen);
    if (!rc)
        rc = apply_log_level(s, o, err, errlen);
    if (!rc)
        rc = setup_dirs(s, o, err, errlen);
    if (!rc && (s->quitfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
        rc = -errno;
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
    }
    if (!rc)
        rc = sk_admin_open(s->admin_path, &s->admin, err, errlen);
    if (rc) {
        sk_supervisor_free(&s);
        return rc;
    }
    s->stop_timeout_ms = s->hc.stop_timeout_ms;
    s->drain_timeout_ms = s->hc.drain_timeout_ms;
    /* No config key for it: a start that takes longer is treated as hung. */
    s->start_timeout_ms = s->stop_timeout_ms > 30000 ? s->stop_timeout_ms : 30000;
    *out = s;
    return 0;
}

void sk_supervisor_quit(sk_supervisor *s)
{
    uint64_t one = 1;
    if (s->quitfd >= 0 && write(s->quitfd, &one, sizeof one) < 0) {
        /* EAGAIN: a quit is already pending, which is all we want */
    }
}

static int read_signal(sk_supervisor *s)
{
    struct signalfd_siginfo si;
    ssize_t n = read(s->sigfd, &si, sizeof si);
    if (n != (ssize_t)sizeof si)
        return 0;
    sk_hlog("host", SK_LOG_INFO, "received %s, stopping", strsignal((int)si.ssi_signo));
    return 1;
}

int sk_supervisor_run(sk_supervisor *s)
{
    sk_hlog("host", SK_LOG_INFO, "running %zu plugin(s) on node %s; admin socket %s",
            s->nslots, s->hc.node_name, s->admin_path);
    for (;;) {
        struct pollfd p[3] = {{.fd = s->sigfd, .events = POLLIN},
                              {.fd = s->quitfd, .events = POLLIN},
                              {.fd = s->admin ? sk_admin_fd(s->admin) : -1, .events = POLLIN}};
        int n = poll(p, 3, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            sk_hlog("host", SK_LOG_ERROR, "main loop: poll: %s", strerror(errno));
            return -errno;
        }
        if ((p[0].revents & POLLIN) && read_signal(s))
            return 0;
        if (p[1].revents & POLLIN) {
            sk_hlog("host", SK_LOG_INFO, "asked to stop");
            return 0;
        }
        if (p[2].revents & POLLIN)
            sk_admin_serve_one(s->admin, sk_supervisor_admin, s);
    }
}

void sk_supervisor_free(sk_supervisor **ps)
{
    if (!ps || !*ps)
        return;
    sk_supervisor *s = *ps;
    sk_supervisor_shutdown(s);
    sk_admin_close(&s->admin);
    if (s->sigfd >= 0)
        close(s->sigfd);
    if (s->quitfd >= 0)
        close(s->quitfd);
    if (s->masked)
        pthread_sigmask(SIG_SETMASK, &s->oldmask, NULL);
    if (s->hc_parsed)
        sk_host_config_free(&s->hc);
    sk_cfg_free(&s->root);
    free(s);
    *ps = NULL;
}

const char *sk_supervisor_admin_path(const sk_supervisor *s) { return s->admin_path; }
const char *sk_supervisor_data_dir(const sk_supervisor *s) { return s->data_dir; }

int sk_supervisor_main(const sk_sup_opts *o)
{
    char err[1024] = "";
    sk_supervisor *s = NULL;
    int rc = sk_supervisor_new(o, &s, err, sizeof err);
    if (rc) {
        sk_hlog("host", SK_LOG_ERROR, "%s", err);
        return rc == SK_ECONFIG ? SK_EXIT_CONFIG : SK_EXIT_FAIL;
    }
    rc = sk_supervisor_start(s, err, sizeof err);
    if (rc) {
        sk_supervisor_free(&s);
        /* A plugin's config refused by its declared options or its init()
         * is a config error too, found before anything started. */
        return rc == SK_ECONFIG ? SK_EXIT_CONFIG : SK_EXIT_FAIL;
    }
    int run_rc = sk_supervisor_run(s);
    int stop_rc = sk_supervisor_shutdown(s);
    sk_supervisor_free(&s);
    if (stop_rc)
        sk_hlog("host", SK_LOG_ERROR, "exiting with status 1: a plugin overran its deadline");
    else if (!run_rc)
        sk_hlog("host", SK_LOG_INFO, "stopped cleanly");
    return run_rc || stop_rc ? SK_EXIT_FAIL : SK_EXIT_OK;
}
