/* sk_strerror: one name for both kinds of error code (LMDB's model).
 * Only static strings are returned so any thread may call it at any time;
 * strerror() would hand back a buffer another thread can overwrite. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrordesc_np */
#endif
#include <string.h>

#include "skiff/errors.h"

static const char *const sk_messages[] = {
    [0] = "no such service",
    [1] = "timed out",
    [2] = "malformed message",
    [3] = "plugin ABI mismatch",
    [4] = "invalid configuration",
    [5] = "queue full",
    [6] = "operation canceled",
    [7] = "stopping",
    [8] = "permission denied",
    [9] = "not found",
    [10] = "already exists",
    [11] = "conflict",
    [12] = "revision compacted",
    [13] = "too large",
    [14] = "quota exceeded",
    [15] = "internal error",
    [16] = "temporarily unavailable",
};

_Static_assert(sizeof sk_messages / sizeof sk_messages[0] == SK_EBASE - SK_ELAST + 1,
               "every SK_E* code needs a message");

static const char *sk_errno_name(int e)
{
    /* strerrordesc_np (glibc >= 2.32) is the thread-safe, locale-free table
     * behind strerror(); it returns NULL for numbers it does not know. */
    const char *s = strerrordesc_np(e);
    return s ? s : "unknown error";
}

const char *sk_strerror(int code)
{
    if (code == 0)
        return "success";
    if (code <= SK_EBASE && code >= SK_ELAST)
        return sk_messages[SK_EBASE - code];
    /* Positive numbers are not codes (SK_BUS_MORE is 1: naming it EPERM
     * would mislead); the range check also keeps -INT_MIN from overflowing. */
    if (code > 0 || code <= SK_EBASE)
        return "unknown error";
    return sk_errno_name(-code);
}
