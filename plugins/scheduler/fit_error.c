#include "fit_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sk_fit_error_init(sk_fit_error *fe, uint32_t nall)
{
    sk_strmap_init(&fe->counts);
    fe->nall = nall;
    fe->err = 0;
}

void sk_fit_error_free(sk_fit_error *fe)
{
    sk_strmap_free(&fe->counts);
}

void sk_fit_error_add(sk_fit_error *fe, const char *reason, uint32_t count)
{
    uintptr_t have = (uintptr_t)sk_strmap_get(&fe->counts, reason);
    int rc = sk_strmap_put(&fe->counts, reason, (void *)(have + count), NULL);
    if (rc && !fe->err)
        fe->err = rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends to a growing malloc'd string; on ENOMEM *s becomes NULL. */
static void append(char **s, size_t *len, const char *add)
{
    if (!*s)
        return;
    size_t n = strlen(add);
    char *ns = realloc(*s, *len + n + 1);
    if (!ns) {
        free(*s);
        *s = NULL;
        return;
    }
    memcpy(ns + *len, add, n + 1);
    *s = ns;
    *len += n;
}

static void append_histogram(const sk_fit_error *fe, char **msg, size_t *len)
{
    size_t n = fe->counts.len, i = 0, w = 0;
    char **items = calloc(n ? n : 1, sizeof(*items));
    const char *k;
    void *v;
    if (!items) {
        free(*msg);
        *msg = NULL;
        return;
    }
    while (sk_strmap_next(&fe->counts, &i, &k, &v)) {
        size_t sz = strlen(k) + 24;
        if ((items[w] = malloc(sz)))
            snprintf(items[w++], sz, "%lu %s", (unsigned long)(uintptr_t)v, k);
    }
    qsort(items, w, sizeof(*items), cmp_str);
    for (size_t j = 0; j < w; j++) {
        append(msg, len, j ? ", " : " ");
        append(msg, len, items[j]);
        free(items[j]);
    }
    if (w)
        append(msg, len, ".");
    free(items);
}

char *sk_fit_error_format(const sk_fit_error *fe, const char *prefilter_msg,
                          const char *postfilter_msg)
{
    char head[64];
    size_t len = 0;
    if (fe->err)
        return NULL;
    snprintf(head, sizeof(head), "0/%u nodes are available:", fe->nall);
    char *msg = strdup("");
    append(&msg, &len, head);
    if (prefilter_msg && prefilter_msg[0]) {
        append(&msg, &len, " ");
        append(&msg, &len, prefilter_msg);
        append(&msg, &len, ".");
    } else {
        append_histogram(fe, &msg, &len);
    }
    if (postfilter_msg && postfilter_msg[0]) {
        append(&msg, &len, " ");
        append(&msg, &len, postfilter_msg);
    }
    return msg;
}
