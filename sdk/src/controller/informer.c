/* The informer's life cycle: list -> watch -> (rewatch | relist), with
 * backoff on errors. The cache work (diffs, events) is in informer_apply.c. */
#include "informer_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"

static void inf_on_list(void *arg, int status, const char *errmsg, const void *data, size_t len);
static void inf_on_watch(void *arg, int status, const char *errmsg, const void *data, size_t len);

static char *dup_or_null(const char *s, bool *fail)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *fail = true;
    return d;
}

int sk_informer_new(const sk_informer_cfg *cfg, sk_informer **out)
{
    *out = NULL;
    if (!cfg || !cfg->kind.resource || !cfg->transport.request || !cfg->loop ||
        !cfg->loop->timer_add)
        return -EINVAL;
    sk_informer *inf = calloc(1, sizeof(*inf));
    if (!inf)
        return -ENOMEM;
    bool fail = false;
    inf->cfg = *cfg;
    inf->group = dup_or_null(cfg->kind.group ? cfg->kind.group : "", &fail);
    inf->version = dup_or_null(cfg->kind.version ? cfg->kind.version : "v1", &fail);
    inf->resource = dup_or_null(cfg->kind.resource, &fail);
    inf->ns = dup_or_null(cfg->namespace_, &fail);
    inf->lsel = dup_or_null(cfg->label_selector, &fail);
    inf->fsel = dup_or_null(cfg->field_selector, &fail);
    inf->cfg.kind = (sk_api_kind){inf->group, inf->version, inf->resource};
    inf->cfg.namespace_ = inf->ns;
    inf->cfg.label_selector = inf->lsel;
    inf->cfg.field_selector = inf->fsel;
    if (!inf->cfg.list_timeout_ms)
        inf->cfg.list_timeout_ms = 30000;
    if (!inf->cfg.watch_timeout_s)
        inf->cfg.watch_timeout_s = 300;
    if (!inf->cfg.retry_min_ms)
        inf->cfg.retry_min_ms = 250;
    if (!inf->cfg.retry_max_ms)
        inf->cfg.retry_max_ms = 30000;
    if (fail || skc_cache_init(&inf->cache)) {
        inf->cache_ok = !fail;
        sk_informer *p = inf;
        sk_informer_free(&p);
        return -ENOMEM;
    }
    inf->cache_ok = true;
    *out = inf;
    return 0;
}

void sk_informer_free(sk_informer **p)
{
    sk_informer *inf = p ? *p : NULL;
    if (!inf)
        return;
    sk_informer_stop(inf);
    if (inf->cache_ok)
        skc_cache_free(&inf->cache);
    free(inf->group);
    free(inf->version);
    free(inf->resource);
    free(inf->ns);
    free(inf->lsel);
    free(inf->fsel);
    free(inf);
    *p = NULL;
}

int sk_informer_add_handlers(sk_informer *inf, const sk_informer_handlers *h)
{
    if (!inf || !h || inf->running)
        return -EINVAL;
    if (inf->nh >= SKC_INF_MAX_HANDLERS)
        return -ENOSPC;
    inf->h[inf->nh++] = *h;
    return 0;
}

int sk_informer_add_index(sk_informer *inf, const char *name, const char *path)
{
    if (!inf || !name || !path || inf->running)
        return -EINVAL;
    return skc_cache_add_index(&inf->cache, name, path);
}

static void inf_cancel(sk_informer *inf)
{
    if (inf->req_active && inf->cfg.transport.cancel)
        (void)inf->cfg.transport.cancel(inf->cfg.transport.ctx, inf->req_id);
    inf->req_active = false;
    if (inf->timer)
        (void)inf->cfg.loop->timer_cancel(inf->cfg.loop_ctx, inf->timer);
    inf->timer = 0;
}

void sk_informer_stop(sk_informer *inf)
{
    if (!inf)
        return;
    inf->running = false;
    inf_cancel(inf);
}

static void inf_put_selectors(sk_informer *inf, sk_mp_buf *b)
{
    if (inf->lsel) {
        sk_mp_put_str(b, "labelSelector");
        sk_mp_put_str(b, inf->lsel);
    }
    if (inf->fsel) {
        sk_mp_put_str(b, "fieldSelector");
        sk_mp_put_str(b, inf->fsel);
    }
}

static uint32_t nsel(const sk_informer *inf)
{
    return (inf->lsel ? 1 : 0) + (inf->fsel ? 1 : 0);
}

static int inf_send(sk_informer *inf, const char *method, sk_mp_buf *b, int timeout_ms,
                    sk_bus_reply_fn fn)
{
    int rc = b->err;
    if (!rc)
        rc = inf->cfg.transport.request(inf->cfg.transport.ctx, method, b->data, b->len,
                                        timeout_ms, fn, inf, &inf->req_id);
    sk_mp_buf_free(b);
    inf->req_active = rc == 0;
    return rc;
}

static int inf_list(sk_informer *inf)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_api_put_request(&b, &inf->cfg.kind, inf->ns, 1);
    sk_mp_put_str(&b, "options");
    sk_mp_put_map(&b, nsel(inf));
    inf_put_selectors(inf, &b);
    inf->phase = SKC_INF_LISTING;
    return inf_send(inf, "list", &b, (int)inf->cfg.list_timeout_ms, inf_on_list);
}

static int inf_watch(sk_informer *inf)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_api_put_request(&b, &inf->cfg.kind, inf->ns, 1);
    sk_mp_put_str(&b, "options");
    sk_mp_put_map(&b, 3 + nsel(inf));
    sk_mp_put_str(&b, "resourceVersion");
    sk_mp_put_str(&b, inf->rv);
    sk_mp_put_str(&b, "timeoutSeconds");
    sk_mp_put_uint(&b, inf->cfg.watch_timeout_s);
    sk_mp_put_str(&b, "allowWatchBookmarks");
    sk_mp_put_bool(&b, true);
    inf_put_selectors(inf, &b);
    inf->phase = SKC_INF_WATCHING;
    inf->watch_failed = inf->watch_gone = false;
    return inf_send(inf, "watch", &b, 0, inf_on_watch);
}

static void inf_on_timer(void *arg, uint64_t timer_id)
{
    sk_informer *inf = arg;
    (void)timer_id;
    inf->timer = 0;
    if (!inf->running)
        return;
    int rc = inf->next == SKC_INF_WATCHING ? inf_watch(inf) : inf_list(inf);
    if (rc)
        skc_inf_retry(inf, SKC_INF_LISTING, true);
}

void skc_inf_retry(sk_informer *inf, int what, bool backoff)
{
    if (!inf->running)
        return;
    uint64_t delay = 0;
    if (backoff) {
        delay = inf->backoff_ms ? inf->backoff_ms : inf->cfg.retry_min_ms;
        inf->backoff_ms = delay * 2 < inf->cfg.retry_max_ms ? (uint32_t)delay * 2
                                                             : inf->cfg.retry_max_ms;
    }
    if (what == SKC_INF_LISTING && inf->synced)
        inf->relists++;
    inf->next = what;
    inf->phase = SKC_INF_IDLE;
    int64_t id = inf->cfg.loop->timer_add(inf->cfg.loop_ctx, delay, 0, inf_on_timer, inf);
    inf->timer = id > 0 ? (uint64_t)id : 0;
}

int sk_informer_start(sk_informer *inf)
{
    if (!inf)
        return -EINVAL;
    if (inf->running)
        return 0;
    inf->running = true;
    int rc = inf_list(inf);
    if (rc)
        skc_inf_retry(inf, SKC_INF_LISTING, true);
    return rc;
}

static void inf_on_list(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    sk_informer *inf = arg;
    (void)errmsg;
    if (status == SK_BUS_MORE)
        return;
    inf->req_active = false;
    if (!inf->running)
        return;
    if (status != 0 || skc_inf_apply_list(inf, data, len) != 0) {
        skc_inf_retry(inf, SKC_INF_LISTING, true);
        return;
    }
    inf->backoff_ms = 0;
    if (inf_watch(inf))
        skc_inf_retry(inf, SKC_INF_WATCHING, true);
}

static void inf_on_watch(void *arg, int status, const char *errmsg, const void *data, size_t len)
{
    sk_informer *inf = arg;
    (void)errmsg;
    if (status == SK_BUS_MORE) {
        int rc = inf->running ? skc_inf_apply_event(inf, data, len) : 0;
        /* The stream has a hole: relist at its end (at once after a 410,
         * which is routine; after backoff for anything else). */
        if (rc == SK_ECOMPACTED)
            inf->watch_gone = true;
        else if (rc)
            inf->watch_failed = true;
        return;
    }
    inf->req_active = false;
    if (!inf->running || status == SK_ESTOPPED)
        return;
    if (inf->watch_gone || status == SK_ECOMPACTED || status == SK_EFULL)
        skc_inf_retry(inf, SKC_INF_LISTING, false);
    else if (inf->watch_failed)
        skc_inf_retry(inf, SKC_INF_LISTING, true);
    else if (status == 0)
        skc_inf_retry(inf, SKC_INF_WATCHING, false);
    else
        skc_inf_retry(inf, SKC_INF_WATCHING, true);
}

bool sk_informer_synced(const sk_informer *inf)
{
    return inf && inf->synced;
}

const char *sk_informer_rv(const sk_informer *inf)
{
    return inf ? inf->rv : "";
}

size_t sk_informer_len(const sk_informer *inf)
{
    return inf ? inf->cache.objs.len : 0;
}

uint64_t sk_informer_relists(const sk_informer *inf)
{
    return inf ? inf->relists : 0;
}
