/* A CUnit main for a suite given as a table of {name, fn}. */
#ifndef SK_TEST_MAIN_H
#define SK_TEST_MAIN_H

#include "../sk_cunit.h"

typedef sk_cunit_case test_case;

static inline int run_suite(const char *suite, const test_case *tests)
{
    return sk_cunit_run(suite, NULL, NULL, tests);
}

#endif
