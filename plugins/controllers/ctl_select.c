/* Label selectors over msgpack label maps (the apiserver core has its own
 * parser for the text form; controllers only see the structured form). */
#include <string.h>

#include "ctl.h"

static bool label_value(sk_mp_view labels, sk_mp_view key, sk_mp_view *val)
{
    sk_mp_iter it;
    sk_mp_view k, v;
    if (!labels.p || sk_mp_type_of(labels) != SK_MP_MAP || sk_mp_iter_init(labels, &it, NULL))
        return false;
    while (sk_mp_iter_next(&it, &k, &v) == 1) {
        if (k.len == key.len && memcmp(k.p, key.p, k.len) == 0) {
            *val = v;
            return true;
        }
    }
    return false;
}

bool ctl_map_selector_matches(sk_mp_view sel, sk_mp_view labels)
{
    sk_mp_iter it;
    sk_mp_view k, v, have;
    if (!sel.p || sk_mp_type_of(sel) != SK_MP_MAP || sk_mp_iter_init(sel, &it, NULL))
        return false;
    while (sk_mp_iter_next(&it, &k, &v) == 1)
        if (!label_value(labels, k, &have) || !ctl_mp_equal(have, v))
            return false;
    return true;
}

static bool in_values(sk_mp_view values, sk_mp_view v)
{
    sk_mp_iter it;
    sk_mp_view x;
    if (!values.p || sk_mp_iter_init(values, &it, NULL))
        return false;
    while (sk_mp_iter_next(&it, NULL, &x) == 1)
        if (ctl_mp_equal(x, v))
            return true;
    return false;
}

/* One matchExpressions requirement; unknown operators match nothing. */
static bool expr_matches(sk_mp_view e, sk_mp_view labels)
{
    sk_mp_view key = ctl_get(e, "key"), op = ctl_get(e, "operator"), vals = ctl_get(e, "values");
    sk_mp_view have;
    if (!key.p || !op.p)
        return false;
    bool present = label_value(labels, key, &have);
    if (ctl_eq(op, "In"))
        return present && in_values(vals, have);
    if (ctl_eq(op, "NotIn"))
        return !present || !in_values(vals, have);
    if (ctl_eq(op, "Exists"))
        return present;
    if (ctl_eq(op, "DoesNotExist"))
        return !present;
    return false;
}

bool ctl_selector_matches(sk_mp_view selector, sk_mp_view labels)
{
    if (!selector.p || sk_mp_type_of(selector) != SK_MP_MAP)
        return false;
    sk_mp_view ml = ctl_get(selector, "matchLabels"), me = ctl_get(selector, "matchExpressions");
    if (ml.p && sk_mp_type_of(ml) == SK_MP_MAP && !ctl_map_selector_matches(ml, labels))
        return false;
    sk_mp_iter it;
    sk_mp_view e;
    if (me.p && sk_mp_type_of(me) == SK_MP_ARRAY && sk_mp_iter_init(me, &it, NULL) == 0)
        while (sk_mp_iter_next(&it, NULL, &e) == 1)
            if (!expr_matches(e, labels))
                return false;
    return true;
}
