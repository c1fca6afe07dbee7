/* Quantities read exactly as resource.Quantity's Value()/MilliValue(). */
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "skiff/errors.h"
#include "test_main.h"
#include "tjson.h"

static void q_ok(const char *s, int64_t value, int64_t milli)
{
    sk_quantity q = {0};
    int rc = sk_quantity_parse(s, strlen(s), &q);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(q.value, value);
    CU_ASSERT_EQUAL(q.milli, milli);
}

static void q_bad(const char *s)
{
    sk_quantity q;
    CU_ASSERT_EQUAL(sk_quantity_parse(s, strlen(s), &q), SK_EBADMSG);
}

static void test_decimal_si(void)
{
    q_ok("500m", 1, 500);
    q_ok("2", 2, 2000);
    q_ok("0.5", 1, 500);
    q_ok("1.5", 2, 1500);
    q_ok("1k", 1000, 1000000);
    q_ok("1M", 1000000, 1000000000);
    q_ok("1G", 1000000000LL, 1000000000000LL);
    q_ok("1m", 1, 1);
    q_ok("0.0001", 1, 1);   /* both round up */
    q_ok("100u", 1, 1);
    q_ok("5n", 1, 1);
    q_ok("0", 0, 0);
    q_ok("+3", 3, 3000);
    q_ok(".5", 1, 500);
    q_ok("1.", 1, 1000);
}

static void test_binary_si(void)
{
    q_ok("1Ki", 1024, 1024000);
    q_ok("1Mi", 1048576, 1048576000);
    q_ok("1Gi", 1073741824LL, 1073741824000LL);
    q_ok("1.5Gi", 1610612736LL, 1610612736000LL);
    q_ok("128974848", 128974848, 128974848000LL);
    q_ok("129e6", 129000000, 129000000000LL);
    q_ok("123Mi", 128974848, 128974848000LL);
    q_ok("0.1Ki", 103, 102400); /* 102.4 bytes -> 103 */
}

static void test_exponent_and_limits(void)
{
    q_ok("1e3", 1000, 1000000);
    q_ok("1E3", 1000, 1000000);
    q_ok("1e-3", 1, 1);
    q_ok("12e-1", 2, 1200);
    q_ok("8Ei", INT64_MAX, INT64_MAX); /* saturates */
    q_ok("-1", -1, -1000);
    q_ok("-0.5", 0, -500); /* ceil toward +inf */
}

static void test_rejects(void)
{
    q_bad("");
    q_bad("m");
    q_bad("1x");
    q_bad("1Gb");
    q_bad("1 Gi");
    q_bad("1e");
    q_bad("--1");
    q_bad("1.2.3");
    q_bad("1ki");
    q_bad("1234567890123456789012345678901234567890");
}

static void test_from_msgpack_numbers(void)
{
    size_t len;
    uint8_t *mp = tj_mp("[2, 0.5, 0.1, '250m', true]", &len);
    sk_mp_view root, v;
    sk_quantity q;
    CU_ASSERT_FATAL(sk_mp_check(mp, len, 8, &root) == 0);
    CU_ASSERT(sk_mp_find(root, "0", &v) == 0 && sk_quantity_from_mp(v, &q) == 0 && q.milli == 2000);
    CU_ASSERT(sk_mp_find(root, "1", &v) == 0 && sk_quantity_from_mp(v, &q) == 0 && q.milli == 500);
    CU_ASSERT(sk_mp_find(root, "2", &v) == 0 && sk_quantity_from_mp(v, &q) == 0 && q.milli == 100);
    CU_ASSERT(sk_mp_find(root, "3", &v) == 0 && sk_quantity_from_mp(v, &q) == 0 && q.milli == 250);
    CU_ASSERT(sk_mp_find(root, "4", &v) == 0 && sk_quantity_from_mp(v, &q) == SK_EBADMSG);
    free(mp);
}

int main(void)
{
    static const test_case tests[] = {
        {"decimal SI suffixes", test_decimal_si},
        {"binary SI suffixes", test_binary_si},
        {"exponents and saturation", test_exponent_and_limits},
        {"malformed quantities", test_rejects},
        {"JSON numbers as quantities", test_from_msgpack_numbers},
        {NULL, NULL},
    };
    return run_suite("quantity", tests);
}
