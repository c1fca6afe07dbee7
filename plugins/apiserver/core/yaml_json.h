/* apiserver core — YAML request bodies (`application/yaml`,
 * `application/apply-patch+yaml`) as jansson values.
 *
 * A body means what it means to kube-apiserver, which converts YAML to
 * JSON with sigs.k8s.io/yaml (go-yaml v2, then encoding/json):
 *  - scalars resolve as yaml_scalar.h says (YAML 1.1 booleans such as
 *    yes/no/on/off included); quoted and block scalars are strings;
 *  - a float with an integral value (3.0, 1e3) becomes a JSON integer, as
 *    encoding/json writes it without a fraction; integers beyond int64,
 *    .inf and .nan are refused (the JSON here cannot carry them);
 *  - map keys are strings; integer, float and boolean keys become text
 *    ("1", "1.5", "true"), null and collection keys are refused; of
 *    duplicate keys the last wins (kube-apiserver's non-strict decoding);
 *  - anchors and aliases are expanded into copies, `<<` merge keys are
 *    applied as go-yaml v2 does; tags follow sk_yaml_scalar(), and a
 *    standard tag naming another kind on a collection (!!map on a
 *    sequence) is refused;
 *  - map keys keep the document's order.
 * Deliberately stricter than kube-apiserver: a body holds one document
 * (go-yaml silently drops the rest); a further document is refused unless
 * it is empty (a trailing `---`).
 *
 * Bounded as JSON bodies are (max_bytes of text, max_depth of nesting,
 * aliases counted where they land), and alias expansion may add at most
 * SK_YAML_MAX_ALIAS_COST, so a "billion laughs" body fails fast. */
#ifndef SK_YAML_JSON_H
#define SK_YAML_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "api_err.h"
#include "json_mp.h"

/* What aliases may add to one body, estimated as memory: 64 bytes a node
 * plus the bytes of its strings and keys (about 500k nodes, or 32 MiB of
 * text). go-yaml v2 allows a similar ~400k alias-made nodes. */
#define SK_YAML_MAX_ALIAS_COST ((size_t)32 << 20)

/* Parses a YAML body of len bytes (UTF-8, or UTF-16 with a BOM) into a new
 * value (caller json_decref()s); a body without a document is null. 0,
 * SK_EBADMSG (malformed, or what JSON cannot carry; the message gives the
 * line and column), SK_ETOOLARGE (size, depth, alias expansion) or
 * -ENOMEM. lim NULL: sk_conv_default_limits. */
int sk_yaml_parse(const char *text, size_t len, const sk_conv_limits *lim, json_t **out,
                  sk_apierr *err);

#endif
