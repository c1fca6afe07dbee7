/* Kubernetes protobuf bodies -> JSON (proto.h): a table-driven decoder of
 * the protobuf wire format. */
#include "proto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "base64.h"
#include "k8s_time.h"

#define PB_MAX_DEPTH 32

typedef enum pb_kind {
    PB_STRING = 1,
    PB_INT,      /* int32/int64 varint */
    PB_BOOL,
    PB_BYTES,    /* base64 string in JSON */
    PB_MSG,      /* nested message (ref) */
    PB_MAP_SS,   /* map<string, string> */
    PB_MAP_SB,   /* map<string, bytes> */
    PB_MAP_SQ,   /* map<string, Quantity> */
    PB_QUANTITY, /* resource.Quantity {string = 1} */
    PB_INTSTR,   /* intstr.IntOrString {type = 1, intVal = 2, strVal = 3} */
    PB_TIME,     /* metav1.Time {seconds = 1, nanos = 2} */
} pb_kind;

enum { PB_REPEATED = 1, PB_KEEP_ZERO = 2 /* a pointer field: 0 is a value */ };

struct pb_msg;
typedef struct pb_field {
    uint32_t num;
    const char *name;
    pb_kind kind;
    unsigned flags;
    const struct pb_msg *msg;
} pb_field;

typedef struct pb_msg {
    const char *name;
    const pb_field *fields; /* ends with num 0 */
} pb_msg;

#define END {0, NULL, 0, 0, NULL}
#define MSG(var, ...) static const pb_field var##_f[] = {__VA_ARGS__, END}; \
    static const pb_msg var = {#var, var##_f}

/* k8s.io/apimachinery meta/v1 */
MSG(owner_ref, {1, "kind", PB_STRING, 0, NULL}, {3, "name", PB_STRING, 0, NULL},
    {4, "uid", PB_STRING, 0, NULL}, {5, "apiVersion", PB_STRING, 0, NULL},
    {6, "controller", PB_BOOL, 0, NULL}, {7, "blockOwnerDeletion", PB_BOOL, 0, NULL});
MSG(object_meta, {1, "name", PB_STRING, 0, NULL}, {2, "generateName", PB_STRING, 0, NULL},
    {3, "namespace", PB_STRING, 0, NULL}, {5, "uid", PB_STRING, 0, NULL},
    {6, "resourceVersion", PB_STRING, 0, NULL}, {7, "generation", PB_INT, 0, NULL},
    {8, "creationTimestamp", PB_TIME, 0, NULL}, {9, "deletionTimestamp", PB_TIME, 0, NULL},
    {11, "labels", PB_MAP_SS, 0, NULL}, {12, "annotations", PB_MAP_SS, 0, NULL},
    {13, "ownerReferences", PB_MSG, PB_REPEATED, &owner_ref},
    {14, "finalizers", PB_STRING, PB_REPEATED, NULL});
MSG(selector_req, {1, "key", PB_STRING, 0, NULL}, {2, "operator", PB_STRING, 0, NULL},
    {3, "values", PB_STRING, PB_REPEATED, NULL});
MSG(label_selector, {1, "matchLabels", PB_MAP_SS, 0, NULL},
    {2, "matchExpressions", PB_MSG, PB_REPEATED, &selector_req});

/* core/v1 */
MSG(local_ref, {1, "name", PB_STRING, 0, NULL});
MSG(object_ref, {1, "kind", PB_STRING, 0, NULL}, {2, "namespace", PB_STRING, 0, NULL},
    {3, "name", PB_STRING, 0, NULL}, {4, "uid", PB_STRING, 0, NULL},
    {5, "apiVersion", PB_STRING, 0, NULL});
MSG(config_map, {1, "metadata", PB_MSG, 0, &object_meta}, {2, "data", PB_MAP_SS, 0, NULL},
    {3, "binaryData", PB_MAP_SB, 0, NULL}, {4, "immutable", PB_BOOL, 0, NULL});
MSG(secret, {1, "metadata", PB_MSG, 0, &object_meta}, {2, "data", PB_MAP_SB, 0, NULL},
    {3, "type", PB_STRING, 0, NULL}, {4, "stringData", PB_MAP_SS, 0, NULL},
    {5, "immutable", PB_BOOL, 0, NULL});
MSG(ns_spec, {1, "finalizers", PB_STRING, PB_REPEATED, NULL});
MSG(ns_status, {1, "phase", PB_STRING, 0, NULL});
MSG(namespace, {1, "metadata", PB_MSG, 0, &object_meta}, {2, "spec", PB_MSG, 0, &ns_spec},
    {3, "status", PB_MSG, 0, &ns_status});
MSG(service_account, {1, "metadata", PB_MSG, 0, &object_meta},
    {2, "secrets", PB_MSG, PB_REPEATED, &object_ref},
    {3, "imagePullSecrets", PB_MSG, PB_REPEATED, &local_ref},
    {4, "automountServiceAccountToken", PB_BOOL, PB_KEEP_ZERO, NULL});
MSG(service_port, {1, "name", PB_STRING, 0, NULL}, {2, "protocol", PB_STRING, 0, NULL},
    {3, "port", PB_INT, 0, NULL}, {4, "targetPort", PB_INTSTR, 0, NULL},
    {5, "nodePort", PB_INT, 0, NULL}, {6, "appProtocol", PB_STRING, 0, NULL});
MSG(lb_status, {1, "ingress", PB_MSG, PB_REPEATED, &local_ref});
MSG(service_status, {1, "loadBalancer", PB_MSG, 0, &lb_status});
MSG(service_spec, {1, "ports", PB_MSG, PB_REPEATED, &service_port},
    {2, "selector", PB_MAP_SS, 0, NULL}, {3, "clusterIP", PB_STRING, 0, NULL},
    {4, "type", PB_STRING, 0, NULL}, {5, "externalIPs", PB_STRING, PB_REPEATED, NULL},
    {7, "sessionAffinity", PB_STRING, 0, NULL}, {8, "loadBalancerIP", PB_STRING, 0, NULL},
    {10, "externalName", PB_STRING, 0, NULL},
    {11, "externalTrafficPolicy", PB_STRING, 0, NULL},
    {13, "publishNotReadyAddresses", PB_BOOL, 0, NULL},
    {18, "clusterIPs", PB_STRING, PB_REPEATED, NULL});
MSG(service, {1, "metadata", PB_MSG, 0, &object_meta}, {2, "spec", PB_MSG, 0, &service_spec},
    {3, "status", PB_MSG, 0, &service_status});
MSG(container_port, {1, "name", PB_STRING, 0, NULL}, {2, "hostPort", PB_INT, 0, NULL},
    {3, "containerPort", PB_INT, 0, NULL}, {4, "protocol", PB_STRING, 0, NULL},
    {5, "hostIP", PB_STRING, 0, NULL});
MSG(env_var, {1, "name", PB_STRING, 0, NULL}, {2, "value", PB_STRING, 0, NULL});
MSG(resources, {1, "limits", PB_MAP_SQ, 0, NULL}, {2, "requests", PB_MAP_SQ, 0, NULL});
MSG(container, {1, "name", PB_STRING, 0, NULL}, {2, "image", PB_STRING, 0, NULL},
    {3, "command", PB_STRING, PB_REPEATED, NULL}, {4, "args", PB_STRING, PB_REPEATED, NULL},
    {5, "workingDir", PB_STRING, 0, NULL}, {6, "ports", PB_MSG, PB_REPEATED, &container_port},
    {7, "env", PB_MSG, PB_REPEATED, &env_var}, {8, "resources", PB_MSG, 0, &resources},
    {13, "terminationMessagePath", PB_STRING, 0, NULL},
    {14, "imagePullPolicy", PB_STRING, 0, NULL}, {16, "stdin", PB_BOOL, 0, NULL},
    {17, "stdinOnce", PB_BOOL, 0, NULL}, {18, "tty", PB_BOOL, 0, NULL},
    {20, "terminationMessagePolicy", PB_STRING, 0, NULL});
MSG(pod_spec, {2, "containers", PB_MSG, PB_REPEATED, &container},
    {3, "restartPolicy", PB_STRING, 0, NULL},
    {4, "terminationGracePeriodSeconds", PB_INT, PB_KEEP_ZERO, NULL},
    {6, "dnsPolicy", PB_STRING, 0, NULL}, {7, "nodeSelector", PB_MAP_SS, 0, NULL},
    {8, "serviceAccountName", PB_STRING, 0, NULL}, {9, "serviceAccount", PB_STRING, 0, NULL},
    {10, "nodeName", PB_STRING, 0, NULL}, {11, "hostNetwork", PB_BOOL, 0, NULL},
    {12, "hostPID", PB_BOOL, 0, NULL}, {13, "hostIPC", PB_BOOL, 0, NULL},
    {16, "hostname", PB_STRING, 0, NULL}, {17, "subdomain", PB_STRING, 0, NULL},
    {19, "schedulerName", PB_STRING, 0, NULL},
    {20, "initContainers", PB_MSG, PB_REPEATED, &container},
    {24, "priorityClassName", PB_STRING, 0, NULL});
MSG(pod_template, {1, "metadata", PB_MSG, 0, &object_meta}, {2, "spec", PB_MSG, 0, &pod_spec});

/* apps/v1 */
MSG(strategy, {1, "type", PB_STRING, 0, NULL});
MSG(deployment_spec, {1, "replicas", PB_INT, PB_KEEP_ZERO, NULL},
    {2, "selector", PB_MSG, 0, &label_selector}, {3, "template", PB_MSG, 0, &pod_template},
    {4, "strategy", PB_MSG, 0, &strategy}, {5, "minReadySeconds", PB_INT, 0, NULL},
    {6, "revisionHistoryLimit", PB_INT, PB_KEEP_ZERO, NULL}, {7, "paused", PB_BOOL, 0, NULL},
    {9, "progressDeadlineSeconds", PB_INT, PB_KEEP_ZERO, NULL});
/* A new object's status is reset by the server: accepted, zeros dropped. */
MSG(deployment_status, {1, "observedGeneration", PB_INT, 0, NULL},
    {2, "replicas", PB_INT, 0, NULL}, {3, "updatedReplicas", PB_INT, 0, NULL},
    {4, "availableReplicas", PB_INT, 0, NULL}, {5, "unavailableReplicas", PB_INT, 0, NULL},
    {7, "readyReplicas", PB_INT, 0, NULL}, {8, "collisionCount", PB_INT, 0, NULL},
    {9, "terminatingReplicas", PB_INT, 0, NULL});
MSG(deployment, {1, "metadata", PB_MSG, 0, &object_meta},
    {2, "spec", PB_MSG, 0, &deployment_spec}, {3, "status", PB_MSG, 0, &deployment_status});

/* policy/v1 (kubectl drain evicts through the typed client) */
MSG(preconditions, {1, "uid", PB_STRING, 0, NULL}, {2, "resourceVersion", PB_STRING, 0, NULL});
MSG(delete_options, {1, "gracePeriodSeconds", PB_INT, PB_KEEP_ZERO, NULL},
    {2, "preconditions", PB_MSG, 0, &preconditions}, {3, "orphanDependents", PB_BOOL, PB_KEEP_ZERO, NULL},
    {4, "propagationPolicy", PB_STRING, 0, NULL}, {5, "dryRun", PB_STRING, PB_REPEATED, NULL});
MSG(eviction, {1, "metadata", PB_MSG, 0, &object_meta},
    {2, "deleteOptions", PB_MSG, 0, &delete_options});

static const struct {
    const char *api_version, *kind;
    const pb_msg *msg;
} roots[] = {
    {"v1", "ConfigMap", &config_map},         {"v1", "Secret", &secret},
    {"v1", "Namespace", &namespace},          {"v1", "ServiceAccount", &service_account},
    {"v1", "Service", &service},              {"apps/v1", "Deployment", &deployment},
    {"policy/v1", "Eviction", &eviction},
};

/* ---- the wire format ---- */

typedef struct pb_in {
    const uint8_t *p, *end;
} pb_in;

static int varint(pb_in *in, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (in->p >= in->end)
            return SK_EBADMSG;
        uint8_t c = *in->p++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return 0;
    }
    return SK_EBADMSG;
}

/* The next field: number, wire type, and its varint or bytes. */
static int next(pb_in *in, uint32_t *num, int *wt, uint64_t *v, pb_in *bytes)
{
    uint64_t key;
    if (varint(in, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
        return SK_EBADMSG;
    *num = (uint32_t)(key >> 3);
    *wt = (int)(key & 7);
    switch (*wt) {
    case 0:
        return varint(in, v);
    case 2:
        if (varint(in, v) || *v > (uint64_t)(in->end - in->p))
            return SK_EBADMSG;
        bytes->p = in->p;
        bytes->end = in->p + *v;
        in->p += *v;
        return 0;
    case 1:
    case 5: {
        size_t n = *wt == 1 ? 8 : 4;
        if ((size_t)(in->end - in->p) < n)
            return SK_EBADMSG;
        in->p += n;
        *v = 0;
        return 0;
    }
    default:
        return SK_EBADMSG;
    }
}

typedef struct pb_ctx {
    sk_apierr *err;
    char path[256];
} pb_ctx;

static int bad(pb_ctx *c, const char *what)
{
    return sk_apierr_set(c->err, SK_EBADMSG, "protobuf body: %s at %s", what,
                         *c->path ? c->path : "<root>");
}

static json_t *decode_msg(pb_ctx *c, const pb_msg *m, pb_in in, int depth, int *rc);

static json_t *string_of(pb_in b)
{
    return json_stringn((const char *)b.p, (size_t)(b.end - b.p));
}

static json_t *base64_of(pb_in b)
{
    size_t n = (size_t)(b.end - b.p);
    char *s = malloc(sk_base64_len(n) + 1);
    if (!s)
        return NULL;
    sk_base64_encode(b.p, n, s);
    json_t *j = json_string(s);
    free(s);
    return j;
}

/* A map entry {key = 1, value = 2} into obj. */
static int map_entry(pb_ctx *c, pb_kind k, pb_in e, json_t *obj)
{
    json_t *key = NULL, *val = NULL;
    uint32_t num;
    int wt;
    uint64_t v;
    pb_in b;
    while (e.p < e.end) {
        if (next(&e, &num, &wt, &v, &b) || wt != 2)
            goto fail;
        if (num == 1) {
            json_decref(key);
            key = string_of(b);
        } else if (num == 2) {
            json_decref(val);
            if (k == PB_MAP_SS) {
                val = string_of(b);
            } else if (k == PB_MAP_SB) {
                val = base64_of(b);
            } else { /* Quantity {string = 1} */
                uint32_t qn;
                int qwt;
                uint64_t qv;
                pb_in qb = {NULL, NULL};
                val = NULL;
                while (b.p < b.end)
                    if (next(&b, &qn, &qwt, &qv, &qb) || qwt != 2 || qn != 1)
                        goto fail;
                val = qb.p ? string_of(qb) : json_string("0");
            }
        }
    }
    if (!json_is_string(key)) {
        json_decref(val);
        return bad(c, "map entry without a key");
    }
    json_object_set_new(obj, json_string_value(key), val ? val : json_string(""));
    json_decref(key);
    return 0;
fail:
    json_decref(key);
    json_decref(val);
    return bad(c, "malformed map entry");
}

static json_t *int_or_string(pb_ctx *c, pb_in b, int *rc)
{
    uint64_t type = 0, iv = 0, v;
    json_t *sv = NULL;
    uint32_t num;
    int wt;
    pb_in s;
    while (b.p < b.end) {
        if (next(&b, &num, &wt, &v, &s)) {
            json_decref(sv);
            *rc = bad(c, "malformed IntOrString");
            return NULL;
        }
        if (num == 1 && wt == 0)
            type = v;
        else if (num == 2 && wt == 0)
            iv = v;
        else if (num == 3 && wt == 2) {
            json_decref(sv);
            sv = string_of(s);
        }
    }
    if (type == 1)
        return sv ? sv : json_string("");
    json_decref(sv);
    return json_integer((json_int_t)(int32_t)(uint32_t)iv);
}

static json_t *time_of(pb_ctx *c, pb_in b, int *rc)
{
    uint64_t secs = 0, v;
    uint32_t num;
    int wt;
    pb_in s;
    bool any = false;
    while (b.p < b.end) {
        if (next(&b, &num, &wt, &v, &s)) {
            *rc = bad(c, "malformed Time");
            return NULL;
        }
        if (num == 1 && wt == 0) {
            secs = v;
            any = true;
        }
    }
    if (!any)
        return NULL; /* the zero Time: omitted */
    char buf[32];
    sk_time_format((int64_t)secs, buf, sizeof buf);
    return json_string(buf);
}

/* One field's value; NULL when it is empty (omitted) or on error (*rc). */
static json_t *value(pb_ctx *c, const pb_field *f, int wt, uint64_t v, pb_in b, int depth,
                     int *rc)
{
    bool len = wt == 2;
    switch (f->kind) {
    case PB_STRING:
        if (!len)
            break;
        return b.p == b.end ? NULL : string_of(b);
    case PB_BYTES:
        if (!len)
            break;
        return b.p == b.end ? NULL : base64_of(b);
    case PB_INT:
        if (wt != 0)
            break;
        return v == 0 && !(f->flags & PB_KEEP_ZERO) ? NULL : json_integer((json_int_t)v);
    case PB_BOOL:
        if (wt != 0)
            break;
        return v == 0 && !(f->flags & PB_KEEP_ZERO) ? NULL : json_boolean(v != 0);
    case PB_MSG:
        if (!len)
            break;
        return decode_msg(c, f->msg, b, depth + 1, rc);
    case PB_INTSTR:
        if (!len)
            break;
        return int_or_string(c, b, rc);
    case PB_TIME:
        if (!len)
            break;
        return time_of(c, b, rc);
    case PB_QUANTITY:
    default:
        break;
    }
    *rc = bad(c, "unexpected wire type");
    return NULL;
}

static bool is_map(pb_kind k)
{
    return k == PB_MAP_SS || k == PB_MAP_SB || k == PB_MAP_SQ;
}

static int add_field(pb_ctx *c, json_t *obj, const pb_field *f, int wt, uint64_t v, pb_in b,
                     int depth)
{
    int rc = 0;
    size_t mark = strlen(c->path);
    snprintf(c->path + mark, sizeof c->path - mark, "%s%s", mark ? "." : "", f->name);
    if (is_map(f->kind)) {
        json_t *m = json_object_get(obj, f->name);
        if (!m) {
            m = json_object();
            json_object_set_new(obj, f->name, m);
        }
        rc = wt == 2 ? map_entry(c, f->kind, b, m) : bad(c, "unexpected wire type");
    } else {
        json_t *val = value(c, f, wt, v, b, depth, &rc);
        if (val && (f->flags & PB_REPEATED)) {
            json_t *arr = json_object_get(obj, f->name);
            if (!arr) {
                arr = json_array();
                json_object_set_new(obj, f->name, arr);
            }
            json_array_append_new(arr, val);
        } else if (val) {
            json_object_set_new(obj, f->name, val);
        } else if (!rc && (f->flags & PB_REPEATED) && f->kind == PB_MSG) {
            /* an all-default element still counts in a list */
            json_t *arr = json_object_get(obj, f->name);
            if (!arr) {
                arr = json_array();
                json_object_set_new(obj, f->name, arr);
            }
            json_array_append_new(arr, json_object());
        }
    }
    c->path[mark] = 0;
    return rc;
}

/* Whether an undescribed field holds nothing (so it may be skipped). */
static bool empty_value(int wt, uint64_t v, pb_in b)
{
    return wt == 0 ? v == 0 : wt == 2 ? b.p == b.end : false;
}

static json_t *decode_msg(pb_ctx *c, const pb_msg *m, pb_in in, int depth, int *rc)
{
    if (depth > PB_MAX_DEPTH) {
        *rc = bad(c, "nested too deeply");
        return NULL;
    }
    json_t *obj = json_object();
    while (in.p < in.end) {
        uint32_t num;
        int wt;
        uint64_t v;
        pb_in b = {NULL, NULL};
        if (next(&in, &num, &wt, &v, &b)) {
            json_decref(obj);
            *rc = bad(c, "malformed field");
            return NULL;
        }
        const pb_field *f = m->fields;
        while (f->num && f->num != num)
            f++;
        if (!f->num) {
            if (empty_value(wt, v, b))
                continue;
            json_decref(obj);
            *rc = sk_apierr_set(c->err, -ENOTSUP,
                                "protobuf body: field %u of %s (at %s) is not supported; "
                                "send JSON (application/json) instead",
                                num, m->name, *c->path ? c->path : "<root>");
            return NULL;
        }
        if ((*rc = add_field(c, obj, f, wt, v, b, depth))) {
            json_decref(obj);
            return NULL;
        }
    }
    if (json_object_size(obj) == 0) {
        json_decref(obj);
        return NULL; /* empty: omitted */
    }
    return obj;
}

int sk_proto_decode(const void *body, size_t len, json_t **out, sk_apierr *err)
{
    pb_ctx c = {.err = err};
    *out = NULL;
    if (len < 4 || memcmp(body, "k8s\0", 4) != 0)
        return sk_apierr_set(err, SK_EBADMSG, "protobuf body: missing the k8s envelope");
    pb_in in = {(const uint8_t *)body + 4, (const uint8_t *)body + len}, tm = {0}, raw = {0};
    uint32_t num;
    int wt;
    uint64_t v;
    pb_in b;
    while (in.p < in.end) {
        if (next(&in, &num, &wt, &v, &b))
            return bad(&c, "malformed envelope");
        if (num == 1 && wt == 2)
            tm = b;
        else if (num == 2 && wt == 2)
            raw = b;
        else if ((num == 3 || num == 4) && wt == 2 && b.p != b.end)
            return sk_apierr_set(err, -ENOTSUP, "protobuf body: encoded content not supported");
    }
    char api[64] = "", kind[64] = "";
    while (tm.p && tm.p < tm.end) {
        if (next(&tm, &num, &wt, &v, &b) || wt != 2)
            return bad(&c, "malformed typeMeta");
        size_t n = (size_t)(b.end - b.p);
        char *dst = num == 1 ? api : num == 2 ? kind : NULL;
        if (dst && n < 64) {
            memcpy(dst, b.p, n);
            dst[n] = 0;
        }
    }
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        if (strcmp(roots[i].api_version, api) || strcmp(roots[i].kind, kind))
            continue;
        int rc = 0;
        json_t *obj = raw.p ? decode_msg(&c, roots[i].msg, raw, 0, &rc) : NULL;
        if (rc)
            return rc;
        if (!obj)
            obj = json_object();
        json_object_set_new(obj, "kind", json_string(kind));
        json_object_set_new(obj, "apiVersion", json_string(api));
        *out = obj;
        return 0;
    }
    return sk_apierr_set(err, -ENOTSUP, "protobuf body: kind %s/%s is not supported; send JSON",
                         api, kind);
}
