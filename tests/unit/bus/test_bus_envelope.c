/* The envelope codec: round trips, and strict rejection of every field
 * that is out of shape. */
#include <string.h>

#include "bus_harness.h"

static size_t encode(const sk_env *e, uint8_t *out, size_t cap)
{
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    sk_env_encode(e, &b);
    CU_ASSERT_EQUAL_FATAL(b.err, 0);
    CU_ASSERT_FATAL(b.len <= cap);
    memcpy(out, b.data, b.len);
    size_t n = b.len;
    sk_mp_buf_free(&b);
    return n;
}

static void test_roundtrip(void)
{
    sk_env e, d;
    sk_env_init(&e, SK_ENV_REQUEST, 123456789012ull);
    CU_ASSERT_EQUAL(sk_env_set(e.name, "store"), 0);
    CU_ASSERT_EQUAL(sk_env_set(e.method, "range"), 0);
    CU_ASSERT_EQUAL(sk_env_set(e.origin, "node-a"), 0);
    e.deadline_ms = 1700000000123;
    CU_ASSERT_EQUAL(sk_env_push(&e, "Lapi#1", 6), 0);
    CU_ASSERT_EQUAL(sk_env_push(&e, "B\x01\x00k\x8b\x45", 6), 0);
    e.status = -30001;
    e.payload = (const uint8_t *)"\x81\xa1k\xa1v";
    e.payload_len = 5;
    e.seq = 42;
    uint8_t buf[1024];
    size_t n = encode(&e, buf, sizeof buf);
    const char *why = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_env_decode(buf, n, &d, &why), 0);
    CU_ASSERT_EQUAL(d.kind, SK_ENV_REQUEST);
    CU_ASSERT_EQUAL(d.id, 123456789012ull);
    CU_ASSERT_STRING_EQUAL(d.name, "store");
    CU_ASSERT_STRING_EQUAL(d.method, "range");
    CU_ASSERT_STRING_EQUAL(d.origin, "node-a");
    CU_ASSERT_EQUAL(d.deadline_ms, 1700000000123);
    CU_ASSERT_EQUAL_FATAL(d.nhops, 2);
    CU_ASSERT_EQUAL(d.hop[1].len, 6);
    CU_ASSERT_EQUAL(memcmp(d.hop[1].p, "B\x01\x00k\x8b\x45", 6), 0);
    CU_ASSERT_EQUAL(d.status, -30001);
    CU_ASSERT_EQUAL(d.payload_len, 5);
    CU_ASSERT_EQUAL(memcmp(d.payload, "\x81\xa1k\xa1v", 5), 0);
    CU_ASSERT_EQUAL(d.seq, 42);

    uint8_t k1[SK_ENV_KEY_MAX], k2[SK_ENV_KEY_MAX];
    size_t l1 = sk_env_key(&e, e.nhops, k1), l2 = sk_env_key(&d, d.nhops, k2);
    CU_ASSERT_EQUAL(l1, l2);
    CU_ASSERT_EQUAL(memcmp(k1, k2, l1), 0);
}

/* A hand-written frame for a kind: [1, kind, 7, "s", "", 0, [], st, bin, "", 0]. */
static size_t frame(uint8_t *b, uint8_t kind, int8_t status)
{
    size_t k = 0;
    b[k++] = 0x9b;
    b[k++] = 1;
    b[k++] = kind;
    b[k++] = 7;
    b[k++] = 0xa1;
    b[k++] = 's';
    b[k++] = 0xa0;
    b[k++] = 0;
    b[k++] = 0x90;
    b[k++] = (uint8_t)status;
    b[k++] = 0xc4;
    b[k++] = 0;
    b[k++] = 0xa0;
    b[k++] = 0;
    return k;
}

static void expect_bad(const uint8_t *b, size_t n, const char *what)
{
    sk_env d;
    const char *why = NULL;
    int rc = sk_env_decode(b, n, &d, &why);
    if (rc != SK_EBADMSG)
        fprintf(stderr, "accepted: %s\n", what);
    CU_ASSERT_EQUAL(rc, SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(why);
}

static void test_hand_frame(void)
{
    uint8_t b[64];
    sk_env d;
    const char *why;
    size_t n = frame(b, SK_ENV_REQUEST, 0);
    CU_ASSERT_EQUAL(sk_env_decode(b, n, &d, &why), 0);
    CU_ASSERT_STRING_EQUAL(d.name, "s");
    CU_ASSERT_EQUAL(d.id, 7);
}

static void test_rejects(void)
{
    uint8_t b[600];
    size_t n;
    expect_bad(NULL, 0, "NULL");
    expect_bad((const uint8_t *)"", 0, "empty");
    expect_bad((const uint8_t *)"\xc1", 1, "never-used byte");
    expect_bad((const uint8_t *)"\x93\x01\x02\x03", 4, "3-array");
    expect_bad((const uint8_t *)"\xdd\xff\xff\xff\xff", 5, "array32 of 4G");
    expect_bad((const uint8_t *)"\x81\xa1k\x01", 4, "a map");
    n = frame(b, SK_ENV_REQUEST, 0);
    b[1] = 2;
    expect_bad(b, n, "version 2");
    n = frame(b, 0, 0);
    expect_bad(b, n, "kind 0");
    n = frame(b, 14, 0);
    expect_bad(b, n, "kind 14");
    n = frame(b, SK_ENV_ERROR, 0);
    expect_bad(b, n, "ERROR with status 0");
    n = frame(b, SK_ENV_REQUEST, 0);
    b[5] = 0;
    expect_bad(b, n, "NUL in name");
    n = frame(b, SK_ENV_REQUEST, 0);
    b[7] = 0xff; /* deadline -1 */
    expect_bad(b, n, "negative deadline");
    n = frame(b, SK_ENV_REQUEST, 0);
    b[10] = 0xa0; /* payload as str */
    expect_bad(b, n, "payload not bin");
    n = frame(b, SK_ENV_REQUEST, 0);
    b[n++] = 0;
    expect_bad(b, n, "trailing byte");
    n = frame(b, SK_ENV_REQUEST, 0);
    expect_bad(b, n - 1, "truncated");

    /* A 256-byte name is one too many. */
    size_t k = 0;
    b[k++] = 0x9b;
    b[k++] = 1;
    b[k++] = 1;
    b[k++] = 7;
    b[k++] = 0xd9; /* str8 of 255 bytes: the longest valid name */
    b[k++] = 0xff;
    memset(b + k, 'a', 255);
    k += 255;
    memcpy(b + k, "\xa0\x00\x90\x00\xc4\x00\xa0\x00", 8);
    k += 8;
    CU_ASSERT_EQUAL(sk_env_decode(b, k, &(sk_env){0}, &(const char *){0}), 0);
    uint8_t c[600];
    k = 0;
    c[k++] = 0x9b;
    c[k++] = 1;
    c[k++] = 1;
    c[k++] = 7;
    c[k++] = 0xda;
    c[k++] = 0x01;
    c[k++] = 0x00;
    memset(c + k, 'a', 256);
    k += 256;
    memcpy(c + k, "\xa0\x00\x90\x00\xc4\x00\xa0\x00", 8);
    k += 8;
    expect_bad(c, k, "256-byte name");

    /* Nine hops, and a hop of zero bytes. */
    k = 0;
    c[k++] = 0x9b;
    c[k++] = 1;
    c[k++] = 2;
    c[k++] = 7;
    c[k++] = 0xa0;
    c[k++] = 0xa0;
    c[k++] = 0;
    c[k++] = 0x99;
    for (int i = 0; i < 9; i++) {
        c[k++] = 0xc4;
        c[k++] = 1;
        c[k++] = 'h';
    }
    memcpy(c + k, "\x00\xc4\x00\xa0\x00", 5);
    k += 5;
    expect_bad(c, k, "nine hops");
    c[7] = 0x91;
    k = 8;
    c[k++] = 0xc4;
    c[k++] = 0;
    memcpy(c + k, "\x00\xc4\x00\xa0\x00", 5);
    k += 5;
    expect_bad(c, k, "empty hop");
}

static void test_limits(void)
{
    sk_env e;
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    sk_env_init(&e, SK_ENV_REQUEST, 1);
    CU_ASSERT_EQUAL(sk_env_set(e.name, big), SK_ETOOLARGE);
    CU_ASSERT_STRING_EQUAL(e.name, "");
    for (int i = 0; i < SK_ENV_MAX_HOPS; i++)
        CU_ASSERT_EQUAL(sk_env_push(&e, "h", 1), 0);
    CU_ASSERT_EQUAL(sk_env_push(&e, "h", 1), SK_ETOOLARGE);
    CU_ASSERT_STRING_EQUAL(sk_env_kind_name(SK_ENV_PING), "PING");
    CU_ASSERT_STRING_EQUAL(sk_env_kind_name(99), "?");
}

int main(void)
{
    static const bt_test tests[] = {{"roundtrip", test_roundtrip},
                                    {"hand-written frame", test_hand_frame},
                                    {"rejects malformed fields", test_rejects},
                                    {"limits", test_limits},
                                    {NULL, NULL}};
    return bt_run_suite("bus envelope", tests);
}
