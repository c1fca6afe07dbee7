/* apiserver core — Kubernetes timestamps (RFC 3339, UTC) and the
 * human-readable ages kubectl prints ("5m", "3d4h"). */
#ifndef SK_K8S_TIME_H
#define SK_K8S_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses "2024-05-01T10:00:00Z" (fractions and numeric offsets allowed)
 * into Unix seconds. false when s is not a valid RFC 3339 time. */
bool sk_time_parse(const char *s, int64_t *out);
/* Formats Unix seconds as "2024-05-01T10:00:00Z" into buf (>= 21 bytes). */
void sk_time_format(int64_t t, char *buf, size_t size);
/* kubectl's age text for a duration in seconds ("<invalid>" below -1s). */
void sk_human_duration(int64_t seconds, char *buf, size_t size);
/* The AGE cell: "<unknown>" when ts is NULL or unparseable. */
void sk_age(const char *ts, int64_t now, char *buf, size_t size);

#endif
