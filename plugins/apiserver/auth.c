/* Authentication: the cluster admin's bearer token (created once and kept
 * in the plugin's data dir, so kubeconfigs stay valid across restarts)
 * and static tokens from a file in Kubernetes' CSV format
 *     token,user,uid,"group1,group2"
 * plus the kubeconfig written for the admin. The authorizer is a hook:
 * the default allows every authenticated user. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apiserver.h"
#include "base64.h"

static int read_small_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = 0;
    fclose(f);
    return 0;
}

int ap_write_private_file(const char *path, const char *text)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    size_t n = strlen(text), off = 0;
    while (off < n) {
        ssize_t w = write(fd, text + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = -errno;
            close(fd);
            unlink(tmp);
            return e ? e : -EIO;
        }
        off += (size_t)w;
    }
    if (fsync(fd) || close(fd)) {
        int e = -errno;
        unlink(tmp);
        return e;
    }
    if (rename(tmp, path)) {
        int e = -errno;
        unlink(tmp);
        return e;
    }
    return 0;
}

static int admin_token(ap_server *s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/admin-token", s->h->data_dir);
    char buf[128];
    if (read_small_file(path, buf, sizeof buf) == 0) {
        buf[strcspn(buf, "\r\n")] = 0;
        if (strlen(buf) >= 32 && strlen(buf) < sizeof s->admin_token) {
            snprintf(s->admin_token, sizeof s->admin_token, "%s", buf);
            return 0;
        }
        sk_warn(s->h, "apiserver: %s: malformed token; making a new one", path);
    }
    unsigned char raw[32];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        sk_error(s->h, "apiserver: getrandom: %s", strerror(errno));
        return -EIO;
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(s->admin_token + 2 * i, 3, "%02x", raw[i]);
    int rc = ap_write_private_file(path, s->admin_token);
    if (rc)
        sk_error(s->h, "apiserver: cannot write %s: %s", path, strerror(-rc));
    return rc;
}

/* One CSV field: quoted ("a,b") or bare; advances *p past the comma. */
static void csv_field(const char **p, char *out, size_t size)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '"') {
        s++;
        while (*s && *s != '"') {
            if (n + 1 < size)
                out[n++] = *s;
            s++;
        }
        if (*s == '"')
            s++;
    } else {
        while (*s && *s != ',' && *s != '\n' && *s != '\r') {
            if (n + 1 < size)
                out[n++] = *s;
            s++;
        }
    }
    out[n] = 0;
    if (*s == ',')
        s++;
    *p = s;
}

static int load_token_file(ap_server *s, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        sk_error(s->h, "apiserver: token_file %s: %s", path, strerror(errno));
        return SK_ECONFIG;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == 0)
            continue;
        char tok[256];
        const char *p = line;
        ap_token t = {0};
        csv_field(&p, tok, sizeof tok);
        csv_field(&p, t.user.name, sizeof t.user.name);
        csv_field(&p, t.user.uid, sizeof t.user.uid);
        csv_field(&p, t.user.groups, sizeof t.user.groups);
        if (!*tok || !*t.user.name) {
            sk_error(s->h, "apiserver: %s:%d: expected token,user,uid[,\"groups\"]", path, lineno);
            rc = SK_ECONFIG;
            break;
        }
        if (s->ntokens == AP_MAX_TOKENS) {
            sk_error(s->h, "apiserver: %s: more than %d tokens", path, AP_MAX_TOKENS);
            rc = SK_ECONFIG;
            break;
        }
        ap_token *nt = realloc(s->tokens, (s->ntokens + 1) * sizeof *nt);
        if (!nt || !(t.token = strdup(tok))) {
            if (nt)
                s->tokens = nt;
            rc = -ENOMEM;
            break;
        }
        s->tokens = nt;
        s->tokens[s->ntokens++] = t;
    }
    fclose(f);
    return rc;
}

int ap_auth_load(ap_server *s)
{
    int rc = admin_token(s);
    if (rc == 0 && s->conf.token_file)
        rc = load_token_file(s, s->conf.token_file);
    return rc;
}

void ap_auth_free(ap_server *s)
{
    for (size_t i = 0; i < s->ntokens; i++)
        free(s->tokens[i].token);
    free(s->tokens);
    s->tokens = NULL;
    s->ntokens = 0;
}

/* Compares in time independent of where the strings differ. */
static bool token_eq(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char d = na != nb;
    for (size_t i = 0; i < na && i < nb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

const ap_user *ap_auth_token(const ap_server *s, const char *token)
{
    static const ap_user admin = {"kubernetes-admin", "", "system:masters,system:authenticated"};
    if (!token || !*token)
        return NULL;
    if (token_eq(token, s->admin_token))
        return &admin;
    for (size_t i = 0; i < s->ntokens; i++)
        if (token_eq(token, s->tokens[i].token))
            return &s->tokens[i].user;
    return NULL;
}

int ap_authorize_default(void *arg, const ap_user *user, const char *verb,
                         const sk_resource *r, const char *ns, const char *name)
{
    (void)arg, (void)user, (void)verb, (void)r, (void)ns, (void)name;
    return 0;
}

int ap_write_kubeconfig(ap_server *s)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", s->h->data_dir);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = 0; /* data_dir is <data-dir>/<plugin>: its parent */
    snprintf(path, sizeof path, "%s/kubeconfig", dir);
    /* Over HTTPS the kubeconfig trusts the generated cluster CA, which is
     * kept across restarts; a configured certificate is trusted itself. */
    const char *trust = s->tls_ca ? s->tls_ca : s->tls_cert;
    char *ca = NULL;
    if (trust) {
        size_t n = strlen(trust);
        ca = malloc(sk_base64_len(n) + 1);
        if (!ca)
            return -ENOMEM;
        sk_base64_encode(trust, n, ca);
    }
    size_t tsize = 2048 + (ca ? strlen(ca) : 0);
    char *text = malloc(tsize);
    if (!text) {
        free(ca);
        return -ENOMEM;
    }
    snprintf(text, tsize,
             "apiVersion: v1\n"
             "kind: Config\n"
             "clusters:\n"
             "- name: skiff\n"
             "  cluster:\n"
             "    server: %s\n"
             "%s%s%s"
             "users:\n"
             "- name: admin\n"
             "  user:\n"
             "    token: %s\n"
             "contexts:\n"
             "- name: skiff\n"
             "  context:\n"
             "    cluster: skiff\n"
             "    user: admin\n"
             "    namespace: default\n"
             "current-context: skiff\n",
             s->url, ca ? "    certificate-authority-data: " : "", ca ? ca : "",
             ca ? "\n" : "", s->admin_token);
    free(ca);
    int rc = ap_write_private_file(path, text);
    free(text);
    if (rc) {
        sk_error(s->h, "apiserver: cannot write %s: %s", path, strerror(-rc));
        return rc;
    }
    char upath[4200], utext[128];
    snprintf(upath, sizeof upath, "%s/url", s->h->data_dir);
    snprintf(utext, sizeof utext, "%s\n", s->url);
    rc = ap_write_private_file(upath, utext);
    if (rc)
        sk_warn(s->h, "apiserver: cannot write %s: %s", upath, strerror(-rc));
    sk_info(s->h, "apiserver: serving %s; kubeconfig written to %s", s->url, path);
    return 0;
}
