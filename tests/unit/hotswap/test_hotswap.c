/* Hot swap under load. A probe plugin keeps 4 requests in flight to the
 * echo plugin (which answers 3 ms later, so requests are always in flight
 * when a swap starts) while echo is reloaded again and again, between two
 * builds (fx-echo / fx-echo2). At the end the probe is quiesced and every
 * request it sent must have been answered exactly once, correctly, by one
 * of the generations: no error, no timeout, no duplicate, none lost.
 *
 * The reload loop drives a supervisor in-process; one more case goes
 * through the real `skiff` binary, its admin socket and the CLI. */
#include <CUnit/Basic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_cunit.h"
#include "sk_testutil.h"
#include "supervisor.h"

#define WAIT_MS 30000
#define RELOADS 8

static char tmp[SKT_PATH];
static int case_no;

typedef struct rig {
    char dir[SKT_PATH], cfg[SKT_PATH], data[SKT_PATH], stats[SKT_PATH], quiesce[SKT_PATH];
} rig;

static void new_rig(rig *r)
{
    skt_fmt(r->dir, sizeof r->dir, "%s/%d", tmp, ++case_no);
    CU_ASSERT_EQUAL_FATAL(mkdir(r->dir, 0700), 0);
    skt_fmt(r->cfg, sizeof r->cfg, "%s/cfg.yaml", r->dir);
    skt_fmt(r->data, sizeof r->data, "%s/data", r->dir);
    skt_fmt(r->stats, sizeof r->stats, "%s/data/probe/stats", r->dir);
    skt_fmt(r->quiesce, sizeof r->quiesce, "%s/data/probe/quiesce", r->dir);
    char yaml[4 * SKT_PATH];
    skt_fmt(yaml, sizeof yaml,
             "node:\n  name: swap-test\n"
             "stop_timeout: 5s\ndrain_timeout: 5s\n"
             "plugins:\n"
             "  - name: echo\n    path: %s\n    config:\n      delay_ms: 3\n"
             "  - name: probe\n    path: %s\n    config:\n"
             "      call: echo\n      inflight: 4\n      interval_ms: 0\n"
             "      timeout_ms: 15000\n      stats_ms: 10\n",
             skt_plugin("fx-echo"), skt_plugin("fx-probe"));
    CU_ASSERT_EQUAL_FATAL(skt_write_file(r->cfg, yaml), 0);
}

typedef struct progress {
    const char *stats;
    int64_t ok_at_least;
} progress;

static int answered(void *arg)
{
    progress *p = arg;
    return skt_stat(p->stats, "ok") >= p->ok_at_least;
}

/* Until the probe counted `more` additional good answers. */
static int wait_answers(const rig *r, int64_t more)
{
    int64_t now = skt_stat(r->stats, "ok");
    progress p = {r->stats, (now < 0 ? 0 : now) + more};
    return skt_wait_until(answered, &p, WAIT_MS);
}

static int drained(void *arg)
{
    const rig *r = arg;
    return skt_stat(r->stats, "quiesced") == 1 && skt_stat(r->stats, "inflight") == 0;
}

/* Stops the probe sending, waits for its last answers, checks the books. */
static void check_books(const rig *r)
{
    CU_ASSERT_EQUAL_FATAL(skt_write_file(r->quiesce, ""), 0);
    CU_ASSERT_TRUE_FATAL(skt_wait_until(drained, (void *)r, WAIT_MS));
    int64_t sent = skt_stat(r->stats, "sent"), ok = skt_stat(r->stats, "ok");
    CU_ASSERT(sent > 0);
    CU_ASSERT_EQUAL(ok, sent);
    CU_ASSERT_EQUAL(skt_stat(r->stats, "err"), 0);
    CU_ASSERT_EQUAL(skt_stat(r->stats, "bad"), 0);
    CU_ASSERT_EQUAL(skt_stat(r->stats, "dup"), 0);
    if (ok != sent || skt_stat(r->stats, "err") != 0) {
        char *s = skt_read_file(r->stats);
        fprintf(stderr, "probe stats:\n%s", s ? s : "(none)");
        free(s);
    }
}

static sk_supervisor *start_inproc(const rig *r)
{
    sk_sup_opts o = {.config_path = r->cfg, .data_dir = r->data};
    sk_supervisor *s = NULL;
    char err[1024] = "";
    int rc = sk_supervisor_new(&o, &s, err, sizeof err);
    if (rc == 0)
        rc = sk_supervisor_start(s, err, sizeof err);
    if (rc)
        fprintf(stderr, "host: %s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    return s;
}

static int list_shows(sk_supervisor *s, const char *needle)
{
    sk_text t = {0};
    sk_supervisor_list(s, &t);
    int found = t.p && strstr(t.p, needle) != NULL;
    sk_text_free(&t);
    return found;
}

static int list_row(sk_supervisor *s, const char *gen)
{
    sk_text t = {0};
    sk_supervisor_list(s, &t);
    int found = t.p && skt_table_has(t.p, "echo", gen, "running");
    sk_text_free(&t);
    return found;
}

static void test_reload_under_load(void)
{
    rig r;
    new_rig(&r);
    sk_supervisor *s = start_inproc(&r);
    CU_ASSERT_TRUE(wait_answers(&r, 20));
    for (int i = 0; i < RELOADS; i++) {
        char err[1024] = "";
        const char *to = skt_plugin(i % 2 == 0 ? "fx-echo2" : "fx-echo");
        int rc = sk_supervisor_reload(s, "echo", to, err, sizeof err);
        if (rc)
            fprintf(stderr, "reload %d: %s\n", i, err);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_TRUE(list_shows(s, i % 2 == 0 ? "2.0.0" : "1.0.0"));
        /* The new generation answers before the next swap. */
        CU_ASSERT_TRUE(wait_answers(&r, 10));
    }
    check_books(&r);
    CU_ASSERT_TRUE(skt_file_contains(r.stats, "tags echo1,echo2"));
    /* Every generation answered something: 1 + RELOADS instances. */
    CU_ASSERT_EQUAL(skt_stat(r.stats, "instances"), 1 + RELOADS);
    CU_ASSERT_EQUAL(sk_supervisor_shutdown(s), 0);
    sk_supervisor_free(&s);
}

static int reload(sk_supervisor *s, const char *fixture, char *err, size_t errlen)
{
    return sk_supervisor_reload(s, "echo", skt_plugin(fixture), err, errlen);
}

static void test_reload_to_bad_so(void)
{
    rig r;
    new_rig(&r);
    sk_supervisor *s = start_inproc(&r);
    CU_ASSERT_TRUE(wait_answers(&r, 10));
    char err[1024] = "";

    /* Refused at load: nothing changes, the same generation keeps serving. */
    CU_ASSERT_NOT_EQUAL(reload(s, "fx-bad-abi", err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ABI 99.0 not supported"));
    CU_ASSERT_TRUE(list_row(s, "1"));
    CU_ASSERT_TRUE(wait_answers(&r, 10));

    /* Fails at start, after the old one stopped: the old module runs again. */
    err[0] = '\0';
    CU_ASSERT_NOT_EQUAL(reload(s, "fx-fail-start", err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "start failed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "runs again as echo#3"));
    CU_ASSERT_TRUE(list_row(s, "3"));
    CU_ASSERT_TRUE(list_shows(s, "1.0.0"));
    CU_ASSERT_TRUE(wait_answers(&r, 10));

    /* Not a plugin at all, and a missing file. */
    CU_ASSERT_NOT_EQUAL(reload(s, "fx-no-entry", err, sizeof err), 0);
    CU_ASSERT_NOT_EQUAL(sk_supervisor_reload(s, "echo", "/nonexistent.so", err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent.so"));
    CU_ASSERT_TRUE(wait_answers(&r, 10));
    check_books(&r);
    CU_ASSERT_EQUAL(sk_supervisor_shutdown(s), 0);
    sk_supervisor_free(&s);
}

static void dump(const char *path)
{
    char *s = skt_read_file(path);
    fprintf(stderr, "--- %s ---\n%s----\n", path, s ? s : "(none)");
    free(s);
}

static int cli(const rig *r, const char *sub, const char *path, const char *out, const char *err)
{
    char sock[SKT_PATH];
    skt_fmt(sock, sizeof sock, "%s/admin.sock", r->data);
    char *argv[] = {(char *)skt_skiff(), "plugin", (char *)sub, "echo", "--admin", sock,
                    path ? "--path" : NULL, (char *)path, NULL};
    return skt_run(argv, out, err, WAIT_MS);
}

static void test_reload_through_cli(void)
{
    rig r;
    new_rig(&r);
    char herr[SKT_PATH], out[SKT_PATH], err[SKT_PATH], sock[SKT_PATH];
    skt_fmt(herr, sizeof herr, "%s/host.err", r.dir);
    skt_fmt(out, sizeof out, "%s/cli.out", r.dir);
    skt_fmt(err, sizeof err, "%s/cli.err", r.dir);
    skt_fmt(sock, sizeof sock, "%s/admin.sock", r.data);
    char *argv[] = {(char *)skt_skiff(), "run", "-c", r.cfg, "--data-dir", r.data, NULL};
    pid_t pid = skt_spawn(argv, NULL, herr);
    CU_ASSERT_FATAL(pid > 0);
    CU_ASSERT_TRUE_FATAL(skt_wait_socket(sock, WAIT_MS));
    CU_ASSERT_TRUE(wait_answers(&r, 20));

    CU_ASSERT_EQUAL(cli(&r, "reload", skt_plugin("fx-echo2"), out, err), 0);
    CU_ASSERT_TRUE(skt_file_contains(out, "2.0.0"));
    CU_ASSERT_TRUE(wait_answers(&r, 10));
    CU_ASSERT_EQUAL(cli(&r, "reload", skt_plugin("fx-bad-abi"), out, err), 1);
    CU_ASSERT_TRUE(skt_file_contains(err, "ABI 99.0 not supported by this host (ABI 1.0)"));
    CU_ASSERT_TRUE(wait_answers(&r, 10));
    CU_ASSERT_EQUAL(cli(&r, "reload", skt_plugin("fx-fail-start"), out, err), 1);
    CU_ASSERT_TRUE(skt_file_contains(err, "runs again"));
    CU_ASSERT_TRUE(wait_answers(&r, 10));
    /* Without --path: the running build again, as a new generation. */
    CU_ASSERT_EQUAL(cli(&r, "reload", NULL, out, err), 0);
    CU_ASSERT_TRUE(skt_file_contains(out, "2.0.0"));
    CU_ASSERT_TRUE(wait_answers(&r, 10));
    check_books(&r);

    CU_ASSERT_EQUAL(kill(pid, SIGTERM), 0);
    int rc = skt_wait(pid, WAIT_MS);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc) {
        skt_kill(pid);
        dump(herr);
    }
    CU_ASSERT_TRUE(skt_file_contains(herr, "reloaded echo: echo#1 -> echo#2"));
}

int main(void)
{
    skt_mkdtemp(tmp, sizeof tmp);
    static const sk_cunit_case cases[] = {
        {"reload back and forth under load", test_reload_under_load},
        {"reload to a bad .so keeps the old one", test_reload_to_bad_so},
        {"reload through the CLI and admin socket", test_reload_through_cli},
        {NULL, NULL},
    };
    int failed = sk_cunit_run("hotswap", NULL, NULL, cases);
    skt_cleanup();
    if (!failed)
        skt_rmrf(tmp);
    return failed ? 1 : 0;
}
