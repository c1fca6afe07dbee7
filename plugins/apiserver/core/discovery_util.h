/* apiserver core — what both discovery formats derive from the registry. */
#ifndef SK_DISCOVERY_UTIL_H
#define SK_DISCOVERY_UTIL_H

#include <stddef.h>

#include <jansson.h>

/* Named groups (not "") in registry order, at most max; returns count. */
size_t sk_disc_groups(const char **out, size_t max);
/* Versions served for group, preferred first; returns count. */
size_t sk_disc_group_versions(const char *group, const char **out, size_t max);
/* ["create","delete",...] for a verb mask. */
json_t *sk_disc_verbs(unsigned verbs);
/* A JSON array of a NULL-terminated string list. */
json_t *sk_disc_strings(const char *const *list);

#endif
