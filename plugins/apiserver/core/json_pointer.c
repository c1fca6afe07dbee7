/* JSON pointers (RFC 6901). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "patch.h"

void sk_jptr_free(sk_jptr *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->tok[i]);
    free(p->tok);
    p->tok = NULL;
    p->n = 0;
}

/* One reference token with ~1 -> '/' and ~0 -> '~'; NULL + *bad on a bad
 * escape, NULL alone on ENOMEM. */
static char *jptr_token(const char *s, size_t n, int *bad)
{
    char *t = malloc(n + 1), *o = t;
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '~') {
            *o++ = s[i];
            continue;
        }
        if (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '1')) {
            free(t);
            *bad = 1;
            return NULL;
        }
        *o++ = s[++i] == '0' ? '~' : '/';
    }
    *o = '\0';
    return t;
}

int sk_jptr_parse(const char *ptr, sk_jptr *out, sk_apierr *err)
{
    out->tok = NULL;
    out->n = 0;
    if (!*ptr)
        return 0;
    if (*ptr != '/')
        return sk_apierr_set(err, SK_EBADMSG, "JSON pointer \"%s\" must start with '/'", ptr);
    for (const char *s = ptr + 1;;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int bad = 0;
        char *t = jptr_token(s, n, &bad);
        char **v = t ? realloc(out->tok, (out->n + 1) * sizeof *v) : NULL;
        if (!v) {
            free(t);
            sk_jptr_free(out);
            return bad ? sk_apierr_set(err, SK_EBADMSG, "JSON pointer \"%s\": bad ~ escape", ptr)
                       : sk_apierr_set(err, -ENOMEM, "out of memory");
        }
        out->tok = v;
        out->tok[out->n++] = t;
        if (!e)
            return 0;
        s = e + 1;
    }
}

json_t *sk_jptr_get(json_t *doc, const sk_jptr *p)
{
    json_t *cur = doc;
    for (size_t i = 0; cur && i < p->n; i++) {
        if (json_is_object(cur)) {
            cur = json_object_get(cur, p->tok[i]);
        } else if (json_is_array(cur)) {
            char *end;
            const char *t = p->tok[i];
            if (!*t || (t[0] == '0' && t[1]) || *t < '0' || *t > '9')
                return NULL;
            unsigned long idx = strtoul(t, &end, 10);
            cur = *end ? NULL : json_array_get(cur, idx);
        } else {
            return NULL;
        }
    }
    return cur;
}
