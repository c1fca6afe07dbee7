/* Helpers shared by the config suites: parse from a string, and compare an
 * error message exactly while showing both sides when they differ. */
#ifndef SKIFF_TEST_CFG_TEST_H
#define SKIFF_TEST_CFG_TEST_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "../sk_cunit.h"
#include "config.h"
#include "skiff/errors.h"

#define CFG_NAME "t.yaml"

static inline sk_cfg *cfg_parse(const char *text)
{
    sk_cfg *root = NULL;
    char err[1024] = "";
    int rc = sk_cfg_parse_string(CFG_NAME, text, strlen(text), &root, err, sizeof err);
    if (rc)
        fprintf(stderr, "\nunexpected parse error: %s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    return root;
}

#define EXPECT_ERR(got, want)                                                        \
    do {                                                                             \
        if (strcmp((got), (want)) != 0)                                              \
            fprintf(stderr, "\n%s:%d:\n  want: %s\n  got:  %s\n", __FILE__, __LINE__, \
                    (want), (got));                                                  \
        CU_ASSERT_STRING_EQUAL((got), (want));                                       \
    } while (0)

/* Parsing text fails with SK_ECONFIG and exactly the message want. */
#define EXPECT_PARSE_ERR(text, want)                                                  \
    do {                                                                              \
        sk_cfg *r_ = NULL;                                                            \
        char e_[1024] = "";                                                           \
        int rc_ = sk_cfg_parse_string(CFG_NAME, (text), strlen(text), &r_, e_, sizeof e_); \
        CU_ASSERT_EQUAL(rc_, SK_ECONFIG);                                             \
        CU_ASSERT_PTR_NULL(r_);                                                       \
        EXPECT_ERR(e_, (want));                                                       \
        sk_cfg_free(&r_);                                                             \
    } while (0)

typedef sk_cunit_case cfg_test;

/* Runs one suite; the process exit code (0 only if every test passed). */
static inline int cfg_run_suite(const char *suite, const cfg_test *tests)
{
    return sk_cunit_run(suite, NULL, NULL, tests);
}

#endif
