/* ZeroMQ send/receive that ride out EINTR. libzmq processes its command
 * queue inside zmq_send/zmq_msg_recv and reports a signal arriving then as
 * EINTR, even in the middle of a multipart message; giving up there would
 * lose or garble a message, so the bus retries. Used by the broker and the
 * endpoints. */
#ifndef SKIFF_HOST_BROKER_ZIO_H
#define SKIFF_HOST_BROKER_ZIO_H

#include <errno.h>
#include <stddef.h>
#include <zmq.h>

static inline int sk_zsend(void *sock, const void *buf, size_t len, int flags)
{
    int rc;
    do
        rc = zmq_send(sock, buf, len, flags);
    while (rc < 0 && zmq_errno() == EINTR);
    return rc;
}

static inline int sk_zrecv(zmq_msg_t *m, void *sock, int flags)
{
    int rc;
    do
        rc = zmq_msg_recv(m, sock, flags);
    while (rc < 0 && zmq_errno() == EINTR);
    return rc;
}

#endif
