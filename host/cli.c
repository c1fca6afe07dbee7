/* `skiff`: top-level dispatch, help, version and the shared option
 * helpers. Argument parsing is hand-written because getopt cannot tell a
 * subcommand's options from the global ones. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "keygen.h"
#include "skiff/errors.h"
#include "skiff/skiff.h"
#include "supervisor.h"

static const char usage_text[] =
    "Usage:\n"
    "  skiff run -c FILE.yaml [--data-dir DIR] [--log-level LEVEL] [--set KEY=VALUE]...\n"
    "  skiff plugin list [TARGET]\n"
    "  skiff plugin load NAME [--path FILE.so] [TARGET]\n"
    "  skiff plugin unload NAME [TARGET]\n"
    "  skiff plugin reload NAME [--path FILE.so] [TARGET]\n"
    "  skiff plugin options FILE.so\n"
    "  skiff metrics [TARGET]\n"
    "  skiff keygen\n"
    "  skiff --help | --version\n"
    "\n"
    "skiff is a Kubernetes control plane built as a microkernel: this host loads\n"
    "each cluster role as a plugin (.so) and connects them over a ZeroMQ bus.\n"
    "\n"
    "Commands:\n"
    "  run        start a host from a YAML config; SIGINT/SIGTERM stop it\n"
    "  plugin     list, load, unload or hot-swap (reload) plugins of a running\n"
    "             host; `options` prints the config keys a plugin declares\n"
    "  metrics    print a running host's metrics (Prometheus text format)\n"
    "  keygen     print a new CURVE key pair for the bus, as YAML\n"
    "\n"
    "Options of run:\n"
    "  -c, --config FILE     the host's config (see examples/*.yaml)\n"
    "  --data-dir DIR        root of the plugins' state (over the config's\n"
    "                        data_dir; default /var/lib/skiff as root, else\n"
    "                        $XDG_STATE_HOME/skiff or ~/.local/state/skiff)\n"
    "  --log-level LEVEL     error, warn, info, debug or trace (over log.level)\n"
    "  --set KEY=VALUE       override a config value, e.g.\n"
    "                        --set plugins.0.config.port=2380 (repeatable)\n"
    "\n"
    "TARGET (which running host to talk to; first match wins):\n"
    "  --admin SOCK          the host's admin socket\n"
    "  -c, --config FILE     the host's config (with --set/--data-dir as given\n"
    "                        to run): its admin.socket or <data dir>/admin.sock\n"
    "  --data-dir DIR        <DIR>/admin.sock\n"
    "  (none)                <default data dir>/admin.sock\n"
    "\n"
    "Plugin paths: a path with a '/' is used as given; a bare file name (\".so\"\n"
    "optional) and the default (the plugin's name) are looked up in the plugin\n"
    "directory next to the binary (../lib/skiff from bin/).\n"
    "\n"
    "Exit status:\n"
    "  0   success\n"
    "  1   runtime failure (a plugin failed to load or start, the host is not\n"
    "      running, a reload failed, a plugin overran its stop deadline)\n"
    "  2   usage error (unknown command or option, missing argument)\n"
    "  78  configuration error (reported as file:line:column)\n";

int sk_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("skiff: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'skiff --help' for usage.\n", stderr);
    va_end(ap);
    return SK_EXIT_USAGE;
}

int sk_cli_opt(int argc, char **argv, int *i, const char *lng, const char *shrt,
               const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(lng);
    if (strncmp(a, lng, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (strcmp(a, lng) != 0 && !(shrt && strcmp(a, shrt) == 0))
        return 0;
    if (*i + 1 >= argc) {
        sk_cli_usage_error("option %s needs a value", a);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

static int print_version(void)
{
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    printf("skiff %s (plugin ABI %d.%d, libzmq %d.%d.%d)\n", SK_VERSION, SK_ABI_MAJOR,
           SK_ABI_MINOR, major, minor, patch);
    return fflush(stdout) == 0 ? SK_EXIT_OK : SK_EXIT_FAIL;
}

int sk_cli_keygen(int argc, char **argv)
{
    if (argc > 1)
        return sk_cli_usage_error("keygen takes no arguments (got '%s')", argv[1]);
    int rc = sk_keygen_print(stdout);
    if (rc) {
        fprintf(stderr, "skiff: keygen: %s%s\n", sk_strerror(rc),
                rc == -ENOTSUP ? " (libzmq was built without CURVE)" : "");
        return SK_EXIT_FAIL;
    }
    return SK_EXIT_OK;
}

int sk_cli_main(int argc, char **argv)
{
    if (argc < 2)
        return sk_cli_usage_error("no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return fflush(stdout) == 0 ? SK_EXIT_OK : SK_EXIT_FAIL;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0)
        return print_version();
    if (strcmp(cmd, "run") == 0)
        return sk_cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "plugin") == 0)
        return sk_cli_plugin(argc - 1, argv + 1);
    if (strcmp(cmd, "metrics") == 0)
        return sk_cli_metrics(argc - 1, argv + 1);
    if (strcmp(cmd, "keygen") == 0)
        return sk_cli_keygen(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return sk_cli_usage_error("unknown option '%s'", cmd);
    return sk_cli_usage_error("unknown command '%s'", cmd);
}
