/* A child `skiff run` host with etcd-store and apiserver on a free port,
 * for the apiserver's end-to-end-ish unit suites. Every wait is bounded;
 * ah_stop() (also registered with atexit) kills and reaps the child. */
#ifndef AH_APISRV_HOST_H
#define AH_APISRV_HOST_H

#include <sys/types.h>

typedef struct ah_host {
    pid_t pid;
    int port;
    char dir[256];
    char log[300];
} ah_host;

/* extra: YAML lines added under the apiserver's config (indented by the
 * caller with 6 spaces), or NULL. 0 or -1 (the log is printed). */
int ah_start(ah_host *h, const char *extra);
/* SIGTERM, then SIGKILL after 20 s; removes the directory. Returns the
 * child's exit status (128+signal when killed), or -1. */
int ah_stop(ah_host *h);
/* The admin token from <dir>/data/apiserver/admin-token into buf. */
int ah_token(const ah_host *h, char *buf, size_t size);

#endif
