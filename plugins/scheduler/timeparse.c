#include "timeparse.h"

#include <stdbool.h>

#include "skiff/errors.h"

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int parse_offset(const char *s, size_t n, int64_t *off_ms)
{
    int hh, mm;
    if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *off_ms = 0;
        return 0;
    }
    if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !digits(s + 1, 2, &hh) ||
        !digits(s + 4, 2, &mm) || hh > 23 || mm > 59)
        return SK_EBADMSG;
    *off_ms = (int64_t)(hh * 60 + mm) * 60000 * (s[0] == '-' ? -1 : 1);
    return 0;
}

int sk_rfc3339_ms(const char *s, size_t len, int64_t *out_ms)
{
    int y, mo, d, h, mi, se, ms = 0;
    if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return SK_EBADMSG;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
        return SK_EBADMSG;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return SK_EBADMSG;
    size_t i = 19;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (i - start < 3)
                ms = ms * 10 + (s[i] - '0');
        if (i == start)
            return SK_EBADMSG;
        for (size_t k = i - start; k < 3; k++)
            ms *= 10;
    }
    int64_t off;
    if (parse_offset(s + i, len - i, &off))
        return SK_EBADMSG;
    int64_t days = days_from_civil(y, mo, d);
    *out_ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)se * 1000 + ms - off;
    return 0;
}
