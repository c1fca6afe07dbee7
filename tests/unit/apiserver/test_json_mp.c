/* JSON <-> msgpack conversion. */
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "json_mp.h"
#include "test_util.h"

/* JSON text -> jansson -> msgpack -> jansson, compared by dump. */
static void roundtrip(const char *text)
{
    json_t *j = tj(text), *back = NULL;
    sk_mp_buf b;
    sk_apierr err;
    sk_mp_buf_init(&b);
    CU_ASSERT_EQUAL_FATAL(sk_json_to_mp(j, &b, NULL, &err), 0);
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len, NULL, &back, &err), 0);
    TJ_EQ(back, text);
    char *txt = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL(sk_mp_to_json_text(b.data, b.len, NULL, &txt, &n, &err), 0);
    if (txt) {
        json_t *again = tj(txt);
        TJ_EQ(again, text);
        json_decref(again);
        CU_ASSERT_EQUAL(strlen(txt), n);
    }
    free(txt);
    sk_mp_buf_free(&b);
    json_decref(j);
    json_decref(back);
}

static void test_scalars(void)
{
    roundtrip("null");
    roundtrip("true");
    roundtrip("false");
    roundtrip("0");
    roundtrip("-1");
    roundtrip("9223372036854775807");
    roundtrip("-9223372036854775808");
    roundtrip("1.5");
    roundtrip("\"h\\u00e9llo \\\"q\\\" \\n\"");
    roundtrip("\"\"");
}

static void test_int_vs_float(void)
{
    json_t *j = tj("{\"i\":1,\"f\":1.0,\"n\":-3,\"z\":0.0}"), *back = NULL;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    CU_ASSERT_EQUAL_FATAL(sk_json_to_mp(j, &b, NULL, NULL), 0);
    sk_mp_view v = sk_mp_buf_view(&b), x;
    CU_ASSERT_EQUAL(sk_mp_find(v, "i", &x), 0);
    CU_ASSERT_EQUAL(sk_mp_type_of(x), SK_MP_UINT);
    CU_ASSERT_EQUAL(sk_mp_find(v, "f", &x), 0);
    CU_ASSERT_EQUAL(sk_mp_type_of(x), SK_MP_FLOAT);
    CU_ASSERT_EQUAL(sk_mp_find(v, "n", &x), 0);
    CU_ASSERT_EQUAL(sk_mp_type_of(x), SK_MP_INT);
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len, NULL, &back, NULL), 0);
    CU_ASSERT(json_is_integer(json_object_get(back, "i")));
    CU_ASSERT(json_is_real(json_object_get(back, "f")));
    CU_ASSERT(json_is_real(json_object_get(back, "z")));
    char *txt = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json_text(b.data, b.len, NULL, &txt, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(txt, "{\"i\":1,\"f\":1.0,\"n\":-3,\"z\":0.0}");
    free(txt);
    json_decref(back);
    json_decref(j);
    sk_mp_buf_free(&b);
}

static void test_nested_and_order(void)
{
    roundtrip("{\"z\":1,\"a\":{\"y\":[1,2,{\"q\":null}],\"b\":[]},\"m\":{}}");
    roundtrip("[[[]],{},[{\"k\":\"v\"}]]");
    roundtrip("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\","
              "\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
              "\"image\":\"nginx\",\"ports\":[{\"containerPort\":80}]}]}}");
}

static void test_uint64(void)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "big");
    sk_mp_put_uint(&b, UINT64_MAX);
    json_t *j = NULL;
    sk_apierr err;
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len, NULL, &j, &err), SK_ETOOLARGE);
    CU_ASSERT_PTR_NULL(j);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "big"));
    char *txt = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json_text(b.data, b.len, NULL, &txt, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(txt, "{\"big\":18446744073709551615}");
    free(txt);
    sk_mp_buf_free(&b);
}

static void test_float_text(void)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_array(&b, 6);
    sk_mp_put_double(&b, 0.1);
    sk_mp_put_double(&b, 100.0);
    sk_mp_put_double(&b, 1e300);
    sk_mp_put_double(&b, -2.5);
    sk_mp_put_double(&b, 1.5e-7);
    sk_mp_put_double(&b, 123456.789);
    char *txt = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json_text(b.data, b.len, NULL, &txt, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(txt, "[0.1,100.0,1e+300,-2.5,1.5e-07,123456.789]");
    free(txt);
    sk_mp_buf_free(&b);
}

static void test_depth_limit(void)
{
    char text[512];
    size_t n = 0;
    for (int i = 0; i < 120; i++)
        text[n++] = '[';
    for (int i = 0; i < 120; i++)
        text[n++] = ']';
    text[n] = '\0';
    json_t *j = NULL;
    sk_apierr err;
    CU_ASSERT_EQUAL(sk_json_parse(text, n, NULL, &j, &err), SK_ETOOLARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "deeper than 100"));
    sk_conv_limits lim = {5, 1 << 20};
    CU_ASSERT_EQUAL(sk_json_parse("[[[[[]]]]]", 10, &lim, &j, &err), 0);
    json_decref(j);
    CU_ASSERT_EQUAL(sk_json_parse("[[[[[[]]]]]]", 12, &lim, &j, &err), SK_ETOOLARGE);

    json_t *deep = tj("{\"a\":{\"b\":{\"c\":[1]}}}");
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_conv_limits three = {3, 1 << 20};
    CU_ASSERT_EQUAL(sk_json_to_mp(deep, &b, &three, &err), SK_ETOOLARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "a.b.c"));
    sk_mp_buf_free(&b);
    sk_mp_buf_init(&b);
    CU_ASSERT_EQUAL(sk_json_to_mp(deep, &b, NULL, &err), 0);
    json_t *back = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len, &three, &back, &err), SK_ETOOLARGE);
    CU_ASSERT_PTR_NULL(back);
    char *txt = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json_text(b.data, b.len, &three, &txt, NULL, &err),
                    SK_ETOOLARGE);
    sk_mp_buf_free(&b);
    json_decref(deep);
}

static void test_size_limit(void)
{
    json_t *j = json_array();
    for (int i = 0; i < 100; i++)
        json_array_append_new(j, json_string("0123456789012345678901234567890123456789"));
    sk_conv_limits lim = {10, 1000};
    sk_mp_buf b;
    sk_apierr err;
    sk_mp_buf_init(&b);
    CU_ASSERT_EQUAL(sk_json_to_mp(j, &b, &lim, &err), SK_ETOOLARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "1000"));
    sk_mp_buf_free(&b);
    sk_mp_buf_init(&b);
    CU_ASSERT_EQUAL(sk_json_to_mp(j, &b, NULL, &err), 0);
    char *txt = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json_text(b.data, b.len, &lim, &txt, NULL, &err), SK_ETOOLARGE);
    CU_ASSERT_PTR_NULL(txt);
    sk_mp_buf_free(&b);
    char *big = json_dumps(j, 0);
    json_t *p = NULL;
    CU_ASSERT_EQUAL(sk_json_parse(big, strlen(big), &lim, &p, &err), SK_ETOOLARGE);
    free(big);
    json_decref(j);
}

static void test_bad_input(void)
{
    json_t *j = NULL;
    sk_apierr err;
    CU_ASSERT_EQUAL(sk_json_parse("{\"a\":", 5, NULL, &j, &err), SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "line 1"));
    CU_ASSERT_EQUAL(sk_json_parse("{\"a\":1}x", 8, NULL, &j, &err), SK_EBADMSG);

    /* non-string key */
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 1);
    sk_mp_put_int(&b, 5);
    sk_mp_put_nil(&b);
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len, NULL, &j, &err), SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a string"));
    sk_mp_buf_free(&b);

    /* duplicate key */
    sk_mp_buf_init(&b);
    sk_mp_put_map(&b, 2);
    sk_mp_put_str(&b, "a");
    sk_mp_put_int(&b, 1);
    sk_mp_put_str(&b, "a");
    sk_mp_put_int(&b, 2);
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len, NULL, &j, &err), SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "duplicate"));
    sk_mp_buf_free(&b);

    /* invalid UTF-8 and truncation */
    sk_mp_buf_init(&b);
    sk_mp_put_array(&b, 1);
    sk_mp_put_strn(&b, "\xff\xfe", 2);
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len, NULL, &j, &err), SK_EBADMSG);
    char *txt = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json_text(b.data, b.len, NULL, &txt, NULL, &err), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len - 1, NULL, &j, &err), SK_EBADMSG);
    sk_mp_buf_free(&b);

    /* NaN */
    sk_mp_buf_init(&b);
    sk_mp_put_double(&b, 0.0 / 0.0);
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len, NULL, &j, &err), SK_EBADMSG);
    sk_mp_buf_free(&b);
}

static void test_bin_as_base64(void)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_bin(&b, "hello", 5);
    json_t *j = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json(b.data, b.len, NULL, &j, NULL), 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(j), "aGVsbG8=");
    json_decref(j);
    sk_mp_buf_free(&b);
}

static void test_html_escape(void)
{
    json_t *j = tj("\"<a&b>\"");
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    CU_ASSERT_EQUAL(sk_json_to_mp(j, &b, NULL, NULL), 0);
    char *txt = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json_text(b.data, b.len, NULL, &txt, NULL, NULL), 0);
    CU_ASSERT_STRING_EQUAL(txt, "\"\\u003ca\\u0026b\\u003e\"");
    free(txt);
    sk_mp_buf_free(&b);
    json_decref(j);
}

/* Mutated and truncated copies of a valid object: every one must either
 * convert or fail cleanly (the sanitizers catch anything worse). */
static void test_hostile_bytes(void)
{
    json_t *j = tj("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"b\"}},"
                   "\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80}],"
                   "\"f\":1.5,\"n\":-7,\"t\":true,\"z\":null}]}}");
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    CU_ASSERT_EQUAL_FATAL(sk_json_to_mp(j, &b, NULL, NULL), 0);
    uint8_t *copy = malloc(b.len);
    uint32_t seed = 12345;
    int ok = 0, bad = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(copy, b.data, b.len);
        for (int k = 0; k < 1 + iter % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 8) % b.len] = (uint8_t)(seed >> 20);
        }
        size_t len = iter % 5 == 0 ? (seed >> 4) % b.len : b.len;
        json_t *out = NULL;
        char *txt = NULL;
        int rc1 = sk_mp_to_json(copy, len, NULL, &out, NULL);
        int rc2 = sk_mp_to_json_text(copy, len, NULL, &txt, NULL, NULL);
        CU_ASSERT((rc1 == 0) == (out != NULL));
        CU_ASSERT((rc2 == 0) == (txt != NULL));
        if (rc1 == 0)
            ok++;
        else
            bad++;
        json_decref(out);
        free(txt);
    }
    CU_ASSERT(ok > 0 && bad > 0);
    free(copy);
    sk_mp_buf_free(&b);
    json_decref(j);

    /* a hostile container header claiming 4 billion entries */
    const uint8_t huge[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'a'};
    json_t *out = NULL;
    CU_ASSERT_EQUAL(sk_mp_to_json(huge, sizeof huge, NULL, &out, NULL), SK_EBADMSG);
}

int main(void)
{
    static const tcase cases[] = {
        {"scalars", test_scalars},
        {"int_vs_float", test_int_vs_float},
        {"nested_and_order", test_nested_and_order},
        {"uint64", test_uint64},
        {"float_text", test_float_text},
        {"depth_limit", test_depth_limit},
        {"size_limit", test_size_limit},
        {"bad_input", test_bad_input},
        {"bin_as_base64", test_bin_as_base64},
        {"html_escape", test_html_escape},
        {"hostile_bytes", test_hostile_bytes},
        {NULL, NULL},
    };
    return trun("apiserver-json-mp", cases);
}
