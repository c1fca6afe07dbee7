/* skiff SDK — umbrella header and call wrappers.
 * A plugin includes this, defines an sk_plugin_desc with SK_PLUGIN_DESC_INIT
 * and exports it with SK_PLUGIN_DEFINE. Each wrapper forwards to the table
 * in sk_host and follows that table's ownership and threading rules. */
#ifndef SKIFF_SKIFF_H
#define SKIFF_SKIFF_H

#include "skiff/bus.h"
#include "skiff/config.h"
#include "skiff/errors.h"
#include "skiff/log.h"
#include "skiff/loop.h"
#include "skiff/metrics.h"
#include "skiff/mp.h"
#include "skiff/plugin.h"

#define SK_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

__attribute__((format(printf, 3, 4))) static inline void
sk_log(const sk_host *h, sk_log_level lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    h->log->logv(h->log_ctx, lvl, fmt, ap);
    va_end(ap);
}
#define sk_error(h, ...) sk_log((h), SK_LOG_ERROR, __VA_ARGS__)
#define sk_warn(h, ...) sk_log((h), SK_LOG_WARN, __VA_ARGS__)
#define sk_info(h, ...) sk_log((h), SK_LOG_INFO, __VA_ARGS__)
#define sk_debug(h, ...) sk_log((h), SK_LOG_DEBUG, __VA_ARGS__)

/* config */
static inline const sk_cfg *sk_cfg_get(const sk_host *h, const char *path)
{ return h->cfg->get(h->config, path); }
/* Typed getters with a default for an absent key; SK_ECONFIG (and an error
 * logged with the position) when present but of the wrong type. */
static inline int sk_cfg_int(const sk_host *h, const char *path, int64_t def, int64_t *out)
{
    const sk_cfg *n = sk_cfg_get(h, path);
    *out = def;
    if (!n) return 0;
    int rc = h->cfg->to_int(n, out);
    if (rc) sk_error(h, "%s: %s: expected an integer", h->cfg->where(n), path);
    return rc;
}
static inline int sk_cfg_duration_ms(const sk_host *h, const char *path, int64_t def, int64_t *out)
{
    const sk_cfg *n = sk_cfg_get(h, path);
    *out = def;
    if (!n) return 0;
    int rc = h->cfg->to_duration_ms(n, out);
    if (rc) sk_error(h, "%s: %s: expected a duration (e.g. 500ms, 5s, 2m)", h->cfg->where(n), path);
    return rc;
}
static inline int sk_cfg_bool(const sk_host *h, const char *path, int def, int *out)
{
    const sk_cfg *n = sk_cfg_get(h, path);
    *out = def;
    if (!n) return 0;
    int rc = h->cfg->to_bool(n, out);
    if (rc) sk_error(h, "%s: %s: expected true or false", h->cfg->where(n), path);
    return rc;
}
static inline const char *sk_cfg_str(const sk_host *h, const char *path, const char *def)
{
    const sk_cfg *n = sk_cfg_get(h, path);
    const char *s = n ? h->cfg->str(n) : NULL;
    return s ? s : def;
}

/* bus */
static inline int sk_serve(const sk_host *h, const char *svc, sk_bus_serve_fn fn, void *arg)
{ return h->bus->serve(h->bus_ctx, svc, fn, arg); }
static inline int sk_unserve(const sk_host *h, const char *svc)
{ return h->bus->unserve(h->bus_ctx, svc); }
static inline int sk_reply(const sk_host *h, sk_bus_req *r, const void *d, size_t n)
{ return h->bus->reply(h->bus_ctx, r, d, n); }
static inline int sk_reply_error(const sk_host *h, sk_bus_req *r, int st, const char *msg)
{ return h->bus->reply_error(h->bus_ctx, r, st, msg); }
static inline int sk_stream_part(const sk_host *h, sk_bus_req *r, const void *d, size_t n)
{ return h->bus->stream_part(h->bus_ctx, r, d, n); }
static inline int sk_call(const sk_host *h, const char *svc, const char *method, const void *d,
                          size_t n, int timeout_ms, void **reply, size_t *reply_len,
                          char *err, size_t errlen)
{ return h->bus->call(h->bus_ctx, svc, method, d, n, timeout_ms, reply, reply_len, err, errlen); }
static inline int sk_request(const sk_host *h, const char *svc, const char *method,
                             const void *d, size_t n, int timeout_ms, sk_bus_reply_fn fn,
                             void *arg, uint64_t *id)
{ return h->bus->request(h->bus_ctx, svc, method, d, n, timeout_ms, fn, arg, id); }
static inline int sk_publish(const sk_host *h, const char *topic, const void *d, size_t n)
{ return h->bus->publish(h->bus_ctx, topic, d, n); }
static inline int sk_subscribe(const sk_host *h, const char *prefix, sk_bus_event_fn fn, void *arg)
{ return h->bus->subscribe(h->bus_ctx, prefix, fn, arg); }

/* loop */
static inline int64_t sk_timer_add(const sk_host *h, uint64_t delay_ms, uint64_t period_ms,
                                   sk_timer_fn fn, void *arg)
{ return h->loop->timer_add(h->loop_ctx, delay_ms, period_ms, fn, arg); }
static inline int sk_timer_cancel(const sk_host *h, uint64_t id)
{ return h->loop->timer_cancel(h->loop_ctx, id); }
static inline int sk_fd_add(const sk_host *h, int fd, int ev, sk_fd_fn fn, void *arg)
{ return h->loop->fd_add(h->loop_ctx, fd, ev, fn, arg); }
static inline int sk_fd_remove(const sk_host *h, int fd)
{ return h->loop->fd_remove(h->loop_ctx, fd); }
static inline int sk_post(const sk_host *h, sk_post_fn fn, void *arg)
{ return h->loop->post(h->loop_ctx, fn, arg); }

/* metrics */
static inline sk_metric *sk_counter(const sk_host *h, const char *name, const char *help,
                                    const char *labels)
{ return h->metrics->counter(h->metrics_ctx, name, help, labels); }
static inline sk_metric *sk_gauge(const sk_host *h, const char *name, const char *help,
                                  const char *labels)
{ return h->metrics->gauge(h->metrics_ctx, name, help, labels); }
static inline sk_metric *sk_histogram(const sk_host *h, const char *name, const char *help,
                                      const char *labels, const double *b, size_t nb)
{ return h->metrics->histogram(h->metrics_ctx, name, help, labels, b, nb); }

#ifdef __cplusplus
}
#endif
#endif
