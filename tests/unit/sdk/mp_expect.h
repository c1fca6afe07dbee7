/* Assertions the msgpack suites share. */
#ifndef SK_TEST_MP_EXPECT_H
#define SK_TEST_MP_EXPECT_H

#include <CUnit/CUnit.h>

#include "skiff/mp.h"

/* The value at path below v is the integer want. */
static inline void expect_int_at(sk_mp_view v, const char *path, int64_t want)
{
    sk_mp_view x = {0};
    int64_t n = 0;
    CU_ASSERT_EQUAL(sk_mp_find(v, path, &x), 0);
    CU_ASSERT_EQUAL(sk_mp_get_int(x, &n), 0);
    CU_ASSERT_EQUAL(n, want);
}

#endif
