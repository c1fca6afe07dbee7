/* Label and field selectors. */
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "field_selector.h"
#include "json_mp.h"
#include "label_selector.h"
#include "test_util.h"

/* msgpack of a JSON literal, for matching tests */
static sk_mp_buf mp_of(const char *text)
{
    json_t *j = tj(text);
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    CU_ASSERT_EQUAL(sk_json_to_mp(j, &b, NULL, NULL), 0);
    json_decref(j);
    return b;
}

static bool lmatch(const char *sel, const char *labels_json)
{
    sk_label_selector s;
    sk_apierr err;
    CU_ASSERT_EQUAL_FATAL(sk_label_selector_parse(sel, &s, &err), 0);
    sk_mp_buf b = mp_of(labels_json);
    bool m = sk_label_selector_matches_mp(&s, sk_mp_buf_view(&b));
    json_t *j = tj(labels_json);
    CU_ASSERT_EQUAL(sk_label_selector_matches_json(&s, j), m);
    json_decref(j);
    sk_mp_buf_free(&b);
    sk_label_selector_free(&s);
    return m;
}

static void test_label_equality(void)
{
    const char *l = "{\"app\":\"web\",\"tier\":\"front\",\"app.kubernetes.io/name\":\"x\"}";
    CU_ASSERT(lmatch("", l));
    CU_ASSERT(lmatch("app=web", l));
    CU_ASSERT(lmatch("app==web", l));
    CU_ASSERT(lmatch(" app = web , tier=front", l));
    CU_ASSERT_FALSE(lmatch("app=db", l));
    CU_ASSERT(lmatch("app!=db", l));
    CU_ASSERT_FALSE(lmatch("app!=web", l));
    CU_ASSERT(lmatch("missing!=x", l));
    CU_ASSERT_FALSE(lmatch("missing=x", l));
    CU_ASSERT(lmatch("app.kubernetes.io/name=x", l));
    CU_ASSERT(lmatch("app,tier", l));
    CU_ASSERT_FALSE(lmatch("missing", l));
    CU_ASSERT(lmatch("!missing", l));
    CU_ASSERT_FALSE(lmatch("!app", l));
    CU_ASSERT(lmatch("empty=", "{\"empty\":\"\"}"));
    CU_ASSERT_FALSE(lmatch("empty=", "{}"));
    CU_ASSERT_FALSE(lmatch("app=web", "{}"));
}

static void test_label_sets(void)
{
    const char *l = "{\"env\":\"prod\",\"tier\":\"front\"}";
    CU_ASSERT(lmatch("env in (prod,staging)", l));
    CU_ASSERT(lmatch("env in (prod)", l));
    CU_ASSERT_FALSE(lmatch("env in (dev, staging)", l));
    CU_ASSERT(lmatch("env notin (dev,staging)", l));
    CU_ASSERT_FALSE(lmatch("env notin (prod)", l));
    CU_ASSERT(lmatch("missing notin (x)", l));
    CU_ASSERT_FALSE(lmatch("missing in (x)", l));
    CU_ASSERT(lmatch("env in (prod),tier,!gpu,tier notin (back)", l));
    CU_ASSERT(lmatch("in=x", "{\"in\":\"x\"}"));
}

static void test_label_errors(void)
{
    static const struct {
        const char *sel, *frag;
    } bad[] = {
        {"app=", NULL},                 /* valid: empty value */
        {"=web", "position 0"},
        {"app in prod", "position 7"},
        {"app in ()", "at least one value"},
        {"app in (a", "end of input"},
        {"app==", NULL},
        {"app=web,", "end of input"},
        {"app=web x", "position 8"},
        {"a b", "position 2"},
        {"-bad=x", "invalid key"},
        {"app=-x", "invalid value"},
        {"!", "end of input"},
        {"app=(x)", "position 4"},
        {"toolong=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "63"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sk_label_selector s;
        sk_apierr err = {{0}};
        int rc = sk_label_selector_parse(bad[i].sel, &s, &err);
        if (!bad[i].frag) {
            CU_ASSERT_EQUAL(rc, 0);
            sk_label_selector_free(&s);
            continue;
        }
        CU_ASSERT_EQUAL(rc, SK_EBADMSG);
        if (!strstr(err.msg, bad[i].frag))
            fprintf(stderr, "\n  selector %s: message %s lacks %s\n", bad[i].sel, err.msg,
                    bad[i].frag);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].frag));
        CU_ASSERT_EQUAL(s.n, 0);
    }
}

static void test_label_object_and_string(void)
{
    json_t *sel = tj("{\"matchLabels\":{\"tier\":\"front\",\"app\":\"web\"},"
                     "\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"In\","
                     "\"values\":[\"prod\",\"dev\"]},{\"key\":\"gpu\",\"operator\":"
                     "\"DoesNotExist\"}]}");
    sk_label_selector s;
    CU_ASSERT_EQUAL_FATAL(sk_label_selector_from_json(sel, &s, NULL), 0);
    char *text = sk_label_selector_string(&s);
    CU_ASSERT_STRING_EQUAL(text, "app=web,env in (dev,prod),!gpu,tier=front");
    free(text);
    json_t *labels = tj("{\"app\":\"web\",\"tier\":\"front\",\"env\":\"dev\"}");
    CU_ASSERT(sk_label_selector_matches_json(&s, labels));
    json_object_set_new(labels, "gpu", json_string("1"));
    CU_ASSERT_FALSE(sk_label_selector_matches_json(&s, labels));
    json_decref(labels);
    sk_label_selector_free(&s);
    json_decref(sel);

    /* canonical text reparses to the same selector */
    CU_ASSERT_EQUAL(sk_label_selector_parse("b notin (y,x),a!=1,c", &s, NULL), 0);
    text = sk_label_selector_string(&s);
    CU_ASSERT_STRING_EQUAL(text, "a!=1,b notin (x,y),c");
    sk_label_selector_free(&s);
    CU_ASSERT_EQUAL(sk_label_selector_parse(text, &s, NULL), 0);
    char *again = sk_label_selector_string(&s);
    CU_ASSERT_STRING_EQUAL(text, again);
    free(text);
    free(again);
    sk_label_selector_free(&s);

    sel = tj("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\"}]}");
    sk_apierr err;
    CU_ASSERT_EQUAL(sk_label_selector_from_json(sel, &s, &err), SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "values"));
    json_decref(sel);
    sel = tj("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Near\"}]}");
    CU_ASSERT_EQUAL(sk_label_selector_from_json(sel, &s, &err), SK_EBADMSG);
    json_decref(sel);
    CU_ASSERT_EQUAL(sk_label_selector_from_json(NULL, &s, NULL), 0);
    CU_ASSERT(sk_label_selector_empty(&s));
}

static void test_label_object_mp(void)
{
    sk_label_selector s;
    CU_ASSERT_EQUAL(sk_label_selector_parse("app=web", &s, NULL), 0);
    sk_mp_buf pod = mp_of("{\"metadata\":{\"name\":\"p\",\"labels\":{\"app\":\"web\"}}}");
    sk_mp_buf bare = mp_of("{\"metadata\":{\"name\":\"p\"}}");
    CU_ASSERT(sk_label_selector_matches_object_mp(&s, sk_mp_buf_view(&pod)));
    CU_ASSERT_FALSE(sk_label_selector_matches_object_mp(&s, sk_mp_buf_view(&bare)));
    sk_label_selector_free(&s);
    CU_ASSERT_EQUAL(sk_label_selector_parse("!app", &s, NULL), 0);
    CU_ASSERT(sk_label_selector_matches_object_mp(&s, sk_mp_buf_view(&bare)));
    sk_label_selector_free(&s);
    sk_mp_buf_free(&pod);
    sk_mp_buf_free(&bare);
}

static bool fmatch(const sk_resource *r, const char *sel, const char *obj)
{
    sk_field_selector s;
    sk_apierr err;
    int rc = sk_field_selector_parse(sel, r, &s, &err);
    if (rc)
        fprintf(stderr, "\n  %s: %s\n", sel, err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    sk_mp_buf b = mp_of(obj);
    bool m = sk_field_selector_matches_mp(&s, sk_mp_buf_view(&b));
    json_t *j = tj(obj);
    CU_ASSERT_EQUAL(sk_field_selector_matches_json(&s, j), m);
    json_decref(j);
    sk_mp_buf_free(&b);
    sk_field_selector_free(&s);
    return m;
}

static void test_field(void)
{
    const sk_resource *pods = sk_registry_find("", "v1", "pods");
    const char *pod = "{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"default\"},"
                      "\"spec\":{\"nodeName\":\"node1\",\"hostNetwork\":false},"
                      "\"status\":{\"phase\":\"Running\"}}";
    CU_ASSERT(fmatch(pods, "", pod));
    CU_ASSERT(fmatch(pods, "metadata.name=web-1", pod));
    CU_ASSERT(fmatch(pods, "metadata.name==web-1,metadata.namespace=default", pod));
    CU_ASSERT_FALSE(fmatch(pods, "metadata.name=web-2", pod));
    CU_ASSERT(fmatch(pods, "spec.nodeName=node1,status.phase!=Succeeded,status.phase!=Failed",
                     pod));
    CU_ASSERT_FALSE(fmatch(pods, "status.phase!=Running", pod));
    CU_ASSERT(fmatch(pods, "spec.hostNetwork=false", pod));
    CU_ASSERT(fmatch(pods, "status.podIP=", pod));
    CU_ASSERT_FALSE(fmatch(pods, "status.podIP!=", pod));

    const sk_resource *ev = sk_registry_find("", "v1", "events");
    const char *event = "{\"metadata\":{\"name\":\"e1\",\"namespace\":\"default\"},"
                        "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"nginx\",\"namespace\":"
                        "\"default\",\"uid\":\"u-1\"},\"source\":{\"component\":\"kubelet\"},"
                        "\"type\":\"Normal\"}";
    CU_ASSERT(fmatch(ev, "involvedObject.namespace=default,involvedObject.uid=u-1,"
                         "involvedObject.name=nginx",
                     event));
    CU_ASSERT(fmatch(ev, "involvedObject.kind=Pod,source=kubelet,type=Normal", event));
    CU_ASSERT_FALSE(fmatch(ev, "involvedObject.kind=Node", event));

    const sk_resource *rs = sk_registry_find("apps", "v1", "replicasets");
    CU_ASSERT(fmatch(rs, "status.replicas=3", "{\"status\":{\"replicas\":3}}"));
    CU_ASSERT(fmatch(pods, "metadata.name=a\\,b", "{\"metadata\":{\"name\":\"a,b\"}}"));
}

static void test_field_errors(void)
{
    const sk_resource *pods = sk_registry_find("", "v1", "pods");
    sk_field_selector s;
    sk_apierr err;
    CU_ASSERT_EQUAL(sk_field_selector_parse("spec.foo=x", pods, &s, &err), SK_EBADMSG);
    CU_ASSERT_STRING_EQUAL(err.msg, "field label not supported: spec.foo");
    CU_ASSERT_EQUAL(sk_field_selector_parse("metadata.name", pods, &s, &err), SK_EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "can't understand"));
    CU_ASSERT_EQUAL(sk_field_selector_parse("metadata.name=a\\x", pods, &s, &err), SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_field_selector_parse("spec.nodeName=x",
                                            sk_registry_find("", "v1", "configmaps"), &s, &err),
                    SK_EBADMSG);
    CU_ASSERT_EQUAL(sk_field_selector_parse("metadata.name=x,status.phase=Running", pods, &s,
                                            &err),
                    0);
    CU_ASSERT_STRING_EQUAL(sk_field_selector_exact(&s, "metadata.name"), "x");
    CU_ASSERT_PTR_NULL(sk_field_selector_exact(&s, "spec.nodeName"));
    sk_field_selector_free(&s);
}

/* Random strings over the selector alphabet parse or fail, never crash. */
static void test_random_selectors(void)
{
    static const char alphabet[] = "ab=!,() in notin\\.-/_x9";
    const sk_resource *pods = sk_registry_find("", "v1", "pods");
    uint32_t seed = 7;
    char text[40];
    for (int iter = 0; iter < 5000; iter++) {
        size_t n = (size_t)(iter % 39);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        text[n] = '\0';
        sk_label_selector ls;
        sk_field_selector fs;
        if (sk_label_selector_parse(text, &ls, NULL) == 0) {
            char *canon = sk_label_selector_string(&ls);
            sk_label_selector again;
            CU_ASSERT_EQUAL(sk_label_selector_parse(canon, &again, NULL), 0);
            sk_label_selector_free(&again);
            free(canon);
            sk_label_selector_free(&ls);
        }
        if (sk_field_selector_parse(text, pods, &fs, NULL) == 0)
            sk_field_selector_free(&fs);
    }
}

int main(void)
{
    static const tcase cases[] = {
        {"label_equality", test_label_equality},
        {"label_sets", test_label_sets},
        {"label_errors", test_label_errors},
        {"label_object_and_string", test_label_object_and_string},
        {"label_object_mp", test_label_object_mp},
        {"field", test_field},
        {"field_errors", test_field_errors},
        {"random_selectors", test_random_selectors},
        {NULL, NULL},
    };
    return trun("apiserver-selector", cases);
}
