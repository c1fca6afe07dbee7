/* Test plugin store-crash-writer, for the crash test: `clients` threads
 * make durable writes to the store over the bus, each one a new key, and
 * every third one a txn writing two keys (…/a and …/b) with one value.
 * After each acknowledged write, and before counting it as acknowledged,
 * it appends one line to the ack log with write(2):
 *     P <key> <value> <revision>
 *     T <key-a> <key-b> <value> <revision>
 * A SIGKILL loses nothing already written to the page cache, so the test
 * can hold the store to every line it finds. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skiff/skiff.h"

#define MAX_CLIENTS 64

typedef struct writer writer;

typedef struct client {
    writer *w;
    int idx;
    pthread_t t;
} client;

struct writer {
    const sk_host *h;
    const char *log_path, *service;
    int64_t run, nclients;
    int fd;
    atomic_bool stop;
    client c[MAX_CLIENTS];
    int started;
};

static const sk_option options[] = {
    {"log", SK_OPT_STRING, NULL, "ack log path (required)"},
    {"run", SK_OPT_INT, "0", "run number, part of every key"},
    {"clients", SK_OPT_INT, "8", "concurrent writer threads"},
    {"service", SK_OPT_STRING, "store", "the store's service"},
    {NULL, 0, NULL, NULL},
};

static void put_bin(sk_mp_buf *b, const char *k, const char *v)
{
    sk_mp_put_str(b, k);
    sk_mp_put_bin(b, v, strlen(v));
}

static void build_put(sk_mp_buf *b, const char *key, const char *val)
{
    sk_mp_put_map(b, 2);
    put_bin(b, "key", key);
    put_bin(b, "value", val);
}

static void build_pair(sk_mp_buf *b, const char *ka, const char *kb, const char *val)
{
    sk_mp_put_map(b, 1);
    sk_mp_put_str(b, "success");
    sk_mp_put_array(b, 2);
    for (int i = 0; i < 2; i++) {
        sk_mp_put_map(b, 1);
        sk_mp_put_str(b, "put");
        build_put(b, i ? kb : ka, val);
    }
}

static int64_t reply_rev(const void *data, size_t len)
{
    sk_mp_view v, at;
    int64_t rev = -1;
    if (sk_mp_check(data, len, 16, &v) == 0 && sk_mp_find(v, "revision", &at) == 0)
        sk_mp_get_int(at, &rev);
    return rev;
}

/* One write; on success appends its ack line. 0, or the bus error. */
static int one_write(writer *w, int ci, long seq)
{
    char key[128], kb[136], val[96], line[512];
    bool pair = seq % 3 == 2;
    snprintf(key, sizeof key, "/crash/%03lld/%02d/%08ld", (long long)w->run, ci, seq);
    snprintf(val, sizeof val, "r%lld-c%d-s%ld", (long long)w->run, ci, seq);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    if (pair) {
        char ka[136];
        snprintf(ka, sizeof ka, "%s/a", key);
        snprintf(kb, sizeof kb, "%s/b", key);
        build_pair(&b, ka, kb, val);
        memcpy(key, ka, sizeof key);
    } else {
        build_put(&b, key, val);
    }
    void *reply = NULL;
    size_t rlen = 0;
    char err[256];
    int rc = b.err ? b.err
                   : sk_call(w->h, w->service, pair ? "txn" : "put", b.data, b.len, 10000, &reply,
                             &rlen, err, sizeof err);
    sk_mp_buf_free(&b);
    if (rc)
        return rc;
    int64_t rev = reply_rev(reply, rlen);
    free(reply);
    int n = pair ? snprintf(line, sizeof line, "T %s %s %s %lld\n", key, kb, val, (long long)rev)
                 : snprintf(line, sizeof line, "P %s %s %lld\n", key, val, (long long)rev);
    /* One write(2) per line with O_APPEND: lines never interleave. */
    if (write(w->fd, line, (size_t)n) != n)
        sk_error(w->h, "crash-writer: %s: %s", w->log_path, strerror(errno));
    return 0;
}

static void *client_main(void *arg)
{
    client *c = arg;
    writer *w = c->w;
    int errors = 0;
    for (long seq = 0; !atomic_load(&w->stop) && errors < 1000; seq++) {
        int rc = one_write(w, c->idx, seq);
        if (rc) {
            errors++;
            sk_debug(w->h, "crash-writer: write failed: %s", sk_strerror(rc));
        }
    }
    return NULL;
}

static int cw_init(const sk_host *h, void **state)
{
    writer *w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    w->h = h;
    w->fd = -1;
    w->log_path = sk_cfg_str(h, "log", NULL);
    w->service = sk_cfg_str(h, "service", "store");
    if (!w->log_path || sk_cfg_int(h, "run", 0, &w->run) ||
        sk_cfg_int(h, "clients", 8, &w->nclients) || w->nclients < 1 ||
        w->nclients > MAX_CLIENTS) {
        sk_error(h, "crash-writer: needs log, and clients in 1..%d", MAX_CLIENTS);
        free(w);
        return SK_ECONFIG;
    }
    *state = w;
    return 0;
}

static int cw_start(void *state)
{
    writer *w = state;
    w->fd = open(w->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (w->fd < 0) {
        sk_error(w->h, "crash-writer: %s: %s", w->log_path, strerror(errno));
        return -errno;
    }
    for (int i = 0; i < w->nclients; i++) {
        w->c[i] = (client){.w = w, .idx = i};
        if (pthread_create(&w->c[i].t, NULL, client_main, &w->c[i]))
            break;
        w->started++;
    }
    return 0;
}

static void cw_stop(void *state)
{
    writer *w = state;
    atomic_store(&w->stop, true);
    for (int i = 0; i < w->started; i++)
        pthread_join(w->c[i].t, NULL);
    w->started = 0;
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}

static void cw_fini(void *state)
{
    free(state);
}

static const sk_plugin_desc desc = {
    SK_PLUGIN_DESC_INIT,
    .name = "store-crash-writer",
    .version = "0.1.0",
    .description = "durable writes with an ack log, for the store's crash test",
    .options = options,
    .init = cw_init,
    .start = cw_start,
    .stop = cw_stop,
    .fini = cw_fini,
};

SK_PLUGIN_DEFINE(desc)
