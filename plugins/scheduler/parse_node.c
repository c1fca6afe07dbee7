/* Node and Namespace (msgpack, JSON field names) -> objects. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "node_obj.h"
#include "pod_requests.h"
#include "skiff/errors.h"

static int zone_key(sk_mpx *x, sk_sched_node *view, const char **out)
{
    const char *region = sk_label_get(&view->labels, "topology.kubernetes.io/region");
    const char *zone = sk_label_get(&view->labels, "topology.kubernetes.io/zone");
    if (!region)
        region = sk_label_get(&view->labels, "failure-domain.beta.kubernetes.io/region");
    if (!zone)
        zone = sk_label_get(&view->labels, "failure-domain.beta.kubernetes.io/zone");
    if (!region && !zone) {
        *out = "";
        return 0;
    }
    size_t n = strlen(region ? region : "") + strlen(zone ? zone : "") + 2;
    char *k = sk_arena_alloc(x->arena, n);
    if (!k)
        return x->arena->err;
    snprintf(k, n, "%s\n%s", region ? region : "", zone ? zone : "");
    *out = k;
    return 0;
}

static int parse_node_into(sk_mpx *x, sk_mp_view root, void *obj)
{
    sk_node_obj *o = obj;
    sk_mp_view md, labels, spec, taints, status, alloc;
    sk_reslist r;
    int rc;
    memset(&r, 0, sizeof(r));
    if (sk_mp_type_of(root) != SK_MP_MAP)
        return (x->what = "node", SK_EBADMSG);
    if ((rc = sk_mpx_field(x, root, "metadata", &md)) ||
        (rc = sk_mpx_str(x, md, "name", &o->name)) ||
        (rc = sk_mpx_field(x, md, "labels", &labels)) ||
        (rc = sk_mpx_labels(x, labels, &o->labels)) ||
        (rc = sk_mpx_field(x, root, "spec", &spec)) ||
        (rc = sk_mpx_field(x, spec, "taints", &taints)) ||
        (rc = sk_mpx_taints(x, taints, &o->taints, &o->ntaints)) ||
        (rc = sk_mpx_bool(x, spec, "unschedulable", &o->unschedulable)) ||
        (rc = sk_mpx_field(x, root, "status", &status)) ||
        (rc = sk_mpx_field(x, status, "allocatable", &alloc)) ||
        (rc = sk_reslist_read(x, alloc, &r)) ||
        (rc = sk_reslist_export(x, &r, &o->allocatable)))
        return rc;
    if (!o->name[0])
        return (x->what = "metadata.name", SK_EBADMSG);
    sk_sched_node view = {.name = o->name, .labels = o->labels};
    return zone_key(x, &view, &o->zone_key);
}

static int parse_ns_into(sk_mpx *x, sk_mp_view root, void *obj)
{
    sk_ns_obj *o = obj;
    sk_mp_view md, labels;
    int rc;
    if ((rc = sk_mpx_field(x, root, "metadata", &md)) ||
        (rc = sk_mpx_str(x, md, "name", &o->ns.name)) ||
        (rc = sk_mpx_field(x, md, "labels", &labels)) ||
        (rc = sk_mpx_labels(x, labels, &o->ns.labels)))
        return rc;
    if (!o->ns.name[0])
        return (x->what = "metadata.name", SK_EBADMSG);
    return 0;
}

/* Both kinds hold all they point at in their own arena. */
static void free_in_arena(sk_arena *arena, void *obj)
{
    sk_arena_free(arena);
    free(obj);
}

/* Both kinds: the msgpack is checked, then fn fills obj from it, with
 * strings in arena; err names kind and the field that failed. */
static int parse_obj(const void *buf, size_t len, sk_arena *arena, void *obj,
                     int (*fn)(sk_mpx *, sk_mp_view, void *), const char *kind, char *err,
                     size_t errlen)
{
    sk_mp_view root;
    sk_mpx x = {arena, "msgpack"};
    int rc = sk_mp_check(buf, len, SK_MP_MAX_DEPTH, &root) ? SK_EBADMSG : 0;
    if (!rc) {
        x.what = NULL;
        rc = fn(&x, root, obj);
    }
    if (rc && err && errlen)
        snprintf(err, errlen, "%s: %s: %s", kind, x.what ? x.what : "?", sk_strerror(rc));
    return rc;
}

int sk_node_parse(const void *buf, size_t len, sk_node_obj **out, char *err, size_t errlen)
{
    sk_node_obj *o = calloc(1, sizeof(*o));
    int rc = o ? parse_obj(buf, len, &o->arena, o, parse_node_into, "node", err, errlen) : -ENOMEM;
    if (rc)
        sk_node_obj_free(&o);
    *out = o;
    return rc;
}

void sk_node_obj_free(sk_node_obj **n)
{
    if (*n)
        free_in_arena(&(*n)->arena, *n);
    *n = NULL;
}

int sk_ns_parse(const void *buf, size_t len, sk_ns_obj **out, char *err, size_t errlen)
{
    sk_ns_obj *o = calloc(1, sizeof(*o));
    int rc = o ? parse_obj(buf, len, &o->arena, o, parse_ns_into, "namespace", err, errlen)
               : -ENOMEM;
    if (rc)
        sk_ns_obj_free(&o);
    *out = o;
    return rc;
}

void sk_ns_obj_free(sk_ns_obj **n)
{
    if (*n)
        free_in_arena(&(*n)->arena, *n);
    *n = NULL;
}
