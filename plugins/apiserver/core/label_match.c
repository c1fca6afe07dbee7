/* Label selectors: matching labels held as msgpack or JSON. */
#include <string.h>

#include "label_selector.h"

/* One requirement against a label that is present (value) or not (NULL). */
static bool req_matches(const sk_ls_req *r, const char *value, size_t n)
{
    bool in_set = false;
    if (value)
        for (size_t i = 0; i < r->nvalues && !in_set; i++)
            in_set = strlen(r->values[i]) == n && memcmp(r->values[i], value, n) == 0;
    switch (r->op) {
    case SK_LS_EQ:
    case SK_LS_IN: return value && in_set;
    case SK_LS_NEQ:
    case SK_LS_NOTIN: return !value || !in_set;
    case SK_LS_EXISTS: return value != NULL;
    case SK_LS_NOT_EXISTS: return value == NULL;
    }
    return false;
}

static bool mp_label(sk_mp_view labels, const char *key, const char **v, size_t *vn)
{
    sk_mp_iter it;
    sk_mp_view k, val;
    size_t kn = strlen(key);
    if (!labels.p || !labels.len || sk_mp_type_of(labels) != SK_MP_MAP ||
        sk_mp_iter_init(labels, &it, NULL))
        return false;
    while (sk_mp_iter_next(&it, &k, &val) == 1) {
        const char *ks;
        size_t kl;
        if (sk_mp_get_str(k, &ks, &kl) == 0 && kl == kn && memcmp(ks, key, kn) == 0)
            return sk_mp_get_str(val, v, vn) == 0;
    }
    return false;
}

bool sk_label_selector_matches_mp(const sk_label_selector *s, sk_mp_view labels)
{
    if (s->match_nothing)
        return false;
    for (size_t i = 0; i < s->n; i++) {
        const char *v = NULL;
        size_t vn = 0;
        if (!mp_label(labels, s->reqs[i].key, &v, &vn))
            v = NULL;
        if (!req_matches(&s->reqs[i], v, vn))
            return false;
    }
    return true;
}

bool sk_label_selector_matches_object_mp(const sk_label_selector *s, sk_mp_view obj)
{
    sk_mp_view labels = {NULL, 0};
    if (sk_mp_find(obj, "metadata.labels", &labels))
        labels.p = NULL;
    return sk_label_selector_matches_mp(s, labels);
}

bool sk_label_selector_matches_json(const sk_label_selector *s, const json_t *labels)
{
    if (s->match_nothing)
        return false;
    for (size_t i = 0; i < s->n; i++) {
        json_t *v = json_object_get(labels, s->reqs[i].key);
        const char *str = json_string_value(v);
        if (!req_matches(&s->reqs[i], str, str ? json_string_length(v) : 0))
            return false;
    }
    return true;
}
