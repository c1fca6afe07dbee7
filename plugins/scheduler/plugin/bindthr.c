/* The binding thread: runs the binding cycle (PreBind, Bind, PostBind) of
 * profiles with third-party PreBind/Bind plugins, which the ABI lets block,
 * off the loop; each result comes back to the loop with post(). One thread
 * in FIFO order keeps this simple; the common case (DefaultBinder alone)
 * never comes here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp.h"

typedef struct sp_bindjob {
    struct sp_bindjob *next;
    sp *s;
    sk_sched_binding *b;
    sk_sched_code code;
    char msg[512];
} sp_bindjob;

/* Loop thread: take j off the posted list, so stop() does not free it. */
static void unpost(sp_bindthr *t, sp_bindjob *j)
{
    pthread_mutex_lock(&t->mu);
    for (sp_bindjob **pp = &t->posted; *pp; pp = &(*pp)->next) {
        if (*pp == j) {
            *pp = j->next;
            break;
        }
    }
    pthread_mutex_unlock(&t->mu);
}

static void job_back(void *arg)
{
    sp_bindjob *j = arg;
    unpost(&j->s->bt, j);
    sp_binding_finished(j->s, j->b, j->code, j->code == SK_SCHED_SUCCESS ? NULL : j->msg);
    free(j);
}

static void *thread_main(void *arg)
{
    sp *s = arg;
    sp_bindthr *t = &s->bt;
    pthread_mutex_lock(&t->mu);
    for (;;) {
        while (!t->head && !t->quit)
            pthread_cond_wait(&t->cv, &t->mu);
        if (t->quit)
            break;
        sp_bindjob *j = t->head;
        t->head = j->next;
        if (!t->head)
            t->tail = NULL;
        pthread_mutex_unlock(&t->mu);
        j->code = sk_binding_run(j->b, j->msg, sizeof(j->msg));
        pthread_mutex_lock(&t->mu);
        /* Listed as posted before the post, under the lock: stop() then
         * finds every job either waiting or posted, and frees those whose
         * post never ran (no plugin code runs after stop). */
        j->next = t->posted;
        t->posted = j;
        if (t->quit || sk_post(s->h, job_back, j) != 0)
            break;
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

int sp_bindthr_start(sp *s)
{
    sp_bindthr *t = &s->bt;
    memset(t, 0, sizeof(*t));
    if (pthread_mutex_init(&t->mu, NULL))
        return -ENOMEM;
    if (pthread_cond_init(&t->cv, NULL)) {
        pthread_mutex_destroy(&t->mu);
        return -ENOMEM;
    }
    int rc = pthread_create(&t->thread, NULL, thread_main, s);
    if (rc) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        return -rc;
    }
    t->running = true;
    return 0;
}

int sp_bindthr_submit(sp *s, sk_sched_binding *b)
{
    sp_bindthr *t = &s->bt;
    if (!t->running)
        return SK_ESTOPPED;
    sp_bindjob *j = calloc(1, sizeof(*j));
    if (!j)
        return -ENOMEM;
    j->s = s;
    j->b = b;
    pthread_mutex_lock(&t->mu);
    if (t->tail)
        t->tail->next = j;
    else
        t->head = j;
    t->tail = j;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    return 0;
}

void sp_bindthr_stop(sp *s)
{
    sp_bindthr *t = &s->bt;
    if (!t->running)
        return;
    pthread_mutex_lock(&t->mu);
    t->quit = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL); /* a Bind in progress ends within its own bound */
    t->running = false;
    /* Jobs never run, or whose result never reached the loop: unwind. */
    sp_bindjob *lists[2] = {t->head, t->posted};
    for (int i = 0; i < 2; i++) {
        for (sp_bindjob *j = lists[i], *next; j; j = next) {
            next = j->next;
            sk_scheduler_binding_done(s->sched, &j->b, SK_SCHED_ERROR, "scheduler stopping");
            free(j);
        }
    }
    t->head = t->tail = t->posted = NULL;
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
}
