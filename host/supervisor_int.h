/* Supervisor internals shared by supervisor*.c. */
#ifndef SKIFF_HOST_SUPERVISOR_INT_H
#define SKIFF_HOST_SUPERVISOR_INT_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "admin.h"
#include "broker.h"
#include "config.h"
#include "host_config.h"
#include "instance.h"
#include "loader.h"
#include "metrics.h"
#include "supervisor.h"

/* One plugin name of this host, running or not. */
typedef struct sk_slot {
    char *name;
    char *path;           /* last path that started, else configured; NULL = default */
    const sk_cfg *config; /* its config subtree (empty map for admin-loaded ones) */
    sk_module *mod;       /* NULL when not loaded */
    sk_instance *inst;    /* NULL when not running */
    unsigned next_gen;
    sk_metric *m_reloads, *m_reload_failures, *m_generation, *m_up;
} sk_slot;

struct sk_supervisor {
    sk_cfg *root;
    sk_host_config hc;
    bool hc_parsed;
    char data_dir[PATH_MAX];
    char admin_path[PATH_MAX];
    sk_admin *admin;
    int sigfd, quitfd;
    sigset_t oldmask;
    bool masked;
    void *zctx;
    sk_broker *broker;
    sk_metrics *metrics;
    sk_inst_env env;
    sk_slot *slots;
    size_t nslots;
    int64_t start_timeout_ms, stop_timeout_ms, drain_timeout_ms;
    bool overran; /* some plugin overran a deadline: exit non-zero */
    sk_metric *m_running, *m_reloads, *m_admin_requests;
};

sk_slot *sk_sup_find(sk_supervisor *s, const char *name);
/* The running instances count changed. */
void sk_sup_update_running(sk_supervisor *s);
/* Registers the per-plugin metrics of slot. */
void sk_sup_slot_metrics(sk_supervisor *s, sk_slot *slot);
/* Unloads mod, or keeps it while a stuck instance may run its code. */
void sk_sup_drop_module(sk_supervisor *s, sk_module **mod);
/* A new generation of slot's plugin from mod, created and init()ed. */
int sk_sup_new_generation(sk_supervisor *s, sk_slot *slot, sk_module *mod, sk_instance **out,
                          char *err, size_t errlen);
/* Stops (stop_timeout) and frees slot's running instance; logs an overrun. */
void sk_sup_stop_instance(sk_supervisor *s, sk_instance **inst);

#endif
