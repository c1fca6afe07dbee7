/* Completions run on their own thread: answering a batch (encoding
 * replies, handing them to the bus) then overlaps with the writer's next
 * commit instead of delaying it, which is what keeps the disk busy under
 * load. Requests complete in commit order. */
#include <stdio.h>
#include <string.h>

#include "store_wreq.h"

static void *completer_main(void *arg)
{
    sk_store *st = arg;
    pthread_mutex_lock(&st->cmu);
    for (;;) {
        while (!st->chead && !st->cstop)
            pthread_cond_wait(&st->ccv, &st->cmu);
        st_wreq *r = st->chead;
        st->chead = st->ctail = NULL;
        if (!r && st->cstop)
            break;
        st->cbusy = true;
        pthread_mutex_unlock(&st->cmu);
        while (r) {
            st_wreq *n = r->next;
            st_wreq_complete(r);
            r = n;
        }
        pthread_mutex_lock(&st->cmu);
        st->cbusy = false;
    }
    pthread_mutex_unlock(&st->cmu);
    return NULL;
}

void st_complete_later(sk_store *st, st_wreq *r, bool small)
{
    r->next = NULL;
    pthread_mutex_lock(&st->cmu);
    /* Without a thread (not started, or stopped), complete here. A small
     * batch with nothing queued before it is also answered here: waking
     * the completion thread would cost a lone client more latency than the
     * overlap saves. Either way answers keep commit order. */
    if (!st->completer_started || (small && !st->chead && !st->cbusy)) {
        pthread_mutex_unlock(&st->cmu);
        st_wreq_complete(r);
        return;
    }
    if (st->ctail)
        st->ctail->next = r;
    else
        st->chead = r;
    st->ctail = r;
    pthread_cond_signal(&st->ccv);
    pthread_mutex_unlock(&st->cmu);
}

int st_completer_start(sk_store *st, char *err, size_t errlen)
{
    int rc = pthread_create(&st->completer, NULL, completer_main, st);
    if (rc) {
        snprintf(err, errlen, "store: cannot start the completion thread: %s", strerror(rc));
        return -rc;
    }
    pthread_mutex_lock(&st->cmu);
    st->completer_started = true;
    pthread_mutex_unlock(&st->cmu);
    return 0;
}

void st_completer_stop(sk_store *st)
{
    pthread_mutex_lock(&st->cmu);
    bool started = st->completer_started;
    st->cstop = true;
    pthread_cond_signal(&st->ccv);
    pthread_mutex_unlock(&st->cmu);
    if (!started)
        return;
    pthread_join(st->completer, NULL);
    pthread_mutex_lock(&st->cmu);
    st->completer_started = false;
    pthread_mutex_unlock(&st->cmu);
}
