/* The event loop: timers (one-shot, periodic, cancelled from inside their
 * own callback), posts from other threads in order, fds and ZeroMQ sockets,
 * and registrations changed during dispatch. */
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "bus_harness.h"

static const sk_loop_api *L = &sk_loop_api_impl;

typedef struct tctx {
    sk_loop *loop;
    int fired[8];
    int64_t ids[8];
    int order[16];
    int norder;
} tctx;

static void on_once(void *arg, uint64_t id)
{
    tctx *t = arg;
    t->fired[0]++;
    /* One-shot: already gone while it runs. */
    CU_ASSERT_EQUAL(L->timer_cancel(t->loop, id), SK_ENOTFOUND);
}

static void on_periodic(void *arg, uint64_t id)
{
    tctx *t = arg;
    if (++t->fired[1] == 3)
        CU_ASSERT_EQUAL(L->timer_cancel(t->loop, id), 0);
}

static void on_never(void *arg, uint64_t id)
{
    (void)id;
    ((tctx *)arg)->fired[2]++;
}

static void on_quit(void *arg, uint64_t id)
{
    (void)id;
    tctx *t = arg;
    CU_ASSERT_EQUAL(L->timer_cancel(t->loop, (uint64_t)t->ids[2]), 0);
    sk_loop_quit(t->loop);
}

static void test_timers(void)
{
    tctx t = {0};
    CU_ASSERT_EQUAL_FATAL(sk_loop_new(&t.loop), 0);
    CU_ASSERT(L->timer_add(t.loop, 1, 0, on_once, &t) > 0);
    CU_ASSERT(L->timer_add(t.loop, 1, 2, on_periodic, &t) > 0);
    t.ids[2] = L->timer_add(t.loop, 60000, 0, on_never, &t);
    CU_ASSERT(t.ids[2] > 0);
    /* After the periodic timer's 3rd run (>= 5 ms) but well before 60 s. */
    CU_ASSERT(L->timer_add(t.loop, 50, 0, on_quit, &t) > 0);
    CU_ASSERT_EQUAL(L->timer_cancel(t.loop, 999999), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(sk_loop_run(t.loop), 0);
    CU_ASSERT_EQUAL(t.fired[0], 1);
    CU_ASSERT_EQUAL(t.fired[1], 3);
    CU_ASSERT_EQUAL(t.fired[2], 0);
    CU_ASSERT(L->now_ms(t.loop) > 0);
    sk_loop_free(&t.loop);
    CU_ASSERT_PTR_NULL(t.loop);
}

static void on_same_time(void *arg, uint64_t id)
{
    tctx *t = arg;
    t->order[t->norder++] = (int)id;
    if (t->norder == 5)
        sk_loop_quit(t->loop);
}

static void test_timer_order(void)
{
    tctx t = {0};
    CU_ASSERT_EQUAL_FATAL(sk_loop_new(&t.loop), 0);
    int64_t ids[5];
    for (int i = 0; i < 5; i++)
        ids[i] = L->timer_add(t.loop, 5, 0, on_same_time, &t);
    CU_ASSERT_EQUAL(sk_loop_run(t.loop), 0);
    CU_ASSERT_EQUAL(t.norder, 5);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(t.order[i], ids[i]);
    sk_loop_free(&t.loop);
}

/* ---- posts ---- */

typedef struct pctx {
    sk_loop *loop;
    int next[4];
    int bad;
    int total;
} pctx;

typedef struct pmsg {
    pctx *p;
    int thread, n;
} pmsg;

static void on_post(void *arg)
{
    pmsg *m = arg;
    if (m->p->next[m->thread] != m->n)
        m->p->bad++;
    m->p->next[m->thread] = m->n + 1;
    if (++m->p->total == 4 * 1000)
        sk_loop_quit(m->p->loop);
}

typedef struct poster {
    pctx *p;
    int thread;
    pmsg msgs[1000];
} poster;

static void *post_thread(void *arg)
{
    poster *ps = arg;
    for (int i = 0; i < 1000; i++) {
        ps->msgs[i] = (pmsg){ps->p, ps->thread, i};
        while (L->post(ps->p->loop, on_post, &ps->msgs[i]) == -ENOMEM) {
        }
    }
    return NULL;
}

static void test_posts(void)
{
    static poster ps[4];
    pctx p = {0};
    CU_ASSERT_EQUAL_FATAL(sk_loop_new(&p.loop), 0);
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        ps[i].p = &p;
        ps[i].thread = i;
        pthread_create(&th[i], NULL, post_thread, &ps[i]);
    }
    CU_ASSERT_EQUAL(sk_loop_run(p.loop), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CU_ASSERT_EQUAL(p.total, 4000);
    CU_ASSERT_EQUAL(p.bad, 0);
    /* Stopped after run returned: posts are refused, not silently dropped. */
    CU_ASSERT_EQUAL(L->post(p.loop, on_post, &ps[0].msgs[0]), SK_ESTOPPED);
    sk_loop_free(&p.loop);
}

static int g_dropped_ran;
static void never_runs(void *arg)
{
    (void)arg;
    g_dropped_ran = 1;
}

static void test_free_drops_posts(void)
{
    sk_loop *l;
    CU_ASSERT_EQUAL_FATAL(sk_loop_new(&l), 0);
    CU_ASSERT_EQUAL(L->post(l, never_runs, NULL), 0);
    sk_loop_free(&l);
    CU_ASSERT_EQUAL(g_dropped_ran, 0);
    sk_loop_free(&l); /* harmless */
}

/* ---- fds and sockets ---- */

typedef struct fctx {
    sk_loop *loop;
    int pa[2], pb[2];
    int reads_a, reads_b;
    void *zs;
    int zreads;
} fctx;

static void on_b(void *arg, int fd, int revents)
{
    fctx *f = arg;
    char c;
    CU_ASSERT(revents & SK_LOOP_READ);
    if (read(fd, &c, 1) == 1)
        f->reads_b++;
    if (f->zreads >= 1)
        sk_loop_quit(f->loop);
}

/* a removes b and itself on its first run, then re-adds b: the dispatch in
 * progress must skip the removed registrations without crashing. */
static void on_a(void *arg, int fd, int revents)
{
    (void)revents;
    fctx *f = arg;
    char c;
    if (read(fd, &c, 1) == 1)
        f->reads_a++;
    CU_ASSERT_EQUAL(L->fd_remove(f->loop, f->pb[0]), 0);
    CU_ASSERT_EQUAL(L->fd_remove(f->loop, fd), 0);
    CU_ASSERT_EQUAL(L->fd_remove(f->loop, fd), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(L->fd_add(f->loop, f->pb[0], SK_LOOP_READ, on_b, f), 0);
}

static void on_zsock(void *arg, int fd, int revents)
{
    fctx *f = arg;
    CU_ASSERT_EQUAL(fd, -1);
    CU_ASSERT(revents & SK_LOOP_READ);
    char buf[8];
    while (zmq_recv(f->zs, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        f->zreads++;
    if (f->reads_b >= 1)
        sk_loop_quit(f->loop);
}

static void test_fds(void)
{
    fctx f = {0};
    CU_ASSERT_EQUAL_FATAL(sk_loop_new(&f.loop), 0);
    CU_ASSERT_EQUAL_FATAL(pipe(f.pa), 0);
    CU_ASSERT_EQUAL_FATAL(pipe(f.pb), 0);
    void *ctx = zmq_ctx_new();
    f.zs = zmq_socket(ctx, ZMQ_PAIR);
    void *peer = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_bind(f.zs, "inproc://loop-test"), 0);
    CU_ASSERT_EQUAL(zmq_connect(peer, "inproc://loop-test"), 0);
    CU_ASSERT_EQUAL(L->fd_add(f.loop, f.pa[0], SK_LOOP_READ, on_a, &f), 0);
    CU_ASSERT_EQUAL(L->fd_add(f.loop, f.pa[0], SK_LOOP_READ, on_a, &f), SK_EEXISTS);
    CU_ASSERT_EQUAL(L->fd_add(f.loop, -1, SK_LOOP_READ, on_a, &f), -EINVAL);
    CU_ASSERT_EQUAL(L->fd_add(f.loop, f.pb[0], SK_LOOP_READ, on_b, &f), 0);
    CU_ASSERT_EQUAL(sk_loop_zsock_add(f.loop, f.zs, on_zsock, &f), 0);
    CU_ASSERT_EQUAL(write(f.pa[1], "x", 1), 1);
    CU_ASSERT_EQUAL(write(f.pb[1], "y", 1), 1);
    CU_ASSERT_EQUAL(zmq_send(peer, "z", 1, 0), 1);
    uint64_t t0 = L->now_ms(f.loop);
    CU_ASSERT_EQUAL(sk_loop_run(f.loop), 0);
    CU_ASSERT(L->now_ms(f.loop) - t0 < BT_WAIT_MS);
    CU_ASSERT_EQUAL(f.reads_a, 1);
    CU_ASSERT_EQUAL(f.reads_b, 1);
    CU_ASSERT_EQUAL(f.zreads, 1);
    CU_ASSERT_EQUAL(sk_loop_zsock_remove(f.loop, f.zs), 0);
    CU_ASSERT_EQUAL(sk_loop_zsock_remove(f.loop, f.zs), SK_ENOTFOUND);
    sk_loop_free(&f.loop);
    zmq_close(f.zs);
    zmq_close(peer);
    zmq_ctx_term(ctx);
    for (int i = 0; i < 2; i++) {
        close(f.pa[i]);
        close(f.pb[i]);
    }
}

static void quit_from_post(void *arg)
{
    sk_loop_quit(arg);
}

static void test_run_again(void)
{
    sk_loop *l;
    CU_ASSERT_EQUAL_FATAL(sk_loop_new(&l), 0);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(L->post(l, quit_from_post, l), i == 0 ? 0 : SK_ESTOPPED);
        if (i)
            sk_loop_quit(l);
        CU_ASSERT_EQUAL(sk_loop_run(l), 0);
    }
    sk_loop_free(&l);
}

int main(void)
{
    static const bt_test tests[] = {{"timers", test_timers},
                                    {"timers due together run in order", test_timer_order},
                                    {"posts from 4 threads keep their order", test_posts},
                                    {"free drops unrun posts", test_free_drops_posts},
                                    {"fds and sockets, removal during dispatch", test_fds},
                                    {"run, quit, run again", test_run_again},
                                    {NULL, NULL}};
    return bt_run_suite("bus loop", tests);
}
