/* apiserver core — label selectors, as in `?labelSelector=` and in
 * LabelSelector objects (spec.selector of a Deployment).
 *
 * Grammar (Kubernetes' labels.Parse): requirements separated by commas,
 * each one of
 *     key = value    key == value    key != value
 *     key in (v1, v2)    key notin (v1, v2)    key    !key
 * Keys are qualified names (optional DNS-subdomain prefix and '/'), values
 * at most 63 characters of [A-Za-z0-9_.-] starting and ending with an
 * alphanumeric. An empty selector matches everything. Errors name the
 * position (0-based byte offset) of the offending token. */
#ifndef SK_LABEL_SELECTOR_H
#define SK_LABEL_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <skiff/mp.h>

#include "api_err.h"

typedef enum sk_ls_op {
    SK_LS_EQ,
    SK_LS_NEQ,
    SK_LS_IN,
    SK_LS_NOTIN,
    SK_LS_EXISTS,
    SK_LS_NOT_EXISTS,
} sk_ls_op;

typedef struct sk_ls_req {
    char *key;
    sk_ls_op op;
    char **values; /* EQ/NEQ: one; IN/NOTIN: one or more, sorted; else none */
    size_t nvalues;
} sk_ls_req;

typedef struct sk_label_selector {
    sk_ls_req *reqs; /* sorted by key, as Kubernetes does */
    size_t n;
    bool match_nothing; /* a LabelSelector object that can match nothing */
} sk_label_selector;

#define SK_LS_MAX_LEN 16384 /* longer selector strings are refused */

/* Parses text (NULL or "" = everything). 0, SK_EBADMSG (with position) or
 * -ENOMEM. On error *out is left empty. */
int sk_label_selector_parse(const char *text, sk_label_selector *out, sk_apierr *err);
/* From a metav1.LabelSelector JSON object (matchLabels, matchExpressions);
 * NULL or {} matches everything. */
int sk_label_selector_from_json(const json_t *sel, sk_label_selector *out, sk_apierr *err);
void sk_label_selector_free(sk_label_selector *s);
bool sk_label_selector_empty(const sk_label_selector *s);

/* labels is a msgpack map of string to string (or nil / not a map: no
 * labels). */
bool sk_label_selector_matches_mp(const sk_label_selector *s, sk_mp_view labels);
/* Matches obj's metadata.labels, obj being a whole msgpack object. */
bool sk_label_selector_matches_object_mp(const sk_label_selector *s, sk_mp_view obj);
/* labels is a JSON object (or NULL). */
bool sk_label_selector_matches_json(const sk_label_selector *s, const json_t *labels);

/* Canonical text ("app=web,tier in (a,b)"); "" for everything (caller
 * frees; NULL on ENOMEM). */
char *sk_label_selector_string(const sk_label_selector *s);

/* Validation shared with metadata.labels: 0 or a sentence on what is wrong. */
const char *sk_label_key_problem(const char *key, size_t n);
const char *sk_label_value_problem(const char *value, size_t n);

#endif
