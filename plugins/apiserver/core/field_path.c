#include "field_path.h"

#include <stdio.h>
#include <string.h>

static void fpath_append(sk_fpath *p, const char *s, size_t n)
{
    size_t room = sizeof p->buf - 1 - p->len;
    if (n > room) {
        n = room;
        p->cut = true;
    }
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = '\0';
    if (p->cut && p->len >= 3)
        memcpy(p->buf + p->len - 3, "...", 3);
}

void sk_fpath_init(sk_fpath *p, const char *root)
{
    p->len = 0;
    p->cut = false;
    p->buf[0] = '\0';
    if (root)
        fpath_append(p, root, strlen(root));
}

size_t sk_fpath_child(sk_fpath *p, const char *name)
{
    size_t mark = p->len;
    if (p->len)
        fpath_append(p, ".", 1);
    fpath_append(p, name, strlen(name));
    return mark;
}

size_t sk_fpath_index(sk_fpath *p, size_t i)
{
    size_t mark = p->len;
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "[%zu]", i);
    fpath_append(p, tmp, (size_t)n);
    return mark;
}

size_t sk_fpath_key(sk_fpath *p, const char *key)
{
    size_t mark = p->len;
    fpath_append(p, "[", 1);
    fpath_append(p, key, strlen(key));
    fpath_append(p, "]", 1);
    return mark;
}

void sk_fpath_restore(sk_fpath *p, size_t mark)
{
    if (mark < p->len) {
        p->len = mark;
        p->buf[mark] = '\0';
        p->cut = false;
    }
}

const char *sk_fpath_str(const sk_fpath *p)
{
    return p->len ? p->buf : "<root>";
}
