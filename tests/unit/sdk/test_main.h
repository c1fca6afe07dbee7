/* One CUnit suite per executable: each test file lists its cases in
 * SK_TESTS and ends with SK_TEST_MAIN("suite"). */
#ifndef SKIFF_TEST_MAIN_H
#define SKIFF_TEST_MAIN_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

typedef struct sk_test_case {
    const char *name;
    void (*fn)(void);
} sk_test_case;

#define SK_TEST(fn) {#fn, fn}

static inline int sk_test_run(const char *suite, const sk_test_case *cases)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    if (!s) {
        CU_cleanup_registry();
        return 2;
    }
    for (const sk_test_case *c = cases; c->name; c++) {
        if (!CU_add_test(s, c->name, c->fn)) {
            CU_cleanup_registry();
            return 2;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

#define SK_TEST_MAIN(suite, ...)                                               \
    int main(void)                                                             \
    {                                                                          \
        static const sk_test_case cases[] = {__VA_ARGS__, {NULL, NULL}};       \
        return sk_test_run(suite, cases);                                      \
    }

#endif
