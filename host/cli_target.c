/* Finding a running host's admin socket from the CLI, by the same rules
 * the host uses to choose it (supervisor.c), so `-c FILE` reaches the host
 * started with that file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "host_config.h"
#include "paths.h"
#include "supervisor.h"

int sk_cli_target_opt(sk_cli_target *t, int argc, char **argv, int *i)
{
    const char *v = NULL;
    int r;
    if ((r = sk_cli_opt(argc, argv, i, "--admin", NULL, &v)) != 0)
        t->admin = v;
    else if ((r = sk_cli_opt(argc, argv, i, "--config", "-c", &v)) != 0)
        t->config = v;
    else if ((r = sk_cli_opt(argc, argv, i, "--data-dir", NULL, &v)) != 0)
        t->data_dir = v;
    else if ((r = sk_cli_opt(argc, argv, i, "--set", NULL, &v)) != 0) {
        if (r > 0 && t->nsets == sizeof t->sets / sizeof t->sets[0]) {
            sk_cli_usage_error("too many --set options");
            return -1;
        }
        if (r > 0)
            t->sets[t->nsets++] = v;
    }
    return r;
}

static int from_config(const sk_cli_target *t, char *out, size_t outlen)
{
    char err[1024];
    sk_cfg *root = NULL;
    sk_host_config hc;
    int rc = sk_cfg_parse_file(t->config, &root, err, sizeof err);
    for (size_t i = 0; !rc && i < t->nsets; i++)
        rc = sk_cfg_set(root, t->sets[i], err, sizeof err);
    if (!rc)
        rc = sk_host_config_parse(root, &hc, err, sizeof err);
    if (rc) {
        fprintf(stderr, "skiff: %s\n", err);
        sk_cfg_free(&root);
        return SK_EXIT_CONFIG;
    }
    if (hc.admin_socket)
        rc = sk_path_join(out, outlen, "%s", hc.admin_socket);
    else if (t->data_dir || hc.data_dir)
        rc = sk_path_join(out, outlen, "%s/admin.sock", t->data_dir ? t->data_dir : hc.data_dir);
    else
        rc = 1; /* default data dir */
    sk_host_config_free(&hc);
    sk_cfg_free(&root);
    if (rc < 0) {
        fprintf(stderr, "skiff: admin socket path too long\n");
        return SK_EXIT_FAIL;
    }
    return rc == 1 ? -1 : 0;
}

int sk_cli_admin_path(const sk_cli_target *t, char *out, size_t outlen)
{
    if (t->admin)
        return sk_path_join(out, outlen, "%s", t->admin) ? SK_EXIT_USAGE : 0;
    if (t->config) {
        int rc = from_config(t, out, outlen);
        if (rc >= 0)
            return rc;
    }
    char dir[4096];
    int rc = t->data_dir ? sk_path_join(dir, sizeof dir, "%s", t->data_dir)
                         : sk_path_default_data_dir(dir, sizeof dir);
    if (rc == 0)
        rc = sk_path_join(out, outlen, "%s/admin.sock", dir);
    if (rc) {
        fprintf(stderr, "skiff: cannot tell where the admin socket is (no home dir?)\n");
        return SK_EXIT_FAIL;
    }
    return 0;
}
