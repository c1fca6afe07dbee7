/* The informer against a fake transport: list then watch, events, indexes,
 * and relists that deliver only real differences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "skiff/errors.h"
#include "skiff/informer.h"
#include "test_main.h"

typedef struct log_t {
    char ev[64][48];
    int n, synced;
} log_t;

static void rec(log_t *l, const char *what, sk_mp_view obj)
{
    char key[64] = "?";
    (void)sk_object_key(obj, key, sizeof key);
    if (l->n < 64)
        snprintf(l->ev[l->n++], 48, "%s %s", what, key);
}
static void on_add(void *a, sk_mp_view o) { rec(a, "add", o); }
static void on_upd(void *a, sk_mp_view o, sk_mp_view n)
{
    char rv_old[16] = "", rv_new[16] = "";
    (void)sk_mp_find_str(o, "metadata.resourceVersion", rv_old, sizeof rv_old);
    (void)sk_mp_find_str(n, "metadata.resourceVersion", rv_new, sizeof rv_new);
    CU_ASSERT_STRING_NOT_EQUAL(rv_old, rv_new);
    rec(a, "update", n);
}
static void on_del(void *a, sk_mp_view o) { rec(a, "delete", o); }
static void on_sync(void *a) { ((log_t *)a)->synced++; }

static fake_loop loop;
static fake_transport tr;
static log_t lg;

static sk_informer *mk(void)
{
    fake_loop_init(&loop);
    fake_transport_init(&tr);
    memset(&lg, 0, sizeof lg);
    sk_informer_cfg cfg = {.kind = {"", "v1", "pods"},
                           .transport = fake_transport_api(&tr),
                           .loop = &fake_loop_api,
                           .loop_ctx = &loop};
    sk_informer *inf = NULL;
    CU_ASSERT_EQUAL_FATAL(sk_informer_new(&cfg, &inf), 0);
    sk_informer_handlers h = {on_add, on_upd, on_del, on_sync, &lg};
    CU_ASSERT_EQUAL(sk_informer_add_handlers(inf, &h), 0);
    CU_ASSERT_EQUAL(sk_informer_add_index(inf, "node", "spec.nodeName"), 0);
    return inf;
}

#define POD(ns, name, rv, node, owner)                                                         \
    "{\"metadata\":{\"namespace\":\"" ns "\",\"name\":\"" name "\",\"resourceVersion\":\"" rv \
    "\",\"uid\":\"u-" name "\",\"ownerReferences\":[{\"uid\":\"" owner "\"}]},"               \
    "\"spec\":{\"nodeName\":\"" node "\"}}"

static void list_answer(const char *rv, const char *items)
{
    char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"%s\"},\"items\":[%s]}",
             rv, items);
    fake_reply(fake_last(&tr, "list"), 0, buf);
}

static void test_list_then_watch(void)
{
    sk_informer *inf = mk();
    CU_ASSERT_EQUAL(sk_informer_start(inf), 0);
    CU_ASSERT_FALSE(sk_informer_synced(inf));
    list_answer("10", POD("a", "p1", "5", "n1", "rs1") "," POD("a", "p2", "6", "n2", "rs1"));
    CU_ASSERT_TRUE(sk_informer_synced(inf));
    CU_ASSERT_EQUAL(lg.synced, 1);
    CU_ASSERT_EQUAL(lg.n, 2);
    CU_ASSERT_EQUAL(sk_informer_len(inf), 2);
    CU_ASSERT_STRING_EQUAL(sk_informer_rv(inf), "10");
    /* The watch starts from the list's resourceVersion. */
    fake_req *w = fake_last(&tr, "watch");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    sk_mp_view req, rv;
    CU_ASSERT_EQUAL(sk_mp_check(w->data, w->len, 16, &req), 0);
    CU_ASSERT_EQUAL(sk_mp_find(req, "options.resourceVersion", &rv), 0);
    CU_ASSERT_TRUE(sk_mp_str_eq(rv, "10"));

    fake_part(w, "{\"type\":\"ADDED\",\"object\":" POD("b", "p3", "11", "n1", "rs2") "}");
    fake_part(w, "{\"type\":\"MODIFIED\",\"object\":" POD("a", "p1", "12", "n2", "rs1") "}");
    fake_part(w, "{\"type\":\"DELETED\",\"object\":" POD("a", "p2", "13", "n2", "rs1") "}");
    fake_part(w, "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"20\"}}}");
    CU_ASSERT_EQUAL(lg.n, 5);
    CU_ASSERT_STRING_EQUAL(lg.ev[2], "add b/p3");
    CU_ASSERT_STRING_EQUAL(lg.ev[3], "update a/p1");
    CU_ASSERT_STRING_EQUAL(lg.ev[4], "delete a/p2");
    CU_ASSERT_STRING_EQUAL(sk_informer_rv(inf), "20");

    sk_mp_view *items;
    size_t n;
    CU_ASSERT_EQUAL(sk_informer_list(inf, "node", "n2", &items, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    free(items);
    CU_ASSERT_EQUAL(sk_informer_list(inf, SK_INDEX_OWNER, "rs1", &items, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    free(items);
    CU_ASSERT_EQUAL(sk_informer_list(inf, SK_INDEX_NAMESPACE, "b", &items, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    free(items);
    CU_ASSERT_EQUAL(sk_informer_list(inf, "nope", "x", &items, &n), SK_ENOTFOUND);
    sk_mp_view o;
    CU_ASSERT_EQUAL(sk_informer_get(inf, "a", "p1", &o), 0);
    CU_ASSERT_EQUAL(sk_informer_get(inf, "a", "p2", &o), SK_ENOTFOUND);

    /* A normal end of the watch: watch again from the last rv, no relist. */
    fake_reply(w, 0, "{}");
    fake_loop_advance(&loop, 0);
    w = fake_last(&tr, "watch");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(sk_mp_check(w->data, w->len, 16, &req), 0);
    CU_ASSERT_EQUAL(sk_mp_find(req, "options.resourceVersion", &rv), 0);
    CU_ASSERT_TRUE(sk_mp_str_eq(rv, "20"));
    CU_ASSERT_EQUAL(fake_count(&tr, "list"), 1);
    sk_informer_free(&inf);
    fake_transport_free(&tr);
    tjson_reset();
}

static void test_relist_differences(void)
{
    sk_informer *inf = mk();
    CU_ASSERT_EQUAL(sk_informer_start(inf), 0);
    list_answer("10", POD("a", "keep", "1", "n1", "o") "," POD("a", "change", "2", "n1", "o") ","
                      POD("a", "gone", "3", "n1", "o"));
    CU_ASSERT_EQUAL(lg.n, 3);
    fake_req *w = fake_last(&tr, "watch");
    /* 410 Gone: an ERROR event, then the stream ends with SK_ECOMPACTED. */
    fake_part(w, "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410}}");
    fake_reply(w, SK_ECOMPACTED, NULL);
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(fake_count(&tr, "list"), 2);
    lg.n = 0;
    lg.synced = 0;
    list_answer("50", POD("a", "keep", "1", "n1", "o") "," POD("a", "change", "40", "n2", "o") ","
                      POD("a", "new", "41", "n1", "o"));
    CU_ASSERT_EQUAL(lg.n, 3);
    int add = 0, upd = 0, del = 0;
    for (int i = 0; i < lg.n; i++) {
        add += strcmp(lg.ev[i], "add a/new") == 0;
        upd += strcmp(lg.ev[i], "update a/change") == 0;
        del += strcmp(lg.ev[i], "delete a/gone") == 0;
    }
    CU_ASSERT_EQUAL(add + upd + del, 3);
    CU_ASSERT_EQUAL(lg.synced, 1);
    CU_ASSERT_EQUAL(sk_informer_relists(inf), 1);
    CU_ASSERT_EQUAL(sk_informer_len(inf), 3);
    /* The index followed the update. */
    sk_mp_view *items;
    size_t n;
    CU_ASSERT_EQUAL(sk_informer_list(inf, "node", "n2", &items, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    free(items);
    CU_ASSERT_EQUAL(sk_informer_list(inf, "node", "n1", &items, &n), 0);
    CU_ASSERT_EQUAL(n, 2);
    free(items);
    sk_informer_free(&inf);
    fake_transport_free(&tr);
}

static void test_errors_backoff(void)
{
    sk_informer *inf = mk();
    tr.fail_next = SK_ENOSERVICE;
    CU_ASSERT_EQUAL(sk_informer_start(inf), SK_ENOSERVICE);
    CU_ASSERT_EQUAL(fake_count(&tr, "list"), 0);
    fake_loop_advance(&loop, 249);
    CU_ASSERT_EQUAL(fake_count(&tr, "list"), 0);
    fake_loop_advance(&loop, 1);
    CU_ASSERT_EQUAL(fake_count(&tr, "list"), 1);
    /* A malformed list answer leaves the cache alone and retries later. */
    fake_reply(fake_last(&tr, "list"), 0, "{\"items\":7}");
    CU_ASSERT_EQUAL(fake_count(&tr, "watch"), 0);
    CU_ASSERT_FALSE(sk_informer_synced(inf));
    fake_loop_advance(&loop, 499);
    CU_ASSERT_EQUAL(fake_count(&tr, "list"), 1);
    fake_loop_advance(&loop, 1);
    CU_ASSERT_EQUAL(fake_count(&tr, "list"), 2);
    list_answer("3", POD("a", "p", "1", "n", "o"));
    fake_req *w = fake_last(&tr, "watch");
    /* Garbage in the stream: nothing crashes; relist when it ends. */
    fake_part(w, "[1,2,3]");
    fake_part(w, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}");
    fake_part(w, "{\"type\":\"WAT\",\"object\":{}}");
    fake_reply(w, SK_EFULL, NULL);
    fake_loop_advance(&loop, 0);
    CU_ASSERT_EQUAL(fake_count(&tr, "list"), 3);
    sk_informer_stop(inf);
    CU_ASSERT_FALSE(fake_last(&tr, "list") != NULL);
    sk_informer_free(&inf);
    CU_ASSERT_EQUAL(fake_loop_pending(&loop), 0);
    fake_transport_free(&tr);
}

static void test_null_items_is_empty(void)
{
    sk_informer *inf = mk();
    CU_ASSERT_EQUAL(sk_informer_start(inf), 0);
    list_answer("4", POD("a", "p", "1", "n", "o"));
    fake_req *w = fake_last(&tr, "watch");
    fake_reply(w, SK_ECOMPACTED, NULL);
    fake_loop_advance(&loop, 0);
    fake_reply(fake_last(&tr, "list"), 0, "{\"metadata\":{\"resourceVersion\":\"9\"},\"items\":null}");
    CU_ASSERT_EQUAL(sk_informer_len(inf), 0);
    CU_ASSERT_STRING_EQUAL(lg.ev[lg.n - 1], "delete a/p");
    CU_ASSERT_STRING_EQUAL(sk_informer_rv(inf), "9");
    sk_informer_free(&inf);
    fake_transport_free(&tr);
}

static void test_object_key(void)
{
    char buf[64];
    CU_ASSERT_EQUAL(sk_object_key(tj("{\"metadata\":{\"name\":\"n\"}}"), buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "n");
    CU_ASSERT_EQUAL(sk_object_key(tj("{\"metadata\":{}}"), buf, sizeof buf), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_object_key(tj("{\"metadata\":{\"name\":\"nnnnnn\",\"namespace\":\"x\"}}"),
                                  buf, 4), SK_ETOOLARGE);
    tjson_reset();
}

SK_TEST_MAIN("informer", SK_TEST(test_list_then_watch), SK_TEST(test_relist_differences),
             SK_TEST(test_errors_backoff), SK_TEST(test_null_items_is_empty),
             SK_TEST(test_object_key))
