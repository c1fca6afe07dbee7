/* Command-line overrides: sk_cfg_set("a.b.c=value") grafts the parsed value
 * into a parsed tree. Missing map keys are created; list items must already
 * exist. Replaced nodes stay in the arena until the tree is freed
 * (config_tree.h), so nothing a plugin could hold is ever freed early. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "config_tree.h"
#include "skiff/errors.h"

typedef struct cfg_seg {
    const char *s;
    size_t len;
} cfg_seg;

static int split_path(const char *path, size_t len, cfg_seg *segs, size_t *nsegs)
{
    size_t n = 0;
    const char *p = path, *end = path + len;
    for (;;) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        const char *stop = dot ? dot : end;
        if (stop == p || n == CFG_MAX_DEPTH - 1)
            return -1;
        segs[n++] = (cfg_seg){p, (size_t)(stop - p)};
        if (!dot)
            break;
        p = dot + 1;
    }
    *nsegs = n;
    return 0;
}

/* Wraps value in maps for segs[from..n-1], innermost first. */
static sk_cfg *wrap_value(sk_cfg *root, const char *where, const cfg_seg *segs, size_t from,
                          size_t n, sk_cfg *value)
{
    for (size_t i = n; i-- > from;) {
        sk_cfg *map = cfg_arena_alloc(&root->arena, sizeof *map);
        sk_cfg *key = cfg_arena_alloc(&root->arena, sizeof *key);
        sk_cfg **keys = cfg_arena_alloc(&root->arena, sizeof *keys);
        sk_cfg **items = cfg_arena_alloc(&root->arena, sizeof *items);
        char *text = cfg_arena_strndup(&root->arena, segs[i].s, segs[i].len);
        if (!map || !key || !keys || !items || !text)
            return NULL;
        *key = (sk_cfg){.type = SK_CFG_SCALAR, .where = where, .text = text};
        keys[0] = key;
        items[0] = value;
        *map = (sk_cfg){.type = SK_CFG_MAP, .n = 1, .where = where, .keys = keys,
                        .items = items};
        value = map;
    }
    return value;
}

static int map_append(sk_cfg *root, sk_cfg *map, const char *where, cfg_seg seg,
                      sk_cfg *value)
{
    sk_cfg *key = cfg_arena_alloc(&root->arena, sizeof *key);
    sk_cfg **keys = cfg_arena_alloc(&root->arena, (map->n + 1) * sizeof *keys);
    sk_cfg **items = cfg_arena_alloc(&root->arena, (map->n + 1) * sizeof *items);
    char *text = cfg_arena_strndup(&root->arena, seg.s, seg.len);
    if (!key || !keys || !items || !text)
        return -ENOMEM;
    *key = (sk_cfg){.type = SK_CFG_SCALAR, .where = where, .text = text};
    if (map->n) {
        memcpy(keys, map->keys, map->n * sizeof *keys);
        memcpy(items, map->items, map->n * sizeof *items);
    }
    keys[map->n] = key;
    items[map->n] = value;
    map->keys = keys;
    map->items = items;
    map->n++;
    return 0;
}

/* Finds the slot segs[i] names in cur: *slot is NULL for a missing map key.
 * Fails for an index that does not exist or a scalar in the way. */
static int find_slot(sk_cfg *cur, const char *where, const cfg_seg *segs, size_t i,
                     sk_cfg ***slot, char *err, size_t errlen)
{
    cfg_seg g = segs[i];
    size_t idx;
    *slot = NULL;
    if (cur->type == SK_CFG_MAP) {
        idx = cfg_find_key(cur, g.s, g.len);
        if (idx != SIZE_MAX)
            *slot = &cur->items[idx];
        return 0;
    }
    if (cur->type == SK_CFG_LIST) {
        if (cfg_parse_index(g.s, g.len, &idx) == 0 && idx < cur->n) {
            *slot = &cur->items[idx];
            return 0;
        }
        cfg_put_err(err, errlen, "%s: no item '%.*s' in the list at %s (it has %zu)", where,
                    (int)g.len, g.s, cur->where, cur->n);
        return SK_ECONFIG;
    }
    cfg_put_err(err, errlen, "%s: cannot set '%.*s' inside the scalar at %s", where, (int)g.len,
                g.s, cur->where);
    return SK_ECONFIG;
}

static int assign(sk_cfg *root, const char *where, const cfg_seg *segs, size_t nsegs,
                  sk_cfg *value, char *err, size_t errlen)
{
    sk_cfg *cur = root;
    for (size_t i = 0; i < nsegs; i++) {
        sk_cfg **slot;
        int rc = find_slot(cur, where, segs, i, &slot, err, errlen);
        if (rc)
            return rc;
        int last = i + 1 == nsegs;
        if (slot && !last && (*slot)->type != SK_CFG_NULL) {
            cur = *slot; /* descend; a scalar fails at the next step */
            continue;
        }
        sk_cfg *sub = wrap_value(root, where, segs, i + 1, nsegs, value);
        if (!sub || (!slot && map_append(root, cur, where, segs[i], sub))) {
            cfg_put_err(err, errlen, "%s: out of memory", where);
            return -ENOMEM;
        }
        if (slot)
            *slot = sub;
        return 0;
    }
    return 0;
}

int sk_cfg_set(sk_cfg *root, const char *assignment, char *err, size_t errlen)
{
    if (!root || !assignment || !root->arena) {
        cfg_put_err(err, errlen,
                    "sk_cfg_set: needs the root of a parsed config and an assignment");
        return -EINVAL;
    }
    const char *eq = strchr(assignment, '=');
    cfg_seg segs[CFG_MAX_DEPTH];
    size_t nsegs = 0;
    if (!eq || split_path(assignment, (size_t)(eq - assignment), segs, &nsegs)) {
        cfg_put_err(err, errlen,
                    "--set '%s': expected PATH=VALUE, PATH being dot-separated keys or list "
                    "indices (at most %d)",
                    assignment, CFG_MAX_DEPTH - 1);
        return SK_ECONFIG;
    }
    if (root->type != SK_CFG_MAP) {
        cfg_put_err(err, errlen, "--set '%s': the config at %s is not a map", assignment,
                    root->where);
        return SK_ECONFIG;
    }
    const char *where =
        cfg_arena_printf(&root->arena, "--set %.*s", (int)(eq - assignment), assignment);
    if (!where) {
        cfg_put_err(err, errlen, "--set '%s': out of memory", assignment);
        return -ENOMEM;
    }
    sk_cfg *value = NULL;
    int rc = cfg_parse_value(root, where, eq + 1, CFG_MAX_DEPTH - nsegs, &value, err, errlen);
    if (rc)
        return rc;
    return assign(root, where, segs, nsegs, value, err, errlen);
}
