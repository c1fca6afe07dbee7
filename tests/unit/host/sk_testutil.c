/* Test helpers (see sk_testutil.h). Waits poll with short sleeps against a
 * deadline: bounded, and independent of how fast the machine is. */
#include "sk_testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CHILDREN 64
static pid_t g_children[MAX_CHILDREN];
static int g_cleanup_registered;

uint64_t skt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void nap(void)
{
    struct timespec ts = {0, 5 * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *build_dir(void)
{
    const char *b = getenv("SKIFF_BUILD_DIR");
    if (!b || !*b) {
        fprintf(stderr, "SKIFF_BUILD_DIR is not set: run the tests through ctest\n");
        abort();
    }
    return b;
}

const char *skt_skiff(void)
{
    static char path[SKT_PATH];
    snprintf(path, sizeof path, "%s/bin/skiff", build_dir());
    return path;
}

void skt_plugin_path(const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/tests/plugins/%s.so", build_dir(), name);
}

const char *skt_plugin(const char *name)
{
    static char path[8][SKT_PATH];
    static int next;
    char *p = path[next++ % 8];
    skt_plugin_path(name, p, SKT_PATH);
    return p;
}

void skt_mkdtemp(char *out, size_t outlen)
{
    const char *t = getenv("TMPDIR");
    snprintf(out, outlen, "%s/skt-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(out)) {
        perror("mkdtemp");
        abort();
    }
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : 0;
}

void skt_rmrf(const char *dir)
{
    if (dir && *dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int skt_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

char *skt_read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

int skt_file_contains(const char *path, const char *needle)
{
    char *s = skt_read_file(path);
    int found = s && strstr(s, needle) != NULL;
    free(s);
    return found;
}

static void track(pid_t pid)
{
    if (!g_cleanup_registered) {
        atexit(skt_cleanup);
        g_cleanup_registered = 1;
    }
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (!g_children[i]) {
            g_children[i] = pid;
            return;
        }
}

static void untrack(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (g_children[i] == pid)
            g_children[i] = 0;
}

pid_t skt_spawn(char *const argv[], const char *out_path, const char *err_path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err_path ? err_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    /* The child must not inherit a mask that blocks SIGTERM (an in-process
     * supervisor of the same test blocks it). */
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        fprintf(stderr, "posix_spawn %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    track(pid);
    return pid;
}

int skt_wait(pid_t pid, int timeout_ms)
{
    uint64_t deadline = skt_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        int st = 0;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            untrack(pid);
            if (WIFEXITED(st))
                return WEXITSTATUS(st);
            return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
        }
        if (r < 0 && errno != EINTR)
            return -1;
        if (skt_now_ms() >= deadline)
            return -1;
        nap();
    }
}

void skt_kill(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    untrack(pid);
}

int skt_run(char *const argv[], const char *out_path, const char *err_path, int timeout_ms)
{
    pid_t pid = skt_spawn(argv, out_path, err_path);
    if (pid < 0)
        return -1;
    int rc = skt_wait(pid, timeout_ms);
    if (rc == -1) {
        fprintf(stderr, "%s did not finish within %d ms: killed\n", argv[0], timeout_ms);
        skt_kill(pid);
    }
    return rc;
}

void skt_cleanup(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (g_children[i])
            skt_kill(g_children[i]);
}

int skt_wait_until(int (*cond)(void *arg), void *arg, int timeout_ms)
{
    uint64_t deadline = skt_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        if (cond(arg))
            return 1;
        if (skt_now_ms() >= deadline)
            return 0;
        nap();
    }
}

static int socket_answers(void *arg)
{
    const char *path = arg;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

int skt_wait_socket(const char *path, int timeout_ms)
{
    return skt_wait_until(socket_answers, (void *)path, timeout_ms);
}

int skt_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

int64_t skt_stat(const char *stats_path, const char *key)
{
    char *s = skt_read_file(stats_path);
    if (!s)
        return -1;
    int64_t v = -1;
    size_t klen = strlen(key);
    for (char *line = s; line && *line;) {
        char *nl = strchr(line, '\n');
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
            v = strtoll(line + klen + 1, NULL, 10);
            break;
        }
        line = nl ? nl + 1 : NULL;
    }
    free(s);
    return v;
}

int skt_table_has(const char *table, const char *name, const char *gen, const char *state)
{
    for (const char *line = table; line && *line;) {
        char n[64], g[16], st[16];
        if (sscanf(line, "%63s %15s %15s", n, g, st) == 3 && strcmp(n, name) == 0 &&
            strcmp(g, gen) == 0 && strcmp(st, state) == 0)
            return 1;
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return 0;
}

void skt_fmt(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "test path or text too long: %s\n", fmt);
        abort();
    }
}
