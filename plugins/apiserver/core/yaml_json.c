/* YAML request bodies into jansson: libyaml's events build the tree
 * directly (the document API would lose whether a scalar was tagged, and
 * !!str 1 is not 1), with a stack of open containers bounded by max_depth
 * and an anchor table for aliases. See yaml_json.h for the semantics. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>
#include <yaml.h>

#include "yaml_json.h"
#include "yaml_scalar.h"

/* A node's weight in the alias budget beside its text: roughly what
 * jansson allocates for it. */
#define NODE_COST 64

typedef struct anchor {
    json_t *v;
    size_t cost;
    int depth; /* containers nested in v, counting v (a scalar is 0) */
} anchor;

typedef struct frame {
    json_t *c;      /* the container being filled */
    char *key;      /* mapping: the key whose value comes next */
    bool has_key;   /* the next node is that key's value (or a merge's) */
    bool merge;     /* the key was `<<` */
    char *anchor;   /* to remember c under when it is complete */
    size_t cost;    /* of c and everything in it */
    int depth;      /* containers nested in c, counting c */
} frame;

typedef struct builder {
    const sk_conv_limits *lim;
    sk_apierr *err;
    frame *st; /* open containers, max_depth at most */
    int n;
    json_t *names; /* anchor name -> index into anchors (the latest wins) */
    anchor *anchors;
    size_t nanchors, capanchors;
    size_t alias_cost;
    json_t *root;
    int docs;
    yaml_mark_t mark;     /* the current event's start */
    yaml_mark_t doc_mark; /* where the latest document started */
} builder;

__attribute__((format(printf, 4, 5))) static int fail_at(builder *b, int code, yaml_mark_t m,
                                                         const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sk_apierr_set(b->err, code, "invalid YAML at line %zu, column %zu: %s", m.line + 1,
                         m.column + 1, msg);
}

#define FAIL(b, code, ...) fail_at((b), (code), (b)->mark, __VA_ARGS__)

static int oom(builder *b)
{
    return sk_apierr_set(b->err, -ENOMEM, "out of memory decoding a YAML body");
}

/* libyaml reports reader errors (bad encoding) as a byte offset only. */
static yaml_mark_t offset_mark(const char *text, size_t len, size_t offset)
{
    yaml_mark_t m = {offset, 0, 0};
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            m.line++;
            m.column = 0;
        } else if ((text[i] & 0xC0) != 0x80) { /* columns count characters */
            m.column++;
        }
    }
    return m;
}

static int parse_error(builder *b, const yaml_parser_t *p, const char *text, size_t len)
{
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_MEMORY_ERROR)
        return oom(b);
    if (p->error == YAML_READER_ERROR)
        return fail_at(b, SK_EBADMSG, offset_mark(text, len, p->problem_offset), "%s", problem);
    if (p->context)
        return fail_at(b, SK_EBADMSG, p->problem_mark, "%s (%s at line %zu, column %zu)",
                       problem, p->context, p->context_mark.line + 1,
                       p->context_mark.column + 1);
    return fail_at(b, SK_EBADMSG, p->problem_mark, "%s", problem);
}

static bool wants_key(const builder *b)
{
    return b->n > 0 && json_is_object(b->st[b->n - 1].c) && !b->st[b->n - 1].has_key;
}

/* Applies a `<<` value (consumed): a map, or maps of which the earlier
 * win, as go-yaml v2 merges (over keys already set, too). */
static int merge_into(builder *b, json_t *obj, json_t *v)
{
    static const char want_map[] = "map merge requires map or sequence of maps as the value";
    int rc = 0;
    if (json_is_object(v)) {
        rc = json_object_update(obj, v) ? oom(b) : 0;
    } else if (json_is_array(v)) {
        for (size_t i = json_array_size(v); i-- > 0 && !rc;) {
            json_t *m = json_array_get(v, i);
            if (!json_is_object(m))
                rc = FAIL(b, SK_EBADMSG, "%s", want_map);
            else if (json_object_update(obj, m))
                rc = oom(b);
        }
    } else {
        rc = FAIL(b, SK_EBADMSG, "%s", want_map);
    }
    json_decref(v);
    return rc;
}

/* Places a complete value (consumed) in the open container, or makes it
 * the document's root. */
static int add_value(builder *b, json_t *v, size_t cost, int depth)
{
    if (b->n == 0) {
        b->root = v;
        return 0;
    }
    frame *f = &b->st[b->n - 1];
    f->cost += cost;
    if (depth + 1 > f->depth)
        f->depth = depth + 1;
    if (json_is_array(f->c))
        return json_array_append_new(f->c, v) ? oom(b) : 0;
    char *key = f->key;
    bool merge = f->merge;
    f->key = NULL;
    f->has_key = f->merge = false;
    int rc;
    if (merge)
        rc = merge_into(b, f->c, v);
    else
        rc = json_object_set_new(f->c, key, v) ? oom(b) : 0;
    free(key);
    return rc;
}

static int set_key(builder *b, const char *key, size_t len)
{
    frame *f = &b->st[b->n - 1];
    if (memchr(key, '\0', len))
        return FAIL(b, SK_EBADMSG, "map keys must not contain NUL characters");
    f->key = strndup(key, len);
    if (!f->key)
        return oom(b);
    f->has_key = true;
    f->cost += len;
    return 0;
}

/* A key from a value: text as sigs.k8s.io/yaml makes it. */
static int set_key_json(builder *b, const json_t *k)
{
    char buf[48];
    if (json_is_string(k))
        return set_key(b, json_string_value(k), json_string_length(k));
    if (json_is_integer(k))
        snprintf(buf, sizeof buf, "%" PRId64, (int64_t)json_integer_value(k));
    else if (json_is_real(k))
        sk_yaml_float_key(json_real_value(k), buf, sizeof buf);
    else if (json_is_boolean(k))
        snprintf(buf, sizeof buf, "%s", json_is_true(k) ? "true" : "false");
    else
        return FAIL(b, SK_EBADMSG, "map keys must be strings, not %s",
                    json_is_null(k) ? "null" : json_is_object(k) ? "maps" : "sequences");
    return set_key(b, buf, strlen(buf));
}

static int set_key_scalar(builder *b, const sk_yscalar *y, const char *s, size_t len)
{
    char buf[48];
    switch (y->kind) {
    case SK_YS_STR:
        return set_key(b, s, len);
    case SK_YS_INT:
        snprintf(buf, sizeof buf, "%" PRId64, y->i);
        break;
    case SK_YS_FLOAT:
        sk_yaml_float_key(y->d, buf, sizeof buf);
        break;
    case SK_YS_BOOL:
        snprintf(buf, sizeof buf, "%s", y->b ? "true" : "false");
        break;
    default:
        return FAIL(b, SK_EBADMSG, "map keys must be strings, not %s",
                    y->kind == SK_YS_NULL ? "null" : "integers beyond 64 bits");
    }
    return set_key(b, buf, strlen(buf));
}

/* A float as encoding/json would write it and jansson read it back:
 * encoding/json writes an integral value (below 1e21) without a fraction,
 * so within int64's range it is an integer. */
static json_t *float_json(double d)
{
    if (d == trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
        return json_integer((json_int_t)d);
    return json_real(d);
}

/* The value of a resolved scalar into *out. */
static int scalar_json(builder *b, const sk_yscalar *y, const char *s, size_t len, json_t **out)
{
    int show = len > 60 ? 60 : (int)len;
    switch (y->kind) {
    case SK_YS_NULL:
        *out = json_null();
        break;
    case SK_YS_BOOL:
        *out = json_boolean(y->b);
        break;
    case SK_YS_INT:
        *out = json_integer(y->i);
        break;
    case SK_YS_FLOAT:
        if (!isfinite(y->d))
            return FAIL(b, SK_EBADMSG, "%.*s cannot be represented in JSON", show, s);
        *out = float_json(y->d);
        break;
    case SK_YS_BIGINT:
        return FAIL(b, SK_EBADMSG, "integer %.*s is out of the 64-bit range", show, s);
    case SK_YS_STR:
        *out = json_stringn(s, len); /* libyaml only yields valid UTF-8 */
        break;
    }
    return *out ? 0 : oom(b);
}

/* Keeps v (a new reference) for later aliases of name. */
static int remember(builder *b, const char *name, json_t *v, size_t cost, int depth)
{
    if (b->nanchors == b->capanchors) {
        size_t cap = b->capanchors ? b->capanchors * 2 : 16;
        anchor *a = realloc(b->anchors, cap * sizeof *a);
        if (!a)
            return oom(b);
        b->anchors = a;
        b->capanchors = cap;
    }
    if (json_object_set_new(b->names, name, json_integer((json_int_t)b->nanchors)))
        return oom(b);
    b->anchors[b->nanchors++] = (anchor){json_incref(v), cost, depth};
    return 0;
}

/* go-yaml's isMerge: a plain `<<` key, or one tagged !!merge. */
static bool is_merge_key(const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    return ev->data.scalar.length == 2 && memcmp(ev->data.scalar.value, "<<", 2) == 0 &&
           (ev->data.scalar.plain_implicit ||
            (tag && strcmp(tag, SK_YAML_TAG_PREFIX "merge") == 0));
}

static int on_scalar(builder *b, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *name = (const char *)ev->data.scalar.anchor;
    size_t len = ev->data.scalar.length;
    bool key = wants_key(b);
    if (key && is_merge_key(ev)) {
        b->st[b->n - 1].merge = b->st[b->n - 1].has_key = true;
        return 0;
    }
    sk_yscalar y;
    sk_apierr e = {{0}};
    int rc = sk_yaml_scalar(tag, s, len, !tag && ev->data.scalar.plain_implicit, &y, &e);
    if (rc)
        return rc == -ENOMEM ? oom(b) : FAIL(b, rc, "%s", e.msg);
    if (key && !name)
        return set_key_scalar(b, &y, s, len);
    json_t *v = NULL;
    if ((rc = scalar_json(b, &y, s, len, &v)) != 0)
        return rc;
    size_t cost = NODE_COST + (y.kind == SK_YS_STR ? len : 0);
    if (name && (rc = remember(b, name, v, cost, 0)) != 0) {
        json_decref(v);
        return rc;
    }
    if (key) { /* an anchored key: aliases of it get its value */
        rc = set_key_json(b, v);
        json_decref(v);
        return rc;
    }
    return add_value(b, v, cost, 0);
}

static const anchor *find_anchor(const builder *b, const char *name)
{
    json_t *i = json_object_get(b->names, name);
    return i ? &b->anchors[json_integer_value(i)] : NULL;
}

/* An alias is a copy of its anchor's value (the tree must not share
 * nodes: later writes edit it in place), charged to the alias budget. */
static int on_alias(builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    const anchor *a = find_anchor(b, name);
    if (!a)
        return FAIL(b, SK_EBADMSG, "unknown anchor \"%.60s\"", name);
    if (a->cost > SK_YAML_MAX_ALIAS_COST - b->alias_cost)
        return FAIL(b, SK_ETOOLARGE, "aliases expand past the limit of %zu bytes",
                    SK_YAML_MAX_ALIAS_COST);
    b->alias_cost += a->cost;
    if (wants_key(b))
        return set_key_json(b, a->v);
    if (b->n + a->depth > b->lim->max_depth)
        return FAIL(b, SK_ETOOLARGE, "nested deeper than %d levels", b->lim->max_depth);
    json_t *v = json_deep_copy(a->v);
    if (!v)
        return oom(b);
    return add_value(b, v, a->cost, a->depth);
}

/* go-yaml ignores tags on collections; a standard one naming another
 * kind (!!map on a sequence, !!set, !!str) is a mistake worth reporting. */
static int check_collection_tag(builder *b, const yaml_char_t *tag, bool map)
{
    const size_t plen = strlen(SK_YAML_TAG_PREFIX);
    if (!tag || strncmp((const char *)tag, SK_YAML_TAG_PREFIX, plen) != 0)
        return 0;
    const char *name = (const char *)tag + plen;
    if (strcmp(name, map ? "map" : "seq") == 0)
        return 0;
    return FAIL(b, SK_EBADMSG, "a %s cannot be tagged !!%.40s", map ? "mapping" : "sequence",
                name);
}

static int on_start(builder *b, const yaml_event_t *ev, bool map)
{
    const yaml_char_t *tag = map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    const yaml_char_t *name =
        map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    if (wants_key(b))
        return FAIL(b, SK_EBADMSG, "map keys must be strings, not %s",
                    map ? "maps" : "sequences");
    if (b->n >= b->lim->max_depth)
        return FAIL(b, SK_ETOOLARGE, "nested deeper than %d levels", b->lim->max_depth);
    int rc = check_collection_tag(b, tag, map);
    if (rc)
        return rc;
    frame f = {.c = map ? json_object() : json_array(), .cost = NODE_COST, .depth = 1};
    if (name)
        f.anchor = strdup((const char *)name);
    if (!f.c || (name && !f.anchor)) {
        json_decref(f.c);
        free(f.anchor);
        return oom(b);
    }
    b->st[b->n++] = f;
    return 0;
}

static int on_end(builder *b)
{
    frame f = b->st[--b->n];
    int rc = 0;
    free(f.key); /* libyaml always gives a key its value: only defensive */
    if (f.anchor)
        rc = remember(b, f.anchor, f.c, f.cost, f.depth);
    free(f.anchor);
    if (rc) {
        json_decref(f.c);
        return rc;
    }
    return add_value(b, f.c, f.cost, f.depth);
}

/* A document after the first may only be empty (a trailing `---`). */
static int on_extra_node(builder *b, const yaml_event_t *ev)
{
    if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == 0 &&
        !ev->data.scalar.tag && !ev->data.scalar.anchor && ev->data.scalar.plain_implicit)
        return 0;
    return fail_at(b, SK_EBADMSG, b->doc_mark,
                   "a body must hold a single YAML document, found a second one");
}

static int on_event(builder *b, const yaml_event_t *ev)
{
    b->mark = ev->start_mark;
    if (ev->type == YAML_DOCUMENT_START_EVENT) {
        b->docs++;
        b->doc_mark = ev->start_mark;
        return 0;
    }
    bool node = ev->type == YAML_SCALAR_EVENT || ev->type == YAML_ALIAS_EVENT ||
                ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT;
    if (node && b->docs > 1)
        return on_extra_node(b, ev);
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return on_start(b, ev, ev->type == YAML_MAPPING_START_EVENT);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(b);
    default:
        return 0;
    }
}

static int run(builder *b, yaml_parser_t *p, const char *text, size_t len)
{
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev))
            return parse_error(b, p, text, len);
        int rc = on_event(b, &ev);
        bool end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (rc || end)
            return rc;
    }
}

static void builder_free(builder *b)
{
    for (int i = 0; i < b->n; i++) {
        json_decref(b->st[i].c);
        free(b->st[i].key);
        free(b->st[i].anchor);
    }
    for (size_t i = 0; i < b->nanchors; i++)
        json_decref(b->anchors[i].v);
    free(b->anchors);
    free(b->st);
    json_decref(b->names);
    json_decref(b->root);
}

int sk_yaml_parse(const char *text, size_t len, const sk_conv_limits *lim, json_t **out,
                  sk_apierr *err)
{
    if (!lim)
        lim = &sk_conv_default_limits;
    if (!text || !out)
        return sk_apierr_set(err, -EINVAL, "yaml_parse: NULL argument");
    *out = NULL;
    if (len > lim->max_bytes)
        return sk_apierr_set(err, SK_ETOOLARGE, "body of %zu bytes exceeds the limit of %zu",
                             len, lim->max_bytes);
    builder b = {.lim = lim, .err = err};
    b.st = calloc((size_t)(lim->max_depth > 0 ? lim->max_depth : 0) + 1, sizeof *b.st);
    b.names = json_object();
    yaml_parser_t p;
    int rc;
    if (!b.st || !b.names || !yaml_parser_initialize(&p)) {
        rc = oom(&b);
    } else {
        yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
        rc = run(&b, &p, text, len);
        yaml_parser_delete(&p);
    }
    if (rc == 0) {
        *out = b.root ? b.root : json_null(); /* no document: as go-yaml, null */
        b.root = NULL;
    }
    builder_free(&b);
    return rc;
}
