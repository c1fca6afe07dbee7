/* apiserver core — Kubernetes' name formats. Each check returns NULL when
 * the text is valid, else the message the real apiserver gives, so
 * clients see familiar errors. */
#ifndef SK_NAMES_H
#define SK_NAMES_H

#include <stddef.h>

/* [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 */
const char *sk_dns1123_label_problem(const char *s, size_t n);
/* labels joined by '.', at most 253 */
const char *sk_dns1123_subdomain_problem(const char *s, size_t n);
/* [a-z]([-a-z0-9]*[a-z0-9])?, at most 63 */
const char *sk_dns1035_label_problem(const char *s, size_t n);
/* [prefix/]name: prefix a DNS subdomain, name ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] <= 63 */
const char *sk_qualified_name_problem(const char *s, size_t n);
/* empty, or like a qualified name's name part */
const char *sk_label_value_problem_text(const char *s, size_t n);
/* [-._a-zA-Z0-9]+, at most 253 (ConfigMap and Secret keys) */
const char *sk_config_key_problem(const char *s, size_t n);
/* printable ASCII except '=' (environment variable names) */
const char *sk_env_var_name_problem(const char *s, size_t n);
/* A port name: IANA_SVC_NAME, at most 15 lower-case alphanumerics or '-'
 * with at least one letter, no leading, trailing or double '-'. */
const char *sk_port_name_problem(const char *s, size_t n);

#endif
