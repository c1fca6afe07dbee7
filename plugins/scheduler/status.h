/* sk_sched_status: the code and reasons of one plugin answer. Reasons are
 * interned per scheduler, so a status is a few pointers and the per-node
 * statuses of a failed cycle cost no copies. */
#ifndef SK_SCHED_STATUS_H
#define SK_SCHED_STATUS_H

#include <pthread.h>

#include "skiff/sched.h"
#include "strmap.h"

#define SK_STATUS_MAX_REASONS 8

typedef struct sk_intern {
    pthread_mutex_t mu; /* Filter may run on worker threads */
    sk_strmap map;      /* string -> itself */
} sk_intern;

int sk_intern_init(sk_intern *in);
void sk_intern_free(sk_intern *in);
/* A stable copy of s owned by the table, or NULL on ENOMEM. */
const char *sk_intern_str(sk_intern *in, const char *s);

struct sk_sched_status {
    sk_sched_code code;
    const char *plugin; /* who answered; NULL for the framework */
    uint32_t nreasons;
    const char *reasons[SK_STATUS_MAX_REASONS];
    sk_intern *intern;
};

void sk_status_init(sk_sched_status *st, sk_intern *in);
void sk_status_reason(sk_sched_status *st, const char *reason);
/* Reasons joined with ", " into buf (as Status.Message()). */
void sk_status_message(const sk_sched_status *st, char *buf, size_t size);
const char *sk_code_name(sk_sched_code c);
static inline int sk_code_rejects(sk_sched_code c)
{
    return c == SK_SCHED_UNSCHEDULABLE || c == SK_SCHED_UNRESOLVABLE;
}

#endif
