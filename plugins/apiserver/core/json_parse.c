/* Request bodies: bounded JSON parsing. */
#include <errno.h>

#include <skiff/errors.h>

#include "json_mp.h"

int sk_json_depth(const json_t *j, int cap)
{
    int max = 0;
    if (cap <= 0 || !(json_is_object(j) || json_is_array(j)))
        return 0;
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            int d = sk_json_depth(v, cap - 1);
            if (d > max)
                max = d;
            if (max >= cap - 1)
                break;
        }
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            int d = sk_json_depth(v, cap - 1);
            if (d > max)
                max = d;
            if (max >= cap - 1)
                break;
        }
    }
    return max + 1;
}

int sk_json_parse(const char *text, size_t len, const sk_conv_limits *lim, json_t **out,
                  sk_apierr *err)
{
    json_error_t jerr;
    if (!lim)
        lim = &sk_conv_default_limits;
    if (!text || !out)
        return sk_apierr_set(err, -EINVAL, "json_parse: NULL argument");
    *out = NULL;
    if (len > lim->max_bytes)
        return sk_apierr_set(err, SK_ETOOLARGE, "body of %zu bytes exceeds the limit of %zu",
                             len, lim->max_bytes);
    /* jansson's own recursion stops at JSON_PARSER_MAX_DEPTH (2048), so the
     * parse is safe; our tighter limit is applied to the result. */
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j)
        return sk_apierr_set(err, SK_EBADMSG, "invalid JSON at line %d, column %d: %s",
                             jerr.line, jerr.column, jerr.text);
    if (sk_json_depth(j, lim->max_depth + 1) > lim->max_depth) {
        json_decref(j);
        return sk_apierr_set(err, SK_ETOOLARGE, "JSON nested deeper than %d levels",
                             lim->max_depth);
    }
    *out = j;
    return 0;
}
