/* The `skiff` command line. Each command is its own file (cli_*.c); they
 * share the option helpers below. Exit codes: supervisor.h (SK_EXIT_*). */
#ifndef SKIFF_HOST_CLI_H
#define SKIFF_HOST_CLI_H

#include <stddef.h>

/* main(): returns the process exit code. */
int sk_cli_main(int argc, char **argv);

int sk_cli_run(int argc, char **argv);     /* skiff run ... (argv[0] = "run") */
int sk_cli_plugin(int argc, char **argv);  /* skiff plugin ... */
int sk_cli_metrics(int argc, char **argv); /* skiff metrics ... */
int sk_cli_keygen(int argc, char **argv);  /* skiff keygen */

/* Prints "skiff: <msg>" and a pointer to --help on stderr; returns 2. */
__attribute__((format(printf, 1, 2))) int sk_cli_usage_error(const char *fmt, ...);

/* If argv[*i] is option `lng` ("--data-dir") or `shrt` ("-c", may be NULL),
 * in the "--opt value" or "--opt=value" form: *val gets the value, *i moves
 * past it and 1 is returned. 0 when it is another argument; -1 (after a
 * usage message) when the value is missing. */
int sk_cli_opt(int argc, char **argv, int *i, const char *lng, const char *shrt,
               const char **val);

/* Where the running host's admin socket is, found the way the host finds
 * it: --admin, else the config's admin.socket, else <data dir>/admin.sock
 * with the data dir from --data-dir, the config or the default. Returns an
 * exit code (0 when found). */
typedef struct sk_cli_target {
    const char *admin;
    const char *config;
    const char *data_dir;
    const char *sets[64];
    size_t nsets;
} sk_cli_target;
/* Consumes a target option at argv[*i]: 1 taken, 0 not one, -1 usage error. */
int sk_cli_target_opt(sk_cli_target *t, int argc, char **argv, int *i);
int sk_cli_admin_path(const sk_cli_target *t, char *out, size_t outlen);

#endif
