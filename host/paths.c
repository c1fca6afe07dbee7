/* Path helpers. Everything fails loudly on truncation: a cut-off path could
 * silently point at another directory. */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SKIFF_PLUGIN_RELDIR
#define SKIFF_PLUGIN_RELDIR "../lib/skiff"
#endif

int sk_path_join(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    return (size_t)n < size ? 0 : -ENAMETOOLONG;
}

void sk_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const char *home_dir(void)
{
    const char *h = getenv("HOME");
    if (h && *h == '/')
        return h;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir && *pw->pw_dir == '/' ? pw->pw_dir : NULL;
}

int sk_path_default_data_dir(char *buf, size_t size)
{
    if (geteuid() == 0)
        return sk_path_join(buf, size, "/var/lib/skiff");
    /* The XDG spec says relative values are invalid and must be ignored. */
    const char *x = getenv("XDG_STATE_HOME");
    if (x && *x == '/')
        return sk_path_join(buf, size, "%s/skiff", x);
    const char *h = home_dir();
    if (!h)
        return -ENOENT;
    return sk_path_join(buf, size, "%s/.local/state/skiff", h);
}

int sk_path_exe_dir(char *buf, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        return -errno;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -ENOENT;
    *slash = '\0';
    return sk_path_join(buf, size, "%s", *exe ? exe : "/");
}

int sk_path_plugin_dir(char *buf, size_t size)
{
    char exe[PATH_MAX];
    int rc = sk_path_exe_dir(exe, sizeof exe);
    if (rc)
        return rc;
    return sk_path_join(buf, size, "%s/%s", exe, SKIFF_PLUGIN_RELDIR);
}

static int mkdir_one(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0)
        return 0;
    int e = errno;
    struct stat st;
    if (e == EEXIST || e == EACCES || e == EROFS) {
        if (stat(path, &st) == 0)
            return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
    }
    return -e;
}

int sk_path_mkdirs(const char *path, mode_t mode)
{
    char tmp[PATH_MAX];
    if (!path || !*path)
        return -EINVAL;
    int rc = sk_path_join(tmp, sizeof tmp, "%s", path);
    if (rc)
        return rc;
    size_t len = strlen(tmp);
    while (len > 1 && tmp[len - 1] == '/')
        tmp[--len] = '\0';
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        rc = mkdir_one(tmp, mode);
        *p = '/';
        if (rc)
            return rc;
    }
    return mkdir_one(tmp, mode);
}
