/* Host logging: "LEVEL 2026-11-25T12:00:00.123Z [who] message" to stderr. */
#ifndef SKIFF_HOST_LOG_H
#define SKIFF_HOST_LOG_H

#include "skiff/log.h"

void sk_log_set_level(sk_log_level lvl);
sk_log_level sk_log_get_level(void);
/* "error|warn|info|debug|trace" -> 0, or -EINVAL */
int sk_log_parse_level(const char *s, sk_log_level *out);
/* who: component or plugin name. */
__attribute__((format(printf, 3, 4))) void sk_hlog(const char *who, sk_log_level lvl,
                                                   const char *fmt, ...);

/* The sk_log_api handed to plugins; its ctx is the plugin's name (a string
 * that outlives the plugin instance). */
extern const sk_log_api sk_log_api_impl;

#endif
