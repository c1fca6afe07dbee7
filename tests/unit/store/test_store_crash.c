/* Crash test: a child `skiff run` hosts etcd-store plus store-crash-writer
 * (concurrent durable writes, each acknowledged one logged before it
 * counts). The child is killed with SIGKILL at a random moment (seeded)
 * 20 times. After each kill the store is opened directly and must hold
 * every acknowledged write with its revision, revisions must only have
 * grown, and no txn may be half applied. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define RUNS 20
#define MIN_ACKS 30
#define START_WAIT_MS 60000
#define MAX_KILL_DELAY_MS 600

static char *root;
static char bin[PATH_MAX], store_so[PATH_MAX], writer_so[PATH_MAX];
static uint64_t seed = 20261125;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

static long count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long n = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static pid_t spawn(int run)
{
    char cfg[PATH_MAX], log[PATH_MAX], out[PATH_MAX];
    snprintf(cfg, sizeof cfg, "%s/run.yaml", root);
    snprintf(log, sizeof log, "%s/acks-%02d.log", root, run);
    snprintf(out, sizeof out, "%s/skiff-%02d.out", root, run);
    FILE *f = fopen(cfg, "w");
    if (!f)
        return -1;
    fprintf(f,
            "node: {name: crash-test}\n"
            "data_dir: %s/data\n"
            "log: {level: warn}\n"
            "plugins:\n"
            "  - name: etcd-store\n"
            "    path: %s\n"
            "    config: {initial_map_bytes: 1Mi}\n" /* grows while we kill it */
            "  - name: crash-writer\n"
            "    path: %s\n"
            "    config: {log: %s, run: %d, clients: 8}\n",
            root, store_so, writer_so, log, run);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) {
        /* A crashed or aborted test must not leave its host running. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(bin, bin, "run", "-c", cfg, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void show_output(int run)
{
    char out[PATH_MAX], line[512];
    snprintf(out, sizeof out, "%s/skiff-%02d.out", root, run);
    FILE *f = fopen(out, "r");
    for (int i = 0; f && i < 30 && fgets(line, sizeof line, f); i++)
        fprintf(stderr, "    | %s", line);
    if (f)
        fclose(f);
}

/* ---- verification ---- */

typedef struct check {
    sk_store *st;
    long acks, bad;
    int64_t max_rev, min_rev_this_run;
} check;

static void expect_kv(check *c, const char *key, const char *val, int64_t rev)
{
    th_kv kv;
    char buf[128];
    int f = th_get(c->st, key, 0, buf, sizeof buf, &kv);
    if (f != 1 || strcmp(buf, val) != 0 || kv.mod_rev != rev) {
        if (c->bad++ < 5)
            fprintf(stderr, "    acked %s=%s@%lld: found=%d value=%s rev=%lld\n", key, val,
                    (long long)rev, f, f == 1 ? buf : "-", f == 1 ? (long long)kv.mod_rev : 0);
    }
}

/* Every complete line of one run's ack log must be in the store. */
static void check_log(check *c, int run, bool this_run)
{
    char path[PATH_MAX], line[1024];
    snprintf(path, sizeof path, "%s/acks-%02d.log", root, run);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    int64_t last[64] = {0};
    while (fgets(line, sizeof line, f)) {
        if (!strchr(line, '\n'))
            break; /* a line cut by the kill was never acknowledged */
        char ka[300], kb[300], val[128];
        long long rev;
        int ci = -1;
        if (sscanf(line, "T %299s %299s %127s %lld", ka, kb, val, &rev) == 4) {
            expect_kv(c, ka, val, rev);
            expect_kv(c, kb, val, rev);
        } else if (sscanf(line, "P %299s %127s %lld", ka, val, &rev) == 3) {
            expect_kv(c, ka, val, rev);
        } else {
            c->bad++;
            continue;
        }
        sscanf(ka, "/crash/%*d/%d/", &ci);
        /* each client's acknowledged revisions strictly increase */
        if (ci >= 0 && ci < 64) {
            if (rev <= last[ci] && c->bad++ < 5)
                fprintf(stderr, "    client %d: revision %lld after %lld\n", ci, rev,
                        (long long)last[ci]);
            last[ci] = rev;
        }
        c->acks++;
        if (rev > c->max_rev)
            c->max_rev = rev;
        if (this_run && (c->min_rev_this_run == 0 || rev < c->min_rev_this_run))
            c->min_rev_this_run = rev;
    }
    fclose(f);
}

typedef struct pair_ctx {
    sk_store *st;
    long pairs, bad;
} pair_ctx;

static int pair_visit(void *arg, const sk_store_kv *kv)
{
    pair_ctx *p = arg;
    if (kv->key_len < 2 || kv->key[kv->key_len - 2] != '/')
        return 0;
    char other[300];
    if (kv->key_len >= sizeof other)
        return 0;
    memcpy(other, kv->key, kv->key_len);
    other[kv->key_len] = 0;
    char last = other[kv->key_len - 1];
    if (last != 'a' && last != 'b')
        return 0;
    other[kv->key_len - 1] = last == 'a' ? 'b' : 'a';
    th_kv o;
    char buf[128];
    int f = th_get(p->st, other, 0, buf, sizeof buf, &o);
    if (f != 1 || o.mod_rev != kv->mod_rev || o.val_len != kv->value_len ||
        memcmp(buf, kv->value, kv->value_len) != 0) {
        if (p->bad++ < 5)
            fprintf(stderr, "    half-applied txn: %s without its partner\n", other);
    }
    p->pairs++;
    return 0;
}

static void check_pairs(sk_store *st, pair_ctx *p)
{
    uint8_t end[16];
    size_t el = sk_store_prefix_end((const uint8_t *)"/crash/", 7, end);
    sk_store_range_req rq = {.span = {.key = (const uint8_t *)"/crash/", .key_len = 7,
                                      .end = end, .end_len = el}};
    sk_store_range_res res;
    char err[256];
    p->st = st;
    CU_ASSERT_EQUAL(sk_store_range(st, &rq, pair_visit, p, &res, err, sizeof err), 0);
}

static int64_t verify(int upto, int64_t prev_rev)
{
    char dir[PATH_MAX], err[256];
    snprintf(dir, sizeof dir, "%s/data/etcd-store", root);
    sk_store_opts o = {.dir = dir};
    check c = {0};
    if (sk_store_open(&o, &c.st, err, sizeof err)) {
        fprintf(stderr, "    reopen after kill: %s\n", err);
        CU_FAIL("the store does not reopen after SIGKILL");
        return prev_rev;
    }
    for (int r = 0; r <= upto; r++)
        check_log(&c, r, r == upto);
    pair_ctx p = {0};
    check_pairs(c.st, &p);
    int64_t rev = sk_store_revision(c.st);
    sk_store_close(&c.st);
    CU_ASSERT_EQUAL(c.bad, 0);
    CU_ASSERT_EQUAL(p.bad, 0);
    CU_ASSERT(c.acks > 0);
    /* revisions only grew: this run's acks come after the last recovery */
    CU_ASSERT(c.min_rev_this_run == 0 || c.min_rev_this_run > prev_rev);
    CU_ASSERT(rev >= c.max_rev);
    CU_ASSERT(rev >= prev_rev);
    fprintf(stderr, "    run %2d: %6ld acks so far verified, %5ld pairs whole, revision %lld\n",
            upto, c.acks, p.pairs, (long long)rev);
    return rev;
}

static void test_kill_9(void)
{
    int64_t rev = 0;
    for (int run = 0; run < RUNS; run++) {
        char log[PATH_MAX];
        snprintf(log, sizeof log, "%s/acks-%02d.log", root, run);
        pid_t pid = spawn(run);
        CU_ASSERT_FATAL(pid > 0);
        uint64_t end = now_ms() + START_WAIT_MS;
        int status;
        bool exited = false;
        while (count_lines(log) < MIN_ACKS && now_ms() < end) {
            if (waitpid(pid, &status, WNOHANG) == pid) {
                exited = true;
                break;
            }
            pause_ms(10);
        }
        if (exited || count_lines(log) < MIN_ACKS) {
            fprintf(stderr, "    run %d: the host %s before %d acks\n", run,
                    exited ? "exited" : "stalled", MIN_ACKS);
            show_output(run);
            if (!exited) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
            }
            CU_FAIL_FATAL("no acknowledged writes");
        }
        pause_ms((int)(rnd() % MAX_KILL_DELAY_MS));
        CU_ASSERT_EQUAL(kill(pid, SIGKILL), 0);
        CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
        CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        rev = verify(run, rev);
    }
}

int main(void)
{
    const char *b = th_build_dir();
    snprintf(bin, sizeof bin, "%s/bin/skiff", b);
    snprintf(store_so, sizeof store_so, "%s/lib/skiff/etcd-store.so", b);
    snprintf(writer_so, sizeof writer_so, "%s/tests/plugins/store-crash-writer.so", b);
    if (access(bin, X_OK) || access(store_so, R_OK) || access(writer_so, R_OK)) {
        fprintf(stderr, "test-store-crash: needs %s, %s and %s\n", bin, store_so, writer_so);
        return 1;
    }
    root = th_mkdtemp("crash");
    if (!root)
        return 1;
    static const th_test tests[] = {
        {"SIGKILL 20 times under concurrent durable writes", test_kill_9},
        {NULL, NULL},
    };
    int rc = th_run_suite("store-crash", tests);
    th_rmdir(root);
    return rc;
}
