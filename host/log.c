/* Host logging. Each line is formatted into one buffer and written with a
 * single write() so lines from concurrent plugin threads never interleave
 * (stderr is unbuffered but stdio may still split a line into several
 * writes). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Longest line written; longer messages are cut and end with "...". */
#define LOG_LINE_MAX 4096

static atomic_int g_level = SK_LOG_INFO;

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG", "TRACE"};

void sk_log_set_level(sk_log_level lvl)
{
    if (lvl < SK_LOG_ERROR)
        lvl = SK_LOG_ERROR;
    if (lvl > SK_LOG_TRACE)
        lvl = SK_LOG_TRACE;
    atomic_store_explicit(&g_level, (int)lvl, memory_order_relaxed);
}

sk_log_level sk_log_get_level(void)
{
    return (sk_log_level)atomic_load_explicit(&g_level, memory_order_relaxed);
}

int sk_log_parse_level(const char *s, sk_log_level *out)
{
    static const char *const lower[] = {"error", "warn", "info", "debug", "trace"};
    if (!s || !out)
        return -EINVAL;
    for (int i = 0; i < 5; i++) {
        if (strcasecmp(s, lower[i]) == 0) {
            *out = (sk_log_level)i;
            return 0;
        }
    }
    if (strcasecmp(s, "warning") == 0) {
        *out = SK_LOG_WARN;
        return 0;
    }
    return -EINVAL;
}

static int level_enabled(sk_log_level lvl)
{
    return (int)lvl <= atomic_load_explicit(&g_level, memory_order_relaxed);
}

/* "2026-11-25T12:00:00.123Z" into buf (at least 32 bytes). */
static size_t format_time(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || !gmtime_r(&ts.tv_sec, &tm))
        return (size_t)snprintf(buf, size, "0000-00-00T00:00:00.000Z");
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    int m = snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000L);
    return n + (m > 0 ? (size_t)m : 0);
}

static void write_all(const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* nowhere left to report a failing stderr */
        }
        p += w;
        len -= (size_t)w;
    }
}

/* Control characters would let a message forge extra log lines. */
static void sanitize(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
            s[i] = ' ';
    }
}

static void vlog(const char *who, sk_log_level lvl, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    if (lvl < SK_LOG_ERROR || lvl > SK_LOG_TRACE)
        lvl = SK_LOG_ERROR;
    char ts[40];
    format_time(ts, sizeof ts);
    int head = snprintf(line, sizeof line, "%s %s [%s] ", level_names[lvl], ts,
                        who ? who : "?");
    if (head < 0 || (size_t)head >= sizeof line - 8)
        head = 0;
    size_t room = sizeof line - (size_t)head - 1; /* keep space for '\n' */
    int m = vsnprintf(line + head, room, fmt ? fmt : "", ap);
    size_t body = m < 0 ? 0 : (size_t)m;
    if (body >= room) {
        body = room - 1;
        memcpy(line + head + body - 3, "...", 3);
    }
    sanitize(line + head, body);
    size_t len = (size_t)head + body;
    line[len++] = '\n';
    write_all(line, len);
}

void sk_hlog(const char *who, sk_log_level lvl, const char *fmt, ...)
{
    if (!level_enabled(lvl))
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(who, lvl, fmt, ap);
    va_end(ap);
}

static void api_logv(void *ctx, sk_log_level lvl, const char *fmt, va_list ap)
{
    if (!level_enabled(lvl))
        return;
    vlog((const char *)ctx, lvl, fmt, ap);
}

static int api_enabled(void *ctx, sk_log_level lvl)
{
    (void)ctx;
    return level_enabled(lvl);
}

const sk_log_api sk_log_api_impl = {
    .size = sizeof(sk_log_api),
    .logv = api_logv,
    .enabled = api_enabled,
};
