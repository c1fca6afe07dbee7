/* The host suites' CUnit main: one suite from a {name, fn} table ending in
 * {NULL, NULL}, run verbosely. Header-only so sk-testutil (shared with the
 * hot-swap and TCP suites) needs no CUnit. */
#ifndef SK_SKT_SUITE_H
#define SK_SKT_SUITE_H

#include "../sk_cunit.h"

typedef sk_cunit_case skt_case;

/* The process exit code: 0 when every test passed, non-zero otherwise. */
static inline int skt_run_suite(const char *suite, const skt_case *cases)
{
    return sk_cunit_run(suite, NULL, NULL, cases);
}

#endif
