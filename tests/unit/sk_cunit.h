/* The CUnit runner shared by the unit suites: one suite per executable,
 * its tests in a {name, fn} table ending in {NULL, NULL}, run verbosely
 * through the basic interface. Header-only so helper libraries that do not
 * otherwise need CUnit's runner can include it. */
#ifndef SK_CUNIT_H
#define SK_CUNIT_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

typedef struct sk_cunit_case {
    const char *name;
    CU_TestFunc fn;
} sk_cunit_case;

/* Runs suite_name (with optional init/clean, may be NULL) over cases and
 * returns the process exit code: 0 when every test passed, 1 on any failed
 * assertion or test, 2 when CUnit itself failed (registry, suite, test). */
static inline int sk_cunit_run(const char *suite_name, CU_InitializeFunc init,
                               CU_CleanupFunc clean, const sk_cunit_case *cases)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite_name, init, clean);
    if (!s) {
        CU_cleanup_registry();
        return 2;
    }
    for (const sk_cunit_case *c = cases; c->name; c++) {
        if (!CU_add_test(s, c->name, c->fn)) {
            CU_cleanup_registry();
            return 2;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_ErrorCode rc = CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
                      CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    if (rc != CUE_SUCCESS)
        return 2;
    return failed ? 1 : 0;
}

#endif
