/* hello: the smallest complete skiff plugin, built out of tree against the
 * installed SDK alone (see Makefile and README.md).
 *
 * It serves the bus service "hello": a request whose payload is a msgpack
 * string NAME gets the msgpack string "<greeting>, NAME" back. The greeting
 * comes from its config; a timer logs how many requests it answered. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/skiff.h>

#define HELLO_REPORT_MS 10000

typedef struct hello {
    const sk_host *host;
    const char *greeting; /* owned by the host's config tree until fini */
    int64_t timer;        /* > 0 while started */
    uint64_t served;
} hello;

static const sk_option hello_options[] = {
    {"greeting", SK_OPT_STRING, "hello", "word put before the caller's name"},
    {NULL, 0, NULL, NULL},
};

/* Bytes in, bytes out: the reply is built in an sk_mp_buf and only its
 * bytes cross to the bus, which copies them during the call. */
static void hello_serve(void *arg, sk_bus_req *req, const char *method, const void *data,
                        size_t len)
{
    hello *h = arg;
    sk_mp_view v;
    const char *name;
    size_t name_len;
    (void)method;
    if (sk_mp_check(data, len, SK_MP_MAX_DEPTH, &v) != 0 ||
        sk_mp_get_str(v, &name, &name_len) != 0) {
        (void)sk_reply_error(h->host, req, SK_EBADMSG, "hello: payload must be a msgpack string");
        return;
    }
    size_t glen = strlen(h->greeting);
    char *text = malloc(glen + 2 + name_len);
    if (!text) {
        (void)sk_reply_error(h->host, req, -ENOMEM, "hello: out of memory");
        return;
    }
    memcpy(text, h->greeting, glen);
    memcpy(text + glen, ", ", 2);
    memcpy(text + glen + 2, name, name_len);

    sk_mp_buf out;
    sk_mp_buf_init(&out);
    sk_mp_put_strn(&out, text, glen + 2 + name_len);
    free(text);
    if (out.err) {
        (void)sk_reply_error(h->host, req, out.err, "hello: cannot encode the reply");
    } else {
        int rc = sk_reply(h->host, req, out.data, out.len);
        if (rc)
            sk_warn(h->host, "reply failed: %s", sk_strerror(rc));
        else
            h->served++;
    }
    sk_mp_buf_free(&out);
}

static void hello_tick(void *arg, uint64_t timer_id)
{
    hello *h = arg;
    (void)timer_id;
    sk_debug(h->host, "answered %llu requests so far", (unsigned long long)h->served);
}

/* Host main thread: read config and allocate; take nothing exclusive. */
static int hello_init(const sk_host *host, void **state)
{
    hello *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    h->host = host;
    h->greeting = sk_cfg_str(host, "greeting", "hello");
    *state = h;
    return 0;
}

/* Loop thread: start serving. A failure here is followed by fini. */
static int hello_start(void *state)
{
    hello *h = state;
    int rc = sk_serve(h->host, "hello", hello_serve, h);
    if (rc) {
        sk_error(h->host, "cannot serve \"hello\": %s", sk_strerror(rc));
        return rc;
    }
    int64_t timer = sk_timer_add(h->host, HELLO_REPORT_MS, HELLO_REPORT_MS, hello_tick, h);
    if (timer < 0) {
        sk_error(h->host, "cannot add a timer: %s", sk_strerror((int)timer));
        (void)sk_unserve(h->host, "hello");
        return (int)timer;
    }
    h->timer = timer;
    sk_info(h->host, "hello plugin started (greeting \"%s\")", h->greeting);
    return 0;
}

/* Loop thread: after this returns none of our callbacks may run. */
static void hello_stop(void *state)
{
    hello *h = state;
    if (h->timer > 0 && sk_timer_cancel(h->host, (uint64_t)h->timer) != 0)
        sk_debug(h->host, "timer already gone");
    h->timer = 0;
    int rc = sk_unserve(h->host, "hello");
    if (rc)
        sk_warn(h->host, "unserve failed: %s", sk_strerror(rc));
    sk_info(h->host, "hello plugin stopped after %llu requests", (unsigned long long)h->served);
}

static void hello_fini(void *state)
{
    free(state);
}

static const sk_plugin_desc hello_desc = {
    SK_PLUGIN_DESC_INIT,
    .name = "hello",
    .version = "1.0.0",
    .description = "answers \"hello, NAME\" on the bus service \"hello\"",
    .options = hello_options,
    .init = hello_init,
    .start = hello_start,
    .stop = hello_stop,
    .fini = hello_fini,
};

SK_PLUGIN_DEFINE(hello_desc)
