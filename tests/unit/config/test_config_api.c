/* The read API plugins get (sk_cfg_api), command-line overrides
 * (sk_cfg_set) and plugin option tables (sk_cfg_check_options). */
#include <errno.h>
#include <stdint.h>

#include "cfg_test.h"

static const sk_cfg_api *api = &sk_cfg_api_impl;

/* The scalar of a one-key document "v: <text>". */
static sk_cfg *scalar_doc(const char *text, const sk_cfg **v)
{
    char doc[256];
    snprintf(doc, sizeof doc, "v: %s\n", text);
    sk_cfg *root = cfg_parse(doc);
    *v = api->get(root, "v");
    return root;
}

static void expect_int(const char *text, int64_t want)
{
    const sk_cfg *v;
    sk_cfg *root = scalar_doc(text, &v);
    int64_t got = -1;
    int rc = api->to_int(v, &got);
    if (rc || got != want)
        fprintf(stderr, "\nto_int(%s): rc %d, got %lld\n", text, rc, (long long)got);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(got, want);
    sk_cfg_free(&root);
}

static void expect_not_int(const char *text)
{
    const sk_cfg *v;
    sk_cfg *root = scalar_doc(text, &v);
    int64_t got = 77;
    int rc = api->to_int(v, &got);
    if (rc != SK_ECONFIG)
        fprintf(stderr, "\nto_int(%s) should fail, got %lld\n", text, (long long)got);
    CU_ASSERT_EQUAL(rc, SK_ECONFIG);
    CU_ASSERT_EQUAL(got, 77); /* untouched on failure */
    sk_cfg_free(&root);
}

static void test_to_int(void)
{
    expect_int("0", 0);
    expect_int("42", 42);
    expect_int("-5", -5);
    expect_int("+7", 7);
    expect_int("007", 7);
    expect_int("2k", 2000);
    expect_int("3M", 3000000);
    expect_int("1G", 1000000000);
    expect_int("2T", 2000000000000LL);
    expect_int("2Ki", 2048);
    expect_int("1Mi", 1048576);
    expect_int("2Gi", 2147483648LL);
    expect_int("-1Ki", -1024);
    expect_int("7Ei", 7LL << 60);
    expect_int("9223372036854775807", INT64_MAX);
    expect_int("-9223372036854775808", INT64_MIN);
    expect_int("'12'", 12); /* quoting does not matter */
    expect_not_int("9223372036854775808");
    expect_not_int("-9223372036854775809");
    expect_not_int("99999999999999999999999");
    expect_not_int("8Ei");
    expect_not_int("9223372036854775807k");
    expect_not_int("abc");
    expect_not_int("1.5");
    expect_not_int("1K");
    expect_not_int("1ki");
    expect_not_int("1 k");
    expect_not_int("'1 '");
    expect_not_int("' 1'");
    expect_not_int("'-'");
    expect_not_int("''");
    expect_not_int("0x10");
    expect_not_int("[1]");
}

static void test_to_double(void)
{
    const char *good[] = {"1.5", "-2e3", "0", ".25", "7"};
    const double want[] = {1.5, -2000.0, 0.0, 0.25, 7.0};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const sk_cfg *v;
        sk_cfg *root = scalar_doc(good[i], &v);
        double d = -1;
        CU_ASSERT_EQUAL(api->to_double(v, &d), 0);
        CU_ASSERT_DOUBLE_EQUAL(d, want[i], 1e-12);
        sk_cfg_free(&root);
    }
    const char *bad[] = {"abc", "inf", "nan", "1e999", "' 1'", "1.5x", "''", "{}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const sk_cfg *v;
        sk_cfg *root = scalar_doc(bad[i], &v);
        double d = 3;
        CU_ASSERT_EQUAL(api->to_double(v, &d), SK_ECONFIG);
        CU_ASSERT_EQUAL(d, 3);
        sk_cfg_free(&root);
    }
}

static void test_to_bool(void)
{
    const char *yes[] = {"true", "True", "YES", "yes", "on", "On"};
    const char *no[] = {"false", "FALSE", "no", "No", "off", "OFF"};
    const char *bad[] = {"1", "0", "y", "maybe", "''", "[true]"};
    for (size_t i = 0; i < 6; i++) {
        const sk_cfg *v;
        int b = -1;
        sk_cfg *root = scalar_doc(yes[i], &v);
        CU_ASSERT_EQUAL(api->to_bool(v, &b), 0);
        CU_ASSERT_EQUAL(b, 1);
        sk_cfg_free(&root);
        root = scalar_doc(no[i], &v);
        CU_ASSERT_EQUAL(api->to_bool(v, &b), 0);
        CU_ASSERT_EQUAL(b, 0);
        sk_cfg_free(&root);
        b = 5;
        root = scalar_doc(bad[i], &v);
        CU_ASSERT_EQUAL(api->to_bool(v, &b), SK_ECONFIG);
        CU_ASSERT_EQUAL(b, 5);
        sk_cfg_free(&root);
    }
}

static void test_to_duration(void)
{
    static const struct {
        const char *text;
        int64_t ms;
    } good[] = {{"250ms", 250}, {"5s", 5000},      {"2m", 120000},  {"1h", 3600000},
                {"1d", 86400000}, {"1500", 1500},  {"0", 0},        {"1m30s", 90000},
                {"1h2m3s4ms", 3723004}, {"1.5s", 1500}, {"0.25m", 15000}, {"1.0001s", 1000}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const sk_cfg *v;
        int64_t ms = -1;
        sk_cfg *root = scalar_doc(good[i].text, &v);
        CU_ASSERT_EQUAL(api->to_duration_ms(v, &ms), 0);
        if (ms != good[i].ms)
            fprintf(stderr, "\nduration %s: got %lld\n", good[i].text, (long long)ms);
        CU_ASSERT_EQUAL(ms, good[i].ms);
        sk_cfg_free(&root);
    }
    const char *bad[] = {"abc", "5x", "-5s", "''", "s", "1.s", "5 s", "1.5", "ms",
                         "99999999999999999999ms", "9999999999999h", "{}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const sk_cfg *v;
        int64_t ms = 9;
        sk_cfg *root = scalar_doc(bad[i], &v);
        CU_ASSERT_EQUAL(api->to_duration_ms(v, &ms), SK_ECONFIG);
        CU_ASSERT_EQUAL(ms, 9);
        sk_cfg_free(&root);
    }
}

static void test_paths(void)
{
    sk_cfg *root = cfg_parse("plugins:\n"
                             "  - name: store\n"
                             "    config: {peers: [{endpoint: a}, {endpoint: b}]}\n"
                             "  - name: api\n"
                             "k.with.dots: 1\n");
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "plugins.1.name")), "api");
    const sk_cfg *b = api->get(root, "plugins.0.config.peers.1.endpoint");
    CU_ASSERT_STRING_EQUAL(api->str(b), "b");
    CU_ASSERT_STRING_EQUAL(api->where(b), "t.yaml:3:48");
    CU_ASSERT_PTR_EQUAL(api->get(root, ""), root);
    CU_ASSERT_PTR_EQUAL(api->get(api->get(root, "plugins"), "0"), api->get(root, "plugins.0"));
    const char *absent[] = {"plugins.2",       "plugins.-1", "plugins.x",  "plugins.01x",
                            "plugins..0",      "plugins.",   ".plugins",   "nope",
                            "plugins.0.name.x", "k.with.dots", "plugins.99999999999999999999999"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        CU_ASSERT_PTR_NULL(api->get(root, absent[i]));
    /* keys with dots are still reachable by iteration */
    CU_ASSERT_STRING_EQUAL(api->key(root, 1), "k.with.dots");
    CU_ASSERT_STRING_EQUAL(api->str(api->at(root, 1)), "1");
    sk_cfg_free(&root);
}

static void test_shape_accessors(void)
{
    sk_cfg *root = cfg_parse("m: {a: 1, b: [x, y]}\ns: text\n");
    const sk_cfg *m = api->get(root, "m"), *s = api->get(root, "s");
    CU_ASSERT_EQUAL(api->type(m), SK_CFG_MAP);
    CU_ASSERT_EQUAL(api->type(s), SK_CFG_SCALAR);
    CU_ASSERT_EQUAL(api->type(api->get(m, "b")), SK_CFG_LIST);
    CU_ASSERT_EQUAL(api->len(m), 2);
    CU_ASSERT_EQUAL(api->len(s), 0);
    CU_ASSERT_STRING_EQUAL(api->key(m, 1), "b");
    CU_ASSERT_PTR_NULL(api->key(m, 2));
    CU_ASSERT_PTR_NULL(api->at(m, 2));
    CU_ASSERT_PTR_NULL(api->at(s, 0));
    CU_ASSERT_PTR_NULL(api->key(s, 0));
    CU_ASSERT_PTR_NULL(api->str(m));
    CU_ASSERT_STRING_EQUAL(api->where(m), "t.yaml:1:4");
    CU_ASSERT_STRING_EQUAL(sk_cfg_key_where(m, 1), "t.yaml:1:11");
    CU_ASSERT_STRING_EQUAL(sk_cfg_key_where(m, 2), "<unknown>");
    CU_ASSERT_STRING_EQUAL(sk_cfg_key_where(s, 0), "<unknown>");
    CU_ASSERT_EQUAL(api->size, sizeof(sk_cfg_api));
    sk_cfg_free(&root);
}

static void test_null_safety(void)
{
    int64_t i;
    double d;
    int b;
    CU_ASSERT_PTR_NULL(api->get(NULL, "a"));
    sk_cfg *root = cfg_parse("a: 1\n");
    CU_ASSERT_PTR_NULL(api->get(root, NULL));
    sk_cfg_free(&root);
    CU_ASSERT_EQUAL(api->type(NULL), SK_CFG_NULL);
    CU_ASSERT_PTR_NULL(api->str(NULL));
    CU_ASSERT_EQUAL(api->to_int(NULL, &i), SK_ECONFIG);
    CU_ASSERT_EQUAL(api->to_double(NULL, &d), SK_ECONFIG);
    CU_ASSERT_EQUAL(api->to_bool(NULL, &b), SK_ECONFIG);
    CU_ASSERT_EQUAL(api->to_duration_ms(NULL, &i), SK_ECONFIG);
    CU_ASSERT_EQUAL(api->len(NULL), 0);
    CU_ASSERT_PTR_NULL(api->at(NULL, 0));
    CU_ASSERT_PTR_NULL(api->key(NULL, 0));
    CU_ASSERT_STRING_EQUAL(api->where(NULL), "<unknown>");
    const sk_cfg *empty = sk_cfg_empty_map();
    CU_ASSERT_EQUAL(api->type(empty), SK_CFG_MAP);
    CU_ASSERT_EQUAL(api->len(empty), 0);
    CU_ASSERT_PTR_NULL(api->get(empty, "x"));
    CU_ASSERT_PTR_NOT_NULL(api->where(empty));
    root = cfg_parse("v: 5\n");
    CU_ASSERT_EQUAL(api->to_int(api->get(root, "v"), NULL), SK_ECONFIG);
    sk_cfg_free(&root);
}

/* ---- sk_cfg_set --------------------------------------------------------- */

static int set(sk_cfg *root, const char *assignment, char *err, size_t errlen)
{
    err[0] = '\0';
    return sk_cfg_set(root, assignment, err, errlen);
}

static void test_set_new_and_replace(void)
{
    sk_cfg *root = cfg_parse("plugins:\n  - name: store\n    config: {quota: 1Gi}\nlog: {}\n");
    char err[512];
    CU_ASSERT_EQUAL(set(root, "plugins.0.config.quota=2Gi", err, sizeof err), 0);
    const sk_cfg *q = api->get(root, "plugins.0.config.quota");
    int64_t v = 0;
    CU_ASSERT_EQUAL(api->to_int(q, &v), 0);
    CU_ASSERT_EQUAL(v, 2LL << 30);
    CU_ASSERT_STRING_EQUAL(api->where(q), "--set plugins.0.config.quota");
    CU_ASSERT_EQUAL(api->len(api->get(root, "plugins.0.config")), 1);

    /* missing levels are created, each node says where it came from */
    CU_ASSERT_EQUAL(set(root, "bus.curve.public_key=abc", err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "bus.curve.public_key")), "abc");
    CU_ASSERT_STRING_EQUAL(api->where(api->get(root, "bus")), "--set bus.curve.public_key");
    CU_ASSERT_STRING_EQUAL(api->where(api->get(root, "bus.curve")),
                           "--set bus.curve.public_key");
    CU_ASSERT_STRING_EQUAL(api->key(root, 2), "bus");
    CU_ASSERT_STRING_EQUAL(sk_cfg_key_where(root, 2), "--set bus.curve.public_key");
    CU_ASSERT_EQUAL(set(root, "log.level=debug", err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "log.level")), "debug");

    /* a flow collection replaces a scalar, and a scalar a map */
    CU_ASSERT_EQUAL(set(root, "plugins.0.config.peers=[a, {x: 1}]", err, sizeof err), 0);
    const sk_cfg *peers = api->get(root, "plugins.0.config.peers");
    CU_ASSERT_EQUAL(api->type(peers), SK_CFG_LIST);
    CU_ASSERT_EQUAL(api->len(peers), 2);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(peers, "1.x")), "1");
    CU_ASSERT_STRING_EQUAL(api->where(api->get(peers, "1.x")), "--set plugins.0.config.peers");
    CU_ASSERT_EQUAL(set(root, "plugins.0.config={}", err, sizeof err), 0);
    CU_ASSERT_EQUAL(api->len(api->get(root, "plugins.0.config")), 0);
    CU_ASSERT_EQUAL(set(root, "plugins.0.name='a=b: c'", err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "plugins.0.name")), "a=b: c");
    sk_cfg_free(&root);
}

static void test_set_list_items(void)
{
    sk_cfg *root = cfg_parse("l: [a, b, ~]\n");
    char err[512];
    CU_ASSERT_EQUAL(set(root, "l.1=B", err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "l.1")), "B");
    CU_ASSERT_EQUAL(api->len(api->get(root, "l")), 3);
    /* a null item becomes a map when a key is set below it */
    CU_ASSERT_EQUAL(set(root, "l.2.k=v", err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "l.2.k")), "v");
    CU_ASSERT_EQUAL(set(root, "l.3=c", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set l.3: no item '3' in the list at t.yaml:1:4 (it has 3)");
    CU_ASSERT_EQUAL(set(root, "l.x=c", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set l.x: no item 'x' in the list at t.yaml:1:4 (it has 3)");
    sk_cfg_free(&root);
}

static void test_set_clears_with_empty_value(void)
{
    sk_cfg *root = cfg_parse("stop_timeout: 5s\n");
    char err[256];
    CU_ASSERT_EQUAL(set(root, "stop_timeout=", err, sizeof err), 0);
    CU_ASSERT_PTR_NULL(api->get(root, "stop_timeout"));
    CU_ASSERT_EQUAL(api->len(root), 1);
    /* null in the way is replaced by a map */
    CU_ASSERT_EQUAL(set(root, "stop_timeout.x=1", err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "stop_timeout.x")), "1");
    sk_cfg_free(&root);
}

static void test_set_errors(void)
{
    sk_cfg *root = cfg_parse("a: {b: 1}\n");
    char err[512];
    CU_ASSERT_EQUAL(set(root, "novalue", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set 'novalue': expected PATH=VALUE, PATH being dot-separated keys or "
                    "list indices (at most 63)");
    CU_ASSERT_EQUAL(set(root, "=1", err, sizeof err), SK_ECONFIG);
    CU_ASSERT_EQUAL(set(root, "a..b=1", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set 'a..b=1': expected PATH=VALUE, PATH being dot-separated keys or "
                    "list indices (at most 63)");
    CU_ASSERT_EQUAL(set(root, ".a=1", err, sizeof err), SK_ECONFIG);
    CU_ASSERT_EQUAL(set(root, "a.=1", err, sizeof err), SK_ECONFIG);
    CU_ASSERT_EQUAL(set(root, "a.b.c=1", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set a.b.c: cannot set 'c' inside the scalar at t.yaml:1:8");
    CU_ASSERT_EQUAL(set(root, "a.b=[1, 2", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set a.b: did not find expected ',' or ']' (while parsing a flow sequence "
                    "at column 1 of the value) (at the end of the value)");
    CU_ASSERT_EQUAL(set(root, "a.b=x: y", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set a.b: the value is a block mapping; use flow style ([a, b] or {k: v}) "
                    "or quote it (at column 1 of the value)");
    CU_ASSERT_EQUAL(set(root, "a.b=*x", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set a.b: aliases (*x) are not supported (at column 1 of the value)");
    CU_ASSERT_EQUAL(set(root, "a.b={k: 1, k: 2}", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set a.b: duplicate key 'k' in the value");
    /* failed assignments leave the tree as it was */
    CU_ASSERT_EQUAL(api->len(root), 1);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "a.b")), "1");
    CU_ASSERT_EQUAL(set(NULL, "a=1", err, sizeof err), -EINVAL);
    CU_ASSERT_EQUAL(set(root, NULL, err, sizeof err), -EINVAL);
    /* only a root may be changed: sub-nodes and the static empty map are not */
    CU_ASSERT_EQUAL(set((sk_cfg *)sk_cfg_empty_map(), "a=1", err, sizeof err), -EINVAL);
    sk_cfg_free(&root);

    root = cfg_parse("[1, 2]\n");
    CU_ASSERT_EQUAL(set(root, "0=1", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set '0=1': the config at t.yaml:1:1 is not a map");
    sk_cfg_free(&root);
}

static void test_set_depth(void)
{
    sk_cfg *root = cfg_parse("{}\n");
    char err[512], a[400];
    /* 63 path levels below the root map leave room for one more level */
    size_t used = 0;
    for (int i = 0; i < 63; i++)
        used += (size_t)snprintf(a + used, sizeof a - used, "%sk", i ? "." : "");
    snprintf(a + used, sizeof a - used, "=[[x]]");
    CU_ASSERT_EQUAL(set(root, a, err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k."
                    "k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k: nesting deeper "
                    "than 64 levels (at column 2 of the value)");
    snprintf(a + used, sizeof a - used, "=[x]");
    CU_ASSERT_EQUAL(set(root, a, err, sizeof err), 0);
    snprintf(a + used, sizeof a - used, ".k=x");
    CU_ASSERT_EQUAL(set(root, a, err, sizeof err), SK_ECONFIG);
    sk_cfg_free(&root);
}

/* ---- sk_cfg_check_options ---------------------------------------------- */

static const sk_option store_opts[] = {
    {"quota", SK_OPT_INT, "2Gi", "bytes the store may use"},
    {"compact_every", SK_OPT_DURATION, "5m", "compaction period"},
    {"ratio", SK_OPT_DOUBLE, "0.5", "fill ratio"},
    {"fsync", SK_OPT_BOOL, "true", "fsync each commit"},
    {"dir", SK_OPT_STRING, NULL, "where the data goes"},
    {"peers", SK_OPT_LIST, NULL, "other members"},
    {"tls", SK_OPT_MAP, NULL, "TLS settings"},
    {NULL, 0, NULL, NULL},
};

static int check(const char *text, char *err, size_t errlen)
{
    sk_cfg *root = cfg_parse(text);
    err[0] = '\0';
    int rc = sk_cfg_check_options(api->get(root, "config"), store_opts, "store", err, errlen);
    sk_cfg_free(&root);
    return rc;
}

static void test_check_options_good(void)
{
    char err[512];
    CU_ASSERT_EQUAL(check("config: {quota: 1Gi, compact_every: 10m, ratio: 0.7, fsync: off,"
                          " dir: /x, peers: [a], tls: {ca: x}}\n",
                          err, sizeof err),
                    0);
    CU_ASSERT_EQUAL(check("config: {}\n", err, sizeof err), 0);
    CU_ASSERT_EQUAL(check("config:\n", err, sizeof err), 0);
    CU_ASSERT_EQUAL(check("config: {quota: ~, dir: 5}\n", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sk_cfg_check_options(sk_cfg_empty_map(), store_opts, "s", err, sizeof err),
                    0);
    CU_ASSERT_EQUAL(sk_cfg_check_options(NULL, store_opts, "s", err, sizeof err), 0);
}

static void test_check_options_unknown_key(void)
{
    char err[512];
    CU_ASSERT_EQUAL(check("config:\n  quota: 1\n  qouta: 2\n", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:3:3: plugin 'store': unknown config key 'qouta' (known: quota, "
                    "compact_every, ratio, fsync, dir, peers, tls)");
    static const sk_option none[] = {{NULL, 0, NULL, NULL}};
    sk_cfg *root = cfg_parse("x: 1\n");
    CU_ASSERT_EQUAL(sk_cfg_check_options(root, none, "bare", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:1:1: plugin 'bare': unknown config key 'x' (known: none)");
    /* no table: the plugin checks its config itself */
    CU_ASSERT_EQUAL(sk_cfg_check_options(root, NULL, "bare", err, sizeof err), 0);
    sk_cfg_free(&root);
}

static void test_check_options_types(void)
{
    char err[512];
    CU_ASSERT_EQUAL(check("config: {quota: lots}\n", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:1:17: plugin 'store': config key 'quota' must be an integer "
                    "(suffixes k, M, G, Ki, Mi, Gi allowed), not 'lots'");
    CU_ASSERT_EQUAL(check("config:\n  compact_every: soon\n", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:2:18: plugin 'store': config key 'compact_every' must be a duration "
                    "(e.g. 250ms, 5s, 2m, 1h), not 'soon'");
    CU_ASSERT_EQUAL(check("config: {ratio: half}\n", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:1:17: plugin 'store': config key 'ratio' must be a number, not 'half'");
    CU_ASSERT_EQUAL(check("config: {fsync: 1}\n", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:1:17: plugin 'store': config key 'fsync' must be a boolean "
                    "(true/false, yes/no, on/off), not '1'");
    CU_ASSERT_EQUAL(check("config: {dir: [a]}\n", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:1:15: plugin 'store': config key 'dir' must be a string, not a list");
    CU_ASSERT_EQUAL(check("config: {peers: a}\n", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:1:17: plugin 'store': config key 'peers' must be a list, not 'a'");
    CU_ASSERT_EQUAL(check("config: {tls: []}\n", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:1:15: plugin 'store': config key 'tls' must be a map, not a list");
    CU_ASSERT_EQUAL(check("config: [quota]\n", err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:1:9: plugin 'store': config must be a map, not a list");
}

static void test_check_options_after_set(void)
{
    sk_cfg *root = cfg_parse("config: {quota: 1Gi}\n");
    char err[512];
    CU_ASSERT_EQUAL(set(root, "config.quota=many", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sk_cfg_check_options(api->get(root, "config"), store_opts, "store", err,
                                         sizeof err),
                    SK_ECONFIG);
    EXPECT_ERR(err, "--set config.quota: plugin 'store': config key 'quota' must be an integer "
                    "(suffixes k, M, G, Ki, Mi, Gi allowed), not 'many'");
    CU_ASSERT_EQUAL(set(root, "config.extra=1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(set(root, "config.quota=2Gi", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sk_cfg_check_options(api->get(root, "config"), store_opts, "store", err,
                                         sizeof err),
                    SK_ECONFIG);
    EXPECT_ERR(err, "--set config.extra: plugin 'store': unknown config key 'extra' (known: "
                    "quota, compact_every, ratio, fsync, dir, peers, tls)");
    sk_cfg_free(&root);
}

int main(void)
{
    static const cfg_test tests[] = {
        {"to_int", test_to_int},
        {"to_double", test_to_double},
        {"to_bool", test_to_bool},
        {"to_duration_ms", test_to_duration},
        {"paths with indices", test_paths},
        {"len, at, key, where", test_shape_accessors},
        {"NULL safety", test_null_safety},
        {"set: new keys and replacements", test_set_new_and_replace},
        {"set: list items", test_set_list_items},
        {"set: empty value clears", test_set_clears_with_empty_value},
        {"set: errors", test_set_errors},
        {"set: depth limit", test_set_depth},
        {"check_options: good", test_check_options_good},
        {"check_options: unknown key", test_check_options_unknown_key},
        {"check_options: wrong types", test_check_options_types},
        {"check_options after set", test_check_options_after_set},
        {NULL, NULL},
    };
    return cfg_run_suite("config-api", tests);
}
