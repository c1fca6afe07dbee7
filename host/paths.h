/* Where the host keeps things: its data dir, the admin socket, the plugin
 * directory next to the binary. */
#ifndef SKIFF_HOST_PATHS_H
#define SKIFF_HOST_PATHS_H

#include <stddef.h>
#include <sys/types.h>

/* /var/lib/skiff for root; otherwise $XDG_STATE_HOME/skiff, else
 * ~/.local/state/skiff. 0, or -ENAMETOOLONG / -ENOENT (no home). */
int sk_path_default_data_dir(char *buf, size_t size);

/* Directory of the running executable (from /proc/self/exe). */
int sk_path_exe_dir(char *buf, size_t size);

/* The directory plugins are looked up in by default: <exe dir>/SKIFF_PLUGIN_RELDIR. */
int sk_path_plugin_dir(char *buf, size_t size);

/* mkdir -p; directories it creates get `mode`. 0 or -errno; -ENOTDIR when
 * a component exists but is not a directory. */
int sk_path_mkdirs(const char *path, mode_t mode);

/* snprintf that fails with -ENAMETOOLONG instead of truncating. */
__attribute__((format(printf, 3, 4))) int sk_path_join(char *buf, size_t size, const char *fmt,
                                                       ...);

/* Formats a failure into the caller's err (may be NULL or empty): how the
 * loader and the instances report what went wrong. It lives here beside
 * sk_path_join, most of those messages being about paths. */
__attribute__((format(printf, 3, 4))) void sk_set_err(char *err, size_t errlen, const char *fmt,
                                                      ...);

#endif
