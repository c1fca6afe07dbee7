/* Validation helpers shared by every kind. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jutil.h"
#include "names.h"
#include "validate.h"

const char *sk_path(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return buf;
}

bool sk_ip_valid(const char *s)
{
    unsigned char tmp[16];
    return s && (inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1);
}

/* [+-]digits[.digits] then an optional suffix: binary (Ki..Ei), decimal
 * (n u m k M G T P E) or an exponent. */
bool sk_quantity_valid(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (isdigit((unsigned char)*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            digits++;
        }
    }
    if (!digits)
        return false;
    static const char *const suffixes[] = {"",  "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u",
                                           "m", "k",  "M",  "G",  "T",  "P",  "E",  NULL};
    for (const char *const *sfx = suffixes; *sfx; sfx++)
        if (strcmp(p, *sfx) == 0)
            return true;
    if (*p != 'e' && *p != 'E')
        return false;
    p++;
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == '\0';
}

void sk_validate_port(const json_t *v, const char *field, bool zero_ok, sk_causes *out)
{
    if (!json_is_integer(v))
        return;
    json_int_t p = json_integer_value(v);
    if ((p == 0 && zero_ok) || (p >= 1 && p <= 65535))
        return;
    sk_cause_invalid(out, field, v, "must be between 1 and 65535, inclusive");
}

void sk_validate_immutable(const json_t *now, const json_t *old, const char *field,
                           sk_causes *out)
{
    bool a = now && !json_is_null(now), b = old && !json_is_null(old);
    if (!a && !b)
        return;
    if (a && b && sk_jequal(now, old))
        return;
    sk_cause_invalid(out, field, a ? now : json_null(), "field is immutable");
}

void sk_validate_labels(const json_t *labels, const char *field, sk_causes *out)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)labels, k, v)
    {
        const char *why = sk_qualified_name_problem(k, strlen(k));
        if (why)
            sk_cause_invalid_str(out, field, k, why);
        if (json_is_string(v) &&
            (why = sk_label_value_problem_text(json_string_value(v), json_string_length(v))))
            sk_cause_invalid(out, field, v, why);
    }
}

static void validate_annotations(const json_t *ann, sk_causes *out)
{
    const char *k;
    json_t *v;
    size_t total = 0;
    json_object_foreach((json_t *)ann, k, v)
    {
        char lower[320];
        size_t n = strlen(k);
        for (size_t i = 0; i < n && i < sizeof lower - 1; i++)
            lower[i] = (char)tolower((unsigned char)k[i]);
        lower[n < sizeof lower - 1 ? n : sizeof lower - 1] = '\0';
        const char *why = sk_qualified_name_problem(lower, strlen(lower));
        if (why)
            sk_cause_invalid_str(out, "metadata.annotations", k, why);
        total += n + json_string_length(v);
    }
    if (total > 256 * 1024)
        sk_causes_add(out, SK_CAUSE_TOO_LONG, "metadata.annotations",
                      "Too long: must have at most %d bytes", 256 * 1024);
}

static void validate_name(const sk_resource *r, const json_t *meta, sk_causes *out)
{
    const char *name = sk_jstr(meta, "name");
    if (!name || !*name) {
        sk_cause_required(out, "metadata.name", "name or generateName is required");
        return;
    }
    size_t n = strlen(name);
    const char *why = r->name_rule == SK_NAME_DNS1123_LABEL   ? sk_dns1123_label_problem(name, n)
                      : r->name_rule == SK_NAME_DNS1035_LABEL ? sk_dns1035_label_problem(name, n)
                                                              : sk_dns1123_subdomain_problem(name, n);
    if (why)
        sk_cause_invalid_str(out, "metadata.name", name, why);
}

void sk_validate_meta(const sk_resource *r, const json_t *meta, sk_causes *out)
{
    validate_name(r, meta, out);
    const char *ns = sk_jstr(meta, "namespace");
    if (r->namespaced && (!ns || !*ns))
        sk_cause_required(out, "metadata.namespace", NULL);
    else if (r->namespaced && sk_dns1123_label_problem(ns, strlen(ns)))
        sk_cause_invalid_str(out, "metadata.namespace", ns,
                             sk_dns1123_label_problem(ns, strlen(ns)));
    else if (!r->namespaced && ns && *ns)
        sk_cause_forbidden(out, "metadata.namespace", "not allowed on this type");
    sk_validate_labels(sk_jget(meta, "labels"), "metadata.labels", out);
    validate_annotations(sk_jget(meta, "annotations"), out);
    size_t i;
    json_t *f;
    json_array_foreach(sk_jget(meta, "finalizers"), i, f)
    {
        char p[64];
        if (json_is_string(f) && sk_qualified_name_problem(json_string_value(f),
                                                           json_string_length(f)))
            sk_cause_invalid(out, sk_path(p, sizeof p, "metadata.finalizers[%zu]", i), f,
                             sk_qualified_name_problem(json_string_value(f),
                                                       json_string_length(f)));
    }
}
