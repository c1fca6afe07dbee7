/* The ZAP handler (RFC 27) for the broker's CURVE binds. libzmq asks it,
 * over inproc://zeromq.zap.01 in the broker's context, whether each
 * client key may connect; only keys from bus.authorized_keys pass. Only one
 * handler can exist per context, which is why the host owns the context
 * and the broker owns the handler. */
#include "broker_int.h"
#include "broker_zio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

int bk_zap_open(sk_broker *b, char *err, size_t errlen)
{
    int zero = 0;
    b->zap = zmq_socket(b->zctx, ZMQ_REP);
    if (!b->zap || zmq_setsockopt(b->zap, ZMQ_LINGER, &zero, sizeof zero) ||
        zmq_bind(b->zap, ZAP_ENDPOINT)) {
        snprintf(err, errlen,
                 "bus: cannot bind the ZAP handler %s: %s (is another one bound in this "
                 "ZeroMQ context?)",
                 ZAP_ENDPOINT, zmq_strerror(zmq_errno()));
        return SK_EINTERNAL;
    }
    return 0;
}

static bool authorized(const sk_broker *b, const uint8_t key[32])
{
    for (size_t i = 0; i < b->nauth; i++)
        if (memcmp(b->auth[i], key, 32) == 0)
            return true;
    return false;
}

/* A refused peer retries every reconnect interval; one line per key is
 * enough to tell the operator which key to authorize. */
static bool first_refusal(sk_broker *b, const uint8_t key[32])
{
    for (size_t i = 0; i < b->nrefused; i++)
        if (memcmp(b->refused[i], key, 32) == 0)
            return false;
    if (b->nrefused < sizeof b->refused / sizeof b->refused[0])
        memcpy(b->refused[b->nrefused++], key, 32);
    return true;
}

static void log_refusal(sk_broker *b, const zmq_msg_t *addr, const uint8_t key[32])
{
    if (!first_refusal(b, key))
        return;
    char z85[41];
    if (!zmq_z85_encode(z85, key, 32))
        strcpy(z85, "?");
    int alen = (int)zmq_msg_size((zmq_msg_t *)addr);
    sk_hlog("bus", SK_LOG_WARN,
            "bus: refused a peer from %.*s: its CURVE key %s is not in bus.authorized_keys",
            alen > 64 ? 64 : alen, (const char *)zmq_msg_data((zmq_msg_t *)addr), z85);
}

static void zap_reply(sk_broker *b, const zmq_msg_t *reqid, const char *code, const char *text,
                      const char *user)
{
    const void *rid = zmq_msg_data((zmq_msg_t *)reqid);
    size_t rlen = zmq_msg_size((zmq_msg_t *)reqid);
    if (sk_zsend(b->zap, "1.0", 3, ZMQ_SNDMORE) < 0 ||
        sk_zsend(b->zap, rid, rlen, ZMQ_SNDMORE) < 0 ||
        sk_zsend(b->zap, code, strlen(code), ZMQ_SNDMORE) < 0 ||
        sk_zsend(b->zap, text, strlen(text), ZMQ_SNDMORE) < 0 ||
        sk_zsend(b->zap, user, strlen(user), ZMQ_SNDMORE) < 0 || sk_zsend(b->zap, "", 0, 0) < 0)
        sk_hlog("bus", SK_LOG_ERROR, "bus: ZAP reply failed: %s", zmq_strerror(zmq_errno()));
}

static bool frame_is(const zmq_msg_t *m, const char *s)
{
    size_t n = strlen(s);
    return zmq_msg_size((zmq_msg_t *)m) == n && memcmp(zmq_msg_data((zmq_msg_t *)m), s, n) == 0;
}

/* f: version, request id, domain, address, routing id, mechanism, key. */
static void zap_handle(sk_broker *b, zmq_msg_t *f, size_t nf)
{
    if (nf < 2) {
        zmq_msg_t empty;
        zmq_msg_init(&empty);
        zap_reply(b, &empty, "500", "malformed ZAP request", "");
        zmq_msg_close(&empty);
        return;
    }
    if (nf != 7 || !frame_is(&f[0], "1.0") || !frame_is(&f[5], "CURVE") ||
        zmq_msg_size(&f[6]) != 32) {
        sk_hlog("bus", SK_LOG_WARN, "bus: ZAP request refused: not a CURVE 1.0 request");
        zap_reply(b, &f[1], "400", "only CURVE is accepted", "");
        return;
    }
    const uint8_t *key = zmq_msg_data(&f[6]);
    char z85[41];
    if (!zmq_z85_encode(z85, key, 32))
        z85[0] = 0;
    if (!authorized(b, key)) {
        log_refusal(b, &f[3], key);
        zap_reply(b, &f[1], "400", "key not authorized", "");
        return;
    }
    sk_hlog("bus", SK_LOG_DEBUG, "bus: accepted peer key %s", z85);
    zap_reply(b, &f[1], "200", "OK", z85);
}

void bk_zap_readable(sk_broker *b)
{
    for (int i = 0; i < BK_BATCH; i++) {
        zmq_msg_t f[8];
        size_t nf = bk_recv_frames(b->zap, f, 8);
        if (nf == 0)
            return;
        zap_handle(b, f, nf > 8 ? 0 : nf);
        bk_close_frames(f, nf, 8);
    }
}
