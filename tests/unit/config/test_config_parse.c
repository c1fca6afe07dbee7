/* Parsing YAML into the config tree: structure, positions, and every input
 * the parser refuses, each with its exact message and position. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "cfg_test.h"

static const sk_cfg_api *api = &sk_cfg_api_impl;

static void test_tree_and_positions(void)
{
    sk_cfg *root = cfg_parse("name: a\n"
                             "list:\n"
                             "  - x\n"
                             "  - {k: v, n: 2}\n"
                             "  - [1, 2]\n"
                             "quoted: \"two words\"\n");
    CU_ASSERT_EQUAL(api->type(root), SK_CFG_MAP);
    CU_ASSERT_EQUAL(api->len(root), 3);
    CU_ASSERT_STRING_EQUAL(api->key(root, 0), "name");
    CU_ASSERT_STRING_EQUAL(api->key(root, 1), "list");
    CU_ASSERT_STRING_EQUAL(api->key(root, 2), "quoted");
    CU_ASSERT_STRING_EQUAL(api->where(root), "t.yaml:1:1");
    CU_ASSERT_STRING_EQUAL(api->where(api->at(root, 0)), "t.yaml:1:7");
    CU_ASSERT_STRING_EQUAL(sk_cfg_key_where(root, 1), "t.yaml:2:1");

    const sk_cfg *list = api->get(root, "list");
    CU_ASSERT_EQUAL(api->type(list), SK_CFG_LIST);
    CU_ASSERT_EQUAL(api->len(list), 3);
    CU_ASSERT_STRING_EQUAL(api->where(list), "t.yaml:3:3");
    CU_ASSERT_STRING_EQUAL(api->str(api->at(list, 0)), "x");
    CU_ASSERT_STRING_EQUAL(api->where(api->at(list, 1)), "t.yaml:4:5");
    CU_ASSERT_STRING_EQUAL(api->where(api->get(root, "list.1.n")), "t.yaml:4:15");
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "list.2.1")), "2");
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "quoted")), "two words");
    CU_ASSERT_PTR_NULL(api->key(list, 0)); /* lists have no keys */
    sk_cfg_free(&root);
    CU_ASSERT_PTR_NULL(root);
}

static void test_columns_count_characters(void)
{
    sk_cfg *root = cfg_parse("\xc3\xa9t\xc3\xa9: \xe2\x82\xac\n");
    CU_ASSERT_STRING_EQUAL(api->where(api->at(root, 0)), "t.yaml:1:6");
    CU_ASSERT_STRING_EQUAL(api->str(api->at(root, 0)), "\xe2\x82\xac");
    sk_cfg_free(&root);
}

static void test_empty_document_is_empty_map(void)
{
    const char *empties[] = {"", "# only a comment\n", "---\n", "~\n", "---\n...\n"};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        sk_cfg *root = cfg_parse(empties[i]);
        CU_ASSERT_EQUAL(api->type(root), SK_CFG_MAP);
        CU_ASSERT_EQUAL(api->len(root), 0);
        CU_ASSERT_PTR_NOT_NULL(api->where(root));
        sk_cfg_free(&root);
    }
}

static void test_null_values_read_as_absent(void)
{
    sk_cfg *root = cfg_parse("a:\nb: ~\nc: null\nd: 'null'\ne: \"\"\n");
    CU_ASSERT_EQUAL(api->len(root), 5);
    CU_ASSERT_PTR_NULL(api->get(root, "a"));
    CU_ASSERT_PTR_NULL(api->get(root, "b"));
    CU_ASSERT_PTR_NULL(api->get(root, "c"));
    CU_ASSERT_EQUAL(api->type(api->at(root, 0)), SK_CFG_NULL);
    CU_ASSERT_PTR_NULL(api->str(api->at(root, 1)));
    CU_ASSERT_STRING_EQUAL(api->where(api->at(root, 2)), "t.yaml:3:4");
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "d")), "null"); /* quoted: a string */
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "e")), "");
    sk_cfg_free(&root);
}

static void test_syntax_errors(void)
{
    EXPECT_PARSE_ERR("a: b: c\n", "t.yaml:1:5: mapping values are not allowed in this context");
    EXPECT_PARSE_ERR("a: 1\nb: [1, 2\nc: 3\n",
                     "t.yaml:3:2: did not find expected ',' or ']' (while parsing a flow "
                     "sequence at line 2, column 4)");
    EXPECT_PARSE_ERR("a:\n  b: 1\n c: 2\n",
                     "t.yaml:3:2: did not find expected key (while parsing a block mapping "
                     "at line 1, column 1)");
    EXPECT_PARSE_ERR("a: \"open\n", "t.yaml:2:1: found unexpected end of stream (while "
                                    "scanning a quoted scalar at line 1, column 4)");
    EXPECT_PARSE_ERR("a:\tb\n\t- c\n", "t.yaml:2:1: found a tab character that violates "
                                       "indentation (while scanning a plain scalar at line 1, "
                                       "column 4)");
}

static void test_bad_encoding(void)
{
    EXPECT_PARSE_ERR("a: 1\nb: \xff\n", "t.yaml:2:4: invalid leading UTF-8 octet (#FF)");
    EXPECT_PARSE_ERR("a: \x01\n", "t.yaml:1:4: control characters are not allowed (#1)");
}

static void test_duplicate_keys(void)
{
    EXPECT_PARSE_ERR("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key 'a' (first at t.yaml:1:1)");
    EXPECT_PARSE_ERR("x:\n  k: 1\n  'k': 2\n",
                     "t.yaml:3:3: duplicate key 'k' (first at t.yaml:2:3)");
    EXPECT_PARSE_ERR("m: {b: 1, a: 2, b: 3, a: 4}\n",
                     "t.yaml:1:17: duplicate key 'b' (first at t.yaml:1:5)");
}

static void test_many_keys(void)
{
    /* thousands of keys go through the sorted duplicate check */
    size_t n = 5000, cap = n * 16 + 32, used = 0;
    char *text = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, cap - used, "k%zu: %zu\n", i, i);
    sk_cfg *root = cfg_parse(text);
    CU_ASSERT_EQUAL(api->len(root), n);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(root, "k4321")), "4321");
    sk_cfg_free(&root);
    snprintf(text + used, cap - used, "k2500: again\n");
    EXPECT_PARSE_ERR(text, "t.yaml:5001:1: duplicate key 'k2500' (first at t.yaml:2501:1)");
    free(text);
}

static void test_anchors_aliases_tags(void)
{
    EXPECT_PARSE_ERR("a: &x 1\nb: *x\n", "t.yaml:1:4: anchors (&x) are not supported");
    EXPECT_PARSE_ERR("a: 1\nb: *x\n", "t.yaml:2:4: aliases (*x) are not supported");
    EXPECT_PARSE_ERR("base: &b {k: 1}\n", "t.yaml:1:7: anchors (&b) are not supported");
    EXPECT_PARSE_ERR("a: !!str 5\n",
                     "t.yaml:1:4: tags (tag:yaml.org,2002:str) are not supported");
    EXPECT_PARSE_ERR("a: !local [1]\n", "t.yaml:1:4: tags (!local) are not supported");
}

static void test_non_scalar_keys(void)
{
    EXPECT_PARSE_ERR("? [a, b]\n: 1\n", "t.yaml:1:3: non-scalar map keys are not supported");
    EXPECT_PARSE_ERR("{a: 1, {b: 2}: 3}\n",
                     "t.yaml:1:8: non-scalar map keys are not supported");
}

static void test_multiple_documents(void)
{
    EXPECT_PARSE_ERR("a: 1\n---\nb: 2\n", "t.yaml:2:1: multiple documents are not supported");
    EXPECT_PARSE_ERR("---\na: 1\n...\n---\n",
                     "t.yaml:4:1: multiple documents are not supported");
}

static void test_nul_in_scalar(void)
{
    EXPECT_PARSE_ERR("a: \"x\\0y\"\n",
                     "t.yaml:1:4: NUL characters in scalars are not supported");
}

static char *nested(size_t depth)
{
    char *s = malloc(2 * depth + 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[2 * depth] = '\n';
    s[2 * depth + 1] = '\0';
    return s;
}

static void test_nesting_limit(void)
{
    char *ok = nested(64);
    sk_cfg *root = cfg_parse(ok);
    const sk_cfg *n = root;
    size_t depth = 0;
    while (api->type(n) == SK_CFG_LIST) {
        depth++;
        n = api->at(n, 0);
    }
    CU_ASSERT_EQUAL(depth, 64);
    sk_cfg_free(&root);
    free(ok);

    char *deep = nested(65);
    EXPECT_PARSE_ERR(deep, "t.yaml:1:65: nesting deeper than 64 levels");
    free(deep);

    char *huge = nested(100000); /* must not recurse or eat memory */
    EXPECT_PARSE_ERR(huge, "t.yaml:1:65: nesting deeper than 64 levels");
    free(huge);

    EXPECT_PARSE_ERR("a:\n b:\n  c:\n   d: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                     "[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
                     "t.yaml:4:67: nesting deeper than 64 levels");
}

static void test_size_limit(void)
{
    size_t len = ((size_t)4 << 20) + 1;
    char *big = malloc(len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, '#', len);
    sk_cfg *root = NULL;
    char err[256];
    int rc = sk_cfg_parse_string("big.yaml", big, len, &root, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_ECONFIG);
    EXPECT_ERR(err, "big.yaml: config is 4194305 bytes, over the limit of 4 MiB");
    CU_ASSERT_PTR_NULL(root);
    /* exactly at the limit is fine (all comment: an empty map) */
    big[0] = '\n';
    big[len - 2] = '\n';
    rc = sk_cfg_parse_string("big.yaml", big, len - 1, &root, err, sizeof err);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(api->len(root), 0);
    sk_cfg_free(&root);
    free(big);
}

static void test_parse_file(void)
{
    char path[] = "/tmp/skiff-cfg-test-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    const char text[] = "plugins:\n  - name: store\n    bad: [\n";
    CU_ASSERT_EQUAL_FATAL(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    sk_cfg *root = NULL;
    char err[512], want[512];
    CU_ASSERT_EQUAL(sk_cfg_parse_file(path, &root, err, sizeof err), SK_ECONFIG);
    snprintf(want, sizeof want,
             "%s:4:1: did not find expected node content (while parsing a flow node at line "
             "4, column 1)",
             path);
    EXPECT_ERR(err, want);

    fd = open(path, O_WRONLY | O_TRUNC);
    CU_ASSERT_FATAL(fd >= 0);
    const char good[] = "plugins:\n  - name: store\n";
    CU_ASSERT_EQUAL_FATAL(write(fd, good, sizeof good - 1), (ssize_t)(sizeof good - 1));
    close(fd);
    CU_ASSERT_EQUAL_FATAL(sk_cfg_parse_file(path, &root, err, sizeof err), 0);
    snprintf(want, sizeof want, "%s:2:11", path);
    CU_ASSERT_STRING_EQUAL(api->where(api->get(root, "plugins.0.name")), want);
    sk_cfg_free(&root);
    unlink(path);
}

static void test_parse_file_errors(void)
{
    sk_cfg *root = NULL;
    char err[512];
    CU_ASSERT_EQUAL(sk_cfg_parse_file("/nonexistent/skiff.yaml", &root, err, sizeof err),
                    -ENOENT);
    EXPECT_ERR(err, "cannot open /nonexistent/skiff.yaml: No such file or directory");
    CU_ASSERT_PTR_NULL(root);
    CU_ASSERT_EQUAL(sk_cfg_parse_file("/tmp", &root, err, sizeof err), -EISDIR);
    EXPECT_ERR(err, "cannot read /tmp: Is a directory");
    CU_ASSERT_EQUAL(sk_cfg_parse_file(NULL, &root, err, sizeof err), -EINVAL);
    CU_ASSERT_EQUAL(sk_cfg_parse_string("x", NULL, 3, &root, err, sizeof err), -EINVAL);
    CU_ASSERT_EQUAL(sk_cfg_parse_string("x", "a: 1", 4, NULL, err, sizeof err), -EINVAL);
    /* no error buffer at all is fine too */
    CU_ASSERT_EQUAL(sk_cfg_parse_string("x", "a: [", 4, &root, NULL, 0), SK_ECONFIG);
    sk_cfg_free(NULL);
    sk_cfg_free(&root);
}

static void test_unnamed_and_truncated(void)
{
    sk_cfg *root = NULL;
    char err[16];
    CU_ASSERT_EQUAL(sk_cfg_parse_string(NULL, "a: [", 4, &root, err, sizeof err), SK_ECONFIG);
    CU_ASSERT_STRING_EQUAL(err, "<string>:2:1: d"); /* cut to the buffer, still a string */
    CU_ASSERT_EQUAL(sk_cfg_parse_string(NULL, "a: 1", 4, &root, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(api->where(api->get(root, "a")), "<string>:1:4");
    sk_cfg_free(&root);
}

int main(void)
{
    static const cfg_test tests[] = {
        {"tree and positions", test_tree_and_positions},
        {"columns count characters", test_columns_count_characters},
        {"empty document is an empty map", test_empty_document_is_empty_map},
        {"null values read as absent", test_null_values_read_as_absent},
        {"syntax errors", test_syntax_errors},
        {"bad encoding", test_bad_encoding},
        {"duplicate keys", test_duplicate_keys},
        {"many keys", test_many_keys},
        {"anchors, aliases, tags", test_anchors_aliases_tags},
        {"non-scalar keys", test_non_scalar_keys},
        {"multiple documents", test_multiple_documents},
        {"NUL in scalar", test_nul_in_scalar},
        {"nesting limit", test_nesting_limit},
        {"size limit", test_size_limit},
        {"parse a file", test_parse_file},
        {"file errors", test_parse_file_errors},
        {"unnamed source, short buffer", test_unnamed_and_truncated},
        {NULL, NULL},
    };
    return cfg_run_suite("config-parse", tests);
}
