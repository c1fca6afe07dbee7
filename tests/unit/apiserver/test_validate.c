/* Defaulting and validation of the declared kinds. */
#include <string.h>

#include "jutil.h"
#include "test_util.h"
#include "validate.h"

static const sk_resource *res(const char *group, const char *plural)
{
    const sk_resource *r = sk_registry_find(group, "v1", plural);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    return r;
}

/* Index of the cause on field with reason, or -1. */
static long cause_at(const sk_causes *c, const char *field, const char *reason)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].field, field) == 0 && (!reason || strcmp(c->v[i].reason, reason) == 0))
            return (long)i;
    return -1;
}

static void dump_causes(const sk_causes *c)
{
    for (size_t i = 0; i < c->n; i++)
        fprintf(stderr, "\n    %s %s: %s", c->v[i].reason, c->v[i].field, c->v[i].message);
}

/* Defaults then validates text as a create; returns the causes. */
static sk_causes create(const sk_resource *r, const char *text)
{
    json_t *obj = tj(text);
    sk_causes c;
    sk_causes_init(&c);
    sk_apply_defaults(r, obj);
    sk_validate_create(r, obj, &c);
    json_decref(obj);
    return c;
}

#define EXPECT_VALID(r, text)                                                              \
    do {                                                                                   \
        sk_causes c_ = create((r), (text));                                                \
        if (c_.n)                                                                          \
            dump_causes(&c_);                                                              \
        CU_ASSERT_EQUAL(c_.n, 0);                                                          \
        sk_causes_free(&c_);                                                               \
    } while (0)

#define EXPECT_CAUSE(r, text, field, reason)                                               \
    do {                                                                                   \
        sk_causes c_ = create((r), (text));                                                \
        if (cause_at(&c_, (field), (reason)) < 0) {                                        \
            fprintf(stderr, "\n  want %s %s, got:", (reason), (field));                    \
            dump_causes(&c_);                                                              \
        }                                                                                  \
        CU_ASSERT(cause_at(&c_, (field), (reason)) >= 0);                                  \
        sk_causes_free(&c_);                                                               \
    } while (0)

#define POD(spec)                                                                          \
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":" \
    "\"default\"},\"spec\":" spec "}"
#define ONE_CONTAINER "{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\"}]}"

static void test_pod_defaults(void)
{
    json_t *pod = tj(POD("{\"containers\":[{\"name\":\"a\",\"image\":\"nginx\",\"ports\":"
                         "[{\"containerPort\":80}]},{\"name\":\"b\",\"image\":\"nginx:1.27\"},"
                         "{\"name\":\"c\",\"image\":\"nginx:latest\"},{\"name\":\"d\",\"image\":"
                         "\"reg:5000/img\"},{\"name\":\"e\",\"image\":\"img@sha256:abc\"}],"
                         "\"volumes\":[{\"name\":\"v\"}]}"));
    sk_apply_defaults(res("", "pods"), pod);
    json_t *spec = json_object_get(pod, "spec");
    CU_ASSERT_STRING_EQUAL(sk_jstr(spec, "restartPolicy"), "Always");
    CU_ASSERT_STRING_EQUAL(sk_jstr(spec, "dnsPolicy"), "ClusterFirst");
    CU_ASSERT_EQUAL(sk_jint(spec, "terminationGracePeriodSeconds", 0), 30);
    CU_ASSERT_STRING_EQUAL(sk_jstr(spec, "schedulerName"), "default-scheduler");
    json_t *cs = json_object_get(spec, "containers");
    const char *want[] = {"Always", "IfNotPresent", "Always", "Always", "IfNotPresent"};
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_STRING_EQUAL(sk_jstr(json_array_get(cs, i), "imagePullPolicy"), want[i]);
    json_t *a = json_array_get(cs, 0);
    CU_ASSERT_STRING_EQUAL(sk_jstr(a, "terminationMessagePath"), "/dev/termination-log");
    CU_ASSERT_STRING_EQUAL(sk_jstr(a, "terminationMessagePolicy"), "File");
    CU_ASSERT_STRING_EQUAL(sk_jstr(json_array_get(json_object_get(a, "ports"), 0), "protocol"),
                           "TCP");
    TJ_EQ(json_array_get(json_object_get(spec, "volumes"), 0),
          "{\"name\":\"v\",\"emptyDir\":{}}");
    CU_ASSERT_STRING_EQUAL(sk_jstr(pod, "status.phase"), "Pending");
    CU_ASSERT_STRING_EQUAL(sk_jstr(pod, "status.qosClass"), "BestEffort");
    /* explicit values are kept */
    json_t *p2 = tj(POD("{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"a\",\"image\":"
                        "\"x\",\"imagePullPolicy\":\"Never\",\"resources\":{\"limits\":{\"cpu\":"
                        "\"1\",\"memory\":\"1Gi\"}}}]}"));
    sk_apply_defaults(res("", "pods"), p2);
    CU_ASSERT_STRING_EQUAL(sk_jstr(p2, "spec.restartPolicy"), "Never");
    CU_ASSERT_STRING_EQUAL(
        sk_jstr(json_array_get(sk_jget(p2, "spec.containers"), 0), "imagePullPolicy"), "Never");
    CU_ASSERT_STRING_EQUAL(sk_jstr(p2, "status.qosClass"), "Guaranteed");
    json_decref(p2);
    json_decref(pod);
}

static void test_service_and_deployment_defaults(void)
{
    json_t *svc = tj("{\"metadata\":{\"name\":\"s\",\"namespace\":\"default\"},\"spec\":"
                     "{\"ports\":[{\"port\":80},{\"port\":53,\"protocol\":\"UDP\",\"targetPort\":"
                     "5353,\"name\":\"dns\"}]}}");
    sk_apply_defaults(res("", "services"), svc);
    TJ_EQ(json_object_get(svc, "spec"),
          "{\"ports\":[{\"port\":80,\"protocol\":\"TCP\",\"targetPort\":80},{\"port\":53,"
          "\"protocol\":\"UDP\",\"targetPort\":5353,\"name\":\"dns\"}],\"type\":\"ClusterIP\","
          "\"sessionAffinity\":\"None\",\"internalTrafficPolicy\":\"Cluster\"}");
    json_decref(svc);

    json_t *d = tj("{\"metadata\":{\"name\":\"d\",\"namespace\":\"default\"},\"spec\":{"
                   "\"selector\":{\"matchLabels\":{\"app\":\"w\"}},\"template\":{\"metadata\":"
                   "{\"labels\":{\"app\":\"w\"}},\"spec\":" ONE_CONTAINER "}}}");
    sk_apply_defaults(res("apps", "deployments"), d);
    json_t *spec = json_object_get(d, "spec");
    CU_ASSERT_EQUAL(sk_jint(spec, "replicas", 0), 1);
    CU_ASSERT_EQUAL(sk_jint(spec, "revisionHistoryLimit", 0), 10);
    CU_ASSERT_EQUAL(sk_jint(spec, "progressDeadlineSeconds", 0), 600);
    TJ_EQ(json_object_get(spec, "strategy"),
          "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":\"25%\","
          "\"maxSurge\":\"25%\"}}");
    CU_ASSERT_STRING_EQUAL(sk_jstr(spec, "template.spec.restartPolicy"), "Always");
    json_decref(d);

    json_t *ns = tj("{\"metadata\":{\"name\":\"team-a\"}}");
    sk_apply_defaults(res("", "namespaces"), ns);
    TJ_EQ(ns, "{\"metadata\":{\"name\":\"team-a\",\"labels\":{\"kubernetes.io/metadata.name\":"
              "\"team-a\"}},\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":"
              "\"Active\"}}");
    json_decref(ns);
    json_t *sec = tj("{\"metadata\":{\"name\":\"s\"}}");
    sk_apply_defaults(res("", "secrets"), sec);
    CU_ASSERT_STRING_EQUAL(sk_jstr(sec, "type"), "Opaque");
    json_decref(sec);
}

static void test_pod_validation(void)
{
    const sk_resource *pods = res("", "pods");
    EXPECT_VALID(pods, POD(ONE_CONTAINER));
    EXPECT_CAUSE(pods, POD("{\"containers\":[{\"name\":\"c\"}]}"), "spec.containers[0].image",
                 SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(pods, POD("{}"), "spec.containers", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(pods, POD("{\"containers\":[]}"), "spec.containers", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(pods, POD("{\"restartPolicy\":\"Sometimes\",\"containers\":[{\"name\":\"c\","
                           "\"image\":\"i\"}]}"),
                 "spec.restartPolicy", SK_CAUSE_NOT_SUPPORTED);
    EXPECT_CAUSE(pods, POD("{\"containers\":[{\"name\":\"c\",\"image\":\"i\"},{\"name\":\"c\","
                           "\"image\":\"i\"}]}"),
                 "spec.containers[1].name", SK_CAUSE_DUPLICATE);
    EXPECT_CAUSE(pods, POD("{\"containers\":[{\"name\":\"C_1\",\"image\":\"i\"}]}"),
                 "spec.containers[0].name", SK_CAUSE_INVALID);
    EXPECT_CAUSE(pods, POD("{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":"
                           "[{\"containerPort\":70000}]}]}"),
                 "spec.containers[0].ports[0].containerPort", SK_CAUSE_INVALID);
    EXPECT_CAUSE(pods, POD("{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":"
                           "[{\"containerPort\":80,\"protocol\":\"HTTP\"}]}]}"),
                 "spec.containers[0].ports[0].protocol", SK_CAUSE_NOT_SUPPORTED);
    EXPECT_CAUSE(pods, POD("{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"volumeMounts\":"
                           "[{\"name\":\"data\",\"mountPath\":\"/d\"}]}]}"),
                 "spec.containers[0].volumeMounts[0].name", SK_CAUSE_NOT_FOUND);
    EXPECT_CAUSE(pods, POD("{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"env\":"
                           "[{\"value\":\"x\"}]}]}"),
                 "spec.containers[0].env[0].name", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(pods, "{\"metadata\":{\"name\":\"Web\",\"namespace\":\"default\"},\"spec\":"
                       ONE_CONTAINER "}",
                 "metadata.name", SK_CAUSE_INVALID);
    EXPECT_CAUSE(pods, "{\"metadata\":{\"namespace\":\"default\"},\"spec\":" ONE_CONTAINER "}",
                 "metadata.name", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(pods, "{\"metadata\":{\"name\":\"w\"},\"spec\":" ONE_CONTAINER "}",
                 "metadata.namespace", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(pods, "{\"metadata\":{\"name\":\"w\",\"namespace\":\"d\",\"labels\":"
                       "{\"bad key\":\"v\"}},\"spec\":" ONE_CONTAINER "}",
                 "metadata.labels", SK_CAUSE_INVALID);

    /* the message is the real apiserver's */
    sk_causes c = create(pods, POD("{\"dnsPolicy\":\"Weird\",\"containers\":[{\"name\":\"c\","
                                   "\"image\":\"i\"}]}"));
    long i = cause_at(&c, "spec.dnsPolicy", NULL);
    CU_ASSERT_FATAL(i >= 0);
    CU_ASSERT_STRING_EQUAL(c.v[i].message,
                           "Unsupported value: \"Weird\": supported values: "
                           "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"");
    char *text = sk_cause_text(&c.v[i]);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "spec.dnsPolicy: Unsupported value"));
    free(text);
    sk_causes_free(&c);
}

static void test_pod_update(void)
{
    const sk_resource *pods = res("", "pods");
    json_t *old = tj(POD(ONE_CONTAINER)), *now = tj(POD(ONE_CONTAINER));
    sk_apply_defaults(pods, old);
    sk_apply_defaults(pods, now);
    json_object_set_new(json_array_get(sk_jget(now, "spec.containers"), 0), "image",
                        json_string("nginx:1.28"));
    sk_causes c;
    sk_causes_init(&c);
    sk_validate_update(pods, now, old, &c);
    CU_ASSERT_EQUAL(c.n, 0);
    json_object_set_new(json_object_get(now, "spec"), "restartPolicy", json_string("Never"));
    sk_validate_update(pods, now, old, &c);
    CU_ASSERT(cause_at(&c, "spec", SK_CAUSE_FORBIDDEN) >= 0);
    sk_causes_free(&c);
    json_object_set_new(json_object_get(now, "metadata"), "name", json_string("other"));
    sk_validate_update(pods, now, old, &c);
    CU_ASSERT(cause_at(&c, "metadata.name", SK_CAUSE_INVALID) >= 0);
    sk_causes_free(&c);
    json_decref(old);
    json_decref(now);
}

static void test_decode_check(void)
{
    const sk_resource *pods = res("", "pods");
    json_t *pod = tj(POD("{\"containers\":[{\"name\":\"c\",\"image\":5,\"foo\":1}],"
                         "\"priority\":3000000000,\"bar\":{}}"));
    sk_causes c;
    sk_causes_init(&c);
    sk_schema_check(pod, pods->schema, SK_CHECK_DECODE, &c);
    CU_ASSERT(cause_at(&c, "spec.containers[0].image", SK_CAUSE_TYPE_INVALID) >= 0);
    CU_ASSERT(cause_at(&c, "spec.priority", SK_CAUSE_INVALID) >= 0);
    CU_ASSERT(cause_at(&c, "spec.bar", SK_CAUSE_UNKNOWN_FIELD) < 0);
    sk_causes_free(&c);
    sk_schema_check(pod, pods->schema, SK_CHECK_DECODE | SK_CHECK_UNKNOWN, &c);
    CU_ASSERT(cause_at(&c, "spec.bar", SK_CAUSE_UNKNOWN_FIELD) >= 0);
    long i = cause_at(&c, "spec.containers[0].foo", SK_CAUSE_UNKNOWN_FIELD);
    CU_ASSERT_FATAL(i >= 0);
    CU_ASSERT_STRING_EQUAL(c.v[i].message, "unknown field \"spec.containers[0].foo\"");
    sk_causes_free(&c);
    json_decref(pod);

    json_t *sec = tj("{\"metadata\":{\"name\":\"s\",\"creationTimestamp\":\"yesterday\"},"
                     "\"data\":{\"k\":\"not base64!\",\"ok\":\"aGk=\"}}");
    sk_schema_check(sec, res("", "secrets")->schema, SK_CHECK_DECODE, &c);
    CU_ASSERT(cause_at(&c, "data[k]", SK_CAUSE_INVALID) >= 0);
    CU_ASSERT(cause_at(&c, "data[ok]", NULL) < 0);
    CU_ASSERT(cause_at(&c, "metadata.creationTimestamp", SK_CAUSE_INVALID) >= 0);
    sk_causes_free(&c);
    json_decref(sec);

    json_t *res_pod = tj(POD("{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":"
                             "{\"limits\":{\"cpu\":\"500m\",\"memory\":\"1Gi\",\"x\":2,\"y\":"
                             "\"1e3\"},\"requests\":{\"cpu\":\"lots\"}}}]}"));
    sk_schema_check(res_pod, pods->schema, SK_CHECK_DECODE, &c);
    CU_ASSERT_EQUAL(c.n, 1);
    CU_ASSERT(cause_at(&c, "spec.containers[0].resources.requests[cpu]", NULL) >= 0);
    sk_causes_free(&c);
    json_decref(res_pod);
    /* null is a zero value, never a type error */
    json_t *nulls = tj(POD("{\"containers\":[{\"name\":\"c\",\"image\":null}],\"volumes\":null}"));
    sk_schema_check(nulls, pods->schema, SK_CHECK_DECODE | SK_CHECK_UNKNOWN, &c);
    CU_ASSERT_EQUAL(c.n, 0);
    json_decref(nulls);
}

#define SVC(spec) "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":" spec "}"

static void test_service_validation(void)
{
    const sk_resource *svcs = res("", "services");
    EXPECT_VALID(svcs, SVC("{\"selector\":{\"app\":\"w\"},\"ports\":[{\"port\":80}]}"));
    EXPECT_VALID(svcs, SVC("{\"clusterIP\":\"None\",\"selector\":{\"app\":\"w\"}}"));
    EXPECT_VALID(svcs, SVC("{\"type\":\"ExternalName\",\"externalName\":\"example.com\"}"));
    EXPECT_CAUSE(svcs, SVC("{\"selector\":{\"app\":\"w\"}}"), "spec.ports", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(svcs, SVC("{\"ports\":[{\"port\":80},{\"port\":81}]}"), "spec.ports[0].name",
                 SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(svcs, SVC("{\"ports\":[{\"port\":80,\"name\":\"a\"},{\"port\":80,\"name\":\"b\"}]}"),
                 "spec.ports[1]", SK_CAUSE_DUPLICATE);
    EXPECT_CAUSE(svcs, SVC("{\"type\":\"Bogus\",\"ports\":[{\"port\":80}]}"), "spec.type",
                 SK_CAUSE_NOT_SUPPORTED);
    EXPECT_CAUSE(svcs, SVC("{\"type\":\"ExternalName\"}"), "spec.externalName",
                 SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(svcs, SVC("{\"clusterIP\":\"10.0.0.300\",\"ports\":[{\"port\":80}]}"),
                 "spec.clusterIP", SK_CAUSE_INVALID);
    EXPECT_CAUSE(svcs, SVC("{\"ports\":[{\"port\":0}]}"), "spec.ports[0].port", SK_CAUSE_INVALID);
    EXPECT_CAUSE(svcs, "{\"metadata\":{\"name\":\"1web\",\"namespace\":\"d\"},\"spec\":"
                       "{\"ports\":[{\"port\":80}]}}",
                 "metadata.name", SK_CAUSE_INVALID);

    json_t *old = tj(SVC("{\"clusterIP\":\"10.96.0.10\",\"ports\":[{\"port\":80}]}"));
    json_t *now = tj(SVC("{\"clusterIP\":\"10.96.0.11\",\"ports\":[{\"port\":80}]}"));
    sk_causes c;
    sk_causes_init(&c);
    sk_validate_update(svcs, now, old, &c);
    long i = cause_at(&c, "spec.clusterIP", SK_CAUSE_INVALID);
    CU_ASSERT_FATAL(i >= 0);
    CU_ASSERT_STRING_EQUAL(c.v[i].message, "Invalid value: \"10.96.0.11\": field is immutable");
    sk_causes_free(&c);
    json_object_set_new(json_object_get(now, "spec"), "clusterIP", json_string("10.96.0.10"));
    sk_validate_update(svcs, now, old, &c);
    CU_ASSERT_EQUAL(c.n, 0);
    json_decref(old);
    json_decref(now);
}

#define DEPLOY(sel, labels, extra)                                                         \
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"selector\":"   \
    sel ",\"template\":{\"metadata\":{\"labels\":" labels "},\"spec\":" ONE_CONTAINER "}"  \
    extra "}}"

static void test_deployment_validation(void)
{
    const sk_resource *d = res("apps", "deployments");
    EXPECT_VALID(d, DEPLOY("{\"matchLabels\":{\"app\":\"w\"}}", "{\"app\":\"w\"}", ""));
    EXPECT_CAUSE(d, DEPLOY("{\"matchLabels\":{\"app\":\"w\"}}", "{\"app\":\"x\"}", ""),
                 "spec.template.metadata.labels", SK_CAUSE_INVALID);
    EXPECT_CAUSE(d, DEPLOY("{}", "{\"app\":\"x\"}", ""), "spec.selector", SK_CAUSE_INVALID);
    EXPECT_CAUSE(d, "{\"metadata\":{\"name\":\"w\",\"namespace\":\"d\"},\"spec\":{\"template\":"
                    "{\"spec\":" ONE_CONTAINER "}}}",
                 "spec.selector", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(d, DEPLOY("{\"matchLabels\":{\"app\":\"w\"}}", "{\"app\":\"w\"}",
                           ",\"replicas\":-1"),
                 "spec.replicas", SK_CAUSE_INVALID);
    EXPECT_CAUSE(d, DEPLOY("{\"matchLabels\":{\"app\":\"w\"}}", "{\"app\":\"w\"}",
                           ",\"strategy\":{\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":"
                           "\"0%\"}}"),
                 "spec.strategy.rollingUpdate.maxUnavailable", SK_CAUSE_INVALID);
    EXPECT_CAUSE(d, DEPLOY("{\"matchLabels\":{\"app\":\"w\"}}", "{\"app\":\"w\"}",
                           ",\"strategy\":{\"type\":\"Recreate\",\"rollingUpdate\":{}}"),
                 "spec.strategy.rollingUpdate", SK_CAUSE_FORBIDDEN);
    EXPECT_CAUSE(d, "{\"metadata\":{\"name\":\"w\",\"namespace\":\"d\"},\"spec\":{\"selector\":"
                    "{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":"
                    "{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}",
                 "spec.template.spec.containers[0].image", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(d, "{\"metadata\":{\"name\":\"w\",\"namespace\":\"d\"},\"spec\":{\"selector\":"
                    "{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":"
                    "{\"a\":\"b\"}},\"spec\":{\"restartPolicy\":\"Never\",\"containers\":"
                    "[{\"name\":\"c\",\"image\":\"i\"}]}}}}",
                 "spec.template.spec.restartPolicy", SK_CAUSE_NOT_SUPPORTED);

    json_t *old = tj(DEPLOY("{\"matchLabels\":{\"app\":\"w\"}}", "{\"app\":\"w\"}", ""));
    json_t *now = tj(DEPLOY("{\"matchLabels\":{\"app\":\"v\"}}", "{\"app\":\"v\"}", ""));
    sk_causes c;
    sk_causes_init(&c);
    sk_validate_update(d, now, old, &c);
    CU_ASSERT(cause_at(&c, "spec.selector", SK_CAUSE_INVALID) >= 0);
    sk_causes_free(&c);
    json_decref(old);
    json_decref(now);
}

static void test_other_kinds(void)
{
    EXPECT_VALID(res("", "namespaces"), "{\"metadata\":{\"name\":\"team-a\"}}");
    EXPECT_CAUSE(res("", "namespaces"), "{\"metadata\":{\"name\":\"team.a\"}}", "metadata.name",
                 SK_CAUSE_INVALID);
    EXPECT_CAUSE(res("", "nodes"), "{\"metadata\":{\"name\":\"n1\",\"namespace\":\"x\"}}",
                 "metadata.namespace", SK_CAUSE_FORBIDDEN);
    EXPECT_VALID(res("", "nodes"), "{\"metadata\":{\"name\":\"node-1.example.com\"}}");
    EXPECT_VALID(res("", "configmaps"), "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},"
                                        "\"data\":{\"a.conf\":\"x\"},\"binaryData\":{\"b\":"
                                        "\"aGk=\"}}");
    EXPECT_CAUSE(res("", "configmaps"), "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},"
                                        "\"data\":{\"a/b\":\"x\"}}",
                 "data[a/b]", SK_CAUSE_INVALID);
    EXPECT_CAUSE(res("", "configmaps"), "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},"
                                        "\"data\":{\"k\":\"x\"},\"binaryData\":{\"k\":\"aGk=\"}}",
                 "data[k]", SK_CAUSE_INVALID);
    EXPECT_VALID(res("", "secrets"), "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},"
                                     "\"data\":{\"password\":\"aGk=\"}}");
    EXPECT_CAUSE(res("", "events"), "{\"metadata\":{\"name\":\"e\",\"namespace\":\"d\"},"
                                    "\"involvedObject\":{\"namespace\":\"other\"}}",
                 "involvedObject.namespace", SK_CAUSE_INVALID);
    EXPECT_CAUSE(res("", "events"), "{\"metadata\":{\"name\":\"e\",\"namespace\":\"d\"}}",
                 "involvedObject", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(res("coordination.k8s.io", "leases"),
                 "{\"metadata\":{\"name\":\"l\",\"namespace\":\"d\"},\"spec\":"
                 "{\"leaseDurationSeconds\":0}}",
                 "spec.leaseDurationSeconds", SK_CAUSE_INVALID);
    EXPECT_CAUSE(res("discovery.k8s.io", "endpointslices"),
                 "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},\"addressType\":\"IPv4\","
                 "\"endpoints\":[{\"addresses\":[\"10.0.0.x\"]}]}",
                 "endpoints[0].addresses[0]", SK_CAUSE_INVALID);
    EXPECT_CAUSE(res("discovery.k8s.io", "endpointslices"),
                 "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},\"endpoints\":[]}",
                 "addressType", SK_CAUSE_REQUIRED);
    EXPECT_CAUSE(res("", "endpoints"), "{\"metadata\":{\"name\":\"s\",\"namespace\":\"d\"},"
                                       "\"subsets\":[{\"addresses\":[{\"ip\":\"nope\"}]}]}",
                 "subsets[0].addresses[0].ip", SK_CAUSE_INVALID);

    /* immutable config maps */
    const sk_resource *cm = res("", "configmaps");
    json_t *old = tj("{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"immutable\":true,"
                     "\"data\":{\"a\":\"1\"}}");
    json_t *now = tj("{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\"},\"immutable\":true,"
                     "\"data\":{\"a\":\"2\"}}");
    sk_causes c;
    sk_causes_init(&c);
    sk_validate_update(cm, now, old, &c);
    CU_ASSERT(cause_at(&c, "data", SK_CAUSE_FORBIDDEN) >= 0);
    sk_causes_free(&c);
    json_decref(old);
    json_decref(now);
}

int main(void)
{
    static const tcase cases[] = {
        {"pod_defaults", test_pod_defaults},
        {"service_and_deployment_defaults", test_service_and_deployment_defaults},
        {"pod_validation", test_pod_validation},
        {"pod_update", test_pod_update},
        {"decode_check", test_decode_check},
        {"service_validation", test_service_validation},
        {"deployment_validation", test_deployment_validation},
        {"other_kinds", test_other_kinds},
        {NULL, NULL},
    };
    return trun("apiserver-validate", cases);
}
