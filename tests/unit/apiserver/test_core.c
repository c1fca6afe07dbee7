/* The plugin's request core without a store: authorization (the
 * Forbidden path), error mapping when the store is missing, continue
 * tokens, resourceVersion splicing, CIDR parsing, static tokens and the
 * kubeconfig. The host is a fake sk_host whose bus knows no service. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "apiserver.h"
#include "json_mp.h"
#include "list_token.h"
#include "objects.h"
#include "status.h"
#include "test_util.h"

static void fake_logv(void *ctx, sk_log_level l, const char *fmt, va_list ap)
{
    (void)ctx, (void)l, (void)fmt, (void)ap;
}
static int fake_enabled(void *ctx, sk_log_level l)
{
    (void)ctx, (void)l;
    return 0;
}
static int fake_call(void *ctx, const char *svc, const char *method, const void *d, size_t n,
                     int timeout, void **rep, size_t *rlen, char *err, size_t errlen)
{
    (void)ctx, (void)svc, (void)method, (void)d, (void)n, (void)timeout, (void)rep, (void)rlen;
    if (err && errlen)
        snprintf(err, errlen, "no plugin serves '%s'", svc);
    return SK_ENOSERVICE;
}

static sk_log_api log_api = {sizeof(sk_log_api), fake_logv, fake_enabled};
static sk_bus_api bus_api = {.size = sizeof(sk_bus_api), .call = fake_call};
static char dir[64];
static sk_host host;
static ap_server srv;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sk-apicore-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    static char data[128];
    snprintf(data, sizeof data, "%s/apiserver", dir);
    mkdir(data, 0700);
    host = (sk_host){.size = sizeof host, .plugin_name = "apiserver", .node_name = "n",
                     .data_dir = data, .log = &log_api, .bus = &bus_api};
    srv = (ap_server){.h = &host, .authorize = ap_authorize_default};
    srv.conf.store_service = "store";
    srv.conf.timeout_ms = 1000;
    snprintf(srv.url, sizeof srv.url, "http://127.0.0.1:1234");
}

static int deny(void *arg, const ap_user *u, const char *verb, const sk_resource *r,
                const char *ns, const char *name)
{
    (void)arg, (void)u, (void)r, (void)ns, (void)name;
    return strcmp(verb, "delete") == 0 ? -1 : 0;
}

static void t_forbidden(void)
{
    static const ap_user alice = {"alice", "1", "dev"};
    ap_req rq = {.verb = AP_DELETE, .res = sk_registry_find("", "v1", "pods"), .ns = "default",
                 .name = "web", .user = &alice};
    ap_opts_init(&rq.o);
    ap_resp out;
    ap_resp_init(&out);
    srv.authorize = deny;
    ap_handle(&srv, &rq, &out);
    srv.authorize = ap_authorize_default;
    CU_ASSERT_EQUAL(out.code, 403);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(out.status, "reason")), "Forbidden");
    CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(out.status, "message")),
                                  "User \"alice\" cannot delete resource \"pods\""));
    ap_resp_free(&out);
    /* allowed, but there is no store: 503, never a crash */
    rq.verb = AP_GET;
    ap_resp_init(&out);
    ap_handle(&srv, &rq, &out);
    CU_ASSERT_EQUAL(out.code, 503);
    ap_resp_free(&out);
    /* a verb the resource does not have */
    rq.res = sk_registry_find("", "v1", "namespaces");
    rq.verb = AP_DELETECOLLECTION;
    ap_resp_init(&out);
    ap_handle(&srv, &rq, &out);
    CU_ASSERT_EQUAL(out.code, 405);
    ap_resp_free(&out);
}

static void t_code_map(void)
{
    CU_ASSERT_EQUAL(ap_code_to_sk(404, "NotFound"), SK_ENOTFOUND);
    CU_ASSERT_EQUAL(ap_code_to_sk(409, "AlreadyExists"), SK_EEXISTS);
    CU_ASSERT_EQUAL(ap_code_to_sk(409, "Conflict"), SK_ECONFLICT);
    CU_ASSERT_EQUAL(ap_code_to_sk(410, "Expired"), SK_ECOMPACTED);
    CU_ASSERT_EQUAL(ap_code_to_sk(422, "Invalid"), SK_EBADMSG);
    CU_ASSERT_EQUAL(ap_code_to_sk(403, "Forbidden"), SK_EDENIED);
    CU_ASSERT_EQUAL(ap_code_to_sk(500, "InternalError"), SK_EINTERNAL);
    json_t *st = ap_status_for(NULL, NULL, SK_ECOMPACTED, "too old");
    CU_ASSERT_EQUAL(sk_status_code(st), 410);
    json_decref(st);
}

static void t_tokens(void)
{
    char *t = ap_token_encode(42, "ns/name-3", 9);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    char start[256];
    size_t n;
    int64_t rev;
    CU_ASSERT_EQUAL(ap_token_decode(t, "/registry/pods/", 15, &rev, start, sizeof start, &n), 0);
    CU_ASSERT_EQUAL(rev, 42);
    CU_ASSERT_EQUAL(n, 15 + 9 + 1);
    CU_ASSERT_EQUAL(memcmp(start, "/registry/pods/ns/name-3\0", 25), 0);
    free(t);
    CU_ASSERT_EQUAL(ap_token_decode("!!!", "/p/", 3, &rev, start, sizeof start, &n), -1);
    CU_ASSERT_EQUAL(ap_token_decode("e30=", "/p/", 3, &rev, start, sizeof start, &n), -1);
    CU_ASSERT_EQUAL(ap_token_decode("", "/p/", 3, &rev, start, sizeof start, &n), -1);
}

static void t_rv_splice(void)
{
    json_t *o = tj("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"},"
                   "\"x\":1.0}");
    sk_mp_buf b, c;
    sk_mp_buf_init(&b);
    sk_mp_buf_init(&c);
    CU_ASSERT_EQUAL_FATAL(sk_json_to_mp(o, &b, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(ap_mp_with_rv(sk_mp_buf_view(&b), 77, &c), 0);
    json_t *back = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_mp_to_json(c.data, c.len, NULL, &back, NULL), 0);
    TJ_EQ(back, "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"77\"},"
                "\"x\":1.0}");
    json_decref(back);
    sk_mp_buf_free(&c);
    sk_mp_buf_init(&c);
    /* no metadata at all: one is added */
    json_t *bare = tj("{\"kind\":\"X\"}");
    sk_mp_buf_free(&b);
    sk_mp_buf_init(&b);
    sk_json_to_mp(bare, &b, NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(ap_mp_with_rv(sk_mp_buf_view(&b), 5, &c), 0);
    CU_ASSERT_EQUAL_FATAL(sk_mp_to_json(c.data, c.len, NULL, &back, NULL), 0);
    TJ_EQ(back, "{\"kind\":\"X\",\"metadata\":{\"resourceVersion\":\"5\"}}");
    json_decref(back);
    /* not a map */
    sk_mp_buf_free(&c);
    sk_mp_buf_init(&c);
    CU_ASSERT_EQUAL(ap_mp_with_rv((sk_mp_view){(const uint8_t *)"\x01", 1}, 5, &c), SK_EBADMSG);
    json_decref(bare);
    json_decref(o);
    sk_mp_buf_free(&b);
    sk_mp_buf_free(&c);
}

static void t_cidr(void)
{
    uint32_t net, mask;
    CU_ASSERT_EQUAL(ap_parse_cidr("10.96.0.0/12", &net, &mask), 0);
    CU_ASSERT_EQUAL(net, 0x0a600000u);
    CU_ASSERT_EQUAL(mask, 0xfff00000u);
    CU_ASSERT_EQUAL(ap_parse_cidr("10.96.5.7/24", &net, &mask), 0);
    CU_ASSERT_EQUAL(net, 0x0a600500u);
    CU_ASSERT_EQUAL(ap_parse_cidr("10.96.0.0", &net, &mask), -1);
    CU_ASSERT_EQUAL(ap_parse_cidr("10.96.0.0/31", &net, &mask), -1);
    CU_ASSERT_EQUAL(ap_parse_cidr("nope/12", &net, &mask), -1);
}

static void t_auth_files(void)
{
    char tf[128];
    snprintf(tf, sizeof tf, "%s/tokens.csv", dir);
    FILE *f = fopen(tf, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("# comment\ntok-1,alice,1001,\"dev,ops\"\ntok-2,bob,1002\n", f);
    fclose(f);
    srv.conf.token_file = tf;
    CU_ASSERT_EQUAL_FATAL(ap_auth_load(&srv), 0);
    CU_ASSERT_EQUAL(strlen(srv.admin_token), 64);
    const ap_user *u = ap_auth_token(&srv, "tok-1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(u->name, "alice");
    CU_ASSERT_STRING_EQUAL(u->groups, "dev,ops");
    CU_ASSERT_STRING_EQUAL(ap_auth_token(&srv, "tok-2")->name, "bob");
    CU_ASSERT_PTR_NULL(ap_auth_token(&srv, "tok-3"));
    CU_ASSERT_PTR_NULL(ap_auth_token(&srv, ""));
    CU_ASSERT_PTR_NOT_NULL(ap_auth_token(&srv, srv.admin_token));
    char admin[80];
    snprintf(admin, sizeof admin, "%s", srv.admin_token);
    ap_auth_free(&srv);
    /* the admin token survives a restart */
    CU_ASSERT_EQUAL_FATAL(ap_auth_load(&srv), 0);
    CU_ASSERT_STRING_EQUAL(srv.admin_token, admin);
    CU_ASSERT_EQUAL(ap_write_kubeconfig(&srv), 0);
    char kc[128];
    snprintf(kc, sizeof kc, "%s/kubeconfig", dir);
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(kc, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    ap_auth_free(&srv);
    /* a malformed token file refuses to start */
    f = fopen(tf, "w");
    fputs("only-a-token\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(ap_auth_load(&srv), SK_ECONFIG);
    ap_auth_free(&srv);
    srv.conf.token_file = NULL;
}

int main(void)
{
    static const tcase cases[] = {
        {"authorizer: Forbidden; no store: 503", t_forbidden},
        {"HTTP code to skiff code", t_code_map},
        {"continue tokens", t_tokens},
        {"resourceVersion splicing", t_rv_splice},
        {"service CIDR", t_cidr},
        {"tokens and kubeconfig", t_auth_files},
        {NULL, NULL},
    };
    setup();
    int rc = trun("apiserver-core", cases);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) < 0)
        perror("system");
    return rc;
}
