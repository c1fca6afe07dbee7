#include <errno.h>
#include <limits.h>
#include <string.h>

#include "skiff/errors.h"
#include "test_main.h"

static void test_every_code_named(void)
{
    for (int c = SK_EBASE; c >= SK_ELAST; c--) {
        const char *s = sk_strerror(c);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT(strlen(s) > 0);
        CU_ASSERT_STRING_NOT_EQUAL(s, "unknown error");
        for (int d = SK_EBASE; d > c; d--)
            CU_ASSERT_STRING_NOT_EQUAL(s, sk_strerror(d));
    }
}

static void test_specific_names(void)
{
    CU_ASSERT_STRING_EQUAL(sk_strerror(0), "success");
    CU_ASSERT_STRING_EQUAL(sk_strerror(SK_ENOSERVICE), "no such service");
    CU_ASSERT_STRING_EQUAL(sk_strerror(SK_ETIMEDOUT), "timed out");
    CU_ASSERT_STRING_EQUAL(sk_strerror(SK_EBADMSG), "malformed message");
    CU_ASSERT_STRING_EQUAL(sk_strerror(SK_EUNAVAILABLE), "temporarily unavailable");
}

static void test_errno(void)
{
    CU_ASSERT_STRING_EQUAL(sk_strerror(-ENOMEM), "Cannot allocate memory");
    CU_ASSERT_STRING_EQUAL(sk_strerror(-EINVAL), "Invalid argument");
    CU_ASSERT_STRING_EQUAL(sk_strerror(-ENOENT), "No such file or directory");
    /* Positive numbers are statuses such as SK_BUS_MORE, not errors. */
    CU_ASSERT_STRING_EQUAL(sk_strerror(ENOMEM), "unknown error");
    CU_ASSERT_STRING_EQUAL(sk_strerror(1), "unknown error");
}

static void test_unknown(void)
{
    CU_ASSERT_STRING_EQUAL(sk_strerror(SK_ELAST - 1), "unknown error");
    CU_ASSERT_STRING_EQUAL(sk_strerror(SK_EBASE + 1), "unknown error");
    CU_ASSERT_STRING_EQUAL(sk_strerror(INT_MIN), "unknown error");
    CU_ASSERT_STRING_EQUAL(sk_strerror(INT_MAX), "unknown error");
    CU_ASSERT_STRING_EQUAL(sk_strerror(-100000), "unknown error");
}

static void test_static_strings(void)
{
    /* Same pointer every time: nothing is formatted into a shared buffer. */
    CU_ASSERT_PTR_EQUAL(sk_strerror(-EIO), sk_strerror(-EIO));
    CU_ASSERT_PTR_EQUAL(sk_strerror(SK_EFULL), sk_strerror(SK_EFULL));
}

SK_TEST_MAIN("sdk-errors", SK_TEST(test_every_code_named), SK_TEST(test_specific_names),
             SK_TEST(test_errno), SK_TEST(test_unknown), SK_TEST(test_static_strings))
