/* The host suites' CUnit main: one suite from a {name, fn} table ending in
 * {NULL, NULL}, run verbosely. Header-only so sk-testutil (shared with the
 * hot-swap and TCP suites) needs no CUnit. */
#ifndef SK_SKT_SUITE_H
#define SK_SKT_SUITE_H

#include <CUnit/Basic.h>

typedef struct skt_case {
    const char *name;
    void (*fn)(void);
} skt_case;

/* The number of failed assertions, or -1 when CUnit cannot start. */
static inline int skt_run_suite(const char *suite, const skt_case *cases)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return -1;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    for (const skt_case *c = cases; c->name; c++)
        CU_add_test(s, c->name, c->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    int failed = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed;
}

#endif
