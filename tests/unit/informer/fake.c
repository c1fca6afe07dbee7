#include "fake.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/bus.h"
#include "skiff/errors.h"

static int64_t fl_add(void *ctx, uint64_t delay, uint64_t period, sk_timer_fn fn, void *arg)
{
    fake_loop *l = ctx;
    (void)period;
    for (size_t i = 0; i < FAKE_MAX; i++) {
        if (!l->t[i].active) {
            l->t[i] = (fake_timer){++l->next_id, l->now + delay, fn, arg, true};
            if (i >= l->n)
                l->n = i + 1;
            return (int64_t)l->t[i].id;
        }
    }
    return SK_EFULL;
}

static int fl_cancel(void *ctx, uint64_t id)
{
    fake_loop *l = ctx;
    for (size_t i = 0; i < l->n; i++) {
        if (l->t[i].active && l->t[i].id == id) {
            l->t[i].active = false;
            return 0;
        }
    }
    return SK_ENOTFOUND;
}

static uint64_t fl_now(void *ctx)
{
    return ((fake_loop *)ctx)->now;
}

const sk_loop_api fake_loop_api = {
    .size = sizeof(sk_loop_api), .timer_add = fl_add, .timer_cancel = fl_cancel, .now_ms = fl_now};

void fake_loop_init(fake_loop *l)
{
    memset(l, 0, sizeof(*l));
}

/* The earliest due timer at or before `until`, by due time then id. */
static fake_timer *fl_next(fake_loop *l, uint64_t until)
{
    fake_timer *best = NULL;
    for (size_t i = 0; i < l->n; i++) {
        fake_timer *t = &l->t[i];
        if (t->active && t->due <= until &&
            (!best || t->due < best->due || (t->due == best->due && t->id < best->id)))
            best = t;
    }
    return best;
}

void fake_loop_advance(fake_loop *l, uint64_t ms)
{
    uint64_t until = l->now + ms;
    fake_timer *t;
    for (int guard = 0; guard < 100000 && (t = fl_next(l, until)); guard++) {
        if (t->due > l->now)
            l->now = t->due;
        t->active = false;
        t->fn(t->arg, t->id);
    }
    l->now = until;
}

size_t fake_loop_pending(const fake_loop *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->t[i].active;
    return n;
}

static int ft_request(void *ctx, const char *method, const void *data, size_t len,
                      int timeout_ms, sk_bus_reply_fn fn, void *arg, uint64_t *id)
{
    fake_transport *t = ctx;
    (void)timeout_ms;
    if (t->fail_next) {
        int rc = t->fail_next;
        t->fail_next = 0;
        return rc;
    }
    if (t->n >= FAKE_MAX)
        return SK_EFULL;
    fake_req *r = &t->r[t->n];
    memset(r, 0, sizeof(*r));
    strncpy(r->method, method, sizeof r->method - 1);
    r->data = malloc(len ? len : 1);
    memcpy(r->data, data, len);
    r->len = len;
    r->fn = fn;
    r->arg = arg;
    r->id = ++t->n;
    r->open = true;
    if (id)
        *id = r->id;
    return 0;
}

static int ft_cancel(void *ctx, uint64_t id)
{
    fake_transport *t = ctx;
    if (id == 0 || id > t->n || !t->r[id - 1].open)
        return SK_ENOTFOUND;
    t->r[id - 1].open = false;
    t->r[id - 1].canceled = true;
    return 0;
}

void fake_transport_init(fake_transport *t)
{
    memset(t, 0, sizeof(*t));
}

void fake_transport_free(fake_transport *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->r[i].data);
    t->n = 0;
}

sk_api_transport fake_transport_api(fake_transport *t)
{
    return (sk_api_transport){.ctx = t, .request = ft_request, .cancel = ft_cancel};
}

fake_req *fake_last(fake_transport *t, const char *method)
{
    for (size_t i = t->n; i-- > 0;)
        if (t->r[i].open && strcmp(t->r[i].method, method) == 0)
            return &t->r[i];
    return NULL;
}

size_t fake_count(const fake_transport *t, const char *method)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += strcmp(t->r[i].method, method) == 0;
    return n;
}

static void deliver(fake_req *r, int status, const char *json)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    if (json)
        (void)tjson(&b, json);
    r->fn(r->arg, status, status < 0 ? "fake error" : "", b.data, b.len);
    sk_mp_buf_free(&b);
}

void fake_reply(fake_req *r, int status, const char *json)
{
    if (!r || !r->open)
        return;
    r->open = false;
    deliver(r, status, json);
}

void fake_part(fake_req *r, const char *json)
{
    if (r && r->open)
        deliver(r, SK_BUS_MORE, json);
}

static void put_json(sk_mp_buf *b, const json_t *j)
{
    const char *k;
    json_t *v;
    size_t i;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        sk_mp_put_map(b, (uint32_t)json_object_size(j));
        json_object_foreach((json_t *)j, k, v) {
            sk_mp_put_str(b, k);
            put_json(b, v);
        }
        break;
    case JSON_ARRAY:
        sk_mp_put_array(b, (uint32_t)json_array_size(j));
        json_array_foreach(j, i, v) put_json(b, v);
        break;
    case JSON_STRING:
        sk_mp_put_strn(b, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        sk_mp_put_int(b, json_integer_value(j));
        break;
    case JSON_REAL:
        sk_mp_put_double(b, json_real_value(j));
        break;
    case JSON_TRUE:
        sk_mp_put_bool(b, true);
        break;
    case JSON_FALSE:
        sk_mp_put_bool(b, false);
        break;
    default:
        sk_mp_put_nil(b);
    }
}

int tjson(sk_mp_buf *b, const char *json)
{
    json_error_t err;
    json_t *j = json_loads(json, JSON_DECODE_ANY, &err);
    sk_mp_buf_init(b);
    if (!j)
        return -1;
    put_json(b, j);
    json_decref(j);
    return b->err ? -1 : 0;
}

static uint8_t *kept[4096];
static size_t nkept;

sk_mp_view tj(const char *json)
{
    sk_mp_buf b;
    if (tjson(&b, json) || nkept >= 4096)
        return (sk_mp_view){NULL, 0};
    kept[nkept++] = b.data;
    return (sk_mp_view){b.data, b.len};
}

void tjson_reset(void)
{
    for (size_t i = 0; i < nkept; i++)
        free(kept[i]);
    nkept = 0;
}
