/* What the scheduler tells the API about a pod, as kube-scheduler does, so
 * `kubectl describe pod` explains it: the PodScheduled=False condition
 * (and status.nominatedNodeName after a preemption) by a strategic-merge
 * patch of pods/status, a Warning Event FailedScheduling, and a Normal
 * Event Scheduled once bound (events.c paces Events). Also preemption's
 * evictions. All fire and forget: a lost report is logged, and the next
 * attempt writes again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sp.h"

#define SP_REPORT_TIMEOUT_MS 10000

void sp_rfc3339(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "1970-01-01T00:00:00Z");
}

static void logged_done(sp_req *r, int status, const char *errmsg, const void *data, size_t len)
{
    (void)data, (void)len;
    /* NotFound: the pod went away meanwhile, nothing to explain. */
    if (status != 0 && status != SK_ENOTFOUND && status != SK_ESTOPPED)
        sk_warn(r->sp->h, "scheduler: %s: %s %s", r->what, sk_strerror(status),
                errmsg ? errmsg : "");
}

static void send(sp *s, const char *method, sk_mp_buf *b, const char *what)
{
    int rc = sp_request(s, method, b, SP_REPORT_TIMEOUT_MS, logged_done, NULL, what);
    if (rc && rc != SK_ESTOPPED)
        sk_warn(s->h, "scheduler: %s: %s", what, sk_strerror(rc));
    sk_mp_buf_free(b);
}

static void patch_status(sp *s, const sk_sched_pod *pod, const char *reason, const char *message,
                         bool nominate, const char *nominated, const char *now)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sp_put_pod_request(&b, pod->ns, pod->name, 3);
    sk_mp_put_str(&b, "subresource");
    sk_mp_put_str(&b, "status");
    sk_mp_put_str(&b, "patch_type");
    sk_mp_put_str(&b, "strategic");
    sk_mp_put_str(&b, "body");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "status");
    sk_mp_put_map(&b, nominate ? 2 : 1);
    if (nominate) {
        sk_mp_put_str(&b, "nominatedNodeName");
        if (nominated && nominated[0])
            sk_mp_put_str(&b, nominated);
        else
            sk_mp_put_nil(&b); /* null deletes it in a merge patch */
    }
    sk_mp_put_str(&b, "conditions");
    sk_mp_put_array(&b, 1);
    sk_mp_put_map(&b, 5);
    sk_mp_put_str(&b, "type");
    sk_mp_put_str(&b, "PodScheduled");
    sk_mp_put_str(&b, "status");
    sk_mp_put_str(&b, "False");
    sk_mp_put_str(&b, "reason");
    sk_mp_put_str(&b, reason);
    sk_mp_put_str(&b, "message");
    sk_mp_put_str(&b, message);
    sk_mp_put_str(&b, "lastTransitionTime");
    sk_mp_put_str(&b, now);
    char what[320];
    snprintf(what, sizeof(what), "status of pod %s/%s", pod->ns, pod->name);
    send(s, "patch", &b, what);
}

static void put_kv(sk_mp_buf *b, const char *k, const char *v)
{
    sk_mp_put_str(b, k);
    sk_mp_put_str(b, v);
}

static void create_event(sp *s, const sk_sched_pod *pod, bool warning, const char *reason,
                         const char *message, const char *now)
{
    char gen[300];
    snprintf(gen, sizeof(gen), "%s.", pod->name);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 4);
    put_kv(&b, "version", "v1");
    put_kv(&b, "resource", "events");
    put_kv(&b, "namespace", pod->ns);
    sk_mp_put_str(&b, "body");
    sk_mp_put_map(&b, 12);
    put_kv(&b, "apiVersion", "v1");
    put_kv(&b, "kind", "Event");
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_map(&b, 2);
    put_kv(&b, "generateName", gen);
    put_kv(&b, "namespace", pod->ns);
    sk_mp_put_str(&b, "involvedObject");
    sk_mp_put_map(&b, 5);
    put_kv(&b, "apiVersion", "v1");
    put_kv(&b, "kind", "Pod");
    put_kv(&b, "namespace", pod->ns);
    put_kv(&b, "name", pod->name);
    put_kv(&b, "uid", pod->uid);
    put_kv(&b, "reason", reason);
    put_kv(&b, "message", message);
    put_kv(&b, "type", warning ? "Warning" : "Normal");
    sk_mp_put_str(&b, "source");
    sk_mp_put_map(&b, 1);
    put_kv(&b, "component", pod->scheduler_name);
    put_kv(&b, "reportingComponent", pod->scheduler_name);
    put_kv(&b, "firstTimestamp", now);
    put_kv(&b, "lastTimestamp", now);
    sk_mp_put_str(&b, "count");
    sk_mp_put_int(&b, 1);
    sp_event_submit(s, &b);
}

void sp_report_unschedulable(sp *s, const sk_sched_pod *pod, const char *reason,
                             const char *message, bool nominate, const char *nominated)
{
    char now[40];
    sp_rfc3339(now, sizeof(now));
    sk_info(s->h, "scheduler: pod %s/%s: %s", pod->ns, pod->name, message);
    patch_status(s, pod, reason, message, nominate, nominated, now);
    create_event(s, pod, true, "FailedScheduling", message, now);
}

void sp_report_scheduled(sp *s, const sk_sched_pod *pod, const char *node)
{
    if (!s->scheduled_events)
        return;
    char now[40], msg[800];
    sp_rfc3339(now, sizeof(now));
    snprintf(msg, sizeof(msg), "Successfully assigned %s/%s to %s", pod->ns, pod->name, node);
    create_event(s, pod, false, "Scheduled", msg, now);
}

int sp_evict(void *arg, const sk_sched_pod *victim, const sk_sched_pod *preemptor,
             const char *node)
{
    sp *s = arg;
    sk_info(s->h, "scheduler: preempting %s/%s on %s for %s/%s", victim->ns, victim->name, node,
            preemptor->ns, preemptor->name);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    /* Deleted as kube-scheduler's preemption does, with the pod's own
     * grace period (its kubelet, if any, finishes the deletion). */
    sp_put_pod_request(&b, victim->ns, victim->name, 0);
    char what[320];
    snprintf(what, sizeof(what), "preemption of pod %s/%s", victim->ns, victim->name);
    if (b.err) {
        int rc = b.err;
        sk_mp_buf_free(&b);
        return rc;
    }
    int rc = sp_request(s, "delete", &b, SP_REPORT_TIMEOUT_MS, logged_done, NULL, what);
    sk_mp_buf_free(&b);
    if (rc == 0) {
        /* kube-scheduler's words, so tooling that greps for them works. */
        char now[40], msg[600];
        sp_rfc3339(now, sizeof(now));
        snprintf(msg, sizeof(msg), "Preempted by pod %s on node %s", preemptor->uid, node);
        create_event(s, victim, false, "Preempted", msg, now);
    }
    return rc;
}
