/* apiserver core — shorthand for writing schema tables (schema_*.c only).
 * fl is 0 or REQ. */
#ifndef SK_SCHEMA_DECL_H
#define SK_SCHEMA_DECL_H

#include <stddef.h>

#include "schema.h"

#define REQ SK_FF_REQUIRED

/* scalars: t is one of STRING INT32 INT64 NUMBER BOOL INT_OR_STRING
 * QUANTITY TIME MICROTIME BYTES ANY */
#define F(n, t, fl, d) {.name = (n), .type = SK_FT_##t, .flags = (fl), .desc = (d)}
#define F_ENUM(n, e, fl, d)                                                                \
    {.name = (n), .type = SK_FT_STRING, .enums = (e), .flags = (fl), .desc = (d)}
#define F_OBJ(n, s, fl, d) {.name = (n), .type = SK_FT_OBJECT, .ref = &(s), .flags = (fl), .desc = (d)}
/* an object kept whole when patched (x-kubernetes-patch-strategy retainKeys) */
#define F_OBJ_RK(n, s, fl, d)                                                              \
    {.name = (n), .type = SK_FT_OBJECT, .ref = &(s), .flags = (fl),                        \
     .strategy = SK_PS_RETAIN_KEYS, .desc = (d)}
/* atomic list of scalars */
#define F_LIST(n, t, fl, d)                                                                \
    {.name = (n), .type = SK_FT_ARRAY, .elem = SK_FT_##t, .flags = (fl), .desc = (d)}
/* list of strings merged as a set */
#define F_SET(n, fl, d)                                                                    \
    {.name = (n), .type = SK_FT_ARRAY, .elem = SK_FT_STRING, .flags = (fl),                \
     .strategy = SK_PS_MERGE, .desc = (d)}
/* atomic list of objects */
#define F_OLIST(n, s, fl, d)                                                               \
    {.name = (n), .type = SK_FT_ARRAY, .elem = SK_FT_OBJECT, .ref = &(s), .flags = (fl),   \
     .desc = (d)}
/* list of objects merged by key */
#define F_KLIST(n, s, key, fl, d)                                                          \
    {.name = (n), .type = SK_FT_ARRAY, .elem = SK_FT_OBJECT, .ref = &(s), .flags = (fl),   \
     .strategy = SK_PS_MERGE, .merge_key = (key), .desc = (d)}
#define F_KLIST_RK(n, s, key, fl, d)                                                       \
    {.name = (n), .type = SK_FT_ARRAY, .elem = SK_FT_OBJECT, .ref = &(s), .flags = (fl),   \
     .strategy = SK_PS_MERGE | SK_PS_RETAIN_KEYS, .merge_key = (key), .desc = (d)}
/* map of scalars / of objects */
#define F_MAP(n, t, fl, d)                                                                 \
    {.name = (n), .type = SK_FT_MAP, .elem = SK_FT_##t, .flags = (fl), .desc = (d)}
#define F_OMAP(n, s, fl, d)                                                                \
    {.name = (n), .type = SK_FT_MAP, .elem = SK_FT_OBJECT, .ref = &(s), .flags = (fl),     \
     .desc = (d)}
#define F_END {.name = NULL}

/* The three fields every top-level kind starts with. */
#define F_TYPEMETA                                                                         \
    F("apiVersion", STRING, 0,                                                             \
      "The versioned schema of this representation of the object, e.g. \"v1\" or "        \
      "\"apps/v1\"."),                                                                     \
        F("kind", STRING, 0, "The REST resource type this object represents, in CamelCase."), \
        F_OBJ("metadata", sk_schema_object_meta, 0,                                        \
              "Standard object metadata: name, namespace, labels, annotations and the "    \
              "fields the system maintains.")

#define SCHEMA(var, sid, d, ...)                                                           \
    static const sk_field var##_fields[] = {__VA_ARGS__, F_END};                           \
    const sk_schema var = {.id = (sid), .desc = (d), .fields = var##_fields}

/* a type only referenced from its own file */
#define LOCAL_SCHEMA(var, sid, d, ...)                                                     \
    static const sk_field var##_fields[] = {__VA_ARGS__, F_END};                           \
    static const sk_schema var = {.id = (sid), .desc = (d), .fields = var##_fields}

#define ENUM(var, ...) static const char *const var[] = {__VA_ARGS__, NULL}

#endif
