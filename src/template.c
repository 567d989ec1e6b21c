#include "template.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "strtab.h"
#include "utf8.h"
#include "xalloc.h"

/* Longest piece of a tag quoted in a message: a runaway comment must not
 * flood the terminal. */
#define QUOTE_MAX 63


/* ---------------------------------------------------------------------------
 * Parse tree. Every string points into the owning template's copy of its
 * source, so parsing copies no text.
 * ------------------------------------------------------------------------- */

typedef enum {
    N_TEXT,     /* str/len: literal bytes */
    N_LINE,     /* a template line starts here: write the indentation */
    N_VAR,      /* {{name}}, HTML-escaped */
    N_RAW,      /* {{{name}}} or {{&name}} */
    N_SECTION,  /* {{#name}} */
    N_INVERTED, /* {{^name}} */
    N_PARTIAL,  /* {{>name}} */
    N_PARENT,   /* {{<name}}: kids are its N_BLOCK arguments only */
    N_BLOCK     /* {{$name}}: kids are the default content */
} node_kind;

typedef struct node node;

struct node {
    node_kind kind;
    bool dynamic;    /* partial/parent: the name is looked up in the context */
    bool standalone; /* partial/parent/block alone on its line: indent applies */
    int line, col;
    const char *str; /* N_TEXT: the text; tags: the name */
    size_t len;
    const char *indent; /* standalone partial/parent/block: indentation to add */
    size_t indent_len;
    node *kids;
    size_t nkids;
};

typedef struct tpl {
    char *name;
    char *path;
    char *src;
    bool ok; /* false after parse errors: the template never renders */
    node *kids;
    size_t nkids;
} tpl;

struct tpl_set {
    tpl **items; /* in the order they were added, for stable diagnostics */
    size_t len, cap;
    strtab index;  /* name (borrowed from its item) -> its index in items */
};

/* ---------------------------------------------------------------------------
 * Tokens: the flat form the standalone and indentation rules work on before
 * the tree is built.
 * ------------------------------------------------------------------------- */

typedef enum {
    T_NONE, /* dropped: whitespace of a standalone line, an ignored end tag */
    T_TEXT, /* at most one line: a '\n' can only be its last byte */
    T_VAR,
    T_RAW,
    T_SECTION,
    T_INVERTED,
    T_CLOSE,
    T_COMMENT,
    T_DELIM,
    T_PARTIAL,
    T_PARENT,
    T_BLOCK
} tok_kind;

typedef struct {
    tok_kind kind;
    size_t start, end;         /* text bytes, or the tag with its delimiters */
    size_t name, name_len;     /* tags: the trimmed name, without a leading '*' */
    size_t indent, indent_len; /* standalone tags: whitespace before them */
    size_t site, site_len;     /* standalone blocks: indentation of their site */
    const char *otag, *ctag;   /* delimiters in force, to quote end tags */
    size_t olen, clen;
    int line, col;
    long match;   /* index of the matching opening or end tag, or -1 */
    size_t strip; /* bytes of block indentation to drop from the line start */
    bool ends_line; /* text that ends with '\n', even once dropped */
    bool dynamic, standalone, line_start;
} token;

typedef struct {
    const char *src;
    size_t n;
    const char *path;
    diag_list *diags;
    int errors;
    token *toks;
    size_t ntoks, cap;
    const char *otag, *ctag;
    size_t olen, clen;
    size_t pos;    /* where line and col were last computed */
    int line, col; /* position of pos, 1-based, columns in characters */
} parser;

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static bool is_space(char c) { return is_blank(c) || c == '\n' || c == '\r'; }

/* Offset of the first occurrence of pat (m bytes) in src[from, n), or n. */
static size_t find(const char *src, size_t from, size_t n, const char *pat, size_t m)
{
    if (m == 0 || n < m)
        return n;
    for (size_t i = from; i + m <= n; i++)
        if (src[i] == pat[0] && memcmp(src + i, pat, m) == 0)
            return i;
    return n;
}

/* Moves the parser's line:col bookkeeping to offset at. Offsets mostly grow,
 * so counting from the last position keeps this linear. */
static void locate(parser *p, size_t at, int *line, int *col)
{
    if (at < p->pos) {
        p->pos = 0;
        p->line = p->col = 1;
    }
    for (; p->pos < at; p->pos++) {
        unsigned char c = (unsigned char)p->src[p->pos];
        if (c == '\n') {
            p->line++;
            p->col = 1;
        } else if ((c & 0xC0) != 0x80) {
            p->col++;
        }
    }
    *line = p->line;
    *col = p->col;
}

static void parse_error(parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void parse_error(parser *p, size_t at, const char *fmt, ...)
{
    int line, col;
    locate(p, at, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(p->diags, DIAG_ERROR, p->path, line, col, fmt, ap);
    va_end(ap);
    p->errors++;
}

/* printf arguments quoting n bytes at s, cut to fit QUOTE_MAX with the
 * "...", never inside a character (diag_quote_len). */
#define QUOTE(s, n)                                                               \
    (int)diag_quote_len((s), (size_t)(n), QUOTE_MAX), (s),                          \
        (diag_quote_len((s), (size_t)(n), QUOTE_MAX) < (size_t)(n) ? "..." : "")

static token *push_token(parser *p, tok_kind kind, size_t start, size_t end)
{
    XGROW(p->toks, p->cap, p->ntoks + 1, 64);
    token *t = &p->toks[p->ntoks++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->start = start;
    t->end = end;
    t->match = -1;
    t->otag = p->otag;
    t->olen = p->olen;
    t->ctag = p->ctag;
    t->clen = p->clen;
    locate(p, start, &t->line, &t->col);
    return t;
}

/* Text is cut after every newline so that each line's tokens can be judged
 * on their own by the standalone rules. */
static void push_text(parser *p, size_t from, size_t to)
{
    while (from < to) {
        size_t nl = find(p->src, from, to, "\n", 1);
        size_t end = nl < to ? nl + 1 : to;
        push_token(p, T_TEXT, from, end)->ends_line = nl < to;
        from = end;
    }
}

static tok_kind kind_of_sigil(char c)
{
    switch (c) {
    case '!': return T_COMMENT;
    case '=': return T_DELIM;
    case '{': case '&': return T_RAW;
    case '#': return T_SECTION;
    case '^': return T_INVERTED;
    case '/': return T_CLOSE;
    case '>': return T_PARTIAL;
    case '<': return T_PARENT;
    case '$': return T_BLOCK;
    default: return T_VAR;
    }
}

/* Finds the closing delimiter of a tag whose content starts at from. Triple
 * mustaches end with '}' and delimiter changes with '=' before it. Returns
 * n when there is none. */
static size_t find_close(const parser *p, size_t from, char before)
{
    for (size_t c = find(p->src, from, p->n, p->ctag, p->clen); c < p->n;
         c = find(p->src, c + 1, p->n, p->ctag, p->clen)) {
        if (!before || (c > from && p->src[c - 1] == before))
            return c;
    }
    return p->n;
}

/* Reports a tag that never closes, quoting it up to the end of its line or
 * the next opening delimiter, and returns where scanning resumes. */
static size_t unclosed_tag(parser *p, size_t at)
{
    size_t next = find(p->src, at + p->olen, p->n, p->otag, p->olen);
    size_t end = find(p->src, at, next, "\n", 1);
    while (end > at && is_space(p->src[end - 1]))
        end--;
    parse_error(p, at, "unclosed tag '%.*s%s'", QUOTE(p->src + at, end - at));
    return next;
}

/* A delimiter change closed with a plain closing delimiter ({{=<% %>}})
 * is a typo in the change, not a tag left open. */
static size_t unfinished_delims(parser *p, size_t at, size_t from)
{
    size_t close = find_close(p, from, '\0');
    if (close == p->n || find(p->src, from, close, "\n", 1) < close)
        return unclosed_tag(p, at);
    size_t end = close + p->clen;
    parse_error(p, at, "bad delimiter change '%.*s%s' (it must end with '=%.*s')",
                QUOTE(p->src + at, end - at), (int)p->clen, p->ctag);
    return end;
}

static void trim(const char *src, size_t *from, size_t *to)
{
    while (*from < *to && is_space(src[*from]))
        (*from)++;
    while (*to > *from && is_space(src[*to - 1]))
        (*to)--;
}

/* Reads the two delimiters of {{=open close=}} from src[from, to). */
static bool read_delims(parser *p, size_t from, size_t to)
{
    trim(p->src, &from, &to);
    size_t o_end = from;
    while (o_end < to && !is_space(p->src[o_end]))
        o_end++;
    size_t c_start = o_end;
    while (c_start < to && is_space(p->src[c_start]))
        c_start++;
    if (o_end == from || c_start == to)
        return false;
    for (size_t i = c_start; i < to; i++)
        if (is_space(p->src[i]))
            return false;
    if (memchr(p->src + from, '=', o_end - from) || memchr(p->src + c_start, '=', to - c_start))
        return false;
    p->otag = p->src + from;
    p->olen = o_end - from;
    p->ctag = p->src + c_start;
    p->clen = to - c_start;
    return true;
}

/* Checks a tag's name; a name with spaces is almost always a missing
 * closing delimiter or a typo, so it is an error rather than a silent miss. */
static bool check_name(parser *p, const token *t)
{
    const char *tag = p->src + t->start;
    size_t tag_len = t->end - t->start;
    if (t->name_len == 0) {
        parse_error(p, t->start, "missing name in '%.*s%s'", QUOTE(tag, tag_len));
        return false;
    }
    for (size_t i = 0; i < t->name_len; i++) {
        if (is_space(p->src[t->name + i])) {
            parse_error(p, t->start, "bad name in '%.*s%s' (names cannot contain spaces)",
                        QUOTE(tag, tag_len));
            return false;
        }
    }
    return true;
}

/* Records the name in src[from, to) on t; partials, parents and their end
 * tags may start with '*', the dynamic-name operator. */
static void set_name(parser *p, token *t, size_t from, size_t to)
{
    trim(p->src, &from, &to);
    bool may_be_dynamic = t->kind == T_PARTIAL || t->kind == T_PARENT || t->kind == T_CLOSE;
    if (may_be_dynamic && from < to && p->src[from] == '*') {
        t->dynamic = true;
        from++;
        trim(p->src, &from, &to);
    }
    t->name = from;
    t->name_len = to - from;
}

/* Scans the tag whose opening delimiter is at `at` and returns the offset
 * after it. */
static size_t scan_tag(parser *p, size_t at)
{
    size_t body = at + p->olen;
    char sigil = body < p->n ? p->src[body] : '\0';
    tok_kind kind = kind_of_sigil(sigil);
    size_t from = kind == T_VAR ? body : body + 1;
    char before = sigil == '{' ? '}' : sigil == '=' ? '=' : '\0';
    size_t close = find_close(p, from, before);
    if (close == p->n && kind == T_DELIM)
        return unfinished_delims(p, at, from);
    if (close == p->n)
        return unclosed_tag(p, at);
    size_t to = before ? close - 1 : close;
    bool free_text = kind == T_COMMENT || kind == T_DELIM;
    if (!free_text && find(p->src, from, to, p->otag, p->olen) < to)
        return unclosed_tag(p, at);
    size_t end = close + p->clen;
    if (kind == T_DELIM) {
        if (!read_delims(p, from, to))
            parse_error(p, at, "bad delimiter change '%.*s%s'", QUOTE(p->src + at, end - at));
        push_token(p, T_DELIM, at, end);
        return end;
    }
    token *t = push_token(p, kind, at, end);
    if (kind != T_COMMENT) {
        set_name(p, t, from, to);
        if (!check_name(p, t))
            t->kind = T_NONE;
    }
    return end;
}

static void tokenize(parser *p)
{
    size_t i = 0;
    while (i < p->n) {
        size_t open = find(p->src, i, p->n, p->otag, p->olen);
        push_text(p, i, open);
        if (open == p->n)
            break;
        i = scan_tag(p, open);
    }
}

/* ---------------------------------------------------------------------------
 * Matching opening and end tags, with recovery so that every error in a
 * template is reported in one pass.
 * ------------------------------------------------------------------------- */

static bool is_opener(tok_kind k)
{
    return k == T_SECTION || k == T_INVERTED || k == T_PARENT || k == T_BLOCK;
}

/* Compares names as written: only partials, parents and end tags read a
 * leading '*' as the dynamic operator, so a section named "*x" is
 * closed by an end tag written with '*' too. */
static bool same_name(const parser *p, const token *a, const token *b)
{
    if (a->name_len + a->dynamic != b->name_len + b->dynamic)
        return false;
    if (a->dynamic == b->dynamic)
        return memcmp(p->src + a->name, p->src + b->name, a->name_len) == 0;
    const token *dyn = a->dynamic ? a : b, *plain = a->dynamic ? b : a;
    return p->src[plain->name] == '*' &&
           memcmp(p->src + plain->name + 1, p->src + dyn->name, dyn->name_len) == 0;
}

static const char *opener_word(tok_kind k)
{
    return k == T_PARENT ? "parent" : k == T_BLOCK ? "block" : "section";
}

static void report_mismatch(parser *p, const token *close, const token *open)
{
    const char *src = p->src;
    parse_error(p, close->start,
                "mismatched end tag '%.*s%s' (expected '%.*s/%s%.*s%.*s', opened at %d:%d)",
                QUOTE(src + close->start, close->end - close->start), (int)close->olen,
                close->otag, open->dynamic ? "*" : "", (int)open->name_len, src + open->name,
                (int)close->clen, close->ctag, open->line, open->col);
}

/* Pairs the end tag at index i with the innermost open tag. An end tag that
 * names an outer open tag closes everything up to it; one that names none is
 * ignored. Either way the mismatch is reported once. */
static void close_tag(parser *p, size_t i, size_t *stack, size_t *depth)
{
    token *t = &p->toks[i];
    if (*depth == 0) {
        parse_error(p, t->start, "unexpected end tag '%.*s%s' (nothing is open)",
                    QUOTE(p->src + t->start, t->end - t->start));
        t->kind = T_NONE;
        return;
    }
    size_t k = *depth;
    while (k > 0 && !same_name(p, &p->toks[stack[k - 1]], t))
        k--;
    if (k != *depth)
        report_mismatch(p, t, &p->toks[stack[*depth - 1]]);
    if (k == 0) {
        t->kind = T_NONE;
        return;
    }
    t->match = (long)stack[k - 1];
    p->toks[stack[k - 1]].match = (long)i;
    *depth = k - 1;
}

static void match_tags(parser *p)
{
    size_t *stack = xmalloc((p->ntoks + 1) * sizeof *stack);
    size_t depth = 0;
    bool too_deep = false;
    for (size_t i = 0; i < p->ntoks; i++) {
        token *t = &p->toks[i];
        if (is_opener(t->kind)) {
            if (depth == TPL_MAX_NESTING && !too_deep) {
                parse_error(p, t->start, "nesting deeper than %d levels at '%.*s%s'",
                            TPL_MAX_NESTING, QUOTE(p->src + t->start, t->end - t->start));
                too_deep = true;
            }
            stack[depth++] = i;
        } else if (t->kind == T_CLOSE) {
            close_tag(p, i, stack, &depth);
        }
    }
    for (size_t k = 0; k < depth; k++) {
        const token *t = &p->toks[stack[k]];
        parse_error(p, t->start, "unclosed %s '%.*s%s'", opener_word(t->kind),
                    QUOTE(p->src + t->start, t->end - t->start));
    }
    free(stack);
}

/* ---------------------------------------------------------------------------
 * Standalone lines: a line holding only whitespace and one non-output tag
 * (or one of the tag pairs the inheritance spec allows) is left out of the
 * output, and for partials, parents and blocks its indentation is kept to
 * indent what they expand to.
 * ------------------------------------------------------------------------- */

static bool all_blank(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (!is_blank(s[i]))
            return false;
    return true;
}

/* Whether a line's last text is whitespace up to its end or the template's. */
static bool blank_tail(const parser *p, const token *t)
{
    size_t end = t->end;
    if (end > t->start && p->src[end - 1] == '\n') {
        end--;
        if (end > t->start && p->src[end - 1] == '\r')
            end--;
    } else if (t->end != p->n) {
        return false;
    }
    return all_blank(p->src, t->start, end);
}

static bool standalone_kind(tok_kind k) { return k != T_VAR && k != T_RAW && k != T_TEXT; }

typedef enum { LINE_KEEP, LINE_DROP, LINE_DROP_INDENT } line_fate;

/* What happens to a line holding the adjacent tags a and b. */
static line_fate pair_fate(const parser *p, const token *a, const token *b)
{
    const token *toks = p->toks;
    if (a->kind == T_PARENT && b->kind == T_CLOSE && b->match == a - toks)
        return LINE_DROP;
    if (a->kind == T_PARENT && b->kind == T_BLOCK)
        return LINE_DROP;
    if (a->kind == T_CLOSE && b->kind == T_CLOSE && toks[a->match].kind == T_BLOCK &&
        toks[b->match].kind == T_PARENT)
        return LINE_DROP;
    /* The spec keeps the newline after {{$b}}{{/b}}: the block may expand
     * to lines that do not end with one. */
    if (a->kind == T_BLOCK && b->kind == T_CLOSE && b->match == a - toks)
        return LINE_DROP_INDENT;
    return LINE_KEEP;
}

/* Splits the line toks[a, b) into leading text, up to two tags and trailing
 * text; returns how many tags, or 3 when the line cannot be standalone. */
static size_t line_tags(const parser *p, size_t a, size_t b, size_t tags[2])
{
    size_t ntags = 0;
    for (size_t i = a; i < b; i++) {
        const token *t = &p->toks[i];
        if (t->kind == T_TEXT) {
            if (i != a && i != b - 1)
                return 3;
            if (i == a && i != b - 1 && !all_blank(p->src, t->start, t->end))
                return 3;
            if (i == b - 1 && !blank_tail(p, t))
                return 3;
        } else {
            if (ntags == 2 || !standalone_kind(t->kind))
                return 3;
            tags[ntags++] = i;
        }
    }
    return ntags;
}

static void apply_standalone(parser *p, size_t a, size_t b, const size_t tags[2], size_t ntags,
                             line_fate fate)
{
    token *lead = p->toks[a].kind == T_TEXT ? &p->toks[a] : NULL;
    token *trail = p->toks[b - 1].kind == T_TEXT ? &p->toks[b - 1] : NULL;
    for (size_t k = 0; k < ntags; k++) {
        token *t = &p->toks[tags[k]];
        t->standalone = true;
        t->indent = lead ? lead->start : t->start;
        t->indent_len = lead ? lead->end - lead->start : 0;
    }
    if (lead)
        lead->kind = T_NONE;
    if (trail && trail != lead && fate == LINE_DROP)
        trail->kind = T_NONE;
}

static void standalone_line(parser *p, size_t a, size_t b)
{
    size_t tags[2];
    size_t ntags = line_tags(p, a, b, tags);
    line_fate fate = LINE_KEEP;
    if (ntags == 1)
        fate = LINE_DROP;
    else if (ntags == 2)
        fate = pair_fate(p, &p->toks[tags[0]], &p->toks[tags[1]]);
    if (fate != LINE_KEEP)
        apply_standalone(p, a, b, tags, ntags, fate);
}

/* Index after the last token of the line starting at token a. */
static size_t line_end(const parser *p, size_t a)
{
    for (size_t i = a; i < p->ntoks; i++)
        if (p->toks[i].ends_line)
            return i + 1;
    return p->ntoks;
}

static void mark_standalone(parser *p)
{
    for (size_t a = 0, b; a < p->ntoks; a = b) {
        b = line_end(p, a);
        standalone_line(p, a, b);
    }
}

/* ---------------------------------------------------------------------------
 * Block indentation: a standalone block's content loses its own common
 * indentation where it is written and gets the indentation of the site it
 * expands at, so blocks can be written at any depth.
 * ------------------------------------------------------------------------- */

static size_t line_start_of(const char *src, size_t at)
{
    while (at > 0 && src[at - 1] != '\n')
        at--;
    return at;
}

static size_t next_line(const char *src, size_t at, size_t n)
{
    size_t nl = find(src, at, n, "\n", 1);
    return nl < n ? nl + 1 : n;
}

/* The common leading whitespace of the non-blank lines in src[from, to):
 * sets *ws to where the first such line's whitespace starts. */
static size_t common_indent(const char *src, size_t from, size_t to, size_t *ws)
{
    size_t len = 0;
    bool seen = false;
    for (size_t ls = from; ls < to; ls = next_line(src, ls, to)) {
        size_t e = ls;
        while (e < to && is_blank(src[e]))
            e++;
        if (e == to || src[e] == '\n' || src[e] == '\r')
            continue;
        if (!seen) {
            *ws = ls;
            len = e - ls;
            seen = true;
            continue;
        }
        size_t k = 0;
        while (k < len && k < e - ls && src[ls + k] == src[*ws + k])
            k++;
        len = k;
    }
    return len;
}

/* Where a token's line content starts: its indentation for a standalone tag. */
static size_t lead_of(const token *t)
{
    return t->kind != T_TEXT && t->indent_len ? t->indent : t->start;
}

static bool starts_line(const parser *p, const token *t)
{
    size_t at = lead_of(t);
    return at == 0 || p->src[at - 1] == '\n';
}

/* Raises the strip of every line-starting token in src[from, to) to the
 * block's indentation; whitespace-only lines lose all their whitespace. */
static void strip_lines(parser *p, size_t from, size_t to, size_t wlen)
{
    for (size_t i = 0; i < p->ntoks; i++) {
        token *t = &p->toks[i];
        size_t at = lead_of(t);
        if (t->kind == T_NONE || at < from || at >= to || !starts_line(p, t))
            continue;
        size_t end = t->kind == T_TEXT ? t->end : at + t->indent_len;
        size_t ws = at;
        while (ws < end && is_blank(p->src[ws]))
            ws++;
        bool blank = t->kind == T_TEXT && (ws == end || p->src[ws] == '\n' || p->src[ws] == '\r');
        size_t strip = blank ? ws - at : (ws - at < wlen ? ws - at : wlen);
        if (strip > t->strip)
            t->strip = strip;
    }
}

/* Dedents the content of the standalone block opened by token i and works
 * out the indentation it expands with. Enclosing blocks come first in token
 * order, so the strip of the block's own line is already known. */
static void indent_block(parser *p, size_t i)
{
    token *o = &p->toks[i];
    const token *c = &p->toks[o->match];
    size_t from = next_line(p->src, o->end, p->n);
    size_t to = c->standalone ? line_start_of(p->src, lead_of(c)) : c->start;
    size_t ws = 0, wlen = 0;
    if (from < to)
        wlen = common_indent(p->src, from, to, &ws);
    if (wlen)
        strip_lines(p, from, to, wlen);
    size_t outer = o->strip;
    if (wlen > outer) {
        o->site = ws + outer;
        o->site_len = wlen - outer;
    } else {
        size_t cut = outer < o->indent_len ? outer : o->indent_len;
        o->site = o->indent + cut;
        o->site_len = o->indent_len - cut;
    }
}

static void indent_blocks(parser *p)
{
    for (size_t i = 0; i < p->ntoks; i++)
        if (p->toks[i].kind == T_BLOCK && p->toks[i].standalone)
            indent_block(p, i);
}

/* Whether the line that starts with text token t (and ends before token b)
 * is empty once its block indentation is stripped. */
static bool empty_line(const parser *p, const token *t, size_t b)
{
    size_t at = t->start + t->strip;
    if (at == t->end) {
        for (const token *u = t + 1; u < p->toks + b; u++)
            if (u->kind != T_NONE)
                return false;
        return true;
    }
    return p->src[at] == '\n' || (p->src[at] == '\r' && at + 1 < t->end && p->src[at + 1] == '\n');
}

/* Marks where each kept, non-empty line starts, so that a partial's or a
 * block's indentation is written before the template's own lines only,
 * never inside interpolated data. */
static void mark_line_starts(parser *p)
{
    for (size_t a = 0, b; a < p->ntoks; a = b) {
        b = line_end(p, a);
        token *first = NULL;
        bool standalone = false;
        for (size_t i = a; i < b; i++) {
            token *t = &p->toks[i];
            standalone |= t->standalone;
            if (!first && t->kind != T_NONE)
                first = t;
        }
        if (standalone || !first || (first->kind == T_TEXT && empty_line(p, first, b)))
            continue;
        first->line_start = true;
    }
}

/* ---------------------------------------------------------------------------
 * Building the tree.
 * ------------------------------------------------------------------------- */

typedef struct {
    node self;
    node *kids;
    size_t len, cap;
} frame;

static void node_free(node *nd)
{
    for (size_t i = 0; i < nd->nkids; i++)
        node_free(&nd->kids[i]);
    free(nd->kids);
}

static void add_kid(frame *f, node nd)
{
    XGROW(f->kids, f->cap, f->len + 1, 8);
    f->kids[f->len++] = nd;
}

static node_kind node_kind_of(tok_kind k)
{
    switch (k) {
    case T_VAR: return N_VAR;
    case T_RAW: return N_RAW;
    case T_SECTION: return N_SECTION;
    case T_INVERTED: return N_INVERTED;
    case T_PARTIAL: return N_PARTIAL;
    case T_PARENT: return N_PARENT;
    default: return N_BLOCK;
    }
}

static node tag_node(const parser *p, const token *t)
{
    node nd;
    memset(&nd, 0, sizeof nd);
    nd.kind = node_kind_of(t->kind);
    nd.dynamic = t->dynamic;
    nd.standalone = t->standalone;
    nd.line = t->line;
    nd.col = t->col;
    nd.str = p->src + t->name;
    nd.len = t->name_len;
    if (t->kind == T_BLOCK) {
        nd.indent = p->src + t->site;
        nd.indent_len = t->site_len;
    } else {
        size_t cut = t->strip < t->indent_len ? t->strip : t->indent_len;
        nd.indent = p->src + t->indent + cut;
        nd.indent_len = t->indent_len - cut;
    }
    return nd;
}

/* A parent's content is only its block arguments: the spec ignores the
 * rest, so it is dropped here and never looked at again. */
static void keep_blocks(frame *f)
{
    size_t kept = 0;
    for (size_t i = 0; i < f->len; i++) {
        if (f->kids[i].kind == N_BLOCK)
            f->kids[kept++] = f->kids[i];
        else
            node_free(&f->kids[i]);
    }
    f->len = kept;
}

static void close_frame(frame *stack, size_t *depth)
{
    frame *f = &stack[--*depth];
    if (f->self.kind == N_PARENT)
        keep_blocks(f);
    f->self.kids = f->kids;
    f->self.nkids = f->len;
    add_kid(&stack[*depth - 1], f->self);
}

static void build_token(const parser *p, const token *t, frame *stack, size_t *depth)
{
    frame *top = &stack[*depth - 1];
    if (t->line_start)
        add_kid(top, (node){.kind = N_LINE});
    if (t->kind == T_TEXT) {
        size_t from = t->start + t->strip;
        if (from < t->end)
            add_kid(top, (node){.kind = N_TEXT, .str = p->src + from, .len = t->end - from});
    } else if (t->kind == T_CLOSE) {
        close_frame(stack, depth);
    } else if (is_opener(t->kind)) {
        frame *f = &stack[(*depth)++];
        memset(f, 0, sizeof *f);
        f->self = tag_node(p, t);
    } else if (t->kind == T_VAR || t->kind == T_RAW || t->kind == T_PARTIAL) {
        add_kid(top, tag_node(p, t));
    }
}

/* Builds the tree of a template whose tags all match. */
static void build(const parser *p, tpl *t)
{
    frame *stack = xcalloc(TPL_MAX_NESTING + 1, sizeof *stack);
    size_t depth = 1;
    for (size_t i = 0; i < p->ntoks; i++)
        build_token(p, &p->toks[i], stack, &depth);
    t->kids = stack[0].kids;
    t->nkids = stack[0].len;
    free(stack);
}

static void parse(tpl *t, diag_list *diags)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.src = t->src;
    p.n = strlen(t->src);
    p.path = t->path;
    p.diags = diags;
    p.otag = "{{";
    p.ctag = "}}";
    p.olen = p.clen = 2;
    p.line = p.col = 1;
    tokenize(&p);
    match_tags(&p);
    if (p.errors == 0) {
        mark_standalone(&p);
        indent_blocks(&p);
        mark_line_starts(&p);
        build(&p, t);
    }
    t->ok = p.errors == 0;
    free(p.toks);
}

/* ---------------------------------------------------------------------------
 * The set.
 * ------------------------------------------------------------------------- */

static const tpl *lookup_tpl(const tpl_set *set, const char *name, size_t n)
{
    const strtab_entry *e = strtab_get(&set->index, name, n);
    return e ? set->items[e->val] : NULL;
}

static void tpl_free(tpl *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nkids; i++)
        node_free(&t->kids[i]);
    free(t->kids);
    free(t->name);
    free(t->path);
    free(t->src);
    free(t);
}

tpl_set *tpl_set_new(void) { return xcalloc(1, sizeof(tpl_set)); }

void tpl_set_free(tpl_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->len; i++)
        tpl_free(set->items[i]);
    free(set->items);
    strtab_free(&set->index);
    free(set);
}

static void insert_tpl(tpl_set *set, tpl *t)
{
    bool added;
    strtab_entry *e = strtab_add(&set->index, t->name, strlen(t->name), set->len, &added);
    if (!added) {
        tpl_free(set->items[e->val]);
        set->items[e->val] = t;
        e->key = t->name; /* the old item's name is freed */
        return;
    }
    XGROW(set->items, set->cap, set->len + 1, 16);
    set->items[set->len++] = t;
}

bool tpl_set_add(tpl_set *set, const char *name, const char *path, const char *src, size_t n,
                 diag_list *diags)
{
    tpl *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->path = xstrdup(path ? path : name);
    if (n > TPL_MAX_SOURCE) {
        int line, col;
        utf8_position(src, TPL_MAX_SOURCE, 1, &line, &col);
        diag_add(diags, DIAG_ERROR, t->path, line, col,
                 "template longer than %zu MiB (%.1f MiB in all) is not read; the limit falls here",
                 TPL_MAX_SOURCE >> 20, (double)n / (1 << 20));
        t->src = xstrdup(""); /* kept, broken, so that what includes it is not reported missing */
        insert_tpl(set, t);
        return false;
    }
    /* Parsing stops at a NUL byte: a template is text. */
    t->src = xstrndup(src, n);
    parse(t, diags);
    insert_tpl(set, t);
    return t->ok;
}

bool tpl_set_has(const tpl_set *set, const char *name)
{
    return lookup_tpl(set, name, strlen(name)) != NULL;
}

/* ---------------------------------------------------------------------------
 * Rendering. Every piece of render state lives on the C stack as linked
 * frames, so a render allocates nothing and shares nothing between threads.
 * ------------------------------------------------------------------------- */

typedef struct ctx_frame {
    const value *v;
    const struct ctx_frame *up;
} ctx_frame;

typedef struct indent_frame {
    const char *s;
    size_t n;
    const struct indent_frame *up;
} indent_frame;

typedef struct block_frame {
    const node *parent; /* an N_PARENT whose kids are block arguments */
    const struct tpl *owner; /* the template the parent tag is in */
    const struct block_frame *up;
} block_frame;

typedef struct arg_frame {
    const node *arg; /* a block argument being expanded */
    const struct arg_frame *up;
} arg_frame;

typedef struct {
    const ctx_frame *ctx;       /* pushed by sections, above the caller's stack */
    const indent_frame *indent; /* standalone partials, parents and blocks */
    const block_frame *blocks;  /* parents being expanded, innermost first */
    const arg_frame *args;      /* block arguments being expanded */
    const tpl *cur;             /* the template the nodes being rendered are in */
} scope;

typedef struct {
    const tpl_set *set;
    strbuf *out;
    size_t out_start;
    const value *const *base; /* the caller's stack, bottom first */
    size_t nbase;
    int depth;    /* partials, parents and blocks being expanded */
    size_t steps; /* nodes rendered so far, against max_steps */
    size_t max_steps, max_bytes; /* the budget, which lists walked outside lists raise */
    int in_lists; /* list sections being walked */
    const node *outer_list;     /* the outermost list section being walked... */
    const tpl *outer_list_tpl;  /* ...and its template */
    tpl_failure *why;
} render_state;

/* Records why the render stops, at node nd of the current template (the
 * innermost cause: outer frames only add to the chain), and returns false. */
static bool fail(render_state *st, const scope *sc, const node *nd, tpl_fail_kind kind)
{
    tpl_failure *why = st->why;
    if (why->kind == TPL_FAIL_NONE) {
        /* Work and output run out wherever they do; the list being walked
           outermost is where they multiply, and the same on every page. */
        const tpl *t = sc->cur;
        if ((kind == TPL_FAIL_STEPS || kind == TPL_FAIL_OUTPUT) && st->outer_list) {
            nd = st->outer_list;
            t = st->outer_list_tpl;
        }
        why->kind = kind;
        why->path = t ? t->path : "";
        why->line = nd ? nd->line : 0;
        why->col = nd ? nd->col : 0;
        why->steps = st->max_steps;
        why->bytes = st->max_bytes;
    }
    return false;
}

static bool render_nodes(render_state *st, const node *nodes, size_t n, const scope *sc);
static bool include(render_state *st, const node *nd, const scope *sc, const tpl *t);

/* Finds the first part of a dotted name, from the top of the stack down. */
static const value *lookup_first(const render_state *st, const scope *sc, const char *s,
                                 size_t n)
{
    uint64_t bit = value_key_bit(s, n);
    for (const ctx_frame *f = sc->ctx; f; f = f->up) {
        const value *v = value_map_may_have(f->v, bit) ? value_map_getn(f->v, s, n) : NULL;
        if (v)
            return v;
    }
    for (size_t i = st->nbase; i-- > 0;) {
        const value *v = value_map_may_have(st->base[i], bit) ? value_map_getn(st->base[i], s, n) : NULL;
        if (v)
            return v;
    }
    return NULL;
}

/* Resolves a name as the spec says: "." is the top of the stack; the first
 * part of a dotted name is searched for up the stack, and the rest must
 * follow from there, or the name resolves to nothing. */
static const value *lookup(const render_state *st, const scope *sc, const char *s, size_t n)
{
    if (n == 1 && s[0] == '.') {
        if (sc->ctx)
            return sc->ctx->v;
        return st->nbase ? st->base[st->nbase - 1] : NULL;
    }
    const char *dot = memchr(s, '.', n);
    size_t part = dot ? (size_t)(dot - s) : n;
    const value *v = lookup_first(st, sc, s, part);
    while (v && dot) {
        s = dot + 1;
        n -= part + 1;
        dot = memchr(s, '.', n);
        part = dot ? (size_t)(dot - s) : n;
        v = value_map_getn(v, s, part);
    }
    return v;
}

static void write_indent(strbuf *out, const indent_frame *f)
{
    if (!f)
        return;
    write_indent(out, f->up);
    strbuf_append(out, f->s, f->n);
}

/* Indentation goes only where output is at the start of a line: a block
 * expanded in the middle of a line must not indent its first line. */
static void render_line(render_state *st, const scope *sc)
{
    const strbuf *out = st->out;
    if (!sc->indent)
        return;
    if (out->len == st->out_start || out->data[out->len - 1] == '\n')
        write_indent(st->out, sc->indent);
}

static void render_var(render_state *st, const node *nd, const scope *sc)
{
    const value *v = lookup(st, sc, nd->str, nd->len);
    if (!v)
        return;
    if (v->kind == V_STR && nd->kind == N_VAR)
        esc_html(st->out, v->u.str.ptr, v->u.str.len);
    else
        value_to_text(v, st->out); /* numbers and booleans need no escaping */
}

static bool render_section(render_state *st, const node *nd, const scope *sc)
{
    const value *v = lookup(st, sc, nd->str, nd->len);
    if (nd->kind == N_INVERTED)
        return value_truthy(v) ? true : render_nodes(st, nd->kids, nd->nkids, sc);
    if (!value_truthy(v))
        return true;
    scope inner = *sc;
    ctx_frame f = {v, sc->ctx};
    inner.ctx = &f;
    if (v->kind != V_LIST)
        return render_nodes(st, nd->kids, nd->nkids, &inner);
    size_t items = v->u.list.len;
    if (st->in_lists == 0) { /* a list walked inside another adds nothing: that is how work multiplies */
        st->max_steps += items <= SIZE_MAX / 4 / TPL_STEPS_PER_ITEM ? items * TPL_STEPS_PER_ITEM : 0;
        st->max_bytes += items <= SIZE_MAX / 4 / TPL_BYTES_PER_ITEM ? items * TPL_BYTES_PER_ITEM : 0;
        st->outer_list = nd;
        st->outer_list_tpl = sc->cur;
    }
    st->in_lists++;
    bool ok = true;
    for (size_t i = 0; i < items && ok; i++) {
        f.v = v->u.list.items[i];
        ok = render_nodes(st, nd->kids, nd->nkids, &inner);
    }
    if (--st->in_lists == 0 && ok)
        st->outer_list = NULL;
    return ok;
}

/* The template a partial or parent tag names; a dynamic name is the string
 * its dotted name resolves to. */
static const tpl *target_of(const render_state *st, const node *nd, const scope *sc)
{
    if (!nd->dynamic)
        return lookup_tpl(st->set, nd->str, nd->len);
    const value *v = lookup(st, sc, nd->str, nd->len);
    if (!v || v->kind != V_STR)
        return NULL;
    return lookup_tpl(st->set, v->u.str.ptr, v->u.str.len);
}

/* Runs the expansion of a partial, parent or block (the tag tag, in the
 * template the outer scope renders) under the depth cap. */
static bool expand(render_state *st, const node *tag, const scope *outer, const node *nodes, size_t n,
                   const scope *sc)
{
    if (st->depth >= TPL_MAX_DEPTH)
        return fail(st, outer, tag, TPL_FAIL_DEPTH);
    st->depth++;
    bool ok = render_nodes(st, nodes, n, sc);
    st->depth--;
    return ok;
}

/* Partials and parents: a standalone tag indents every line of what it
 * includes; an inline one includes it as it is. */
static bool render_include(render_state *st, const node *nd, const scope *sc)
{
    const tpl *t = target_of(st, nd, sc);
    if (!t)
        return true;
    bool ok = t->ok ? true : fail(st, sc, nd, TPL_FAIL_BROKEN);
    if (ok) {
        ok = include(st, nd, sc, t);
        if (ok)
            return true;
    }
    tpl_failure *why = st->why; /* unwinding: innermost first, turned round at the end */
    if (why->chain_len < sizeof why->chain / sizeof *why->chain)
        why->chain[why->chain_len++] = (tpl_include){t->name, sc->cur ? sc->cur->path : "", nd->line, nd->col};
    return false;
}

static bool include(render_state *st, const node *nd, const scope *sc, const tpl *t)
{
    scope inner = *sc;
    inner.cur = t;
    indent_frame indent = {nd->indent, nd->indent_len, sc->indent};
    if (!nd->standalone)
        inner.indent = NULL;
    else if (nd->indent_len)
        inner.indent = &indent;
    block_frame blocks = {nd, sc->cur, sc->blocks};
    if (nd->kind == N_PARENT)
        inner.blocks = &blocks;
    return expand(st, nd, sc, t->kids, t->nkids, &inner);
}

static bool expanding(const scope *sc, const node *arg)
{
    for (const arg_frame *a = sc->args; a; a = a->up)
        if (a->arg == arg)
            return true;
    return false;
}

/* The argument a parent passes for block nd, by name. */
static const node *argument_in(const node *parent, const node *nd)
{
    for (size_t i = 0; i < parent->nkids; i++) {
        const node *arg = &parent->kids[i];
        if (arg->len == nd->len && memcmp(arg->str, nd->str, nd->len) == 0)
            return arg;
    }
    return NULL;
}

/* The argument for a block: the outermost parent that passes one wins, so a
 * page overrides its layout's layout. An argument never fills a block inside
 * itself: {{$main}}<div>{{$main}}{{/main}}</div>{{/main}} wraps what an outer
 * template passes, or the default, instead of recursing without end. Returns
 * NULL when the default applies. */
static const node *block_argument(const scope *sc, const node *nd, const tpl **owner)
{
    const node *found = NULL;
    for (const block_frame *b = sc->blocks; b; b = b->up) {
        const node *arg = argument_in(b->parent, nd);
        if (arg && !expanding(sc, arg)) {
            found = arg;
            *owner = b->owner;
        }
    }
    return found;
}

static bool render_block(render_state *st, const node *nd, const scope *sc)
{
    const tpl *owner = sc->cur;
    const node *arg = block_argument(sc, nd, &owner);
    const node *content = arg ? arg : nd;
    scope inner = *sc;
    inner.cur = owner;
    indent_frame indent = {nd->indent, nd->indent_len, sc->indent};
    if (nd->standalone && nd->indent_len)
        inner.indent = &indent;
    arg_frame active = {arg, sc->args};
    if (arg)
        inner.args = &active;
    return expand(st, nd, sc, content->kids, content->nkids, &inner);
}

static bool render_node(render_state *st, const node *nd, const scope *sc)
{
    if (++st->steps > st->max_steps)
        return fail(st, sc, nd, TPL_FAIL_STEPS);
    if (st->out->len - st->out_start > st->max_bytes)
        return fail(st, sc, nd, TPL_FAIL_OUTPUT);
    switch (nd->kind) {
    case N_TEXT:
        strbuf_append(st->out, nd->str, nd->len);
        return true;
    case N_LINE:
        render_line(st, sc);
        return true;
    case N_VAR:
    case N_RAW:
        render_var(st, nd, sc);
        return true;
    case N_SECTION:
    case N_INVERTED:
        return render_section(st, nd, sc);
    case N_PARTIAL:
    case N_PARENT:
        return render_include(st, nd, sc);
    case N_BLOCK:
        return render_block(st, nd, sc);
    }
    return true;
}

static bool render_nodes(render_state *st, const node *nodes, size_t n, const scope *sc)
{
    for (size_t i = 0; i < n; i++)
        if (!render_node(st, &nodes[i], sc))
            return false;
    return true;
}

bool tpl_render_checked(const tpl_set *set, const char *name, const value *const *stack, size_t depth,
                        strbuf *out, tpl_failure *why)
{
    memset(why, 0, offsetof(tpl_failure, chain));
    why->chain_len = 0;
    const tpl *t = lookup_tpl(set, name, strlen(name));
    if (!t || !t->ok) {
        why->kind = t ? TPL_FAIL_BROKEN : TPL_FAIL_MISSING;
        why->path = t ? t->path : "";
        return false;
    }
    render_state st = {.set = set, .out = out, .out_start = out->len, .base = stack, .nbase = depth,
                       .max_steps = TPL_MAX_STEPS, .max_bytes = TPL_MAX_OUTPUT, .why = why};
    scope sc = {.cur = t};
    if (render_nodes(&st, t->kids, t->nkids, &sc))
        return true;
    out->len = st.out_start;
    if (out->data)
        out->data[out->len] = '\0';
    for (size_t i = 0, j = why->chain_len; i + 1 < j; i++, j--) {
        tpl_include swap = why->chain[i];
        why->chain[i] = why->chain[j - 1];
        why->chain[j - 1] = swap;
    }
    return false;
}

bool tpl_render(const tpl_set *set, const char *name, const value *const *stack, size_t depth,
                strbuf *out)
{
    tpl_failure why;
    return tpl_render_checked(set, name, stack, depth, out, &why);
}

/* The first template the chain includes twice, or NULL. */
static const tpl_include *first_repeat(const tpl_failure *why)
{
    for (size_t i = 0; i < why->chain_len; i++)
        for (size_t k = 0; k < i; k++)
            if (!strcmp(why->chain[k].name, why->chain[i].name))
                return &why->chain[i];
    return NULL;
}

void tpl_failure_describe(const tpl_failure *why, const char *layout, strbuf *msg)
{
    const tpl_include *repeat = first_repeat(why);
    switch (why->kind) {
    case TPL_FAIL_MISSING:
        strbuf_printf(msg, "layout '%s' not found", layout);
        break;
    case TPL_FAIL_BROKEN:
        strbuf_printf(msg, "'%s' cannot be rendered: it has errors (reported above)",
                      why->chain_len ? why->chain[why->chain_len - 1].name : layout);
        break;
    case TPL_FAIL_DEPTH:
        if (repeat)
            strbuf_printf(msg, "'%s' includes itself without end", repeat->name);
        else
            strbuf_printf(msg, "partials, parents and blocks nest more than %d deep", TPL_MAX_DEPTH);
        break;
    case TPL_FAIL_STEPS:
        strbuf_printf(msg, "render budget exceeded: more than %zu steps (a list walked inside this one?)",
                      why->steps);
        break;
    case TPL_FAIL_OUTPUT:
        strbuf_printf(msg, "output size cap exceeded: the page would be over %zu MiB", why->bytes >> 20);
        break;
    case TPL_FAIL_NONE:
        strbuf_printf(msg, "layout '%s' could not be rendered", layout);
        break;
    }
}

void tpl_failure_chain(const tpl_failure *why, const char *layout, strbuf *msg)
{
    const tpl_include *repeat = first_repeat(why);
    strbuf_puts(msg, layout);
    for (size_t i = 0; i < why->chain_len; i++) {
        strbuf_printf(msg, " > %s", why->chain[i].name);
        if (&why->chain[i] == repeat) {
            strbuf_puts(msg, " > ...");
            return;
        }
    }
}

/* ---------------------------------------------------------------------------
 * Reference checks.
 * ------------------------------------------------------------------------- */

static void check_nodes(const tpl_set *set, const tpl *t, const node *nodes, size_t n,
                        diag_list *diags)
{
    for (size_t i = 0; i < n; i++) {
        const node *nd = &nodes[i];
        bool include = nd->kind == N_PARTIAL || nd->kind == N_PARENT;
        if (include && !nd->dynamic && !lookup_tpl(set, nd->str, nd->len)) {
            bool parent = nd->kind == N_PARENT;
            diag_add(diags, parent ? DIAG_ERROR : DIAG_WARNING, t->path, nd->line, nd->col,
                     "%s '%.*s' not found", parent ? "parent" : "partial", (int)nd->len,
                     nd->str);
        }
        check_nodes(set, t, nd->kids, nd->nkids, diags);
    }
}

void tpl_set_check_refs(const tpl_set *set, diag_list *diags)
{
    for (size_t i = 0; i < set->len; i++) {
        const tpl *t = set->items[i];
        check_nodes(set, t, t->kids, t->nkids, diags);
    }
}
