/* Test doubles for the controller runtime: a loop whose clock only moves
 * when the test says so, a transport that records requests and lets the
 * test answer them, and JSON -> msgpack for hand-written objects. */
#ifndef SK_TEST_CTL_FAKE_H
#define SK_TEST_CTL_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skiff/informer.h"
#include "skiff/loop.h"
#include "skiff/mp.h"

#define FAKE_MAX 256

typedef struct fake_timer {
    uint64_t id, due;
    sk_timer_fn fn;
    void *arg;
    bool active;
} fake_timer;

typedef struct fake_loop {
    uint64_t now, next_id;
    fake_timer t[FAKE_MAX];
    size_t n;
} fake_loop;

extern const sk_loop_api fake_loop_api;
void fake_loop_init(fake_loop *l);
/* Moves the clock by ms, firing due timers in order (zero-delay ones too). */
void fake_loop_advance(fake_loop *l, uint64_t ms);
size_t fake_loop_pending(const fake_loop *l);

typedef struct fake_req {
    char method[32];
    uint8_t *data;
    size_t len;
    sk_bus_reply_fn fn;
    void *arg;
    uint64_t id;
    bool open, canceled;
} fake_req;

typedef struct fake_transport {
    fake_req r[FAKE_MAX];
    size_t n;
    int fail_next; /* non-zero: the next request fails with it */
} fake_transport;

void fake_transport_init(fake_transport *t);
void fake_transport_free(fake_transport *t);
sk_api_transport fake_transport_api(fake_transport *t);
/* The latest open request with that method, or NULL. */
fake_req *fake_last(fake_transport *t, const char *method);
size_t fake_count(const fake_transport *t, const char *method);
/* Answer with JSON converted to msgpack (json may be NULL for no data). */
void fake_reply(fake_req *r, int status, const char *json);
/* A streamed part (SK_BUS_MORE). */
void fake_part(fake_req *r, const char *json);

/* JSON text -> msgpack in b (fresh). Integers stay integers. 0 or -1. */
int tjson(sk_mp_buf *b, const char *json);
/* A view of a JSON object that lives until tjson_reset(). */
sk_mp_view tj(const char *json);
void tjson_reset(void);

#endif
