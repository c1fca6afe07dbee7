#include "query_params.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

int sk_parse_bool(const char *name, const char *s, bool *out, sk_apierr *err)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; s && i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return sk_apierr_set(err, SK_EBADMSG, "%s: invalid boolean \"%s\"", name, s ? s : "");
}

int sk_parse_int(const char *name, const char *s, int64_t min, int64_t max, int64_t *out,
                 sk_apierr *err)
{
    char *end;
    if (!s || !*s || ((*s < '0' || *s > '9') && *s != '-'))
        return sk_apierr_set(err, SK_EBADMSG, "%s: invalid integer \"%s\"", name, s ? s : "");
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return sk_apierr_set(err, SK_EBADMSG, "%s: invalid integer \"%s\"", name, s);
    if (v < min || v > max)
        return sk_apierr_set(err, SK_EBADMSG, "%s: %lld is out of range [%lld, %lld]", name, v,
                             (long long)min, (long long)max);
    *out = v;
    return 0;
}
