/* `skiff plugin ...` and `skiff metrics`: clients of a running host's
 * admin socket, plus `plugin options`, which reads a .so without a host. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "loader.h"
#include "supervisor.h"

/* Long enough for a reload: drain_timeout + stop_timeout + start. */
#define ADMIN_TIMEOUT_MS (5 * 60 * 1000)

static int admin_call(const sk_cli_target *t, int argc, const char *const *argv)
{
    char path[PATH_MAX];
    int rc = sk_cli_admin_path(t, path, sizeof path);
    if (rc)
        return rc;
    char err[1024] = "";
    char *body = NULL;
    int ok = 0;
    rc = sk_admin_request(path, argc, argv, ADMIN_TIMEOUT_MS, &ok, &body, err, sizeof err);
    if (rc) {
        fprintf(stderr, "skiff: %s\n", err);
        return SK_EXIT_FAIL;
    }
    if (body && *body)
        fputs(body, ok ? stdout : stderr);
    free(body);
    if (!ok) {
        fprintf(stderr, "skiff: %s: %s\n", argv[0], err);
        return SK_EXIT_FAIL;
    }
    return fflush(stdout) == 0 ? SK_EXIT_OK : SK_EXIT_FAIL;
}

static const char *opt_type_name(sk_opt_type t)
{
    switch (t) {
    case SK_OPT_STRING: return "string";
    case SK_OPT_INT: return "int";
    case SK_OPT_DOUBLE: return "double";
    case SK_OPT_BOOL: return "bool";
    case SK_OPT_MAP: return "map";
    case SK_OPT_LIST: return "list";
    case SK_OPT_DURATION: return "duration";
    }
    return "?";
}

static int print_options(const char *file)
{
    char err[1024];
    sk_module *m = NULL;
    /* Only the descriptor is read: no instance is created. */
    if (sk_module_load("options", file, NULL, &m, err, sizeof err) != 0) {
        fprintf(stderr, "skiff: %s\n", err);
        return SK_EXIT_FAIL;
    }
    const sk_plugin_desc *d = &m->desc;
    printf("%s %s (ABI %u.%u)%s%s\n", d->name, d->version ? d->version : "?", d->abi_major,
           d->abi_minor, d->description ? ": " : "", d->description ? d->description : "");
    if (!d->options) {
        printf("declares no options: its config is passed to it unchecked\n");
    } else {
        printf("%-24s %-9s %-12s %s\n", "OPTION", "TYPE", "DEFAULT", "DESCRIPTION");
        for (const sk_option *o = d->options; o->key; o++)
            printf("%-24s %-9s %-12s %s\n", o->key, opt_type_name(o->type), o->def ? o->def : "-",
                   o->description ? o->description : "");
    }
    sk_module_unload(&m);
    return fflush(stdout) == 0 ? SK_EXIT_OK : SK_EXIT_FAIL;
}

/* Parses NAME, --path and the target options after the subcommand. */
static int parse_args(int argc, char **argv, sk_cli_target *t, const char **name,
                      const char **path, int want_name, int allow_path)
{
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        int r = sk_cli_target_opt(t, argc, argv, &i);
        if (r == 0 && allow_path && (r = sk_cli_opt(argc, argv, &i, "--path", NULL, &v)) > 0)
            *path = v;
        if (r < 0)
            return SK_EXIT_USAGE;
        if (r > 0)
            continue;
        if (argv[i][0] == '-')
            return sk_cli_usage_error("plugin %s: unknown option '%s'", argv[1], argv[i]);
        if (!want_name || *name)
            return sk_cli_usage_error("plugin %s: unexpected argument '%s'", argv[1], argv[i]);
        *name = argv[i];
    }
    if (want_name && !*name)
        return sk_cli_usage_error("plugin %s: missing NAME", argv[1]);
    return 0;
}

int sk_cli_plugin(int argc, char **argv)
{
    if (argc < 2)
        return sk_cli_usage_error(
            "plugin: missing subcommand (list, load, unload, reload, options)");
    const char *sub = argv[1];
    if (strcmp(sub, "options") == 0) {
        if (argc != 3 || argv[2][0] == '-')
            return sk_cli_usage_error("usage: skiff plugin options FILE.so");
        return print_options(argv[2]);
    }
    int is_list = strcmp(sub, "list") == 0, is_unload = strcmp(sub, "unload") == 0;
    if (!is_list && !is_unload && strcmp(sub, "load") && strcmp(sub, "reload"))
        return sk_cli_usage_error("plugin: unknown subcommand '%s'", sub);
    sk_cli_target t = {0};
    const char *name = NULL, *path = NULL;
    int rc = parse_args(argc, argv, &t, &name, &path, !is_list, !is_list && !is_unload);
    if (rc)
        return rc;
    char abs[PATH_MAX];
    /* The host resolves paths from its own working directory. */
    if (path && strchr(path, '/') && path[0] != '/' && realpath(path, abs))
        path = abs;
    const char *req[3] = {sub, name, path};
    return admin_call(&t, is_list ? 1 : path ? 3 : 2, req);
}

int sk_cli_metrics(int argc, char **argv)
{
    sk_cli_target t = {0};
    for (int i = 1; i < argc; i++) {
        int r = sk_cli_target_opt(&t, argc, argv, &i);
        if (r < 0)
            return SK_EXIT_USAGE;
        if (r == 0)
            return sk_cli_usage_error("metrics: unexpected argument '%s'", argv[i]);
    }
    const char *req[1] = {"metrics"};
    return admin_call(&t, 1, req);
}
