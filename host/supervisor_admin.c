/* The admin commands of a running host (protocol: admin.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "skiff/errors.h"
#include "supervisor_int.h"

int sk_supervisor_list(sk_supervisor *s, sk_text *out)
{
    sk_text_printf(out, "%-20s %-5s %-9s %-20s %-10s %s\n", "NAME", "GEN", "STATE", "PLUGIN",
                   "VERSION", "PATH");
    for (size_t i = 0; i < s->nslots; i++) {
        const sk_slot *sl = &s->slots[i];
        char gen[16] = "-";
        const char *state = "unloaded";
        if (sl->inst) {
            snprintf(gen, sizeof gen, "%u", sk_instance_generation(sl->inst));
            state = sk_inst_state_name(sk_instance_state(sl->inst));
        }
        const sk_plugin_desc *d = sl->mod ? &sl->mod->desc : NULL;
        sk_text_printf(out, "%-20s %-5s %-9s %-20s %-10s %s\n", sl->name, gen, state,
                       d ? d->name : "-", d && d->version ? d->version : "-",
                       sl->mod ? sl->mod->path : sl->path ? sl->path : "(default)");
    }
    return out->err;
}

int sk_supervisor_metrics(sk_supervisor *s, sk_text *out)
{
    char *text = NULL;
    size_t len = 0;
    int rc = sk_metrics_api_impl.render(s->metrics, &text, &len);
    if (rc)
        return rc;
    sk_text_append(out, text, len);
    free(text);
    return out->err;
}

/* Arguments: argv[1] the name, argv[2] an optional path. */
static int named(int argc, char **argv, const char **name, const char **path, char *err,
                 size_t errlen, int max_args)
{
    if (argc < 2 || argc > max_args || !*argv[1]) {
        snprintf(err, errlen, "usage: %s NAME%s", argv[0], max_args > 2 ? " [PATH]" : "");
        return -1;
    }
    *name = argv[1];
    *path = argc > 2 && *argv[2] ? argv[2] : NULL;
    return 0;
}

int sk_supervisor_admin(void *sup, int argc, char **argv, sk_text *body, char *err,
                        size_t errlen)
{
    sk_supervisor *s = sup;
    const char *cmd = argv[0], *name = NULL, *path = NULL;
    sk_metrics_api_impl.add(s->m_admin_requests, 1);
    if (strcmp(cmd, "list") == 0)
        return sk_supervisor_list(s, body);
    if (strcmp(cmd, "metrics") == 0)
        return sk_supervisor_metrics(s, body);
    int max = strcmp(cmd, "unload") == 0 ? 2 : 3;
    if (strcmp(cmd, "load") && strcmp(cmd, "unload") && strcmp(cmd, "reload")) {
        snprintf(err, errlen, "unknown admin command '%s' (list, metrics, load, unload, reload)",
                 cmd);
        return -1;
    }
    if (named(argc, argv, &name, &path, err, errlen, max) != 0)
        return -1;
    sk_hlog("admin", SK_LOG_INFO, "%s %s%s%s", cmd, name, path ? " " : "", path ? path : "");
    int rc;
    if (strcmp(cmd, "load") == 0)
        rc = sk_supervisor_load(s, name, path, err, errlen);
    else if (strcmp(cmd, "unload") == 0)
        rc = sk_supervisor_unload(s, name, err, errlen);
    else
        rc = sk_supervisor_reload(s, name, path, err, errlen);
    if (rc == 0)
        rc = sk_supervisor_list(s, body);
    return rc;
}
