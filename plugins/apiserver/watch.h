/* Watches: one streamed `watch` request to the store per client watch,
 * started from the loop thread (streamed requests are loop-thread only).
 * Store parts are copied into the watch's queue as they arrive; the
 * consumer — the HTTP connection's thread, or the loop itself for bus
 * watches — filters and renders them, so the loop thread does no JSON
 * work for HTTP clients. A queue past `watch_queue` parts ends the watch
 * (the client relists) rather than ever skipping an event. */
#ifndef AP_WATCH_H
#define AP_WATCH_H

#include <sys/types.h>

#include "apiserver.h"

typedef struct ap_watch ap_watch;

/* Opens a watch for rq (verb AP_WATCH). breq NULL: an HTTP watch read
 * with ap_watch_read(); else a bus watch answered on breq (consumed). On
 * failure returns non-zero with an error Status in out (breq untouched). */
int ap_watch_open(ap_server *s, ap_req *rq, sk_bus_req *breq, ap_watch **w, ap_resp *out);
/* HTTP: up to max bytes of newline-delimited events; blocks until some
 * are ready. -1 at the end of the stream (timeout, stop), -2 when the
 * watch was cut (slow client). */
ssize_t ap_watch_read(ap_watch *w, char *buf, size_t max);
/* HTTP: the connection is done with w. */
void ap_watch_close(ap_watch *w);
/* Loop thread, in stop(): ends every watch. */
void ap_watch_stop_all(ap_server *s);

#endif
