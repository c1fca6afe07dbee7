#include "names.h"

#include <stdbool.h>
#include <string.h>

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
    return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool dns_label_ok(const char *s, size_t n, bool letter_first)
{
    if (!n || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
        return false;
    if (letter_first && !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!lower_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

const char *sk_dns1123_label_problem(const char *s, size_t n)
{
    if (n > 63)
        return "must be no more than 63 characters";
    if (!dns_label_ok(s, n, false))
        return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
               "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
               "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    return NULL;
}

const char *sk_dns1123_subdomain_problem(const char *s, size_t n)
{
    static const char msg[] =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
        "'-' or '.', and must start and end with an alphanumeric character (e.g. "
        "'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    if (n > 253)
        return "must be no more than 253 characters";
    if (!n)
        return msg;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!dns_label_ok(s + start, i - start, false))
                return msg;
            start = i + 1;
        }
    }
    return NULL;
}

const char *sk_dns1035_label_problem(const char *s, size_t n)
{
    if (n > 63)
        return "must be no more than 63 characters";
    if (!dns_label_ok(s, n, true))
        return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
               "start with an alphabetic character, and end with an alphanumeric character "
               "(e.g. 'my-name',  or 'abc-123', regex used for validation is "
               "'[a-z]([-a-z0-9]*[a-z0-9])?')";
    return NULL;
}

static bool name_part_ok(const char *s, size_t n)
{
    if (!n || !alnum(s[0]) || !alnum(s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

const char *sk_qualified_name_problem(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    const char *name = s;
    size_t nn = n;
    if (slash) {
        size_t pn = (size_t)(slash - s);
        if (!pn)
            return "prefix part must be non-empty";
        if (sk_dns1123_subdomain_problem(s, pn))
            return "prefix part a lowercase RFC 1123 subdomain must consist of lower case "
                   "alphanumeric characters, '-' or '.', and must start and end with an "
                   "alphanumeric character (e.g. 'example.com', regex used for validation is "
                   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
        name = slash + 1;
        nn = n - pn - 1;
        if (memchr(name, '/', nn))
            return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'MyName',  or "
                   "'my.name',  or '123-abc', regex used for validation is "
                   "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
                   "prefix and '/' (e.g. 'example.com/MyName')";
    }
    if (!nn)
        return "name part must be non-empty";
    if (nn > 63)
        return "name part must be no more than 63 characters";
    if (!name_part_ok(name, nn))
        return "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
               "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
               "or '123-abc', regex used for validation is "
               "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    return NULL;
}

const char *sk_label_value_problem_text(const char *s, size_t n)
{
    if (n > 63)
        return "must be no more than 63 characters";
    if (n && !name_part_ok(s, n))
        return "a valid label must be an empty string or consist of alphanumeric characters, "
               "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
               "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    return NULL;
}

const char *sk_config_key_problem(const char *s, size_t n)
{
    if (n > 253)
        return "must be no more than 253 characters";
    bool ok = n > 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = alnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.';
    if (!ok)
        return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
               "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
               "'[-._a-zA-Z0-9]+')";
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return "must not be '.' or '..'";
    return NULL;
}

const char *sk_env_var_name_problem(const char *s, size_t n)
{
    bool ok = n > 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = s[i] >= 32 && s[i] < 127 && s[i] != '=';
    return ok ? NULL
              : "a valid environment variable name must consist only of printable ASCII "
                "characters other than '='";
}

const char *sk_port_name_problem(const char *s, size_t n)
{
    if (n > 15)
        return "must be no more than 15 characters";
    bool letter = false;
    for (size_t i = 0; i < n; i++) {
        if (!lower_alnum(s[i]) && s[i] != '-')
            return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
        if (s[i] >= 'a' && s[i] <= 'z')
            letter = true;
        if (s[i] == '-' && i + 1 < n && s[i + 1] == '-')
            return "must not contain consecutive hyphens";
    }
    if (n && (s[0] == '-' || s[n - 1] == '-'))
        return "must not begin or end with a hyphen";
    if (!letter)
        return "must contain at least one letter (a-z)";
    return NULL;
}
