/* The shared helpers: selectors, object rewriting, equality, time. */
#include <stdio.h>

#include "ctl_test.h"

static void test_selectors(void)
{
    sk_mp_view labels = tj("{\"app\":\"web\",\"tier\":\"front\"}");
    CU_ASSERT_TRUE(ctl_selector_matches(tj("{}"), labels)); /* empty: everything */
    CU_ASSERT_TRUE(ctl_selector_matches(tj("{\"matchLabels\":{\"app\":\"web\"}}"), labels));
    CU_ASSERT_FALSE(ctl_selector_matches(tj("{\"matchLabels\":{\"app\":\"db\"}}"), labels));
    CU_ASSERT_TRUE(ctl_selector_matches(
        tj("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"back\","
           "\"front\"]},{\"key\":\"env\",\"operator\":\"DoesNotExist\"}]}"),
        labels));
    CU_ASSERT_FALSE(ctl_selector_matches(
        tj("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"NotIn\",\"values\":[\"front\"]}]}"),
        labels));
    CU_ASSERT_TRUE(ctl_selector_matches(
        tj("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Exists\"}]}"), labels));
    CU_ASSERT_FALSE(ctl_selector_matches(
        tj("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Bogus\"}]}"), labels));
    CU_ASSERT_FALSE(ctl_selector_matches(tj("7"), labels));
    CU_ASSERT_FALSE(ctl_selector_matches((sk_mp_view){NULL, 0}, labels));
    CU_ASSERT_TRUE(ctl_map_selector_matches(tj("{\"app\":\"web\"}"), labels));
    CU_ASSERT_FALSE(ctl_map_selector_matches(tj("{\"app\":\"web\",\"x\":\"y\"}"), labels));
    CU_ASSERT_FALSE(ctl_map_selector_matches(tj("{\"app\":\"web\"}"), tj("[]")));
    tjson_reset();
}

static void test_override(void)
{
    sk_mp_buf b, s;
    sk_mp_buf_init(&b);
    ctl_put_override(&b, tj("{\"a\":{\"b\":1,\"c\":2},\"d\":3}"), "a.b", ctl_mp_str(&s, "x"));
    sk_mp_buf_free(&s);
    CU_ASSERT_TRUE(ctl_mp_equal(sk_mp_buf_view(&b), tj("{\"d\":3,\"a\":{\"c\":2,\"b\":\"x\"}}")));
    sk_mp_buf_free(&b);
    sk_mp_buf_init(&b);
    ctl_put_override(&b, tj("{\"d\":3}"), "a.b.c", ctl_mp_str(&s, "x"));
    sk_mp_buf_free(&s);
    CU_ASSERT_TRUE(ctl_mp_equal(sk_mp_buf_view(&b), tj("{\"d\":3,\"a\":{\"b\":{\"c\":\"x\"}}}")));
    sk_mp_buf_free(&b);
    sk_mp_buf_init(&b);
    ctl_put_override(&b, tj("{\"a\":{\"b\":1,\"c\":2}}"), "a.b", (sk_mp_view){NULL, 0});
    CU_ASSERT_TRUE(ctl_mp_equal(sk_mp_buf_view(&b), tj("{\"a\":{\"c\":2}}")));
    sk_mp_buf_free(&b);
    sk_mp_buf_init(&b);
    ctl_put_override(&b, tj("{\"a\":1}"), "zz", (sk_mp_view){NULL, 0}); /* absent: no-op */
    CU_ASSERT_TRUE(ctl_mp_equal(sk_mp_buf_view(&b), tj("{\"a\":1}")));
    sk_mp_buf_free(&b);
    sk_mp_buf_init(&b);
    ctl_put_set_key(&b, tj("{\"a\":1}"), "k8s.io/name", ctl_mp_str(&s, "v"));
    sk_mp_buf_free(&s);
    char v[16];
    CU_ASSERT_STRING_EQUAL(ctl_str_key(sk_mp_buf_view(&b), NULL, "k8s.io/name", v, sizeof v), "v");
    sk_mp_buf_free(&b);
    sk_mp_buf_init(&b);
    ctl_put_override(&b, tj("[1]"), "a", ctl_mp_str(&s, "x")); /* not a map: a fresh one */
    sk_mp_buf_free(&s);
    CU_ASSERT_TRUE(ctl_mp_equal(sk_mp_buf_view(&b), tj("{\"a\":\"x\"}")));
    sk_mp_buf_free(&b);
    tjson_reset();
}

static void test_equal_and_hash(void)
{
    CU_ASSERT_TRUE(ctl_mp_equal(tj("{\"a\":[1,{\"b\":2}],\"c\":true}"),
                                tj("{\"c\":true,\"a\":[1,{\"b\":2}]}")));
    CU_ASSERT_FALSE(ctl_mp_equal(tj("[1,2]"), tj("[2,1]")));
    CU_ASSERT_FALSE(ctl_mp_equal(tj("{\"a\":1}"), tj("{\"a\":1,\"b\":1}")));
    CU_ASSERT_FALSE(ctl_mp_equal(tj("\"1\""), tj("1")));
    CU_ASSERT_EQUAL(ctl_mp_hash(tj("{\"a\":1,\"b\":[2]}"), 0), ctl_mp_hash(tj("{\"b\":[2],\"a\":1}"), 0));
    CU_ASSERT_NOT_EQUAL(ctl_mp_hash(tj("{\"a\":1}"), 0), ctl_mp_hash(tj("{\"a\":2}"), 0));
    tjson_reset();
}

static void test_time(void)
{
    char buf[32];
    ctl_time_str(1764000000999LL, buf);
    CU_ASSERT_STRING_EQUAL(buf, "2025-11-24T16:00:00Z");
    CU_ASSERT_EQUAL(ctl_time(tj("{\"t\":\"2025-11-24T16:00:00Z\"}"), "t", -1), 1764000000000LL);
    CU_ASSERT_EQUAL(ctl_time(tj("{\"t\":\"yesterday\"}"), "t", -1), -1);
    CU_ASSERT_EQUAL(ctl_time(tj("{\"t\":5}"), "t", -1), -1);
    tjson_reset();
}

static void test_owner_helpers(void)
{
    sk_mp_view o = tj("{\"metadata\":{\"ownerReferences\":[{\"uid\":\"a\"},{\"uid\":\"b\","
                      "\"controller\":true}],\"finalizers\":[\"x\",\"orphan\"]}}");
    char uid[16];
    CU_ASSERT_TRUE(ctl_controller_uid(o, uid, sizeof uid));
    CU_ASSERT_STRING_EQUAL(uid, "b");
    CU_ASSERT_TRUE(ctl_owned_by(o, "a"));
    CU_ASSERT_FALSE(ctl_owned_by(o, "c"));
    CU_ASSERT_TRUE(ctl_has_finalizer(o, "orphan"));
    CU_ASSERT_FALSE(ctl_has_finalizer(o, "foregroundDeletion"));
    CU_ASSERT_FALSE(ctl_controller_uid(tj("{\"metadata\":{\"ownerReferences\":7}}"), uid, sizeof uid));
    tjson_reset();
}

SK_TEST_MAIN("controllers-common", SK_TEST(test_selectors), SK_TEST(test_override),
             SK_TEST(test_equal_and_hash), SK_TEST(test_time), SK_TEST(test_owner_helpers))
