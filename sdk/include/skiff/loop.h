/* skiff SDK — the plugin's event loop.
 *
 * The host runs each plugin instance on its own thread with one event loop
 * that polls the plugin's bus socket, its timers and the file descriptors it
 * registers. Every callback a plugin receives (bus, timer, fd, post) runs on
 * that thread, one at a time, so plugin state touched only from callbacks
 * needs no locks. Callbacks must not block: hand long work to a thread of
 * your own and come back with post().
 *
 * Threading: add/remove functions are loop-thread only; post() is the one
 * entry that any thread may call. */
#ifndef SKIFF_LOOP_H
#define SKIFF_LOOP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { SK_LOOP_READ = 1, SK_LOOP_WRITE = 2, SK_LOOP_ERROR = 4 };

typedef void (*sk_timer_fn)(void *arg, uint64_t timer_id);
typedef void (*sk_fd_fn)(void *arg, int fd, int revents);
typedef void (*sk_post_fn)(void *arg);

typedef struct sk_loop_api {
    unsigned size;
    /* Fire after delay_ms, then every period_ms (0 = once). Returns an id >0
     * or a negative code. A one-shot timer is gone once it fired. */
    int64_t (*timer_add)(void *ctx, uint64_t delay_ms, uint64_t period_ms,
                         sk_timer_fn fn, void *arg);
    /* 0, or SK_ENOTFOUND if it already fired or was cancelled. */
    int (*timer_cancel)(void *ctx, uint64_t timer_id);
    /* Watch fd for SK_LOOP_READ|SK_LOOP_WRITE; the fd stays the plugin's. */
    int (*fd_add)(void *ctx, int fd, int events, sk_fd_fn fn, void *arg);
    int (*fd_remove)(void *ctx, int fd);
    /* Any thread: run fn(arg) on the loop thread soon, in post order.
     * SK_ESTOPPED when the loop has stopped (fn will not run). */
    int (*post)(void *ctx, sk_post_fn fn, void *arg);
    /* Monotonic milliseconds, the clock timers use. */
    uint64_t (*now_ms)(void *ctx);
} sk_loop_api;

#ifdef __cplusplus
}
#endif
#endif
