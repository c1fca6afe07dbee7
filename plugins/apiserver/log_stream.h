/* pods/log?follow=true: a kubelet's streamed log relayed as a chunked
 * HTTP body (log_stream.c). */
#ifndef AP_LOG_STREAM_H
#define AP_LOG_STREAM_H

#include <sys/types.h>

#include "apiserver.h"

typedef struct ap_log_stream ap_log_stream;

/* Starts following rq's pod log; on failure a Status is set in err (404,
 * 400, 503 "no kubelet for node X yet"). */
int ap_log_stream_open(ap_server *s, ap_req *rq, ap_log_stream **l, ap_resp *err);
/* Blocks for bytes: their count, -1 at the end, -2 when cut (too slow). */
ssize_t ap_log_stream_read(ap_log_stream *l, char *buf, size_t max);
/* The connection is done with l. */
void ap_log_stream_close(ap_log_stream *l);
/* Loop thread, in stop(): ends every stream. */
void ap_log_stream_stop_all(ap_server *s);

#endif
