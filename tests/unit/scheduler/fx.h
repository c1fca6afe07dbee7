/* Test fixture: a scheduler on hand-built nodes and pods, with a fake
 * clock, a recording evictor and a fake binder ("DefaultBinder"). */
#ifndef SK_TEST_FX_H
#define SK_TEST_FX_H

#include <CUnit/CUnit.h>

#include "mpcfg.h"
#include "profile_cfg.h"
#include "registry.h"
#include "scheduler.h"
#include "tjson.h"

typedef struct fx {
    sk_sched_registry *reg;
    sk_scheduler *s;
    mpcfg *cfg;
    sk_sched_config_store *store;
    int64_t now;
    int nevicted;
    char evicted[64][128];
    /* last scores of fx_score(), by snapshot order */
    char names[64][64];
    int64_t scores[64];
    int nscores;
} fx;

/* config_json: the scheduler config (profile_cfg.h); NULL for defaults. */
fx *fx_new(const char *config_json);
void fx_free(fx *f);
/* Only plugin (plus PrioritySort and the binder) in the default profile,
 * for testing one plugin; args_json may be NULL. */
fx *fx_only(const char *plugin, const char *args_json);

void fx_node(fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fx_pod(fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* name, cpu, memory, pods; labels: inner JSON of metadata.labels (may be
 * ""); spec: inner JSON of spec (may be ""). */
void fx_node_res(fx *f, const char *name, const char *cpu, const char *mem, int pods,
                 const char *labels, const char *spec);
/* A pod with one container requesting cpu/mem ("" for none). */
void fx_pod_res(fx *f, const char *name, const char *cpu, const char *mem, int prio,
                const char *labels, const char *spec);
/* Places a pod on a node directly (as if bound earlier). */
void fx_pod_on(fx *f, const char *node, const char *name, const char *cpu, const char *mem, int prio,
               const char *labels);

/* One cycle; a BIND outcome is bound at once (the fake binder). Returns
 * the outcome kind; node / message copied out (may be NULL). */
sk_outcome_kind fx_schedule(fx *f, char *node, size_t nlen, char *msg, size_t mlen);
/* Runs PreFilter/Filter/PreScore/Score for a pod JSON over the current
 * snapshot without placing it; fills f->scores for feasible nodes.
 * Returns the number of feasible nodes. */
int fx_score(fx *f, const char *pod_json);
int64_t fx_score_of(fx *f, const char *node); /* -1 when not feasible */

extern int fx_bind_fail;
/* The fake clock: reads ((fx *)arg)->now. */
int64_t fx_clock(void *arg); /* make the fake binder fail */

#endif
