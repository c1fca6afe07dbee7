/* DefaultPreemption: the node with the least to evict, reprieves, the
 * nomination and what follows it. */
#include <stdio.h>
#include <string.h>

#include "fx.h"
#include "test_main.h"

static sk_sched_outcome schedule(fx *f)
{
    sk_sched_outcome o;
    CU_ASSERT(sk_scheduler_schedule_next(f->s, &o) == 0);
    return o;
}

/* The next pod preempts: node is nominated for it. */
static void expect_nominated(fx *f, const char *node)
{
    sk_sched_outcome o = schedule(f);
    CU_ASSERT_STRING_EQUAL(o.nominated, node);
    sk_outcome_clear(&o);
}

/* The preemptor, back after its 1 s backoff, binds to node. */
static void expect_bound_after_backoff(fx *f, const char *node)
{
    char got[64];
    f->now += 1000;
    CU_ASSERT_EQUAL(fx_schedule(f, got, sizeof(got), NULL, 0), SK_OUTCOME_BIND);
    CU_ASSERT_STRING_EQUAL(got, node);
}

static void test_least_to_evict(void)
{
    fx *f = fx_new(NULL);
    fx_node_res(f, "n1", "2", "8Gi", 110, "", "");
    fx_node_res(f, "n2", "2", "8Gi", 110, "", "");
    fx_node_res(f, "n3", "2", "8Gi", 110, "", "");
    fx_pod_on(f, "n1", "a1", "1", "", 0, "");
    fx_pod_on(f, "n1", "a2", "1", "", 0, "");
    fx_pod_on(f, "n2", "b1", "2", "", 0, "");
    fx_pod_on(f, "n3", "c1", "2", "", 5, "");
    fx_pod_res(f, "vip", "2", "", 10, "", "");
    sk_sched_outcome o = schedule(f);
    CU_ASSERT_EQUAL(o.kind, SK_OUTCOME_UNSCHEDULABLE);
    /* n1 and n2 tie on the highest victim priority (0); n2 has the
     * smaller priority sum (one victim instead of two). */
    CU_ASSERT(o.nominate);
    CU_ASSERT_STRING_EQUAL(o.nominated, "n2");
    CU_ASSERT_EQUAL(f->nevicted, 1);
    CU_ASSERT_STRING_EQUAL(f->evicted[0], "b1");
    CU_ASSERT_STRING_EQUAL(o.message, "0/3 nodes are available: 3 Insufficient cpu.");
    sk_outcome_clear(&o);

    /* The victim goes; the preemptor comes back and takes its place. */
    CU_ASSERT(sk_scheduler_pod_delete(f->s, "uid-b1") == 0);
    expect_bound_after_backoff(f, "n2");
    fx_free(f);
}

static void test_reprieve_most_important(void)
{
    fx *f = fx_new(NULL);
    fx_node_res(f, "n", "4", "8Gi", 110, "", "");
    fx_pod_on(f, "n", "cheap", "1", "", 1, "");
    fx_pod_on(f, "n", "dear", "1", "", 2, "");
    fx_pod_on(f, "n", "boss", "1", "", 100, "");
    fx_pod_res(f, "vip", "2", "", 10, "", "");
    expect_nominated(f, "n");
    /* Removing both lower pods makes room; "dear" fits back, "cheap"
     * does not. "boss" outranks the preemptor and is never considered. */
    CU_ASSERT_EQUAL(f->nevicted, 1);
    CU_ASSERT_STRING_EQUAL(f->evicted[0], "cheap");
    fx_free(f);
}

static void test_lowest_priority_victims_win(void)
{
    fx *f = fx_new(NULL);
    fx_node_res(f, "n1", "1", "8Gi", 110, "", "");
    fx_node_res(f, "n2", "1", "8Gi", 110, "", "");
    fx_pod_on(f, "n1", "mid", "1", "", 5, "");
    fx_pod_on(f, "n2", "low", "1", "", 1, "");
    fx_pod_res(f, "vip", "1", "", 10, "", "");
    expect_nominated(f, "n2");
    CU_ASSERT_STRING_EQUAL(f->evicted[0], "low");
    fx_free(f);
}

static void test_not_eligible(void)
{
    fx *f = fx_new(NULL);
    fx_node_res(f, "n", "1", "8Gi", 110, "", "");
    fx_pod_on(f, "n", "low", "1", "", 0, "");
    fx_pod_res(f, "polite", "1", "", 10, "", "preemptionPolicy:Never");
    sk_sched_outcome o = schedule(f);
    CU_ASSERT_EQUAL(o.kind, SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT_STRING_EQUAL(o.message, "0/1 nodes are available: 1 Insufficient cpu. preemption: not "
                                      "eligible due to preemptionPolicy=Never.");
    CU_ASSERT_EQUAL(f->nevicted, 0);
    sk_outcome_clear(&o);
    /* Equal priority is no reason to evict. */
    fx_pod_res(f, "peer", "1", "", 0, "", "");
    o = schedule(f);
    CU_ASSERT_STRING_EQUAL(o.message, "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes "
                                      "are available: 1 No preemption victims found for incoming pod.");
    sk_outcome_clear(&o);
    fx_free(f);
}

static void test_nominated_room_is_kept(void)
{
    fx *f = fx_new(NULL);
    char msg[512];
    fx_node_res(f, "n", "2", "8Gi", 110, "", "");
    fx_pod_on(f, "n", "victim", "2", "", 0, "");
    fx_pod_res(f, "vip", "2", "", 10, "", "");
    expect_nominated(f, "n");
    sk_scheduler_pod_delete(f->s, "uid-victim");
    /* The preemptor is backing off; a lower-priority pod comes first but
     * must not take the room made for it. */
    fx_pod_res(f, "sneaky", "2", "", 0, "", "");
    CU_ASSERT_EQUAL(fx_schedule(f, NULL, 0, msg, sizeof(msg)), SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT(strncmp(msg, "0/1 nodes are available: 1 Insufficient cpu.", 44) == 0);
    if (strncmp(msg, "0/1 nodes are available: 1 Insufficient cpu.", 44) != 0)
        fprintf(stderr, "got: %s\n", msg);
    expect_bound_after_backoff(f, "n");
    fx_free(f);
}

static void test_terminating_victims_wait(void)
{
    fx *f = fx_new(NULL);
    fx_node_res(f, "n", "1", "8Gi", 110, "", "");
    fx_pod_on(f, "n", "victim", "1", "", 0, "");
    fx_pod_res(f, "vip", "1", "", 10, "", "");
    expect_nominated(f, "n");
    /* The victim is terminating (deletionTimestamp) but still there. */
    fx_pod(f, "{metadata:{name:victim,namespace:default,uid:uid-victim,deletionTimestamp:"
              "'2024-01-01T00:01:00Z'},spec:{nodeName:n,containers:[{name:c,resources:{requests:"
              "{cpu:1}}}]},status:{phase:Running}}");
    f->now += 1000;
    /* An update of an assigned pod is no event NodeResourcesFit waits for. */
    sk_sched_outcome o = schedule(f);
    CU_ASSERT_EQUAL(o.kind, SK_OUTCOME_NONE);
    sk_queue_on_event(sk_scheduler_queue(f->s), SK_SCHED_EV_NODE_UPDATE);
    o = schedule(f);
    CU_ASSERT_EQUAL_FATAL(o.kind, SK_OUTCOME_UNSCHEDULABLE);
    CU_ASSERT(strstr(o.message, "not eligible due to a terminating pod on the nominated node.") != NULL);
    CU_ASSERT(!o.nominate); /* it keeps its nomination while it waits */
    CU_ASSERT_EQUAL(f->nevicted, 1);
    sk_outcome_clear(&o);
    fx_free(f);
}

int main(void)
{
    static const test_case tests[] = {
        {"the node with the least to evict", test_least_to_evict},
        {"reprieve the most important", test_reprieve_most_important},
        {"lowest-priority victims win", test_lowest_priority_victims_win},
        {"not eligible", test_not_eligible},
        {"nominated room is kept", test_nominated_room_is_kept},
        {"terminating victims are waited for", test_terminating_victims_wait},
        {NULL, NULL},
    };
    return run_suite("preemption", tests);
}
