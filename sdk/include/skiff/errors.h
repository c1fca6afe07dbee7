/* skiff SDK — error codes.
 *
 * Every SDK and host function returns 0 on success or a negative code:
 * either -errno (e.g. -ENOMEM, -EINVAL) or one of the SK_E* codes below,
 * which live in a private range so the two never collide (LMDB's model).
 * sk_strerror() names both kinds. */
#ifndef SKIFF_ERRORS_H
#define SKIFF_ERRORS_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
    SK_EBASE = -30000,
    SK_ENOSERVICE = SK_EBASE,      /* no plugin serves that bus service */
    SK_ETIMEDOUT = SK_EBASE - 1,   /* deadline passed before a reply */
    SK_EBADMSG = SK_EBASE - 2,     /* malformed envelope or payload */
    SK_EABI = SK_EBASE - 3,        /* plugin ABI mismatch */
    SK_ECONFIG = SK_EBASE - 4,     /* invalid configuration */
    SK_EFULL = SK_EBASE - 5,       /* a queue is full; nothing was sent */
    SK_ECANCELED = SK_EBASE - 6,   /* the operation was cancelled */
    SK_ESTOPPED = SK_EBASE - 7,    /* the plugin or host is stopping */
    SK_EDENIED = SK_EBASE - 8,     /* refused by authentication/authorization */
    SK_ENOTFOUND = SK_EBASE - 9,   /* no such key / object / plugin */
    SK_EEXISTS = SK_EBASE - 10,    /* already exists */
    SK_ECONFLICT = SK_EBASE - 11,  /* compare failed / stale revision */
    SK_ECOMPACTED = SK_EBASE - 12, /* revision older than the compaction point */
    SK_ETOOLARGE = SK_EBASE - 13,  /* value or request over its size limit */
    SK_EQUOTA = SK_EBASE - 14,     /* storage quota exhausted */
    SK_EINTERNAL = SK_EBASE - 15,  /* bug or unexpected library failure */
    SK_EUNAVAILABLE = SK_EBASE - 16, /* service temporarily unable (swapping, draining) */
    SK_ELAST = SK_EBASE - 16
};

/* Static string for any code this SDK returns (SK_E* or -errno); never NULL. */
const char *sk_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif
