/* Publish/subscribe: prefix matching, per-topic sequence numbers, and a
 * forced overflow: a subscriber whose loop is blocked while more events
 * than its pipe holds are published learns exactly how many it missed, and
 * the broker counts the same number as dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_harness.h"
#include "metrics.h"

static const sk_bus_api *B;
static bt_bus g_bus;
static bt_node *g_pub;

typedef struct sub {
    bt_node *node;
    const char *prefixes[3];
    long events;
    uint64_t missed, last_seq;
    int bad_seq;
    char last_topic[64];
    bt_latch seen;
    bt_latch *gate; /* when set, the first event blocks the loop here */
} sub;

static void on_event(void *arg, const char *topic, uint64_t seq, uint64_t missed,
                     const void *data, size_t len)
{
    (void)data;
    (void)len;
    sub *s = arg;
    pthread_mutex_lock(&s->seen.mu);
    s->events++;
    s->missed += missed;
    if (seq == 0)
        s->bad_seq++;
    s->last_seq = seq;
    snprintf(s->last_topic, sizeof s->last_topic, "%s", topic);
    pthread_mutex_unlock(&s->seen.mu);
    bt_latch_add(&s->seen, 1);
}

static uint64_t last_seq(sub *s)
{
    pthread_mutex_lock(&s->seen.mu);
    uint64_t v = s->last_seq;
    pthread_mutex_unlock(&s->seen.mu);
    return v;
}

static void subscribe_all(void *arg)
{
    sub *s = arg;
    for (int i = 0; i < 3 && s->prefixes[i]; i++)
        CU_ASSERT_EQUAL(B->subscribe(s->node->ep, s->prefixes[i], on_event, s), 0);
}

static sub *sub_new(const char *route, const char *p0, const char *p1, const char *p2)
{
    sub *s = calloc(1, sizeof *s);
    s->prefixes[0] = p0;
    s->prefixes[1] = p1;
    s->prefixes[2] = p2;
    bt_latch_init(&s->seen);
    s->node = bt_node_start(&g_bus, route);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->node);
    CU_ASSERT_EQUAL(bt_on_loop(s->node, subscribe_all, s), 0);
    return s;
}

static void sub_free(sub *s)
{
    bt_node_stop(&s->node);
    bt_latch_destroy(&s->seen);
    free(s);
}

static void test_setup(void)
{
    B = bt_bus_api;
    CU_ASSERT_EQUAL_FATAL(bt_bus_start(&g_bus, NULL, true), 0);
    g_pub = bt_node_start(&g_bus, "pub#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_pub);
}

static void test_prefixes(void)
{
    sub *a = sub_new("a#1", "pods/", NULL, NULL);
    sub *b = sub_new("b#1", "pods/default/", "nodes/", NULL);
    sub *c = sub_new("c#1", "", NULL, NULL);
    const char *topics[] = {"pods/default/x", "pods/kube/y", "nodes/n1", "svc/z",
                            "pods/default/x"};
    /* subscribe() returned after the broker registered it, so publishing
     * from any thread now reaches every subscriber. */
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(B->publish(g_pub->ep, topics[i], "d", 1), 0);
    CU_ASSERT(bt_latch_wait(&a->seen, 3, BT_WAIT_MS));
    CU_ASSERT(bt_latch_wait(&b->seen, 3, BT_WAIT_MS));
    CU_ASSERT(bt_latch_wait(&c->seen, 5, BT_WAIT_MS));
    /* A marker every prefix matches: nothing else may come before it. */
    CU_ASSERT_EQUAL(B->publish(g_pub->ep, "pods/default/zz-end", "", 0), 0);
    CU_ASSERT(bt_latch_wait(&a->seen, 4, BT_WAIT_MS));
    CU_ASSERT(bt_latch_wait(&b->seen, 4, BT_WAIT_MS));
    CU_ASSERT(bt_latch_wait(&c->seen, 6, BT_WAIT_MS));
    CU_ASSERT_EQUAL(a->events, 4);
    CU_ASSERT_EQUAL(b->events, 4);
    CU_ASSERT_EQUAL(c->events, 6);
    CU_ASSERT_STRING_EQUAL(c->last_topic, "pods/default/zz-end");
    CU_ASSERT_EQUAL(a->missed + b->missed + c->missed, 0);
    CU_ASSERT_EQUAL(a->bad_seq + b->bad_seq + c->bad_seq, 0);
    /* Per topic: pods/default/zz-end is its topic's first event. */
    CU_ASSERT_EQUAL(c->last_seq, 1);
    sub_free(a);
    sub_free(b);
    sub_free(c);
    CU_ASSERT_EQUAL(B->publish(g_pub->ep, "", "x", 1), -EINVAL);
}

static void unsub(void *arg)
{
    sub *s = arg;
    CU_ASSERT_EQUAL(B->unsubscribe(s->node->ep, "u/"), 0);
    CU_ASSERT_EQUAL(B->unsubscribe(s->node->ep, "u/"), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(B->subscribe(s->node->ep, "v/", on_event, s), SK_EEXISTS);
}

static void test_unsubscribe(void)
{
    sub *s = sub_new("u#1", "u/", "v/", NULL);
    CU_ASSERT_EQUAL(B->publish(g_pub->ep, "u/1", "", 0), 0);
    CU_ASSERT(bt_latch_wait(&s->seen, 1, BT_WAIT_MS));
    CU_ASSERT_EQUAL(bt_on_loop(s->node, unsub, s), 0);
    CU_ASSERT_EQUAL(B->publish(g_pub->ep, "u/2", "", 0), 0);
    CU_ASSERT_EQUAL(B->publish(g_pub->ep, "v/end", "", 0), 0);
    CU_ASSERT(bt_latch_wait(&s->seen, 2, BT_WAIT_MS));
    CU_ASSERT_EQUAL(s->events, 2);
    CU_ASSERT_STRING_EQUAL(s->last_topic, "v/end");
    sub_free(s);
}

/* ---- overflow ---- */

#define FLOOD (5 * SK_BUS_HWM)

typedef struct flood {
    long accepted, full;
} flood;

/* Exactly FLOOD events, more than twice what the blocked subscriber's
 * pipe holds. publish() never blocks: on SK_EFULL (the broker is behind)
 * back off briefly and try again. */
static void publish_flood(void *arg)
{
    flood *f = arg;
    uint64_t end = bt_now_ms() + BT_WAIT_MS;
    while (f->accepted < FLOOD && bt_now_ms() < end) {
        int rc = B->publish(g_pub->ep, "flood/x", "0123456789", 10);
        if (rc == 0) {
            f->accepted++;
        } else if (rc == SK_EFULL) {
            f->full++;
            bt_pause_ms(1);
        } else {
            CU_FAIL("publish failed");
            break;
        }
    }
    /* A control round trip on the same socket: once the broker answers it,
     * it has handled every PUBLISH before it. */
    CU_ASSERT_EQUAL(B->serve(g_pub->ep, "flood-sync", (sk_bus_serve_fn)(void (*)(void))NULL,
                             NULL),
                    -EINVAL);
    CU_ASSERT_EQUAL(B->subscribe(g_pub->ep, "flood-sync/", on_event, NULL), 0);
}

static void block_until_gate(void *arg)
{
    sub *s = arg;
    bt_latch_wait(s->gate, 1, BT_WAIT_MS);
}

static double metric_value(const char *name)
{
    char *text = NULL;
    size_t len = 0;
    if (sk_metrics_api_impl.render(g_bus.metrics, &text, &len))
        return -1;
    double v = -1;
    const char *p = strstr(text, name);
    while (p && (p > text && p[-1] != '\n'))
        p = strstr(p + 1, name);
    if (p)
        sscanf(p + strlen(name), " %lf", &v);
    free(text);
    return v;
}

static void test_gap(void)
{
    bt_latch gate;
    bt_latch_init(&gate);
    sub *slow = sub_new("slow#1", "flood/", NULL, NULL);
    sub *fast = sub_new("fast#1", "flood/", NULL, NULL);
    slow->gate = &gate;
    /* The slow subscriber's loop sits in a callback of its own. */
    CU_ASSERT_EQUAL_FATAL(sk_loop_api_impl.post(slow->node->loop, block_until_gate, slow), 0);
    flood f = {0};
    CU_ASSERT_EQUAL(bt_on_loop(g_pub, publish_flood, &f), 0);
    CU_ASSERT_EQUAL(f.accepted, FLOOD);
    bt_latch_add(&gate, 1);
    /* One more event closes the books: a tail loss shows as its gap. While
     * the slow pipe is still full that event is lost too, so publish
     * markers until one arrives. */
    uint64_t total = (uint64_t)f.accepted;
    uint64_t end = bt_now_ms() + BT_WAIT_MS;
    while (bt_now_ms() < end && (last_seq(slow) != total || last_seq(fast) != total)) {
        if (B->publish(g_pub->ep, "flood/x", "last", 4) == 0)
            total++;
        long seen = bt_latch_get(&slow->seen);
        bt_latch_wait(&slow->seen, seen + 1, 20);
    }
    CU_ASSERT_EQUAL(slow->last_seq, total);
    CU_ASSERT_EQUAL(fast->last_seq, total);
    /* Nothing lost silently: what arrived plus what was reported missing
     * is everything, for both. */
    CU_ASSERT_EQUAL((uint64_t)slow->events + slow->missed, total);
    CU_ASSERT_EQUAL((uint64_t)fast->events + fast->missed, total);
    CU_ASSERT(slow->missed > 0);
    CU_ASSERT(metric_value("skiff_bus_dropped_events_total") ==
              (double)(slow->missed + fast->missed));
    fprintf(stdout, "\n    published %ld (%ld times SK_EFULL), slow got %ld missed %llu, "
                    "fast got %ld missed %llu\n",
            f.accepted, f.full, slow->events, (unsigned long long)slow->missed, fast->events,
            (unsigned long long)fast->missed);
    sub_free(slow);
    sub_free(fast);
    bt_latch_destroy(&gate);
}

/* A callback that makes control round trips (subscribe) while events keep
 * arriving: the events that came in meanwhile are delivered next, in
 * order, none taken for a repeat. */
typedef struct busy {
    bt_node *node;
    long events, out_of_order, subs;
    uint64_t last, missed;
    bt_latch seen;
} busy;

static void on_busy(void *arg, const char *topic, uint64_t seq, uint64_t missed,
                    const void *d, size_t len)
{
    (void)topic;
    (void)d;
    (void)len;
    busy *b = arg;
    if (seq != b->last + 1)
        b->out_of_order++;
    b->last = seq;
    b->missed += missed;
    if (++b->events % 100 == 0) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "other/%ld/", b->events);
        if (B->subscribe(b->node->ep, prefix, on_busy, b) == 0)
            b->subs++;
    }
    bt_latch_add(&b->seen, 1);
}

static void subscribe_busy(void *arg)
{
    busy *b = arg;
    CU_ASSERT_EQUAL(B->subscribe(b->node->ep, "order/", on_busy, b), 0);
}

static void publish_order(void *arg)
{
    long *n = arg;
    uint64_t end = bt_now_ms() + BT_WAIT_MS;
    while (*n < 5000 && bt_now_ms() < end) {
        int rc = B->publish(g_pub->ep, "order/x", "", 0);
        if (rc == 0)
            (*n)++;
        else
            bt_pause_ms(1);
    }
}

static void test_round_trip_in_callback(void)
{
    busy b = {0};
    bt_latch_init(&b.seen);
    b.node = bt_node_start(&g_bus, "busy#1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.node);
    CU_ASSERT_EQUAL(bt_on_loop(b.node, subscribe_busy, &b), 0);
    long n = 0;
    CU_ASSERT_EQUAL(bt_on_loop(g_pub, publish_order, &n), 0);
    CU_ASSERT_EQUAL(n, 5000);
    CU_ASSERT(bt_latch_wait(&b.seen, 5000, BT_WAIT_MS));
    bt_node_stop(&b.node);
    CU_ASSERT_EQUAL(b.events, 5000);
    CU_ASSERT_EQUAL(b.out_of_order, 0);
    CU_ASSERT_EQUAL(b.missed, 0);
    CU_ASSERT_EQUAL(b.subs, 50);
    bt_latch_destroy(&b.seen);
}

static void test_teardown(void)
{
    bt_node_stop(&g_pub);
    bt_bus_stop(&g_bus);
}

int main(void)
{
    bt_capture_stderr();
    static const bt_test tests[] = {{"setup", test_setup},
                                    {"prefix matching and numbering", test_prefixes},
                                    {"unsubscribe", test_unsubscribe},
                                    {"a blocked subscriber detects its gap", test_gap},
                                    {"round trips inside a callback keep order",
                                     test_round_trip_in_callback},
                                    {"teardown", test_teardown},
                                    {NULL, NULL}};
    return bt_run_suite("bus pub/sub", tests);
}
