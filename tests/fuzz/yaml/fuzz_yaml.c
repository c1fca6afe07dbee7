/* libFuzzer target for the apiserver's YAML bodies (core/yaml_json.c).
 *
 * Arbitrary bytes go through sk_yaml_parse() with the default limits and
 * with tight ones. A refusal must come with a message and no value; a
 * value must respect the depth limit and survive what the apiserver does
 * next (JSON -> msgpack -> JSON, unchanged). The scalar resolver also gets
 * the raw bytes, which libyaml would never hand it (NULs, bad UTF-8). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <skiff/errors.h>

#include "json_mp.h"
#include "yaml_json.h"
#include "yaml_scalar.h"

static void roundtrip(const json_t *j)
{
    sk_mp_buf b;
    json_t *back = NULL;
    sk_mp_buf_init(&b);
    int rc = sk_json_to_mp(j, &b, NULL, NULL);
    if (rc == 0) {
        if (sk_mp_to_json(b.data, b.len, NULL, &back, NULL) != 0 || !json_equal(j, back))
            abort(); /* a converted body the store path cannot carry */
    } else if (rc != SK_ETOOLARGE && rc != -ENOMEM) {
        abort();
    }
    json_decref(back);
    sk_mp_buf_free(&b);
}

static void check(const uint8_t *data, size_t size, const sk_conv_limits *lim)
{
    json_t *j = NULL;
    sk_apierr err = {{0}};
    int max_depth = lim ? lim->max_depth : SK_CONV_MAX_DEPTH;
    int rc = sk_yaml_parse((const char *)data, size, lim, &j, &err);
    if (rc) {
        if (j || !err.msg[0] || (rc != SK_EBADMSG && rc != SK_ETOOLARGE && rc != -ENOMEM))
            abort();
        return;
    }
    if (!j || sk_json_depth(j, max_depth + 1) > max_depth)
        abort();
    roundtrip(j);
    json_decref(j);
}

static void scalar(const uint8_t *data, size_t size)
{
    static const char *const tags[] = {NULL, SK_YAML_TAG_PREFIX "int",
                                       SK_YAML_TAG_PREFIX "float", SK_YAML_TAG_PREFIX "bool",
                                       SK_YAML_TAG_PREFIX "timestamp", "!x"};
    sk_yscalar y;
    sk_apierr err;
    char key[48];
    const char *tag = tags[size % (sizeof tags / sizeof tags[0])];
    int rc = sk_yaml_scalar(tag, (const char *)data, size, tag == NULL, &y, &err);
    if (rc == 0 && y.kind == SK_YS_FLOAT)
        sk_yaml_float_key(y.d, key, sizeof key);
    else if (rc && rc != SK_EBADMSG && rc != -ENOMEM)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sk_conv_limits tight = {4, 4096};
    check(data, size, NULL);
    check(data, size, &tight);
    scalar(data, size);
    return 0;
}
