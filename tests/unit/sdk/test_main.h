/* One CUnit suite per executable: each test file lists its cases in
 * SK_TESTS and ends with SK_TEST_MAIN("suite"). */
#ifndef SKIFF_TEST_MAIN_H
#define SKIFF_TEST_MAIN_H

#include "../sk_cunit.h"

typedef sk_cunit_case sk_test_case;

#define SK_TEST(fn) {#fn, fn}

static inline int sk_test_run(const char *suite, const sk_test_case *cases)
{
    return sk_cunit_run(suite, NULL, NULL, cases);
}

#define SK_TEST_MAIN(suite, ...)                                               \
    int main(void)                                                             \
    {                                                                          \
        static const sk_test_case cases[] = {__VA_ARGS__, {NULL, NULL}};       \
        return sk_test_run(suite, cases);                                      \
    }

#endif
