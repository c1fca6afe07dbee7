/* Shared steps of the write verbs (handle_write.c). Each returns 0, or
 * non-zero after setting an error Status in out, except that a store
 * compare failure returns SK_ECONFLICT with out untouched, so the caller
 * can re-read and retry. */
#ifndef AP_WRITE_H
#define AP_WRITE_H

#include "apiserver.h"

/* 400 on JSON types (and unknown fields under fieldValidation=Strict). */
int ap_decode_check(const ap_req *rq, const sk_schema *schema, json_t *obj, ap_resp *out);
/* Updates the object at rq's key from old (at old_rev) to obj (borrowed,
 * modified): lifecycle fields, status/spec rules, defaults, validation,
 * then the CAS. An object being deleted whose last finalizer went is
 * deleted instead. */
int ap_write_update(ap_server *s, const ap_req *rq, json_t *obj, const json_t *old,
                    int64_t old_rev, ap_resp *out);
/* The current object at rq's key as JSON (with resourceVersion). out may
 * be NULL to get the bare code (SK_ENOTFOUND). */
int ap_read_current(ap_server *s, const ap_req *rq, json_t **obj, int64_t *rev, ap_resp *out);
/* A namespaced create needs its namespace to exist and not be
 * terminating (404 / 403 otherwise), as NamespaceLifecycle admission. */
int ap_namespace_check(ap_server *s, const ap_req *rq, ap_resp *out);

#endif
