/* Deployment controller (k8s pkg/controller/deployment): claim the
 * ReplicaSets, find or create the one of the current template, then one
 * step of the strategy, history cleanup and status. Each sync takes one
 * step; the next event (RS or pod status) triggers the next. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy_int.h"

static void rs_load(dp_rs *r, sk_mp_view v)
{
    memset(r, 0, sizeof(*r));
    r->v = v;
    ctl_str(v, "metadata.name", r->name, sizeof r->name);
    r->replicas = ctl_int(v, "spec.replicas", 1);
    r->actual = ctl_int(v, "status.replicas", 0);
    r->ready = ctl_int(v, "status.readyReplicas", 0);
    r->avail = ctl_int(v, "status.availableReplicas", 0);
    char rev[32];
    r->revision = strtoll(ctl_str_key(v, "metadata.annotations", CTL_ANN_REVISION, rev, sizeof rev),
                          NULL, 10);
    r->created = ctl_time(v, "metadata.creationTimestamp", 0);
}

static void adopt(dp_ctx *c, sk_mp_view rs)
{
    sk_mp_buf r;
    sk_mp_buf_init(&r);
    ctl_put_owner_ref(&r, "apps/v1", "Deployment", c->in->d, true);
    if (r.err)
        c->out->err = r.err;
    else
        ctl_patch_owner_refs(c->out, &ctl_k_rs, rs, NULL, sk_mp_buf_view(&r));
    sk_mp_buf_free(&r);
}

static void claim(dp_ctx *c)
{
    sk_mp_view sel = ctl_get(c->in->d, "spec.selector");
    for (size_t i = 0; i < c->in->nrss; i++) {
        sk_mp_view rs = c->in->rss[i];
        char cuid[128];
        bool has_ctl = ctl_controller_uid(rs, cuid, sizeof cuid);
        bool match = ctl_selector_matches(sel, ctl_get(rs, "metadata.labels"));
        if (has_ctl && strcmp(cuid, c->uid) == 0) {
            if (!match) {
                if (!ctl_deleting(rs))
                    ctl_patch_owner_refs(c->out, &ctl_k_rs, rs, c->uid, (sk_mp_view){NULL, 0});
                continue;
            }
        } else if (!has_ctl && match && !ctl_deleting(c->in->d) && !ctl_deleting(rs)) {
            adopt(c, rs);
        } else {
            continue;
        }
        rs_load(&c->rs[c->nrs++], rs);
    }
}

static bool has_hash(sk_mp_view rs, const char *hash)
{
    return ctl_eq(ctl_get(rs, "metadata.labels." CTL_LABEL_HASH), hash) ||
           ctl_eq(ctl_get(rs, "spec.template.metadata.labels." CTL_LABEL_HASH), hash);
}

/* metadata of a new RS: template labels + hash, revision annotations,
 * the change-cause, and the controller reference. */
static void put_rs_meta(dp_ctx *c, sk_mp_buf *b, const char *rsname, int64_t revision)
{
    sk_mp_view d = c->in->d;
    sk_mp_view labels = ctl_get(d, "spec.template.metadata.labels");
    sk_mp_view cause = ctl_get_key(d, "metadata.annotations", "kubernetes.io/change-cause");
    char num[32];
    sk_mp_put_map(b, 5);
    sk_mp_put_str(b, "name");
    sk_mp_put_str(b, rsname);
    sk_mp_put_str(b, "namespace");
    sk_mp_put_str(b, c->ns);
    sk_mp_put_str(b, "labels");
    sk_mp_buf s;
    ctl_put_override(b, labels, CTL_LABEL_HASH, ctl_mp_str(&s, c->hash));
    sk_mp_buf_free(&s);
    sk_mp_put_str(b, "annotations");
    sk_mp_put_map(b, cause.p ? 4 : 3);
    sk_mp_put_str(b, CTL_ANN_REVISION);
    snprintf(num, sizeof num, "%lld", (long long)revision);
    sk_mp_put_str(b, num);
    sk_mp_put_str(b, CTL_ANN_DESIRED);
    snprintf(num, sizeof num, "%lld", (long long)c->replicas);
    sk_mp_put_str(b, num);
    sk_mp_put_str(b, CTL_ANN_MAX);
    snprintf(num, sizeof num, "%lld", (long long)(c->replicas + c->surge));
    sk_mp_put_str(b, num);
    if (cause.p) {
        sk_mp_put_str(b, "kubernetes.io/change-cause");
        sk_mp_put_raw(b, cause);
    }
    sk_mp_put_str(b, "ownerReferences");
    sk_mp_put_array(b, 1);
    ctl_put_owner_ref(b, "apps/v1", "Deployment", d, true);
}

void dp_create_rs(dp_ctx *c, int64_t replicas, int64_t revision)
{
    sk_mp_view d = c->in->d;
    char rsname[300];
    snprintf(rsname, sizeof rsname, "%s-%s", c->name, c->hash);
    sk_mp_buf b, s, sel, tmpl;
    sk_mp_buf_init(&b);
    sk_mp_buf_init(&sel);
    sk_mp_buf_init(&tmpl);
    ctl_put_override(&sel, ctl_get(d, "spec.selector"), "matchLabels." CTL_LABEL_HASH,
                     ctl_mp_str(&s, c->hash));
    ctl_put_override(&tmpl, ctl_get(d, "spec.template"), "metadata.labels." CTL_LABEL_HASH,
                     sk_mp_buf_view(&s));
    sk_mp_buf_free(&s);
    ctl_req_begin(&b, &ctl_k_rs, c->ns, NULL, 1);
    sk_mp_put_str(&b, "body");
    sk_mp_put_map(&b, 5);
    sk_mp_put_str(&b, "apiVersion");
    sk_mp_put_str(&b, "apps/v1");
    sk_mp_put_str(&b, "kind");
    sk_mp_put_str(&b, "ReplicaSet");
    /* status.replicas is a required field of the schema, even at birth */
    sk_mp_put_str(&b, "status");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "replicas");
    sk_mp_put_int(&b, 0);
    sk_mp_put_str(&b, "metadata");
    put_rs_meta(c, &b, rsname, revision);
    sk_mp_put_str(&b, "spec");
    sk_mp_put_map(&b, 4);
    sk_mp_put_str(&b, "replicas");
    sk_mp_put_int(&b, replicas);
    sk_mp_put_str(&b, "minReadySeconds");
    sk_mp_put_int(&b, ctl_int(d, "spec.minReadySeconds", 0));
    sk_mp_put_str(&b, "selector");
    sk_mp_put_raw(&b, sk_mp_buf_view(&sel));
    sk_mp_put_str(&b, "template");
    sk_mp_put_raw(&b, sk_mp_buf_view(&tmpl));
    if (sel.err || tmpl.err)
        b.err = sel.err ? sel.err : tmpl.err;
    sk_mp_buf_free(&sel);
    sk_mp_buf_free(&tmpl);
    ctl_actions_push(c->out, "create", &b, "replicasets", c->ns, rsname);
    /* Seen as existing (with no pods yet) by the rest of this sync. */
    memset(&c->created, 0, sizeof c->created);
    snprintf(c->created.name, sizeof c->created.name, "%s", rsname);
    c->created.replicas = replicas;
    c->created.revision = revision;
    c->cur = &c->created;
    c->just_created = true;
}

/* Patches metadata annotations of an RS (revision, desired/max replicas). */
static void annotate(dp_ctx *c, dp_rs *r, int64_t revision)
{
    char num[32];
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_patch_begin(&b, &ctl_k_rs, c->ns, r->name, NULL);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "annotations");
    sk_mp_put_map(&b, 3);
    sk_mp_put_str(&b, CTL_ANN_REVISION);
    snprintf(num, sizeof num, "%lld", (long long)revision);
    sk_mp_put_str(&b, num);
    sk_mp_put_str(&b, CTL_ANN_DESIRED);
    snprintf(num, sizeof num, "%lld", (long long)c->replicas);
    sk_mp_put_str(&b, num);
    sk_mp_put_str(&b, CTL_ANN_MAX);
    snprintf(num, sizeof num, "%lld", (long long)(c->replicas + c->surge));
    sk_mp_put_str(&b, num);
    ctl_actions_push(c->out, "patch", &b, "replicasets", c->ns, r->name);
    r->revision = revision;
}

/* The Deployment's own revision annotation follows its current RS. */
static void sync_deploy_revision(dp_ctx *c)
{
    char have[32], want[32];
    if (!c->cur)
        return;
    ctl_str_key(c->in->d, "metadata.annotations", CTL_ANN_REVISION, have, sizeof have);
    snprintf(want, sizeof want, "%lld", (long long)c->cur->revision);
    if (strcmp(have, want) == 0)
        return;
    sk_mp_buf b;
    sk_mp_buf_init(&b);
    ctl_patch_begin(&b, &ctl_k_deploy, c->ns, c->name, NULL);
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "metadata");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, "annotations");
    sk_mp_put_map(&b, 1);
    sk_mp_put_str(&b, CTL_ANN_REVISION);
    sk_mp_put_str(&b, want);
    ctl_actions_push(c->out, "patch", &b, "deployments", c->ns, c->name);
}

/* Finds the current RS; creates it when allowed. A re-used older RS (a
 * rollback) gets the next revision, which is what `rollout history` and
 * `rollout undo` read. */
static void find_current(dp_ctx *c, bool create, int64_t initial)
{
    int64_t max_old = 0;
    c->cur = NULL;
    sk_mp_view tmpl = ctl_get(c->in->d, "spec.template");
    for (size_t i = 0; i < c->nrs && !c->cur; i++)
        if (has_hash(c->rs[i].v, c->hash))
            c->cur = &c->rs[i];
    /* A rollback brings back an older template, whose RS may carry an
     * older hash: recognise it by content. */
    for (size_t i = 0; i < c->nrs && !c->cur; i++)
        if (c->rs[i].v.p && ctl_template_equal(ctl_get(c->rs[i].v, "spec.template"), tmpl))
            c->cur = &c->rs[i];
    for (size_t i = 0; i < c->nrs; i++)
        if (&c->rs[i] != c->cur && c->rs[i].revision > max_old)
            max_old = c->rs[i].revision;
    if (c->cur) {
        if (c->cur->revision <= max_old || c->cur->revision == 0)
            annotate(c, c->cur, max_old + 1);
    } else if (create) {
        dp_create_rs(c, initial, max_old + 1);
    }
}

static int64_t initial_replicas(dp_ctx *c, bool recreate)
{
    if (recreate)
        return c->replicas;
    /* NewRSNewReplicas with the new RS at 0. */
    int64_t total = 0;
    for (size_t i = 0; i < c->nrs; i++)
        total += c->rs[i].replicas;
    int64_t room = c->replicas + c->surge - total;
    if (room <= 0)
        return 0;
    return room < c->replicas ? room : c->replicas;
}

int ctl_deploy_sync(const ctl_deploy_in *in, ctl_actions *out, ctl_deploy_out *res)
{
    memset(res, 0, sizeof(*res));
    dp_ctx c = {.in = in, .out = out};
    ctl_str(in->d, "metadata.uid", c.uid, sizeof c.uid);
    ctl_str(in->d, "metadata.namespace", c.ns, sizeof c.ns);
    ctl_str(in->d, "metadata.name", c.name, sizeof c.name);
    if (!*c.uid || !*c.name)
        return 0;
    c.rs = calloc(in->nrss + 1, sizeof(*c.rs));
    if (!c.rs)
        return out->err = -ENOMEM;
    c.replicas = ctl_int(in->d, "spec.replicas", 1);
    if (c.replicas < 0)
        c.replicas = 0;
    bool recreate = ctl_eq(ctl_get(in->d, "spec.strategy.type"), "Recreate");
    if (recreate)
        c.surge = 0, c.unavail = c.replicas;
    else
        ctl_deploy_resolve(in->d, c.replicas, &c.surge, &c.unavail);
    ctl_template_hash(ctl_get(in->d, "spec.template"),
                      ctl_int(in->d, "status.collisionCount", 0), c.hash);
    claim(&c);
    bool paused = ctl_bool(in->d, "spec.paused", false);
    bool deleting = ctl_deleting(in->d);
    if (!deleting) {
        find_current(&c, !paused, initial_replicas(&c, recreate));
        sync_deploy_revision(&c);
        if (paused) {
            dp_scale_paused(&c);
            dp_cleanup(&c);
        }
        else if (!c.just_created)
            recreate ? dp_recreate(&c) : dp_rolling(&c);
    }
    dp_status(&c);
    snprintf(res->hash, sizeof res->hash, "%s", c.hash);
    if (c.cur) {
        snprintf(res->new_rs, sizeof res->new_rs, "%s", c.cur->name);
        res->new_replicas = c.cur->replicas;
    }
    for (size_t i = 0; i < c.nrs; i++)
        if (&c.rs[i] != c.cur)
            res->old_replicas += c.rs[i].replicas;
    free(c.rs);
    return out->err;
}
