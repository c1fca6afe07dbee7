/* msgpack <-> store structs; the protocol is documented in docs/STORE.md.
 * Unknown fields are refused rather than ignored: a misspelt "prev_kv"
 * silently doing nothing would be worse than an error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "skiff/errors.h"

void es_dec_init(es_dec *d)
{
    st_arena_init(&d->ar);
    d->err[0] = 0;
}

void es_dec_free(es_dec *d)
{
    st_arena_free(&d->ar);
}

static int bad(es_dec *d, const char *fmt, const char *what)
{
    snprintf(d->err, sizeof d->err, fmt, what);
    return SK_EBADMSG;
}

int es_dec_payload(es_dec *d, const void *data, size_t len, sk_mp_view *out)
{
    static const uint8_t empty_map = 0x80;
    if (len == 0) {
        *out = (sk_mp_view){&empty_map, 1};
        return 0;
    }
    if (!data || sk_mp_check(data, len, ES_MAX_DEPTH, out))
        return bad(d, "%s", "request is not one well-formed msgpack object");
    if (sk_mp_type_of(*out) != SK_MP_MAP)
        return bad(d, "%s", "request must be a msgpack map");
    return 0;
}

/* ---- field readers ---- */

static int f_bytes(es_dec *d, sk_mp_view v, const char *name, const uint8_t **p, size_t *n)
{
    const void *b;
    const char *s;
    if (sk_mp_get_bin(v, &b, n) == 0) {
        *p = b;
        return 0;
    }
    if (sk_mp_get_str(v, &s, n) == 0) {
        *p = (const uint8_t *)s;
        return 0;
    }
    return bad(d, "field '%s' must be bin or str", name);
}

static int f_int(es_dec *d, sk_mp_view v, const char *name, int64_t *out)
{
    return sk_mp_get_int(v, out) ? bad(d, "field '%s' must be an integer", name) : 0;
}

static int f_bool(es_dec *d, sk_mp_view v, const char *name, bool *out)
{
    return sk_mp_get_bool(v, out) ? bad(d, "field '%s' must be a boolean", name) : 0;
}

static int unknown(es_dec *d, sk_mp_view k)
{
    const char *s;
    size_t n;
    if (sk_mp_get_str(k, &s, &n))
        return bad(d, "%s", "map keys must be strings");
    snprintf(d->err, sizeof d->err, "unknown field '%.*s'", (int)(n > 64 ? 64 : n), s);
    return SK_EBADMSG;
}

/* Iterates a map, calling fn for each entry; fn returns 0, 1 (unknown
 * key) or a code. */
typedef int (*field_fn)(es_dec *d, void *out, sk_mp_view k, sk_mp_view v);

static int each_field(es_dec *d, sk_mp_view m, const char *what, field_fn fn, void *out)
{
    sk_mp_iter it;
    sk_mp_view k, v;
    if (sk_mp_type_of(m) != SK_MP_MAP || sk_mp_iter_init(m, &it, NULL))
        return bad(d, "%s must be a map", what);
    int rc;
    while ((rc = sk_mp_iter_next(&it, &k, &v)) == 1) {
        int r = fn(d, out, k, v);
        if (r == 1)
            return unknown(d, k);
        if (r)
            return r;
    }
    return rc ? bad(d, "%s is truncated", what) : 0;
}

/* ---- spans ---- */

typedef struct span_in {
    sk_store_span *sp;
    bool prefix, has_end;
} span_in;

static int span_field(es_dec *d, span_in *s, sk_mp_view k, sk_mp_view v)
{
    if (sk_mp_str_eq(k, "key"))
        return f_bytes(d, v, "key", &s->sp->key, &s->sp->key_len);
    if (sk_mp_str_eq(k, "range_end")) {
        s->has_end = true;
        return f_bytes(d, v, "range_end", &s->sp->end, &s->sp->end_len);
    }
    if (sk_mp_str_eq(k, "prefix"))
        return f_bool(d, v, "prefix", &s->prefix);
    return 1;
}

static int span_finish(es_dec *d, span_in *s)
{
    sk_store_span *sp = s->sp;
    if (!sp->key)
        return bad(d, "%s", "field 'key' is required");
    if (s->prefix && s->has_end)
        return bad(d, "%s", "give either 'prefix' or 'range_end', not both");
    if (s->has_end && sp->end_len == 0)
        sp->end = NULL; /* an empty range_end means the single key */
    if (s->prefix) {
        if (sp->key_len > SK_STORE_MAX_KEY)
            return bad(d, "key longer than %s bytes", "4096");
        uint8_t *end = st_arena_alloc(&d->ar, sp->key_len + 1);
        if (!end)
            return -ENOMEM;
        sp->end_len = sk_store_prefix_end(sp->key, sp->key_len, end);
        sp->end = end;
    }
    return 0;
}

/* ---- range ---- */

static int range_field(es_dec *d, void *out, sk_mp_view k, sk_mp_view v)
{
    sk_store_range_req *rq = ((void **)out)[0];
    span_in *s = ((void **)out)[1];
    int r = span_field(d, s, k, v);
    if (r != 1)
        return r;
    if (sk_mp_str_eq(k, "revision"))
        return f_int(d, v, "revision", &rq->rev);
    if (sk_mp_str_eq(k, "limit"))
        return f_int(d, v, "limit", &rq->limit);
    if (sk_mp_str_eq(k, "keys_only"))
        return f_bool(d, v, "keys_only", &rq->keys_only);
    if (sk_mp_str_eq(k, "count_only"))
        return f_bool(d, v, "count_only", &rq->count_only);
    return 1;
}

int es_dec_range(es_dec *d, sk_mp_view v, sk_store_range_req *out)
{
    *out = (sk_store_range_req){0};
    span_in s = {.sp = &out->span};
    void *ctx[2] = {out, &s};
    int rc = each_field(d, v, "range request", range_field, ctx);
    if (rc == 0)
        rc = span_finish(d, &s);
    if (rc == 0 && (out->rev < 0 || out->limit < 0))
        rc = bad(d, "%s", "'revision' and 'limit' must not be negative");
    return rc;
}

/* ---- put / delete ---- */

static int put_field(es_dec *d, void *out, sk_mp_view k, sk_mp_view v)
{
    sk_store_op *op = out;
    if (sk_mp_str_eq(k, "key"))
        return f_bytes(d, v, "key", &op->span.key, &op->span.key_len);
    if (sk_mp_str_eq(k, "value"))
        return f_bytes(d, v, "value", &op->value, &op->value_len);
    if (sk_mp_str_eq(k, "lease"))
        return f_int(d, v, "lease", &op->lease);
    if (sk_mp_str_eq(k, "prev_kv"))
        return f_bool(d, v, "prev_kv", &op->prev_kv);
    if (sk_mp_str_eq(k, "ignore_value"))
        return f_bool(d, v, "ignore_value", &op->ignore_value);
    if (sk_mp_str_eq(k, "ignore_lease"))
        return f_bool(d, v, "ignore_lease", &op->ignore_lease);
    return 1;
}

int es_dec_put(es_dec *d, sk_mp_view v, sk_store_op *out)
{
    *out = (sk_store_op){.type = SK_STORE_OP_PUT};
    int rc = each_field(d, v, "put request", put_field, out);
    if (rc)
        return rc;
    if (!out->span.key)
        return bad(d, "%s", "put: field 'key' is required");
    if (!out->value && !out->ignore_value)
        return bad(d, "%s", "put: field 'value' is required (or ignore_value)");
    if (out->value && out->ignore_value)
        return bad(d, "%s", "put: 'value' and 'ignore_value' exclude each other");
    if (!out->value)
        out->value = (const uint8_t *)"";
    return 0;
}

static int delete_field(es_dec *d, void *out, sk_mp_view k, sk_mp_view v)
{
    sk_store_op *op = ((void **)out)[0];
    span_in *s = ((void **)out)[1];
    int r = span_field(d, s, k, v);
    if (r != 1)
        return r;
    if (sk_mp_str_eq(k, "prev_kv"))
        return f_bool(d, v, "prev_kv", &op->prev_kv);
    return 1;
}

int es_dec_delete(es_dec *d, sk_mp_view v, sk_store_op *out)
{
    *out = (sk_store_op){.type = SK_STORE_OP_DELETE};
    span_in s = {.sp = &out->span};
    void *ctx[2] = {out, &s};
    int rc = each_field(d, v, "delete request", delete_field, ctx);
    return rc ? rc : span_finish(d, &s);
}

/* ---- txn ---- */

static int cmp_target(sk_mp_view v, int *t)
{
    static const struct { const char *name; int t; } names[] = {
        {"version", SK_STORE_CMP_VERSION}, {"create", SK_STORE_CMP_CREATE},
        {"mod", SK_STORE_CMP_MOD},         {"value", SK_STORE_CMP_VALUE},
        {"lease", SK_STORE_CMP_LEASE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (sk_mp_str_eq(v, names[i].name)) {
            *t = names[i].t;
            return 0;
        }
    return -1;
}

static int cmp_result(sk_mp_view v, int *r)
{
    static const struct { const char *name; int r; } names[] = {
        {"=", SK_STORE_EQ}, {"==", SK_STORE_EQ}, {"!=", SK_STORE_NE},
        {"<", SK_STORE_LT}, {">", SK_STORE_GT},  {"equal", SK_STORE_EQ},
        {"not_equal", SK_STORE_NE}, {"less", SK_STORE_LT}, {"greater", SK_STORE_GT},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (sk_mp_str_eq(v, names[i].name)) {
            *r = names[i].r;
            return 0;
        }
    return -1;
}

typedef struct cmp_in {
    sk_store_cmp *c;
    sk_mp_view operand;
    bool has_operand;
} cmp_in;

static int cmp_field(es_dec *d, void *out, sk_mp_view k, sk_mp_view v)
{
    cmp_in *ci = out;
    if (sk_mp_str_eq(k, "key"))
        return f_bytes(d, v, "compare.key", &ci->c->key, &ci->c->key_len);
    if (sk_mp_str_eq(k, "target"))
        return cmp_target(v, &ci->c->target)
                   ? bad(d, "%s", "compare.target must be version, create, mod, value or lease")
                   : 0;
    if (sk_mp_str_eq(k, "result"))
        return cmp_result(v, &ci->c->result)
                   ? bad(d, "%s", "compare.result must be =, !=, < or >")
                   : 0;
    if (sk_mp_str_eq(k, "value") || sk_mp_str_eq(k, "version") ||
        sk_mp_str_eq(k, "create_revision") || sk_mp_str_eq(k, "mod_revision") ||
        sk_mp_str_eq(k, "lease")) {
        if (ci->has_operand)
            return bad(d, "%s", "compare takes one operand");
        ci->has_operand = true;
        ci->operand = v;
        return 0;
    }
    return 1;
}

static int dec_cmp(es_dec *d, sk_mp_view v, sk_store_cmp *c)
{
    *c = (sk_store_cmp){0};
    cmp_in ci = {.c = c};
    int rc = each_field(d, v, "compare", cmp_field, &ci);
    if (rc)
        return rc;
    if (!c->key || !c->target || !c->result || !ci.has_operand)
        return bad(d, "%s", "compare needs key, target, result and an operand");
    if (c->target == SK_STORE_CMP_VALUE)
        return f_bytes(d, ci.operand, "compare.value", &c->value, &c->value_len);
    return f_int(d, ci.operand, "compare operand", &c->num);
}

static int dec_op(es_dec *d, sk_mp_view v, sk_store_op *op)
{
    sk_mp_iter it;
    sk_mp_view k, body;
    uint32_t n;
    if (sk_mp_type_of(v) != SK_MP_MAP || sk_mp_iter_init(v, &it, &n) || n != 1 ||
        sk_mp_iter_next(&it, &k, &body) != 1)
        return bad(d, "%s", "a txn operation is a map with one key: range, put or delete");
    if (sk_mp_str_eq(k, "put"))
        return es_dec_put(d, body, op);
    if (sk_mp_str_eq(k, "delete"))
        return es_dec_delete(d, body, op);
    if (sk_mp_str_eq(k, "range")) {
        sk_store_range_req rq;
        int rc = es_dec_range(d, body, &rq);
        if (rc)
            return rc;
        if (rq.rev)
            return bad(d, "%s", "a range inside a txn reads the current revision only");
        *op = (sk_store_op){.type = SK_STORE_OP_RANGE, .span = rq.span, .limit = rq.limit,
                            .keys_only = rq.keys_only, .count_only = rq.count_only};
        return 0;
    }
    return bad(d, "%s", "a txn operation is range, put or delete");
}

/* Decodes an array field into n elements of size sz via fn. */
static int dec_list(es_dec *d, sk_mp_view v, const char *name, size_t sz, void **out, size_t *n,
                    int (*fn)(es_dec *, sk_mp_view, void *))
{
    sk_mp_iter it;
    uint32_t count;
    if (sk_mp_type_of(v) != SK_MP_ARRAY || sk_mp_iter_init(v, &it, &count))
        return bad(d, "field '%s' must be an array", name);
    if (count > ES_MAX_TXN_OPS)
        return bad(d, "field '%s' has too many entries (max 1024)", name);
    uint8_t *arr = count ? st_arena_alloc(&d->ar, count * sz) : NULL;
    if (count && !arr)
        return -ENOMEM;
    sk_mp_view e;
    for (uint32_t i = 0; i < count; i++) {
        if (sk_mp_iter_next(&it, NULL, &e) != 1)
            return bad(d, "field '%s' is truncated", name);
        int rc = fn(d, e, arr + i * sz);
        if (rc)
            return rc;
    }
    *out = arr;
    *n = count;
    return 0;
}

static int dec_cmp_any(es_dec *d, sk_mp_view v, void *out) { return dec_cmp(d, v, out); }
static int dec_op_any(es_dec *d, sk_mp_view v, void *out) { return dec_op(d, v, out); }

static int txn_field(es_dec *d, void *out, sk_mp_view k, sk_mp_view v)
{
    sk_store_txn *t = out;
    void *p = NULL;
    int rc;
    if (sk_mp_str_eq(k, "compare")) {
        rc = dec_list(d, v, "compare", sizeof(sk_store_cmp), &p, &t->ncmps, dec_cmp_any);
        t->cmps = p;
        return rc;
    }
    if (sk_mp_str_eq(k, "success")) {
        rc = dec_list(d, v, "success", sizeof(sk_store_op), &p, &t->nsuccess, dec_op_any);
        t->success = p;
        return rc;
    }
    if (sk_mp_str_eq(k, "failure")) {
        rc = dec_list(d, v, "failure", sizeof(sk_store_op), &p, &t->nfailure, dec_op_any);
        t->failure = p;
        return rc;
    }
    return 1;
}

int es_dec_txn(es_dec *d, sk_mp_view v, sk_store_txn *out)
{
    *out = (sk_store_txn){0};
    return each_field(d, v, "txn request", txn_field, out);
}

/* ---- watch, compact, leases ---- */

static int watch_field(es_dec *d, void *out, sk_mp_view k, sk_mp_view v)
{
    sk_store_watch_req *rq = ((void **)out)[0];
    span_in *s = ((void **)out)[1];
    int r = span_field(d, s, k, v);
    if (r != 1)
        return r;
    if (sk_mp_str_eq(k, "start_revision"))
        return f_int(d, v, "start_revision", &rq->start_rev);
    if (sk_mp_str_eq(k, "prev_kv"))
        return f_bool(d, v, "prev_kv", &rq->prev_kv);
    return 1;
}

int es_dec_watch(es_dec *d, sk_mp_view v, sk_store_watch_req *out)
{
    *out = (sk_store_watch_req){0};
    span_in s = {.sp = &out->span};
    void *ctx[2] = {out, &s};
    int rc = each_field(d, v, "watch request", watch_field, ctx);
    if (rc == 0)
        rc = span_finish(d, &s);
    if (rc == 0 && out->start_rev < 0)
        rc = bad(d, "%s", "'start_revision' must not be negative");
    return rc;
}

static int compact_field(es_dec *d, void *out, sk_mp_view k, sk_mp_view v)
{
    void **o = out;
    if (sk_mp_str_eq(k, "revision"))
        return f_int(d, v, "revision", o[0]);
    if (sk_mp_str_eq(k, "physical"))
        return f_bool(d, v, "physical", o[1]);
    return 1;
}

int es_dec_compact(es_dec *d, sk_mp_view v, int64_t *rev, bool *physical)
{
    *rev = 0;
    *physical = false;
    void *ctx[2] = {rev, physical};
    int rc = each_field(d, v, "compact request", compact_field, ctx);
    if (rc == 0 && *rev <= 0)
        rc = bad(d, "%s", "compact: field 'revision' is required and positive");
    return rc;
}

static int lease_field(es_dec *d, void *out, sk_mp_view k, sk_mp_view v)
{
    void **o = out;
    if (sk_mp_str_eq(k, "id"))
        return f_int(d, v, "id", o[0]);
    if (o[1] && sk_mp_str_eq(k, "ttl"))
        return f_int(d, v, "ttl", o[1]);
    return 1;
}

int es_dec_lease(es_dec *d, sk_mp_view v, bool grant, int64_t *id, int64_t *ttl)
{
    *id = 0;
    *ttl = 0;
    void *ctx[2] = {id, grant ? ttl : NULL};
    int rc = each_field(d, v, "lease request", lease_field, ctx);
    if (rc)
        return rc;
    if (grant && *ttl <= 0)
        return bad(d, "%s", "lease_grant: field 'ttl' (seconds) is required and positive");
    if (!grant && *id <= 0)
        return bad(d, "%s", "field 'id' is required and positive");
    return 0;
}

static int no_field(es_dec *d, void *out, sk_mp_view k, sk_mp_view v)
{
    (void)d, (void)out, (void)k, (void)v;
    return 1;
}

int es_dec_empty(es_dec *d, sk_mp_view v)
{
    return each_field(d, v, "request", no_field, NULL);
}

/* ---- encoding ---- */

static void put_key(sk_mp_buf *b, const char *k)
{
    sk_mp_put_str(b, k);
}

void es_enc_kv(sk_mp_buf *b, const sk_store_kv *kv, bool with_value)
{
    bool v = with_value && kv->value;
    sk_mp_put_map(b, v ? 6 : 5);
    put_key(b, "key");
    sk_mp_put_bin(b, kv->key, kv->key_len);
    if (v) {
        put_key(b, "value");
        sk_mp_put_bin(b, kv->value, kv->value_len);
    }
    put_key(b, "create_revision");
    sk_mp_put_int(b, kv->create_rev);
    put_key(b, "mod_revision");
    sk_mp_put_int(b, kv->mod_rev);
    put_key(b, "version");
    sk_mp_put_int(b, kv->version);
    put_key(b, "lease");
    sk_mp_put_int(b, kv->lease);
}

static void enc_kvs(sk_mp_buf *b, const sk_store_kv *kvs, size_t n)
{
    sk_mp_put_array(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        es_enc_kv(b, &kvs[i], true);
}

static void enc_op(sk_mp_buf *b, const sk_store_op_res *o, int64_t rev, bool nested)
{
    if (nested) {
        sk_mp_put_map(b, 1);
        put_key(b, o->type == SK_STORE_OP_RANGE ? "range"
                   : o->type == SK_STORE_OP_PUT ? "put" : "delete");
    }
    switch (o->type) {
    case SK_STORE_OP_RANGE:
        sk_mp_put_map(b, 4);
        put_key(b, "revision");
        sk_mp_put_int(b, rev);
        put_key(b, "kvs");
        enc_kvs(b, o->kvs, o->nkvs);
        put_key(b, "more");
        sk_mp_put_bool(b, o->more);
        put_key(b, "count");
        sk_mp_put_int(b, o->count);
        break;
    case SK_STORE_OP_PUT:
        sk_mp_put_map(b, o->nkvs ? 2 : 1);
        put_key(b, "revision");
        sk_mp_put_int(b, rev);
        if (o->nkvs) {
            put_key(b, "prev_kv");
            es_enc_kv(b, &o->kvs[0], true);
        }
        break;
    default:
        sk_mp_put_map(b, o->kvs ? 3 : 2);
        put_key(b, "revision");
        sk_mp_put_int(b, rev);
        put_key(b, "deleted");
        sk_mp_put_int(b, o->count);
        if (o->kvs) {
            put_key(b, "prev_kvs");
            enc_kvs(b, o->kvs, o->nkvs);
        }
    }
}

void es_enc_result(sk_mp_buf *b, int kind, const sk_store_result *r)
{
    switch (kind) {
    case ES_PUT:
    case ES_DELETE:
        if (r->nops == 1) {
            enc_op(b, &r->ops[0], r->rev, false);
            return;
        }
        break;
    case ES_TXN:
        sk_mp_put_map(b, 3);
        put_key(b, "revision");
        sk_mp_put_int(b, r->rev);
        put_key(b, "succeeded");
        sk_mp_put_bool(b, r->succeeded);
        put_key(b, "responses");
        sk_mp_put_array(b, (uint32_t)r->nops);
        for (size_t i = 0; i < r->nops; i++)
            enc_op(b, &r->ops[i], r->rev, true);
        return;
    case ES_COMPACT:
        sk_mp_put_map(b, 2);
        put_key(b, "revision");
        sk_mp_put_int(b, r->rev);
        put_key(b, "compact_revision");
        sk_mp_put_int(b, r->compact_rev);
        return;
    case ES_GRANT:
        sk_mp_put_map(b, 3);
        put_key(b, "revision");
        sk_mp_put_int(b, r->rev);
        put_key(b, "id");
        sk_mp_put_int(b, r->lease_id);
        put_key(b, "ttl");
        sk_mp_put_int(b, r->lease_ttl);
        return;
    }
    sk_mp_put_map(b, 1);
    put_key(b, "revision");
    sk_mp_put_int(b, r->rev);
}

void es_enc_events(sk_mp_buf *b, int64_t rev, const sk_store_event *const *evs, size_t n,
                   bool prev_kv)
{
    sk_mp_put_map(b, 2);
    put_key(b, "revision");
    sk_mp_put_int(b, rev);
    put_key(b, "events");
    sk_mp_put_array(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const sk_store_event *e = evs[i];
        bool prev = prev_kv && e->has_prev;
        sk_mp_put_map(b, prev ? 3 : 2);
        put_key(b, "type");
        sk_mp_put_str(b, e->type == SK_STORE_EV_PUT ? "put" : "delete");
        put_key(b, "kv");
        es_enc_kv(b, &e->kv, e->type == SK_STORE_EV_PUT);
        if (prev) {
            put_key(b, "prev_kv");
            es_enc_kv(b, &e->prev, true);
        }
    }
}

void es_enc_status(sk_mp_buf *b, const sk_store_status *s)
{
    sk_mp_put_map(b, 8);
    put_key(b, "revision");
    sk_mp_put_int(b, s->rev);
    put_key(b, "compact_revision");
    sk_mp_put_int(b, s->compact_rev);
    put_key(b, "db_size");
    sk_mp_put_uint(b, s->db_size);
    put_key(b, "db_size_in_use");
    sk_mp_put_uint(b, s->db_size_in_use);
    put_key(b, "map_size");
    sk_mp_put_uint(b, s->map_size);
    put_key(b, "leases");
    sk_mp_put_uint(b, s->leases);
    put_key(b, "watchers");
    sk_mp_put_uint(b, s->watchers);
    put_key(b, "version");
    sk_mp_put_str(b, "0.1.0");
}

/* ---- range answers, written during the scan ---- */

/* Appends bytes msgpack's writer has no call for (a fixed-width array
 * header to patch later). sk_mp_buf's fields are public and its memory is
 * realloc()ed, so growing it here keeps its invariants. */
static void raw_append(sk_mp_buf *b, const uint8_t *p, size_t n)
{
    if (b->err)
        return;
    uint8_t *d = st_grow(b->data, &b->cap, b->len + n, 1, 256);
    if (!d) {
        b->err = -ENOMEM;
        return;
    }
    b->data = d;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void es_range_begin(es_range_enc *e, sk_mp_buf *b, bool keys_only)
{
    static const uint8_t arr32[5] = {0xdd, 0, 0, 0, 0};
    *e = (es_range_enc){.b = b, .keys_only = keys_only};
    sk_mp_put_map(b, 4);
    put_key(b, "kvs");
    e->count_at = b->len;
    raw_append(b, arr32, sizeof arr32);
}

int es_range_kv(void *arg, const sk_store_kv *kv)
{
    es_range_enc *e = arg;
    es_enc_kv(e->b, kv, !e->keys_only);
    e->n++;
    return e->b->err ? e->b->err : 0;
}

void es_range_end(es_range_enc *e, const sk_store_range_res *res)
{
    sk_mp_buf *b = e->b;
    if (!b->err) {
        b->data[e->count_at + 1] = (uint8_t)(e->n >> 24);
        b->data[e->count_at + 2] = (uint8_t)(e->n >> 16);
        b->data[e->count_at + 3] = (uint8_t)(e->n >> 8);
        b->data[e->count_at + 4] = (uint8_t)e->n;
    }
    put_key(b, "revision");
    sk_mp_put_int(b, res->rev);
    put_key(b, "more");
    sk_mp_put_bool(b, res->more);
    put_key(b, "count");
    sk_mp_put_int(b, res->count);
}
