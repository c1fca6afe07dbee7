/* A CUnit main for a suite given as a table of {name, fn}. */
#ifndef SK_TEST_MAIN_H
#define SK_TEST_MAIN_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

static inline int run_suite(const char *suite, const test_case *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    for (const test_case *t = tests; s && t->name; t++)
        if (!CU_add_test(s, t->name, t->fn))
            return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

#endif
