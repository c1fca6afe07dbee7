/* Loading plugin modules: path resolution, a private copy of the .so per
 * load (so reloading the same path runs the new code), dlopen, and the
 * descriptor checks that must pass before any plugin code runs. */
#ifndef SKIFF_HOST_LOADER_H
#define SKIFF_HOST_LOADER_H

#include <stddef.h>

#include "skiff/plugin.h"

/* Smallest descriptor the host accepts: everything up to fini. */
#define SK_PLUGIN_DESC_MIN_SIZE (offsetof(sk_plugin_desc, fini) + sizeof(void (*)(void *)))

typedef struct sk_module {
    char *name;          /* instance name it was loaded for (messages) */
    char *path;          /* resolved path of the original .so */
    void *dl;            /* dlopen handle of the private copy */
    sk_plugin_desc desc; /* copied descriptor; fields past its size are 0 */
} sk_module;

/* Where plugin `name` lives:
 *   path NULL/empty     -> <plugin dir>/<name>.so
 *   path without '/'    -> <plugin dir>/<path>, ".so" appended if missing
 *   path with a '/'     -> used as given (relative to the working dir)
 * The plugin dir is <dir of the skiff binary>/SKIFF_PLUGIN_RELDIR. */
int sk_module_resolve(const char *name, const char *path, char *out, size_t outlen);

/* Resolves, copies into tmpdir (NULL: $TMPDIR or /tmp), dlopens with
 * RTLD_NOW|RTLD_LOCAL, removes the copy, and checks the descriptor. On
 * failure err says which plugin, which path and what went wrong (both ABI
 * versions for a mismatch). *out is the caller's; free with unload. */
int sk_module_load(const char *name, const char *path, const char *tmpdir, sk_module **out,
                   char *err, size_t errlen);

/* dlcloses and frees. Only once no thread runs its code. */
void sk_module_unload(sk_module **m);

/* The descriptor checks alone (reads only d->size bytes of d), filling
 * *copy. Exposed for tests. 0 or SK_EABI with err set. */
int sk_module_check_desc(const char *name, const char *path, const sk_plugin_desc *d,
                         sk_plugin_desc *copy, char *err, size_t errlen);

#endif
