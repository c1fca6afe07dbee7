/* metadata.managedFields: field sets in FieldsV1 notation, their union,
 * difference and intersection, and the entries per manager. */
#include "managed_fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutil.h"

#define MAX_DEPTH 64

typedef struct fsx {
    bool diff; /* only what differs from the old value */
    bool dots; /* "." for maps created (Update sets) */
} fsx;

static json_t *fs_struct(const fsx *x, const json_t *v, const json_t *o, const sk_schema *s,
                         int depth);

static bool changed(const json_t *v, const json_t *o)
{
    return !o || !sk_jequal(v, o);
}

/* A leaf: {} when it counts, NULL when unchanged. */
static json_t *leaf(const fsx *x, const json_t *v, const json_t *o)
{
    return !x->diff || changed(v, o) ? json_object() : NULL;
}

static void put(json_t *set, const char *prefix, const char *name, json_t *sub)
{
    if (!sub)
        return;
    size_t n = strlen(prefix) + strlen(name) + 1;
    char *k = malloc(n);
    if (k) {
        snprintf(k, n, "%s%s", prefix, name);
        json_object_set_new(set, k, sub);
        free(k);
    } else {
        json_decref(sub);
    }
}

/* A value of type t (a struct when OBJECT with ref). */
static json_t *fs_value(const fsx *x, const json_t *v, const json_t *o, sk_ftype t,
                        const sk_schema *ref, int depth)
{
    if (t == SK_FT_OBJECT && ref && json_is_object(v) && json_object_size(v) > 0 &&
        ref != &sk_schema_label_selector) /* LabelSelector is atomic */
        return fs_struct(x, v, json_is_object(o) ? o : NULL, ref, depth + 1);
    return leaf(x, v, o);
}

/* The key of a keyed list's item: k:{"name":"web"}; NULL without one. */
static char *item_key(const json_t *e, const char *mk)
{
    json_t *kv = json_object_get(e, mk);
    if (!kv || json_is_null(kv))
        return NULL;
    json_t *k = json_object();
    json_object_set(k, mk, kv);
    if (strcmp(mk, "containerPort") == 0 || strcmp(mk, "port") == 0) {
        json_t *p = json_object_get(e, "protocol");
        json_object_set_new(k, "protocol", json_is_string(p) ? json_incref(p) : json_string("TCP"));
    }
    char *text = json_dumps(k, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(k);
    if (!text)
        return NULL;
    size_t n = strlen(text) + 3;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "k:%s", text);
    free(text);
    return out;
}

static const json_t *find_item(const json_t *list, const char *mk, const char *key)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        char *k = item_key(e, mk);
        bool same = k && strcmp(k, key) == 0;
        free(k);
        if (same)
            return e;
    }
    return NULL;
}

static json_t *fs_keyed_list(const fsx *x, const json_t *v, const json_t *o, const sk_field *f,
                             int depth)
{
    json_t *set = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char *k = json_is_object(e) ? item_key(e, f->merge_key) : NULL;
        if (!k)
            continue;
        const json_t *oe = x->diff ? find_item(o, f->merge_key, k) : NULL;
        json_t *sub = fs_value(x, e, oe, SK_FT_OBJECT, f->ref, depth);
        if (sub && !oe)
            json_object_set_new(sub, ".", json_object());
        if (sub)
            json_object_set_new(set, k, sub);
        free(k);
    }
    return set;
}

static json_t *fs_set_list(const fsx *x, const json_t *v, const json_t *o)
{
    json_t *set = json_object();
    size_t i, j;
    json_t *e, *oe;
    json_array_foreach(v, i, e)
    {
        bool had = false;
        json_array_foreach(x->diff ? o : NULL, j, oe)
            had = had || sk_jequal(e, oe);
        if (had)
            continue;
        char *text = json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);
        if (text)
            put(set, "v:", text, json_object());
        free(text);
    }
    return set;
}

static json_t *fs_field(const fsx *x, const json_t *v, const json_t *o, const sk_field *f,
                        int depth)
{
    if (json_is_null(v))
        return NULL;
    if (depth > MAX_DEPTH)
        return leaf(x, v, o);
    bool fresh = !x->diff || !o; /* this node is new */
    json_t *set;
    if (f->type == SK_FT_ARRAY && json_is_array(v) && json_array_size(v) > 0 &&
        (f->strategy & SK_PS_MERGE)) {
        const json_t *ol = json_is_array(o) ? o : NULL;
        if (f->merge_key && f->elem == SK_FT_OBJECT)
            set = fs_keyed_list(x, v, ol, f, depth);
        else if (f->elem != SK_FT_OBJECT)
            set = fs_set_list(x, v, ol);
        else
            return leaf(x, v, o);
    } else if (f->type == SK_FT_MAP && json_is_object(v) && json_object_size(v) > 0) {
        const json_t *om = json_is_object(o) ? o : NULL;
        set = json_object();
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            if (!json_is_null(e))
                put(set, "f:", k, fs_value(x, e, json_object_get(om, k), f->elem, f->ref, depth));
        }
    } else {
        return fs_value(x, v, o, f->type, f->ref, depth);
    }
    if (x->dots && fresh && json_object_size(set) > 0)
        json_object_set_new(set, ".", json_object());
    if (json_object_size(set) == 0 && !fresh) {
        json_decref(set);
        return NULL;
    }
    return set;
}

static json_t *fs_struct(const fsx *x, const json_t *v, const json_t *o, const sk_schema *s,
                         int depth)
{
    json_t *set = json_object();
    const char *k;
    json_t *e;
    json_object_foreach((json_t *)v, k, e)
    {
        const sk_field *f = sk_schema_field(s, k, strlen(k));
        const json_t *oe = json_object_get(o, k);
        json_t *sub = f ? fs_field(x, e, oe, f, depth) : (json_is_null(e) ? NULL : leaf(x, e, oe));
        put(set, "f:", k, sub);
    }
    if (json_object_size(set) == 0 && x->diff && o) {
        json_decref(set);
        return NULL;
    }
    return set;
}

/* The object's own fields, without the system-maintained ones. */
static json_t *owned_view(const json_t *obj, const char *subresource)
{
    json_t *v = json_deep_copy(obj);
    if (!json_is_object(v))
        return v;
    json_object_del(v, "apiVersion");
    json_object_del(v, "kind");
    bool status = subresource && strcmp(subresource, "status") == 0;
    if (status)
        json_object_del(v, "spec");
    else
        json_object_del(v, "status");
    json_t *m = json_object_get(v, "metadata");
    static const char *const sys[] = {"name", "namespace", "uid", "resourceVersion",
                                      "generation", "creationTimestamp", "deletionTimestamp",
                                      "deletionGracePeriodSeconds", "managedFields", "selfLink",
                                      NULL};
    for (size_t i = 0; json_is_object(m) && sys[i]; i++)
        json_object_del(m, sys[i]);
    if (json_is_object(m) && json_object_size(m) == 0)
        json_object_del(v, "metadata");
    return v;
}

/* A copy with keys in byte order at every level, as Go writes FieldsV1. */
static json_t *sorted(const json_t *set)
{
    size_t n = json_object_size(set), i = 0;
    const char **keys = n ? calloc(n, sizeof *keys) : NULL;
    json_t *out = json_object();
    if (n && !keys)
        return out;
    const char *k;
    json_t *e;
    json_object_foreach((json_t *)set, k, e)
        keys[i++] = k;
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
            const char *t = keys[b];
            keys[b] = keys[b - 1];
            keys[b - 1] = t;
        }
    for (i = 0; i < n; i++)
        json_object_set_new(out, keys[i], sorted(json_object_get(set, keys[i])));
    free(keys);
    return out;
}

static json_t *finish(json_t *set)
{
    if (!set)
        return json_object();
    json_t *out = sorted(set);
    json_decref(set);
    return out;
}

json_t *sk_fieldset_of(const json_t *obj, const sk_schema *s, const char *subresource)
{
    fsx x = {.diff = false, .dots = false};
    json_t *v = owned_view(obj, subresource);
    json_t *set = json_is_object(v) ? fs_struct(&x, v, NULL, s, 0) : NULL;
    json_decref(v);
    return finish(set);
}

json_t *sk_fieldset_changed(const json_t *old, const json_t *obj, const sk_schema *s,
                            const char *subresource)
{
    fsx x = {.diff = true, .dots = true};
    json_t *v = owned_view(obj, subresource);
    json_t *o = old ? owned_view(old, subresource) : json_object();
    json_t *set = json_is_object(v) ? fs_struct(&x, v, o, s, 0) : NULL;
    json_decref(v);
    json_decref(o);
    return finish(set);
}

void sk_fieldset_union(json_t *dst, const json_t *src)
{
    const char *k;
    json_t *e;
    json_object_foreach((json_t *)src, k, e)
    {
        json_t *d = json_object_get(dst, k);
        if (d)
            sk_fieldset_union(d, e);
        else
            json_object_set_new(dst, k, json_deep_copy(e));
    }
}

void sk_fieldset_subtract(json_t *dst, const json_t *src)
{
    const char *k;
    json_t *e;
    void *tmp;
    json_object_foreach_safe(dst, tmp, k, e)
    {
        json_t *s = json_object_get(src, k);
        if (!s)
            continue;
        if (json_object_size(s) == 0 || json_object_size(e) == 0) {
            /* src owns the node itself (a leaf): all of it goes */
            if (json_object_size(s) == 0) {
                char *key = strdup(k);
                if (key)
                    json_object_del(dst, key);
                free(key);
            }
            continue;
        }
        sk_fieldset_subtract(e, s);
        /* what is left is only the node's own "." mark: keep it only
         * when src did not claim the node too */
        if (json_object_size(e) == 0 ||
            (json_object_size(e) == 1 && json_object_get(e, ".") && json_object_get(s, "."))) {
            char *key = strdup(k);
            if (key)
                json_object_del(dst, key);
            free(key);
        }
    }
}

/* ".spec.containers[name=\"web\"].image" style text of one path element. */
static void path_elem(char *buf, size_t size, size_t *len, const char *k)
{
    if (*len >= size)
        return;
    int n = 0;
    if (strncmp(k, "f:", 2) == 0) {
        n = snprintf(buf + *len, size - *len, ".%s", k + 2);
    } else if (strncmp(k, "v:", 2) == 0) {
        n = snprintf(buf + *len, size - *len, "[=%s]", k + 2);
    } else if (strncmp(k, "k:", 2) == 0) {
        json_t *kv = json_loads(k + 2, 0, NULL);
        n = snprintf(buf + *len, size - *len, "[");
        const char *kk;
        json_t *e;
        bool first = true;
        json_object_foreach(kv, kk, e)
        {
            char *t = json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);
            size_t at = *len + (size_t)n;
            if (at < size)
                n += snprintf(buf + at, size - at, "%s%s=%s", first ? "" : ",", kk,
                              t ? t : "");
            free(t);
            first = false;
        }
        json_decref(kv);
        size_t at = *len + (size_t)n;
        if (at < size)
            n += snprintf(buf + at, size - at, "]");
    }
    *len += n > 0 ? (size_t)n : 0;
    if (*len >= size)
        *len = size - 1;
}

static void intersect(const json_t *a, const json_t *b, char *path, size_t size, size_t len,
                      json_t *out)
{
    const char *k;
    json_t *e;
    json_object_foreach((json_t *)a, k, e)
    {
        json_t *o = json_object_get(b, k);
        if (!o)
            continue;
        if (strcmp(k, ".") == 0) {
            if (len > 0)
                json_array_append_new(out, json_stringn(path, len));
            continue;
        }
        size_t l2 = len;
        path_elem(path, size, &l2, k);
        if (json_object_size(e) == 0 || json_object_size(o) == 0)
            json_array_append_new(out, json_stringn(path, l2));
        else
            intersect(e, o, path, size, l2, out);
        path[len] = '\0';
    }
}

json_t *sk_fieldset_intersect_paths(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    char path[1024] = "";
    intersect(a, b, path, sizeof path, 0, out);
    return out;
}

static bool same_entry(const json_t *m, const sk_managed_write *w, const char *op)
{
    const char *mgr = sk_jstr(m, "manager"), *o = sk_jstr(m, "operation");
    const char *sub = sk_jstr(m, "subresource");
    if (!mgr || strcmp(mgr, w->manager) != 0 || !o || strcmp(o, op) != 0)
        return false;
    if (strcmp(sub ? sub : "", w->subresource ? w->subresource : "") != 0)
        return false;
    /* Update entries are per apiVersion too */
    const char *av = sk_jstr(m, "apiVersion");
    return w->apply || (av && strcmp(av, w->api_version) == 0);
}

static json_t *new_entry(const sk_managed_write *w, const char *op, json_t *set)
{
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "manager", w->manager, "operation",
                          op, "apiVersion", w->api_version, "time", w->now, "fieldsType",
                          "FieldsV1", "fieldsV1", set);
    if (m && w->subresource && *w->subresource)
        json_object_set_new(m, "subresource", json_string(w->subresource));
    return m;
}

int sk_managed_fields_record(json_t *obj, const json_t *old, const sk_schema *s,
                             const sk_managed_write *w, json_t **conflicts)
{
    if (conflicts)
        *conflicts = NULL;
    json_t *meta = sk_jobj(obj, "metadata");
    if (!meta)
        return 0;
    json_t *prev = old ? sk_jget(old, "metadata.managedFields") : NULL;
    json_t *list = json_is_array(prev) ? json_deep_copy(prev) : json_array();
    if (!list)
        return 0;
    if (!w->manager || !*w->manager) {
        if (json_array_size(list))
            json_object_set_new(meta, "managedFields", list);
        else {
            json_object_del(meta, "managedFields");
            json_decref(list);
        }
        return 0;
    }
    const char *op = w->apply ? "Apply" : "Update";
    json_t *chg = sk_fieldset_changed(old, obj, s, w->subresource);
    json_t *set = w->apply ? sk_fieldset_of(w->applied, s, w->subresource) : json_deep_copy(chg);
    /* What this write changes is taken from the other managers; a
     * non-forced apply may not take what another manager set. */
    json_t *taken = json_deep_copy(chg);
    size_t i;
    json_t *m;
    if (w->apply && !w->force) {
        /* As the real lastAppliedManager: kubectl's server-side apply may
         * take over what its client-side apply set (the fields of the
         * last-applied-configuration annotation). */
        json_t *allowed = json_array();
        const char *la = NULL;
        json_t *ann = old ? sk_jget(old, "metadata.annotations") : NULL;
        if (strcmp(w->manager, "kubectl") == 0)
            la = json_string_value(
                json_object_get(ann, "kubectl.kubernetes.io/last-applied-configuration"));
        json_t *laj = la ? json_loads(la, 0, NULL) : NULL;
        if (json_is_object(laj)) {
            json_t *laset = sk_fieldset_of(laj, s, w->subresource);
            json_decref(allowed);
            allowed = sk_fieldset_intersect_paths(laset, chg);
            json_decref(laset);
        }
        json_decref(laj);
        json_t *cf = json_array();
        json_array_foreach(list, i, m)
        {
            if (same_entry(m, w, op))
                continue;
            json_t *paths = sk_fieldset_intersect_paths(json_object_get(m, "fieldsV1"), chg);
            json_t *mine = sk_fieldset_intersect_paths(set, chg);
            size_t j, k;
            json_t *p, *q;
            json_array_foreach(paths, j, p)
            {
                bool applied = false, ok = false;
                json_array_foreach(mine, k, q)
                    applied = applied || json_equal(p, q);
                json_array_foreach(allowed, k, q)
                    ok = ok || json_equal(p, q);
                if (applied && !ok)
                    json_array_append_new(cf, json_pack("{s:s, s:s?, s:O}", "manager",
                                                        sk_jstr(m, "manager"), "apiVersion",
                                                        sk_jstr(m, "apiVersion"), "field", p));
            }
            json_decref(paths);
            json_decref(mine);
        }
        json_decref(allowed);
        if (json_array_size(cf) > 0) {
            json_decref(chg);
            json_decref(set);
            json_decref(taken);
            json_decref(list);
            if (conflicts)
                *conflicts = cf;
            else
                json_decref(cf);
            return -1;
        }
        json_decref(cf);
    }
    json_t *kept = json_array();
    bool found = false;
    json_array_foreach(list, i, m)
    {
        json_t *fs = json_object_get(m, "fieldsV1");
        if (same_entry(m, w, op)) {
            found = true;
            if (w->apply) {
                json_object_set(m, "fieldsV1", set);
            } else {
                if (json_object_size(chg) == 0) {
                    json_array_append(kept, m);
                    continue; /* nothing changed: the entry stays as it was */
                }
                if (!json_is_object(fs)) {
                    fs = json_object();
                    json_object_set_new(m, "fieldsV1", fs);
                }
                sk_fieldset_union(fs, set);
                json_object_set_new(m, "fieldsV1", sorted(fs));
            }
            json_object_set_new(m, "time", json_string(w->now));
            json_object_set_new(m, "apiVersion", json_string(w->api_version));
            json_array_append(kept, m);
            continue;
        }
        if (json_is_object(fs))
            sk_fieldset_subtract(fs, taken);
        if (json_object_size(json_object_get(m, "fieldsV1")) > 0)
            json_array_append(kept, m);
    }
    if (!found && (w->apply || json_object_size(set) > 0))
        json_array_append_new(kept, new_entry(w, op, json_incref(set)));
    json_decref(list);
    json_decref(chg);
    json_decref(set);
    json_decref(taken);
    if (json_array_size(kept))
        json_object_set_new(meta, "managedFields", kept);
    else {
        json_object_del(meta, "managedFields");
        json_decref(kept);
    }
    return 0;
}

/* Removes from v (a struct or map value) what set lists; others is what
 * the other managers own at the same place (or NULL). */
static void remove_set(json_t *v, const json_t *set, const json_t *others, int depth);

static bool item_matches(const char *k, const json_t *e)
{
    if (strncmp(k, "v:", 2) == 0) {
        json_t *val = json_loads(k + 2, JSON_DECODE_ANY, NULL);
        bool match = val && sk_jequal(val, e);
        json_decref(val);
        return match;
    }
    if (strncmp(k, "k:", 2) != 0 || !json_is_object(e))
        return false;
    json_t *kv = json_loads(k + 2, 0, NULL);
    const char *kk;
    json_t *want;
    bool match = json_is_object(kv) && json_object_size(kv) > 0;
    json_object_foreach(kv, kk, want)
    {
        json_t *have = json_object_get(e, kk);
        /* protocol is keyed with its default */
        if (!have && strcmp(kk, "protocol") == 0 && json_is_string(want) &&
            strcmp(json_string_value(want), "TCP") == 0)
            continue;
        match = match && have && sk_jequal(have, want);
    }
    json_decref(kv);
    return match;
}

static void remove_in_list(json_t *list, const json_t *set, const json_t *others, int depth)
{
    const char *k;
    json_t *sub;
    json_object_foreach((json_t *)set, k, sub)
    {
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *e = json_array_get(list, i);
            if (!item_matches(k, e))
                continue;
            json_t *osub = json_object_get(others, k);
            /* the whole item goes when this manager owned it and nobody
             * else owns anything in it (defaulted fields go along) */
            bool whole = strncmp(k, "v:", 2) == 0 || json_object_size(sub) == 0 ||
                         (json_object_get(sub, ".") && !osub);
            if (whole) {
                json_array_remove(list, i);
            } else {
                /* the item stays: its key fields stay with it */
                json_t *rest = json_deep_copy(sub);
                json_t *kv = strncmp(k, "k:", 2) == 0 ? json_loads(k + 2, 0, NULL) : NULL;
                const char *kk;
                json_t *kval;
                json_object_foreach(kv, kk, kval)
                {
                    char f[300];
                    snprintf(f, sizeof f, "f:%s", kk);
                    json_object_del(rest, f);
                }
                json_decref(kv);
                remove_set(e, rest, osub, depth + 1);
                json_decref(rest);
            }
            break;
        }
    }
}

static void remove_set(json_t *v, const json_t *set, const json_t *others, int depth)
{
    if (!json_is_object(v) || depth > MAX_DEPTH)
        return;
    const char *k;
    json_t *sub;
    json_object_foreach((json_t *)set, k, sub)
    {
        if (strncmp(k, "f:", 2) != 0)
            continue;
        json_t *child = json_object_get(v, k + 2);
        if (!child)
            continue;
        const json_t *osub = json_object_get(others, k);
        bool leaf = json_object_size(sub) == 0 ||
                    (json_object_size(sub) == 1 && json_object_get(sub, ".") && !osub);
        if (leaf) {
            json_object_del(v, k + 2);
        } else if (json_is_array(child)) {
            remove_in_list(child, sub, osub, depth);
            if (json_array_size(child) == 0 && json_object_get(sub, ".") && !osub)
                json_object_del(v, k + 2);
        } else if (json_is_object(child)) {
            remove_set(child, sub, osub, depth + 1);
            if (json_object_size(child) == 0 && !osub)
                json_object_del(v, k + 2);
        }
    }
}

void sk_managed_remove_unapplied(json_t *obj, const json_t *old, const sk_schema *s,
                                 const char *manager, const json_t *applied,
                                 const char *subresource)
{
    json_t *list = old ? sk_jget(old, "metadata.managedFields") : NULL;
    json_t *prev = NULL;
    size_t i;
    json_t *m;
    if (!manager)
        return;
    json_array_foreach(list, i, m)
    {
        const char *mg = sk_jstr(m, "manager"), *op = sk_jstr(m, "operation");
        const char *sub = sk_jstr(m, "subresource");
        if (mg && strcmp(mg, manager) == 0 && op && strcmp(op, "Apply") == 0 &&
            strcmp(sub ? sub : "", subresource ? subresource : "") == 0)
            prev = json_object_get(m, "fieldsV1");
    }
    if (!json_is_object(prev))
        return;
    json_t *gone = json_deep_copy(prev);
    json_t *now = sk_fieldset_of(applied, s, subresource);
    sk_fieldset_subtract(gone, now);
    /* what another manager also owns stays */
    json_t *others = json_object();
    json_array_foreach(list, i, m)
    {
        const char *mg = sk_jstr(m, "manager"), *op = sk_jstr(m, "operation");
        if (mg && strcmp(mg, manager) == 0 && op && strcmp(op, "Apply") == 0)
            continue;
        json_t *fs = json_object_get(m, "fieldsV1");
        if (json_is_object(fs))
            sk_fieldset_union(others, fs);
    }
    sk_fieldset_subtract(gone, others);
    remove_set(obj, gone, others, 0);
    json_decref(others);
    json_decref(now);
    json_decref(gone);
}
