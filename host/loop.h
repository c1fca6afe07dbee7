/* The per-plugin event loop: zmq_poll over ZeroMQ sockets, plugin fds, a
 * wake-up eventfd (post/quit) and a timer heap. Owned by one thread. */
#ifndef SKIFF_HOST_LOOP_H
#define SKIFF_HOST_LOOP_H

#include "skiff/loop.h"

typedef struct sk_loop sk_loop;

int sk_loop_new(sk_loop **out);
/* Runs pending posts' cleanup: posts not yet run are dropped (their fn is
 * not called). */
void sk_loop_free(sk_loop **l);

/* Loop thread. Watch a ZeroMQ socket for readability; fn gets fd -1. */
int sk_loop_zsock_add(sk_loop *l, void *zsock, sk_fd_fn fn, void *arg);
int sk_loop_zsock_remove(sk_loop *l, void *zsock);

/* Runs callbacks on the calling thread until sk_loop_quit. */
int sk_loop_run(sk_loop *l);
/* Any thread; makes sk_loop_run return after the current callback. */
void sk_loop_quit(sk_loop *l);

/* ctx = sk_loop* */
extern const sk_loop_api sk_loop_api_impl;

#endif
