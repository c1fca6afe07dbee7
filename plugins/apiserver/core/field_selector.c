#include "field_selector.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "jutil.h"

void sk_field_selector_free(sk_field_selector *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->reqs[i].field);
        free(s->reqs[i].path);
        free(s->reqs[i].value);
    }
    free(s->reqs);
    memset(s, 0, sizeof *s);
}

/* The object path of a supported field label, or NULL. */
static char *field_path(const sk_resource *r, const char *field, size_t n)
{
    if ((n == 13 && memcmp(field, "metadata.name", 13) == 0) ||
        (n == 18 && memcmp(field, "metadata.namespace", 18) == 0))
        return strndup(field, n);
    for (const char *const *l = r ? r->field_labels : NULL; l && *l; l++) {
        const char *colon = strchr(*l, ':');
        size_t ln = colon ? (size_t)(colon - *l) : strlen(*l);
        if (ln == n && memcmp(*l, field, n) == 0)
            return strdup(colon ? colon + 1 : *l);
    }
    return NULL;
}

/* Copies s[0..n) removing escapes; NULL (and *bad set) on a bad escape. */
static char *unescape(const char *s, size_t n, bool *bad)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            if (i + 1 >= n || !strchr("\\,=!", s[i + 1])) {
                free(out);
                *bad = true;
                return NULL;
            }
            i++;
        }
        *o++ = s[i];
    }
    *o = '\0';
    return out;
}

/* End of the term starting at s: the first comma not escaped. */
static const char *term_end(const char *s)
{
    for (; *s && *s != ','; s++)
        if (*s == '\\' && s[1])
            s++;
    return s;
}

static int parse_term(const char *t, size_t n, const sk_resource *r, sk_fs_req *q,
                      sk_apierr *err)
{
    size_t op = 0, oplen = 0;
    for (size_t i = 0; i < n && !oplen; i++) {
        if (n - i >= 2 && (memcmp(t + i, "!=", 2) == 0 || memcmp(t + i, "==", 2) == 0))
            oplen = 2;
        else if (t[i] == '=')
            oplen = 1;
        op = i;
    }
    if (!oplen)
        return sk_apierr_set(err, SK_EBADMSG, "invalid selector: '%.*s'; can't understand '%.*s'",
                             (int)n, t, (int)n, t);
    q->neq = t[op] == '!';
    if (!(q->field = strndup(t, op)))
        return -ENOMEM;
    if (!(q->path = field_path(r, t, op)))
        return sk_apierr_set(err, SK_EBADMSG, "field label not supported: %.*s", (int)op, t);
    bool bad = false;
    q->value = unescape(t + op + oplen, n - op - oplen, &bad);
    if (bad)
        return sk_apierr_set(err, SK_EBADMSG, "invalid field selector value in '%.*s': bad "
                                              "escape sequence", (int)n, t);
    return q->value ? 0 : -ENOMEM;
}

int sk_field_selector_parse(const char *text, const sk_resource *r, sk_field_selector *out,
                            sk_apierr *err)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return 0;
    if (strlen(text) > 16384)
        return sk_apierr_set(err, SK_EBADMSG, "field selector longer than 16384 bytes");
    for (const char *s = text;;) {
        const char *e = term_end(s);
        sk_fs_req q = {0};
        int rc = parse_term(s, (size_t)(e - s), r, &q, err);
        sk_fs_req *v = rc ? NULL : realloc(out->reqs, (out->n + 1) * sizeof *v);
        if (!rc && !v)
            rc = -ENOMEM;
        if (rc) {
            free(q.field);
            free(q.path);
            free(q.value);
            sk_field_selector_free(out);
            return rc == -ENOMEM ? sk_apierr_set(err, rc, "out of memory") : rc;
        }
        out->reqs = v;
        out->reqs[out->n++] = q;
        if (!*e)
            break;
        s = e + 1;
    }
    return 0;
}

/* The field's value rendered as text into buf (or "" when absent). */
static const char *mp_field_text(sk_mp_view obj, const char *path, char *buf, size_t size,
                                 size_t *len)
{
    sk_mp_view v;
    const char *s;
    bool b;
    int64_t i;
    uint64_t u;
    *len = 0;
    if (sk_mp_find(obj, path, &v))
        return "";
    if (sk_mp_get_str(v, &s, len) == 0)
        return s;
    if (sk_mp_get_bool(v, &b) == 0)
        *len = (size_t)snprintf(buf, size, "%s", b ? "true" : "false");
    else if (sk_mp_type_of(v) == SK_MP_UINT && sk_mp_get_uint(v, &u) == 0)
        *len = (size_t)snprintf(buf, size, "%" PRIu64, u);
    else if (sk_mp_get_int(v, &i) == 0)
        *len = (size_t)snprintf(buf, size, "%" PRId64, i);
    else
        return "";
    return buf;
}

bool sk_field_selector_matches_mp(const sk_field_selector *s, sk_mp_view obj)
{
    char buf[32];
    for (size_t i = 0; i < s->n; i++) {
        size_t n;
        const char *v = mp_field_text(obj, s->reqs[i].path, buf, sizeof buf, &n);
        bool eq = strlen(s->reqs[i].value) == n && memcmp(s->reqs[i].value, v, n) == 0;
        if (eq == s->reqs[i].neq)
            return false;
    }
    return true;
}

bool sk_field_selector_matches_json(const sk_field_selector *s, const json_t *obj)
{
    char buf[32];
    for (size_t i = 0; i < s->n; i++) {
        json_t *v = sk_jget(obj, s->reqs[i].path);
        const char *text = "";
        if (json_is_string(v))
            text = json_string_value(v);
        else if (json_is_boolean(v))
            text = json_is_true(v) ? "true" : "false";
        else if (json_is_integer(v)) {
            snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            text = buf;
        }
        bool eq = strcmp(s->reqs[i].value, text) == 0;
        if (eq == s->reqs[i].neq)
            return false;
    }
    return true;
}

const char *sk_field_selector_exact(const sk_field_selector *s, const char *field)
{
    for (size_t i = 0; i < s->n; i++)
        if (!s->reqs[i].neq && strcmp(s->reqs[i].field, field) == 0)
            return s->reqs[i].value;
    return NULL;
}
