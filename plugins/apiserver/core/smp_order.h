/* apiserver core — list ordering for $setElementOrder in strategic merge
 * patches. */
#ifndef SK_SMP_ORDER_H
#define SK_SMP_ORDER_H

#include <jansson.h>

/* Reorders arr (the merged list) in place. before holds the list's
 * elements as they were before the merge (server order), plist the
 * patch's list (may be empty), order the $setElementOrder list, key the
 * merge key (NULL for primitive lists).
 *
 * Elements named by the patch or by order come in order's sequence;
 * elements only the server had keep their relative order and are
 * interleaved where the server had them, as Kubernetes does. 0 or
 * -ENOMEM (arr is then unchanged). */
int sk_smp_reorder(json_t *arr, const json_t *before, const json_t *plist, const json_t *order,
                   const char *key);

#endif
