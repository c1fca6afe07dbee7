/* The scheduling queue: ordering, backoff, requeue on events, gates. */
#include <string.h>

#include "fx.h"
#include "test_main.h"

static uint32_t count(fx *f, sk_q_where w)
{
    return sk_queue_count(sk_scheduler_queue(f->s), w);
}

/* The one pod waits in `where` for `before` ms more, and is active once
 * `after` ms more have passed (the sweeps run at every tick). */
static void expect_active_after(fx *f, sk_q_where where, int64_t before, int64_t after)
{
    f->now += before;
    sk_scheduler_tick(f->s);
    CU_ASSERT_EQUAL(count(f, where), 1);
    f->now += after;
    sk_scheduler_tick(f->s);
    CU_ASSERT_EQUAL(count(f, SK_Q_ACTIVE), 1);
}

static void test_backoff_doubles_to_max(void)
{
    fx *f = fx_new(NULL);
    sk_sched_queue *q = sk_scheduler_queue(f->s);
    CU_ASSERT_EQUAL(sk_queue_backoff_ms(q, 0), 0);
    CU_ASSERT_EQUAL(sk_queue_backoff_ms(q, 1), 1000);
    CU_ASSERT_EQUAL(sk_queue_backoff_ms(q, 2), 2000);
    CU_ASSERT_EQUAL(sk_queue_backoff_ms(q, 3), 4000);
    CU_ASSERT_EQUAL(sk_queue_backoff_ms(q, 4), 8000);
    CU_ASSERT_EQUAL(sk_queue_backoff_ms(q, 5), 10000);
    CU_ASSERT_EQUAL(sk_queue_backoff_ms(q, 50), 10000);
    fx_free(f);
}

static void test_priority_then_arrival(void)
{
    fx *f = fx_new(NULL);
    char node[64];
    fx_node_res(f, "n", "8", "8Gi", 110, "", "");
    fx_pod_res(f, "low", "", "", 0, "", "");
    f->now++;
    fx_pod_res(f, "early", "", "", 10, "", "");
    f->now++;
    fx_pod_res(f, "late", "", "", 10, "", "");
    sk_sched_outcome o;
    const char *order[] = {"early", "late", "low"};
    for (int i = 0; i < 3; i++) {
        CU_ASSERT(sk_scheduler_schedule_next(f->s, &o) == 0);
        CU_ASSERT_EQUAL(o.kind, SK_OUTCOME_BIND);
        CU_ASSERT_STRING_EQUAL(o.pod->pod.name, order[i]);
        sk_scheduler_binding_done(f->s, &o.binding, SK_SCHED_SUCCESS, NULL);
        sk_outcome_clear(&o);
    }
    (void)node;
    fx_free(f);
}

static void test_unschedulable_until_node_added(void)
{
    fx *f = fx_new(NULL);
    char node[64], msg[256];
    fx_pod_res(f, "p", "1", "1Gi", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(msg, "no nodes available to schedule pods");
    CU_ASSERT_EQUAL(count(f, SK_Q_UNSCHED), 1);
    /* Time alone does not bring it back (before the 5 minute flush). */
    f->now += 60000;
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, NULL, 0), SK_OUTCOME_NONE);
    fx_node_res(f, "n", "2", "2Gi", 110, "", "");
    CU_ASSERT_EQUAL(count(f, SK_Q_ACTIVE), 1); /* its 1 s backoff is long over */
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(node, "n");
    CU_ASSERT_EQUAL(count(f, SK_Q_ACTIVE) + count(f, SK_Q_UNSCHED) + count(f, SK_Q_BACKOFF), 0);
    fx_free(f);
}

static void test_events_the_rejector_declared(void)
{
    fx *f = fx_new(NULL);
    fx_node_res(f, "t", "2", "2Gi", 110, "", "taints:[{key:k,value:v,effect:NoSchedule}]");
    fx_pod_on(f, "t", "x", "", "", 0, "");
    fx_pod_res(f, "p", "", "", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, NULL, 0), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_EQUAL(count(f, SK_Q_UNSCHED), 1);
    /* TaintToleration rejected it: a pod deletion cannot help... */
    CU_ASSERT(sk_scheduler_pod_delete(f->s, "uid-x") == 0);
    CU_ASSERT_EQUAL(count(f, SK_Q_UNSCHED), 1);
    /* ...a node update can. */
    fx_node_res(f, "t", "2", "2Gi", 110, "", "");
    CU_ASSERT_EQUAL(count(f, SK_Q_UNSCHED), 0);
    CU_ASSERT_EQUAL(count(f, SK_Q_BACKOFF), 1); /* still within its backoff */
    expect_active_after(f, SK_Q_BACKOFF, 999, 1);
    fx_free(f);
}

static void test_backoff_grows_per_attempt(void)
{
    fx *f = fx_new(NULL);
    fx_pod_res(f, "p", "", "", 0, "", "");
    int64_t waits[] = {1000, 2000, 4000, 8000, 10000, 10000};
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, NULL, 0), SK_OUTCOME_UNSCHEDULABLE);
        /* every event sends it to the backoff queue until its time is up */
        sk_queue_on_event(sk_scheduler_queue(f->s), SK_SCHED_EV_NODE_ADD);
        CU_ASSERT_EQUAL(count(f, SK_Q_BACKOFF), 1);
        expect_active_after(f, SK_Q_BACKOFF, waits[i] - 1, 1);
    }
    fx_free(f);
}

static void test_leftover_flush(void)
{
    fx *f = fx_new(NULL);
    fx_pod_res(f, "p", "", "", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, NULL, 0), SK_OUTCOME_UNSCHEDULABLE);
    /* The sweep runs once a second. */
    expect_active_after(f, SK_Q_UNSCHED, 5 * 60 * 1000 - 1, 1000);
    fx_free(f);
}

static void test_event_during_cycle(void)
{
    fx *f = fx_new(NULL);
    fx_pod_res(f, "p", "", "", 0, "", "");
    sk_sched_queue *q = sk_scheduler_queue(f->s);
    sk_qpod *qp = sk_queue_pop(q);
    CU_ASSERT_FATAL(qp != NULL);
    /* A node arrives while the pod is being scheduled (against a
     * snapshot without it): the failure must not park it. */
    sk_queue_on_event(q, SK_SCHED_EV_NODE_ADD);
    sk_queue_requeue(q, qp, 1, false);
    CU_ASSERT_EQUAL(count(f, SK_Q_BACKOFF), 1);
    fx_free(f);
}

static void test_scheduling_gates(void)
{
    fx *f = fx_new(NULL);
    char node[64];
    fx_node_res(f, "n", "2", "2Gi", 110, "", "");
    fx_pod(f, "{metadata:{name:g,uid:g},spec:{schedulingGates:[{name:a},{name:b}],containers:[{name:c}]}}");
    CU_ASSERT_EQUAL(count(f, SK_Q_UNSCHED), 1);
    sk_qpod *qp = sk_queue_get(sk_scheduler_queue(f->s), "g");
    CU_ASSERT_FATAL(qp != NULL);
    CU_ASSERT_STRING_EQUAL(qp->gate_msg, "waiting for scheduling gates: [a b]");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, NULL, 0), SK_OUTCOME_NONE);
    fx_pod(f, "{metadata:{name:g,uid:g},spec:{containers:[{name:c}]}}");
    CU_ASSERT_EQUAL(fx_schedule(f, node, sizeof(node), NULL, 0), SK_OUTCOME_BIND);
    fx_free(f);
}

static void test_deleted_pods_leave(void)
{
    fx *f = fx_new(NULL);
    fx_pod_res(f, "p", "", "", 0, "", "");
    CU_ASSERT_EQUAL(count(f, SK_Q_ACTIVE), 1);
    sk_scheduler_pod_delete(f->s, "uid-p");
    CU_ASSERT_EQUAL(count(f, SK_Q_ACTIVE), 0);
    /* pods of other schedulers are not ours */
    fx_pod(f, "{metadata:{name:o,uid:o},spec:{schedulerName:other,containers:[{name:c}]}}");
    CU_ASSERT_EQUAL(count(f, SK_Q_ACTIVE), 0);
    fx_free(f);
}

int main(void)
{
    static const test_case tests[] = {
        {"backoff doubles up to the max", test_backoff_doubles_to_max},
        {"priority, then arrival", test_priority_then_arrival},
        {"unschedulable until a node is added", test_unschedulable_until_node_added},
        {"only events the rejecting plugin declared", test_events_the_rejector_declared},
        {"backoff grows per attempt", test_backoff_grows_per_attempt},
        {"leftover flush after 5 minutes", test_leftover_flush},
        {"event during the cycle", test_event_during_cycle},
        {"scheduling gates", test_scheduling_gates},
        {"deleted and foreign pods", test_deleted_pods_leave},
        {NULL, NULL},
    };
    return run_suite("queue", tests);
}
