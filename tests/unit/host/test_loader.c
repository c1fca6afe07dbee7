/* The loader: every way a .so can be refused names the plugin and the path
 * (and both ABI versions for a mismatch), and a good one loads twice as two
 * distinct copies. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "sk_testutil.h"
#include "skt_suite.h"
#include "skiff/errors.h"

static char tmp[SKT_PATH];

static int load(const char *file, sk_module **m, char *err, size_t errlen)
{
    return sk_module_load("store", skt_plugin(file), tmp, m, err, errlen);
}

static void test_missing_file(void)
{
    char err[1024] = "";
    sk_module *m = NULL;
    int rc = sk_module_load("store", "/nonexistent/dir/store.so", tmp, &m, err, sizeof err);
    CU_ASSERT(rc < 0);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "plugin 'store'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/dir/store.so"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
}

static void test_missing_symbol(void)
{
    char err[1024] = "";
    sk_module *m = NULL;
    CU_ASSERT_EQUAL(load("fx-no-entry", &m, err, sizeof err), SK_EABI);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "plugin 'store'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, skt_plugin("fx-no-entry")));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "sk_plugin_entry_v1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ABI 1.0"));
}

static void test_abi_mismatch(void)
{
    char err[1024] = "", want[SKT_PATH + 256];
    sk_module *m = NULL;
    CU_ASSERT_EQUAL(load("fx-bad-abi", &m, err, sizeof err), SK_EABI);
    CU_ASSERT_PTR_NULL(m);
    skt_fmt(want, sizeof want,
             "plugin 'store' (%s): ABI 99.0 not supported by this host (ABI %d.%d)",
             skt_plugin("fx-bad-abi"), SK_ABI_MAJOR, SK_ABI_MINOR);
    CU_ASSERT_STRING_EQUAL(err, want);
}

static void test_build_sig_mismatch(void)
{
    char err[1024] = "";
    sk_module *m = NULL;
    CU_ASSERT_EQUAL(load("fx-bad-sig", &m, err, sizeof err), SK_EABI);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "plugin 'store'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, skt_plugin("fx-bad-sig")));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "build signature 0x404"));
}

static int noop_init(const sk_host *h, void **s) { (void)h, (void)s; return 0; }
static int noop_start(void *s) { (void)s; return 0; }
static void noop_stop(void *s) { (void)s; }

static sk_plugin_desc good_desc(void)
{
    return (sk_plugin_desc){SK_PLUGIN_DESC_INIT, .name = "x", .init = noop_init,
                            .start = noop_start, .stop = noop_stop, .fini = noop_stop};
}

static void test_desc_checks(void)
{
    char err[512];
    sk_plugin_desc copy, d = good_desc();
    CU_ASSERT_EQUAL(sk_module_check_desc("p", "/p.so", &d, &copy, err, sizeof err), 0);
    CU_ASSERT_EQUAL(copy.init, noop_init);

    CU_ASSERT_EQUAL(sk_module_check_desc("p", "/p.so", NULL, &copy, err, sizeof err), SK_EABI);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no descriptor"));

    d.abi_minor = SK_ABI_MINOR + 1;
    CU_ASSERT_EQUAL(sk_module_check_desc("p", "/p.so", &d, &copy, err, sizeof err), SK_EABI);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "newer"));

    d = good_desc();
    d.size = (uint32_t)offsetof(sk_plugin_desc, stop);
    CU_ASSERT_EQUAL(sk_module_check_desc("p", "/p.so", &d, &copy, err, sizeof err), SK_EABI);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "smaller"));

    d = good_desc();
    d.start = NULL;
    CU_ASSERT_EQUAL(sk_module_check_desc("p", "/p.so", &d, &copy, err, sizeof err), SK_EABI);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no start"));
}

/* A plugin built against a larger, newer-minor descriptor: the host reads
 * only its own fields; an older (smaller, but complete) one is zero-filled. */
static void test_desc_sizes(void)
{
    char err[512];
    struct {
        sk_plugin_desc d;
        void *future_field;
    } big = {good_desc(), (void *)&big};
    big.d.size = sizeof big;
    sk_plugin_desc copy;
    CU_ASSERT_EQUAL(sk_module_check_desc("p", "/p.so", &big.d, &copy, err, sizeof err), 0);
    CU_ASSERT_EQUAL(copy.size, sizeof copy);
}

static void test_good_twice(void)
{
    char err[1024] = "";
    sk_module *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL_FATAL(load("fx-echo", &a, err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(load("fx-echo", &b, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(a->desc.name, "fx-echo");
    CU_ASSERT_STRING_EQUAL(a->desc.version, "1.0.0");
    CU_ASSERT_STRING_EQUAL(a->path, skt_plugin("fx-echo"));
    /* Two private copies: two mappings, so a reload really runs new code. */
    CU_ASSERT_PTR_NOT_EQUAL(a->dl, b->dl);
    CU_ASSERT_PTR_NOT_EQUAL((void *)a->desc.init, (void *)b->desc.init);
    sk_module_unload(&a);
    sk_module_unload(&b);
    CU_ASSERT_PTR_NULL(a);
    /* The copies are gone from the temp dir once mapped. */
    char *ls[] = {"/bin/sh", "-c", NULL, NULL};
    char cmd[SKT_PATH + 64];
    skt_fmt(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tmp);
    ls[2] = cmd;
    CU_ASSERT_EQUAL(skt_run(ls, NULL, NULL, 10000), 0);
}

static void test_resolve(void)
{
    char out[SKT_PATH];
    CU_ASSERT_EQUAL(sk_module_resolve("store", "./x/y.so", out, sizeof out), 0);
    CU_ASSERT_STRING_EQUAL(out, "./x/y.so");
    CU_ASSERT_EQUAL(sk_module_resolve("store", NULL, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "/store.so"));
    CU_ASSERT_EQUAL(sk_module_resolve("store", "etcd-store", out, sizeof out), 0);
    size_t n = strlen(out);
    CU_ASSERT(n > 14 && strcmp(out + n - 14, "/etcd-store.so") == 0);
    CU_ASSERT_EQUAL(sk_module_resolve("store", "etcd-store.so", out, sizeof out), 0);
    CU_ASSERT(strcmp(out + strlen(out) - 14, "/etcd-store.so") == 0);
    CU_ASSERT_EQUAL(sk_module_resolve("store", NULL, out, 8), -ENAMETOOLONG);
}

int main(void)
{
    static const skt_case cases[] = {
        {"missing file", test_missing_file},
        {"missing symbol", test_missing_symbol},
        {"ABI mismatch", test_abi_mismatch},
        {"build signature mismatch", test_build_sig_mismatch},
        {"descriptor checks", test_desc_checks},
        {"descriptor sizes", test_desc_sizes},
        {"good plugin, loaded twice", test_good_twice},
        {"path resolution", test_resolve},
        {NULL, NULL},
    };
    skt_mkdtemp(tmp, sizeof tmp);
    int failed = skt_run_suite("loader", cases);
    skt_rmrf(tmp);
    return failed ? 1 : 0;
}
