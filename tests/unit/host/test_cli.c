/* The real `skiff` binary as a child process: help and exit codes, config
 * errors, plugin failures that leave nothing running, SIGTERM, the admin
 * socket commands, a plugin overrunning its stop deadline. */
#include <CUnit/Basic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_testutil.h"
#include "skt_suite.h"

#define WAIT_MS 30000

static char tmp[SKT_PATH];
static char out_path[SKT_PATH], err_path[SKT_PATH];
static int case_no;

/* A fresh directory per case: <tmp>/<n>, with its config written there. */
typedef struct hostdir {
    char dir[SKT_PATH], cfg[SKT_PATH], data[SKT_PATH], sock[SKT_PATH];
} hostdir;

static void new_hostdir(hostdir *h, const char *yaml)
{
    skt_fmt(h->dir, sizeof h->dir, "%s/%d", tmp, ++case_no);
    CU_ASSERT_EQUAL_FATAL(mkdir(h->dir, 0700), 0);
    skt_fmt(h->cfg, sizeof h->cfg, "%s/cfg.yaml", h->dir);
    skt_fmt(h->data, sizeof h->data, "%s/data", h->dir);
    skt_fmt(h->sock, sizeof h->sock, "%s/data/admin.sock", h->dir);
    CU_ASSERT_EQUAL_FATAL(skt_write_file(h->cfg, yaml), 0);
}

/* Runs `skiff <args...>` to completion; output in out_path/err_path. */
static int run_skiff(const char *const *args)
{
    char *argv[16] = {(char *)skt_skiff()};
    for (int i = 0; i < 14 && args[i]; i++)
        argv[i + 1] = (char *)args[i];
    return skt_run(argv, out_path, err_path, WAIT_MS);
}
#define skiff(...) run_skiff((const char *const[]){__VA_ARGS__, NULL})

static int out_has(const char *s) { return skt_file_contains(out_path, s); }

static int list_has(const char *name, const char *gen, const char *state)
{
    char *s = skt_read_file(out_path);
    int found = s && skt_table_has(s, name, gen, state);
    free(s);
    return found;
}
static int err_has(const char *s) { return skt_file_contains(err_path, s); }

static void dump_err(void)
{
    char *s = skt_read_file(err_path);
    fprintf(stderr, "--- stderr ---\n%s--------------\n", s ? s : "(none)");
    free(s);
}

static pid_t start_host(hostdir *h, const char *errfile)
{
    char *argv[] = {(char *)skt_skiff(), "run", "-c", h->cfg, "--data-dir", h->data, NULL};
    pid_t pid = skt_spawn(argv, NULL, errfile);
    CU_ASSERT_FATAL(pid > 0);
    return pid;
}

/* ---- cases ---- */

static void test_help_version(void)
{
    CU_ASSERT_EQUAL(skiff("--help", NULL, NULL, NULL, NULL, NULL), 0);
    CU_ASSERT_TRUE(out_has("skiff run -c FILE.yaml"));
    CU_ASSERT_TRUE(out_has("78  configuration error"));
    CU_ASSERT_EQUAL(skiff("--version", NULL, NULL, NULL, NULL, NULL), 0);
    CU_ASSERT_TRUE(out_has("plugin ABI 1.0"));
}

static void test_usage_errors(void)
{
    CU_ASSERT_EQUAL(skiff(NULL, NULL, NULL, NULL, NULL, NULL), 2);
    CU_ASSERT_TRUE(err_has("Try 'skiff --help'"));
    CU_ASSERT_EQUAL(skiff("frobnicate", NULL, NULL, NULL, NULL, NULL), 2);
    CU_ASSERT_TRUE(err_has("unknown command 'frobnicate'"));
    CU_ASSERT_EQUAL(skiff("--frob", NULL, NULL, NULL, NULL, NULL), 2);
    CU_ASSERT_EQUAL(skiff("run", NULL, NULL, NULL, NULL, NULL), 2);
    CU_ASSERT_TRUE(err_has("missing -c"));
    CU_ASSERT_EQUAL(skiff("run", "-c", "x.yaml", "--bogus", NULL, NULL), 2);
    CU_ASSERT_EQUAL(skiff("run", "-c", NULL, NULL, NULL, NULL), 2);
    CU_ASSERT_EQUAL(skiff("run", "-c", "x.yaml", "--log-level", "loud", NULL), 2);
    CU_ASSERT_EQUAL(skiff("plugin", NULL, NULL, NULL, NULL, NULL), 2);
    CU_ASSERT_EQUAL(skiff("plugin", "reload", NULL, NULL, NULL, NULL), 2);
    CU_ASSERT_EQUAL(skiff("plugin", "dance", "x", NULL, NULL, NULL), 2);
    CU_ASSERT_EQUAL(skiff("keygen", "extra", NULL, NULL, NULL, NULL), 2);
}

static void test_config_errors(void)
{
    hostdir h;
    char where[SKT_PATH + 16];
    new_hostdir(&h, "plugins: []\nnode:\n  nmae: x\n");
    CU_ASSERT_EQUAL(skiff("run", "-c", h.cfg, "--data-dir", h.data, NULL), 78);
    skt_fmt(where, sizeof where, "%s:3:3", h.cfg);
    CU_ASSERT_TRUE(err_has(where));
    CU_ASSERT_TRUE(err_has("nmae"));

    new_hostdir(&h, "plugins: [\n  {name: a\n");
    CU_ASSERT_EQUAL(skiff("run", "-c", h.cfg, "--data-dir", h.data, NULL), 78);
    skt_fmt(where, sizeof where, "%s:", h.cfg);
    CU_ASSERT_TRUE(err_has(where));

    CU_ASSERT_EQUAL(skiff("run", "-c", "/nonexistent.yaml", NULL, NULL, NULL), 78);
    CU_ASSERT_TRUE(err_has("/nonexistent.yaml"));

    /* --set reaches the schema: a bad override is a config error too. */
    new_hostdir(&h, "plugins: []\n");
    CU_ASSERT_EQUAL(
        skiff("run", "-c", h.cfg, "--data-dir", h.data, "--set", "stop_timeout=soon"), 78);
    CU_ASSERT_TRUE(err_has("stop_timeout"));
}

static void test_plugin_option_error(void)
{
    hostdir h;
    char yaml[SKT_PATH * 2];
    skt_fmt(yaml, sizeof yaml,
             "plugins:\n  - name: fx-echo\n    path: %s\n    config:\n      delay_ms: 0\n",
             skt_plugin("fx-echo"));
    new_hostdir(&h, yaml);
    CU_ASSERT_EQUAL(skiff("run", "-c", h.cfg, "--data-dir", h.data, "--set",
                          "plugins.0.config.delai_ms=3"), 78);
    CU_ASSERT_TRUE(err_has("delai_ms"));
    CU_ASSERT_TRUE(err_has("fx-echo"));
}

static void test_missing_so(void)
{
    hostdir h;
    char yaml[SKT_PATH * 2];
    skt_fmt(yaml, sizeof yaml,
             "plugins:\n  - name: fx-echo\n    path: %s\n  - name: ghost\n    path: %s/ghost.so\n",
             skt_plugin("fx-echo"), tmp);
    new_hostdir(&h, yaml);
    CU_ASSERT_EQUAL(skiff("run", "-c", h.cfg, "--data-dir", h.data, NULL), 1);
    CU_ASSERT_TRUE(err_has("plugin 'ghost'"));
    CU_ASSERT_TRUE(err_has("/ghost.so"));
    /* Nothing was started and nothing is left behind. */
    CU_ASSERT_FALSE(err_has("started fx-echo"));
    CU_ASSERT_NOT_EQUAL(access(h.sock, F_OK), 0);
}

static void test_bad_abi_in_config(void)
{
    hostdir h;
    char yaml[SKT_PATH * 2], want[SKT_PATH + 128];
    skt_fmt(yaml, sizeof yaml, "plugins:\n  - name: store\n    path: %s\n",
             skt_plugin("fx-bad-abi"));
    new_hostdir(&h, yaml);
    CU_ASSERT_EQUAL(skiff("run", "-c", h.cfg, "--data-dir", h.data, NULL), 1);
    skt_fmt(want, sizeof want, "plugin 'store' (%s): ABI 99.0 not supported by this host (ABI 1.0)",
             skt_plugin("fx-bad-abi"));
    CU_ASSERT_TRUE(err_has(want));
}

static void test_run_and_sigterm(void)
{
    hostdir h;
    char yaml[SKT_PATH * 2], herr[SKT_PATH];
    skt_fmt(yaml, sizeof yaml,
             "node:\n  name: test-node\nplugins:\n  - name: fx-echo\n    path: %s\n",
             skt_plugin("fx-echo"));
    new_hostdir(&h, yaml);
    skt_fmt(herr, sizeof herr, "%s/host.err", h.dir);
    pid_t pid = start_host(&h, herr);
    CU_ASSERT_TRUE_FATAL(skt_wait_socket(h.sock, WAIT_MS));
    CU_ASSERT_EQUAL(skiff("plugin", "list", "--admin", h.sock, NULL, NULL), 0);
    CU_ASSERT_TRUE(list_has("fx-echo", "1", "running"));
    CU_ASSERT_TRUE(out_has("1.0.0"));
    CU_ASSERT_EQUAL(kill(pid, SIGTERM), 0);
    int rc = skt_wait(pid, WAIT_MS);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        skt_kill(pid);
    CU_ASSERT_TRUE(skt_file_contains(herr, "[fx-echo] fx-echo 1.0.0 stopped"));
    CU_ASSERT_TRUE(skt_file_contains(herr, "stopped cleanly"));
    CU_ASSERT_NOT_EQUAL(access(h.sock, F_OK), 0);
    /* Each plugin got its own data dir, 0700 like the root. */
    char pdir[SKT_PATH];
    struct stat st;
    skt_fmt(pdir, sizeof pdir, "%s/fx-echo", h.data);
    CU_ASSERT_EQUAL(stat(pdir, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    CU_ASSERT_EQUAL(stat(h.data, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
}

static void test_second_fails_first_stops(void)
{
    hostdir h;
    char yaml[SKT_PATH * 3];
    skt_fmt(yaml, sizeof yaml,
             "plugins:\n  - name: fx-echo\n    path: %s\n  - name: fx-fail-start\n    path: %s\n",
             skt_plugin("fx-echo"), skt_plugin("fx-fail-start"));
    new_hostdir(&h, yaml);
    CU_ASSERT_EQUAL(skiff("run", "-c", h.cfg, "--data-dir", h.data, NULL), 1);
    CU_ASSERT_TRUE(err_has("[fx-fail-start] fx-fail-start: failing on purpose"));
    CU_ASSERT_TRUE(err_has("plugin 'fx-fail-start'"));
    CU_ASSERT_TRUE(err_has("start failed"));
    CU_ASSERT_TRUE(err_has("[fx-echo] fx-echo 1.0.0 serving"));
    CU_ASSERT_TRUE(err_has("[fx-echo] fx-echo 1.0.0 stopped"));
    CU_ASSERT_NOT_EQUAL(access(h.sock, F_OK), 0);
}

/* log.level in the config, --log-level over it, info by default. */
static void test_log_levels(void)
{
    hostdir h;
    char yaml[SKT_PATH * 2];
    skt_fmt(yaml, sizeof yaml,
            "log:\n  level: error\nplugins:\n  - name: fx-fail-start\n    path: %s\n",
            skt_plugin("fx-fail-start"));
    new_hostdir(&h, yaml);
    CU_ASSERT_EQUAL(skiff("run", "-c", h.cfg, "--data-dir", h.data), 1);
    CU_ASSERT_TRUE(err_has("ERROR "));
    CU_ASSERT_TRUE(err_has("[fx-fail-start] fx-fail-start: failing on purpose"));
    CU_ASSERT_FALSE(err_has("INFO "));
    CU_ASSERT_EQUAL(skiff("run", "-c", h.cfg, "--data-dir", h.data, "--log-level", "debug"), 1);
    CU_ASSERT_TRUE(err_has("DEBUG "));
    /* "LEVEL 2026-11-25T12:00:00.123Z [who] message" */
    char *s = skt_read_file(err_path);
    const char *line = s ? strstr(s, "DEBUG ") : NULL;
    int y, mo, d, hh, mm, ss, ms;
    char who[64];
    int n = line ? sscanf(line, "DEBUG %4d-%2d-%2dT%2d:%2d:%2d.%3dZ [%63[^]]] ", &y, &mo, &d,
                          &hh, &mm, &ss, &ms, who)
                 : 0;
    CU_ASSERT_EQUAL(n, 8);
    free(s);
}

static void test_admin_commands(void)
{
    hostdir h, h2;
    char yaml[SKT_PATH * 2], herr[SKT_PATH];
    skt_fmt(yaml, sizeof yaml, "plugins:\n  - name: fx-echo\n    path: %s\n",
             skt_plugin("fx-echo"));
    new_hostdir(&h, yaml);
    skt_fmt(herr, sizeof herr, "%s/host.err", h.dir);
    pid_t pid = start_host(&h, herr);
    CU_ASSERT_TRUE_FATAL(skt_wait_socket(h.sock, WAIT_MS));

    /* The CLI finds the socket from the config and --data-dir, as the host did. */
    CU_ASSERT_EQUAL(skiff("plugin", "list", "-c", h.cfg, "--data-dir", h.data), 0);
    CU_ASSERT_TRUE(out_has("running"));
    CU_ASSERT_EQUAL(skiff("plugin", "unload", "fx-echo", "--data-dir", h.data, NULL), 0);
    CU_ASSERT_TRUE(list_has("fx-echo", "-", "unloaded"));
    CU_ASSERT_EQUAL(skiff("plugin", "unload", "fx-echo", "--admin", h.sock, NULL), 1);
    CU_ASSERT_TRUE(err_has("not running"));
    CU_ASSERT_EQUAL(skiff("plugin", "load", "fx-echo", "--admin", h.sock, NULL), 0);
    CU_ASSERT_EQUAL(skiff("plugin", "list", "--admin", h.sock, NULL, NULL), 0);
    CU_ASSERT_TRUE(list_has("fx-echo", "2", "running"));
    /* A new name with its own .so and an empty config. */
    CU_ASSERT_EQUAL(skiff("plugin", "load", "probe", "--path", skt_plugin("fx-probe"), "--admin",
                          h.sock), 0);
    CU_ASSERT_TRUE(out_has("fx-probe"));
    CU_ASSERT_EQUAL(skiff("plugin", "load", "bad", "--path", skt_plugin("fx-bad-abi"), "--admin",
                          h.sock), 1);
    CU_ASSERT_TRUE(err_has("ABI 99.0"));
    CU_ASSERT_EQUAL(skiff("plugin", "reload", "nosuch", "--admin", h.sock, NULL), 1);
    CU_ASSERT_TRUE(err_has("no plugin named 'nosuch'"));
    CU_ASSERT_EQUAL(skiff("metrics", "--admin", h.sock, NULL, NULL, NULL), 0);
    CU_ASSERT_TRUE(out_has("# TYPE skiff_plugins_running gauge"));
    CU_ASSERT_TRUE(out_has("skiff_plugins_running 2\n"));
    CU_ASSERT_TRUE(out_has("skiff_plugin_up{plugin=\"fx-echo\"} 1"));

    /* A second host on the same data dir is refused; the first is untouched. */
    new_hostdir(&h2, yaml);
    CU_ASSERT_EQUAL(skiff("run", "-c", h2.cfg, "--data-dir", h.data, NULL), 1);
    CU_ASSERT_TRUE(err_has("another skiff host"));
    CU_ASSERT_EQUAL(skiff("plugin", "list", "--admin", h.sock, NULL, NULL), 0);

    CU_ASSERT_EQUAL(kill(pid, SIGINT), 0);
    int rc = skt_wait(pid, WAIT_MS);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc)
        skt_kill(pid);
    CU_ASSERT_EQUAL(skiff("plugin", "list", "--admin", h.sock, NULL, NULL), 1);
    CU_ASSERT_TRUE(err_has("no skiff host is running"));
}

static void test_slow_stop_overrun(void)
{
    hostdir h;
    char yaml[SKT_PATH * 2], herr[SKT_PATH];
    skt_fmt(yaml, sizeof yaml,
             "stop_timeout: 200ms\nplugins:\n  - name: fx-slow-stop\n    path: %s\n"
             "    config:\n      stop_ms: 1500\n",
             skt_plugin("fx-slow-stop"));
    new_hostdir(&h, yaml);
    skt_fmt(herr, sizeof herr, "%s/host.err", h.dir);
    pid_t pid = start_host(&h, herr);
    CU_ASSERT_TRUE_FATAL(skt_wait_socket(h.sock, WAIT_MS));
    CU_ASSERT_EQUAL(skiff("plugin", "list", "--admin", h.sock, NULL, NULL), 0);
    CU_ASSERT_EQUAL(kill(pid, SIGTERM), 0);
    int rc = skt_wait(pid, WAIT_MS);
    CU_ASSERT_EQUAL(rc, 1);
    if (rc == -1)
        skt_kill(pid);
    CU_ASSERT_TRUE(skt_file_contains(herr, "plugin 'fx-slow-stop'"));
    CU_ASSERT_TRUE(skt_file_contains(herr, "did not return within 200 ms"));
}

static void test_keygen_and_options(void)
{
    CU_ASSERT_EQUAL(skiff("keygen", NULL, NULL, NULL, NULL, NULL), 0);
    CU_ASSERT_TRUE(out_has("  curve:\n    public_key: \""));
    CU_ASSERT_TRUE(out_has("    secret_key: \""));
    CU_ASSERT_EQUAL(skiff("plugin", "options", skt_plugin("fx-echo"), NULL, NULL, NULL), 0);
    CU_ASSERT_TRUE(out_has("fx-echo 1.0.0"));
    CU_ASSERT_TRUE(out_has("delay_ms"));
    CU_ASSERT_TRUE(out_has("tick_topic"));
    CU_ASSERT_EQUAL(skiff("plugin", "options", skt_plugin("fx-fail-start"), NULL, NULL, NULL), 0);
    CU_ASSERT_TRUE(out_has("declares no options"));
    CU_ASSERT_EQUAL(skiff("plugin", "options", skt_plugin("fx-bad-abi"), NULL, NULL, NULL), 1);
    CU_ASSERT_TRUE(err_has("ABI 99.0"));
}

int main(void)
{
    static const skt_case cases[] = {
        {"help and version", test_help_version},
        {"usage errors exit 2", test_usage_errors},
        {"config errors exit 78 with position", test_config_errors},
        {"plugin option error exits 78", test_plugin_option_error},
        {"missing .so exits 1, nothing running", test_missing_so},
        {"ABI mismatch in config", test_bad_abi_in_config},
        {"run, then SIGTERM exits 0", test_run_and_sigterm},
        {"failing 2nd start stops the 1st", test_second_fails_first_stops},
        {"log levels", test_log_levels},
        {"admin commands", test_admin_commands},
        {"stop overrun exits 1", test_slow_stop_overrun},
        {"keygen and plugin options", test_keygen_and_options},
        {NULL, NULL},
    };
    skt_mkdtemp(tmp, sizeof tmp);
    skt_fmt(out_path, sizeof out_path, "%s/out", tmp);
    skt_fmt(err_path, sizeof err_path, "%s/err", tmp);
    int failed = skt_run_suite("cli", cases);
    if (failed)
        dump_err();
    skt_cleanup();
    if (!failed)
        skt_rmrf(tmp);
    return failed ? 1 : 0;
}
