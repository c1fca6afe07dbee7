/* The host's own configuration, read from the YAML tree (see config.h).
 * Every string is owned by the sk_host_config and freed with it. */
#ifndef SKIFF_HOST_CONFIG_H
#define SKIFF_HOST_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "skiff/config.h"

typedef struct sk_peer_conf {
    char *endpoint;   /* tcp://host:port to connect to */
    char *server_key; /* the peer's CURVE public key (Z85, 40 chars) */
} sk_peer_conf;

typedef struct sk_bus_conf {
    const char *node_name; /* points into sk_host_config */
    char **bind;           /* tcp:// endpoints to listen on; may be empty */
    size_t nbind;
    sk_peer_conf *connect; /* hosts to bridge to; may be empty */
    size_t nconnect;
    char *public_key; /* this host's CURVE key pair (Z85); required for TCP */
    char *secret_key;
    char **authorized_keys; /* client public keys allowed to connect */
    size_t nauthorized;
    int64_t hold_timeout_ms; /* how long requests wait for a swapped service */
} sk_bus_conf;

typedef struct sk_plugin_conf {
    char *name;           /* instance name, unique in the host */
    char *path;           /* .so path, or NULL for <plugin dir>/<name>.so */
    const sk_cfg *config; /* its `config:` subtree (an empty map if absent) */
    const char *where;    /* position of the entry, for messages */
} sk_plugin_conf;

typedef struct sk_host_config {
    char *node_name;   /* node.name; default: the machine's hostname */
    char *data_dir;    /* data_dir; CLI --data-dir wins */
    char *log_level;   /* log.level; CLI --log-level wins; NULL = info */
    char *admin_socket;  /* admin.socket; default <data_dir>/admin.sock */
    int64_t stop_timeout_ms;  /* stop_timeout; default 10 s */
    int64_t drain_timeout_ms; /* drain_timeout; default 10 s */
    sk_bus_conf bus;
    sk_plugin_conf *plugins;
    size_t nplugins;
} sk_host_config;

/* Reads the host schema from root. Unknown keys, wrong types and missing
 * fields fail with "file:line:column: message" in err. root must outlive
 * out (plugin subtrees point into it). 0 or SK_ECONFIG. */
int sk_host_config_parse(const sk_cfg *root, sk_host_config *out, char *err, size_t errlen);
void sk_host_config_free(sk_host_config *c);

#endif
