/* Helpers for the host, hot-swap and TCP suites: fixtures and the built
 * binary, temp dirs, child processes with bounded waits. Every child
 * started here is killed and reaped by skt_cleanup() (also run at exit). */
#ifndef SK_TESTUTIL_H
#define SK_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SKT_PATH 4096

/* <build>/bin/skiff and <build>/tests/plugins/<name>.so (from the
 * SKIFF_BUILD_DIR that CTest sets; aborts when it is missing). */
const char *skt_skiff(void);
const char *skt_plugin(const char *name); /* static buffer per call site: copy it */
void skt_plugin_path(const char *name, char *out, size_t outlen);

/* A fresh 0700 temp dir, and its recursive removal. */
void skt_mkdtemp(char *out, size_t outlen);
void skt_rmrf(const char *dir);

int skt_write_file(const char *path, const char *text);
/* malloc'd file contents, NULL when unreadable. */
char *skt_read_file(const char *path);
int skt_file_contains(const char *path, const char *needle);

/* Starts argv[0] with stdout/stderr to files (NULL: /dev/null). */
pid_t skt_spawn(char *const argv[], const char *out_path, const char *err_path);
/* Waits for pid up to timeout_ms: its exit code (128+signal when killed),
 * or -1 on timeout (the child is then left running). */
int skt_wait(pid_t pid, int timeout_ms);
/* SIGKILL + reap. */
void skt_kill(pid_t pid);
/* Runs to completion within timeout_ms (killed after it: returns -1). */
int skt_run(char *const argv[], const char *out_path, const char *err_path, int timeout_ms);
void skt_cleanup(void);

/* Polls cond(arg) every few ms until true or timeout_ms passed. */
int skt_wait_until(int (*cond)(void *arg), void *arg, int timeout_ms);
/* Until a host answers on the admin socket at path (connect succeeds). */
int skt_wait_socket(const char *path, int timeout_ms);

/* A TCP port free on 127.0.0.1 right now. */
int skt_free_port(void);

/* fx-probe's stats file: the value of key, or -1. */
int64_t skt_stat(const char *stats_path, const char *key);

uint64_t skt_now_ms(void);

/* snprintf that aborts the test run on truncation. */
__attribute__((format(printf, 3, 4))) void skt_fmt(char *out, size_t size, const char *fmt, ...);

/* Whether a `skiff plugin list` table has the row NAME GEN STATE ... */
int skt_table_has(const char *table, const char *name, const char *gen, const char *state);

#endif
