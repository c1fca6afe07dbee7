/* A pod's effective resource requests, computed as kube-scheduler's
 * resource.PodRequests does: containers summed, each init container's
 * needs (plus the restartable "sidecar" init containers started before
 * it) taken as a floor, sidecars added to the running total, overhead on
 * top. A container with a limit but no request counts the limit, as the
 * API's defaulting would have written it. */
#ifndef SK_SCHED_POD_REQUESTS_H
#define SK_SCHED_POD_REQUESTS_H

#include "mpx.h"

/* Fills pod->requests, nonzero_milli_cpu and nonzero_memory from the pod's
 * spec. 0, SK_EBADMSG (x->what set) or SK_ETOOLARGE (too many distinct
 * extended resources). */
int sk_pod_requests(sk_mpx *x, sk_mp_view spec, sk_sched_pod *pod);

/* The defaults a container missing a cpu / memory request counts for
 * scoring (kube-scheduler's DefaultMilliCPURequest / DefaultMemoryRequest). */
#define SK_SCHED_DEFAULT_MILLI_CPU 100
#define SK_SCHED_DEFAULT_MEMORY (200LL * 1024 * 1024)

/* Reads a ResourceList map into r (which must be zeroed): cpu as milli,
 * the rest as values. Names other than cpu, memory, ephemeral-storage and
 * pods go to scalars. Used for node allocatable too. */
typedef struct sk_reslist {
    int64_t cpu, mem, eph, pods;
    bool has_cpu, has_mem;
    uint32_t n;
    struct {
        const char *name; /* not NUL-terminated: points into the msgpack */
        size_t len;
        int64_t v;
    } s[32];
} sk_reslist;

int sk_reslist_read(sk_mpx *x, sk_mp_view map, sk_reslist *r);
/* Copies r into out, scalars sorted into the arena. */
int sk_reslist_export(sk_mpx *x, const sk_reslist *r, sk_sched_resources *out);

#endif
