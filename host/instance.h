/* One plugin instance: a loaded module's state, its own thread running an
 * sk_loop, its bus endpoint and the sk_host table it was handed. The
 * instance is an actor in CZMQ's sense: start blocks until the thread says
 * the plugin is serving (or failed), stop asks the loop to quit and joins.
 *
 * All functions here are for the host's main thread. */
#ifndef SKIFF_HOST_INSTANCE_H
#define SKIFF_HOST_INSTANCE_H

#include <stddef.h>
#include <stdint.h>

#include "broker.h"
#include "loader.h"
#include "metrics.h"
#include "skiff/plugin.h"

typedef enum sk_inst_state {
    SK_INST_NEW = 0, /* created; init() not (successfully) called */
    SK_INST_INITED,  /* init() returned 0 */
    SK_INST_RUNNING, /* start() returned 0; its loop runs */
    SK_INST_FAILED,  /* start() failed; fini() still due */
    SK_INST_STOPPED, /* stop() returned, thread joined; fini() still due */
    SK_INST_DONE,    /* fini() called */
    SK_INST_STUCK    /* start() or stop() overran its deadline */
} sk_inst_state;

/* What every instance of a host shares. Borrowed: must outlive them. */
typedef struct sk_inst_env {
    void *zctx;
    sk_broker *broker;
    sk_metrics *metrics;
    const char *node_name;
    const char *data_root; /* <data-dir>; each instance gets <data-dir>/<name> */
} sk_inst_env;

typedef struct sk_instance sk_instance;

/* Creates <data_root>/<name> (0700) and the sk_host table. mod and config
 * are borrowed and must outlive the instance. Route: "<name>#<generation>". */
int sk_instance_new(const sk_inst_env *env, sk_module *mod, const char *name,
                    unsigned generation, const sk_cfg *config, sk_instance **out, char *err,
                    size_t errlen);

/* Checks the config against the plugin's declared options, then calls
 * init(). 0, SK_ECONFIG, or init()'s code; err names the plugin. */
int sk_instance_init(sk_instance *in, char *err, size_t errlen);

/* Spawns the thread, which creates the loop and the endpoint and calls
 * start(); returns its outcome. SK_ETIMEDOUT when start() has not returned
 * within timeout_ms: the instance is then SK_INST_STUCK. */
int sk_instance_start(sk_instance *in, int64_t timeout_ms, char *err, size_t errlen);

/* Quits the loop; the thread calls stop(), frees endpoint and loop. Joins
 * within timeout_ms, else SK_ETIMEDOUT and SK_INST_STUCK. No-op (0) unless
 * running. */
int sk_instance_stop(sk_instance *in, int64_t timeout_ms, char *err, size_t errlen);

/* Calls fini() when init() succeeded and the thread is gone. */
void sk_instance_fini(sk_instance *in);

/* Frees; fini()s first if still due. A stuck instance is not freed but set
 * aside (its thread may still run plugin code), and *in is NULLed anyway;
 * its module must then not be unloaded either (see stuck_keep_module). */
void sk_instance_free(sk_instance **in);

sk_inst_state sk_instance_state(const sk_instance *in);
const char *sk_inst_state_name(sk_inst_state s);
const char *sk_instance_name(const sk_instance *in);
const char *sk_instance_route(const sk_instance *in);
unsigned sk_instance_generation(const sk_instance *in);
sk_module *sk_instance_module(const sk_instance *in);

/* Set-aside instances whose thread still runs: while non-zero, libzmq's
 * context cannot be terminated (their socket may be open) and no module
 * they use may be dlclosed. Reaps (joins, fini()s) those that finished. */
size_t sk_instance_reap_stuck(void);
/* Whether a set-aside instance still uses mod (then never unload it). */
int sk_instance_stuck_uses(const sk_module *mod);

#endif
