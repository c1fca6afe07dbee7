/* Test helper: relaxed JSON (bare keys and words, single or double
 * quotes) -> msgpack, so tests write Kubernetes objects readably:
 *   tj_mp("{metadata:{name:p1,uid:u1},spec:{containers:[{resources:"
 *         "{requests:{cpu:'500m'}}}]}}", &len)
 * Aborts the test binary on malformed input (a bug in the test). */
#ifndef SK_TEST_TJSON_H
#define SK_TEST_TJSON_H

#include <stddef.h>
#include <stdint.h>

/* malloc'd msgpack bytes of one value; *len gets their size. */
uint8_t *tj_mp(const char *json, size_t *len);
/* printf-style variant. */
uint8_t *tj_mpf(size_t *len, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
