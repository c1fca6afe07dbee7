/* YAML text or a file into a config tree (host/config.h), and the values of
 * --set overrides (config_tree.h).
 *
 * libyaml's event parser feeds an explicit stack of open collections, so
 * hostile nesting never recurses in our code and is cut at CFG_MAX_DEPTH.
 * Input is capped at CFG_MAX_BYTES before libyaml sees it. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "config_tree.h"
#include "skiff/errors.h"

#define CFG_MAX_BYTES ((size_t)4 << 20)

typedef struct cfg_frame {
    sk_cfg *node; /* the open map or list */
    size_t first; /* its first child in pend */
} cfg_frame;

typedef struct cfg_builder {
    cfg_block **arena;
    const char *name;  /* file name for positions */
    const char *fixed; /* --set: the where of every node; NULL for files */
    const unsigned char *text;
    size_t len;
    size_t max_depth; /* for --set, what the path leaves of CFG_MAX_DEPTH */
    cfg_frame frames[CFG_MAX_DEPTH];
    size_t depth;
    sk_cfg **pend; /* children of all open collections, innermost last */
    size_t npend;
    size_t cappend;
    sk_cfg *root;
    int ndocs;
    char *err;
    size_t errlen;
} cfg_builder;

/* Within a --set value, a position is a character offset of the value. */
static void mark_text(const cfg_builder *b, yaml_mark_t m, char *buf, size_t size)
{
    if (!b->fixed)
        snprintf(buf, size, "line %zu, column %zu", m.line + 1, m.column + 1);
    else if (m.index >= b->len)
        snprintf(buf, size, "the end of the value");
    else
        snprintf(buf, size, "column %zu of the value", m.index + 1);
}

__attribute__((format(printf, 3, 4))) static int b_fail_at(cfg_builder *b, yaml_mark_t m,
                                                           const char *fmt, ...)
{
    char msg[512], at[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mark_text(b, m, at, sizeof at);
    if (b->fixed)
        cfg_put_err(b->err, b->errlen, "%s: %s (at %s)", b->fixed, msg, at);
    else
        cfg_put_err(b->err, b->errlen, "%s:%zu:%zu: %s", b->name, m.line + 1, m.column + 1, msg);
    return SK_ECONFIG;
}

static int b_oom(cfg_builder *b)
{
    cfg_put_err(b->err, b->errlen, "%s: out of memory while parsing the config",
                b->fixed ? b->fixed : b->name);
    return -ENOMEM;
}

/* libyaml reports reader errors (bad encoding) as a byte offset only. */
static yaml_mark_t offset_mark(const unsigned char *text, size_t len, size_t offset)
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

static int b_yaml_fail(cfg_builder *b, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return b_oom(b);
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_READER_ERROR) {
        yaml_mark_t m = offset_mark(b->text, b->len, p->problem_offset);
        if (p->problem_value != -1)
            return b_fail_at(b, m, "%s (#%X)", problem, (unsigned)p->problem_value);
        return b_fail_at(b, m, "%s", problem);
    }
    if (p->context) {
        char at[64];
        mark_text(b, p->context_mark, at, sizeof at);
        return b_fail_at(b, p->problem_mark, "%s (%s at %s)", problem, p->context, at);
    }
    return b_fail_at(b, p->problem_mark, "%s", problem);
}

static sk_cfg *node_new(cfg_builder *b, sk_cfg_type type, yaml_mark_t m)
{
    sk_cfg *n = cfg_arena_alloc(b->arena, sizeof *n);
    if (!n)
        return NULL;
    memset(n, 0, sizeof *n);
    n->type = type;
    if (b->fixed)
        n->where = b->fixed;
    else
        n->where = cfg_arena_printf(b->arena, "%s:%zu:%zu", b->name, m.line + 1, m.column + 1);
    return n->where ? n : NULL;
}

static int push_child(cfg_builder *b, sk_cfg *node)
{
    if (b->depth == 0) {
        b->root = node;
        return 0;
    }
    if (b->npend == b->cappend) {
        size_t cap = b->cappend ? b->cappend * 2 : 64;
        sk_cfg **p = realloc(b->pend, cap * sizeof *p);
        if (!p)
            return b_oom(b);
        b->pend = p;
        b->cappend = cap;
    }
    b->pend[b->npend++] = node;
    return 0;
}

static int in_key_position(const cfg_builder *b)
{
    if (b->depth == 0)
        return 0;
    const cfg_frame *f = &b->frames[b->depth - 1];
    return f->node->type == SK_CFG_MAP && (b->npend - f->first) % 2 == 0;
}

static int is_null_text(const char *s, size_t len)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (strlen(nulls[i]) == len && memcmp(nulls[i], s, len) == 0)
            return 1;
    return 0;
}

/* Anchors, aliases and tags are refused rather than half-supported: the
 * config stays a plain tree whose every node has exactly one position. */
static int check_props(cfg_builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                       const yaml_char_t *tag)
{
    if (anchor)
        return b_fail_at(b, ev->start_mark, "anchors (&%s) are not supported",
                         (const char *)anchor);
    if (tag)
        return b_fail_at(b, ev->start_mark, "tags (%s) are not supported", (const char *)tag);
    return 0;
}

static int on_scalar(cfg_builder *b, const yaml_event_t *ev)
{
    int rc = check_props(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
    if (rc)
        return rc;
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (memchr(v, '\0', len))
        return b_fail_at(b, ev->start_mark, "NUL characters in scalars are not supported");
    int null = !in_key_position(b) && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
               is_null_text(v, len);
    sk_cfg *n = node_new(b, null ? SK_CFG_NULL : SK_CFG_SCALAR, ev->start_mark);
    if (!n)
        return b_oom(b);
    if (!null && !(n->text = cfg_arena_strndup(b->arena, v, len)))
        return b_oom(b);
    return push_child(b, n);
}

static int on_start(cfg_builder *b, const yaml_event_t *ev, sk_cfg_type type)
{
    int map = type == SK_CFG_MAP;
    int rc = map ? check_props(b, ev, ev->data.mapping_start.anchor, ev->data.mapping_start.tag)
                 : check_props(b, ev, ev->data.sequence_start.anchor,
                               ev->data.sequence_start.tag);
    if (rc)
        return rc;
    if (in_key_position(b))
        return b_fail_at(b, ev->start_mark, "non-scalar map keys are not supported");
    if (b->depth >= b->max_depth)
        return b_fail_at(b, ev->start_mark, "nesting deeper than %d levels", CFG_MAX_DEPTH);
    int block = map ? ev->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE
                    : ev->data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE;
    if (b->fixed && b->depth == 0 && block)
        return b_fail_at(b, ev->start_mark,
                         "the value is a block %s; use flow style ([a, b] or {k: v}) or quote it",
                         map ? "mapping" : "sequence");
    sk_cfg *n = node_new(b, type, ev->start_mark);
    if (!n)
        return b_oom(b);
    b->frames[b->depth].node = n;
    b->frames[b->depth].first = b->npend;
    b->depth++;
    return 0;
}

typedef struct cfg_keyref {
    const sk_cfg *key;
    size_t idx;
} cfg_keyref;

static int keyref_cmp(const void *pa, const void *pb)
{
    const cfg_keyref *a = pa, *b = pb;
    int c = strcmp(a->key->text, b->key->text);
    if (c)
        return c;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Sorting keeps huge maps O(n log n); of all duplicates, the one reported is
 * the first a reader would meet going down the file. */
static int check_dup_keys(cfg_builder *b, sk_cfg **keys, size_t n)
{
    if (n < 2)
        return 0;
    cfg_keyref *r = malloc(n * sizeof *r);
    if (!r)
        return b_oom(b);
    for (size_t i = 0; i < n; i++)
        r[i] = (cfg_keyref){keys[i], i};
    qsort(r, n, sizeof *r, keyref_cmp);
    size_t group = 0, first = SIZE_MAX, dup = SIZE_MAX;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(r[i].key->text, r[group].key->text) != 0)
            group = i;
        else if (i == group + 1 && (dup == SIZE_MAX || r[i].idx < dup)) {
            first = r[group].idx;
            dup = r[i].idx;
        }
    }
    free(r);
    if (dup == SIZE_MAX)
        return 0;
    if (b->fixed)
        cfg_put_err(b->err, b->errlen, "%s: duplicate key '%s' in the value", b->fixed,
                    keys[dup]->text);
    else
        cfg_put_err(b->err, b->errlen, "%s: duplicate key '%s' (first at %s)", keys[dup]->where,
                    keys[dup]->text, keys[first]->where);
    return SK_ECONFIG;
}

static int on_end(cfg_builder *b)
{
    cfg_frame *f = &b->frames[--b->depth];
    sk_cfg *node = f->node;
    size_t cnt = b->npend - f->first;
    sk_cfg **kids = cnt ? b->pend + f->first : NULL;
    size_t n = node->type == SK_CFG_MAP ? cnt / 2 : cnt;
    b->npend = f->first;
    if (n > 0) {
        node->items = cfg_arena_alloc(b->arena, n * sizeof *node->items);
        if (!node->items)
            return b_oom(b);
    }
    if (node->type == SK_CFG_MAP && n > 0) {
        node->keys = cfg_arena_alloc(b->arena, n * sizeof *node->keys);
        if (!node->keys)
            return b_oom(b);
        for (size_t i = 0; i < n; i++) {
            node->keys[i] = kids[2 * i];
            node->items[i] = kids[2 * i + 1];
        }
        int rc = check_dup_keys(b, node->keys, n);
        if (rc)
            return rc;
    } else if (n > 0) {
        memcpy(node->items, kids, n * sizeof *kids);
    }
    node->n = n;
    return push_child(b, node);
}

static int on_event(cfg_builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (b->ndocs++)
            return b_fail_at(b, ev->start_mark, "multiple documents are not supported");
        return 0;
    case YAML_ALIAS_EVENT:
        return b_fail_at(b, ev->start_mark, "aliases (*%s) are not supported",
                         (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(b, ev, SK_CFG_LIST);
    case YAML_MAPPING_START_EVENT:
        return on_start(b, ev, SK_CFG_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(b);
    default:
        return 0;
    }
}

/* Leaves the document's root node (or NULL for an empty stream) in b->root. */
static int build_tree(cfg_builder *b)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return b_oom(b);
    yaml_parser_set_input_string(&p, b->text, b->len);
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = b_yaml_fail(b, &p);
            break;
        }
        int end = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(b, &ev);
        yaml_event_delete(&ev);
        if (rc || end)
            break;
    }
    yaml_parser_delete(&p);
    free(b->pend);
    b->pend = NULL;
    return rc;
}

int sk_cfg_parse_string(const char *name, const char *text, size_t len, sk_cfg **out,
                        char *err, size_t errlen)
{
    if (!out || (!text && len)) {
        cfg_put_err(err, errlen, "sk_cfg_parse_string: NULL argument");
        return -EINVAL;
    }
    *out = NULL;
    if (!name)
        name = "<string>";
    if (len > CFG_MAX_BYTES) {
        cfg_put_err(err, errlen, "%s: config is %zu bytes, over the limit of 4 MiB", name, len);
        return SK_ECONFIG;
    }
    cfg_block *arena = NULL;
    cfg_builder b = {.arena = &arena,
                     .name = name,
                     .text = (const unsigned char *)(text ? text : ""),
                     .len = len,
                     .max_depth = CFG_MAX_DEPTH,
                     .err = err,
                     .errlen = errlen};
    int rc = build_tree(&b);
    if (!rc && (!b.root || b.root->type == SK_CFG_NULL)) { /* empty document */
        yaml_mark_t start = {0, 0, 0};
        sk_cfg *map = node_new(&b, SK_CFG_MAP, start);
        if (map && b.root)
            map->where = b.root->where;
        b.root = map;
        rc = map ? 0 : b_oom(&b);
    }
    if (rc) {
        cfg_arena_free(arena);
        return rc;
    }
    b.root->arena = arena;
    *out = b.root;
    return 0;
}

/* Never past one byte over the limit: enough to tell a file is too big. */
static int grow_buf(char **buf, size_t *cap)
{
    size_t ncap = *cap * 2 > CFG_MAX_BYTES + 1 ? CFG_MAX_BYTES + 1 : *cap * 2;
    char *nb = realloc(*buf, ncap);
    if (!nb)
        return -1;
    *buf = nb;
    *cap = ncap;
    return 0;
}

static int read_all(int fd, const char *path, char **out, size_t *outlen, char *err,
                    size_t errlen)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        cfg_put_err(err, errlen, "%s: out of memory reading the config", path);
        return -ENOMEM;
    }
    for (;;) {
        if (len == cap && grow_buf(&buf, &cap)) {
            free(buf);
            cfg_put_err(err, errlen, "%s: out of memory reading the config", path);
            return -ENOMEM;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            char eb[128];
            cfg_put_err(err, errlen, "cannot read %s: %s", path, strerror_r(e, eb, sizeof eb));
            free(buf);
            return -e;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > CFG_MAX_BYTES) {
            free(buf);
            cfg_put_err(err, errlen, "%s: config is over the limit of 4 MiB", path);
            return SK_ECONFIG;
        }
    }
    *out = buf;
    *outlen = len;
    return 0;
}

int sk_cfg_parse_file(const char *path, sk_cfg **out, char *err, size_t errlen)
{
    if (!out || !path) {
        cfg_put_err(err, errlen, "sk_cfg_parse_file: NULL argument");
        return -EINVAL;
    }
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        char eb[128];
        cfg_put_err(err, errlen, "cannot open %s: %s", path, strerror_r(e, eb, sizeof eb));
        return -e;
    }
    char *buf = NULL;
    size_t len = 0;
    int rc = read_all(fd, path, &buf, &len, err, errlen);
    close(fd);
    if (rc)
        return rc;
    rc = sk_cfg_parse_string(path, buf, len, out, err, errlen);
    free(buf);
    return rc;
}

/* Every node of the value gets `where`: a --set value has no file, and its
 * errors point into the value instead (see mark_text). */
int cfg_parse_value(sk_cfg *root, const char *where, const char *text, size_t max_depth,
                    sk_cfg **out, char *err, size_t errlen)
{
    cfg_builder b = {.arena = &root->arena,
                     .name = where,
                     .fixed = where,
                     .text = (const unsigned char *)text,
                     .len = strlen(text),
                     .max_depth = max_depth,
                     .err = err,
                     .errlen = errlen};
    int rc = build_tree(&b);
    if (rc)
        return rc;
    if (!b.root) { /* "key=" clears the key back to its default */
        yaml_mark_t m = {0, 0, 0};
        if (!(b.root = node_new(&b, SK_CFG_NULL, m)))
            return b_oom(&b);
    }
    *out = b.root;
    return 0;
}
