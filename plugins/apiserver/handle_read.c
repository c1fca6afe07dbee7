/* GET and LIST. Objects go from the store's msgpack to the answer
 * without a JSON tree: only metadata.resourceVersion is spliced in, and
 * selectors are matched on the msgpack itself. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field_selector.h"
#include "label_selector.h"
#include "list_token.h"
#include "objects.h"
#include "status.h"

void ap_handle_get(ap_server *s, ap_req *rq, ap_resp *out)
{
    char key[1024];
    sk_apierr err = {{0}};
    if (sk_resource_key(rq->res, rq->ns, rq->name, key, sizeof key) < 0) {
        ap_resp_status(out, sk_status_bad_request("name too long"));
        return;
    }
    void *buf;
    ap_kv kv;
    int rc = ap_store_get(s, key, &buf, &kv, &err);
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
        while ((rc = ap_range_next(&r, &kv)) == 1) {
            if (limit > 0 && c->n == limit) {
                *more = true; /* one more exists past the last one we kept */
                stopped = true;
                break;
            }
            if (!kv.value.p || !matches(c, kv.value))
                goto next;
            if (ap_mp_with_rv(kv.value, kv.mod_rev, &c->items)) {
                ap_range_free(&r);
                return sk_apierr_set(err, SK_EBADMSG, "stored object is malformed");
            }
            c->n++;
        next:
            if (kv.key_len >= sizeof c->last_key - 1) {
                ap_range_free(&r);
                return sk_apierr_set(err, SK_EBADMSG, "stored key too long");
            }
            memcpy(c->last_key, kv.key, kv.key_len);
            c->last_len = kv.key_len;
        }
        bool range_more = r.more;
        ap_range_free(&r);
        if (rc < 0)
            return sk_apierr_set(err, rc, "store range: malformed answer");
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

void ap_handle_list(ap_server *s, ap_req *rq, ap_resp *out)
{
    list_ctx c;
    memset(&c, 0, sizeof c);
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
    finish_list(rq, &c, rev, cont, out);
    free(cont);
done:
    sk_mp_buf_free(&c.items);
    sk_label_selector_free(&c.ls);
    sk_field_selector_free(&c.fs);
}
