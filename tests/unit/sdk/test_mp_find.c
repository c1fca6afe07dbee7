/* Dotted-path lookup and iterators. */
#include <stdlib.h>
#include <string.h>

#include "alloc_hook.h"
#include "skiff/errors.h"
#include "skiff/mp.h"
#include "mp_expect.h"
#include "test_main.h"

/* {"a":{"b":[{"c":"deep"},{"c":7}],"": "empty key"},"k.dot":1,"zz":null}
 * plus "list": [10,11,...,21] (12 items) */
static sk_mp_buf doc;
static sk_mp_view root;

static void build(void)
{
    sk_mp_buf_init(&doc);
    sk_mp_put_map(&doc, 4);
    sk_mp_put_str(&doc, "a");
    sk_mp_put_map(&doc, 2);
    sk_mp_put_str(&doc, "b");
    sk_mp_put_array(&doc, 2);
    sk_mp_put_map(&doc, 1);
    sk_mp_put_str(&doc, "c");
    sk_mp_put_str(&doc, "deep");
    sk_mp_put_map(&doc, 1);
    sk_mp_put_str(&doc, "c");
    sk_mp_put_int(&doc, 7);
    sk_mp_put_str(&doc, "");
    sk_mp_put_str(&doc, "empty key");
    sk_mp_put_str(&doc, "k.dot");
    sk_mp_put_int(&doc, 1);
    sk_mp_put_str(&doc, "zz");
    sk_mp_put_nil(&doc);
    sk_mp_put_str(&doc, "list");
    sk_mp_put_array(&doc, 12);
    for (int i = 10; i < 22; i++)
        sk_mp_put_int(&doc, i);
    CU_ASSERT_EQUAL_FATAL(doc.err, 0);
    CU_ASSERT_EQUAL_FATAL(sk_mp_check(doc.data, doc.len, SK_MP_MAX_DEPTH, &root), 0);
}

static void test_paths(void)
{
    sk_mp_view x;
    char buf[16];
    build();
    CU_ASSERT_EQUAL(sk_mp_find_str(root, "a.b.0.c", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "deep");
    expect_int_at(root, "a.b.1.c", 7);
    expect_int_at(root, "list.11", 21);
    expect_int_at(root, "list.10", 20);
    CU_ASSERT_EQUAL(sk_mp_find(root, "zz", &x), 0);
    CU_ASSERT_EQUAL(sk_mp_type_of(x), SK_MP_NIL);
    /* "a." is the key "" inside "a". */
    CU_ASSERT_EQUAL(sk_mp_find_str(root, "a.", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "empty key");
    sk_mp_buf_free(&doc);
}

static void test_whole(void)
{
    sk_mp_view x = {0};
    build();
    CU_ASSERT_EQUAL(sk_mp_find(root, "", &x), 0);
    CU_ASSERT_PTR_EQUAL(x.p, root.p);
    CU_ASSERT_EQUAL(x.len, root.len);
    x.p = NULL;
    CU_ASSERT_EQUAL(sk_mp_find(root, NULL, &x), 0);
    CU_ASSERT_PTR_EQUAL(x.p, root.p);
    sk_mp_buf_free(&doc);
}

static void test_not_found(void)
{
    static const char *const missing[] = {
        "nope", "a.x", "a.b.2", "a.b.2.c", "a.b.00", "a.b.01", "a.b.-1", "a.b.+1",
        "a.b.x", "a.b.", "a.b.0.c.d", "k.dot", "zz.a", "list.12", "list.4294967295",
        "list.99999999999", ".a", "a..b",
    };
    char buf[16];
    build();
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        sk_mp_view x = {(const uint8_t *)"sentinel", 8};
        CU_ASSERT_EQUAL(sk_mp_find(root, missing[i], &x), SK_ENOTFOUND);
        CU_ASSERT_EQUAL(x.len, 8); /* untouched on failure */
        CU_ASSERT_EQUAL(sk_mp_find_str(root, missing[i], buf, sizeof buf), SK_ENOTFOUND);
    }
    sk_mp_buf_free(&doc);
}

static void test_find_str_errors(void)
{
    char buf[5];
    build();
    CU_ASSERT_EQUAL(sk_mp_find_str(root, "a.b.1.c", buf, sizeof buf), SK_EBADMSG);
    /* "deep" needs 5 bytes with its NUL. */
    CU_ASSERT_EQUAL(sk_mp_find_str(root, "a.b.0.c", buf, 4), SK_ETOOLARGE);
    CU_ASSERT_EQUAL(sk_mp_find_str(root, "a.b.0.c", buf, 5), 0);
    CU_ASSERT_EQUAL(sk_mp_find_str(root, "a.b.0.c", NULL, 0), SK_ETOOLARGE);
    sk_mp_buf_free(&doc);
}

static void test_iter_map(void)
{
    static const char *const keys[] = {"a", "k.dot", "zz", "list"};
    sk_mp_iter it;
    sk_mp_view k, v;
    uint32_t count = 0, i = 0;
    int rc;
    build();
    CU_ASSERT_EQUAL(sk_mp_iter_init(root, &it, &count), 0);
    CU_ASSERT_EQUAL(count, 4);
    while ((rc = sk_mp_iter_next(&it, &k, &v)) == 1) {
        CU_ASSERT_FATAL(i < 4);
        CU_ASSERT_TRUE(sk_mp_str_eq(k, keys[i]));
        CU_ASSERT_NOT_EQUAL(sk_mp_type_of(v), SK_MP_INVALID);
        i++;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(i, 4);
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, &k, &v), 0); /* stays at the end */
    sk_mp_buf_free(&doc);
}

static void test_iter_array(void)
{
    sk_mp_iter it;
    sk_mp_view list, k = {(const uint8_t *)"x", 1}, v;
    uint32_t count = 0;
    build();
    CU_ASSERT_EQUAL(sk_mp_find(root, "list", &list), 0);
    CU_ASSERT_EQUAL(sk_mp_iter_init(list, &it, &count), 0);
    CU_ASSERT_EQUAL(count, 12);
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, &k, &v), 1);
    CU_ASSERT_EQUAL(sk_mp_type_of(k), SK_MP_INVALID);
    CU_ASSERT_PTR_NULL(k.p);
    sk_mp_buf_free(&doc);
}

static void test_iter_not_container(void)
{
    sk_mp_iter it;
    sk_mp_view k, v;
    sk_mp_view s = {(const uint8_t *)"\xa1x", 2};
    uint32_t count = 99;
    CU_ASSERT_EQUAL(sk_mp_iter_init(s, &it, &count), SK_EBADMSG);
    /* A failed init leaves an iterator that is simply empty. */
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, &k, &v), 0);
    sk_mp_view none = {NULL, 0};
    CU_ASSERT_EQUAL(sk_mp_iter_init(none, &it, NULL), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_iter_next(NULL, &k, &v), 0);
}

static void test_unchecked_views(void)
{
    /* Views never passed through sk_mp_check: walks stop with SK_EBADMSG. */
    sk_mp_view x;
    sk_mp_iter it;
    sk_mp_view k, v;
    /* {"a": <str of 5 bytes but only 1>} */
    sk_mp_view cut = {(const uint8_t *)"\x81\xa1" "a\xa5z", 5};
    CU_ASSERT_EQUAL(sk_mp_find(cut, "a", &x), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_iter_init(cut, &it, NULL), 0);
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, &k, &v), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, &k, &v), 0);
    /* Array claiming 3 items, holding 1. */
    sk_mp_view short_arr = {(const uint8_t *)"\x93\x01", 2};
    CU_ASSERT_EQUAL(sk_mp_find(short_arr, "2", &x), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_find(short_arr, "0", &x), 0);
    sk_mp_view bad = {(const uint8_t *)"\xc1", 1};
    CU_ASSERT_EQUAL(sk_mp_find(bad, "a", &x), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_find(bad, "", &x), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_type_of(bad), SK_MP_INVALID);
    /* A str whose payload lies outside the view. */
    sk_mp_view str = {(const uint8_t *)"\xa3xy", 3};
    const char *s;
    size_t len;
    CU_ASSERT_EQUAL(sk_mp_type_of(str), SK_MP_INVALID);
    CU_ASSERT_EQUAL(sk_mp_get_str(str, &s, &len), SK_EBADMSG);
    CU_ASSERT_FALSE(sk_mp_str_eq(str, "xy"));
    CU_ASSERT_PTR_NULL(sk_mp_strdup(str));
}

static void test_find_allocates_nothing(void)
{
    sk_mp_view x;
    sk_mp_iter it;
    char buf[8];
    build();
    sk_test_allocs = 0;
    CU_ASSERT_EQUAL(sk_mp_find(root, "a.b.0.c", &x), 0);
    CU_ASSERT_EQUAL(sk_mp_find_str(root, "a.b.0.c", buf, sizeof buf), 0);
    CU_ASSERT_EQUAL(sk_mp_iter_init(root, &it, NULL), 0);
    while (sk_mp_iter_next(&it, NULL, NULL) == 1)
        ;
    CU_ASSERT_EQUAL(sk_test_allocs, 0);
    sk_mp_buf_free(&doc);
}

static void test_strdup_enomem(void)
{
    sk_mp_view s = {(const uint8_t *)"\xa2hi", 3};
    sk_test_fail_at = 1;
    CU_ASSERT_PTR_NULL(sk_mp_strdup(s));
    sk_test_fail_at = 0;
    char *d = sk_mp_strdup(s);
    CU_ASSERT_STRING_EQUAL(d, "hi");
    free(d);
}

SK_TEST_MAIN("sdk-mp-find", SK_TEST(test_paths), SK_TEST(test_whole), SK_TEST(test_not_found),
             SK_TEST(test_find_str_errors), SK_TEST(test_iter_map), SK_TEST(test_iter_array),
             SK_TEST(test_iter_not_container), SK_TEST(test_unchecked_views),
             SK_TEST(test_find_allocates_nothing), SK_TEST(test_strdup_enomem))
