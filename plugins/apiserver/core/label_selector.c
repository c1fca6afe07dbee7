/* Label selectors: parsing, LabelSelector objects, canonical text. */
#include "label_selector.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "names.h"
#include "strbuf.h"

const char *sk_label_key_problem(const char *key, size_t n)
{
    return sk_qualified_name_problem(key, n);
}

const char *sk_label_value_problem(const char *value, size_t n)
{
    return sk_label_value_problem_text(value, n);
}

static void req_free(sk_ls_req *r)
{
    free(r->key);
    for (size_t i = 0; i < r->nvalues; i++)
        free(r->values[i]);
    free(r->values);
}

void sk_label_selector_free(sk_label_selector *s)
{
    for (size_t i = 0; i < s->n; i++)
        req_free(&s->reqs[i]);
    free(s->reqs);
    memset(s, 0, sizeof *s);
}

bool sk_label_selector_empty(const sk_label_selector *s)
{
    return s->n == 0 && !s->match_nothing;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_req(const void *a, const void *b)
{
    return strcmp(((const sk_ls_req *)a)->key, ((const sk_ls_req *)b)->key);
}

/* ---- building ---- */

static int sel_push(sk_label_selector *s, sk_ls_req *r)
{
    sk_ls_req *v = realloc(s->reqs, (s->n + 1) * sizeof *v);
    if (!v)
        return -ENOMEM;
    s->reqs = v;
    s->reqs[s->n++] = *r;
    memset(r, 0, sizeof *r);
    return 0;
}

static int req_add_value(sk_ls_req *r, const char *v, size_t n)
{
    char **vals = realloc(r->values, (r->nvalues + 1) * sizeof *vals);
    if (!vals)
        return -ENOMEM;
    r->values = vals;
    if (!(vals[r->nvalues] = strndup(v, n)))
        return -ENOMEM;
    r->nvalues++;
    return 0;
}

static void sel_finish(sk_label_selector *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->reqs[i].nvalues > 1)
            qsort(s->reqs[i].values, s->reqs[i].nvalues, sizeof(char *), cmp_str);
    /* stable enough: equal keys keep no particular order, which only
     * affects the canonical text of odd selectors like "a,!a" */
    if (s->n > 1)
        qsort(s->reqs, s->n, sizeof *s->reqs, cmp_req);
}

/* ---- the lexer ---- */

typedef enum tok_kind {
    T_END,
    T_IDENT,
    T_COMMA,
    T_EQ,     /* = */
    T_DEQ,    /* == */
    T_NEQ,    /* != */
    T_NOT,    /* ! */
    T_LPAREN,
    T_RPAREN,
    T_IN,
    T_NOTIN,
} tok_kind;

typedef struct lexer {
    const char *s;
    size_t pos, len;
    tok_kind kind;
    size_t start, tlen; /* the current token */
} lexer;

static bool special(char c)
{
    return c == ',' || c == '=' || c == '!' || c == '(' || c == ')' || c == ' ' || c == '\t' ||
           c == '\n' || c == '\r';
}

static void lex_next(lexer *l)
{
    while (l->pos < l->len && (l->s[l->pos] == ' ' || l->s[l->pos] == '\t' ||
                               l->s[l->pos] == '\n' || l->s[l->pos] == '\r'))
        l->pos++;
    l->start = l->pos;
    l->tlen = 1;
    if (l->pos >= l->len) {
        l->kind = T_END;
        l->tlen = 0;
        return;
    }
    char c = l->s[l->pos];
    char d = l->pos + 1 < l->len ? l->s[l->pos + 1] : '\0';
    switch (c) {
    case ',': l->kind = T_COMMA; break;
    case '(': l->kind = T_LPAREN; break;
    case ')': l->kind = T_RPAREN; break;
    case '=':
        l->kind = d == '=' ? T_DEQ : T_EQ;
        l->tlen = d == '=' ? 2 : 1;
        break;
    case '!':
        l->kind = d == '=' ? T_NEQ : T_NOT;
        l->tlen = d == '=' ? 2 : 1;
        break;
    default: {
        size_t e = l->pos;
        while (e < l->len && !special(l->s[e]))
            e++;
        l->tlen = e - l->pos;
        l->kind = T_IDENT;
        if (l->tlen == 2 && memcmp(l->s + l->pos, "in", 2) == 0)
            l->kind = T_IN;
        else if (l->tlen == 5 && memcmp(l->s + l->pos, "notin", 5) == 0)
            l->kind = T_NOTIN;
    }
    }
    l->pos += l->tlen;
}

/* ---- the parser ---- */

typedef struct parser {
    lexer lx;
    sk_apierr *err;
    const char *text;
} parser;

static int parse_fail(parser *p, const char *what)
{
    size_t at = p->lx.start;
    if (p->lx.kind == T_END)
        return sk_apierr_set(p->err, SK_EBADMSG,
                             "unable to parse label selector \"%s\": %s at end of input",
                             p->text, what);
    return sk_apierr_set(p->err, SK_EBADMSG,
                         "unable to parse label selector \"%s\": %s at position %zu (found "
                         "\"%.*s\")",
                         p->text, what, at, (int)p->lx.tlen, p->text + at);
}

static int check_key(parser *p, const char *k, size_t n, size_t at)
{
    const char *why = sk_label_key_problem(k, n);
    if (!why)
        return 0;
    return sk_apierr_set(p->err, SK_EBADMSG,
                         "unable to parse label selector \"%s\": invalid key \"%.*s\" at "
                         "position %zu: %s",
                         p->text, (int)n, k, at, why);
}

static int check_value(parser *p, const char *v, size_t n, size_t at)
{
    const char *why = sk_label_value_problem(v, n);
    if (!why)
        return 0;
    return sk_apierr_set(p->err, SK_EBADMSG,
                         "unable to parse label selector \"%s\": invalid value \"%.*s\" at "
                         "position %zu: %s",
                         p->text, (int)n, v, at, why);
}

static int parse_value_set(parser *p, sk_ls_req *r)
{
    lex_next(&p->lx);
    if (p->lx.kind != T_LPAREN)
        return parse_fail(p, "expected '('");
    lex_next(&p->lx);
    while (p->lx.kind != T_RPAREN) {
        const char *v = "";
        size_t n = 0, at = p->lx.start;
        /* an empty value between commas is allowed: "a in (x,)" */
        if (p->lx.kind == T_IDENT || p->lx.kind == T_IN || p->lx.kind == T_NOTIN) {
            v = p->text + p->lx.start;
            n = p->lx.tlen;
            lex_next(&p->lx);
        }
        int rc = check_value(p, v, n, at);
        if (rc || (rc = req_add_value(r, v, n)))
            return rc;
        if (p->lx.kind == T_COMMA)
            lex_next(&p->lx);
        else if (p->lx.kind != T_RPAREN)
            return parse_fail(p, "expected ',' or ')'");
    }
    if (!r->nvalues)
        return parse_fail(p, "'in' and 'notin' need at least one value");
    lex_next(&p->lx);
    return 0;
}

static int parse_requirement(parser *p, sk_ls_req *r)
{
    bool negated = p->lx.kind == T_NOT;
    if (negated)
        lex_next(&p->lx);
    if (p->lx.kind != T_IDENT && p->lx.kind != T_IN && p->lx.kind != T_NOTIN)
        return parse_fail(p, "expected a label key");
    size_t key_at = p->lx.start;
    int rc = check_key(p, p->text + p->lx.start, p->lx.tlen, key_at);
    if (rc)
        return rc;
    if (!(r->key = strndup(p->text + p->lx.start, p->lx.tlen)))
        return -ENOMEM;
    lex_next(&p->lx);
    if (negated || p->lx.kind == T_END || p->lx.kind == T_COMMA) {
        r->op = negated ? SK_LS_NOT_EXISTS : SK_LS_EXISTS;
        return 0;
    }
    switch (p->lx.kind) {
    case T_EQ:
    case T_DEQ:
    case T_NEQ: {
        r->op = p->lx.kind == T_NEQ ? SK_LS_NEQ : SK_LS_EQ;
        lex_next(&p->lx);
        const char *v = "";
        size_t n = 0, at = p->lx.start;
        if (p->lx.kind == T_IDENT || p->lx.kind == T_IN || p->lx.kind == T_NOTIN) {
            v = p->text + p->lx.start;
            n = p->lx.tlen;
            lex_next(&p->lx);
        } else if (p->lx.kind != T_END && p->lx.kind != T_COMMA) {
            return parse_fail(p, "expected a value");
        }
        if ((rc = check_value(p, v, n, at)))
            return rc;
        return req_add_value(r, v, n);
    }
    case T_IN:
    case T_NOTIN:
        r->op = p->lx.kind == T_IN ? SK_LS_IN : SK_LS_NOTIN;
        return parse_value_set(p, r);
    default:
        return parse_fail(p, "expected '=', '==', '!=', 'in', 'notin', ',' or end");
    }
}

int sk_label_selector_parse(const char *text, sk_label_selector *out, sk_apierr *err)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return 0;
    size_t len = strlen(text);
    if (len > SK_LS_MAX_LEN)
        return sk_apierr_set(err, SK_EBADMSG, "label selector longer than %d bytes",
                             SK_LS_MAX_LEN);
    parser p = {.lx = {.s = text, .len = len}, .err = err, .text = text};
    lex_next(&p.lx);
    for (;;) {
        sk_ls_req r = {0};
        int rc = parse_requirement(&p, &r);
        if (rc == 0)
            rc = sel_push(out, &r);
        if (rc) {
            req_free(&r);
            sk_label_selector_free(out);
            return rc == -ENOMEM ? sk_apierr_set(err, rc, "out of memory") : rc;
        }
        if (p.lx.kind == T_END)
            break;
        if (p.lx.kind != T_COMMA) {
            rc = parse_fail(&p, "expected ','");
            sk_label_selector_free(out);
            return rc;
        }
        lex_next(&p.lx);
    }
    sel_finish(out);
    return 0;
}

/* ---- LabelSelector objects ---- */

static int from_json_expr(const json_t *e, size_t i, sk_ls_req *r, sk_apierr *err)
{
    const char *key = json_string_value(json_object_get(e, "key"));
    const char *op = json_string_value(json_object_get(e, "operator"));
    json_t *vals = json_object_get(e, "values");
    if (!key || !op)
        return sk_apierr_set(err, SK_EBADMSG, "matchExpressions[%zu]: key and operator are "
                                              "required", i);
    if (!(r->key = strdup(key)))
        return -ENOMEM;
    if (strcmp(op, "In") == 0)
        r->op = SK_LS_IN;
    else if (strcmp(op, "NotIn") == 0)
        r->op = SK_LS_NOTIN;
    else if (strcmp(op, "Exists") == 0)
        r->op = SK_LS_EXISTS;
    else if (strcmp(op, "DoesNotExist") == 0)
        r->op = SK_LS_NOT_EXISTS;
    else
        return sk_apierr_set(err, SK_EBADMSG, "matchExpressions[%zu].operator: \"%s\" is not "
                                              "a valid label selector operator", i, op);
    bool set_op = r->op == SK_LS_IN || r->op == SK_LS_NOTIN;
    if (set_op != (json_array_size(vals) > 0))
        return sk_apierr_set(err, SK_EBADMSG,
                             "matchExpressions[%zu].values: %s", i,
                             set_op ? "must be specified when `operator` is 'In' or 'NotIn'"
                                    : "may not be specified when `operator` is 'Exists' or "
                                      "'DoesNotExist'");
    size_t j;
    json_t *v;
    json_array_foreach(vals, j, v)
    {
        if (!json_is_string(v))
            return sk_apierr_set(err, SK_EBADMSG, "matchExpressions[%zu].values[%zu]: not a "
                                                  "string", i, j);
        if (req_add_value(r, json_string_value(v), json_string_length(v)))
            return -ENOMEM;
    }
    return 0;
}

int sk_label_selector_from_json(const json_t *sel, sk_label_selector *out, sk_apierr *err)
{
    memset(out, 0, sizeof *out);
    if (!sel || json_is_null(sel))
        return 0;
    if (!json_is_object(sel))
        return sk_apierr_set(err, SK_EBADMSG, "label selector is not an object");
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(json_object_get(sel, "matchLabels"), k, v)
    {
        sk_ls_req r = {.op = SK_LS_EQ};
        if (!json_is_string(v))
            rc = sk_apierr_set(err, SK_EBADMSG, "matchLabels[%s]: not a string", k);
        else if (!(r.key = strdup(k)) ||
                 req_add_value(&r, json_string_value(v), json_string_length(v)) ||
                 sel_push(out, &r))
            rc = -ENOMEM;
        req_free(&r);
        if (rc)
            break;
    }
    size_t i;
    json_array_foreach(json_object_get(sel, "matchExpressions"), i, v)
    {
        if (rc)
            break;
        sk_ls_req r = {0};
        if (!(rc = from_json_expr(v, i, &r, err)))
            rc = sel_push(out, &r);
        req_free(&r);
    }
    if (rc) {
        sk_label_selector_free(out);
        return rc == -ENOMEM ? sk_apierr_set(err, rc, "out of memory") : rc;
    }
    sel_finish(out);
    return 0;
}

/* ---- canonical text ---- */

char *sk_label_selector_string(const sk_label_selector *s)
{
    static const char *const ops[] = {"=", "!=", " in ", " notin ", "", "!"};
    sk_sbuf b;
    sk_sbuf_init(&b, 0);
    for (size_t i = 0; i < s->n; i++) {
        const sk_ls_req *r = &s->reqs[i];
        if (i)
            sk_sbuf_putc(&b, ',');
        if (r->op == SK_LS_NOT_EXISTS)
            sk_sbuf_putc(&b, '!');
        sk_sbuf_puts(&b, r->key);
        if (r->op == SK_LS_NOT_EXISTS || r->op == SK_LS_EXISTS)
            continue;
        sk_sbuf_puts(&b, ops[r->op]);
        bool set = r->op == SK_LS_IN || r->op == SK_LS_NOTIN;
        if (set)
            sk_sbuf_putc(&b, '(');
        for (size_t j = 0; j < r->nvalues; j++)
            sk_sbuf_printf(&b, "%s%s", j ? "," : "", r->values[j]);
        if (set)
            sk_sbuf_putc(&b, ')');
    }
    char *out = sk_sbuf_take(&b, NULL);
    sk_sbuf_free(&b);
    return out;
}
