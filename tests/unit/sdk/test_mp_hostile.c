/* Hostile input to sk_mp_check: every case is rejected, quickly, without
 * a single allocation. */
#include <stdlib.h>
#include <string.h>

#include "alloc_hook.h"
#include "skiff/errors.h"
#include "skiff/mp.h"
#include "test_main.h"

static void reject(const void *p, size_t len, int depth)
{
    sk_mp_view v = {(const uint8_t *)"keep", 4};
    size_t used = 77;
    sk_test_allocs = 0;
    CU_ASSERT_EQUAL(sk_mp_check(p, len, depth, &v), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_check_prefix(p, len, depth, &v, &used), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_test_allocs, 0);
    CU_ASSERT_EQUAL(v.len, 4); /* outputs untouched on failure */
    CU_ASSERT_EQUAL(used, 77);
}

static void test_huge_counts(void)
{
    reject("\xdd\xff\xff\xff\xff", 5, SK_MP_MAX_DEPTH);             /* array32 */
    reject("\xdf\xff\xff\xff\xff", 5, SK_MP_MAX_DEPTH);             /* map32 */
    reject("\xdc\xff\xff", 3, SK_MP_MAX_DEPTH);                     /* array16 */
    reject("\xdb\xff\xff\xff\xff", 5, SK_MP_MAX_DEPTH);             /* str32 */
    reject("\xc6\xff\xff\xff\xff", 5, SK_MP_MAX_DEPTH);             /* bin32 */
    reject("\xc9\xff\xff\xff\xff\x01", 6, SK_MP_MAX_DEPTH);         /* ext32 */
    /* Nested claims that each look small but add up past the input. */
    reject("\x92\x92\x92\x92\x01", 5, SK_MP_MAX_DEPTH);
    reject("\x91\xdd\x00\x00\x00\x02\x01", 7, SK_MP_MAX_DEPTH);
    /* A map needs two objects per entry. */
    reject("\x83\x01\x02\x03\x04", 5, SK_MP_MAX_DEPTH);
}

static void test_truncated(void)
{
    reject("\xa5hell", 5, SK_MP_MAX_DEPTH);
    reject("\xd9\x05hell", 6, SK_MP_MAX_DEPTH);
    reject("\xd9", 1, SK_MP_MAX_DEPTH);
    reject("\xda\x00", 2, SK_MP_MAX_DEPTH);
    reject("\xcf\x00\x00", 3, SK_MP_MAX_DEPTH);
    reject("\xcb\x00", 2, SK_MP_MAX_DEPTH);
    reject("\xd3", 1, SK_MP_MAX_DEPTH);
    reject("\xd8\x01\x00", 3, SK_MP_MAX_DEPTH);
    reject("\xc7\x02", 2, SK_MP_MAX_DEPTH);
    reject("\x82\xa1" "a", 3, SK_MP_MAX_DEPTH);
}

static void test_every_prefix(void)
{
    /* Every strict prefix of a valid message is refused; the whole passes. */
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 3);
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "name");
    sk_mp_put_str(&b, "web-0123456789-abcdefghijklmnopqrstuvwxyz");
    sk_mp_put_str(&b, "n");
    sk_mp_put_int(&b, INT64_MIN);
    sk_mp_put_str(&b, "f");
    sk_mp_put_array(&b, 3);
    sk_mp_put_double(&b, 1.0);
    sk_mp_put_bin(&b, "\x00\x01", 2);
    sk_mp_put_uint(&b, 70000);
    CU_ASSERT_EQUAL_FATAL(b.err, 0);
    for (size_t n = 0; n < b.len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */
        CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
        memcpy(copy, b.data, n);
        reject(copy, n, SK_MP_MAX_DEPTH);
        free(copy);
    }
    CU_ASSERT_EQUAL(sk_mp_check(b.data, b.len, SK_MP_MAX_DEPTH, NULL), 0);
    sk_mp_buf_free(&b);
}

static uint8_t *nested_arrays(size_t depth)
{
    /* depth x fixarray(1), then nil */
    uint8_t *p = malloc(depth + 1);
    if (!p)
        return NULL;
    memset(p, 0x91, depth);
    p[depth] = 0xc0;
    return p;
}

static void test_depth(void)
{
    uint8_t *deep = nested_arrays(1000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
    reject(deep, 1001, SK_MP_MAX_DEPTH);
    reject(deep, 1001, 999);
    sk_test_allocs = 0;
    CU_ASSERT_EQUAL(sk_mp_check(deep, 1001, 1000, NULL), 0);
    CU_ASSERT_EQUAL(sk_test_allocs, 0);
    free(deep);

    uint8_t *d64 = nested_arrays(SK_MP_MAX_DEPTH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d64);
    CU_ASSERT_EQUAL(sk_mp_check(d64, SK_MP_MAX_DEPTH + 1, SK_MP_MAX_DEPTH, NULL), 0);
    reject(d64, SK_MP_MAX_DEPTH + 1, SK_MP_MAX_DEPTH - 1);
    free(d64);

    uint8_t *huge = nested_arrays(2000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
    /* Beyond the decoder's own cap (1024) a larger max_depth does not help. */
    reject(huge, 2001, 1 << 30);
    free(huge);
}

static void test_depth_zero(void)
{
    /* max_depth 0 admits scalars only; a negative one is taken as 0. */
    CU_ASSERT_EQUAL(sk_mp_check("\x01", 1, 0, NULL), 0);
    CU_ASSERT_EQUAL(sk_mp_check("\xa1z", 2, -5, NULL), 0);
    reject("\x90", 1, 0);
    reject("\x80", 1, -1);
    CU_ASSERT_EQUAL(sk_mp_check("\x90", 1, 1, NULL), 0);
    /* An empty container still counts as a level. */
    reject("\x91\x90", 2, 1);
    CU_ASSERT_EQUAL(sk_mp_check("\x91\x90", 2, 2, NULL), 0);
}

static void test_reserved_and_empty(void)
{
    reject("\xc1", 1, SK_MP_MAX_DEPTH);
    reject("\x91\xc1", 2, SK_MP_MAX_DEPTH);
    reject("", 0, SK_MP_MAX_DEPTH);
    reject(NULL, 0, SK_MP_MAX_DEPTH);
    reject(NULL, 10, SK_MP_MAX_DEPTH);
}

static void test_trailing(void)
{
    sk_mp_view v;
    size_t used = 0;
    /* sk_mp_check wants exactly one object; the prefix variant allows more. */
    CU_ASSERT_EQUAL(sk_mp_check("\x01\x02", 2, SK_MP_MAX_DEPTH, &v), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_check_prefix("\x01\x02", 2, SK_MP_MAX_DEPTH, &v, &used), 0);
    CU_ASSERT_EQUAL(used, 1);
    CU_ASSERT_EQUAL(v.len, 1);
    CU_ASSERT_EQUAL(sk_mp_check_prefix("\x92\x01\x02\xff", 4, SK_MP_MAX_DEPTH, &v, &used), 0);
    CU_ASSERT_EQUAL(used, 3);
    CU_ASSERT_EQUAL(sk_mp_check_prefix("\x01", 1, SK_MP_MAX_DEPTH, NULL, NULL), 0);
}

static void test_long_flat_is_linear(void)
{
    /* 1 MiB of nils in one array32: accepted, no allocation. */
    size_t n = 1 << 20;
    uint8_t *p = malloc(n + 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p, "\xdd\x00\x10\x00\x00", 5);
    memset(p + 5, 0xc0, n);
    sk_test_allocs = 0;
    CU_ASSERT_EQUAL(sk_mp_check(p, n + 5, SK_MP_MAX_DEPTH, NULL), 0);
    CU_ASSERT_EQUAL(sk_test_allocs, 0);
    reject(p, n + 4, SK_MP_MAX_DEPTH);
    free(p);
}

SK_TEST_MAIN("sdk-mp-hostile", SK_TEST(test_huge_counts), SK_TEST(test_truncated),
             SK_TEST(test_every_prefix), SK_TEST(test_depth), SK_TEST(test_depth_zero),
             SK_TEST(test_reserved_and_empty), SK_TEST(test_trailing),
             SK_TEST(test_long_flat_is_linear))
