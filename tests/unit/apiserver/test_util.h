/* Helpers shared by the apiserver core's CUnit suites. */
#ifndef SK_API_TEST_UTIL_H
#define SK_API_TEST_UTIL_H

#include <CUnit/CUnit.h>
#include <jansson.h>

#include "../sk_cunit.h"

/* Parses a JSON literal; aborts the test program if it is not valid (the
 * literal is the test's own mistake, not the code under test's). */
json_t *tj(const char *text);
/* Compact, key-order-preserving dump (caller frees). */
char *tdump(const json_t *j);
/* True when j dumps exactly as the JSON literal `expect` does. */
int tj_eq(const json_t *j, const char *expect);
/* Runs one suite (NULL-terminated name/function pairs) and returns the
 * process exit code: 0 only if every test passed. */
typedef sk_cunit_case tcase;
int trun(const char *suite, const tcase *cases);

/* Asserts j equals the JSON literal, printing both on mismatch. */
#define TJ_EQ(j, lit)                                                                      \
    do {                                                                                   \
        if (!tj_eq((j), (lit))) {                                                          \
            char *got_ = tdump(j);                                                         \
            fprintf(stderr, "\n  %s:%d\n  got:    %s\n  expect: %s\n", __FILE__, __LINE__,  \
                    got_ ? got_ : "(null)", (lit));                                        \
            free(got_);                                                                    \
            CU_FAIL("JSON mismatch");                                                      \
        } else {                                                                           \
            CU_PASS("JSON equal");                                                         \
        }                                                                                  \
    } while (0)

#endif
