/* Test helper: an sk_cfg_api over a msgpack document, standing in for the
 * host's YAML config (a mock host for scheduler plugin tests). */
#ifndef SK_TEST_MPCFG_H
#define SK_TEST_MPCFG_H

#include "skiff/config.h"

typedef struct mpcfg mpcfg;

/* Parses relaxed JSON (tjson.h) into a config tree. */
mpcfg *mpcfg_new(const char *json);
void mpcfg_free(mpcfg *c);
const sk_cfg *mpcfg_root(mpcfg *c);
const sk_cfg_api *mpcfg_api(void);

#endif
