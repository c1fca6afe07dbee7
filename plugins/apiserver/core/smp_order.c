#include "smp_order.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdlib.h>

#include "jutil.h"

static const json_t *id_of(const json_t *e, const char *key)
{
    if (!key)
        return e;
    /* order entries are {key: value} objects for keyed lists */
    return json_object_get(e, key);
}

static long index_in(const json_t *list, const json_t *id, const char *key)
{
    for (size_t i = 0; id && i < json_array_size(list); i++) {
        const json_t *other = id_of(json_array_get(list, i), key);
        if (other && sk_jequal(other, id))
            return (long)i;
    }
    return -1;
}

typedef struct ranked {
    json_t *elem;
    long order_pos; /* position in $setElementOrder, or LONG_MAX */
    long seq;       /* position in the merged list, for a stable sort */
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->order_pos != y->order_pos)
        return x->order_pos < y->order_pos ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int sk_smp_reorder(json_t *arr, const json_t *before, const json_t *plist, const json_t *order,
                   const char *key)
{
    size_t n = json_array_size(arr), nl = 0, nr = 0;
    ranked *left = calloc(n + 1, sizeof *left);
    json_t **right = calloc(n + 1, sizeof *right);
    json_t *out = json_array();
    int rc = left && right && out ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *e = json_array_get(arr, i);
        const json_t *id = id_of(e, key);
        long pos = index_in(order, id, key);
        if (pos >= 0 || index_in(plist, id, key) >= 0)
            left[nl++] = (ranked){e, pos >= 0 ? pos : LONG_MAX, (long)i};
        else
            right[nr++] = e;
    }
    if (rc == 0)
        qsort(left, nl, sizeof *left, cmp_ranked);
    /* merge: a patch-ordered element goes first only when both it and the
     * next server-only element were in the server list, in that order */
    for (size_t i = 0, j = 0; rc == 0 && (i < nl || j < nr);) {
        bool take_left = j >= nr;
        if (i < nl && j < nr) {
            long li = index_in(before, id_of(left[i].elem, key), key);
            long ri = index_in(before, id_of(right[j], key), key);
            take_left = li >= 0 && ri >= 0 && li < ri;
        }
        json_t *e = take_left ? left[i++].elem : right[j++];
        if (json_array_append(out, e))
            rc = -ENOMEM;
    }
    if (rc == 0) {
        json_array_clear(arr);
        json_array_extend(arr, out);
    }
    json_decref(out);
    free(left);
    free(right);
    return rc;
}
