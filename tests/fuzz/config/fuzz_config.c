/* Feeds arbitrary bytes through everything a config file reaches: the YAML
 * parser, the host schema, a plugin option table and every accessor. An
 * input whose first line is "#set PATH=VALUE" (a comment to YAML) also
 * exercises sk_cfg_set on the parsed tree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "host_config.h"

static const sk_option opts[] = {
    {"quota", SK_OPT_INT, NULL, NULL},    {"period", SK_OPT_DURATION, NULL, NULL},
    {"ratio", SK_OPT_DOUBLE, NULL, NULL}, {"on", SK_OPT_BOOL, NULL, NULL},
    {"dir", SK_OPT_STRING, NULL, NULL},   {"peers", SK_OPT_LIST, NULL, NULL},
    {"tls", SK_OPT_MAP, NULL, NULL},      {NULL, 0, NULL, NULL},
};

/* Reads every node; depth is bounded by the parser's nesting limit. */
static size_t walk(const sk_cfg *n)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    int64_t i;
    double d;
    int b;
    size_t sum = strlen(api->where(n)) + (size_t)api->type(n);
    const char *s = api->str(n);
    if (s) {
        sum += strlen(s);
        sum += (size_t)(api->to_int(n, &i) == 0) + (size_t)(api->to_double(n, &d) == 0) +
               (size_t)(api->to_bool(n, &b) == 0) + (size_t)(api->to_duration_ms(n, &i) == 0);
        sum += api->get(n, s) != NULL;
    }
    for (size_t k = 0; k < api->len(n); k++) {
        const char *key = api->key(n, k);
        if (key) {
            sum += strlen(sk_cfg_key_where(n, k));
            sum += api->get(n, key) != NULL;
        }
        sum += walk(api->at(n, k));
    }
    return sum;
}

static void try_set(sk_cfg *root, const uint8_t *data, size_t size)
{
    static const char tag[] = "#set ";
    if (size < sizeof tag - 1 || memcmp(data, tag, sizeof tag - 1) != 0)
        return;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t len = (nl ? (size_t)(nl - data) : size) - (sizeof tag - 1);
    char *assignment = malloc(len + 1);
    if (!assignment)
        return;
    memcpy(assignment, data + sizeof tag - 1, len);
    assignment[len] = '\0';
    char err[256];
    (void)sk_cfg_set(root, assignment, err, sizeof err);
    free(assignment);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_cfg *root = NULL;
    char err[512];
    if (sk_cfg_parse_string("fuzz.yaml", (const char *)data, size, &root, err, sizeof err))
        return 0;
    try_set(root, data, size);
    volatile size_t sink = walk(root);
    (void)sink;
    (void)sk_cfg_check_options(root, opts, "fuzz", err, sizeof err);
    sk_host_config hc;
    if (sk_host_config_parse(root, &hc, err, sizeof err) == 0) {
        for (size_t i = 0; i < hc.nplugins; i++)
            (void)sk_cfg_check_options(hc.plugins[i].config, opts, hc.plugins[i].name, err,
                                       sizeof err);
        sk_host_config_free(&hc);
    }
    sk_cfg_free(&root);
    return 0;
}
