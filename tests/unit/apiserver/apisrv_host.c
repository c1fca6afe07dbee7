/* Child host for the apiserver suites (apisrv_host.h). */
#include "apisrv_host.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http_client.h"

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

static const char *build_dir(void)
{
    const char *d = getenv("SKIFF_BUILD_DIR");
    return d && *d ? d : ".";
}

int ah_start(ah_host *h, const char *extra)
{
    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "/tmp/sk-apitest-XXXXXX");
    if (!mkdtemp(h->dir))
        return -1;
    char cfg[400], text[2048], skiff[600], data[300], url[400];
    snprintf(cfg, sizeof cfg, "%s/host.yaml", h->dir);
    snprintf(data, sizeof data, "%s/data", h->dir);
    snprintf(h->log, sizeof h->log, "%s/host.log", h->dir);
    snprintf(url, sizeof url, "%s/apiserver/url", data);
    snprintf(skiff, sizeof skiff, "%s/bin/skiff", build_dir());
    snprintf(text, sizeof text,
             "node:\n  name: node-1\nplugins:\n"
             "  - name: store\n    path: etcd-store\n    config: {}\n"
             "  - name: apiserver\n    path: apiserver\n    config:\n      port: 0\n"
             /* The in-process client (http_client.c) speaks plain HTTP. */
             "      tls: false\n%s",
             extra ? extra : "");
    FILE *f = fopen(cfg, "w");
    if (!f)
        return -1;
    fputs(text, f);
    fclose(f);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* A crashed or aborted test must not leave its host running. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        FILE *lf = freopen(h->log, "w", stderr);
        (void)lf;
        dup2(2, 1);
        execl(skiff, skiff, "run", "-c", cfg, "--data-dir", data, "--log-level", "info",
              (char *)NULL);
        _exit(127);
    }
    h->pid = pid;
    for (int i = 0; i < 300; i++) { /* 15 s */
        h->port = hc_port_from_url_file(url);
        if (h->port > 0)
            break;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            h->pid = 0;
            break;
        }
        pause_ms(50);
    }
    if (h->port <= 0) {
        fprintf(stderr, "apiserver host did not come up; log %s:\n", h->log);
        char cmd[400];
        snprintf(cmd, sizeof cmd, "cat %s >&2", h->log);
        if (system(cmd) < 0)
            perror("system");
        ah_stop(h);
        return -1;
    }
    /* The bootstrap (namespaces) runs right after start: wait for it. */
    for (int i = 0; i < 200; i++) {
        hc_resp r;
        if (hc_request(h->port, "GET", "/api/v1/namespaces/default", NULL, NULL, &r, 5000) == 0) {
            int ok = r.code == 200;
            hc_resp_free(&r);
            if (ok)
                return 0;
        }
        pause_ms(50);
    }
    fprintf(stderr, "apiserver host: namespace default never appeared\n");
    ah_stop(h);
    return -1;
}

int ah_stop(ah_host *h)
{
    int code = -1;
    if (h->pid > 0) {
        kill(h->pid, SIGTERM);
        for (int i = 0; i < 400; i++) { /* 20 s */
            int st;
            pid_t r = waitpid(h->pid, &st, WNOHANG);
            if (r == h->pid) {
                code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                h->pid = 0;
                break;
            }
            pause_ms(50);
        }
        if (h->pid > 0) {
            fprintf(stderr, "apiserver host did not stop within 20 s; killing it\n");
            kill(h->pid, SIGKILL);
            waitpid(h->pid, NULL, 0);
            h->pid = 0;
        }
    }
    if (*h->dir && code != 0) {
        /* Show why it did not exit cleanly (sanitizer reports included). */
        char cmd[400];
        fprintf(stderr, "apiserver host exited with %d; the end of its log:\n", code);
        snprintf(cmd, sizeof cmd, "tail -40 '%s' >&2", h->log);
        if (system(cmd) < 0)
            perror("system");
    }
    if (*h->dir) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
        if (system(cmd) < 0)
            perror("system");
        *h->dir = 0;
    }
    return code;
}

int ah_token(const ah_host *h, char *buf, size_t size)
{
    char path[400];
    snprintf(path, sizeof path, "%s/data/apiserver/admin-token", h->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int rc = fgets(buf, (int)size, f) ? 0 : -1;
    fclose(f);
    buf[strcspn(buf, "\r\n")] = 0;
    return rc;
}
