/* `skiff run`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "supervisor.h"

#define MAX_SETS 256

int sk_cli_run(int argc, char **argv)
{
    const char *sets[MAX_SETS];
    sk_sup_opts o = {.sets = sets};
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int r;
        if ((r = sk_cli_opt(argc, argv, &i, "--config", "-c", &v)) != 0) {
            o.config_path = v;
        } else if ((r = sk_cli_opt(argc, argv, &i, "--data-dir", NULL, &v)) != 0) {
            o.data_dir = v;
        } else if ((r = sk_cli_opt(argc, argv, &i, "--log-level", NULL, &v)) != 0) {
            o.log_level = v;
        } else if ((r = sk_cli_opt(argc, argv, &i, "--set", NULL, &v)) != 0) {
            if (r > 0 && o.nsets == MAX_SETS)
                return sk_cli_usage_error("more than %d --set options", MAX_SETS);
            if (r > 0 && !strchr(v, '='))
                return sk_cli_usage_error("--set %s: expected KEY=VALUE", v);
            if (r > 0)
                sets[o.nsets++] = v;
        } else if (argv[i][0] == '-') {
            return sk_cli_usage_error("run: unknown option '%s'", argv[i]);
        } else {
            return sk_cli_usage_error("run: unexpected argument '%s'", argv[i]);
        }
        if (r < 0)
            return SK_EXIT_USAGE;
    }
    if (!o.config_path)
        return sk_cli_usage_error("run: missing -c FILE.yaml");
    sk_log_level lvl;
    if (o.log_level && sk_log_parse_level(o.log_level, &lvl) != 0)
        return sk_cli_usage_error("--log-level %s: expected error, warn, info, debug or trace",
                                  o.log_level);
    if (o.data_dir && !*o.data_dir)
        return sk_cli_usage_error("--data-dir: empty path");
    return sk_supervisor_main(&o);
}
