/* YAML request bodies into jansson: the meaning of every kind of scalar
 * (as sigs.k8s.io/yaml gives it), nesting, anchors and merges, tags, and
 * the refusals with their line:column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "yaml_json.h"
#include "yaml_scalar.h"
#include "test_util.h"

/* Parses YAML that must convert, compared with a JSON literal. */
#define Y_EQ(yaml, lit)                                                                    \
    do {                                                                                   \
        json_t *y_ = NULL;                                                                 \
        sk_apierr e_ = {{0}};                                                              \
        int rc_ = sk_yaml_parse((yaml), strlen(yaml), NULL, &y_, &e_);                     \
        if (rc_)                                                                           \
            fprintf(stderr, "\n  %s:%d: %s\n", __FILE__, __LINE__, e_.msg);                \
        CU_ASSERT_EQUAL(rc_, 0);                                                           \
        if (y_)                                                                            \
            TJ_EQ(y_, lit);                                                                \
        json_decref(y_);                                                                   \
    } while (0)

/* Parses YAML that must fail with code and a message containing want. */
static void y_fail(const char *yaml, int code, const char *want)
{
    json_t *j = NULL;
    sk_apierr e = {{0}};
    int rc = sk_yaml_parse(yaml, strlen(yaml), NULL, &j, &e);
    if (rc != code || !strstr(e.msg, want))
        fprintf(stderr, "\n  %.60s: rc %d (want %d), \"%s\" (want \"%s\")\n", yaml, rc, code,
                e.msg, want);
    CU_ASSERT_EQUAL(rc, code);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));
    CU_ASSERT_PTR_NULL(j);
    json_decref(j);
}

static void test_null_and_bool(void)
{
    Y_EQ("[~, null, Null, NULL, '']", "[null,null,null,null,\"\"]");
    Y_EQ("a:\nb: ~", "{\"a\":null,\"b\":null}");
    Y_EQ("[true, True, TRUE, false, False, FALSE]", "[true,true,true,false,false,false]");
    /* YAML 1.1 booleans, as go-yaml v2 (and so kube-apiserver) reads them */
    Y_EQ("[yes, Yes, YES, no, No, NO, on, On, ON, off, Off, OFF, y, Y, n, N]",
         "[true,true,true,false,false,false,true,true,true,false,false,false,"
         "true,true,false,false]");
    /* other spellings are text */
    Y_EQ("[yEs, tRUE, nULL, 'yes', \"true\", ~x]",
         "[\"yEs\",\"tRUE\",\"nULL\",\"yes\",\"true\",\"~x\"]");
}

static void test_integers(void)
{
    Y_EQ("[0, 42, -17, +5, 1_000_000]", "[0,42,-17,5,1000000]");
    Y_EQ("[0x1F, 0X1f, -0x10, 0o17, 0O17, 0755, 0b101, -0b11]", "[31,31,-16,15,15,493,5,-3]");
    Y_EQ("[9223372036854775807, -9223372036854775808]",
         "[9223372036854775807,-9223372036854775808]");
    /* not integers: text, or (as in Go) a float */
    Y_EQ("[0x, 0xG, 12abc, 1-2, +, -, 08, 1_]",
         "[\"0x\",\"0xG\",\"12abc\",\"1-2\",\"+\",\"-\",8,1]");
    Y_EQ("2001-12-14", "\"2001-12-14\"");
    Y_EQ("v: 1.2.3", "{\"v\":\"1.2.3\"}");
    y_fail("18446744073709551615", SK_EBADMSG, "out of the 64-bit range");
    y_fail("a: 0x1FFFFFFFFFFFFFFFFFF", SK_EBADMSG, "line 1, column 4");
    /* a decimal beyond uint64 reads as a float, as in go-yaml */
    Y_EQ("99999999999999999999", "1e20");
}

static void test_floats(void)
{
    Y_EQ("[1.5, -0.25, .5, -.5, 1.5e-3, 2.5E+2]", "[1.5,-0.25,0.5,-0.5,0.0015,250]");
    /* integral floats come out as encoding/json writes them: integers */
    Y_EQ("[3.0, 1e3, 1., -0.0]", "[3,1000,1,0]");
    Y_EQ("[1e400, ._5, 1.5.5, .e1]", "[\"1e400\",\"._5\",\"1.5.5\",\".e1\"]");
    y_fail("x: .inf", SK_EBADMSG, "line 1, column 4: .inf cannot be represented in JSON");
    y_fail("[-.Inf]", SK_EBADMSG, "cannot be represented");
    y_fail("- .NaN", SK_EBADMSG, "cannot be represented");
}

static void test_strings(void)
{
    Y_EQ("[hello world, '123', \"1.5\", 'it''s', \"tab\\there\"]",
         "[\"hello world\",\"123\",\"1.5\",\"it's\",\"tab\\there\"]");
    /* an escaped NUL stays inside the string */
    json_t *j = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_yaml_parse("\"nul\\0x\"", 8, NULL, &j, NULL), 0);
    CU_ASSERT_EQUAL(json_string_length(j), 5);
    CU_ASSERT_EQUAL(memcmp(json_string_value(j), "nul\0x", 5), 0);
    json_decref(j);
    Y_EQ("s: \"\\u00e9\\U0001F600\"", "{\"s\":\"\\u00e9\\ud83d\\ude00\"}");
    Y_EQ("lit: |\n  line 1\n  42\nfold: >\n  a\n  b\nkeep: |+\n  x\n\nstrip: |-\n  y\n",
         "{\"lit\":\"line 1\\n42\\n\",\"fold\":\"a b\\n\",\"keep\":\"x\\n\\n\",\"strip\":\"y\"}");
    Y_EQ("url: http://x:80/a#b", "{\"url\":\"http://x:80/a#b\"}");
    Y_EQ("a: 1 # a comment\n# another\n", "{\"a\":1}");
}

static void test_nested(void)
{
    Y_EQ("apiVersion: apps/v1\n"
         "kind: Deployment\n"
         "metadata:\n"
         "  name: web\n"
         "  labels: {app: web, tier: \"1\"}\n"
         "spec:\n"
         "  replicas: 3\n"
         "  template:\n"
         "    spec:\n"
         "      containers:\n"
         "      - name: c\n"
         "        image: nginx:1.27\n"
         "        ports:\n"
         "        - containerPort: 80\n"
         "        args: [\"--a\", b]\n"
         "      - {name: d, image: busybox}\n"
         "  empty: {}\n"
         "  none: []\n",
         "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
         "\"labels\":{\"app\":\"web\",\"tier\":\"1\"}},\"spec\":{\"replicas\":3,\"template\":"
         "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\",\"ports\":"
         "[{\"containerPort\":80}],\"args\":[\"--a\",\"b\"]},{\"name\":\"d\",\"image\":"
         "\"busybox\"}]}},\"empty\":{},\"none\":[]}}");
    /* JSON is YAML */
    Y_EQ("{\"a\": [1, 2.5, \"x\", null, true], \"b\": {}}",
         "{\"a\":[1,2.5,\"x\",null,true],\"b\":{}}");
    /* the last of duplicate keys wins, where the first stood */
    Y_EQ("a: 1\nb: 2\na: 3", "{\"a\":3,\"b\":2}");
    /* no document at all */
    Y_EQ("# nothing here\n", "null");
    Y_EQ("---\nx: 1\n...\n", "{\"x\":1}");
}

static void test_keys(void)
{
    /* as sigs.k8s.io/yaml: int, float and bool keys become text (even a
     * key `y` or `n`: YAML 1.1 booleans) */
    Y_EQ("{y: 1, n: 2, x: 3}", "{\"true\":1,\"false\":2,\"x\":3}");
    Y_EQ("{1: a, 0x10: b, 1.5: c, 1e7: d, 0.0001: e, true: f, no: g, '2': h, .inf: i}",
         "{\"1\":\"a\",\"16\":\"b\",\"1.5\":\"c\",\"1e+07\":\"d\",\"0.0001\":\"e\","
         "\"true\":\"f\",\"false\":\"g\",\"2\":\"h\",\".inf\":\"i\"}");
    y_fail("a: 1\n~: 2\n", SK_EBADMSG, "line 2, column 1: map keys must be strings, not null");
    y_fail("? [a, b]\n: 1\n", SK_EBADMSG,
           "line 1, column 3: map keys must be strings, not sequences");
    y_fail("{? {a: 1}: x}", SK_EBADMSG, "not maps");
    y_fail("\"a\\0b\": 1", SK_EBADMSG, "NUL");
    y_fail("18446744073709551615: x", SK_EBADMSG, "map keys must be strings, not integers");
}

static void test_float_key_format(void)
{
    static const struct {
        double d;
        const char *want;
    } cases[] = {{1.5, "1.5"},     {3, "3"},          {100000, "100000"}, {1e6, "1e+06"},
                 {0.1, "0.1"},     {1e-5, "1e-05"},   {-0.0, "-0"},       {1234567, "1.234567e+06"},
                 {3.14159265358979, "3.1415927"}, {1e300, ".inf"}, {-1e300, "-.inf"}};
    char buf[48];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sk_yaml_float_key(cases[i].d, buf, sizeof buf);
        if (strcmp(buf, cases[i].want))
            fprintf(stderr, "\n  %g: %s, want %s\n", cases[i].d, buf, cases[i].want);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
    }
}

static void test_anchors(void)
{
    Y_EQ("base: &b {x: 1, list: [1, 2]}\ncopy: *b\nname: &n web\nagain: *n",
         "{\"base\":{\"x\":1,\"list\":[1,2]},\"copy\":{\"x\":1,\"list\":[1,2]},"
         "\"name\":\"web\",\"again\":\"web\"}");
    /* an alias is a copy: editing one leaves the other alone */
    json_t *j = NULL;
    const char *y = "a: &x {k: [1]}\nb: *x\n";
    CU_ASSERT_EQUAL_FATAL(sk_yaml_parse(y, strlen(y), NULL, &j, NULL), 0);
    json_t *a = json_object_get(j, "a"), *b = json_object_get(j, "b");
    CU_ASSERT_PTR_NOT_EQUAL(a, b);
    CU_ASSERT_PTR_NOT_EQUAL(json_object_get(a, "k"), json_object_get(b, "k"));
    json_array_append_new(json_object_get(b, "k"), json_integer(2));
    TJ_EQ(j, "{\"a\":{\"k\":[1]},\"b\":{\"k\":[1,2]}}");
    json_decref(j);
    /* a redefined anchor: later aliases see the latest */
    Y_EQ("[&a 1, *a, &a 2, *a]", "[1,1,2,2]");
    /* anchored keys, aliases as keys */
    Y_EQ("{&k key: 1, other: *k, *k : 2}", "{\"key\":2,\"other\":\"key\"}");
    y_fail("a: 1\nb: *nope\n", SK_EBADMSG, "line 2, column 4: unknown anchor \"nope\"");
    /* an anchor is usable only once complete, so it cannot contain itself */
    y_fail("a: &x [1, *x]\n", SK_EBADMSG, "unknown anchor");
}

static void test_merge_keys(void)
{
    Y_EQ("base: &b {x: 1, w: 2}\nd:\n  <<: *b\n  w: 3\n  z: 4\n",
         "{\"base\":{\"x\":1,\"w\":2},\"d\":{\"x\":1,\"w\":3,\"z\":4}}");
    /* go-yaml v2 merges in order: a merge after a key overrides it */
    Y_EQ("b: &b {w: 2}\nd: {w: 3, <<: *b}", "{\"b\":{\"w\":2},\"d\":{\"w\":2}}");
    /* of several maps the earlier win */
    Y_EQ("- &p {a: 1, b: 1}\n- &q {b: 2, c: 2}\n- <<: [*p, *q]\n",
         "[{\"a\":1,\"b\":1},{\"b\":2,\"c\":2},{\"b\":1,\"c\":2,\"a\":1}]");
    Y_EQ("{<<: {a: 1}, b: 2}", "{\"a\":1,\"b\":2}");
    /* a quoted `<<` is an ordinary key */
    Y_EQ("{'<<': {a: 1}}", "{\"<<\":{\"a\":1}}");
    y_fail("a: &s x\nb:\n  <<: *s\n", SK_EBADMSG,
           "map merge requires map or sequence of maps as the value");
    y_fail("b: {<<: [{a: 1}, 3]}", SK_EBADMSG, "map merge requires");
}

static void test_tags(void)
{
    Y_EQ("[!!str 123, !!str true, !!int \"42\", !!float 1, !!float 2.5, !!bool yes,"
         " !!null '', !!null ~]",
         "[\"123\",\"true\",42,1,2.5,true,null,null]");
    /* the non-specific tag and unknown tags leave text, as in go-yaml */
    Y_EQ("[! 12, !custom 12, !!timestamp 2001-12-14, !!map x]",
         "[\"12\",\"12\",\"2001-12-14\",\"x\"]");
    Y_EQ("!!map {a: !!seq [1]}", "{\"a\":[1]}");
    Y_EQ("%TAG !k! tag:yaml.org,2002:\n---\n!k!int \"7\"", "7");
    y_fail("a: !!int abc", SK_EBADMSG, "line 1, column 4: cannot decode !!str `abc` as a !!int");
    y_fail("!!bool 1", SK_EBADMSG, "cannot decode !!int `1` as a !!bool");
    y_fail("!!timestamp soon", SK_EBADMSG, "as a !!timestamp");
    y_fail("x: !!binary aGVsbG8=", SK_EBADMSG, "!!binary is not supported");
    y_fail("!!map [1]", SK_EBADMSG, "a sequence cannot be tagged !!map");
    y_fail("a: !!set {x, y}", SK_EBADMSG, "a mapping cannot be tagged !!set");
}

static void test_documents(void)
{
    Y_EQ("---\na: 1\n", "{\"a\":1}");
    /* a trailing separator is an empty document: tolerated */
    Y_EQ("a: 1\n---\n", "{\"a\":1}");
    y_fail("a: 1\n---\nb: 2\n", SK_EBADMSG,
           "line 2, column 1: a body must hold a single YAML document");
    y_fail("---\n---\nb: 2\n", SK_EBADMSG, "single YAML document");
    y_fail("a: 1\n...\n--- [x]\n", SK_EBADMSG, "single YAML document");
}

static void test_malformed(void)
{
    y_fail("a: b: c\n", SK_EBADMSG,
           "invalid YAML at line 1, column 5: mapping values are not allowed in this context");
    y_fail("a:\n  - 1\n - 2\n", SK_EBADMSG, "line 3, column 2:");
    y_fail("key: \"unterminated\n", SK_EBADMSG,
           "found unexpected end of stream (while scanning a quoted scalar at line 1, column 6)");
    /* libyaml puts the end of a stream without a final newline on the next line */
    y_fail("[1, 2", SK_EBADMSG, "line 2, column 1: did not find expected ',' or ']'");
    y_fail("a: 1\n\tb: 2\n", SK_EBADMSG, "line 2, column 1");
    y_fail("a: @x", SK_EBADMSG, "cannot start any token");
    /* invalid UTF-8 and control characters: reader errors, with a position */
    y_fail("a: 1\nb: \xff\n", SK_EBADMSG, "line 2, column 4: invalid leading UTF-8 octet");
    y_fail("a: \x01", SK_EBADMSG, "control characters are not allowed");
}

static void test_depth_limit(void)
{
    char text[512];
    size_t n = 0;
    for (int i = 0; i < SK_CONV_MAX_DEPTH; i++)
        text[n++] = '[';
    for (int i = 0; i < SK_CONV_MAX_DEPTH; i++)
        text[n++] = ']';
    text[n] = 0;
    json_t *j = NULL;
    CU_ASSERT_EQUAL(sk_yaml_parse(text, n, NULL, &j, NULL), 0);
    CU_ASSERT_EQUAL(sk_json_depth(j, 1000), SK_CONV_MAX_DEPTH);
    json_decref(j);
    memmove(text + 1, text, n + 1);
    text[0] = '[';
    strcat(text, "]");
    y_fail(text, SK_ETOOLARGE, "line 1, column 101: nested deeper than 100 levels");
    /* block style counts the same; an alias counts where it lands */
    sk_conv_limits lim = {3, SK_CONV_MAX_BYTES};
    const char *ok = "a:\n  b:\n    c: 1\n";
    CU_ASSERT_EQUAL(sk_yaml_parse(ok, strlen(ok), &lim, &j, NULL), 0);
    json_decref(j);
    const char *deep = "a:\n  b:\n    c:\n      d: 1\n";
    sk_apierr e;
    CU_ASSERT_EQUAL(sk_yaml_parse(deep, strlen(deep), &lim, &j, &e), SK_ETOOLARGE);
    const char *alias = "x: &x {y: {z: 1}}\nw: {v: *x}\n";
    CU_ASSERT_EQUAL(sk_yaml_parse(alias, strlen(alias), &lim, &j, &e), SK_ETOOLARGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "line 2, column 8: nested deeper than 3 levels"));
    /* the size limit */
    lim = (sk_conv_limits){SK_CONV_MAX_DEPTH, 4};
    CU_ASSERT_EQUAL(sk_yaml_parse("a: 12", 5, &lim, &j, &e), SK_ETOOLARGE);
    CU_ASSERT_PTR_NULL(j);
}

/* The classic "billion laughs": each level 10 aliases of the previous. */
static void test_alias_bomb(void)
{
    const char *bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                       "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                       "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                       "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                       "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                       "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                       "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    y_fail(bomb, SK_ETOOLARGE, "aliases expand past the limit");
    /* one long string aliased many times is charged by its length */
    size_t n = 1 << 20, len = 0;
    char *big = malloc(n + 200 * 4 + 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    len += (size_t)sprintf(big, "a: &s ");
    memset(big + len, 'x', n);
    len += n;
    len += (size_t)sprintf(big + len, "\nb: [");
    for (int i = 0; i < 200; i++)
        len += (size_t)sprintf(big + len, "*s,");
    big[len - 1] = ']';
    json_t *j = NULL;
    sk_apierr e;
    CU_ASSERT_EQUAL(sk_yaml_parse(big, len, NULL, &j, &e), SK_ETOOLARGE);
    CU_ASSERT_PTR_NULL(j);
    free(big);
    /* modest reuse is fine */
    Y_EQ("x: &x {a: 1}\nz: [*x, *x, *x]",
         "{\"x\":{\"a\":1},\"z\":[{\"a\":1},{\"a\":1},{\"a\":1}]}");
}

static void test_bad_arguments(void)
{
    json_t *j = NULL;
    CU_ASSERT_EQUAL(sk_yaml_parse(NULL, 0, NULL, &j, NULL), -EINVAL);
    CU_ASSERT_EQUAL(sk_yaml_parse("a", 1, NULL, NULL, NULL), -EINVAL);
    /* UTF-16 with a BOM is YAML too */
    const char u16[] = "\xff\xfe" "a\0:\0 \0" "1\0";
    CU_ASSERT_EQUAL(sk_yaml_parse(u16, sizeof u16 - 1, NULL, &j, NULL), 0);
    TJ_EQ(j, "{\"a\":1}");
    json_decref(j);
}

int main(void)
{
    static const tcase cases[] = {
        {"null_and_bool", test_null_and_bool},
        {"integers", test_integers},
        {"floats", test_floats},
        {"strings", test_strings},
        {"nested", test_nested},
        {"keys", test_keys},
        {"float_key_format", test_float_key_format},
        {"anchors", test_anchors},
        {"merge_keys", test_merge_keys},
        {"tags", test_tags},
        {"documents", test_documents},
        {"malformed", test_malformed},
        {"depth_limit", test_depth_limit},
        {"alias_bomb", test_alias_bomb},
        {"bad_arguments", test_bad_arguments},
        {NULL, NULL},
    };
    return trun("apiserver-yaml-json", cases);
}
