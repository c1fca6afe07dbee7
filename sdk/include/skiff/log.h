/* skiff SDK — logging through the host.
 * The host prefixes every line with level, time and the plugin's name and
 * writes it to stderr; lines below the configured level cost one compare. */
#ifndef SKIFF_LOG_H
#define SKIFF_LOG_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sk_log_level {
    SK_LOG_ERROR = 0,
    SK_LOG_WARN = 1,
    SK_LOG_INFO = 2,
    SK_LOG_DEBUG = 3,
    SK_LOG_TRACE = 4
} sk_log_level;

typedef struct sk_log_api {
    unsigned size; /* sizeof(sk_log_api) as the host built it */
    /* Any thread. fmt/ap are only read during the call. */
    void (*logv)(void *ctx, sk_log_level level, const char *fmt, va_list ap);
    /* Whether a line at this level would be printed. Any thread. */
    int (*enabled)(void *ctx, sk_log_level level);
} sk_log_api;

#ifdef __cplusplus
}
#endif
#endif
