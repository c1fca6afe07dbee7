/* An in-process skiff host for the store's bus tests: a broker, the real
 * etcd-store.so loaded as an instance, and one client endpoint on its own
 * loop thread. Every wait is bounded. */
#ifndef SK_STORE_TEST_BUS_H
#define SK_STORE_TEST_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skiff/skiff.h"

#define SB_WAIT_MS 30000

typedef struct sb_env sb_env;

/* Starts a host with etcd-store configured by yaml (its config: subtree,
 * may be ""), data under root. NULL on failure (printed). */
sb_env *sb_start(const char *root, const char *yaml);
void sb_stop(sb_env **e);
/* Stops and starts the store instance again (same data). */
int sb_restart_store(sb_env *e);

/* Blocking call to the store from any thread. On 0, *reply is malloc'd. */
int sb_call(sb_env *e, const char *method, const sk_mp_buf *req, void **reply, size_t *len,
            char *err, size_t errlen);
/* Runs fn(arg) on the client's loop thread and waits. 0 or -1. */
int sb_on_loop(sb_env *e, void (*fn)(void *), void *arg);
/* The client's bus table and context, for request()/cancel() on its loop. */
const sk_bus_api *sb_bus(sb_env *e);
void *sb_bus_ctx(sb_env *e);

/* Directory of the build tree (SKIFF_BUILD_DIR, else from the binary). */
/* The host's metrics in Prometheus text (malloc'd), or NULL. */
char *sb_metrics_text(sb_env *e);

const char *sb_build_dir(void);
uint64_t sb_now_ms(void);
void sb_pause_ms(int ms);

#endif
