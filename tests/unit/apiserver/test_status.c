/* Status objects. */
#include <string.h>

#include "status.h"
#include "test_util.h"

static const sk_resource *res(const char *group, const char *plural)
{
    const sk_resource *r = sk_registry_find(group, "v1", plural);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    return r;
}

static void check(json_t *st, const char *expect)
{
    TJ_EQ(st, expect);
    json_decref(st);
}

static void test_not_found_and_exists(void)
{
    check(sk_status_not_found(res("", "pods"), "nginx"),
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
          "\"message\":\"pods \\\"nginx\\\" not found\",\"reason\":\"NotFound\",\"details\":"
          "{\"name\":\"nginx\",\"kind\":\"pods\"},\"code\":404}");
    check(sk_status_not_found(res("apps", "deployments"), "web"),
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
          "\"message\":\"deployments.apps \\\"web\\\" not found\",\"reason\":\"NotFound\","
          "\"details\":{\"name\":\"web\",\"group\":\"apps\",\"kind\":\"deployments\"},\"code\":404}");
    check(sk_status_already_exists(res("", "pods"), "nginx"),
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
          "\"message\":\"pods \\\"nginx\\\" already exists\",\"reason\":\"AlreadyExists\","
          "\"details\":{\"name\":\"nginx\",\"kind\":\"pods\"},\"code\":409}");
    json_t *st = sk_status_not_found_path();
    CU_ASSERT_EQUAL(sk_status_code(st), 404);
    json_decref(st);
}

static void test_conflict(void)
{
    json_t *st = sk_status_conflict(res("apps", "deployments"), "x", NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "message")),
                           "Operation cannot be fulfilled on deployments.apps \"x\": the object "
                           "has been modified; please apply your changes to the latest version "
                           "and try again");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "reason")), "Conflict");
    CU_ASSERT_EQUAL(sk_status_code(st), 409);
    json_decref(st);
}

static void test_invalid(void)
{
    sk_causes c;
    sk_causes_init(&c);
    sk_cause_required(&c, "spec.containers[0].image", NULL);
    json_t *st = sk_status_invalid(res("", "pods"), "web", &c);
    TJ_EQ(st, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
              "\"message\":\"Pod \\\"web\\\" is invalid: spec.containers[0].image: Required value\","
              "\"reason\":\"Invalid\",\"details\":{\"name\":\"web\",\"kind\":\"Pod\",\"causes\":"
              "[{\"reason\":\"FieldValueRequired\",\"message\":\"Required value\",\"field\":"
              "\"spec.containers[0].image\"}]},\"code\":422}");
    json_decref(st);
    sk_cause_invalid_str(&c, "metadata.name", "Web", "bad");
    st = sk_status_invalid(res("apps", "deployments"), "web", &c);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "message")),
                           "Deployment.apps \"web\" is invalid: [spec.containers[0].image: "
                           "Required value, metadata.name: Invalid value: \"Web\": bad]");
    TJ_EQ(json_object_get(json_object_get(st, "details"), "group"), "\"apps\"");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(st, "details"), "causes")), 2);
    json_decref(st);
    sk_causes_free(&c);
}

static void test_decode_error(void)
{
    sk_causes c;
    sk_causes_init(&c);
    sk_causes_add(&c, SK_CAUSE_UNKNOWN_FIELD, "spec.foo", "unknown field \"spec.foo\"");
    sk_causes_add(&c, SK_CAUSE_UNKNOWN_FIELD, "spec.bar", "unknown field \"spec.bar\"");
    json_t *st = sk_status_decode_error(res("", "pods"), &c);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "message")),
                           "strict decoding error: unknown field \"spec.foo\", unknown field "
                           "\"spec.bar\"");
    CU_ASSERT_EQUAL(sk_status_code(st), 400);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "reason")), "BadRequest");
    json_decref(st);
    sk_causes_free(&c);
    sk_causes_add(&c, SK_CAUSE_TYPE_INVALID, "spec.replicas", "Invalid type: expected integer, "
                                                              "got string");
    st = sk_status_decode_error(res("apps", "deployments"), &c);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "message")),
                           "Deployment in version \"v1\" cannot be handled as a Deployment: "
                           "spec.replicas: Invalid type: expected integer, got string");
    json_decref(st);
    sk_causes_free(&c);
}

static void test_other_codes(void)
{
    static const struct {
        json_t *(*make)(void);
        int code;
        const char *reason;
    } simple[] = {
        {sk_status_method_not_allowed, 405, "MethodNotAllowed"},
        {sk_status_unauthorized, 401, "Unauthorized"},
    };
    for (size_t i = 0; i < 2; i++) {
        json_t *st = simple[i].make();
        CU_ASSERT_EQUAL(sk_status_code(st), simple[i].code);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "reason")),
                               simple[i].reason);
        json_decref(st);
    }
    check(sk_status_too_old(5, 100),
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
          "\"message\":\"too old resource version: 5 (100)\",\"reason\":\"Expired\",\"code\":410}");
    check(sk_status_too_large(3145728),
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
          "\"message\":\"Request entity too large: limit is 3145728\",\"reason\":"
          "\"RequestEntityTooLarge\",\"code\":413}");
    json_t *st = sk_status_forbidden(res("", "pods"), "x", "bob", "get", "default");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "message")),
                           "pods \"x\" is forbidden: User \"bob\" cannot get resource \"pods\" in "
                           "API group \"\" in the namespace \"default\"");
    CU_ASSERT_EQUAL(sk_status_code(st), 403);
    json_decref(st);
    st = sk_status_forbidden(res("", "nodes"), NULL, "bob", "list", NULL);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(st, "message")),
                           "nodes is forbidden: User \"bob\" cannot list resource \"nodes\" in "
                           "API group \"\" at the cluster scope");
    json_decref(st);
    st = sk_status_bad_request("bad");
    CU_ASSERT_EQUAL(sk_status_code(st), 400);
    json_decref(st);
    st = sk_status_unsupported_media("text/plain");
    CU_ASSERT_EQUAL(sk_status_code(st), 415);
    json_decref(st);
    st = sk_status_internal("boom");
    CU_ASSERT_EQUAL(sk_status_code(st), 500);
    json_decref(st);
    st = sk_status_too_many_requests(1);
    CU_ASSERT_EQUAL(sk_status_code(st), 429);
    json_decref(st);
    CU_ASSERT_EQUAL(sk_status_code(NULL), 500);
}

static void test_success_and_events(void)
{
    check(sk_status_success(res("apps", "deployments"), "web", "u-1"),
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\","
          "\"details\":{\"name\":\"web\",\"group\":\"apps\",\"kind\":\"deployments\",\"uid\":"
          "\"u-1\"}}");
    check(sk_watch_event("ERROR", sk_status_too_old(1, 2)),
          "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
          "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: 1 (2)\","
          "\"reason\":\"Expired\",\"code\":410}}");
}

int main(void)
{
    static const tcase cases[] = {
        {"not_found_and_exists", test_not_found_and_exists},
        {"conflict", test_conflict},
        {"invalid", test_invalid},
        {"decode_error", test_decode_error},
        {"other_codes", test_other_codes},
        {"success_and_events", test_success_and_events},
        {NULL, NULL},
    };
    return trun("apiserver-status", cases);
}
