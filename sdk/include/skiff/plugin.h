/* skiff SDK — the plugin ABI.
 *
 * A plugin is a shared object exporting exactly one symbol,
 *     const sk_plugin_desc *sk_plugin_entry_v1(void);
 * (use SK_PLUGIN_DEFINE). The host calls it, then checks the descriptor's
 * size, ABI major (must equal) and minor (must not be newer than the host's)
 * and build signature before calling anything else. Tables only ever grow at
 * their end; each starts with its own size so either side reads only what
 * the other declared.
 *
 * Lifecycle (the host owns the thread and the loop; see loop.h):
 *   init(host, &state)  host main thread. Validate config, allocate. Must
 *                       not take exclusive resources (files, ports, LMDB
 *                       envs): during a hot swap the new generation is
 *                       init()ed while the old one still runs.
 *   start(state)        plugin's loop thread. Take resources, serve,
 *                       subscribe. Non-zero aborts the start (fini follows).
 *   stop(state)         plugin's loop thread. Quiesce: stop worker threads,
 *                       answer or fail open requests. When it returns no
 *                       code of the plugin may run anymore except fini.
 *                       The host calls it at most once per start.
 *   fini(state)         host main thread. Free everything.
 * No mutable globals: an old and a new generation may coexist in memory. */
#ifndef SKIFF_PLUGIN_H
#define SKIFF_PLUGIN_H

#include <stdint.h>

#include "skiff/bus.h"
#include "skiff/config.h"
#include "skiff/log.h"
#include "skiff/loop.h"
#include "skiff/metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SK_ABI_MAJOR 1
#define SK_ABI_MINOR 0

/* What a plugin and the host must agree on beyond the version numbers. */
#define SK_BUILD_SIG ((uint32_t)(sizeof(void *) << 8 | sizeof(long)))

#define SK_PLUGIN_ENTRY_SYMBOL "sk_plugin_entry_v1"

/* Services the host hands to one plugin instance. Pointers stay valid from
 * init() until fini() returns. Call through the sk_* wrappers in skiff.h. */
typedef struct sk_host {
    uint32_t size; /* sizeof(sk_host) as the host built it */
    uint16_t abi_major, abi_minor;
    const char *plugin_name; /* the instance name from the config */
    const char *node_name;   /* this host's node name */
    const char *data_dir;    /* <data-dir>/<plugin-name>, created by the host */
    const sk_cfg *config;    /* the plugin's own config subtree */

    const sk_cfg_api *cfg;
    const sk_log_api *log;
    void *log_ctx;
    const sk_bus_api *bus;
    void *bus_ctx;
    const sk_loop_api *loop;
    void *loop_ctx;
    const sk_metrics_api *metrics;
    void *metrics_ctx;
} sk_host;

typedef struct sk_plugin_desc {
    uint32_t size; /* sizeof(sk_plugin_desc) as the plugin built it */
    uint16_t abi_major, abi_minor;
    uint32_t build_sig;      /* SK_BUILD_SIG */
    const char *name;        /* kind of plugin, e.g. "etcd-store" */
    const char *version;     /* the plugin's own version, e.g. "0.1.0" */
    const char *description;
    const sk_option *options; /* declared config keys, or NULL (unchecked) */

    int (*init)(const sk_host *host, void **state);
    int (*start)(void *state);
    void (*stop)(void *state);
    void (*fini)(void *state);
} sk_plugin_desc;

typedef const sk_plugin_desc *(*sk_plugin_entry_fn)(void);

/* Defines the entry point for a descriptor variable `desc`. */
#define SK_PLUGIN_DEFINE(desc)                                                \
    __attribute__((visibility("default"))) const sk_plugin_desc *            \
    sk_plugin_entry_v1(void);                                                 \
    const sk_plugin_desc *sk_plugin_entry_v1(void) { return &(desc); }

#define SK_PLUGIN_DESC_INIT                                                    \
    .size = sizeof(sk_plugin_desc), .abi_major = SK_ABI_MAJOR,                 \
    .abi_minor = SK_ABI_MINOR, .build_sig = SK_BUILD_SIG

#ifdef __cplusplus
}
#endif
#endif
