/* Plugin modules. Each load dlopens a private copy of the .so because the
 * dynamic linker returns the already-loaded object when the same path is
 * opened again, which would make a hot swap to a rebuilt file a no-op. The
 * copy is unlinked as soon as dlopen has mapped it. */
#include "loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "skiff/errors.h"

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int sk_module_resolve(const char *name, const char *path, char *out, size_t outlen)
{
    if (path && strchr(path, '/'))
        return sk_path_join(out, outlen, "%s", path);
    const char *file = path && *path ? path : name;
    if (!file || !*file)
        return -EINVAL;
    char dir[PATH_MAX];
    int rc = sk_path_plugin_dir(dir, sizeof dir);
    if (rc)
        return rc;
    return sk_path_join(out, outlen, "%s/%s%s", dir, file, has_suffix(file, ".so") ? "" : ".so");
}

static int copy_fd(int in, int out)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return -errno;
            }
            off += w;
        }
    }
}

/* Opens the original for reading; a clear error for a missing or odd file
 * before anything is copied. */
static int open_source(const char *path, char *err, size_t errlen, const char *name)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        sk_set_err(err, errlen, "plugin '%s' (%s): cannot open: %s", name, path, strerror(e));
        return -e;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        sk_set_err(err, errlen, "plugin '%s' (%s): not a regular file", name, path);
        close(fd);
        return -EINVAL;
    }
    return fd;
}

/* Copies path to a fresh file in tmpdir; its name goes to tmp. */
static int make_copy(const char *name, const char *path, const char *tmpdir, char *tmp,
                     size_t tmplen, char *err, size_t errlen)
{
    int in = open_source(path, err, errlen, name);
    if (in < 0)
        return in;
    char safe[32];
    size_t i = 0;
    for (; name[i] && i < sizeof safe - 1; i++)
        safe[i] = (name[i] == '/' || name[i] == '.') ? '_' : name[i];
    safe[i] = '\0';
    int rc = sk_path_join(tmp, tmplen, "%s/.skiff-%s-XXXXXX.so", tmpdir, safe);
    int out = rc ? -1 : mkostemps(tmp, 3, O_CLOEXEC);
    if (out < 0) {
        rc = rc ? rc : -errno;
        sk_set_err(err, errlen, "plugin '%s' (%s): cannot create a private copy in %s: %s", name,
                path, tmpdir, strerror(-rc));
        close(in);
        return rc;
    }
    rc = copy_fd(in, out);
    close(in);
    if (close(out) != 0 && !rc)
        rc = -errno;
    if (rc) {
        sk_set_err(err, errlen, "plugin '%s' (%s): cannot copy to %s: %s", name, path, tmp,
                strerror(-rc));
        unlink(tmp);
    }
    return rc;
}

/* dlerror names the private copy; say the original path instead. */
static void set_dlerror(char *err, size_t errlen, const char *name, const char *path,
                        const char *tmp)
{
    const char *msg = dlerror();
    if (!msg)
        msg = "unknown error";
    const char *at = strstr(msg, tmp);
    if (at)
        sk_set_err(err, errlen, "plugin '%s' (%s): cannot load: %.*s%s%s", name, path,
                (int)(at - msg), msg, path, at + strlen(tmp));
    else
        sk_set_err(err, errlen, "plugin '%s' (%s): cannot load: %s", name, path, msg);
}

int sk_module_check_desc(const char *name, const char *path, const sk_plugin_desc *d,
                         sk_plugin_desc *copy, char *err, size_t errlen)
{
    const size_t abi_end = offsetof(sk_plugin_desc, abi_minor) + sizeof d->abi_minor;
    if (!d) {
        sk_set_err(err, errlen, "plugin '%s' (%s): %s() returned no descriptor (host ABI %d.%d)",
                name, path, SK_PLUGIN_ENTRY_SYMBOL, SK_ABI_MAJOR, SK_ABI_MINOR);
        return SK_EABI;
    }
    if (d->size < abi_end) {
        sk_set_err(err, errlen,
                "plugin '%s' (%s): descriptor of %u bytes is too small (host ABI %d.%d)", name,
                path, (unsigned)d->size, SK_ABI_MAJOR, SK_ABI_MINOR);
        return SK_EABI;
    }
    if (d->abi_major != SK_ABI_MAJOR) {
        sk_set_err(err, errlen, "plugin '%s' (%s): ABI %u.%u not supported by this host (ABI %d.%d)",
                name, path, d->abi_major, d->abi_minor, SK_ABI_MAJOR, SK_ABI_MINOR);
        return SK_EABI;
    }
    if (d->abi_minor > SK_ABI_MINOR) {
        sk_set_err(err, errlen,
                "plugin '%s' (%s): ABI %u.%u is newer than this host's (ABI %d.%d); upgrade skiff",
                name, path, d->abi_major, d->abi_minor, SK_ABI_MAJOR, SK_ABI_MINOR);
        return SK_EABI;
    }
    if (d->size < SK_PLUGIN_DESC_MIN_SIZE) {
        sk_set_err(err, errlen,
                "plugin '%s' (%s): descriptor of %u bytes is smaller than the %zu bytes of ABI "
                "%u.%u (host ABI %d.%d)",
                name, path, (unsigned)d->size, SK_PLUGIN_DESC_MIN_SIZE, d->abi_major,
                d->abi_minor, SK_ABI_MAJOR, SK_ABI_MINOR);
        return SK_EABI;
    }
    /* Only the bytes the plugin declared are read; newer fields stay 0. */
    memset(copy, 0, sizeof *copy);
    memcpy(copy, d, d->size < sizeof *copy ? d->size : sizeof *copy);
    if (copy->build_sig != SK_BUILD_SIG) {
        sk_set_err(err, errlen,
                "plugin '%s' (%s): build signature 0x%x differs from this host's 0x%x "
                "(pointer and long sizes; ABI %u.%u, host ABI %d.%d)",
                name, path, (unsigned)copy->build_sig, (unsigned)SK_BUILD_SIG, copy->abi_major,
                copy->abi_minor, SK_ABI_MAJOR, SK_ABI_MINOR);
        return SK_EABI;
    }
    const char *missing = !copy->name ? "name" : !copy->init ? "init" : !copy->start ? "start"
                        : !copy->stop ? "stop" : !copy->fini ? "fini" : NULL;
    if (missing) {
        sk_set_err(err, errlen, "plugin '%s' (%s): descriptor has no %s", name, path, missing);
        return SK_EABI;
    }
    if (copy->size > sizeof *copy)
        copy->size = sizeof *copy;
    return 0;
}

static int open_and_check(sk_module *m, const char *tmp, char *err, size_t errlen)
{
    dlerror();
    m->dl = dlopen(tmp, RTLD_NOW | RTLD_LOCAL);
    if (!m->dl) {
        set_dlerror(err, errlen, m->name, m->path, tmp);
        return SK_EABI;
    }
    dlerror();
    void *sym = dlsym(m->dl, SK_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        sk_set_err(err, errlen,
                "plugin '%s' (%s): no %s symbol: not a skiff plugin, or built for another ABI "
                "(this host speaks ABI %d.%d)",
                m->name, m->path, SK_PLUGIN_ENTRY_SYMBOL, SK_ABI_MAJOR, SK_ABI_MINOR);
        return SK_EABI;
    }
    sk_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry); /* ISO C has no object-to-function cast */
    return sk_module_check_desc(m->name, m->path, entry(), &m->desc, err, errlen);
}

int sk_module_load(const char *name, const char *path, const char *tmpdir, sk_module **out,
                   char *err, size_t errlen)
{
    char resolved[PATH_MAX], tmp[PATH_MAX];
    if (!name || !*name || !out) {
        sk_set_err(err, errlen, "loader: a plugin needs a name");
        return -EINVAL;
    }
    int rc = sk_module_resolve(name, path, resolved, sizeof resolved);
    if (rc) {
        sk_set_err(err, errlen, "plugin '%s' (%s): cannot resolve its path: %s", name,
                path ? path : "<default>", strerror(-rc));
        return rc;
    }
    if (!tmpdir || !*tmpdir)
        tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    sk_module *m = calloc(1, sizeof *m);
    if (!m || !(m->name = strdup(name)) || !(m->path = strdup(resolved))) {
        sk_set_err(err, errlen, "plugin '%s': out of memory", name);
        sk_module_unload(&m);
        return -ENOMEM;
    }
    rc = make_copy(name, resolved, tmpdir, tmp, sizeof tmp, err, errlen);
    if (rc == 0) {
        rc = open_and_check(m, tmp, err, errlen);
        unlink(tmp);
    }
    if (rc) {
        sk_module_unload(&m);
        return rc;
    }
    *out = m;
    return 0;
}

void sk_module_unload(sk_module **pm)
{
    if (!pm || !*pm)
        return;
    sk_module *m = *pm;
    if (m->dl)
        dlclose(m->dl);
    free(m->name);
    free(m->path);
    free(m);
    *pm = NULL;
}
