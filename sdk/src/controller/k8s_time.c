/* metav1.Time / MicroTime text <-> milliseconds since the epoch. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "skiff/errors.h"
#include "skiff/leader.h"

void sk_format_micro_time(int64_t wall_ms, char buf[32])
{
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    if (wall_ms < 0 || !gmtime_r(&t, &tm)) {
        snprintf(buf, 32, "1970-01-01T00:00:00.000000Z");
        return;
    }
    /* strftime bounds the date part, so the compiler can prove the fraction fits. */
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 32 - n, ".%06dZ", (int)(wall_ms % 1000) * 1000);
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int sk_parse_time(const char *s, size_t len, int64_t *wall_ms)
{
    int Y, M, D, h, m, sec, frac_ms = 0;
    if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':' || digits(s, 4, &Y) || digits(s + 5, 2, &M) ||
        digits(s + 8, 2, &D) || digits(s + 11, 2, &h) || digits(s + 14, 2, &m) ||
        digits(s + 17, 2, &sec) || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 ||
        sec > 60)
        return SK_EBADMSG;
    size_t i = 19;
    if (i < len && s[i] == '.') {
        int scale = 100;
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
            frac_ms += (s[i] - '0') * scale;
    }
    int off_min = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh, om;
        if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om))
            return SK_EBADMSG;
        off_min = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
        i += 6;
    } else {
        return SK_EBADMSG;
    }
    if (i != len)
        return SK_EBADMSG;
    struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D,
                    .tm_hour = h, .tm_min = m, .tm_sec = sec};
    time_t t = timegm(&tm);
    *wall_ms = ((int64_t)t - off_min * 60) * 1000 + frac_ms;
    return 0;
}
