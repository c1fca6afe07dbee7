/* Counts (and on request fails) the allocations of code linked into this
 * test executable, through the linker's --wrap: it proves the decoder never
 * allocates and lets the writer's -ENOMEM paths run without huge mallocs. */
#ifndef SKIFF_TEST_ALLOC_HOOK_H
#define SKIFF_TEST_ALLOC_HOOK_H

#include <stddef.h>

/* Allocations (malloc, calloc, realloc) since the last reset. */
extern size_t sk_test_allocs;
/* When > 0, the n-th next allocation fails (1 = the very next one). */
extern size_t sk_test_fail_at;

#endif
