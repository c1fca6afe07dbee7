/* GET /openapi/v2 as the gnostic openapi_v2.Document protobuf that
 * kubectl 1.27 and 1.28 insist on (they parse nothing else; JSON fails
 * with "cannot parse invalid wire-format data").
 *
 * What those kubectl versions need from it: for each kind, a PATCH
 * operation carrying the x-kubernetes-group-version-kind extension and a
 * `fieldValidation` query parameter. With that they leave validation to
 * the server (as 1.29+ do through OpenAPI v3) instead of validating
 * client-side against definitions. So the document holds exactly those
 * operations, generated from the registry; schemas are served by v3.
 *
 * Field numbers are gnostic's OpenAPIv2.proto (Document.swagger = 1,
 * info = 2, paths = 8; Paths.path = 2; NamedPathItem name = 1, value = 2;
 * PathItem.patch = 8; Operation.parameters = 8, vendor_extension = 13;
 * ParametersItem.parameter = 1; Parameter.non_body_parameter = 2;
 * NonBodyParameter.query_parameter_sub_schema = 3; QueryParameterSubSchema
 * in = 2, name = 4, type = 6; NamedAny name = 1, value = 2; Any.yaml = 2;
 * Info title = 1, version = 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openapi.h"
#include "registry.h"
#include "strbuf.h"

static void pb_varint(sk_sbuf *b, uint64_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    sk_sbuf_putn(b, tmp, n);
}

/* A length-delimited field: bytes or an already-encoded message. */
static void pb_bytes(sk_sbuf *b, unsigned field, const char *p, size_t n)
{
    pb_varint(b, (uint64_t)field << 3 | 2);
    pb_varint(b, n);
    sk_sbuf_putn(b, p, n);
}

static void pb_str(sk_sbuf *b, unsigned field, const char *s)
{
    pb_bytes(b, field, s, strlen(s));
}

/* Appends child as field `field` of b and empties child. */
static void pb_msg(sk_sbuf *b, unsigned field, sk_sbuf *child)
{
    if (child->err)
        b->err = child->err;
    pb_bytes(b, field, child->p ? child->p : "", child->len);
    sk_sbuf_free(child);
    sk_sbuf_init(child, 0);
}

/* The PATCH operation of one resource. */
static void patch_op(sk_sbuf *op, const sk_resource *r)
{
    sk_sbuf q, nb, par, item, any, ext;
    sk_sbuf_init(&q, 0);
    sk_sbuf_init(&nb, 0);
    sk_sbuf_init(&par, 0);
    sk_sbuf_init(&item, 0);
    sk_sbuf_init(&any, 0);
    sk_sbuf_init(&ext, 0);
    pb_str(&q, 2, "query");
    pb_str(&q, 4, "fieldValidation");
    pb_str(&q, 6, "string");
    pb_msg(&nb, 3, &q);   /* NonBodyParameter.query_parameter_sub_schema */
    pb_msg(&par, 2, &nb); /* Parameter.non_body_parameter */
    pb_msg(&item, 1, &par);
    pb_msg(op, 8, &item); /* Operation.parameters */
    char yaml[256];
    snprintf(yaml, sizeof yaml, "group: \"%s\"\nkind: %s\nversion: %s\n", r->group, r->kind,
             r->version);
    pb_str(&any, 2, yaml); /* Any.yaml */
    pb_str(&ext, 1, "x-kubernetes-group-version-kind");
    pb_msg(&ext, 2, &any);
    pb_msg(op, 13, &ext); /* Operation.vendor_extension */
    sk_sbuf_free(&q);
    sk_sbuf_free(&nb);
    sk_sbuf_free(&par);
    sk_sbuf_free(&item);
    sk_sbuf_free(&any);
    sk_sbuf_free(&ext);
}

static void resource_path(const sk_resource *r, char *buf, size_t size)
{
    char gv[128];
    if (*r->group)
        snprintf(gv, sizeof gv, "/apis/%s/%s", r->group, r->version);
    else
        snprintf(gv, sizeof gv, "/api/%s", r->version);
    snprintf(buf, size, "%s/%s%s/{name}", gv, r->namespaced ? "namespaces/{namespace}/" : "",
             r->plural);
}

int sk_openapi_v2_proto(char **out, size_t *len)
{
    sk_sbuf doc, info, paths, named, item, op;
    sk_sbuf_init(&doc, 0);
    sk_sbuf_init(&info, 0);
    sk_sbuf_init(&paths, 0);
    sk_sbuf_init(&named, 0);
    sk_sbuf_init(&item, 0);
    sk_sbuf_init(&op, 0);
    pb_str(&doc, 1, "2.0");
    pb_str(&info, 1, "Kubernetes");
    pb_str(&info, 2, SK_OPENAPI_K8S_VERSION);
    pb_msg(&doc, 2, &info);
    size_t n;
    const sk_resource *const *all = sk_registry_all(&n);
    for (size_t i = 0; i < n; i++) {
        char path[256];
        resource_path(all[i], path, sizeof path);
        patch_op(&op, all[i]);
        pb_msg(&item, 8, &op); /* PathItem.patch */
        pb_str(&named, 1, path);
        pb_msg(&named, 2, &item);
        pb_msg(&paths, 2, &named); /* Paths.path */
    }
    pb_msg(&doc, 8, &paths);
    sk_sbuf_free(&info);
    sk_sbuf_free(&paths);
    sk_sbuf_free(&named);
    sk_sbuf_free(&item);
    sk_sbuf_free(&op);
    if (doc.err) {
        sk_sbuf_free(&doc);
        return doc.err;
    }
    *out = sk_sbuf_take(&doc, len);
    return *out ? 0 : -1;
}
