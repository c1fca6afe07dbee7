/* The host's metric registry. Registration and rendering take a mutex;
 * updates touch only atomics so plugins may count from any thread without
 * contending. Values are doubles kept as their bit patterns in 64-bit
 * atomics, because C11 has no atomic fetch-add for floating types. */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"

typedef enum { M_COUNTER = 1, M_GAUGE, M_HISTOGRAM } m_type;

struct sk_metric {
    m_type type;
    char *labels;                /* "" when none */
    _Atomic uint64_t value;      /* counter/gauge; histogram: sum */
    _Atomic uint64_t count;      /* histogram only */
    double *bounds;              /* histogram only */
    size_t nbounds;
    _Atomic uint64_t *buckets;   /* nbounds + 1 (the last is +Inf) */
    struct sk_metric *next;      /* in its family, registration order */
};

typedef struct family {
    char *name;
    char *help;
    m_type type;
    sk_metric *first, *last;
    struct family *next;
} family;

struct sk_metrics {
    pthread_mutex_t mu;
    family *first, *last;
};

static double bits_to_double(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint64_t double_to_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static void atomic_add_double(_Atomic uint64_t *a, double v)
{
    uint64_t old = atomic_load_explicit(a, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(a, &old, double_to_bits(bits_to_double(old) + v),
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

int sk_metrics_new(sk_metrics **out)
{
    if (!out)
        return -EINVAL;
    sk_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    int rc = pthread_mutex_init(&m->mu, NULL);
    if (rc) {
        free(m);
        return -rc;
    }
    *out = m;
    return 0;
}

static void metric_free(sk_metric *s)
{
    free(s->labels);
    free(s->bounds);
    free((void *)s->buckets);
    free(s);
}

void sk_metrics_free(sk_metrics **pm)
{
    if (!pm || !*pm)
        return;
    sk_metrics *m = *pm;
    for (family *f = m->first, *fn; f; f = fn) {
        fn = f->next;
        for (sk_metric *s = f->first, *sn; s; s = sn) {
            sn = s->next;
            metric_free(s);
        }
        free(f->name);
        free(f->help);
        free(f);
    }
    pthread_mutex_destroy(&m->mu);
    free(m);
    *pm = NULL;
}

/* Prometheus metric names: [a-zA-Z_:][a-zA-Z0-9_:]*. */
static int valid_name(const char *s)
{
    if (!s || !*s || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':'))
            return 0;
    }
    return 1;
}

/* Labels are pasted into the output as given, so a newline could forge
 * lines of the exposition format. */
static int valid_labels(const char *s)
{
    return !s || !strpbrk(s, "\n\r{}");
}

static family *find_family(sk_metrics *m, const char *name)
{
    for (family *f = m->first; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static family *add_family(sk_metrics *m, const char *name, const char *help, m_type type)
{
    family *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    if (!f->name || !f->help) {
        free(f->name);
        free(f->help);
        free(f);
        return NULL;
    }
    f->type = type;
    if (m->last)
        m->last->next = f;
    else
        m->first = f;
    m->last = f;
    return f;
}

static sk_metric *find_series(family *f, const char *labels)
{
    for (sk_metric *s = f->first; s; s = s->next)
        if (strcmp(s->labels, labels) == 0)
            return s;
    return NULL;
}

static int init_histogram(sk_metric *s, const double *bounds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1])))
            return -EINVAL;
    if (n && isinf(bounds[n - 1]) && bounds[n - 1] > 0)
        n--; /* +Inf is implied */
    s->bounds = n ? malloc(n * sizeof *s->bounds) : NULL;
    s->buckets = calloc(n + 1, sizeof *s->buckets);
    if ((n && !s->bounds) || !s->buckets)
        return -ENOMEM;
    if (n)
        memcpy(s->bounds, bounds, n * sizeof *bounds);
    s->nbounds = n;
    return 0;
}

static sk_metric *new_series(family *f, const char *labels, const double *bounds, size_t n)
{
    sk_metric *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->type = f->type;
    s->labels = strdup(labels);
    if (!s->labels || (f->type == M_HISTOGRAM && init_histogram(s, bounds, n) != 0)) {
        metric_free(s);
        return NULL;
    }
    if (f->last)
        f->last->next = s;
    else
        f->first = s;
    f->last = s;
    return s;
}

/* Same name+labels returns the existing handle; a name already registered
 * with another type is refused (NULL) because Prometheus allows one TYPE per
 * name. */
static sk_metric *do_register(sk_metrics *m, m_type type, const char *name, const char *help,
                              const char *labels, const double *bounds, size_t nbounds)
{
    if (!m || !valid_name(name) || !valid_labels(labels) || (nbounds && !bounds))
        return NULL;
    if (!labels)
        labels = "";
    sk_metric *s = NULL;
    if (pthread_mutex_lock(&m->mu) != 0)
        return NULL;
    family *f = find_family(m, name);
    if (!f)
        f = add_family(m, name, help, type);
    if (f && f->type == type) {
        s = find_series(f, labels);
        if (!s)
            s = new_series(f, labels, bounds, nbounds);
    }
    pthread_mutex_unlock(&m->mu);
    return s;
}

static sk_metric *api_counter(void *ctx, const char *name, const char *help, const char *labels)
{
    return do_register(ctx, M_COUNTER, name, help, labels, NULL, 0);
}

static sk_metric *api_gauge(void *ctx, const char *name, const char *help, const char *labels)
{
    return do_register(ctx, M_GAUGE, name, help, labels, NULL, 0);
}

static sk_metric *api_histogram(void *ctx, const char *name, const char *help,
                                const char *labels, const double *bounds, size_t nbounds)
{
    return do_register(ctx, M_HISTOGRAM, name, help, labels, bounds, nbounds);
}

static void api_add(sk_metric *s, double v)
{
    if (!s || isnan(v))
        return;
    /* A counter only goes up; a negative add would break rate(). */
    if (s->type == M_GAUGE || (s->type == M_COUNTER && v >= 0))
        atomic_add_double(&s->value, v);
}

static void api_set(sk_metric *s, double v)
{
    if (s && s->type == M_GAUGE)
        atomic_store_explicit(&s->value, double_to_bits(v), memory_order_relaxed);
}

static void api_observe(sk_metric *s, double v)
{
    if (!s || s->type != M_HISTOGRAM || isnan(v))
        return;
    size_t i = 0;
    while (i < s->nbounds && v > s->bounds[i])
        i++;
    atomic_fetch_add_explicit(&s->buckets[i], 1, memory_order_relaxed);
    atomic_add_double(&s->value, v);
    atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

/* ---- rendering ---- */

typedef struct outbuf {
    char *p;
    size_t len, cap;
    int err;
} outbuf;

__attribute__((format(printf, 2, 3))) static void out_printf(outbuf *o, const char *fmt, ...)
{
    if (o->err)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->err = -EINVAL;
            return;
        }
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap * 2 + (size_t)n + 1;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->err = -ENOMEM;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
}

/* Shortest text that reads back as the same double, as Prometheus wants. */
static void fmt_double(char *buf, size_t size, double v)
{
    if (isnan(v)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* HELP text escapes backslash and newline (exposition format). */
static void out_help(outbuf *o, const char *help)
{
    for (const char *c = help; *c; c++) {
        if (*c == '\\')
            out_printf(o, "\\\\");
        else if (*c == '\n')
            out_printf(o, "\\n");
        else
            out_printf(o, "%c", *c);
    }
}

static const char *type_name(m_type t)
{
    return t == M_COUNTER ? "counter" : t == M_GAUGE ? "gauge" : "histogram";
}

static void render_scalar(outbuf *o, const family *f, const sk_metric *s)
{
    char v[40];
    fmt_double(v, sizeof v, bits_to_double(atomic_load_explicit(&s->value, memory_order_relaxed)));
    if (*s->labels)
        out_printf(o, "%s{%s} %s\n", f->name, s->labels, v);
    else
        out_printf(o, "%s %s\n", f->name, v);
}

static void render_histogram(outbuf *o, const family *f, const sk_metric *s)
{
    const char *sep = *s->labels ? "," : "";
    uint64_t cum = 0;
    char le[40];
    for (size_t i = 0; i <= s->nbounds; i++) {
        cum += atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
        if (i < s->nbounds)
            fmt_double(le, sizeof le, s->bounds[i]);
        else
            snprintf(le, sizeof le, "+Inf");
        out_printf(o, "%s_bucket{%s%sle=\"%s\"} %llu\n", f->name, s->labels, sep, le,
                   (unsigned long long)cum);
    }
    char sum[40];
    fmt_double(sum, sizeof sum,
               bits_to_double(atomic_load_explicit(&s->value, memory_order_relaxed)));
    /* _count is the +Inf bucket, so the two always agree in one scrape. */
    const char *lb = *s->labels ? "{" : "", *rb = *s->labels ? "}" : "";
    out_printf(o, "%s_sum%s%s%s %s\n", f->name, lb, s->labels, rb, sum);
    out_printf(o, "%s_count%s%s%s %llu\n", f->name, lb, s->labels, rb, (unsigned long long)cum);
}

static int api_render(void *ctx, char **out, size_t *len)
{
    sk_metrics *m = ctx;
    if (!m || !out)
        return -EINVAL;
    outbuf o = {.cap = 1024};
    o.p = malloc(o.cap);
    if (!o.p)
        return -ENOMEM;
    o.p[0] = '\0';
    if (pthread_mutex_lock(&m->mu) != 0) {
        free(o.p);
        return SK_EINTERNAL;
    }
    for (const family *f = m->first; f; f = f->next) {
        out_printf(&o, "# HELP %s ", f->name);
        out_help(&o, f->help);
        out_printf(&o, "\n# TYPE %s %s\n", f->name, type_name(f->type));
        for (const sk_metric *s = f->first; s; s = s->next) {
            if (f->type == M_HISTOGRAM)
                render_histogram(&o, f, s);
            else
                render_scalar(&o, f, s);
        }
    }
    pthread_mutex_unlock(&m->mu);
    if (o.err) {
        free(o.p);
        return o.err;
    }
    *out = o.p;
    if (len)
        *len = o.len;
    return 0;
}

const sk_metrics_api sk_metrics_api_impl = {
    .size = sizeof(sk_metrics_api),
    .counter = api_counter,
    .gauge = api_gauge,
    .histogram = api_histogram,
    .add = api_add,
    .set = api_set,
    .observe = api_observe,
    .render = api_render,
};
