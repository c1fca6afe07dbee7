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
    return sk_cunit_run(suite, NULL, NULL, cases);
}
