/* Writer -> reader round trips for every type, exact encodings at each
 * format boundary, the reader on hand-made bytes of every format, and the
 * writer's sticky errors. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "alloc_hook.h"
#include "skiff/errors.h"
#include "skiff/mp.h"
#include "mp_expect.h"
#include "test_main.h"

/* Checks b holds one well-formed object and returns its view. */
static sk_mp_view checked(const sk_mp_buf *b)
{
    sk_mp_view v = {0};
    CU_ASSERT_EQUAL(b->err, 0);
    CU_ASSERT_EQUAL(sk_mp_check(b->data, b->len, SK_MP_MAX_DEPTH, &v), 0);
    CU_ASSERT_PTR_EQUAL(v.p, b->data);
    CU_ASSERT_EQUAL(v.len, b->len);
    return v;
}

static void expect_bytes(const sk_mp_buf *b, const char *hex)
{
    size_t n = strlen(hex) / 2;
    CU_ASSERT_EQUAL_FATAL(b->len, n);
    for (size_t i = 0; i < n; i++) {
        unsigned x;
        char two[3] = {hex[2 * i], hex[2 * i + 1], 0};
        x = (unsigned)strtoul(two, NULL, 16);
        CU_ASSERT_EQUAL(b->data[i], x);
    }
}

static const int64_t ints[] = {
    0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295LL, 4294967296LL, INT64_MAX,
    -1, -31, -32, -33, -127, -128, -129, -32767, -32768, -32769, INT32_MIN,
    (int64_t)INT32_MIN - 1, INT64_MIN + 1, INT64_MIN,
};

static void test_int_roundtrip(void)
{
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        sk_mp_buf b;
        int64_t got = 42;
        double d = 0;
        sk_mp_buf_init(&b);
        sk_mp_put_int(&b, ints[i]);
        sk_mp_view v = checked(&b);
        CU_ASSERT_EQUAL(sk_mp_type_of(v), ints[i] < 0 ? SK_MP_INT : SK_MP_UINT);
        CU_ASSERT_EQUAL(sk_mp_get_int(v, &got), 0);
        CU_ASSERT_EQUAL(got, ints[i]);
        CU_ASSERT_EQUAL(sk_mp_get_double(v, &d), 0);
        CU_ASSERT_DOUBLE_EQUAL(d, (double)ints[i], 0.0);
        uint64_t u = 7;
        if (ints[i] < 0) {
            CU_ASSERT_EQUAL(sk_mp_get_uint(v, &u), SK_EBADMSG);
            CU_ASSERT_EQUAL(u, 7);
        } else {
            CU_ASSERT_EQUAL(sk_mp_get_uint(v, &u), 0);
            CU_ASSERT_EQUAL(u, (uint64_t)ints[i]);
        }
        sk_mp_buf_free(&b);
    }
}

static void test_uint_extremes(void)
{
    const uint64_t us[] = {0, 127, 128, 255, 256, 65535, 65536, UINT32_MAX,
                           (uint64_t)UINT32_MAX + 1, (uint64_t)INT64_MAX,
                           (uint64_t)INT64_MAX + 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
        sk_mp_buf b;
        uint64_t got = 0;
        int64_t s = 0;
        sk_mp_buf_init(&b);
        sk_mp_put_uint(&b, us[i]);
        sk_mp_view v = checked(&b);
        CU_ASSERT_EQUAL(sk_mp_type_of(v), SK_MP_UINT);
        CU_ASSERT_EQUAL(sk_mp_get_uint(v, &got), 0);
        CU_ASSERT_EQUAL(got, us[i]);
        /* Too large for int64: refused rather than wrapped. */
        CU_ASSERT_EQUAL(sk_mp_get_int(v, &s), us[i] > INT64_MAX ? SK_EBADMSG : 0);
        sk_mp_buf_free(&b);
    }
}

static void put_and_expect_int(int64_t v, const char *hex)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_int(&b, v);
    expect_bytes(&b, hex);
    sk_mp_buf_free(&b);
}

static void test_int_encodings(void)
{
    /* The smallest format at every boundary (msgpack spec). */
    put_and_expect_int(0, "00");
    put_and_expect_int(127, "7f");
    put_and_expect_int(128, "cc80");
    put_and_expect_int(256, "cd0100");
    put_and_expect_int(65536, "ce00010000");
    put_and_expect_int(4294967296LL, "cf0000000100000000");
    put_and_expect_int(-1, "ff");
    put_and_expect_int(-32, "e0");
    put_and_expect_int(-33, "d0df");
    put_and_expect_int(-129, "d1ff7f");
    put_and_expect_int(-32769, "d2ffff7fff");
    put_and_expect_int(INT64_MIN, "d38000000000000000");
}

static void test_float_roundtrip(void)
{
    const double ds[] = {0.0, -0.0, 1.5, -2.25, 3.141592653589793, DBL_MAX, -DBL_MAX,
                         DBL_MIN, DBL_TRUE_MIN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        sk_mp_buf b;
        double got = 1;
        int64_t n;
        sk_mp_buf_init(&b);
        sk_mp_put_double(&b, ds[i]);
        sk_mp_view v = checked(&b);
        CU_ASSERT_EQUAL(sk_mp_type_of(v), SK_MP_FLOAT);
        CU_ASSERT_EQUAL(sk_mp_get_double(v, &got), 0);
        CU_ASSERT(memcmp(&got, &ds[i], sizeof got) == 0);
        CU_ASSERT_EQUAL(sk_mp_get_int(v, &n), SK_EBADMSG);
        sk_mp_buf_free(&b);
    }
    sk_mp_buf b;
    double got = 0;
    sk_mp_buf_init(&b);
    sk_mp_put_double(&b, NAN);
    CU_ASSERT_EQUAL(sk_mp_get_double(checked(&b), &got), 0);
    CU_ASSERT(isnan(got));
    sk_mp_buf_free(&b);
}

static void test_nil_bool(void)
{
    sk_mp_buf b;
    sk_mp_iter it;
    sk_mp_view item;
    bool x = false;
    sk_mp_buf_init(&b);
    sk_mp_put_array(&b, 4);
    sk_mp_put_nil(&b);
    sk_mp_put_bool(&b, true);
    sk_mp_put_bool(&b, false);
    sk_mp_put_str(&b, NULL); /* documented: NULL -> nil */
    expect_bytes(&b, "94c0c3c2c0");
    CU_ASSERT_EQUAL(sk_mp_iter_init(checked(&b), &it, NULL), 0);
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, NULL, &item), 1);
    CU_ASSERT_EQUAL(sk_mp_type_of(item), SK_MP_NIL);
    CU_ASSERT_EQUAL(sk_mp_get_bool(item, &x), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, NULL, &item), 1);
    CU_ASSERT_EQUAL(sk_mp_get_bool(item, &x), 0);
    CU_ASSERT_TRUE(x);
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, NULL, &item), 1);
    CU_ASSERT_EQUAL(sk_mp_get_bool(item, &x), 0);
    CU_ASSERT_FALSE(x);
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, NULL, &item), 1);
    CU_ASSERT_EQUAL(sk_mp_type_of(item), SK_MP_NIL);
    CU_ASSERT_EQUAL(sk_mp_iter_next(&it, NULL, &item), 0);
    sk_mp_buf_free(&b);
}

static void str_roundtrip(size_t n, uint8_t tag)
{
    sk_mp_buf b;
    const char *s = NULL;
    size_t len = 0;
    char *text = malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + i % 26);
    text[n] = '\0';
    sk_mp_buf_init(&b);
    sk_mp_put_str(&b, text);
    sk_mp_view v = checked(&b);
    CU_ASSERT_EQUAL(b.data[0], tag);
    CU_ASSERT_EQUAL(sk_mp_type_of(v), SK_MP_STR);
    CU_ASSERT_EQUAL(sk_mp_get_str(v, &s, &len), 0);
    CU_ASSERT_EQUAL(len, n);
    CU_ASSERT(memcmp(s, text, n) == 0);
    CU_ASSERT_TRUE(sk_mp_str_eq(v, text));
    char *dup = sk_mp_strdup(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dup);
    CU_ASSERT_STRING_EQUAL(dup, text);
    free(dup);
    free(text);
    sk_mp_buf_free(&b);
}

static void test_str_sizes(void)
{
    str_roundtrip(0, 0xa0);
    str_roundtrip(31, 0xbf);
    str_roundtrip(32, 0xd9);
    str_roundtrip(255, 0xd9);
    str_roundtrip(256, 0xda);
    str_roundtrip(65535, 0xda);
    str_roundtrip(65536, 0xdb);
}

static void test_strn_embedded_nul(void)
{
    sk_mp_buf b;
    const char *s;
    size_t len;
    sk_mp_buf_init(&b);
    sk_mp_put_strn(&b, "a\0b", 3);
    sk_mp_view v = checked(&b);
    CU_ASSERT_EQUAL(sk_mp_get_str(v, &s, &len), 0);
    CU_ASSERT_EQUAL(len, 3);
    CU_ASSERT(memcmp(s, "a\0b", 3) == 0);
    CU_ASSERT_FALSE(sk_mp_str_eq(v, "a"));
    sk_mp_buf_free(&b);
}

static void bin_roundtrip(size_t n, uint8_t tag)
{
    sk_mp_buf b;
    const void *p = NULL;
    const char *s;
    size_t len = 0;
    uint8_t *bytes = malloc(n ? n : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
    for (size_t i = 0; i < n; i++)
        bytes[i] = (uint8_t)(i * 7);
    sk_mp_buf_init(&b);
    sk_mp_put_bin(&b, bytes, n);
    sk_mp_view v = checked(&b);
    CU_ASSERT_EQUAL(b.data[0], tag);
    CU_ASSERT_EQUAL(sk_mp_type_of(v), SK_MP_BIN);
    CU_ASSERT_EQUAL(sk_mp_get_bin(v, &p, &len), 0);
    CU_ASSERT_EQUAL(len, n);
    CU_ASSERT(n == 0 || memcmp(p, bytes, n) == 0);
    CU_ASSERT_EQUAL(sk_mp_get_str(v, &s, &len), SK_EBADMSG);
    CU_ASSERT_PTR_NULL(sk_mp_strdup(v));
    free(bytes);
    sk_mp_buf_free(&b);
}

static void test_bin_sizes(void)
{
    bin_roundtrip(0, 0xc4);
    bin_roundtrip(255, 0xc4);
    bin_roundtrip(256, 0xc5);
    bin_roundtrip(65536, 0xc6);
}

static void test_container_headers(void)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_mp_put_array(&b, 15);
    sk_mp_put_array(&b, 16);
    sk_mp_put_array(&b, 65536);
    sk_mp_put_map(&b, 15);
    sk_mp_put_map(&b, 16);
    sk_mp_put_map(&b, 65536);
    expect_bytes(&b, "9fdc0010dd000100008fde0010df00010000");
    sk_mp_buf_free(&b);
}

static void test_big_array(void)
{
    /* 70000 items: array32, then walked to the end. */
    sk_mp_buf b;
    sk_mp_iter it;
    sk_mp_view item;
    uint32_t count = 0, seen = 0;
    sk_mp_buf_init(&b);
    sk_mp_put_array(&b, 70000);
    for (uint32_t i = 0; i < 70000; i++)
        sk_mp_put_uint(&b, i);
    CU_ASSERT_EQUAL(sk_mp_iter_init(checked(&b), &it, &count), 0);
    CU_ASSERT_EQUAL(count, 70000);
    while (sk_mp_iter_next(&it, NULL, &item) == 1) {
        uint64_t u;
        CU_ASSERT_EQUAL(sk_mp_get_uint(item, &u), 0);
        CU_ASSERT_EQUAL(u, seen);
        seen++;
    }
    CU_ASSERT_EQUAL(seen, 70000);
    sk_mp_buf_free(&b);
}

/* {"name":"x","spec":{"replicas":3,"ratio":0.5,"ports":[80,-443],"tags":{}}} */
static void put_nested(sk_mp_buf *b)
{
    sk_mp_put_map(b, 2);
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, "x");
    sk_mp_put_str(b, "spec");
    sk_mp_put_map(b, 4);
    sk_mp_put_str(b, "replicas");
    sk_mp_put_int(b, 3);
    sk_mp_put_str(b, "ratio");
    sk_mp_put_double(b, 0.5);
    sk_mp_put_str(b, "ports");
    sk_mp_put_array(b, 2);
    sk_mp_put_int(b, 80);
    sk_mp_put_int(b, -443);
    sk_mp_put_str(b, "tags");
    sk_mp_put_map(b, 0);
}

static void test_nested_map(void)
{
    sk_mp_buf b;
    sk_mp_view x;
    double d;
    char name[8];
    sk_mp_buf_init(&b);
    put_nested(&b);
    sk_mp_view v = checked(&b);
    CU_ASSERT_EQUAL(sk_mp_type_of(v), SK_MP_MAP);
    CU_ASSERT_EQUAL(sk_mp_find_str(v, "name", name, sizeof name), 0);
    CU_ASSERT_STRING_EQUAL(name, "x");
    expect_int_at(v, "spec.replicas", 3);
    CU_ASSERT_EQUAL(sk_mp_find(v, "spec.ratio", &x), 0);
    CU_ASSERT_EQUAL(sk_mp_get_double(x, &d), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 0.5, 0.0);
    expect_int_at(v, "spec.ports.1", -443);
    CU_ASSERT_EQUAL(sk_mp_find(v, "spec.tags", &x), 0);
    CU_ASSERT_EQUAL(sk_mp_type_of(x), SK_MP_MAP);
    CU_ASSERT_EQUAL(x.len, 1);
    sk_mp_buf_free(&b);
}

static void test_cross_check_msgpack_c(void)
{
    /* msgpack-c's own unpacker agrees with what we wrote. */
    sk_mp_buf b;
    msgpack_unpacked u;
    size_t off = 0;
    sk_mp_buf_init(&b);
    put_nested(&b);
    msgpack_unpacked_init(&u);
    CU_ASSERT_EQUAL_FATAL(msgpack_unpack_next(&u, (const char *)b.data, b.len, &off),
                          MSGPACK_UNPACK_SUCCESS);
    CU_ASSERT_EQUAL(off, b.len);
    CU_ASSERT_EQUAL(u.data.type, MSGPACK_OBJECT_MAP);
    CU_ASSERT_EQUAL(u.data.via.map.size, 2);
    msgpack_object spec = u.data.via.map.ptr[1].val;
    CU_ASSERT_EQUAL(spec.via.map.ptr[2].val.via.array.ptr[1].type,
                    MSGPACK_OBJECT_NEGATIVE_INTEGER);
    CU_ASSERT_EQUAL(spec.via.map.ptr[2].val.via.array.ptr[1].via.i64, -443);
    msgpack_unpacked_destroy(&u);
    sk_mp_buf_free(&b);
}

static void test_put_raw(void)
{
    sk_mp_buf inner, outer;
    sk_mp_buf_init(&inner);
    sk_mp_buf_init(&outer);
    put_nested(&inner);
    sk_mp_put_array(&outer, 2);
    sk_mp_put_raw(&outer, sk_mp_buf_view(&inner));
    sk_mp_put_raw(&outer, sk_mp_buf_view(&inner));
    sk_mp_view v = checked(&outer);
    expect_int_at(v, "1.spec.ports.0", 80);
    /* A view that is not exactly one object is refused and sticks. */
    sk_mp_view half = {inner.data, inner.len - 1};
    sk_mp_put_raw(&outer, half);
    CU_ASSERT_EQUAL(outer.err, SK_EBADMSG);
    sk_mp_view none = {NULL, 0};
    sk_mp_buf_free(&outer);
    sk_mp_put_raw(&outer, none);
    CU_ASSERT_EQUAL(outer.err, SK_EBADMSG);
    sk_mp_buf_free(&outer);
    sk_mp_buf_free(&inner);
}

static void test_take(void)
{
    sk_mp_buf b;
    size_t len = 0;
    sk_mp_buf_init(&b);
    sk_mp_put_str(&b, "hi");
    uint8_t *p = sk_mp_buf_take(&b, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, 3);
    CU_ASSERT(memcmp(p, "\xa2hi", 3) == 0);
    CU_ASSERT_PTR_NULL(b.data);
    CU_ASSERT_EQUAL(b.len, 0);
    free(p);
    /* The buffer is reusable after take. */
    sk_mp_put_nil(&b);
    CU_ASSERT_EQUAL(b.len, 1);
    sk_mp_buf_free(&b);
    sk_mp_buf_free(&b); /* twice is harmless */
    sk_mp_buf_free(NULL);
}

static void test_enomem_sticky(void)
{
    sk_mp_buf b;
    size_t len = 99;
    sk_mp_buf_init(&b);
    sk_test_fail_at = 1;
    sk_mp_put_str(&b, "first");
    CU_ASSERT_EQUAL(b.err, -ENOMEM);
    sk_test_fail_at = 0;
    sk_mp_put_str(&b, "later puts do nothing");
    sk_mp_put_int(&b, 1);
    CU_ASSERT_EQUAL(b.err, -ENOMEM);
    CU_ASSERT_EQUAL(b.len, 0);
    CU_ASSERT_PTR_NULL(sk_mp_buf_take(&b, &len));
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_EQUAL(b.err, 0);
    sk_mp_buf_free(&b);
}

static void test_enomem_on_growth(void)
{
    /* The first block fits; growing it fails; what was written stays. */
    sk_mp_buf b;
    char big[200];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sk_mp_buf_init(&b);
    sk_mp_put_int(&b, 5);
    CU_ASSERT_EQUAL(b.err, 0);
    sk_test_fail_at = 1;
    sk_mp_put_str(&b, big);
    sk_test_fail_at = 0;
    CU_ASSERT_EQUAL(b.err, -ENOMEM);
    CU_ASSERT_PTR_NOT_NULL(b.data);
    sk_mp_buf_free(&b);
    CU_ASSERT_PTR_NULL(b.data);
}

static void test_too_large_and_bad_args(void)
{
    sk_mp_buf b;
    static const char one = 'x';
    sk_mp_buf_init(&b);
    /* Never read: the length is refused first. */
    sk_mp_put_bin(&b, &one, (size_t)UINT32_MAX + 1);
    CU_ASSERT_EQUAL(b.err, SK_ETOOLARGE);
    CU_ASSERT_EQUAL(b.len, 0);
    sk_mp_buf_free(&b);
    sk_mp_put_strn(&b, &one, (size_t)UINT32_MAX + 1);
    CU_ASSERT_EQUAL(b.err, SK_ETOOLARGE);
    sk_mp_buf_free(&b);
    sk_mp_put_strn(&b, NULL, 3);
    CU_ASSERT_EQUAL(b.err, -EINVAL);
    sk_mp_buf_free(&b);
    sk_mp_put_bin(&b, NULL, 3);
    CU_ASSERT_EQUAL(b.err, -EINVAL);
    sk_mp_buf_free(&b);
    sk_mp_put_bin(&b, NULL, 0);
    sk_mp_put_strn(&b, NULL, 0);
    expect_bytes(&b, "c400a0");
    sk_mp_buf_free(&b);
}

static void test_reader_formats(void)
{
    /* Formats our writer never emits still read correctly. */
    static const struct {
        const char *bytes;
        size_t len;
        sk_mp_type type;
        int64_t i; /* for integers */
    } cases[] = {
        {"\xd0\x05", 2, SK_MP_UINT, 5},   /* int8 holding a positive value */
        {"\xd0\x80", 2, SK_MP_INT, -128},
        {"\xd1\x00\x10", 3, SK_MP_UINT, 16},
        {"\xd2\xff\xff\xff\xfe", 5, SK_MP_INT, -2},
        {"\xd3\x7f\xff\xff\xff\xff\xff\xff\xff", 9, SK_MP_UINT, INT64_MAX},
        {"\xcc\x00", 2, SK_MP_UINT, 0},
        {"\xca\x3f\xc0\x00\x00", 5, SK_MP_FLOAT, 0}, /* float32 1.5 */
        {"\xd4\x01\x02", 3, SK_MP_EXT, 0},
        {"\xd8\x01" "0123456789abcdef", 18, SK_MP_EXT, 0},
        {"\xc7\x02\x05zz", 5, SK_MP_EXT, 0},
        {"\xc8\x00\x01\x05z", 5, SK_MP_EXT, 0},
        {"\xc9\x00\x00\x00\x00\x05", 6, SK_MP_EXT, 0},
        {"\xd9\x01z", 3, SK_MP_STR, 0},
        {"\xdb\x00\x00\x00\x01z", 6, SK_MP_STR, 0},
        {"\xc5\x00\x01z", 4, SK_MP_BIN, 0},
        {"\xdc\x00\x01\xc0", 4, SK_MP_ARRAY, 0},
        {"\xde\x00\x01\xc0\xc0", 5, SK_MP_MAP, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sk_mp_view v;
        int64_t n;
        double d;
        CU_ASSERT_EQUAL(sk_mp_check(cases[i].bytes, cases[i].len, 4, &v), 0);
        CU_ASSERT_EQUAL(sk_mp_type_of(v), cases[i].type);
        if (cases[i].type == SK_MP_INT || cases[i].type == SK_MP_UINT) {
            CU_ASSERT_EQUAL(sk_mp_get_int(v, &n), 0);
            CU_ASSERT_EQUAL(n, cases[i].i);
        }
        if (cases[i].type == SK_MP_FLOAT) {
            CU_ASSERT_EQUAL(sk_mp_get_double(v, &d), 0);
            CU_ASSERT_DOUBLE_EQUAL(d, 1.5, 0.0);
        }
    }
}

static void test_type_mismatch(void)
{
    sk_mp_view v = {(const uint8_t *)"\xa1x", 2};
    int64_t i;
    uint64_t u;
    double d;
    bool b;
    const void *p;
    size_t len;
    CU_ASSERT_EQUAL(sk_mp_get_int(v, &i), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_get_uint(v, &u), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_get_double(v, &d), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_get_bool(v, &b), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_mp_get_bin(v, &p, &len), SK_EBADMSG);
    CU_ASSERT_TRUE(sk_mp_str_eq(v, "x"));
    CU_ASSERT_FALSE(sk_mp_str_eq(v, NULL));
    CU_ASSERT_FALSE(sk_mp_str_eq(v, "xy"));
    sk_mp_view bin = {(const uint8_t *)"\xc4\x01x", 3};
    CU_ASSERT_TRUE(sk_mp_str_eq(bin, "x"));
}

SK_TEST_MAIN("sdk-mp-roundtrip", SK_TEST(test_int_roundtrip), SK_TEST(test_uint_extremes),
             SK_TEST(test_int_encodings), SK_TEST(test_float_roundtrip),
             SK_TEST(test_nil_bool), SK_TEST(test_str_sizes), SK_TEST(test_strn_embedded_nul),
             SK_TEST(test_bin_sizes), SK_TEST(test_container_headers),
             SK_TEST(test_big_array), SK_TEST(test_nested_map),
             SK_TEST(test_cross_check_msgpack_c), SK_TEST(test_put_raw), SK_TEST(test_take),
             SK_TEST(test_enomem_sticky), SK_TEST(test_enomem_on_growth),
             SK_TEST(test_too_large_and_bad_args), SK_TEST(test_reader_formats),
             SK_TEST(test_type_mismatch))
