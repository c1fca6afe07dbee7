/* GET and LIST. Objects go from the store's msgpack to the answer
 * without a JSON tree: only metadata.resourceVersion is spliced in, and
 * selectors are matched on the msgpack itself. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "field_selector.h"
#include "label_selector.h"
#include "list_token.h"
#include "objects.h"
#include "status.h"
#include "strbuf.h"

/* 1 when the cache answered GET as JSON text (or 404), 0 to go on. */
static int get_json_cached(ap_server *s, ap_req *rq, const char *key, ap_resp *out)
{
    const ap_centry *e;
    int rc = ap_cache_ref(s, key, &e);
    if (rc == SK_ENOTFOUND) {
        ap_cache_count(s, true);
        ap_resp_status(out, ap_status_for(rq->res, rq->name, rc, "not found"));
        return 1;
    }
    if (rc)
        return 0;
    const ap_ctext *t = ap_centry_json(e);
    char *raw = t ? malloc(t->len) : NULL;
    if (raw) {
        memcpy(raw, t->text, t->len);
        out->raw = raw;
        out->raw_len = t->len;
        out->raw_type = "application/json";
        ap_cache_count(s, true);
    }
    ap_centry_unref(e);
    return raw != NULL;
}

void ap_handle_get(ap_server *s, ap_req *rq, ap_resp *out)
{
    char key[1024];
    sk_apierr err = {{0}};
    if (sk_resource_key(rq->res, rq->ns, rq->name, key, sizeof key) < 0) {
        ap_resp_status(out, sk_status_bad_request("name too long"));
        return;
    }
    if (rq->json_text && rq->verb == AP_GET && get_json_cached(s, rq, key, out))
        return;
    void *buf;
    ap_kv kv;
    int rc = ap_object_get(s, key, &buf, &kv, &err);
    if (rc) {
        ap_resp_status(out, ap_status_for(rq->res, rq->name, rc, err.msg));
        return;
    }
    if (ap_mp_with_rv(kv.value, kv.mod_rev, &out->mp))
        ap_resp_status(out, sk_status_internal("stored object is malformed"));
    free(buf);
}

void ap_mp_append(sk_mp_buf *b, const void *p, size_t n)
{
    if (b->err || n == 0)
        return;
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->err = -ENOMEM;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* The parsed selectors of a list or watch. */
int ap_selectors_parse(const ap_req *rq, sk_label_selector *ls, sk_field_selector *fs,
                       json_t **st)
{
    sk_apierr err = {{0}};
    memset(ls, 0, sizeof *ls);
    memset(fs, 0, sizeof *fs);
    int rc = sk_label_selector_parse(rq->o.label_selector, ls, &err);
    if (rc == 0)
        rc = sk_field_selector_parse(rq->o.field_selector, rq->res, fs, &err);
    if (rc) {
        sk_label_selector_free(ls);
        *st = rc == -ENOMEM ? sk_status_internal("out of memory") : sk_status_bad_request(err.msg);
    }
    return rc;
}

typedef struct list_ctx {
    sk_label_selector ls;
    sk_field_selector fs;
    sk_mp_buf items;
    sk_sbuf *jitems; /* items as JSON text instead (first page from the cache) */
    uint32_t n;
    char last_key[1024];
    size_t last_len;
} list_ctx;

static bool matches(const list_ctx *c, sk_mp_view obj)
{
    if (c->ls.n || c->ls.match_nothing)
        if (!sk_label_selector_matches_object_mp(&c->ls, obj))
            return false;
    return c->fs.n == 0 || sk_field_selector_matches_mp(&c->fs, obj);
}

/* Takes one kv into the list; true once limit items are kept and kv
 * shows that more exist (kv itself is then not taken). *rc: SK_EBADMSG
 * for an object or key this server cannot have written. */
/* Appends e's memoized JSON text to the JSON items. */
static int take_json(list_ctx *c, const ap_centry *e)
{
    const ap_ctext *t = ap_centry_json(e);
    if (!t)
        return -ENOMEM;
    if (c->n)
        sk_sbuf_putc(c->jitems, ',');
    sk_sbuf_putn(c->jitems, t->text, t->len);
    return c->jitems->err;
}

static bool visit(list_ctx *c, const ap_kv *kv, const ap_centry *e, int64_t limit, bool *more,
                  int *rc)
{
    if (limit > 0 && c->n == limit) {
        *more = true; /* one more exists past the last one we kept */
        return true;
    }
    if (kv->value.p && matches(c, kv->value)) {
        int r = c->jitems && e ? take_json(c, e)
                               : ap_mp_with_rv(kv->value, kv->mod_rev, &c->items);
        if (r) {
            *rc = r == SK_EBADMSG ? SK_EBADMSG : -ENOMEM;
            return false;
        }
        c->n++;
    }
    if (kv->key_len >= sizeof c->last_key - 1) {
        *rc = SK_EBADMSG;
        return false;
    }
    memcpy(c->last_key, kv->key, kv->key_len);
    c->last_len = kv->key_len;
    return false;
}

/* The first page from the object cache, when it can answer: the same
 * items, revision and continue position as scan() at the cache's
 * revision (later pages read the store at that revision). */
static int scan_cache(ap_server *s, list_ctx *c, const char *prefix, size_t plen,
                      int64_t limit, sk_sbuf *json, int64_t *rev, bool *more)
{
    ap_cache_snap sn;
    if (ap_cache_list(s, prefix, plen, &sn))
        return SK_EUNAVAILABLE;
    c->jitems = json;
    int rc = 0;
    *more = false;
    for (size_t i = 0; i < sn.n && rc == 0; i++) {
        const ap_centry *e = sn.e[i];
        ap_kv kv = {.key = (const uint8_t *)e->key, .key_len = e->key_len,
                    .value = {.p = e->val, .len = e->val_len}, .mod_rev = e->mod_rev,
                    .create_rev = e->create_rev};
        if (visit(c, &kv, e, limit, more, &rc))
            break;
    }
    *rev = sn.rev;
    ap_cache_snap_free(&sn);
    return rc;
}

/* Reads pages from start until limit items matched (or the range ends);
 * returns the revision read and whether more remain after last_key. */
static int scan(ap_server *s, list_ctx *c, const char *start, size_t start_len,
                const char *end, size_t end_len, int64_t limit, int64_t *rev, bool *more,
                sk_apierr *err)
{
    char from[1100];
    size_t from_len = start_len;
    memcpy(from, start, start_len);
    *more = false;
    for (;;) {
        ap_range r;
        int64_t want = limit > 0 ? limit - c->n + 1 : 0;
        if (want > 0 && want < 64 && (c->ls.n || c->fs.n))
            want = 64; /* filtered: read ahead rather than one key at a time */
        int rc = ap_store_range(s, from, from_len, end, end_len, want, *rev, &r, err);
        if (rc)
            return rc;
        /* The store answers its current revision even for a read at an
         * older one; every page of one list is at the first read's. */
        if (*rev <= 0)
            *rev = r.rev;
        ap_kv kv;
        bool stopped = false;
        int bad = 0;
        while ((rc = ap_range_next(&r, &kv)) == 1) {
            if ((stopped = visit(c, &kv, NULL, limit, more, &bad)) || bad)
                break;
        }
        if (bad)
            rc = bad;
        bool range_more = r.more;
        ap_range_free(&r);
        if (rc < 0)
            return sk_apierr_set(err, rc, rc == SK_EBADMSG ? "stored object or key is malformed"
                                                           : "store range: malformed answer");
        if (stopped || !range_more)
            return 0;
        /* Continue after the last key read, at the same revision. */
        memcpy(from, c->last_key, c->last_len);
        from[c->last_len] = '\0';
        from_len = c->last_len + 1;
    }
}

static void finish_list(const ap_req *rq, list_ctx *c, int64_t rev, const char *cont,
                        ap_resp *out)
{
    char api[64], rv[24];
    sk_resource_api_version(rq->res, api, sizeof api);
    snprintf(rv, sizeof rv, "%" PRId64, rev);
    sk_mp_buf *b = &out->mp;
    sk_mp_put_map(b, 4);
    sk_mp_put_str(b, "kind");
    sk_mp_put_str(b, rq->res->list_kind);
    sk_mp_put_str(b, "apiVersion");
    sk_mp_put_str(b, api);
    sk_mp_put_str(b, "metadata");
    sk_mp_put_map(b, cont ? 2 : 1);
    sk_mp_put_str(b, "resourceVersion");
    sk_mp_put_str(b, rv);
    if (cont) {
        sk_mp_put_str(b, "continue");
        sk_mp_put_str(b, cont);
    }
    sk_mp_put_str(b, "items");
    sk_mp_put_array(b, c->n);
    ap_mp_append(b, c->items.data, c->items.len);
    if (c->items.err || b->err)
        ap_resp_status(out, sk_status_internal("out of memory building the list"));
}

/* finish_list() as JSON text around the items' memoized text. */
static void finish_list_json(const ap_req *rq, list_ctx *c, int64_t rev, const char *cont,
                             ap_resp *out)
{
    char api[64];
    sk_resource_api_version(rq->res, api, sizeof api);
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    /* kind, apiVersion and the token are ASCII with nothing to escape */
    sk_sbuf_printf(&b, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":"
                       "{\"resourceVersion\":\"%" PRId64 "\"",
                   rq->res->list_kind, api, rev);
    if (cont)
        sk_sbuf_printf(&b, ",\"continue\":\"%s\"", cont);
    sk_sbuf_puts(&b, "},\"items\":[");
    sk_sbuf_putn(&b, c->jitems->p ? c->jitems->p : "", c->jitems->len);
    sk_sbuf_puts(&b, "]}");
    size_t n = 0;
    char *text = c->jitems->err ? NULL : sk_sbuf_take(&b, &n);
    sk_sbuf_free(&b);
    if (!text) {
        ap_resp_status(out, sk_status_internal("out of memory building the list"));
        return;
    }
    out->raw = text;
    out->raw_len = n;
    out->raw_type = "application/json";
}

void ap_handle_list(ap_server *s, ap_req *rq, ap_resp *out)
{
    list_ctx c;
    memset(&c, 0, sizeof c);
    sk_sbuf json; /* the items as JSON text, when the cache answers an HTTP list */
    sk_sbuf_init(&json, 0);
    json_t *st = NULL;
    if (ap_selectors_parse(rq, &c.ls, &c.fs, &st)) {
        ap_resp_status(out, st);
        return;
    }
    sk_mp_buf_init(&c.items);
    char prefix[1024], start[1100], end[1100];
    int plen = sk_resource_key(rq->res, rq->ns && *rq->ns ? rq->ns : "", "", prefix,
                               sizeof prefix);
    /* A namespaced list for all namespaces: /registry/pods/ */
    if (rq->res->namespaced && !(rq->ns && *rq->ns))
        plen = snprintf(prefix, sizeof prefix, "/registry/%s/", rq->res->plural);
    size_t start_len = (size_t)plen, end_len;
    memcpy(start, prefix, (size_t)plen);
    int64_t rev = 0;
    sk_apierr err = {{0}};
    int rc = 0;
    if (rq->o.cont && *rq->o.cont) {
        rc = ap_token_decode(rq->o.cont, prefix, (size_t)plen, &rev, start, sizeof start,
                             &start_len);
        if (rc) {
            ap_resp_status(out, sk_status_bad_request("invalid continue token"));
            goto done;
        }
    }
    /* metadata.name=x: read just that key. */
    const char *exact = sk_field_selector_exact(&c.fs, "metadata.name");
    if (exact && !rq->o.cont && (!rq->res->namespaced || (rq->ns && *rq->ns))) {
        int n = sk_resource_key(rq->res, rq->ns, exact, start, sizeof start - 1);
        if (n < 0) {
            ap_resp_status(out, sk_status_bad_request("name too long"));
            goto done;
        }
        memcpy(end, start, (size_t)n);
        end[n] = '\0';
        start_len = (size_t)n;
        end_len = (size_t)n + 1;
    } else {
        end_len = ap_prefix_end(prefix, (size_t)plen, end);
    }
    bool more = false;
    rc = SK_EUNAVAILABLE;
    if (!(rq->o.cont && *rq->o.cont) && !exact)
        rc = scan_cache(s, &c, prefix, (size_t)plen, rq->o.limit,
                        rq->json_text && rq->verb == AP_LIST ? &json : NULL, &rev, &more);
    if (rc == SK_EBADMSG)
        sk_apierr_set(&err, rc, "stored object or key is malformed");
    if (rc == SK_EUNAVAILABLE)
        rc = scan(s, &c, start, start_len, end, end_len, rq->o.limit, &rev, &more, &err);
    if (rc) {
        if (rc == SK_ECOMPACTED)
            ap_resp_status(out, sk_status_expired(
                                    "The provided continue parameter is too old to display a "
                                    "consistent list result. You can start a new list without "
                                    "the continue parameter."));
        else
            ap_resp_status(out, ap_status_for(rq->res, NULL, rc, err.msg));
        goto done;
    }
    char *cont = more ? ap_token_encode(rev, c.last_key + plen, c.last_len - (size_t)plen)
                      : NULL;
    if (c.jitems)
        finish_list_json(rq, &c, rev, cont, out);
    else
        finish_list(rq, &c, rev, cont, out);
    free(cont);
done:
    sk_sbuf_free(&json);
    sk_mp_buf_free(&c.items);
    sk_label_selector_free(&c.ls);
    sk_field_selector_free(&c.fs);
}
