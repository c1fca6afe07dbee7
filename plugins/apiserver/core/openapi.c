/* OpenAPI v3 documents: paths and operations per resource. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery_util.h"
#include "openapi.h"
#include "registry.h"

#define REF_PREFIX "#/components/schemas/"

/* "CoreV1", "AppsV1", "CoordinationV1": the operationId infix. */
static void gv_camel(const char *group, const char *version, char *buf, size_t size)
{
    const char *g = *group ? group : "core";
    size_t n = strcspn(g, "."), vn = strlen(version);
    if (n + vn + 1 > size) {
        buf[0] = '\0';
        return;
    }
    memcpy(buf, g, n);
    memcpy(buf + n, version, vn + 1);
    buf[0] = (char)toupper((unsigned char)buf[0]);
    buf[n] = (char)toupper((unsigned char)buf[n]);
}

static json_t *query_param(const char *name, const char *desc)
{
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:b}}", "name", name, "in", "query", "description",
                     desc, "schema", "type", "string", "uniqueItems", 1);
}

static json_t *path_param(const char *name, const char *desc)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:b}}", "name", name, "in", "path",
                     "description", desc, "required", 1, "schema", "type", "string",
                     "uniqueItems", 1);
}

static json_t *write_params(bool patch)
{
    json_t *p = json_array();
    json_array_append_new(p, query_param("dryRun", "When present (All), the request is "
                                                   "validated but nothing is persisted."));
    json_array_append_new(p, query_param("fieldManager", "Name of the actor making the "
                                                         "change, for server-side apply."));
    json_array_append_new(p, query_param("fieldValidation",
                                         "How unknown or duplicate fields are treated: Ignore, "
                                         "Warn or Strict. The server validates."));
    if (patch)
        json_array_append_new(p, json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "force", "in",
                                           "query", "description",
                                           "Force apply requests to take over conflicting "
                                           "fields.",
                                           "schema", "type", "boolean"));
    return p;
}

static json_t *gvk(const char *g, const char *v, const char *k)
{
    return json_pack("{s:s, s:s, s:s}", "group", g, "version", v, "kind", k);
}

static json_t *json_content(const char *schema_id)
{
    json_t *schema = schema_id ? json_pack("{s:s}", "$ref", "") : json_pack("{s:s}", "type",
                                                                            "object");
    if (schema_id) {
        char ref[256];
        snprintf(ref, sizeof ref, REF_PREFIX "%s", schema_id);
        json_object_set_new(schema, "$ref", json_string(ref));
    }
    return json_pack("{s:{s:o}}", "application/json", "schema", schema);
}

typedef struct op_spec {
    const char *action; /* x-kubernetes-action */
    const char *verb;   /* operationId prefix */
    const char *desc;
    const char *response_id; /* schema of the response, or NULL */
    const char *g, *v, *k;   /* x-kubernetes-group-version-kind */
    bool body, patch;
} op_spec;

static json_t *operation(const op_spec *s, const char *id_suffix)
{
    char opid[256];
    snprintf(opid, sizeof opid, "%s%s", s->verb, id_suffix);
    json_t *op = json_pack("{s:s, s:s, s:{s:{s:s, s:o}}, s:s, s:o}", "description", s->desc,
                           "operationId", opid, "responses", "200", "description", "OK",
                           "content", json_content(s->response_id), "x-kubernetes-action",
                           s->action, "x-kubernetes-group-version-kind", gvk(s->g, s->v, s->k));
    if (s->body || s->patch)
        json_object_set_new(op, "parameters", write_params(s->patch));
    if (s->patch) {
        json_t *content = json_object();
        static const char *const types[] = {
            "application/apply-patch+yaml", "application/json-patch+json",
            "application/merge-patch+json", "application/strategic-merge-patch+json"};
        for (size_t i = 0; i < 4; i++)
            json_object_set_new(content, types[i],
                                json_pack("{s:{s:s}}", "schema", "type", "object"));
        json_object_set_new(op, "requestBody",
                            json_pack("{s:o, s:b}", "content", content, "required", 1));
    } else if (s->body) {
        json_object_set_new(op, "requestBody",
                            json_pack("{s:o, s:b}", "content", json_content(s->response_id),
                                      "required", 1));
    }
    return op;
}

typedef struct path_ctx {
    const sk_resource *r;
    char prefix[128]; /* /api/v1 or /apis/apps/v1 */
    char camel[64];   /* CoreV1 */
    json_t *paths;
} path_ctx;

static json_t *path_item(path_ctx *c, const char *path, bool with_name)
{
    json_t *item = json_object_get(c->paths, path);
    if (item)
        return item;
    json_t *params = json_array();
    if (with_name)
        json_array_append_new(params, path_param("name", "Name of the object."));
    if (c->r->namespaced && strstr(path, "{namespace}"))
        json_array_append_new(params, path_param("namespace", "Namespace of the objects."));
    item = json_pack("{s:o}", "parameters", params);
    json_object_set_new(c->paths, path, item);
    return item;
}

static void add_op(path_ctx *c, const char *path, bool with_name, const char *method,
                   const op_spec *s, const char *id_suffix)
{
    json_object_set_new(path_item(c, path, with_name), method, operation(s, id_suffix));
}

static void collection_ops(path_ctx *c, const char *base, const char *scope)
{
    const sk_resource *r = c->r;
    char suffix[160];
    op_spec s = {.g = r->group, .v = r->version, .k = r->kind};
    if (r->verbs & SK_VERB_LIST) {
        s = (op_spec){"list", "list", "List or watch objects of this kind.", NULL, r->group,
                      r->version, r->kind, false, false};
        char list_id[256];
        snprintf(list_id, sizeof list_id, "%sList", r->schema->id);
        s.response_id = list_id;
        snprintf(suffix, sizeof suffix, "%s%s%s", c->camel, scope, r->kind);
        add_op(c, base, false, "get", &s, suffix);
    }
    if (!*scope && r->namespaced)
        return; /* the all-namespaces path only lists */
    snprintf(suffix, sizeof suffix, "%s%s%s", c->camel, scope, r->kind);
    if (r->verbs & SK_VERB_CREATE) {
        s = (op_spec){"post", "create", "Create an object.", r->schema->id, r->group,
                      r->version, r->kind, true, false};
        add_op(c, base, false, "post", &s, suffix);
    }
    if (r->verbs & SK_VERB_DELETECOLLECTION) {
        s = (op_spec){"deletecollection", "deleteCollection", "Delete a collection of objects.",
                      NULL, r->group, r->version, r->kind, false, false};
        add_op(c, base, false, "delete", &s, suffix);
    }
}

static void item_ops(path_ctx *c, const char *item, const char *scope)
{
    const sk_resource *r = c->r;
    char suffix[160];
    snprintf(suffix, sizeof suffix, "%s%s%s", c->camel, scope, r->kind);
    static const struct {
        unsigned verb;
        const char *method, *action, *prefix, *desc;
        bool body, patch;
    } ops[] = {
        {SK_VERB_GET, "get", "get", "read", "Read the object.", false, false},
        {SK_VERB_UPDATE, "put", "put", "replace", "Replace the object.", true, false},
        {SK_VERB_PATCH, "patch", "patch", "patch", "Partially update the object.", false, true},
        {SK_VERB_DELETE, "delete", "delete", "delete", "Delete the object.", false, false},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (!(r->verbs & ops[i].verb))
            continue;
        op_spec s = {ops[i].action, ops[i].prefix, ops[i].desc, r->schema->id, r->group,
                     r->version, r->kind, ops[i].body, ops[i].patch};
        add_op(c, item, true, ops[i].method, &s, suffix);
    }
}

static const char *subresource_schema(const sk_subresource *s)
{
    if (!s->kind)
        return NULL;
    if (strcmp(s->kind, "Scale") == 0)
        return "io.k8s.api.autoscaling.v1.Scale";
    if (strcmp(s->kind, "Eviction") == 0)
        return "io.k8s.api.policy.v1.Eviction";
    if (strcmp(s->kind, "Binding") == 0)
        return "io.k8s.api.core.v1.Binding";
    return NULL;
}

static void subresource_ops(path_ctx *c, const char *item, const char *scope)
{
    const sk_resource *r = c->r;
    for (const sk_subresource *s = r->subresources; s && s->name; s++) {
        char path[256], suffix[160], sub[64];
        snprintf(path, sizeof path, "%s/%s", item, s->name);
        snprintf(sub, sizeof sub, "%s", s->name);
        sub[0] = (char)toupper((unsigned char)sub[0]);
        snprintf(suffix, sizeof suffix, "%s%s%s%s", c->camel, scope, r->kind, sub);
        const char *schema = s->kind ? subresource_schema(s) : r->schema->id;
        const char *g = s->kind ? s->group : r->group, *v = s->kind ? s->version : r->version;
        const char *k = s->kind ? s->kind : r->kind;
        if (s->verbs & SK_VERB_GET) {
            op_spec o = {"get", "read", "Read this subresource.", schema, g, v, k, false, false};
            add_op(c, path, true, "get", &o, suffix);
        }
        if (s->verbs & SK_VERB_UPDATE) {
            op_spec o = {"put", "replace", "Replace this subresource.", schema, g, v, k, true,
                         false};
            add_op(c, path, true, "put", &o, suffix);
        }
        if (s->verbs & SK_VERB_PATCH) {
            op_spec o = {"patch", "patch", "Partially update this subresource.", schema, g, v, k,
                         false, true};
            add_op(c, path, true, "patch", &o, suffix);
        }
        if (s->verbs & SK_VERB_CREATE) {
            op_spec o = {"post", "create", "Create this subresource.", schema, g, v, k, true,
                         false};
            add_op(c, path, true, "post", &o, suffix);
        }
    }
}

static void resource_paths(path_ctx *c)
{
    const sk_resource *r = c->r;
    char base[256], item[320];
    if (r->namespaced) {
        snprintf(base, sizeof base, "%s/%s", c->prefix, r->plural);
        collection_ops(c, base, "");
        snprintf(base, sizeof base, "%s/namespaces/{namespace}/%s", c->prefix, r->plural);
        collection_ops(c, base, "Namespaced");
        snprintf(item, sizeof item, "%s/{name}", base);
        item_ops(c, item, "Namespaced");
        subresource_ops(c, item, "Namespaced");
    } else {
        snprintf(base, sizeof base, "%s/%s", c->prefix, r->plural);
        collection_ops(c, base, "Cluster");
        snprintf(item, sizeof item, "%s/{name}", base);
        item_ops(c, item, "");
        subresource_ops(c, item, "");
    }
}

json_t *sk_openapi_document(const char *group, const char *version)
{
    size_t n;
    const sk_resource *const *all = sk_registry_all(&n);
    path_ctx c = {.paths = json_object()};
    if (*group)
        snprintf(c.prefix, sizeof c.prefix, "/apis/%s/%s", group, version);
    else
        snprintf(c.prefix, sizeof c.prefix, "/api/%s", version);
    gv_camel(group, version, c.camel, sizeof c.camel);
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(all[i]->group, group) || strcmp(all[i]->version, version))
            continue;
        c.r = all[i];
        resource_paths(&c);
        found++;
    }
    if (!found) {
        json_decref(c.paths);
        return NULL;
    }
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:o}}", "openapi", "3.0.0", "info", "title",
                     "Kubernetes", "version", SK_OPENAPI_K8S_VERSION, "paths", c.paths,
                     "components", "schemas", sk_openapi_components(group, version));
}

void sk_openapi_hash(const json_t *doc, char *buf)
{
    /* FNV-1a over the canonical text: stable for as long as the registry
     * is, which is all clients need to know their cache is current */
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = text ? text : ""; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 0x100000001b3ULL;
    }
    free(text);
    snprintf(buf, 17, "%016llX", (unsigned long long)h);
}

json_t *sk_openapi_root(void)
{
    json_t *paths = json_object();
    const char *groups[32];
    size_t ng = sk_disc_groups(groups, 32);
    for (size_t i = 0; i <= ng; i++) {
        const char *g = i == 0 ? "" : groups[i - 1];
        const char *versions[8];
        size_t nv = sk_disc_group_versions(g, versions, 8);
        for (size_t j = 0; j < nv; j++) {
            char key[160], url[256], hash[17];
            json_t *doc = sk_openapi_document(g, versions[j]);
            sk_openapi_hash(doc, hash);
            json_decref(doc);
            if (*g)
                snprintf(key, sizeof key, "apis/%s/%s", g, versions[j]);
            else
                snprintf(key, sizeof key, "api/%s", versions[j]);
            snprintf(url, sizeof url, "/openapi/v3/%s?hash=%s", key, hash);
            json_object_set_new(paths, key, json_pack("{s:s}", "serverRelativeURL", url));
        }
    }
    return json_pack("{s:o}", "paths", paths);
}
