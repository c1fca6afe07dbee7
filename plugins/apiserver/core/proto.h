/* apiserver core — Kubernetes protobuf request bodies
 * (application/vnd.kubernetes.protobuf) decoded into JSON objects.
 *
 * client-go's typed clients, and so kubectl's imperative generators
 * (`kubectl create configmap|secret|namespace|serviceaccount|deployment|
 * service`), send protobuf with no fallback to JSON. The body is the magic
 * "k8s\0" and a runtime.Unknown {typeMeta{apiVersion, kind}, raw}; raw is
 * the object's message. Field numbers come from the upstream
 * generated.proto files (a wire format, not code). Only the messages
 * those generators produce are described; a non-empty field that is not
 * described fails the request (never silently dropped). Empty strings,
 * zeros and empty messages read as absent, as Go's omitempty would have
 * written them. */
#ifndef SK_PROTO_H
#define SK_PROTO_H

#include <stddef.h>

#include <jansson.h>

#include "api_err.h"

/* Decodes a whole protobuf body into a new JSON object with kind and
 * apiVersion set. 0, SK_EBADMSG (malformed: 400) or -ENOTSUP (a kind or
 * field not described here: 415). */
int sk_proto_decode(const void *body, size_t len, json_t **out, sk_apierr *err);

#endif
