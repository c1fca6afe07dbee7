#include "discovery_util.h"

#include <string.h>

#include "registry.h"

static bool seen(const char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

size_t sk_disc_groups(const char **out, size_t max)
{
    size_t n, count = 0;
    const sk_resource *const *all = sk_registry_all(&n);
    for (size_t i = 0; i < n && count < max; i++)
        if (*all[i]->group && !seen(out, count, all[i]->group))
            out[count++] = all[i]->group;
    return count;
}

size_t sk_disc_group_versions(const char *group, const char **out, size_t max)
{
    size_t n, count = 0;
    const sk_resource *const *all = sk_registry_all(&n);
    for (size_t i = 0; i < n && count < max; i++)
        if (strcmp(all[i]->group, group) == 0 && !seen(out, count, all[i]->version))
            out[count++] = all[i]->version;
    return count;
}

json_t *sk_disc_verbs(unsigned verbs)
{
    json_t *arr = json_array();
    for (int i = 0; i < SK_VERB_COUNT; i++)
        if (verbs & (1u << i))
            json_array_append_new(arr, json_string(sk_verb_name(i)));
    return arr;
}

json_t *sk_disc_strings(const char *const *list)
{
    json_t *arr = json_array();
    for (; list && *list; list++)
        json_array_append_new(arr, json_string(*list));
    return arr;
}
