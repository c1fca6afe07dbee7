/* The host schema (host/host_config.c): good configs with their defaults,
 * and every kind of mistake with its exact message and position. */
#include <stdlib.h>
#include <unistd.h>
#include <zmq.h>

#include "cfg_test.h"
#include "host_config.h"

static const sk_cfg_api *api = &sk_cfg_api_impl;

/* A key pair that belongs together, and a valid key of someone else. */
static char pub[41], sec[41];
static const char other_key[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

static int make_keys(void)
{
    return zmq_curve_keypair(pub, sec) == 0 ? 0 : -1;
}

static void expect_host_err(const char *text, const char *want)
{
    sk_cfg *root = cfg_parse(text);
    sk_host_config hc;
    char err[1024] = "";
    int rc = sk_host_config_parse(root, &hc, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SK_ECONFIG);
    EXPECT_ERR(err, want);
    CU_ASSERT_EQUAL(hc.nplugins, 0); /* nothing is left half-filled */
    CU_ASSERT_PTR_NULL(hc.node_name);
    sk_host_config_free(&hc);
    sk_cfg_free(&root);
}

static void test_full_example(void)
{
    char text[2048];
    snprintf(text, sizeof text,
             "node:\n"
             "  name: node-a\n"
             "data_dir: /var/lib/skiff\n"
             "log:\n"
             "  level: debug\n"
             "admin:\n"
             "  socket: /run/skiff.sock\n"
             "stop_timeout: 20s\n"
             "drain_timeout: 1m30s\n"
             "bus:\n"
             "  bind: [\"tcp://127.0.0.1:7400\", \"tcp://*:7402\"]\n"
             "  connect:\n"
             "    - endpoint: tcp://10.0.0.2:7401\n"
             "      server_key: \"%s\"\n"
             "  curve:\n"
             "    public_key: \"%s\"\n"
             "    secret_key: \"%s\"\n"
             "  authorized_keys: [\"%s\", \"%s\"]\n"
             "  hold_timeout: 2500ms\n"
             "plugins:\n"
             "  - name: store\n"
             "    path: /opt/skiff/etcd-store.so\n"
             "    config:\n"
             "      quota: 2Gi\n"
             "  - name: api-server\n",
             other_key, pub, sec, other_key, pub);
    sk_cfg *root = cfg_parse(text);
    sk_host_config hc;
    char err[512] = "";
    int rc = sk_host_config_parse(root, &hc, err, sizeof err);
    if (rc)
        fprintf(stderr, "\n%s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(hc.node_name, "node-a");
    CU_ASSERT_PTR_EQUAL(hc.bus.node_name, hc.node_name);
    CU_ASSERT_STRING_EQUAL(hc.data_dir, "/var/lib/skiff");
    CU_ASSERT_STRING_EQUAL(hc.log_level, "debug");
    CU_ASSERT_STRING_EQUAL(hc.admin_socket, "/run/skiff.sock");
    CU_ASSERT_EQUAL(hc.stop_timeout_ms, 20000);
    CU_ASSERT_EQUAL(hc.drain_timeout_ms, 90000);
    CU_ASSERT_EQUAL_FATAL(hc.bus.nbind, 2);
    CU_ASSERT_STRING_EQUAL(hc.bus.bind[0], "tcp://127.0.0.1:7400");
    CU_ASSERT_STRING_EQUAL(hc.bus.bind[1], "tcp://*:7402");
    CU_ASSERT_EQUAL_FATAL(hc.bus.nconnect, 1);
    CU_ASSERT_STRING_EQUAL(hc.bus.connect[0].endpoint, "tcp://10.0.0.2:7401");
    CU_ASSERT_STRING_EQUAL(hc.bus.connect[0].server_key, other_key);
    CU_ASSERT_STRING_EQUAL(hc.bus.public_key, pub);
    CU_ASSERT_STRING_EQUAL(hc.bus.secret_key, sec);
    CU_ASSERT_EQUAL_FATAL(hc.bus.nauthorized, 2);
    CU_ASSERT_STRING_EQUAL(hc.bus.authorized_keys[1], pub);
    CU_ASSERT_EQUAL(hc.bus.hold_timeout_ms, 2500);
    CU_ASSERT_EQUAL_FATAL(hc.nplugins, 2);
    CU_ASSERT_STRING_EQUAL(hc.plugins[0].name, "store");
    CU_ASSERT_STRING_EQUAL(hc.plugins[0].path, "/opt/skiff/etcd-store.so");
    CU_ASSERT_STRING_EQUAL(hc.plugins[0].where, "t.yaml:21:5");
    CU_ASSERT_PTR_EQUAL(hc.plugins[0].config, api->get(root, "plugins.0.config"));
    CU_ASSERT_STRING_EQUAL(api->str(api->get(hc.plugins[0].config, "quota")), "2Gi");
    CU_ASSERT_STRING_EQUAL(hc.plugins[1].name, "api-server");
    CU_ASSERT_PTR_NULL(hc.plugins[1].path);
    CU_ASSERT_PTR_EQUAL(hc.plugins[1].config, sk_cfg_empty_map());
    CU_ASSERT_STRING_EQUAL(hc.plugins[1].where, "t.yaml:25:5");
    sk_host_config_free(&hc);
    CU_ASSERT_PTR_NULL(hc.plugins);
    sk_host_config_free(&hc); /* twice is harmless */
    sk_cfg_free(&root);
}

static void test_minimal_and_defaults(void)
{
    sk_cfg *root = cfg_parse("plugins: []\n");
    sk_host_config hc;
    char err[512] = "", host[256] = "";
    CU_ASSERT_EQUAL_FATAL(sk_host_config_parse(root, &hc, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(gethostname(host, sizeof host), 0);
    for (char *p = host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    CU_ASSERT_STRING_EQUAL(hc.node_name, host);
    CU_ASSERT_PTR_EQUAL(hc.bus.node_name, hc.node_name);
    CU_ASSERT_PTR_NULL(hc.data_dir);
    CU_ASSERT_PTR_NULL(hc.log_level);
    CU_ASSERT_PTR_NULL(hc.admin_socket);
    CU_ASSERT_EQUAL(hc.stop_timeout_ms, 10000);
    CU_ASSERT_EQUAL(hc.drain_timeout_ms, 10000);
    CU_ASSERT_EQUAL(hc.bus.hold_timeout_ms, 10000);
    CU_ASSERT_EQUAL(hc.bus.nbind, 0);
    CU_ASSERT_EQUAL(hc.bus.nconnect, 0);
    CU_ASSERT_EQUAL(hc.bus.nauthorized, 0);
    CU_ASSERT_PTR_NULL(hc.bus.public_key);
    CU_ASSERT_EQUAL(hc.nplugins, 0);
    sk_host_config_free(&hc);
    sk_cfg_free(&root);
}

static void test_nulls_mean_defaults(void)
{
    sk_cfg *root = cfg_parse("node:\n"
                             "data_dir: ~\n"
                             "log: {level: }\n"
                             "stop_timeout:\n"
                             "bus: {bind: , curve: }\n"
                             "plugins:\n"
                             "  - name: a\n"
                             "    path:\n"
                             "    config:\n");
    sk_host_config hc;
    char err[512] = "";
    int rc = sk_host_config_parse(root, &hc, err, sizeof err);
    if (rc)
        fprintf(stderr, "\n%s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(hc.node_name);
    CU_ASSERT_PTR_NULL(hc.data_dir);
    CU_ASSERT_PTR_NULL(hc.log_level);
    CU_ASSERT_EQUAL(hc.stop_timeout_ms, 10000);
    CU_ASSERT_EQUAL(hc.bus.nbind, 0);
    CU_ASSERT_EQUAL_FATAL(hc.nplugins, 1);
    CU_ASSERT_PTR_NULL(hc.plugins[0].path);
    CU_ASSERT_PTR_EQUAL(hc.plugins[0].config, sk_cfg_empty_map());
    sk_host_config_free(&hc);
    sk_cfg_free(&root);
}

static void test_plugin_config_is_not_checked(void)
{
    sk_cfg *root = cfg_parse("plugins:\n"
                             "  - name: x\n"
                             "    config: {anything: [goes, {here: 1}], plugins: 5}\n");
    sk_host_config hc;
    char err[512] = "";
    CU_ASSERT_EQUAL(sk_host_config_parse(root, &hc, err, sizeof err), 0);
    CU_ASSERT_EQUAL(api->len(hc.plugins[0].config), 2);
    sk_host_config_free(&hc);
    sk_cfg_free(&root);
}

static void test_unknown_keys(void)
{
    expect_host_err("plugins: []\nnodes: {}\n",
                    "t.yaml:2:1: unknown key 'nodes' (known: node, data_dir, log, admin, "
                    "stop_timeout, drain_timeout, bus, plugins)");
    expect_host_err("bus:\n  bindd: []\nplugins: []\n",
                    "t.yaml:2:3: bus: unknown key 'bindd' (known: bind, connect, curve, "
                    "authorized_keys, hold_timeout)");
    expect_host_err("plugins:\n  - name: a\n    conf: {}\n",
                    "t.yaml:3:5: plugins[0]: unknown key 'conf' (known: name, path, config)");
    expect_host_err("node: {name: a, zone: b}\nplugins: []\n",
                    "t.yaml:1:17: node: unknown key 'zone' (known: name)");
    expect_host_err("log: {levl: info}\nplugins: []\n",
                    "t.yaml:1:7: log: unknown key 'levl' (known: level)");
    expect_host_err("admin: {path: /x}\nplugins: []\n",
                    "t.yaml:1:9: admin: unknown key 'path' (known: socket)");
    expect_host_err("bus:\n  curve: {public: x}\nplugins: []\n",
                    "t.yaml:2:11: bus.curve: unknown key 'public' (known: public_key, "
                    "secret_key)");
    expect_host_err("bus:\n  connect:\n    - {endpoint: 'tcp://a:1', key: x}\nplugins: []\n",
                    "t.yaml:3:31: bus.connect[0]: unknown key 'key' (known: endpoint, "
                    "server_key)");
}

static void test_wrong_types(void)
{
    expect_host_err("plugins: 5\n", "t.yaml:1:10: plugins: expected a list, got '5'");
    expect_host_err("plugins: {a: 1}\n", "t.yaml:1:10: plugins: expected a list, got a map");
    expect_host_err("plugins:\n", "t.yaml:1:9: plugins: expected a list, got null");
    expect_host_err("stop_timeout: abc\nplugins: []\n",
                    "t.yaml:1:15: stop_timeout: expected a duration (e.g. 250ms, 5s, 2m, 1h), "
                    "got 'abc'");
    expect_host_err("drain_timeout: [1s]\nplugins: []\n",
                    "t.yaml:1:16: drain_timeout: expected a duration (e.g. 250ms, 5s, 2m, "
                    "1h), got a list");
    expect_host_err("bus: []\nplugins: []\n", "t.yaml:1:6: bus: expected a map, got a list");
    expect_host_err("bus: {hold_timeout: -1s}\nplugins: []\n",
                    "t.yaml:1:21: bus.hold_timeout: expected a duration (e.g. 250ms, 5s, 2m, "
                    "1h), got '-1s'");
    expect_host_err("bus: {bind: 'tcp://x:1'}\nplugins: []\n",
                    "t.yaml:1:13: bus.bind: expected a list, got 'tcp://x:1'");
    expect_host_err("bus: {bind: [[x]]}\nplugins: []\n",
                    "t.yaml:1:14: bus.bind[0]: expected a string, got a list");
    expect_host_err("data_dir: [x]\nplugins: []\n",
                    "t.yaml:1:11: data_dir: expected a string, got a list");
    expect_host_err("data_dir: ''\nplugins: []\n", "t.yaml:1:11: data_dir: must not be empty");
    expect_host_err("node: {name: {}}\nplugins: []\n",
                    "t.yaml:1:14: node.name: expected a string, got a map");
    expect_host_err("node: x\nplugins: []\n", "t.yaml:1:7: node: expected a map, got 'x'");
    expect_host_err("plugins:\n  - store\n",
                    "t.yaml:2:5: plugins[0]: expected a map with at least 'name', got 'store'");
    expect_host_err("plugins:\n  -\n",
                    "t.yaml:2:4: plugins[0]: expected a map with at least 'name', got null");
    expect_host_err("plugins:\n  - name: [a]\n",
                    "t.yaml:2:11: plugins[0].name: expected a string, got a list");
    expect_host_err("plugins:\n  - name:\n",
                    "t.yaml:2:10: plugins[0].name: expected a string, got null");
    expect_host_err("plugins:\n  - name: a\n    config: [1]\n",
                    "t.yaml:3:13: plugins[0].config: expected a map, got a list");
    expect_host_err("plugins:\n  - name: a\n    path: ''\n",
                    "t.yaml:3:11: plugins[0].path: must not be empty");
    expect_host_err("[1]\n", "t.yaml:1:1: expected a map at the top of the config, got a list");
    expect_host_err("just text\n",
                    "t.yaml:1:1: expected a map at the top of the config, got 'just text'");
}

static void test_missing_fields(void)
{
    expect_host_err("node: {name: a}\n",
                    "t.yaml:1:1: missing required key 'plugins' (a list; 'plugins: []' for "
                    "none)");
    expect_host_err("", "t.yaml:1:1: missing required key 'plugins' (a list; 'plugins: []' for "
                        "none)");
    expect_host_err("plugins:\n  - name: a\n  - path: /x.so\n",
                    "t.yaml:3:5: plugins[1]: missing required key 'name'");
    expect_host_err("bus:\n  connect:\n    - endpoint: tcp://h:1\nplugins: []\n",
                    "t.yaml:3:7: bus.connect[0]: missing required key 'server_key'");
    char text[512];
    snprintf(text, sizeof text, "bus:\n  curve:\n    public_key: '%s'\nplugins: []\n", pub);
    expect_host_err(text, "t.yaml:3:5: bus.curve: missing required key 'secret_key'");
}

static void test_plugin_names(void)
{
    expect_host_err("plugins:\n  - name: store\n  - name: api\n  - name: store\n",
                    "t.yaml:4:11: plugins[2].name: duplicate plugin name 'store' (first at "
                    "t.yaml:2:11)");
    expect_host_err("plugins:\n  - name: Store\n",
                    "t.yaml:2:11: plugins[0].name: invalid plugin name 'Store' (1 to 63 "
                    "characters of a-z, 0-9 and '-')");
    expect_host_err("plugins:\n  - name: a_b\n",
                    "t.yaml:2:11: plugins[0].name: invalid plugin name 'a_b' (1 to 63 "
                    "characters of a-z, 0-9 and '-')");
    char text[256];
    snprintf(text, sizeof text, "plugins:\n  - name: %s\n",
             "a123456789b123456789c123456789d123456789e123456789f123456789abcd");
    expect_host_err(text, "t.yaml:2:11: plugins[0].name: invalid plugin name "
                          "'a123456789b123456789c123456789d123456789e123456789f123456789abcd' "
                          "(1 to 63 characters of a-z, 0-9 and '-')");
    expect_host_err("plugins:\n  - name: ''\n", "t.yaml:2:11: plugins[0].name: must not be empty");
}

static void test_node_and_log(void)
{
    expect_host_err("node: {name: Node_A}\nplugins: []\n",
                    "t.yaml:1:14: node.name: invalid node name 'Node_A' (lower-case letters, "
                    "digits, '-' and '.', as a DNS name)");
    expect_host_err("node: {name: -a}\nplugins: []\n",
                    "t.yaml:1:14: node.name: invalid node name '-a' (lower-case letters, "
                    "digits, '-' and '.', as a DNS name)");
    expect_host_err("node: {name: a..b}\nplugins: []\n",
                    "t.yaml:1:14: node.name: invalid node name 'a..b' (lower-case letters, "
                    "digits, '-' and '.', as a DNS name)");
    expect_host_err("log: {level: verbose}\nplugins: []\n",
                    "t.yaml:1:14: log.level: unknown log level 'verbose' (error, warn, info, "
                    "debug, trace)");
    sk_cfg *root = cfg_parse("node: {name: worker-1.example.org}\nplugins: []\n");
    sk_host_config hc;
    char err[256];
    CU_ASSERT_EQUAL(sk_host_config_parse(root, &hc, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(hc.node_name, "worker-1.example.org");
    sk_host_config_free(&hc);
    sk_cfg_free(&root);
}

static void test_curve_keys(void)
{
    char text[1024];
    expect_host_err("bus:\n  bind: [\"tcp://127.0.0.1:7400\"]\nplugins: []\n",
                    "t.yaml:2:3: bus: 'curve' is required when 'bind' or 'connect' is set");
    snprintf(text, sizeof text,
             "bus:\n  connect: [{endpoint: 'tcp://h:1', server_key: '%s'}]\nplugins: []\n",
             other_key);
    expect_host_err(text, "t.yaml:2:3: bus: 'curve' is required when 'bind' or 'connect' is set");
    snprintf(text, sizeof text, "bus:\n  curve: {public_key: abc, secret_key: '%s'}\nplugins: []\n",
             sec);
    expect_host_err(text, "t.yaml:2:23: bus.curve.public_key: a CURVE key is 40 Z85 characters, "
                          "this one has 3");
    snprintf(text, sizeof text,
             "bus:\n  curve:\n    public_key: '%s'\n    secret_key: '%.39s~'\nplugins: []\n", pub,
             sec);
    expect_host_err(text, "t.yaml:4:17: bus.curve.secret_key: invalid Z85 character #7E at "
                          "offset 39");
    snprintf(text, sizeof text,
             "bus:\n  curve:\n    public_key: '%s'\n    secret_key: '%s'\nplugins: []\n",
             other_key, sec);
    expect_host_err(text,
                    "t.yaml:3:17: bus.curve.public_key: does not belong to bus.curve.secret_key");
    snprintf(text, sizeof text, "bus:\n  authorized_keys: ['%s', \"a b\"]\nplugins: []\n",
             other_key);
    expect_host_err(text, "t.yaml:2:65: bus.authorized_keys[1]: a CURVE key is 40 Z85 "
                          "characters, this one has 3");
    snprintf(text, sizeof text,
             "bus:\n  connect: [{endpoint: 'tcp://h:1', server_key: '%.39s '}]\nplugins: []\n",
             other_key);
    expect_host_err(text, "t.yaml:2:49: bus.connect[0].server_key: invalid Z85 character #20 "
                          "at offset 39");
}

static void test_endpoints(void)
{
    char text[1024];
    static const struct {
        const char *ep;
        const char *want;
    } bad[] = {
        {"ipc:///tmp/x", "t.yaml:2:10: bus.bind[0]: expected tcp://HOST:PORT, got "
                         "'ipc:///tmp/x' (only tcp:// links are supported)"},
        {"tcp://host", "t.yaml:2:10: bus.bind[0]: expected tcp://HOST:PORT, got 'tcp://host'"},
        {"tcp://:7400", "t.yaml:2:10: bus.bind[0]: expected tcp://HOST:PORT, got 'tcp://:7400'"},
        {"tcp://h:99999",
         "t.yaml:2:10: bus.bind[0]: expected tcp://HOST:PORT, got 'tcp://h:99999' (bad port)"},
        {"tcp://h:", "t.yaml:2:10: bus.bind[0]: expected tcp://HOST:PORT, got 'tcp://h:' (bad "
                     "port)"},
        {"tcp://h:-1",
         "t.yaml:2:10: bus.bind[0]: expected tcp://HOST:PORT, got 'tcp://h:-1' (bad port)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text,
                 "bus:\n  bind: ['%s']\n  curve: {public_key: '%s', secret_key: '%s'}\n"
                 "plugins: []\n",
                 bad[i].ep, pub, sec);
        expect_host_err(text, bad[i].want);
    }
    snprintf(text, sizeof text,
             "bus:\n  bind: ['tcp://*:7400', 'tcp://127.0.0.1:*', 'tcp://[::1]:7401']\n"
             "  curve: {public_key: '%s', secret_key: '%s'}\nplugins: []\n",
             pub, sec);
    sk_cfg *root = cfg_parse(text);
    sk_host_config hc;
    char err[512] = "";
    int rc = sk_host_config_parse(root, &hc, err, sizeof err);
    if (rc)
        fprintf(stderr, "\n%s\n", err);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(hc.bus.nbind, 3);
    sk_host_config_free(&hc);
    sk_cfg_free(&root);
}

static void test_set_overrides(void)
{
    sk_cfg *root = cfg_parse("node: {name: a}\n"
                             "plugins:\n"
                             "  - name: store\n"
                             "    config: {quota: 1Gi}\n");
    char err[512];
    CU_ASSERT_EQUAL(sk_cfg_set(root, "plugins.0.config.quota=2Gi", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sk_cfg_set(root, "node.name=node-b", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sk_cfg_set(root, "stop_timeout=1m", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sk_cfg_set(root, "bus.hold_timeout=3s", err, sizeof err), 0);
    sk_host_config hc;
    CU_ASSERT_EQUAL_FATAL(sk_host_config_parse(root, &hc, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(hc.node_name, "node-b");
    CU_ASSERT_EQUAL(hc.stop_timeout_ms, 60000);
    CU_ASSERT_EQUAL(hc.bus.hold_timeout_ms, 3000);
    CU_ASSERT_STRING_EQUAL(api->str(api->get(hc.plugins[0].config, "quota")), "2Gi");
    sk_host_config_free(&hc);

    CU_ASSERT_EQUAL(sk_cfg_set(root, "stop_timeout=soon", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sk_host_config_parse(root, &hc, err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set stop_timeout: stop_timeout: expected a duration (e.g. 250ms, 5s, 2m, "
                    "1h), got 'soon'");
    CU_ASSERT_EQUAL(sk_cfg_set(root, "stop_timeout=", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sk_cfg_set(root, "plugins.0.nmae=x", err, sizeof err), 0);
    CU_ASSERT_EQUAL(sk_host_config_parse(root, &hc, err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "--set plugins.0.nmae: plugins[0]: unknown key 'nmae' (known: name, path, "
                    "config)");
    sk_cfg_free(&root);
}

static void test_deep_plugin_config(void)
{
    char text[512] = "plugins:\n  - name: a\n    config: {x: ";
    size_t used = strlen(text);
    for (int i = 0; i < 62; i++)
        text[used++] = '[';
    text[used] = '\0';
    strcat(text, "]}\n");
    sk_cfg *root = NULL;
    char err[256];
    CU_ASSERT_EQUAL(sk_cfg_parse_string(CFG_NAME, text, strlen(text), &root, err, sizeof err),
                    SK_ECONFIG);
    EXPECT_ERR(err, "t.yaml:3:77: nesting deeper than 64 levels");
}

/* The example in docs/CONFIG.md must stay a valid config. */
static void test_docs_example(void)
{
    const char *src = getenv("SKIFF_SOURCE_DIR");
    char path[1024], err[512] = "";
    if (!src) {
        fprintf(stderr, "(SKIFF_SOURCE_DIR unset, skipped) ");
        return;
    }
    snprintf(path, sizeof path, "%s/docs/CONFIG.md", src);
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char doc[65536];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    char *start = strstr(doc, "```yaml\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(start);
    start += strlen("```yaml\n");
    char *end = strstr(start, "```");
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    sk_cfg *root = NULL;
    int rc = sk_cfg_parse_string("CONFIG.md", start, (size_t)(end - start), &root, err, sizeof err);
    sk_host_config hc;
    if (!rc)
        rc = sk_host_config_parse(root, &hc, err, sizeof err);
    if (rc)
        fprintf(stderr, "\n%s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(hc.nplugins, 2);
    CU_ASSERT_EQUAL(hc.bus.nconnect, 1);
    sk_host_config_free(&hc);
    sk_cfg_free(&root);
}

static void test_free_and_bad_args(void)
{
    sk_host_config hc;
    memset(&hc, 0, sizeof hc);
    sk_host_config_free(&hc);
    sk_host_config_free(NULL);
    char err[256];
    CU_ASSERT_EQUAL(sk_host_config_parse(NULL, &hc, err, sizeof err), SK_ECONFIG);
    EXPECT_ERR(err, "<unknown>: expected a map at the top of the config, got null");
    sk_host_config_free(&hc);
    sk_cfg *root = cfg_parse("plugins: []\n");
    CU_ASSERT(sk_host_config_parse(root, NULL, err, sizeof err) < 0);
    CU_ASSERT_EQUAL(sk_host_config_parse(root, &hc, NULL, 0), 0);
    sk_host_config_free(&hc);
    sk_cfg_free(&root);
}

int main(void)
{
    if (make_keys()) {
        fprintf(stderr, "libzmq cannot make CURVE keys\n");
        return 1;
    }
    static const cfg_test tests[] = {
        {"full example", test_full_example},
        {"minimal config and defaults", test_minimal_and_defaults},
        {"null values mean defaults", test_nulls_mean_defaults},
        {"plugin config is not checked", test_plugin_config_is_not_checked},
        {"unknown keys", test_unknown_keys},
        {"wrong types", test_wrong_types},
        {"missing fields", test_missing_fields},
        {"plugin names", test_plugin_names},
        {"node name and log level", test_node_and_log},
        {"CURVE keys", test_curve_keys},
        {"endpoints", test_endpoints},
        {"--set overrides", test_set_overrides},
        {"deep plugin config", test_deep_plugin_config},
        {"docs/CONFIG.md example", test_docs_example},
        {"free and bad arguments", test_free_and_bad_args},
        {NULL, NULL},
    };
    return cfg_run_suite("host-config", tests);
}
