/* The host's own schema (docs/CONFIG.md), read from the config tree.
 *
 * Every map of the schema is checked for unknown keys before its fields are
 * read, so a typo is reported at the typo rather than as a missing field. A
 * key whose value is null counts as absent (its default applies); a required
 * key given as null is a type error at the null itself. Messages read
 * "file:line:column: path: problem", path naming the node the way a user
 * would look for it ("bus.connect[0].server_key"). */
#include "host_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "config.h"
#include "skiff/errors.h"

#define HC_PATH 256
#define HC_MAX_PLUGINS 1024
#define HC_KEY_LEN 40
#define HC_DEFAULT_TIMEOUT_MS 10000

static const char z85_chars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                ".-:+=^!/*?&<>()[]{}@%$#";

typedef struct hc_err {
    char *buf;
    size_t len;
} hc_err;

__attribute__((format(printf, 4, 5))) static int fail(hc_err *e, const char *where,
                                                      const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (e->buf && e->len) {
        if (path && *path)
            snprintf(e->buf, e->len, "%s: %s: %s", where, path, msg);
        else
            snprintf(e->buf, e->len, "%s: %s", where, msg);
    }
    return SK_ECONFIG;
}

static int oom(hc_err *e, const char *where)
{
    fail(e, where, NULL, "out of memory reading the host config");
    return -ENOMEM;
}

/* Schema paths are short; a truncated one would still read fine. */
static void key_path(char *buf, const char *parent, const char *key)
{
    if (snprintf(buf, HC_PATH, "%s%s%s", parent, *parent ? "." : "", key) >= HC_PATH)
        buf[HC_PATH - 1] = '\0';
}

static void index_path(char *buf, const char *parent, size_t i)
{
    if (snprintf(buf, HC_PATH, "%s[%zu]", parent, i) >= HC_PATH)
        buf[HC_PATH - 1] = '\0';
}

static const char *kind(const sk_cfg *n)
{
    switch (sk_cfg_api_impl.type(n)) {
    case SK_CFG_MAP:
        return "a map";
    case SK_CFG_LIST:
        return "a list";
    case SK_CFG_SCALAR:
        return "a scalar";
    default:
        return "null";
    }
}

static int type_error(hc_err *e, const sk_cfg *n, const char *path, const char *want)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    if (api->type(n) == SK_CFG_SCALAR)
        return fail(e, api->where(n), path, "expected %s, got '%s'", want, api->str(n));
    return fail(e, api->where(n), path, "expected %s, got %s", want, kind(n));
}

/* The raw value of key in map, null included; NULL when the key is absent. */
static const sk_cfg *entry(const sk_cfg *map, const char *key)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    for (size_t i = 0; i < api->len(map); i++)
        if (strcmp(api->key(map, i), key) == 0)
            return api->at(map, i);
    return NULL;
}

/* entry(), with null meaning absent. */
static const sk_cfg *value(const sk_cfg *map, const char *key)
{
    const sk_cfg *v = entry(map, key);
    return sk_cfg_api_impl.type(v) == SK_CFG_NULL ? NULL : v;
}

static int check_keys(hc_err *e, const sk_cfg *map, const char *path, const char *const *known)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    for (size_t i = 0; i < api->len(map); i++) {
        const char *k = api->key(map, i);
        size_t j = 0;
        while (known[j] && strcmp(known[j], k) != 0)
            j++;
        if (known[j])
            continue;
        char list[256] = "";
        for (j = 0; known[j]; j++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "", known[j]);
        }
        return fail(e, sk_cfg_key_where(map, i), path, "unknown key '%s' (known: %s)", k, list);
    }
    return 0;
}

/* An optional sub-map: *out is NULL when absent or null. */
static int opt_map(hc_err *e, const sk_cfg *parent, const char *key, const char *path,
                   const sk_cfg **out)
{
    *out = value(parent, key);
    if (*out && sk_cfg_api_impl.type(*out) != SK_CFG_MAP)
        return type_error(e, *out, path, "a map");
    return 0;
}

static int opt_list(hc_err *e, const sk_cfg *parent, const char *key, const char *path,
                    const sk_cfg **out)
{
    *out = value(parent, key);
    if (*out && sk_cfg_api_impl.type(*out) != SK_CFG_LIST)
        return type_error(e, *out, path, "a list");
    return 0;
}

typedef int (*str_check)(hc_err *e, const char *s, const char *where, const char *path);

static int dup_string(hc_err *e, const sk_cfg *n, const char *path, str_check check,
                      char **out)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    const char *s = api->str(n);
    if (!s)
        return type_error(e, n, path, "a string");
    if (!*s)
        return fail(e, api->where(n), path, "must not be empty");
    int rc = check ? check(e, s, api->where(n), path) : 0;
    if (rc)
        return rc;
    if (!(*out = strdup(s)))
        return oom(e, api->where(n));
    return 0;
}

static int opt_string(hc_err *e, const sk_cfg *map, const char *key, const char *parent,
                      str_check check, char **out)
{
    char path[HC_PATH];
    key_path(path, parent, key);
    const sk_cfg *v = value(map, key);
    return v ? dup_string(e, v, path, check, out) : 0;
}

static int req_string(hc_err *e, const sk_cfg *map, const char *key, const char *parent,
                      str_check check, char **out)
{
    char path[HC_PATH];
    key_path(path, parent, key);
    const sk_cfg *v = entry(map, key);
    if (!v)
        return fail(e, sk_cfg_api_impl.where(map), parent, "missing required key '%s'", key);
    return dup_string(e, v, path, check, out);
}

static int opt_duration(hc_err *e, const sk_cfg *map, const char *key, const char *parent,
                        int64_t *out)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    char path[HC_PATH];
    key_path(path, parent, key);
    const sk_cfg *v = value(map, key);
    if (!v)
        return 0;
    if (api->to_duration_ms(v, out) != 0)
        return type_error(e, v, path, "a duration (e.g. 250ms, 5s, 2m, 1h)");
    return 0;
}

/* ---- value checks ------------------------------------------------------ */

static int check_z85_key(hc_err *e, const char *s, const char *where, const char *path)
{
    size_t n = strlen(s);
    if (n != HC_KEY_LEN)
        return fail(e, where, path, "a CURVE key is 40 Z85 characters, this one has %zu", n);
    size_t bad = strspn(s, z85_chars);
    if (bad < n)
        return fail(e, where, path, "invalid Z85 character #%02X at offset %zu",
                    (unsigned char)s[bad], bad);
    return 0;
}

/* tcp://HOST:PORT, PORT a number or '*' (any free port, for bind). */
static int check_endpoint(hc_err *e, const char *s, const char *where, const char *path)
{
    const char *hint = "expected tcp://HOST:PORT";
    if (strncmp(s, "tcp://", 6) != 0)
        return fail(e, where, path, "%s, got '%s' (only tcp:// links are supported)", hint, s);
    const char *colon = strrchr(s + 6, ':');
    if (!colon || colon == s + 6)
        return fail(e, where, path, "%s, got '%s'", hint, s);
    const char *port = colon + 1;
    if (strcmp(port, "*") == 0)
        return 0;
    char *end;
    errno = 0;
    long p = strtol(port, &end, 10);
    if (!*port || *end || *port == '-' || *port == '+' || errno || p > 65535)
        return fail(e, where, path, "%s, got '%s' (bad port)", hint, s);
    return 0;
}

static int check_plugin_name(hc_err *e, const char *s, const char *where, const char *path)
{
    size_t n = strlen(s);
    if (n > 63 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
        return fail(e, where, path,
                    "invalid plugin name '%s' (1 to 63 characters of a-z, 0-9 and '-')", s);
    return 0;
}

/* A DNS-1123 subdomain, as Kubernetes requires of node names. */
static int check_node_name(hc_err *e, const char *s, const char *where, const char *path)
{
    size_t n = strlen(s);
    int ok = n <= 253;
    for (size_t i = 0; ok && i < n; i++) {
        char c = s[i], prev = i ? s[i - 1] : '.', next = s[i + 1] ? s[i + 1] : '.';
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (c == '-')
            ok = prev != '.' && next != '.';
        else if (c == '.')
            ok = prev != '.' && prev != '-' && i + 1 < n;
        else
            ok = alnum;
    }
    if (!ok)
        return fail(e, where, path,
                    "invalid node name '%s' (lower-case letters, digits, '-' and '.', as a "
                    "DNS name)",
                    s);
    return 0;
}

static int check_log_level(hc_err *e, const char *s, const char *where, const char *path)
{
    static const char *const levels[] = {"error", "warn", "info", "debug", "trace"};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (strcmp(s, levels[i]) == 0)
            return 0;
    return fail(e, where, path, "unknown log level '%s' (error, warn, info, debug, trace)", s);
}

/* ---- sections ---------------------------------------------------------- */

static int default_node_name(hc_err *e, const sk_cfg *root, char **out)
{
    char host[256];
    if (gethostname(host, sizeof host) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost"); /* no name is better than no host */
    host[sizeof host - 1] = '\0';
    for (char *p = host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    if (!(*out = strdup(host)))
        return oom(e, sk_cfg_api_impl.where(root));
    return 0;
}

static int parse_node(hc_err *e, const sk_cfg *root, sk_host_config *c)
{
    static const char *const keys[] = {"name", NULL};
    const sk_cfg *node;
    int rc = opt_map(e, root, "node", "node", &node);
    if (!rc && node)
        rc = check_keys(e, node, "node", keys);
    if (!rc && node)
        rc = opt_string(e, node, "name", "node", check_node_name, &c->node_name);
    if (!rc && !c->node_name)
        rc = default_node_name(e, root, &c->node_name);
    c->bus.node_name = c->node_name;
    return rc;
}

/* A section holding one optional string: log.level, admin.socket. */
static int parse_section(hc_err *e, const sk_cfg *root, const char *section, const char *key,
                         str_check check, char **out)
{
    const char *keys[] = {key, NULL};
    const sk_cfg *map;
    int rc = opt_map(e, root, section, section, &map);
    if (!rc && map)
        rc = check_keys(e, map, section, keys);
    if (!rc && map)
        rc = opt_string(e, map, key, section, check, out);
    return rc;
}

static int string_list(hc_err *e, const sk_cfg *map, const char *key, const char *parent,
                       str_check check, char ***out, size_t *n)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    char path[HC_PATH], ipath[HC_PATH];
    key_path(path, parent, key);
    const sk_cfg *list;
    int rc = opt_list(e, map, key, path, &list);
    if (rc || !list || api->len(list) == 0)
        return rc;
    if (!(*out = calloc(api->len(list), sizeof **out)))
        return oom(e, api->where(list));
    for (size_t i = 0; i < api->len(list); i++) {
        index_path(ipath, path, i);
        if ((rc = dup_string(e, api->at(list, i), ipath, check, &(*out)[i])))
            return rc;
        (*n)++;
    }
    return 0;
}

static int parse_peer(hc_err *e, const sk_cfg *item, const char *path, sk_peer_conf *p)
{
    static const char *const keys[] = {"endpoint", "server_key", NULL};
    if (sk_cfg_api_impl.type(item) != SK_CFG_MAP)
        return type_error(e, item, path, "a map with endpoint and server_key");
    int rc = check_keys(e, item, path, keys);
    if (!rc)
        rc = req_string(e, item, "endpoint", path, check_endpoint, &p->endpoint);
    if (!rc)
        rc = req_string(e, item, "server_key", path, check_z85_key, &p->server_key);
    return rc;
}

static int parse_connect(hc_err *e, const sk_cfg *bus, sk_bus_conf *b)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    const sk_cfg *list;
    char path[HC_PATH];
    int rc = opt_list(e, bus, "connect", "bus.connect", &list);
    if (rc || !list || api->len(list) == 0)
        return rc;
    if (!(b->connect = calloc(api->len(list), sizeof *b->connect)))
        return oom(e, api->where(list));
    for (size_t i = 0; i < api->len(list); i++) {
        index_path(path, "bus.connect", i);
        b->nconnect++; /* counted first so free() sees a half-filled entry */
        if ((rc = parse_peer(e, api->at(list, i), path, &b->connect[i])))
            return rc;
    }
    return 0;
}

/* A public key that is not the secret key's would only fail at the first
 * handshake, on the other host; catch it here when libzmq can tell. */
static int check_key_pair(hc_err *e, const sk_cfg *curve, const sk_bus_conf *b)
{
    char derived[HC_KEY_LEN + 1];
    if (zmq_curve_public(derived, b->secret_key) != 0)
        return 0; /* libzmq without CURVE: the broker will say so */
    if (strcmp(derived, b->public_key) != 0)
        return fail(e, sk_cfg_api_impl.where(value(curve, "public_key")), "bus.curve.public_key",
                    "does not belong to bus.curve.secret_key");
    return 0;
}

static int parse_curve(hc_err *e, const sk_cfg *bus, sk_bus_conf *b)
{
    static const char *const keys[] = {"public_key", "secret_key", NULL};
    const sk_cfg *curve;
    int rc = opt_map(e, bus, "curve", "bus.curve", &curve);
    if (rc)
        return rc;
    if (!curve) {
        if (b->nbind || b->nconnect)
            return fail(e, sk_cfg_api_impl.where(bus), "bus",
                        "'curve' is required when 'bind' or 'connect' is set");
        return 0;
    }
    rc = check_keys(e, curve, "bus.curve", keys);
    if (!rc)
        rc = req_string(e, curve, "public_key", "bus.curve", check_z85_key, &b->public_key);
    if (!rc)
        rc = req_string(e, curve, "secret_key", "bus.curve", check_z85_key, &b->secret_key);
    if (!rc)
        rc = check_key_pair(e, curve, b);
    return rc;
}

static int parse_bus(hc_err *e, const sk_cfg *root, sk_bus_conf *b)
{
    static const char *const keys[] = {"bind", "connect", "curve", "authorized_keys",
                                       "hold_timeout", NULL};
    const sk_cfg *bus;
    b->hold_timeout_ms = HC_DEFAULT_TIMEOUT_MS;
    int rc = opt_map(e, root, "bus", "bus", &bus);
    if (rc || !bus)
        return rc;
    if ((rc = check_keys(e, bus, "bus", keys)))
        return rc;
    if ((rc = string_list(e, bus, "bind", "bus", check_endpoint, &b->bind, &b->nbind)))
        return rc;
    if ((rc = parse_connect(e, bus, b)))
        return rc;
    if ((rc = parse_curve(e, bus, b)))
        return rc;
    if ((rc = string_list(e, bus, "authorized_keys", "bus", check_z85_key, &b->authorized_keys,
                          &b->nauthorized)))
        return rc;
    return opt_duration(e, bus, "hold_timeout", "bus", &b->hold_timeout_ms);
}

static int check_unique_name(hc_err *e, const sk_host_config *c, size_t i, const sk_cfg *list)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    for (size_t j = 0; j < i; j++) {
        if (strcmp(c->plugins[j].name, c->plugins[i].name) != 0)
            continue;
        char path[HC_PATH];
        snprintf(path, sizeof path, "plugins[%zu].name", i);
        return fail(e, api->where(entry(api->at(list, i), "name")), path,
                    "duplicate plugin name '%s' (first at %s)", c->plugins[i].name,
                    api->where(entry(api->at(list, j), "name")));
    }
    return 0;
}

static int parse_plugin(hc_err *e, const sk_cfg *item, const char *path, sk_plugin_conf *p)
{
    static const char *const keys[] = {"name", "path", "config", NULL};
    const sk_cfg_api *api = &sk_cfg_api_impl;
    char cpath[HC_PATH];
    if (api->type(item) != SK_CFG_MAP)
        return type_error(e, item, path, "a map with at least 'name'");
    p->where = api->where(item);
    int rc = check_keys(e, item, path, keys);
    if (!rc)
        rc = req_string(e, item, "name", path, check_plugin_name, &p->name);
    if (!rc)
        rc = opt_string(e, item, "path", path, NULL, &p->path);
    if (rc)
        return rc;
    key_path(cpath, path, "config");
    rc = opt_map(e, item, "config", cpath, &p->config);
    if (!p->config)
        p->config = sk_cfg_empty_map();
    return rc;
}

static int parse_plugins(hc_err *e, const sk_cfg *root, sk_host_config *c)
{
    const sk_cfg_api *api = &sk_cfg_api_impl;
    const sk_cfg *list = entry(root, "plugins");
    char path[HC_PATH];
    if (!list)
        return fail(e, api->where(root), NULL,
                    "missing required key 'plugins' (a list; 'plugins: []' for none)");
    if (api->type(list) != SK_CFG_LIST)
        return type_error(e, list, "plugins", "a list");
    size_t n = api->len(list);
    if (n > HC_MAX_PLUGINS)
        return fail(e, api->where(list), "plugins", "more than %d plugins", HC_MAX_PLUGINS);
    if (n && !(c->plugins = calloc(n, sizeof *c->plugins)))
        return oom(e, api->where(list));
    for (size_t i = 0; i < n; i++) {
        index_path(path, "plugins", i);
        c->nplugins++; /* counted first so free() sees a half-filled entry */
        int rc = parse_plugin(e, api->at(list, i), path, &c->plugins[i]);
        if (!rc)
            rc = check_unique_name(e, c, i, list);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_all(hc_err *e, const sk_cfg *root, sk_host_config *c)
{
    static const char *const keys[] = {"node",         "data_dir",      "log", "admin",
                                       "stop_timeout", "drain_timeout", "bus", "plugins",
                                       NULL};
    int rc = check_keys(e, root, "", keys);
    if (!rc)
        rc = parse_node(e, root, c);
    if (!rc)
        rc = opt_string(e, root, "data_dir", "", NULL, &c->data_dir);
    if (!rc)
        rc = parse_section(e, root, "log", "level", check_log_level, &c->log_level);
    if (!rc)
        rc = parse_section(e, root, "admin", "socket", NULL, &c->admin_socket);
    if (!rc)
        rc = opt_duration(e, root, "stop_timeout", "", &c->stop_timeout_ms);
    if (!rc)
        rc = opt_duration(e, root, "drain_timeout", "", &c->drain_timeout_ms);
    if (!rc)
        rc = parse_bus(e, root, &c->bus);
    if (!rc)
        rc = parse_plugins(e, root, c);
    return rc;
}

int sk_host_config_parse(const sk_cfg *root, sk_host_config *out, char *err, size_t errlen)
{
    hc_err e = {err, errlen};
    if (!out) {
        fail(&e, "sk_host_config_parse", NULL, "out is NULL");
        return -EINVAL;
    }
    memset(out, 0, sizeof *out);
    out->stop_timeout_ms = HC_DEFAULT_TIMEOUT_MS;
    out->drain_timeout_ms = HC_DEFAULT_TIMEOUT_MS;
    if (sk_cfg_api_impl.type(root) != SK_CFG_MAP)
        return type_error(&e, root, NULL, "a map at the top of the config");
    int rc = parse_all(&e, root, out);
    if (rc)
        sk_host_config_free(out);
    return rc;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void sk_host_config_free(sk_host_config *c)
{
    if (!c)
        return;
    free(c->node_name);
    free(c->data_dir);
    free(c->log_level);
    free(c->admin_socket);
    free_strings(c->bus.bind, c->bus.nbind);
    for (size_t i = 0; i < c->bus.nconnect; i++) {
        free(c->bus.connect[i].endpoint);
        free(c->bus.connect[i].server_key);
    }
    free(c->bus.connect);
    free(c->bus.public_key);
    free(c->bus.secret_key);
    free_strings(c->bus.authorized_keys, c->bus.nauthorized);
    for (size_t i = 0; i < c->nplugins; i++) {
        free(c->plugins[i].name);
        free(c->plugins[i].path);
    }
    free(c->plugins);
    memset(c, 0, sizeof *c);
}
