/* The apiserver plugin over HTTP, against a real store in a child host:
 * routing, the request core's semantics (create/update/patch/delete,
 * conflicts, lists, selectors, pagination, subresources, allocation),
 * watches, authentication, limits and discovery. */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apisrv_host.h"
#include "http_client.h"
#include "proto_vectors.h"
#include "test_util.h"

static ah_host host;
static char auth[200];
static hc_conn conn;

static int req(const char *method, const char *path, const char *body, hc_resp *r)
{
    return hc_do(&conn, method, path, auth, body, body ? strlen(body) : 0, r);
}

static int req_h(const char *method, const char *path, const char *headers, const char *body,
                 hc_resp *r)
{
    char h[1024];
    snprintf(h, sizeof h, "%s%s", auth, headers);
    return hc_do(&conn, method, path, h, body, body ? strlen(body) : 0, r);
}

static json_t *parse(const hc_resp *r)
{
    json_error_t e;
    return json_loadb(r->body ? r->body : "", r->len, 0, &e);
}

/* The answer to a request with a body of the given Content-Type (NULL:
 * none), asserting its status code. */
static json_t *call_ct(const char *method, const char *path, const char *ctype,
                       const char *body, int code)
{
    char h[128] = "";
    hc_resp r;
    if (ctype)
        snprintf(h, sizeof h, "Content-Type: %s\r\n", ctype);
    if (req_h(method, path, h, body, &r)) {
        CU_FAIL("request failed");
        return NULL;
    }
    if (r.code != code)
        fprintf(stderr, "\n  %s %s: got %d, want %d: %.400s\n", method, path, r.code, code,
                r.body);
    CU_ASSERT_EQUAL(r.code, code);
    json_t *j = parse(&r);
    hc_resp_free(&r);
    return j;
}

/* The JSON answer of a request, asserting its status code. */
static json_t *call(const char *method, const char *path, const char *body, int code)
{
    return call_ct(method, path, NULL, body, code);
}

static const char *jstr(const json_t *j, const char *a, const char *b)
{
    json_t *x = json_object_get(j, a);
    return json_string_value(b ? json_object_get(x, b) : x);
}

static int suite_init(void)
{
    if (ah_start(&host, NULL))
        return -1;
    char tok[128];
    if (ah_token(&host, tok, sizeof tok))
        return -1;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", tok);
    return hc_connect(&conn, host.port, 10000);
}

static void t_version_health(void)
{
    json_t *v = call("GET", "/version", NULL, 200);
    CU_ASSERT_STRING_EQUAL(jstr(v, "minor", NULL), "33");
    CU_ASSERT_STRING_EQUAL(jstr(v, "major", NULL), "1");
    json_decref(v);
    v = call("GET", "/version/", NULL, 200);
    CU_ASSERT_PTR_NOT_NULL(jstr(v, "gitVersion", NULL));
    json_decref(v);
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(req("GET", "/healthz", NULL, &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_STRING_EQUAL(r.body, "ok");
    hc_resp_free(&r);
}

static void t_auth(void)
{
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(hc_request(host.port, "GET", "/api/v1/pods",
                                     "Authorization: Bearer wrong\r\n", NULL, &r, 5000), 0);
    CU_ASSERT_EQUAL(r.code, 401);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"reason\":\"Unauthorized\""));
    hc_resp_free(&r);
    /* No token from loopback: the admin (loopback_admin, plain HTTP). */
    CU_ASSERT_EQUAL_FATAL(hc_request(host.port, "GET", "/api/v1/pods", NULL, NULL, &r, 5000), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    hc_resp_free(&r);
}

static void t_discovery(void)
{
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(
        req_h("GET", "/apis",
              "Accept: application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
              "application/json\r\n",
              NULL, &r),
        0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_STRING_EQUAL(r.ctype,
                           "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
    hc_resp_free(&r);
    json_t *j = call("GET", "/api", NULL, 200);
    CU_ASSERT_STRING_EQUAL(jstr(j, "kind", NULL), "APIVersions");
    json_decref(j);
    j = call("GET", "/apis/apps/v1", NULL, 200);
    CU_ASSERT_STRING_EQUAL(jstr(j, "kind", NULL), "APIResourceList");
    json_decref(j);
    j = call("GET", "/openapi/v3", NULL, 200);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(j, "paths"), "api/v1"));
    json_decref(j);
    json_decref(call("GET", "/openapi/v2", NULL, 404)); /* JSON v2: not served */
    CU_ASSERT_EQUAL_FATAL(
        req_h("GET", "/openapi/v2",
              "Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf\r\n", NULL,
              &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_STRING_EQUAL(r.ctype, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    CU_ASSERT(r.len > 100 && memcmp(r.body, "\x0a\x03" "2.0", 5) == 0);
    CU_ASSERT_PTR_NOT_NULL(memmem(r.body, r.len, "kind: Deployment", 16));
    CU_ASSERT_PTR_NOT_NULL(memmem(r.body, r.len, "fieldValidation", 15));
    hc_resp_free(&r);
    json_decref(call("GET", "/api/v1/nopes", NULL, 404));
}

static const char *pod(const char *name, const char *labels)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"labels\":%s},"
             "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\"}]}}",
             name, labels);
    return buf;
}

static void t_pod_crud(void)
{
    const char *base = "/api/v1/namespaces/default/pods";
    json_t *p = call("POST", base, pod("p1", "{\"app\":\"a\"}"), 201);
    CU_ASSERT_PTR_NOT_NULL(jstr(p, "metadata", "uid"));
    CU_ASSERT_PTR_NOT_NULL(jstr(p, "metadata", "creationTimestamp"));
    const char *rv = jstr(p, "metadata", "resourceVersion");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rv);
    CU_ASSERT_STRING_EQUAL(jstr(p, "status", "phase"), "Pending");
    json_t *e = call("POST", base, pod("p1", "{}"), 409);
    CU_ASSERT_STRING_EQUAL(jstr(e, "reason", NULL), "AlreadyExists");
    json_decref(e);
    /* PUT with the current resourceVersion, then with it stale. */
    json_object_set_new(json_object_get(p, "metadata"), "labels", json_pack("{s:s}", "v", "2"));
    char *text = json_dumps(p, JSON_COMPACT);
    json_t *u = call("PUT", "/api/v1/namespaces/default/pods/p1", text, 200);
    CU_ASSERT_STRING_EQUAL(jstr(u, "metadata", "labels") ? "" : "x", "x");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(u, "metadata"),
                                                       "generation")), 1);
    json_decref(u);
    e = call("PUT", "/api/v1/namespaces/default/pods/p1", text, 409);
    CU_ASSERT_STRING_EQUAL(jstr(e, "reason", NULL), "Conflict");
    json_decref(e);
    free(text);
    json_decref(p);
    json_t *g = call("GET", "/api/v1/namespaces/default/pods/p1", NULL, 200);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
                               json_object_get(json_object_get(g, "metadata"), "labels"), "v")),
                           "2");
    json_decref(g);
    json_decref(call("DELETE", "/api/v1/namespaces/default/pods/p1", NULL, 200));
    e = call("GET", "/api/v1/namespaces/default/pods/p1", NULL, 404);
    CU_ASSERT_STRING_EQUAL(jstr(e, "message", NULL), "pods \"p1\" not found");
    json_decref(e);
    /* generateName, and a namespace that does not exist */
    p = call("POST", base,
             "{\"metadata\":{\"generateName\":\"gen-\"},\"spec\":{\"containers\":[{\"name\":\"c\","
             "\"image\":\"x\"}]}}",
             201);
    CU_ASSERT_EQUAL(strncmp(jstr(p, "metadata", "name"), "gen-", 4), 0);
    CU_ASSERT_EQUAL(strlen(jstr(p, "metadata", "name")), 9);
    json_decref(p);
    e = call("POST", "/api/v1/namespaces/nope/pods", pod("x", "{}"), 404);
    CU_ASSERT_STRING_EQUAL(jstr(e, "message", NULL), "namespaces \"nope\" not found");
    json_decref(e);
    /* 422 with causes */
    e = call("POST", base, "{\"metadata\":{\"name\":\"bad_name\"},\"spec\":{\"containers\":[]}}",
             422);
    CU_ASSERT_STRING_EQUAL(jstr(e, "reason", NULL), "Invalid");
    CU_ASSERT(json_array_size(json_object_get(json_object_get(e, "details"), "causes")) >= 1);
    json_decref(e);
    /* dryRun stores nothing */
    json_decref(call("POST", "/api/v1/namespaces/default/pods?dryRun=All", pod("dry", "{}"), 201));
    json_decref(call("GET", "/api/v1/namespaces/default/pods/dry", NULL, 404));
}

static void t_list_select_paginate(void)
{
    char body[256], path[512];
    for (int i = 0; i < 7; i++) {
        snprintf(body, sizeof body,
                 "{\"metadata\":{\"name\":\"cm%d\",\"labels\":{\"n\":\"%s\"}},\"data\":{\"k\":\"v\"}}",
                 i, i % 2 ? "odd" : "even");
        json_decref(call("POST", "/api/v1/namespaces/default/configmaps", body, 201));
    }
    json_t *l = call("GET", "/api/v1/namespaces/kube-public/configmaps", NULL, 200);
    CU_ASSERT(json_is_array(json_object_get(l, "items")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(l, "items")), 0);
    CU_ASSERT_PTR_NOT_NULL(jstr(l, "metadata", "resourceVersion"));
    json_decref(l);
    l = call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=n%3Dodd", NULL, 200);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(l, "items")), 3);
    json_decref(l);
    l = call("GET", "/api/v1/configmaps?labelSelector=n+in+(odd,even),n!%3Deven", NULL, 200);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(l, "items")), 3);
    json_decref(l);
    l = call("GET", "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dcm4",
             NULL, 200);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
    json_decref(call("GET", "/api/v1/configmaps?labelSelector=%3D%3D", NULL, 400));
    /* pages of 3, filtered by label: all 4 even ones, each once */
    int seen = 0, pages = 0;
    char cont[1024] = "";
    do {
        snprintf(path, sizeof path, "/api/v1/namespaces/default/configmaps?limit=2"
                 "&labelSelector=n%%3Deven%s%s", *cont ? "&continue=" : "", cont);
        l = call("GET", path, NULL, 200);
        seen += (int)json_array_size(json_object_get(l, "items"));
        const char *c = jstr(l, "metadata", "continue");
        snprintf(cont, sizeof cont, "%s", c ? c : "");
        json_decref(l);
        pages++;
    } while (*cont && pages < 10);
    CU_ASSERT_EQUAL(seen, 4);
    CU_ASSERT_EQUAL(pages, 2);
    json_decref(call("GET", "/api/v1/configmaps?limit=1&continue=garbage", NULL, 400));
    /* deletecollection by label */
    l = call("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=n%3Dodd", NULL, 200);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(l, "items")), 3);
    json_decref(l);
    l = call("GET", "/api/v1/namespaces/default/configmaps", NULL, 200);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(l, "items")), 4);
    json_decref(l);
}

/* Every page of one list reads the first page's revision: later writes
 * stay out of it and each page reports that resourceVersion. */
static void t_snapshot_pages(void)
{
    char body[256], path[1024];
    for (int i = 0; i < 4; i++) {
        snprintf(body, sizeof body, "{\"metadata\":{\"name\":\"snap%d\",\"labels\":"
                 "{\"snap\":\"1\"}}}", i);
        json_decref(call("POST", "/api/v1/namespaces/kube-node-lease/configmaps", body, 201));
    }
    char cont[1024] = "", rv0[32] = "";
    int seen = 0;
    for (int page = 0; page < 4; page++) {
        snprintf(path, sizeof path, "/api/v1/namespaces/kube-node-lease/configmaps?limit=1%s%s",
                 *cont ? "&continue=" : "", cont);
        json_t *l = call("GET", path, NULL, 200);
        const char *rv = jstr(l, "metadata", "resourceVersion");
        if (page == 0)
            snprintf(rv0, sizeof rv0, "%s", rv ? rv : "");
        else
            CU_ASSERT_STRING_EQUAL(rv ? rv : "", rv0);
        seen += (int)json_array_size(json_object_get(l, "items"));
        const char *c = jstr(l, "metadata", "continue");
        snprintf(cont, sizeof cont, "%s", c ? c : "");
        json_decref(l);
        /* writes after the first page: a new key at the end, a change */
        snprintf(body, sizeof body, "{\"metadata\":{\"name\":\"snapz%d\"}}", page);
        json_decref(call("POST", "/api/v1/namespaces/kube-node-lease/configmaps", body, 201));
        if (!*cont)
            break;
    }
    CU_ASSERT_EQUAL(seen, 4);
}

/* fieldValidation Warn drops unknown fields with a Warning header; Ignore
 * drops them silently; Strict refuses them. */
static void t_field_validation(void)
{
    hc_resp r;
    const char *cm = "{\"metadata\":{\"name\":\"%s\"},\"dataa\":{},\"data\":{\"a\":\"b\"}}";
    char body[256];
    snprintf(body, sizeof body, cm, "fv-warn");
    CU_ASSERT_EQUAL_FATAL(req("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Warn",
                              body, &r), 0);
    CU_ASSERT_EQUAL(r.code, 201);
    CU_ASSERT_STRING_EQUAL(r.warning, "299 - \"unknown field \\\"dataa\\\"\"");
    CU_ASSERT_PTR_NULL(strstr(r.body, "dataa"));
    hc_resp_free(&r);
    snprintf(body, sizeof body, cm, "fv-ignore");
    CU_ASSERT_EQUAL_FATAL(req("POST",
                              "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore",
                              body, &r), 0);
    CU_ASSERT_EQUAL(r.code, 201);
    CU_ASSERT_STRING_EQUAL(r.warning, "");
    CU_ASSERT_PTR_NULL(strstr(r.body, "dataa"));
    hc_resp_free(&r);
    json_t *g = call("GET", "/api/v1/namespaces/default/configmaps/fv-ignore", NULL, 200);
    CU_ASSERT_PTR_NULL(json_object_get(g, "dataa"));
    json_decref(g);
    snprintf(body, sizeof body, cm, "fv-strict");
    json_decref(call("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
                     body, 400));
    /* Secret stringData lands in data, base64 */
    g = call("POST", "/api/v1/namespaces/default/secrets",
             "{\"metadata\":{\"name\":\"sd\"},\"stringData\":{\"user\":\"admin\"}}", 201);
    CU_ASSERT_STRING_EQUAL(jstr(json_object_get(g, "data"), "user", NULL), "YWRtaW4=");
    CU_ASSERT_PTR_NULL(json_object_get(g, "stringData"));
    json_decref(g);
}

/* A pod bound to a node is deleted gracefully; grace 0 removes it. */
static void t_graceful_pod_delete(void)
{
    json_decref(call("POST", "/api/v1/namespaces/default/pods",
                     "{\"metadata\":{\"name\":\"gp\"},\"spec\":{\"nodeName\":\"node-9\","
                     "\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}", 201));
    json_t *d = call("DELETE", "/api/v1/namespaces/default/pods/gp", NULL, 200);
    CU_ASSERT_PTR_NOT_NULL(jstr(d, "metadata", "deletionTimestamp"));
    json_decref(d);
    d = call("GET", "/api/v1/namespaces/default/pods/gp", NULL, 200);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(d, "metadata"),
                                                       "deletionGracePeriodSeconds")), 30);
    json_decref(d);
    /* a label change does not finish it */
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", "/api/v1/namespaces/default/pods/gp",
                                "Content-Type: application/merge-patch+json\r\n",
                                "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}", &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    hc_resp_free(&r);
    json_decref(call("GET", "/api/v1/namespaces/default/pods/gp", NULL, 200));
    json_decref(call("DELETE", "/api/v1/namespaces/default/pods/gp",
                     "{\"gracePeriodSeconds\":0}", 200));
    json_decref(call("GET", "/api/v1/namespaces/default/pods/gp", NULL, 404));
    /* never scheduled: at once */
    json_decref(call("POST", "/api/v1/namespaces/default/pods", pod("np", "{}"), 201));
    json_decref(call("DELETE", "/api/v1/namespaces/default/pods/np", NULL, 200));
    json_decref(call("GET", "/api/v1/namespaces/default/pods/np", NULL, 404));
}

/* Server-side apply records managedFields and reports conflicts. */
static void t_server_side_apply(void)
{
    hc_resp r;
    const char *ct = "Content-Type: application/apply-patch+yaml\r\n";
    CU_ASSERT_EQUAL_FATAL(
        req_h("PATCH", "/api/v1/namespaces/default/configmaps/ssa?fieldManager=mgr-a", ct,
              "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ssa\"},"
              "\"data\":{\"k\":\"1\"}}", &r), 0);
    CU_ASSERT_EQUAL(r.code, 201);
    json_t *o = parse(&r);
    hc_resp_free(&r);
    json_t *mf = json_array_get(json_object_get(json_object_get(o, "metadata"),
                                                "managedFields"), 0);
    CU_ASSERT_STRING_EQUAL(jstr(mf, "manager", NULL), "mgr-a");
    CU_ASSERT_STRING_EQUAL(jstr(mf, "operation", NULL), "Apply");
    CU_ASSERT_STRING_EQUAL(jstr(mf, "fieldsType", NULL), "FieldsV1");
    CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(json_object_get(mf, "fieldsV1"),
                                                           "f:data"), "f:k"));
    json_decref(o);
    /* another manager applying another value: 409, unless forced */
    const char *b2 = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
                     "{\"name\":\"ssa\"},\"data\":{\"k\":\"2\"}}";
    CU_ASSERT_EQUAL_FATAL(
        req_h("PATCH", "/api/v1/namespaces/default/configmaps/ssa?fieldManager=mgr-b", ct, b2,
              &r), 0);
    CU_ASSERT_EQUAL(r.code, 409);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "conflict with \\\"mgr-a\\\""));
    hc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(
        req_h("PATCH", "/api/v1/namespaces/default/configmaps/ssa?fieldManager=mgr-b&force=true",
              ct, b2, &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    hc_resp_free(&r);
    /* apply without a field manager is invalid */
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", "/api/v1/namespaces/default/configmaps/ssa", ct, b2,
                                &r), 0);
    CU_ASSERT_EQUAL(r.code, 422);
    hc_resp_free(&r);
}

/* YAML bodies: application/yaml on POST/PUT, real YAML in apply patches
 * (curl --data-binary @deploy.yaml), and malformed YAML as a 400. */
static void t_yaml_bodies(void)
{
    const char *cms = "/api/v1/namespaces/default/configmaps";
    json_t *o = call_ct("POST", cms, "application/yaml",
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-cm\n"
                        "  labels: {app: web}\ndata:\n  enabled: \"yes\"\n  port: '8080'\n"
                        "  script: |\n    echo hi\n    exit 0\n",
                        201);
    json_t *data = json_object_get(o, "data");
    CU_ASSERT_STRING_EQUAL(jstr(data, "script", NULL), "echo hi\nexit 0\n");
    CU_ASSERT_STRING_EQUAL(jstr(data, "enabled", NULL), "yes");
    CU_ASSERT_STRING_EQUAL(jstr(data, "port", NULL), "8080");
    char path[256];
    snprintf(path, sizeof path, "%s/yaml-cm", cms);
    char body[512];
    snprintf(body, sizeof body,
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-cm\n"
             "  resourceVersion: \"%s\"\ndata: {k: v}\n",
             jstr(o, "metadata", "resourceVersion"));
    json_decref(o);
    o = call_ct("PUT", path, "application/yaml", body, 200);
    TJ_EQ(json_object_get(o, "data"), "{\"k\":\"v\"}");
    json_decref(o);
    /* an unquoted yes is a boolean, as in Kubernetes: not a string */
    json_decref(call_ct("POST", cms, "application/yaml",
                        "metadata: {name: yaml-bool}\ndata: {on: yes}\n", 400));

    const char *dep = "/apis/apps/v1/namespaces/default/deployments/yaml-web?fieldManager=me";
    const char *apply = "application/apply-patch+yaml";
    const char *manifest = "apiVersion: apps/v1\n"
                           "kind: Deployment\n"
                           "metadata:\n"
                           "  name: yaml-web\n"
                           "spec:\n"
                           "  replicas: %d\n"
                           "  selector:\n"
                           "    matchLabels: &labels\n"
                           "      app: yaml-web\n"
                           "  template:\n"
                           "    metadata:\n"
                           "      labels: *labels\n"
                           "    spec:\n"
                           "      containers:\n"
                           "      - name: web\n"
                           "        image: nginx:1.27\n"
                           "        ports:\n"
                           "        - containerPort: 80\n";
    snprintf(body, sizeof body, manifest, 2);
    o = call_ct("PATCH", dep, apply, body, 201);
    json_t *spec = json_object_get(o, "spec");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(spec, "replicas")), 2);
    CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_object_get(spec, "template"), "metadata"),
                                "labels", "app"),
                           "yaml-web");
    json_t *mf = json_array_get(json_object_get(json_object_get(o, "metadata"),
                                                "managedFields"), 0);
    CU_ASSERT_STRING_EQUAL(jstr(mf, "manager", NULL), "me");
    CU_ASSERT_STRING_EQUAL(jstr(mf, "operation", NULL), "Apply");
    json_decref(o);
    snprintf(body, sizeof body, manifest, 3);
    o = call_ct("PATCH", dep, apply, body, 200);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(o, "spec"), "replicas")),
                    3);
    json_decref(o);

    /* malformed YAML: 400 with the position; JSON keeps JSON's messages */
    o = call_ct("POST", cms, "application/yaml", "metadata:\n  name: x\n bad: [\n", 400);
    CU_ASSERT_STRING_EQUAL(jstr(o, "reason", NULL), "BadRequest");
    CU_ASSERT_PTR_NOT_NULL(strstr(jstr(o, "message", NULL), "invalid YAML at line 3, column"));
    json_decref(o);
    o = call_ct("PATCH", dep, apply, "spec:\n  replicas: 3\n  - x\n", 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(jstr(o, "message", NULL), "invalid YAML at line 3, column"));
    json_decref(o);
    o = call_ct("PATCH", dep, apply, "a: 1\n---\nb: 2\n", 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(jstr(o, "message", NULL), "single YAML document"));
    json_decref(o);
    o = call_ct("PATCH", dep, apply, "{\"spec\": [}", 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(jstr(o, "message", NULL), "invalid JSON at line 1"));
    json_decref(o);
    /* YAML is not a merge patch */
    json_decref(call_ct("PATCH", dep, "application/merge-patch+yaml", "spec: {}\n", 415));
}

static void t_patches(void)
{
    json_decref(call("POST", "/api/v1/namespaces/default/pods", pod("pp", "{\"a\":\"1\"}"), 201));
    const char *path = "/api/v1/namespaces/default/pods/pp";
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", path, "Content-Type: application/merge-patch+json\r\n",
                                "{\"metadata\":{\"labels\":{\"b\":\"2\"}}}", &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    hc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", path, "Content-Type: application/json-patch+json\r\n",
                                "[{\"op\":\"add\",\"path\":\"/metadata/labels/c\",\"value\":\"3\"}]",
                                &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    hc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(
        req_h("PATCH", path, "Content-Type: application/strategic-merge-patch+json\r\n",
              "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"c\"}],\"containers\":"
              "[{\"name\":\"c\",\"image\":\"nginx:1.28\"}]}}",
              &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    json_t *j = parse(&r);
    hc_resp_free(&r);
    json_t *c0 = json_array_get(json_object_get(json_object_get(j, "spec"), "containers"), 0);
    CU_ASSERT_STRING_EQUAL(jstr(c0, "image", NULL), "nginx:1.28");
    CU_ASSERT_STRING_EQUAL(jstr(c0, "name", NULL), "c");
    json_t *labels = json_object_get(json_object_get(j, "metadata"), "labels");
    CU_ASSERT_EQUAL(json_object_size(labels), 3);
    json_decref(j);
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", path, "Content-Type: text/plain\r\n", "{}", &r), 0);
    CU_ASSERT_EQUAL(r.code, 415);
    hc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", path, "Content-Type: application/json-patch+json\r\n",
                                "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"x\"}]",
                                &r), 0);
    CU_ASSERT_EQUAL(r.code, 422);
    hc_resp_free(&r);
    /* server-side apply creates */
    CU_ASSERT_EQUAL_FATAL(
        req_h("PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=kubectl",
              "Content-Type: application/apply-patch+yaml\r\n",
              "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"},"
              "\"data\":{\"x\":\"1\"}}",
              &r), 0);
    CU_ASSERT_EQUAL(r.code, 201);
    hc_resp_free(&r);
}

static void t_status_and_generation(void)
{
    const char *dep =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
        "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":"
        "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"w\","
        "\"image\":\"nginx\"}]}}}}";
    json_t *d = call("POST", "/apis/apps/v1/namespaces/default/deployments", dep, 201);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(d, "metadata"),
                                                       "generation")), 1);
    json_decref(d);
    hc_resp r;
    const char *sp = "/apis/apps/v1/namespaces/default/deployments/web/status";
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", sp, "Content-Type: application/merge-patch+json\r\n",
                                "{\"status\":{\"replicas\":2},\"spec\":{\"replicas\":9}}", &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    hc_resp_free(&r);
    d = call("GET", "/apis/apps/v1/namespaces/default/deployments/web", NULL, 200);
    json_t *spec = json_object_get(d, "spec"), *st = json_object_get(d, "status");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(spec, "replicas")), 2);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(st, "replicas")), 2);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(d, "metadata"),
                                                       "generation")), 1);
    json_decref(d);
    /* main endpoint: spec changes bump generation, status is kept */
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                                "Content-Type: application/merge-patch+json\r\n",
                                "{\"status\":{\"replicas\":7},\"spec\":{\"replicas\":3}}", &r), 0);
    d = parse(&r);
    hc_resp_free(&r);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(d, "status"), "replicas")),
                    2);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(d, "metadata"),
                                                       "generation")), 2);
    json_decref(d);
    /* scale */
    json_t *sc = call("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale", NULL, 200);
    CU_ASSERT_STRING_EQUAL(jstr(sc, "kind", NULL), "Scale");
    CU_ASSERT_STRING_EQUAL(jstr(sc, "status", "selector"), "app=web");
    json_decref(sc);
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
                                "Content-Type: application/merge-patch+json\r\n",
                                "{\"spec\":{\"replicas\":5}}", &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    hc_resp_free(&r);
    d = call("GET", "/apis/apps/v1/namespaces/default/deployments/web", NULL, 200);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(d, "spec"), "replicas")), 5);
    json_decref(d);
}

static void t_finalizers_binding(void)
{
    json_decref(call("POST", "/api/v1/namespaces/default/configmaps",
                     "{\"metadata\":{\"name\":\"fin\",\"finalizers\":[\"x/y\"]}}", 201));
    json_t *d = call("DELETE", "/api/v1/namespaces/default/configmaps/fin", NULL, 200);
    CU_ASSERT_PTR_NOT_NULL(jstr(d, "metadata", "deletionTimestamp"));
    json_decref(d);
    d = call("GET", "/api/v1/namespaces/default/configmaps/fin", NULL, 200);
    CU_ASSERT_PTR_NOT_NULL(jstr(d, "metadata", "deletionTimestamp"));
    json_decref(d);
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(req_h("PATCH", "/api/v1/namespaces/default/configmaps/fin",
                                "Content-Type: application/merge-patch+json\r\n",
                                "{\"metadata\":{\"finalizers\":null}}", &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    hc_resp_free(&r);
    json_decref(call("GET", "/api/v1/namespaces/default/configmaps/fin", NULL, 404));
    /* binding */
    json_decref(call("POST", "/api/v1/namespaces/default/pods", pod("bp", "{}"), 201));
    json_decref(call("POST", "/api/v1/namespaces/default/pods/bp/binding",
                     "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"bp\"},"
                     "\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}",
                     201));
    d = call("GET", "/api/v1/namespaces/default/pods/bp", NULL, 200);
    CU_ASSERT_STRING_EQUAL(jstr(d, "spec", "nodeName"), "node-1");
    json_t *c0 = json_array_get(json_object_get(json_object_get(d, "status"), "conditions"), 0);
    CU_ASSERT_STRING_EQUAL(jstr(c0, "type", NULL), "PodScheduled");
    json_decref(d);
    json_decref(call("POST", "/api/v1/namespaces/default/pods/bp/binding",
                     "{\"target\":{\"kind\":\"Node\",\"name\":\"node-2\"}}", 409));
    d = call("GET", "/api/v1/namespaces/default/pods/bp/log", NULL, 503);
    CU_ASSERT_STRING_EQUAL(jstr(d, "message", NULL), "no kubelet for node node-1 yet");
    json_decref(d);
}

static void t_namespace_lifecycle(void)
{
    json_decref(call("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"tmp\"}}", 201));
    json_decref(call("POST", "/api/v1/namespaces/tmp/configmaps",
                     "{\"metadata\":{\"name\":\"c\"}}", 201));
    json_t *n = call("DELETE", "/api/v1/namespaces/tmp", NULL, 200);
    CU_ASSERT_STRING_EQUAL(jstr(n, "status", "phase"), "Terminating");
    json_decref(n);
    json_t *e = call("POST", "/api/v1/namespaces/tmp/configmaps",
                     "{\"metadata\":{\"name\":\"d\"}}", 403);
    CU_ASSERT_PTR_NOT_NULL(strstr(jstr(e, "message", NULL), "being terminated"));
    json_decref(e);
    /* what the namespace controller does: empty it, then finalize */
    json_decref(call("DELETE", "/api/v1/namespaces/tmp/configmaps/c", NULL, 200));
    json_decref(call("PUT", "/api/v1/namespaces/tmp/finalize",
                     "{\"metadata\":{\"name\":\"tmp\"},\"spec\":{\"finalizers\":[]}}", 200));
    json_decref(call("GET", "/api/v1/namespaces/tmp", NULL, 404));
}

static void t_services(void)
{
    const char *svc = "{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"type\":\"NodePort\","
                      "\"ports\":[{\"port\":80}]}}";
    char b[256];
    snprintf(b, sizeof b, svc, "s1");
    json_t *a = call("POST", "/api/v1/namespaces/default/services", b, 201);
    snprintf(b, sizeof b, svc, "s2");
    json_t *c = call("POST", "/api/v1/namespaces/default/services", b, 201);
    const char *ip1 = jstr(a, "spec", "clusterIP"), *ip2 = jstr(c, "spec", "clusterIP");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ip1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ip2);
    CU_ASSERT_EQUAL(strncmp(ip1, "10.", 3), 0);
    CU_ASSERT_STRING_NOT_EQUAL(ip1, ip2);
    json_t *p = json_array_get(json_object_get(json_object_get(a, "spec"), "ports"), 0);
    json_int_t np = json_integer_value(json_object_get(p, "nodePort"));
    CU_ASSERT(np >= 30000 && np <= 32767);
    snprintf(b, sizeof b, "{\"metadata\":{\"name\":\"s3\"},\"spec\":{\"clusterIP\":\"%s\","
             "\"ports\":[{\"port\":80}]}}", ip1);
    json_t *e = call("POST", "/api/v1/namespaces/default/services", b, 422);
    CU_ASSERT_STRING_EQUAL(jstr(e, "reason", NULL), "Invalid");
    json_decref(e);
    json_decref(a);
    json_decref(c);
}

static void t_limits_errors(void)
{
    size_t n = (3u << 20) + 10;
    char *big = malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = 0;
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(req("POST", "/api/v1/namespaces/default/configmaps", big, &r), 0);
    CU_ASSERT_EQUAL(r.code, 413);
    hc_resp_free(&r);
    free(big);
    /* deep nesting */
    char deep[2100];
    for (int i = 0; i < 1000; i++)
        deep[i] = '[', deep[1999 - i] = ']';
    deep[2000] = 0;
    CU_ASSERT_EQUAL_FATAL(req("POST", "/api/v1/namespaces/default/configmaps", deep, &r), 0);
    CU_ASSERT_EQUAL(r.code, 400);
    hc_resp_free(&r);
    json_decref(call("POST", "/api/v1/namespaces/default/configmaps", "{nope", 400));
    json_decref(call("PUT", "/api/v1/namespaces/default/configmaps", "{}", 405));
    json_t *e = call("POST", "/api/v1/namespaces/default/configmaps",
                     "{\"metadata\":{\"name\":\"s\"},\"bogus\":1}", 201);
    json_decref(e);
    e = call("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
             "{\"metadata\":{\"name\":\"s2\"},\"bogus\":1}", 400);
    json_decref(e);
}

/* Hostile or broken requests: each gets a 4xx, and the server lives on. */
static void t_garbage(void)
{
    static const struct {
        const char *method, *path, *ctype, *body;
    } cases[] = {
        {"GET", "/api/v1/namespaces/default/pods?limit=-1", NULL, NULL},
        {"GET", "/api/v1/namespaces/default/pods?limit=abc", NULL, NULL},
        {"GET", "/api/v1/namespaces/default/pods?watch=maybe", NULL, NULL},
        {"GET", "/api/v1/namespaces/default/pods?watch=1&resourceVersion=x", NULL, NULL},
        {"GET", "/api/v1/namespaces/default/pods?timeoutSeconds=-5", NULL, NULL},
        {"GET", "/api/v1/namespaces/default/pods?fieldSelector=spec.bogus%3D1", NULL, NULL},
        {"GET", "/api/v1/namespaces/default/pods?includeObject=All", NULL, NULL},
        {"GET", "/api/v1/namespaces/default/pods/a/b/c/d", NULL, NULL},
        {"GET", "/api/v1/namespaces/default/pods/x/nosuchsub", NULL, NULL},
        {"GET", "/apis/nope/v9/things", NULL, NULL},
        {"GET", "/api/v1/nodes/n/log", NULL, NULL},
        {"POST", "/api/v1/namespaces/default/pods", NULL, "[1,2,3]"},
        {"POST", "/api/v1/namespaces/default/pods", NULL, "\"str\""},
        {"POST", "/api/v1/namespaces/default/pods", NULL, "{\"metadata\":5}"},
        {"POST", "/api/v1/namespaces/default/pods", NULL, "{\"kind\":\"Service\"}"},
        {"POST", "/api/v1/namespaces/default/pods", "application/yaml", "kind: Pod"},
        {"POST", "/api/v1/namespaces/default/pods?dryRun=Some", NULL, "{}"},
        {"POST", "/api/v1/namespaces/other/pods", NULL,
         "{\"metadata\":{\"name\":\"x\",\"namespace\":\"default\"}}"},
        {"PATCH", "/api/v1/namespaces/default/pods/pp", "application/json-patch+json",
         "{\"op\":\"add\"}"},
        {"PATCH", "/api/v1/namespaces/default/pods/pp", "application/json-patch+json",
         "[{\"op\":\"frob\",\"path\":\"/a\"}]"},
        {"PATCH", "/api/v1/namespaces/default/pods/pp", "application/merge-patch+json", "[]"},
        {"PATCH", "/api/v1/namespaces/default/pods/pp", "application/strategic-merge-patch+json",
         "{\"spec\":{\"containers\":[{\"$patch\":\"bogus\"}]}}"},
        {"PATCH", "/api/v1/namespaces/default/pods/pp", "application/merge-patch+json",
         "{\"metadata\":{\"resourceVersion\":\"1\"}}"},
        {"PATCH", "/api/v1/namespaces/default/pods/pp", "application/merge-patch+json",
         "{\"spec\":{\"containers\":\"nope\"}}"},
        {"PUT", "/api/v1/namespaces/default/pods/pp", NULL, "{\"metadata\":{\"name\":\"other\"}}"},
        {"PUT", "/api/v1/namespaces/default/pods/nothere", NULL,
         "{\"metadata\":{\"name\":\"nothere\"},\"spec\":{\"containers\":[{\"name\":\"c\","
         "\"image\":\"i\"}]}}"},
        {"DELETE", "/api/v1/namespaces/default/pods/nothere", NULL, NULL},
        {"DELETE", "/api/v1/namespaces/default/pods/pp?propagationPolicy=Sideways", NULL, NULL},
        {"POST", "/api/v1/namespaces/default/pods/pp/binding", NULL, "{}"},
        {"OPTIONS", "/api/v1/pods", NULL, NULL},
        {"GET", "/api/v1/namespaces/default/configmaps?continue=e30%3D", NULL, NULL},
    };
    char h[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hc_resp r;
        snprintf(h, sizeof h, "Content-Type: %s\r\n", cases[i].ctype ? cases[i].ctype
                                                                     : "application/json");
        int rc = req_h(cases[i].method, cases[i].path, h, cases[i].body, &r);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc == 0) {
            if (r.code < 400 || r.code >= 500)
                fprintf(stderr, "\n  %s %s -> %d %.300s\n", cases[i].method, cases[i].path,
                        r.code, r.body);
            CU_ASSERT(r.code >= 400 && r.code < 500);
            CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"kind\":\"Status\""));
            hc_resp_free(&r);
        }
    }
    json_decref(call("GET", "/version", NULL, 200));
}

/* kubectl's imperative generators send protobuf bodies. */
static void t_protobuf_create(void)
{
    hc_resp r;
    char h[512];
    snprintf(h, sizeof h, "%sContent-Type: application/vnd.kubernetes.protobuf\r\n"
             "Accept: application/vnd.kubernetes.protobuf,application/json\r\n", auth);
    CU_ASSERT_EQUAL_FATAL(hc_do(&conn, "POST", "/api/v1/namespaces/default/configmaps", h,
                                (const char *)pb_configmap, sizeof pb_configmap, &r), 0);
    CU_ASSERT_EQUAL(r.code, 201);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"data\":{\"a\":\"b\",\"c\":\"d\"}"));
    hc_resp_free(&r);
    CU_ASSERT_EQUAL_FATAL(hc_do(&conn, "POST", "/api/v1/namespaces/default/configmaps", h,
                                "k8s\0\x0a", 5, &r), 0);
    CU_ASSERT_EQUAL(r.code, 400);
    hc_resp_free(&r);
}

/* Concurrent patches of one object: each re-reads and retries on a
 * store conflict, so none is lost. */
typedef struct patcher {
    int id;
    int ok;
} patcher;

static void *patch_thread(void *arg)
{
    patcher *p = arg;
    hc_conn *c = malloc(sizeof *c);
    if (!c || hc_connect(c, host.port, 20000)) {
        free(c);
        return NULL;
    }
    char h[256], body[128];
    snprintf(h, sizeof h, "%sContent-Type: application/merge-patch+json\r\n", auth);
    for (int i = 0; i < 25; i++) {
        snprintf(body, sizeof body, "{\"metadata\":{\"labels\":{\"t%d-%d\":\"x\"}}}", p->id, i);
        hc_resp r;
        if (hc_do(c, "PATCH", "/api/v1/namespaces/default/configmaps/race", h, body,
                  strlen(body), &r) == 0) {
            p->ok += r.code == 200;
            hc_resp_free(&r);
        }
    }
    hc_close(c);
    free(c);
    return NULL;
}

static void t_concurrent_patches(void)
{
    json_decref(call("POST", "/api/v1/namespaces/default/configmaps",
                     "{\"metadata\":{\"name\":\"race\"}}", 201));
    pthread_t t[8];
    patcher p[8];
    for (int i = 0; i < 8; i++) {
        p[i] = (patcher){.id = i};
        pthread_create(&t[i], NULL, patch_thread, &p[i]);
    }
    int ok = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        ok += p[i].ok;
    }
    CU_ASSERT_EQUAL(ok, 200);
    json_t *o = call("GET", "/api/v1/namespaces/default/configmaps/race", NULL, 200);
    CU_ASSERT_EQUAL(json_object_size(json_object_get(json_object_get(o, "metadata"), "labels")),
                    200);
    json_decref(o);
}

static void t_table(void)
{
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(
        req_h("GET", "/api/v1/namespaces/default/pods?limit=500",
              "Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json\r\n", NULL,
              &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_STRING_EQUAL(r.ctype, "application/json;as=Table;v=v1;g=meta.k8s.io");
    json_t *t = parse(&r);
    hc_resp_free(&r);
    CU_ASSERT_STRING_EQUAL(jstr(t, "kind", NULL), "Table");
    json_t *cols = json_object_get(t, "columnDefinitions");
    CU_ASSERT_STRING_EQUAL(jstr(json_array_get(cols, 0), "name", NULL), "Name");
    CU_ASSERT(json_array_size(json_object_get(t, "rows")) >= 1);
    json_decref(t);
}

static int count_lines(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void t_watch(void)
{
    json_t *l = call("GET", "/api/v1/namespaces/kube-system/configmaps", NULL, 200);
    char rv[32];
    snprintf(rv, sizeof rv, "%s", jstr(l, "metadata", "resourceVersion"));
    json_decref(l);
    json_decref(call("POST", "/api/v1/namespaces/kube-system/configmaps",
                     "{\"metadata\":{\"name\":\"w1\",\"labels\":{\"k\":\"a\"}}}", 201));
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(
        req_h("PATCH", "/api/v1/namespaces/kube-system/configmaps/w1",
              "Content-Type: application/merge-patch+json\r\n",
              "{\"metadata\":{\"labels\":{\"k\":\"b\"}}}", &r), 0);
    hc_resp_free(&r);
    /* From the list's RV: ADDED then MODIFIED; with a selector on k=a the
     * change reads as DELETED. */
    char path[512];
    snprintf(path, sizeof path, "/api/v1/namespaces/kube-system/configmaps?watch=true"
             "&resourceVersion=%s&timeoutSeconds=1", rv);
    CU_ASSERT_EQUAL_FATAL(req("GET", path, NULL, &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_EQUAL(count_lines(r.body, "\"type\":\"ADDED\""), 1);
    CU_ASSERT_EQUAL(count_lines(r.body, "\"type\":\"MODIFIED\""), 1);
    hc_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/namespaces/kube-system/configmaps?watch=True"
             "&resourceVersion=%s&timeoutSeconds=1&labelSelector=k%%3Da", rv);
    CU_ASSERT_EQUAL_FATAL(req("GET", path, NULL, &r), 0);
    CU_ASSERT_EQUAL(count_lines(r.body, "\"type\":\"ADDED\""), 1);
    CU_ASSERT_EQUAL(count_lines(r.body, "\"type\":\"DELETED\""), 1);
    hc_resp_free(&r);
    /* no RV: synthetic ADDED for what exists */
    CU_ASSERT_EQUAL_FATAL(req("GET", "/api/v1/namespaces/kube-system/configmaps?watch=1"
                                     "&timeoutSeconds=1", NULL, &r), 0);
    CU_ASSERT_EQUAL(count_lines(r.body, "\"type\":\"ADDED\""), 1);
    CU_ASSERT_EQUAL(count_lines(r.body, "\n"), 1);
    hc_resp_free(&r);
    /* Table-wrapped events */
    CU_ASSERT_EQUAL_FATAL(
        req_h("GET", "/api/v1/namespaces/kube-system/configmaps?watch=1&timeoutSeconds=1",
              "Accept: application/json;as=Table;v=v1;g=meta.k8s.io\r\n", NULL, &r), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"kind\":\"Table\""));
    hc_resp_free(&r);
}

static void t_metrics(void)
{
    hc_resp r;
    CU_ASSERT_EQUAL_FATAL(req("GET", "/metrics", NULL, &r), 0);
    CU_ASSERT_EQUAL(r.code, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "apiserver_request_total{verb=\"POST\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "apiserver_request_duration_seconds"));
    hc_resp_free(&r);
}

/* A watcher that does not read is cut off once watch_queue events wait
 * for it, instead of the server buffering without bound or skipping. */
static void t_slow_watcher(void)
{
    ah_host h2;
    CU_ASSERT_EQUAL_FATAL(ah_start(&h2, "      watch_queue: 16\n"), 0);
    hc_conn w;
    CU_ASSERT_EQUAL_FATAL(hc_connect(&w, h2.port, 20000), 0);
    const char *get = "GET /api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1 "
                      "HTTP/1.0\r\n\r\n";
    CU_ASSERT(write(w.fd, get, strlen(get)) > 0);
    size_t big = 96 * 1024;
    char *body = malloc(big + 128);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    hc_conn c;
    CU_ASSERT_EQUAL_FATAL(hc_connect(&c, h2.port, 20000), 0);
    int made = 0;
    for (int i = 0; i < 200; i++) {
        int n = snprintf(body, 128, "{\"metadata\":{\"name\":\"big%d\"},\"data\":{\"k\":\"", i);
        memset(body + n, 'x', big);
        strcpy(body + n + big, "\"}}");
        hc_resp r;
        if (hc_do(&c, "POST", "/api/v1/namespaces/default/configmaps", NULL, body,
                  strlen(body), &r) == 0) {
            made += r.code == 201;
            hc_resp_free(&r);
        }
    }
    hc_close(&c);
    free(body);
    CU_ASSERT_EQUAL(made, 200);
    /* Now read: the stream ends (closed) before all 200 events. */
    int events = 0, eof = 0;
    char buf[65536], last = 0;
    for (;;) {
        ssize_t k = read(w.fd, buf, sizeof buf);
        if (k == 0)
            eof = 1;
        if (k <= 0)
            break;
        for (ssize_t j = 0; j < k; j++) {
            if (buf[j] == '\n' && (j ? buf[j - 1] : last) == '}')
                events++;
        }
        last = buf[k - 1];
    }
    hc_close(&w);
    CU_ASSERT_EQUAL(eof, 1);
    CU_ASSERT(events < 200);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "grep -q 'client too slow' '%s'", h2.log);
    CU_ASSERT_EQUAL(system(cmd), 0);
    ah_stop(&h2);
}

static void t_shutdown(void)
{
    /* A watch left open must not hold up the stop. */
    hc_conn w;
    CU_ASSERT_EQUAL_FATAL(hc_connect(&w, host.port, 5000), 0);
    const char *get = "GET /api/v1/pods?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    CU_ASSERT(write(w.fd, get, strlen(get)) > 0);
    hc_close(&conn);
    int code = ah_stop(&host);
    hc_close(&w);
    CU_ASSERT(code >= 0); /* it stopped in time (exit code: see the host's log) */
}

int main(void)
{
    static const tcase cases[] = {
        {"version and health", t_version_health},
        {"authentication", t_auth},
        {"discovery and openapi", t_discovery},
        {"pod create/get/update/delete", t_pod_crud},
        {"lists, selectors, pagination", t_list_select_paginate},
        {"pages read one snapshot", t_snapshot_pages},
        {"fieldValidation and stringData", t_field_validation},
        {"graceful pod delete", t_graceful_pod_delete},
        {"server-side apply", t_server_side_apply},
        {"YAML bodies", t_yaml_bodies},
        {"patch types", t_patches},
        {"status, generation, scale", t_status_and_generation},
        {"finalizers, binding, log", t_finalizers_binding},
        {"namespace lifecycle", t_namespace_lifecycle},
        {"service allocation", t_services},
        {"limits and errors", t_limits_errors},
        {"table", t_table},
        {"garbage requests", t_garbage},
        {"protobuf create", t_protobuf_create},
        {"concurrent patches lose nothing", t_concurrent_patches},
        {"watch", t_watch},
        {"metrics", t_metrics},
        {"slow watcher is cut off", t_slow_watcher},
        {"shutdown with open watch", t_shutdown},
        {NULL, NULL},
    };
    if (suite_init()) {
        fprintf(stderr, "cannot start the apiserver host\n");
        ah_stop(&host);
        return 1;
    }
    int rc = trun("apiserver-http", cases);
    hc_close(&conn);
    ah_stop(&host);
    return rc;
}
