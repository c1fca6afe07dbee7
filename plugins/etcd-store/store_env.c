/* Opening and owning the LMDB environment: the data directory's lock,
 * the format marker, the named databases and map growth. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/errors.h"
#include "store_int.h"

#define ST_MARKER "skiff etcd-store format "
#define ST_FORMAT "1"
#define ST_MAX_READERS 510
#define ST_DEFAULT_MAP (64ull << 20)

int st_mdb_err(int rc, const char *what, char *err, size_t errlen)
{
    if (rc == MDB_MAP_FULL)
        return ST_EMAPFULL;
    if (rc == MDB_TXN_FULL)
        return ST_ETXNFULL;
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", what, mdb_strerror(rc));
    if (rc == ENOMEM)
        return -ENOMEM;
    return SK_EINTERNAL;
}

/* One store per directory: LMDB would let two processes share the file,
 * but the revision counter and the watchers live in this process. */
static int lock_dir(sk_store *st, char *err, size_t errlen)
{
    char path[4096];
    struct stat sb;
    if (stat(st->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "data dir %s: %s", st->dir,
                 errno ? strerror(errno) : "not a directory");
        return errno ? -errno : -ENOTDIR;
    }
    if ((size_t)snprintf(path, sizeof path, "%s/store.lock", st->dir) >= sizeof path) {
        snprintf(err, errlen, "data dir path too long: %s", st->dir);
        return -ENAMETOOLONG;
    }
    st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (st->lock_fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -errno;
    }
    if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path,
                 e == EWOULDBLOCK ? "data dir in use by another store" : strerror(e));
        close(st->lock_fd);
        st->lock_fd = -1;
        return e == EWOULDBLOCK ? SK_EEXISTS : -e;
    }
    return 0;
}

static int create_env(sk_store *st, char *err, size_t errlen)
{
    int rc = mdb_env_create(&st->env);
    if (rc)
        return st_mdb_err(rc, "mdb_env_create", err, errlen);
    uint64_t map = st->o.initial_map_bytes ? st->o.initial_map_bytes : ST_DEFAULT_MAP;
    if ((rc = mdb_env_set_maxdbs(st->env, 8)) ||
        (rc = mdb_env_set_maxreaders(st->env, ST_MAX_READERS)) ||
        (rc = mdb_env_set_mapsize(st->env, (size_t)map)))
        return st_mdb_err(rc, "lmdb setup", err, errlen);
    /* NOTLS: read txns belong to no thread; NORDAHEAD: random access.
     * Commits stay synchronous, so a commit that returned is on disk. */
    rc = mdb_env_open(st->env, st->dir, MDB_NOTLS | MDB_NORDAHEAD, 0600);
    if (rc) {
        const char *why = rc == MDB_INVALID           ? "not an LMDB data file"
                          : rc == MDB_VERSION_MISMATCH ? "LMDB version mismatch"
                                                       : mdb_strerror(rc);
        snprintf(err, errlen, "%s/data.mdb: cannot open: %s; refusing to start", st->dir, why);
        return rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH ? SK_ECONFIG : SK_EINTERNAL;
    }
    int dead = 0;
    if ((rc = mdb_reader_check(st->env, &dead)))
        return st_mdb_err(rc, "mdb_reader_check", err, errlen);
    MDB_envinfo info;
    MDB_stat est;
    if ((rc = mdb_env_info(st->env, &info)) || (rc = mdb_env_stat(st->env, &est)))
        return st_mdb_err(rc, "mdb_env_info", err, errlen);
    st->map_size = info.me_mapsize;
    st->page_size = est.ms_psize;
    return 0;
}

/* An environment whose main db is empty holds nothing (e.g. creation was
 * interrupted): safe to initialise. Anything else must carry our marker. */
static int check_marker(sk_store *st, MDB_txn *txn, bool *fresh, char *err, size_t errlen)
{
    MDB_stat ms;
    MDB_dbi main_db;
    int rc = mdb_dbi_open(txn, NULL, 0, &main_db);
    if (rc == 0)
        rc = mdb_stat(txn, main_db, &ms);
    if (rc)
        return st_mdb_err(rc, "mdb_stat(main)", err, errlen);
    *fresh = ms.ms_entries == 0;
    if (*fresh)
        return 0;
    rc = mdb_dbi_open(txn, "meta", 0, &st->db_meta);
    if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
        snprintf(err, errlen, "%s/data.mdb: not a skiff store (no meta database); refusing to "
                 "start, nothing was changed", st->dir);
        return SK_ECONFIG;
    }
    if (rc)
        return st_mdb_err(rc, "open meta db", err, errlen);
    MDB_val k = {6, "format"}, v;
    rc = mdb_get(txn, st->db_meta, &k, &v);
    if (rc == 0 && v.mv_size == strlen(ST_MARKER ST_FORMAT) &&
        memcmp(v.mv_data, ST_MARKER ST_FORMAT, v.mv_size) == 0)
        return 0;
    if (rc && rc != MDB_NOTFOUND)
        return st_mdb_err(rc, "read format marker", err, errlen);
    if (rc == 0 && v.mv_size > strlen(ST_MARKER) && memcmp(v.mv_data, ST_MARKER, strlen(ST_MARKER)) == 0)
        snprintf(err, errlen, "%s/data.mdb: store format %.*s, this build reads format "
                 ST_FORMAT "; refusing to start", st->dir,
                 (int)(v.mv_size - strlen(ST_MARKER)), (const char *)v.mv_data + strlen(ST_MARKER));
    else
        snprintf(err, errlen, "%s/data.mdb: no skiff store marker; refusing to start, nothing "
                 "was changed", st->dir);
    return SK_ECONFIG;
}

static int open_dbs(sk_store *st, MDB_txn *txn, bool fresh, char *err, size_t errlen)
{
    unsigned fl = fresh ? MDB_CREATE : 0;
    struct { const char *name; MDB_dbi *dbi; } dbs[] = {
        {"meta", &st->db_meta}, {"idx", &st->db_idx}, {"hist", &st->db_hist},
        {"revlog", &st->db_rev}, {"lease", &st->db_lease}, {"leasekeys", &st->db_lkeys},
    };
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
        int rc = mdb_dbi_open(txn, dbs[i].name, fl, dbs[i].dbi);
        if (rc) {
            char what[64];
            snprintf(what, sizeof what, "open %s db", dbs[i].name);
            return st_mdb_err(rc, what, err, errlen);
        }
    }
    int rc = mdb_set_compare(txn, st->db_hist, st_hkey_cmp);
    if (rc)
        return st_mdb_err(rc, "set hist comparator", err, errlen);
    if (!fresh)
        return 0;
    MDB_val k = {6, "format"}, v = {strlen(ST_MARKER ST_FORMAT), ST_MARKER ST_FORMAT};
    if ((rc = mdb_put(txn, st->db_meta, &k, &v, 0)))
        return st_mdb_err(rc, "write format marker", err, errlen);
    /* etcd's first revision: the empty store is at 1, the first write 2. */
    return st_meta_put_u64(txn, st, "rev", 1);
}

static int load_meta(sk_store *st, MDB_txn *txn, char *err, size_t errlen)
{
    uint64_t rev = 1, compact = 0, done = 0, lnext = 1;
    int rc;
    if ((rc = st_meta_get_u64(txn, st, "rev", &rev)) ||
        (rc = st_meta_get_u64(txn, st, "compact", &compact)) ||
        (rc = st_meta_get_u64(txn, st, "compact_done", &done)) ||
        (rc = st_meta_get_u64(txn, st, "lease_next", &lnext))) {
        snprintf(err, errlen, "%s/data.mdb: unreadable meta record", st->dir);
        return rc;
    }
    atomic_store(&st->rev, (int64_t)rev);
    atomic_store(&st->compact_rev, (int64_t)compact);
    st->compact_done = (int64_t)done;
    st->lease_next = (int64_t)lnext;
    return 0;
}

int st_env_open(sk_store *st, char *err, size_t errlen)
{
    int rc = lock_dir(st, err, errlen);
    if (rc)
        return rc;
    if ((rc = create_env(st, err, errlen)))
        return rc;
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)))
        return st_mdb_err(rc, "begin setup txn", err, errlen);
    bool fresh = false;
    if ((rc = check_marker(st, txn, &fresh, err, errlen)) ||
        (rc = open_dbs(st, txn, fresh, err, errlen)) ||
        (rc = load_meta(st, txn, err, errlen)) ||
        (rc = st_leases_load(st, txn, err, errlen))) {
        mdb_txn_abort(txn);
        return rc;
    }
    if ((rc = mdb_txn_commit(txn)))
        return st_mdb_err(rc, "commit setup txn", err, errlen);
    return 0;
}

void st_env_close(sk_store *st)
{
    if (st->env) {
        mdb_env_close(st->env);
        st->env = NULL;
    }
    if (st->lock_fd >= 0) {
        close(st->lock_fd);
        st->lock_fd = -1;
    }
}

int st_env_grow(sk_store *st, char *err, size_t errlen)
{
    uint64_t want = st->map_size * 2;
    pthread_rwlock_wrlock(&st->map_lock);
    int rc = mdb_env_set_mapsize(st->env, (size_t)want);
    MDB_envinfo info;
    if (rc == 0 && (rc = mdb_env_info(st->env, &info)) == 0)
        st->map_size = info.me_mapsize;
    pthread_rwlock_unlock(&st->map_lock);
    if (rc)
        return st_mdb_err(rc, "grow map", err, errlen);
    return 0;
}

int st_meta_get_u64(MDB_txn *txn, sk_store *st, const char *name, uint64_t *out)
{
    MDB_val k = {strlen(name), (void *)name}, v;
    int rc = mdb_get(txn, st->db_meta, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc || v.mv_size != 8)
        return SK_EINTERNAL;
    *out = st_get_u64(v.mv_data);
    return 0;
}

int st_meta_put_u64(MDB_txn *txn, sk_store *st, const char *name, uint64_t val)
{
    uint8_t b[8];
    st_put_u64(b, val);
    MDB_val k = {strlen(name), (void *)name}, v = {8, b};
    int rc = mdb_put(txn, st->db_meta, &k, &v, 0);
    return rc ? st_mdb_err(rc, "write meta", NULL, 0) : 0;
}

uint64_t st_env_in_use(MDB_txn *txn, sk_store *st)
{
    MDB_dbi dbs[] = {1 /* main */, st->db_meta, st->db_idx, st->db_hist, st->db_rev, st->db_lease,
                     st->db_lkeys};
    uint64_t pages = 0;
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
        MDB_stat ms;
        if (mdb_stat(txn, dbs[i], &ms) == 0)
            pages += ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages;
    }
    return pages * st->page_size;
}

int st_read_begin(sk_store *st, MDB_txn **txn)
{
    pthread_rwlock_rdlock(&st->map_lock);
    int rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn);
    if (rc) {
        pthread_rwlock_unlock(&st->map_lock);
        return st_mdb_err(rc, "begin read txn", NULL, 0);
    }
    return 0;
}

void st_read_end(sk_store *st, MDB_txn *txn)
{
    mdb_txn_abort(txn);
    pthread_rwlock_unlock(&st->map_lock);
}
