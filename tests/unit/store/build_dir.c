/* See build_dir.h. */
#include "build_dir.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *th_build_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("SKIFF_BUILD_DIR");
    if (env && *env)
        return env;
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0)
        return ".";
    dir[n] = 0;
    for (int i = 0; i < 2; i++) {
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
    }
    return dir;
}
