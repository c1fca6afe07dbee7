/* scheduler.so: the scheduler core (sk_scheduler) on a plugin's loop,
 * fed by informers over the bus service `api`, binding, reporting and
 * evicting through that service. Everything here runs on the loop thread
 * except the binding thread (bindthr.c), which only runs third-party
 * PreBind/Bind plugins and comes back with post(). */
#ifndef SK_SP_H
#define SK_SP_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include "profile_cfg.h"
#include "registry.h"
#include "scheduler.h"
#include "skiff/informer.h"
#include "skiff/skiff.h"

#define SP_MAX_PATHS 16
#define SP_BINDER "DefaultBinder"

/* One asynchronous request in flight, so stop() can cancel what is left. */
typedef struct sp_req sp_req;
typedef void (*sp_done_fn)(sp_req *r, int status, const char *errmsg, const void *data, size_t len);
struct sp_req {
    struct sp *sp;
    sp_req *prev, *next;
    uint64_t id;
    sp_done_fn done;
    sk_sched_binding *binding; /* binds only */
    char what[320];            /* "pods default/web-1", for logs */
};

typedef struct sp_event sp_event;

/* The binding thread's work list (third-party PreBind/Bind plugins). */
typedef struct sp_bindthr {
    pthread_t thread;
    bool running, quit;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sp_bindjob *head, *tail; /* waiting */
    struct sp_bindjob *posted;      /* done, result posted to the loop */
} sp_bindthr;

typedef struct sp {
    const sk_host *h;
    char api[128];
    int64_t bind_timeout_ms;
    int64_t batch; /* pods per loop callback before yielding */
    bool scheduled_events;
    const char *paths[SP_MAX_PATHS];
    uint32_t npaths;
    sk_sched_config_store conf;

    sk_sched_registry *reg;
    sk_scheduler *sched;
    sk_api_bus bus;
    sk_informer *pods, *nodes, *nss;
    int64_t tick_timer;
    bool kick_posted, stopping;
    sp_req *reqs; /* in flight */
    uint32_t nreqs;
    sp_bindthr bt;

    sp_event *ev_head, *ev_tail; /* Events waiting (events.c) */
    uint32_t ev_queued, ev_inflight;
    uint64_t ev_dropped;

    uint64_t scheduled, bound, failed, unschedulable;
    sk_metric *m_bound, *m_unsched, *m_errors, *m_ev_dropped;
} sp;

/* informers.c */
int sp_informers_start(sp *s);
void sp_informers_free(sp *s);
bool sp_synced(const sp *s);

/* drive.c: run scheduling cycles on the loop, never for long. */
void sp_kick(sp *s);
int sp_drive_start(sp *s);
void sp_drive_stop(sp *s);
void sp_bind(sp *s, sk_sched_binding *b);
void sp_binding_finished(sp *s, sk_sched_binding *b, sk_sched_code code, const char *msg);

/* requests.c */
int sp_request(sp *s, const char *method, sk_mp_buf *body, int64_t timeout_ms, sp_done_fn done,
               sk_sched_binding *b, const char *what);
void sp_requests_cancel_all(sp *s);
/* A request map for pods (namespace, name) with room for extra pairs. */
void sp_put_pod_request(sk_mp_buf *b, const char *ns, const char *name, uint32_t extra);

/* events.c: Event creates, paced and bounded; takes b's bytes. */
void sp_event_submit(sp *s, sk_mp_buf *b);
void sp_events_free(sp *s);

/* report.c: PodScheduled=False, FailedScheduling Event, nomination. */
void sp_report_unschedulable(sp *s, const sk_sched_pod *pod, const char *reason,
                             const char *message, bool nominate, const char *nominated);
/* The Normal Event "Scheduled" after a successful binding (option
 * scheduled_events). */
void sp_report_scheduled(sp *s, const sk_sched_pod *pod, const char *node);
int sp_evict(void *arg, const sk_sched_pod *victim, const sk_sched_pod *preemptor,
             const char *node);
/* Now as RFC 3339 ("2026-01-02T03:04:05Z"). */
void sp_rfc3339(char *buf, size_t size);

/* binder.c: the DefaultBinder plugin (blocking, for the binding thread;
 * the loop binds asynchronously itself when it is the only binder). */
extern const sk_sched_plugin_desc sp_default_binder;
void sp_put_bind_request(sk_mp_buf *b, const char *ns, const char *name, const char *uid,
                         const char *node);

/* bindthr.c */
int sp_bindthr_start(sp *s);
int sp_bindthr_submit(sp *s, sk_sched_binding *b);
void sp_bindthr_stop(sp *s);

#endif
