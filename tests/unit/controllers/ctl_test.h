/* Helpers for the controllers' suites: find actions, read their requests. */
#ifndef SK_TEST_CTL_H
#define SK_TEST_CTL_H

#include <string.h>

#include "fake.h"
#include "reconcile.h"
#include "test_main.h"

static inline size_t act_count(const ctl_actions *a, const char *prefix)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        n += strncmp(a->v[i].desc, prefix, strlen(prefix)) == 0;
    return n;
}

static inline const ctl_action *act_find(const ctl_actions *a, const char *prefix, size_t nth)
{
    for (size_t i = 0; i < a->n; i++)
        if (strncmp(a->v[i].desc, prefix, strlen(prefix)) == 0 && nth-- == 0)
            return &a->v[i];
    return NULL;
}

static inline sk_mp_view act_req(const ctl_action *x)
{
    sk_mp_view v = {NULL, 0};
    if (x && sk_mp_check(x->req, x->len, SK_MP_MAX_DEPTH, &v))
        v.p = NULL;
    return v;
}

static inline int64_t act_int(const ctl_action *x, const char *path)
{
    return ctl_int(act_req(x), path, -999);
}

static inline const char *act_str(const ctl_action *x, const char *path, char *buf, size_t n)
{
    return ctl_str(act_req(x), path, buf, n);
}

static inline void act_dump(const ctl_actions *a)
{
    for (size_t i = 0; i < a->n; i++)
        fprintf(stderr, "  action: %s\n", a->v[i].desc);
}

#endif
