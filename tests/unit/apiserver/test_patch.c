/* Merge patch, JSON patch and strategic merge patch. */
#include <errno.h>
#include <string.h>

#include <skiff/errors.h>

#include "patch.h"
#include "test_util.h"

/* Applies a patch of the given kind to doc_text and compares with expect
 * (NULL: expect failure with code want_rc and an unchanged document). */
enum { MERGE, JSONP, SMP };

static void check(int kind, const sk_schema *s, const char *doc_text, const char *patch_text,
                  const char *expect, int want_rc)
{
    json_t *doc = tj(doc_text), *patch = tj(patch_text);
    sk_apierr err = {{0}};
    int rc = kind == MERGE   ? sk_merge_patch(&doc, patch, &err)
             : kind == JSONP ? sk_json_patch(&doc, patch, &err)
                             : sk_strategic_patch(&doc, patch, s, &err);
    if (rc != want_rc)
        fprintf(stderr, "\n  patch %s: rc %d, want %d (%s)\n", patch_text, rc, want_rc, err.msg);
    CU_ASSERT_EQUAL(rc, want_rc);
    if (expect)
        TJ_EQ(doc, expect);
    else
        TJ_EQ(doc, doc_text);
    if (want_rc)
        CU_ASSERT(strlen(err.msg) > 0);
    json_decref(doc);
    json_decref(patch);
}

static void test_merge_patch(void)
{
    check(MERGE, NULL, "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}", 0);
    check(MERGE, NULL, "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}", 0);
    check(MERGE, NULL, "{\"a\":\"b\"}", "{\"a\":null}", "{}", 0);
    check(MERGE, NULL, "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}", 0);
    check(MERGE, NULL, "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}", 0);
    check(MERGE, NULL, "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}", 0);
    check(MERGE, NULL, "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
          "{\"a\":{\"b\":\"d\"}}", 0);
    check(MERGE, NULL, "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}", 0);
    check(MERGE, NULL, "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}", 0);
    check(MERGE, NULL, "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}", 0);
    /* kubectl label / scale */
    check(MERGE, NULL, "{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":\"1\"}}}",
          "{\"metadata\":{\"labels\":{\"b\":\"2\",\"a\":null}}}",
          "{\"metadata\":{\"name\":\"x\",\"labels\":{\"b\":\"2\"}}}", 0);
}

static void test_json_patch(void)
{
    check(JSONP, NULL, "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
          "{\"foo\":\"bar\",\"baz\":\"qux\"}", 0);
    check(JSONP, NULL, "{\"foo\":[\"bar\",\"baz\"]}",
          "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
          "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", 0);
    check(JSONP, NULL, "{\"foo\":[1]}", "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":2}]",
          "{\"foo\":[1,2]}", 0);
    check(JSONP, NULL, "{\"baz\":\"qux\",\"foo\":\"bar\"}",
          "[{\"op\":\"remove\",\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}", 0);
    check(JSONP, NULL, "{\"foo\":[\"bar\",\"qux\",\"baz\"]}",
          "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", "{\"foo\":[\"bar\",\"baz\"]}", 0);
    check(JSONP, NULL, "{\"baz\":\"qux\",\"foo\":\"bar\"}",
          "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
          "{\"baz\":\"boo\",\"foo\":\"bar\"}", 0);
    check(JSONP, NULL, "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
          "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
          "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}", 0);
    check(JSONP, NULL, "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
          "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
          "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", 0);
    check(JSONP, NULL, "{\"a\":{\"b\":1}}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"}]",
          "{\"a\":{\"b\":1},\"c\":{\"b\":1}}", 0);
    check(JSONP, NULL, "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
          "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
          "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2.0}]",
          "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", 0);
    check(JSONP, NULL, "{\"/\":9,\"~1\":10}",
          "[{\"op\":\"replace\",\"path\":\"/~01\",\"value\":11},"
          "{\"op\":\"replace\",\"path\":\"/~1\",\"value\":8}]",
          "{\"/\":8,\"~1\":11}", 0);
    check(JSONP, NULL, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]", "[1]",
          0);
    check(JSONP, NULL, "{\"metadata\":{\"labels\":{}}}",
          "[{\"op\":\"add\",\"path\":\"/metadata/labels/j\",\"value\":\"k\"}]",
          "{\"metadata\":{\"labels\":{\"j\":\"k\"}}}", 0);
    check(JSONP, NULL, "{}", "[]", "{}", 0);
}

static void test_json_patch_errors(void)
{
    /* failures leave the document as it was, even after earlier ops */
    check(JSONP, NULL, "{\"baz\":\"qux\"}",
          "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1},"
          "{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
          NULL, -EINVAL);
    check(JSONP, NULL, "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", NULL, -EINVAL);
    check(JSONP, NULL, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":1}]", NULL,
          -EINVAL);
    check(JSONP, NULL, "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/5\",\"value\":1}]", NULL,
          -EINVAL);
    check(JSONP, NULL, "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":1}]", NULL,
          -EINVAL);
    check(JSONP, NULL, "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/x/y\",\"value\":1}]", NULL,
          -EINVAL);
    check(JSONP, NULL, "{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/c\"}]",
          NULL, -EINVAL);
    check(JSONP, NULL, "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\"}]", NULL, SK_EBADMSG);
    check(JSONP, NULL, "{\"a\":1}", "[{\"path\":\"/b\"}]", NULL, SK_EBADMSG);
    check(JSONP, NULL, "{\"a\":1}", "[{\"op\":\"frob\",\"path\":\"/b\"}]", NULL, SK_EBADMSG);
    check(JSONP, NULL, "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"b\",\"value\":1}]", NULL,
          SK_EBADMSG);
    check(JSONP, NULL, "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/~2\",\"value\":1}]", NULL,
          SK_EBADMSG);
    check(JSONP, NULL, "{\"a\":1}", "{\"op\":\"add\"}", NULL, SK_EBADMSG);
}

static const char *deploy =
    "{\"spec\":{\"replicas\":1,\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
    "{\"maxSurge\":\"25%\",\"maxUnavailable\":\"25%\"}},\"template\":{\"spec\":{\"containers\":["
    "{\"name\":\"web\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":80,\"protocol\":"
    "\"TCP\"}],\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]},"
    "{\"name\":\"sidecar\",\"image\":\"busybox\"}]}}}}";

static void test_smp_set_image(void)
{
    check(SMP, &sk_schema_deployment, deploy,
          "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"web\"},"
          "{\"name\":\"sidecar\"}],\"containers\":[{\"image\":\"nginx:1.27\",\"name\":\"web\"}]}}}}",
          "{\"spec\":{\"replicas\":1,\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
          "{\"maxSurge\":\"25%\",\"maxUnavailable\":\"25%\"}},\"template\":{\"spec\":{\"containers"
          "\":[{\"name\":\"web\",\"image\":\"nginx:1.27\",\"ports\":[{\"containerPort\":80,"
          "\"protocol\":\"TCP\"}],\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\","
          "\"value\":\"2\"}]},{\"name\":\"sidecar\",\"image\":\"busybox\"}]}}}}",
          0);
}

static void test_smp_apply_removals(void)
{
    /* what client-side apply sends after dropping a container, an env var
     * and the ports of a container (KUBECTL-NOTES.md) */
    check(SMP, &sk_schema_deployment, deploy,
          "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"web\"}],"
          "\"containers\":[{\"$setElementOrder/env\":[{\"name\":\"A\"}],\"env\":[{\"$patch\":"
          "\"delete\",\"name\":\"B\"}],\"name\":\"web\",\"ports\":null},{\"$patch\":\"delete\","
          "\"name\":\"sidecar\"}]}}}}",
          "{\"spec\":{\"replicas\":1,\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
          "{\"maxSurge\":\"25%\",\"maxUnavailable\":\"25%\"}},\"template\":{\"spec\":{\"containers"
          "\":[{\"name\":\"web\",\"image\":\"nginx:1.25\",\"env\":[{\"name\":\"A\",\"value\":"
          "\"1\"}]}]}}}}",
          0);
}

static void test_smp_add_and_merge_keys(void)
{
    check(SMP, &sk_schema_pod,
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"name\":"
          "\"http\"}],\"volumeMounts\":[{\"name\":\"v\",\"mountPath\":\"/a\"}]}]}}",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,"
          "\"protocol\":\"TCP\"},{\"containerPort\":443}],\"volumeMounts\":[{\"name\":\"w\","
          "\"mountPath\":\"/a\"},{\"name\":\"x\",\"mountPath\":\"/b\"}]},{\"name\":\"d\","
          "\"image\":\"i\"}]}}",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"name\":"
          "\"http\",\"protocol\":\"TCP\"},{\"containerPort\":443}],\"volumeMounts\":[{\"name\":"
          "\"w\",\"mountPath\":\"/a\"},{\"name\":\"x\",\"mountPath\":\"/b\"}]},{\"name\":\"d\","
          "\"image\":\"i\"}]}}",
          0);
    /* an atomic list (tolerations) is replaced, like in merge patch */
    check(SMP, &sk_schema_pod, "{\"spec\":{\"tolerations\":[{\"key\":\"a\"},{\"key\":\"b\"}]}}",
          "{\"spec\":{\"tolerations\":[{\"key\":\"c\"}]}}",
          "{\"spec\":{\"tolerations\":[{\"key\":\"c\"}]}}", 0);
    /* maps merge key by key; null deletes */
    check(SMP, &sk_schema_pod, "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}",
          "{\"metadata\":{\"labels\":{\"a\":null,\"c\":\"3\"}}}",
          "{\"metadata\":{\"labels\":{\"b\":\"2\",\"c\":\"3\"}}}", 0);
    /* rollout restart */
    check(SMP, &sk_schema_deployment, "{\"spec\":{\"template\":{\"metadata\":{}}}}",
          "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/"
          "restartedAt\":\"2025-01-01T00:00:00Z\"}}}}}",
          "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/"
          "restartedAt\":\"2025-01-01T00:00:00Z\"}}}}}",
          0);
}

static void test_smp_directives(void)
{
    /* $patch: replace and delete on maps */
    json_t *d = tj(deploy), *p = tj("{\"spec\":{\"strategy\":{\"$patch\":\"replace\",\"type\":"
                                     "\"Recreate\"},\"template\":{\"$patch\":\"delete\"}}}");
    CU_ASSERT_EQUAL(sk_strategic_patch(&d, p, &sk_schema_deployment, NULL), 0);
    TJ_EQ(d, "{\"spec\":{\"replicas\":1,\"strategy\":{\"type\":\"Recreate\"}}}");
    json_decref(d);
    json_decref(p);
    /* $retainKeys */
    d = tj(deploy);
    p = tj("{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}");
    CU_ASSERT_EQUAL(sk_strategic_patch(&d, p, &sk_schema_deployment, NULL), 0);
    TJ_EQ(json_object_get(json_object_get(d, "spec"), "strategy"), "{\"type\":\"Recreate\"}");
    json_decref(d);
    json_decref(p);
    /* list-level replace */
    check(SMP, &sk_schema_pod,
          "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\"}]}}",
          "{\"spec\":{\"containers\":[{\"$patch\":\"replace\"},{\"name\":\"c\",\"image\":\"y\"}]}}",
          "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"y\"}]}}", 0);
    /* $patch: merge is the default */
    check(SMP, &sk_schema_pod, "{\"spec\":{\"dnsPolicy\":\"Default\",\"hostname\":\"h\"}}",
          "{\"spec\":{\"$patch\":\"merge\",\"hostname\":\"g\"}}",
          "{\"spec\":{\"dnsPolicy\":\"Default\",\"hostname\":\"g\"}}", 0);
}

static void test_smp_primitive_lists(void)
{
    check(SMP, &sk_schema_pod, "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
          "{\"metadata\":{\"finalizers\":[\"b\",\"c\"]}}",
          "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}", 0);
    check(SMP, &sk_schema_pod, "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}",
          "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"b\"]}}",
          "{\"metadata\":{\"finalizers\":[\"a\",\"c\"]}}", 0);
    check(SMP, &sk_schema_pod, "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}",
          "{\"metadata\":{\"$setElementOrder/finalizers\":[\"c\",\"b\",\"a\"]}}",
          "{\"metadata\":{\"finalizers\":[\"c\",\"b\",\"a\"]}}", 0);
    /* an atomic primitive list is replaced */
    check(SMP, &sk_schema_pod, "{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"1\"]}]}}",
          "{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"2\"]}]}}",
          "{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"2\"]}]}}", 0);
}

static void test_smp_order(void)
{
    /* reorder with a new element and one only the server has */
    check(SMP, &sk_schema_pod,
          "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}}",
          "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"c\"},{\"name\":\"a\"},"
          "{\"name\":\"d\"}],\"containers\":[{\"name\":\"d\"}]}}",
          "{\"spec\":{\"containers\":[{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"a\"},"
          "{\"name\":\"d\"}]}}",
          0);
    /* without $setElementOrder new elements are appended */
    check(SMP, &sk_schema_pod, "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
          "{\"spec\":{\"containers\":[{\"name\":\"z\"},{\"name\":\"a\",\"image\":\"i\"}]}}",
          "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\"},{\"name\":\"b\"},"
          "{\"name\":\"z\"}]}}",
          0);
}

static void test_smp_errors(void)
{
    check(SMP, &sk_schema_pod, "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
          "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}", NULL, SK_EBADMSG);
    check(SMP, &sk_schema_pod, "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
          "{\"spec\":{\"containers\":[\"x\"]}}", NULL, SK_EBADMSG);
    check(SMP, &sk_schema_pod, "{\"spec\":{}}", "{\"spec\":{\"$patch\":\"frob\"}}", NULL,
          SK_EBADMSG);
    check(SMP, &sk_schema_pod, "{\"spec\":{}}", "{\"spec\":{\"$frob\":1}}", NULL, SK_EBADMSG);
    check(SMP, &sk_schema_pod, "{\"spec\":{}}", "{\"spec\":{\"$retainKeys\":\"x\"}}", NULL,
          SK_EBADMSG);
    check(SMP, &sk_schema_pod, "{}", "[1]", NULL, SK_EBADMSG);
    /* the message names where */
    json_t *d = tj("{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}");
    json_t *p = tj("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"image\":\"x\"}]}}");
    sk_apierr err;
    CU_ASSERT_EQUAL(sk_strategic_patch(&d, p, &sk_schema_pod, &err), SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "spec.containers[1]"));
    json_decref(d);
    json_decref(p);
    /* no schema: plain merge semantics */
    check(SMP, NULL, "{\"a\":[1,2],\"b\":{\"c\":1}}", "{\"a\":[3],\"b\":{\"d\":2}}",
          "{\"a\":[3],\"b\":{\"c\":1,\"d\":2}}", 0);
}

/* Patches nested deeper than any real object fail cleanly. */
static void test_deep_patches(void)
{
    json_t *patch = json_object(), *cur = patch;
    for (int i = 0; i < 300; i++) {
        json_t *next = json_object();
        json_object_set_new(cur, "a", next);
        cur = next;
    }
    json_t *doc = json_object();
    sk_apierr err;
    CU_ASSERT_EQUAL(sk_strategic_patch(&doc, patch, NULL, &err), SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "deeply"));
    CU_ASSERT_NOT_EQUAL(sk_merge_patch(&doc, patch, &err), 0);
    TJ_EQ(doc, "{}");
    json_decref(doc);
    json_decref(patch);
}

int main(void)
{
    static const tcase cases[] = {
        {"merge_patch", test_merge_patch},
        {"json_patch", test_json_patch},
        {"json_patch_errors", test_json_patch_errors},
        {"smp_set_image", test_smp_set_image},
        {"smp_apply_removals", test_smp_apply_removals},
        {"smp_add_and_merge_keys", test_smp_add_and_merge_keys},
        {"smp_directives", test_smp_directives},
        {"smp_primitive_lists", test_smp_primitive_lists},
        {"smp_order", test_smp_order},
        {"smp_errors", test_smp_errors},
        {"deep_patches", test_deep_patches},
        {NULL, NULL},
    };
    return trun("apiserver-patch", cases);
}
