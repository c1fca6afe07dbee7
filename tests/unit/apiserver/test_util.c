#include "test_util.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *tj(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    if (!j) {
        fprintf(stderr, "bad JSON literal in test: %s: %s\n", e.text, text);
        abort();
    }
    return j;
}

char *tdump(const json_t *j)
{
    return j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

int tj_eq(const json_t *j, const char *expect)
{
    if (!j)
        return 0;
    json_t *e = tj(expect);
    char *a = tdump(j), *b = tdump(e);
    int same = a && b && strcmp(a, b) == 0;
    free(a);
    free(b);
    json_decref(e);
    return same;
}

int trun(const char *suite, const tcase *cases)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    if (!s)
        return 2;
    for (const tcase *c = cases; c->name; c++)
        if (!CU_add_test(s, c->name, c->fn))
            return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
