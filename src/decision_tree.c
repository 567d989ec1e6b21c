/* decision_tree: load, validate and render the relative-rest decision tree.
 *
 * Loading happens in three passes so that one run reports every problem:
 * read each question and outcome on its own (fields, types, ids); index the
 * ids in a sorted array and resolve every reference; then walk the graph once
 * to find loops and nodes nothing leads to. Every pass is O(n log n) or
 * linear in the size of the tree, so hostile front matter cannot make a build
 * slow. */
#include "decision_tree.h"

#include <cmark-gfm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "xalloc.h"

#define ID_MAX 64
#define NO_NODE SIZE_MAX

/* Unknown-verdict messages list the verdicts when there are at most this
 * many, and point to the 'verdicts' map otherwise. */
#define VERDICTS_LISTED 8

/* A verdict: its name (an outcome's `verdict:`, and a class for the style
 * sheet) and the words shown for it, so meaning never rests on colour.
 * Both come from the tree's `verdicts:` map: the generator knows none. */
typedef struct dt_verdict {
    char *key;
    char *words;
} dt_verdict;

typedef struct dt_answer {
    char *label;   /* NULL when missing or not a string */
    char *name;    /* "answer 'Yes' of question 'x'", for messages */
    char *next_id; /* NULL when missing or not a string */
    size_t next;   /* node index, or NO_NODE until resolved */
    int line, col; /* of `next`, for errors about where it leads */
} dt_answer;

typedef struct dt_node {
    bool is_outcome;
    bool is_duplicate; /* a later node reusing an id; never a target */
    char *id;          /* NULL when missing or invalid */
    int line, col;     /* of the id, or of the item when it has none */
    char *name;        /* "question 'x'" or "question 3", for messages */
    char *text;        /* the question, or the outcome's title */
    char *help;        /* may be NULL */
    char *summary;     /* short name for the answers-so-far list; may be NULL */
    char *stage;       /* the part of the tree it belongs to, for the progress cue; may be NULL */
    char **items;      /* the question's optional list */
    size_t n_items;
    dt_answer *answers;
    size_t n_answers;
    size_t verdict;    /* index into the tree's verdicts */
    char *advice_html;
    bool no_reminder;  /* an outcome's `reminder: false`: the tree's reminder is not shown under it */
} dt_node;

struct dtree {
    dt_node *nodes; /* questions first, then outcomes, each in file order */
    size_t len;
    size_t n_questions;
    size_t start;
    char *reminder_html;
    char *outcome_note_html; /* may be NULL */
    dt_verdict *verdicts;     /* in file order */
    size_t n_verdicts;
};

typedef struct id_entry {
    const char *id;
    size_t node;
    int line, col;
} id_entry;

typedef struct loader {
    const char *file;
    dtree_md_fn md_fn;
    void *md_ctx;
    diag_list *diags;
    dtree *tree;
    id_entry *ids; /* sorted by id, then position; one entry per id once indexed */
    size_t n_ids;
    id_entry *verdict_index; /* one per verdict, sorted by key; .node is its index */
    const value *verdicts; /* the map, for messages; NULL when unusable */
} loader;

static void error_at(loader *ld, const value *v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void error_at(loader *ld, const value *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(ld->diags, DIAG_ERROR, ld->file, v->line, v->col, fmt, ap);
    va_end(ap);
}

/* Appends s for a message: at most 60 bytes, safe for the one-line format. */
static void put_shown(strbuf *out, const char *s) { diag_quote(out, s, strlen(s), 60); }

/* Returns a message-safe copy of s the caller owns. */
static char *shown(const char *s)
{
    strbuf sb = STRBUF_INIT;
    put_shown(&sb, s);
    return strbuf_detach(&sb);
}

static bool id_is_valid(const char *s, size_t n)
{
    if (n == 0 || n > ID_MAX || strlen(s) != n)
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Returns the string under key in map, or NULL after reporting it missing,
 * wrong-typed or blank; `what` names the owner ("question 'x'"), NULL for
 * the tree itself. */
static const value *check_string(loader *ld, const value *v, const char *key, const char *what);

static const value *need_string(loader *ld, const value *map, const char *key, const char *what)
{
    const value *v = value_map_get(map, key);
    if (!v) {
        if (what)
            error_at(ld, map, "tree: %s has no '%s'", what, key);
        else
            error_at(ld, map, "tree: missing '%s'", key);
        return NULL;
    }
    return check_string(ld, v, key, what);
}

/* Returns v when it is a non-blank string without NUL bytes; otherwise
 * reports it as the value under key of `what` and returns NULL. */
static const value *check_string(loader *ld, const value *v, const char *key, const char *what)
{
    const char *problem = NULL;
    if (v->kind != V_STR)
        problem = value_kind_name(v->kind);
    else if (strlen(v->u.str.ptr) != v->u.str.len)
        problem = "contains a NUL byte";
    else if (is_blank(v->u.str.ptr, v->u.str.len))
        problem = "is empty";
    if (!problem)
        return v;
    const char *of = what ? " of " : "";
    if (v->kind != V_STR)
        error_at(ld, v, "tree: '%s'%s%s must be a string, not %s", key, of, what ? what : "", problem);
    else
        error_at(ld, v, "tree: '%s'%s%s %s", key, of, what ? what : "", problem);
    return NULL;
}

/* As need_string for a key that may be absent. */
static const value *maybe_string(loader *ld, const value *map, const char *key, const char *what)
{
    return value_map_get(map, key) ? need_string(ld, map, key, what) : NULL;
}

/* Reports every key of map that is not in the NULL-terminated allowed list;
 * typos such as 'nxt' would otherwise be silently ignored. `what` names the
 * owner, NULL for the tree itself. */
static void check_keys(loader *ld, const value *map, const char *const *allowed, const char *what,
                       const char *hint)
{
    for (size_t i = 0; i < map->u.map.len; i++) {
        const char *key = value_entry_key(&map->u.map.items[i]);
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(key, *a) == 0;
        if (known)
            continue;
        char *k = shown(key);
        if (what)
            error_at(ld, map->u.map.items[i].val, "tree: %s has an unknown key '%s'; use %s", what, k, hint);
        else
            error_at(ld, map->u.map.items[i].val, "tree: unknown key '%s'; use %s", k, hint);
        free(k);
    }
}

/* Renders the Markdown under `key` of `what` through the site's callback, or
 * plain safe cmark. A callback that fails is meant to say why; if it says
 * nothing, an error here keeps the failure from passing silently. */
static char *render_md(loader *ld, const value *md, const char *key, const char *what)
{
    if (!ld->md_fn)
        return cmark_markdown_to_html(md->u.str.ptr, md->u.str.len, CMARK_OPT_DEFAULT);
    size_t errors_before = diag_count(ld->diags, DIAG_ERROR);
    strbuf html = STRBUF_INIT;
    if (ld->md_fn(ld->md_ctx, md->u.str.ptr, md->u.str.len, md->line, md->col, &html))
        return strbuf_detach(&html);
    strbuf_free(&html);
    if (diag_count(ld->diags, DIAG_ERROR) == errors_before)
        error_at(ld, md, "tree: the Markdown in '%s'%s%s could not be rendered", key, what ? " of " : "",
                 what ? what : "");
    return NULL;
}

/* Reads the node's id and sets its name for later messages. */
static void read_id(loader *ld, dt_node *node, const value *map, size_t index)
{
    const char *kind = node->is_outcome ? "outcome" : "question";
    const value *id = value_map_get(map, "id");
    strbuf name = STRBUF_INIT;
    node->line = map->line;
    node->col = map->col;
    if (!id) {
        error_at(ld, map, "tree: %s %zu has no 'id'", kind, index);
    } else if (id->kind != V_STR) {
        error_at(ld, id, "tree: 'id' of %s %zu must be a string, not %s", kind, index,
                 value_kind_name(id->kind));
    } else if (!id_is_valid(id->u.str.ptr, id->u.str.len)) {
        char *s = shown(id->u.str.ptr);
        error_at(ld, id, "tree: id '%s' of %s %zu must be 1 to %d characters of a-z, 0-9 and '-'", s,
                 kind, index, ID_MAX);
        free(s);
    } else {
        node->id = xstrdup(id->u.str.ptr);
        node->line = id->line;
        node->col = id->col;
        strbuf_printf(&name, "%s '%s'", kind, node->id);
    }
    if (!node->id)
        strbuf_printf(&name, "%s %zu", kind, index);
    node->name = strbuf_detach(&name);
}

static char *copy_string(const value *v) { return v ? xstrdup(v->u.str.ptr) : NULL; }

static void read_items(loader *ld, dt_node *node, const value *list)
{
    if (list->kind != V_LIST) {
        error_at(ld, list, "tree: 'list' of %s must be a list, not %s", node->name, value_kind_name(list->kind));
        return;
    }
    node->items = xcalloc(list->u.list.len, sizeof *node->items);
    for (size_t i = 0; i < list->u.list.len; i++) {
        const value *item = list->u.list.items[i];
        if (item->kind != V_STR) {
            error_at(ld, item, "tree: item %zu of 'list' of %s must be a string, not %s", i + 1, node->name,
                     value_kind_name(item->kind));
            continue;
        }
        if (strlen(item->u.str.ptr) != item->u.str.len || is_blank(item->u.str.ptr, item->u.str.len)) {
            error_at(ld, item, "tree: item %zu of 'list' of %s is empty", i + 1, node->name);
            continue;
        }
        node->items[node->n_items++] = xstrdup(item->u.str.ptr);
    }
}

static void read_answer(loader *ld, dt_node *node, dt_answer *ans, const value *map, size_t index)
{
    static const char *const keys[] = {"label", "next", NULL};
    strbuf name = STRBUF_INIT;
    ans->next = NO_NODE;
    strbuf_printf(&name, "answer %zu of %s", index, node->name);
    if (map->kind != V_MAP) {
        error_at(ld, map, "tree: %s must be a map with 'label' and 'next', not %s", name.data,
                 value_kind_name(map->kind));
        ans->name = strbuf_detach(&name);
        return;
    }
    ans->label = copy_string(need_string(ld, map, "label", name.data));
    if (ans->label) {
        strbuf_reset(&name);
        strbuf_puts(&name, "answer '");
        put_shown(&name, ans->label);
        strbuf_printf(&name, "' of %s", node->name);
    }
    ans->name = strbuf_detach(&name);
    const value *next = need_string(ld, map, "next", ans->name);
    if (next) {
        ans->next_id = xstrdup(next->u.str.ptr);
        ans->line = next->line;
        ans->col = next->col;
    }
    check_keys(ld, map, keys, ans->name, "label or next");
}

typedef struct label_entry {
    const char *label;
    size_t answer;
} label_entry;

static int label_entry_cmp(const void *a, const void *b)
{
    const label_entry *x = a, *y = b;
    int c = strcmp(x->label, y->label);
    if (c)
        return c;
    return x->answer < y->answer ? -1 : x->answer > y->answer;
}

/* Two answers with the same label would leave a reader unable to tell them
 * apart; sorting keeps the check O(k log k) however many answers there are. */
static void check_duplicate_labels(loader *ld, const dt_node *node, const value *list)
{
    label_entry *sorted = xcalloc(node->n_answers, sizeof *sorted);
    size_t n = 0;
    for (size_t i = 0; i < node->n_answers; i++)
        if (node->answers[i].label)
            sorted[n++] = (label_entry){node->answers[i].label, i};
    qsort(sorted, n, sizeof *sorted, label_entry_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(sorted[i - 1].label, sorted[i].label) != 0)
            continue;
        char *s = shown(sorted[i].label);
        error_at(ld, value_map_get(list->u.list.items[sorted[i].answer], "label"),
                 "tree: %s has two answers labelled '%s'", node->name, s);
        free(s);
    }
    free(sorted);
}

static void read_answers(loader *ld, dt_node *node, const value *map)
{
    const value *list = value_map_get(map, "answers");
    if (!list) {
        error_at(ld, map, "tree: %s has no 'answers'", node->name);
        return;
    }
    if (list->kind != V_LIST) {
        error_at(ld, list, "tree: 'answers' of %s must be a list, not %s", node->name,
                 value_kind_name(list->kind));
        return;
    }
    if (list->u.list.len < 2)
        error_at(ld, list, "tree: %s has %zu answer%s; it needs at least 2", node->name, list->u.list.len,
                 list->u.list.len == 1 ? "" : "s");
    node->n_answers = list->u.list.len;
    node->answers = xcalloc(node->n_answers, sizeof *node->answers);
    for (size_t i = 0; i < node->n_answers; i++)
        read_answer(ld, node, &node->answers[i], list->u.list.items[i], i + 1);
    check_duplicate_labels(ld, node, list);
}

static void read_question(loader *ld, dt_node *node, const value *map)
{
    static const char *const keys[] = {"id", "text", "summary", "stage", "help", "list", "answers", NULL};
    node->text = copy_string(need_string(ld, map, "text", node->name));
    node->summary = copy_string(maybe_string(ld, map, "summary", node->name));
    node->help = copy_string(maybe_string(ld, map, "help", node->name));
    node->stage = copy_string(maybe_string(ld, map, "stage", node->name));
    const value *list = value_map_get(map, "list");
    if (list)
        read_items(ld, node, list);
    read_answers(ld, node, map);
    check_keys(ld, map, keys, node->name, "id, text, summary, stage, help, list or answers");
}

/* The node of key in v[0..n), sorted by id; NO_NODE when it is not there. */
static size_t find_entry(const id_entry *v, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid].id, key);
        if (c == 0)
            return v[mid].node;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NO_NODE;
}

static size_t find_verdict(const loader *ld, const char *key)
{
    return find_entry(ld->verdict_index, ld->tree->n_verdicts, key);
}

/* Appends "use a, b or c" from the verdicts map, or where to look when the
 * list would be long. */
static void put_verdict_hint(const loader *ld, strbuf *out)
{
    const dtree *t = ld->tree;
    if (t->n_verdicts > VERDICTS_LISTED) {
        strbuf_printf(out, "use a name from 'verdicts' (line %d)", ld->verdicts->line);
        return;
    }
    strbuf_puts(out, "use ");
    for (size_t i = 0; i < t->n_verdicts; i++) {
        if (i)
            strbuf_puts(out, i + 1 == t->n_verdicts ? " or " : ", ");
        strbuf_puts(out, t->verdicts[i].key);
    }
}

static void read_verdict(loader *ld, dt_node *node, const value *map)
{
    const value *v = need_string(ld, map, "verdict", node->name);
    if (!v || !ld->verdicts)
        return;
    node->verdict = find_verdict(ld, v->u.str.ptr);
    if (node->verdict != NO_NODE)
        return;
    char *s = shown(v->u.str.ptr);
    strbuf hint = STRBUF_INIT;
    put_verdict_hint(ld, &hint);
    error_at(ld, v, "tree: %s has verdict '%s'; %s", node->name, s, hint.data);
    strbuf_free(&hint);
    free(s);
}

/* An outcome that already sends the reader for care (an emergency or a
 * same-day card in its advice) says `reminder: false`: the general "watch
 * for warning signs" box is noise under it. Only a YAML true or false. */
static void read_outcome_reminder(loader *ld, dt_node *node, const value *map)
{
    const value *v = value_map_get(map, "reminder");
    if (!v)
        return;
    if (v->kind != V_BOOL) {
        error_at(ld, v, "tree: 'reminder' of %s must be true or false, not %s", node->name,
                 value_kind_name(v->kind));
        return;
    }
    node->no_reminder = !v->u.b;
}

static void read_outcome(loader *ld, dt_node *node, const value *map)
{
    static const char *const keys[] = {"id", "verdict", "title", "advice", "reminder", NULL};
    read_verdict(ld, node, map);
    node->text = copy_string(need_string(ld, map, "title", node->name));
    const value *advice = need_string(ld, map, "advice", node->name);
    if (advice)
        node->advice_html = render_md(ld, advice, "advice", node->name);
    read_outcome_reminder(ld, node, map);
    check_keys(ld, map, keys, node->name, "id, verdict, title, advice or reminder");
}

/* Reads the list under key (questions or outcomes) into the tree's nodes. */
static void read_nodes(loader *ld, const value *tree_map, const char *key, bool outcomes)
{
    const value *list = value_map_get(tree_map, key);
    if (!list) {
        error_at(ld, tree_map, "tree: missing '%s'", key);
        return;
    }
    if (list->kind != V_LIST) {
        error_at(ld, list, "tree: '%s' must be a list, not %s", key, value_kind_name(list->kind));
        return;
    }
    dtree *t = ld->tree;
    t->nodes = xrealloc(t->nodes, (t->len + list->u.list.len) * sizeof *t->nodes);
    for (size_t i = 0; i < list->u.list.len; i++) {
        const value *map = list->u.list.items[i];
        const char *kind = outcomes ? "outcome" : "question";
        if (map->kind != V_MAP) {
            error_at(ld, map, "tree: %s %zu must be a map, not %s", kind, i + 1, value_kind_name(map->kind));
            continue;
        }
        dt_node *node = &t->nodes[t->len++];
        memset(node, 0, sizeof *node);
        node->is_outcome = outcomes;
        read_id(ld, node, map, i + 1);
        if (outcomes)
            read_outcome(ld, node, map);
        else
            read_question(ld, node, map);
    }
}

/* Sorted by id, then by position in the file, so that the use of an id
 * that counts is the one a reader meets first. */
static int id_entry_cmp(const void *a, const void *b)
{
    const id_entry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

/* Builds the sorted id table; every id after the first use of it is an error. */
static void index_ids(loader *ld)
{
    dtree *t = ld->tree;
    ld->ids = xcalloc(t->len, sizeof *ld->ids);
    for (size_t i = 0; i < t->len; i++)
        if (t->nodes[i].id)
            ld->ids[ld->n_ids++] = (id_entry){t->nodes[i].id, i, t->nodes[i].line, t->nodes[i].col};
    qsort(ld->ids, ld->n_ids, sizeof *ld->ids, id_entry_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < ld->n_ids; i++) {
        if (kept && strcmp(ld->ids[kept - 1].id, ld->ids[i].id) == 0) {
            const dt_node *first = &t->nodes[ld->ids[kept - 1].node];
            dt_node *dup = &t->nodes[ld->ids[i].node];
            dup->is_duplicate = true;
            diag_add(ld->diags, DIAG_ERROR, ld->file, dup->line, dup->col,
                     "tree: duplicate id '%s' (first used by the %s on line %d)", dup->id,
                     first->is_outcome ? "outcome" : "question", first->line);
            continue;
        }
        ld->ids[kept++] = ld->ids[i];
    }
    ld->n_ids = kept;
}

static size_t find_id(const loader *ld, const char *id) { return find_entry(ld->ids, ld->n_ids, id); }

/* A node's section is "q-ID" (or "o-ID") and its heading "q-ID-h", so a
 * question "a-h" beside a question "a" would give two elements one id, and
 * the page script would find the wrong one. Reported at the "-h" node. */
static void check_html_ids(loader *ld)
{
    const dtree *t = ld->tree;
    for (size_t i = 0; i < t->len; i++) {
        const dt_node *node = &t->nodes[i];
        size_t n = node->id ? strlen(node->id) : 0;
        if (node->is_duplicate || n < 3 || strcmp(node->id + n - 2, "-h") != 0)
            continue;
        char *prefix = xstrndup(node->id, n - 2);
        size_t other = find_id(ld, prefix);
        if (other != NO_NODE && t->nodes[other].is_outcome == node->is_outcome)
            diag_add(ld->diags, DIAG_ERROR, ld->file, node->line, node->col,
                     "tree: %s and the heading of %s (line %d) would both have the HTML id '%c-%s'; rename "
                     "one of them", node->name, t->nodes[other].name, t->nodes[other].line,
                     node->is_outcome ? 'o' : 'q', node->id);
        free(prefix);
    }
}

static void resolve_start(loader *ld, const value *tree_map)
{
    ld->tree->start = NO_NODE;
    const value *start = need_string(ld, tree_map, "start", NULL);
    if (!start)
        return;
    size_t node = find_id(ld, start->u.str.ptr);
    char *s = shown(start->u.str.ptr);
    if (node == NO_NODE)
        error_at(ld, start, "tree: 'start' names '%s', which is not a question id", s);
    else if (ld->tree->nodes[node].is_outcome)
        error_at(ld, start, "tree: 'start' names outcome '%s'; it must name a question", s);
    else
        ld->tree->start = node;
    free(s);
}

static void resolve_answers(loader *ld)
{
    dtree *t = ld->tree;
    for (size_t i = 0; i < t->len; i++) {
        dt_node *node = &t->nodes[i];
        for (size_t a = 0; a < node->n_answers; a++) {
            dt_answer *ans = &node->answers[a];
            if (!ans->next_id)
                continue;
            ans->next = find_id(ld, ans->next_id);
            if (ans->next != NO_NODE)
                continue;
            char *target = shown(ans->next_id);
            diag_add(ld->diags, DIAG_ERROR, ld->file, ans->line, ans->col,
                     "tree: %s leads to '%s', which is not a question or outcome id", ans->name, target);
            free(target);
        }
    }
}

enum { WHITE, GREY, BLACK };

typedef struct dfs_frame {
    size_t node;
    size_t answer; /* the next answer to follow */
} dfs_frame;

/* Depth-first search from every question with an explicit stack (a long
 * chain of questions must not overflow the C stack); an answer leading to a
 * question still on the stack closes a loop. Each node is pushed once, so
 * the walk is linear. */
static void find_loops(loader *ld)
{
    const dtree *t = ld->tree;
    unsigned char *colour = xcalloc(t->len, 1);
    dfs_frame *stack = xcalloc(t->len, sizeof *stack);
    for (size_t root = 0; root < t->len; root++) {
        if (colour[root] != WHITE)
            continue;
        size_t depth = 0;
        stack[depth++] = (dfs_frame){root, 0};
        colour[root] = GREY;
        while (depth) {
            dfs_frame *top = &stack[depth - 1];
            const dt_node *node = &t->nodes[top->node];
            if (top->answer == node->n_answers) {
                colour[top->node] = BLACK;
                depth--;
                continue;
            }
            const dt_answer *ans = &node->answers[top->answer++];
            if (ans->next == NO_NODE)
                continue;
            if (colour[ans->next] == GREY)
                diag_add(ld->diags, DIAG_ERROR, ld->file, ans->line, ans->col,
                         "tree: %s leads back to %s, which makes a loop", ans->name, t->nodes[ans->next].name);
            else if (colour[ans->next] == WHITE) {
                colour[ans->next] = GREY;
                stack[depth++] = (dfs_frame){ans->next, 0};
            }
        }
    }
    free(stack);
    free(colour);
}

/* Reports nodes no answer leads to. Every unreachable node is one of these
 * or lies below one, below a loop or below a node with a bad id (each
 * reported already), so reporting only these names each real mistake once
 * instead of once per node below it. Without a valid start there is no way to tell the
 * intended first question from an orphan, so the check waits for one. */
static void find_orphans(loader *ld)
{
    const dtree *t = ld->tree;
    if (t->start == NO_NODE)
        return;
    bool *led_to = xcalloc(t->len, sizeof *led_to);
    for (size_t i = 0; i < t->len; i++)
        for (size_t a = 0; a < t->nodes[i].n_answers; a++)
            if (t->nodes[i].answers[a].next != NO_NODE)
                led_to[t->nodes[i].answers[a].next] = true;
    for (size_t i = 0; i < t->len; i++) {
        const dt_node *node = &t->nodes[i];
        if (i != t->start && node->id && !node->is_duplicate && !led_to[i])
            diag_add(ld->diags, DIAG_ERROR, ld->file, node->line, node->col,
                     "tree: %s cannot be reached: no answer leads to it", node->name);
    }
    free(led_to);
}

static void read_reminder(loader *ld, const value *tree_map)
{
    const value *reminder = need_string(ld, tree_map, "reminder", NULL);
    if (reminder)
        ld->tree->reminder_html = render_md(ld, reminder, "reminder", NULL);
    const value *note = maybe_string(ld, tree_map, "outcome_note", NULL);
    if (note)
        ld->tree->outcome_note_html = render_md(ld, note, "outcome_note", NULL);
}

/* Reads the verdicts map, which outcomes name and whose words the page
 * shows; a map with a bad entry is still indexed, but unknown verdicts are
 * then not reported, as the bad entry may be the one meant. */
static void read_verdicts(loader *ld, const value *tree_map)
{
    const value *map = value_map_get(tree_map, "verdicts");
    if (!map) {
        error_at(ld, tree_map, "tree: missing 'verdicts'");
        return;
    }
    if (map->kind != V_MAP || map->u.map.len == 0) {
        error_at(ld, map, "tree: 'verdicts' must be a map of verdict names to the words shown for them, not %s",
                 map->kind == V_MAP ? "an empty map" : value_kind_name(map->kind));
        return;
    }
    dtree *t = ld->tree;
    bool all_good = true;
    t->verdicts = xcalloc(map->u.map.len, sizeof *t->verdicts);
    ld->verdict_index = xcalloc(map->u.map.len, sizeof *ld->verdict_index);
    for (size_t i = 0; i < map->u.map.len; i++) {
        const char *key = value_entry_key(&map->u.map.items[i]);
        const value *words = map->u.map.items[i].val;
        if (!id_is_valid(key, strlen(key))) {
            char *k = shown(key);
            error_at(ld, words, "tree: verdict name '%s' must be 1 to %d characters of a-z, 0-9 and '-'", k, ID_MAX);
            free(k);
            all_good = false;
            continue;
        }
        if (!check_string(ld, words, key, "'verdicts'")) {
            all_good = false;
            continue;
        }
        ld->verdict_index[t->n_verdicts] = (id_entry){key, t->n_verdicts, words->line, words->col};
        t->verdicts[t->n_verdicts++] = (dt_verdict){xstrdup(key), xstrdup(words->u.str.ptr)};
    }
    qsort(ld->verdict_index, t->n_verdicts, sizeof *ld->verdict_index, id_entry_cmp);
    if (all_good)
        ld->verdicts = map;
}

dtree *dtree_load(const value *tree, const char *file, dtree_md_fn md_fn, void *md_ctx, diag_list *diags)
{
    static const char *const keys[] = {"start", "questions", "outcomes", "verdicts", "reminder", "outcome_note", NULL};
    if (!tree || tree->kind != V_MAP) {
        diag_add(diags, DIAG_ERROR, file, tree ? tree->line : 0, tree ? tree->col : 0,
                 "tree: must be a map with 'start', 'questions', 'outcomes', 'verdicts' and 'reminder', not %s",
                 tree ? value_kind_name(tree->kind) : "nothing");
        return NULL;
    }
    size_t errors_before = diag_count(diags, DIAG_ERROR);
    loader ld = {.file = file, .md_fn = md_fn, .md_ctx = md_ctx, .diags = diags};
    ld.tree = xcalloc(1, sizeof *ld.tree);
    check_keys(&ld, tree, keys, NULL, "start, questions, outcomes, verdicts, reminder or outcome_note");
    read_verdicts(&ld, tree);
    read_nodes(&ld, tree, "questions", false);
    ld.tree->n_questions = ld.tree->len;
    read_nodes(&ld, tree, "outcomes", true);
    read_reminder(&ld, tree);
    index_ids(&ld);
    check_html_ids(&ld);
    resolve_start(&ld, tree);
    resolve_answers(&ld);
    find_loops(&ld);
    find_orphans(&ld);
    free(ld.ids);
    free(ld.verdict_index);
    if (diag_count(diags, DIAG_ERROR) > errors_before) {
        dtree_free(ld.tree);
        return NULL;
    }
    return ld.tree;
}

static const dt_node *start_node(const dtree *t) { return &t->nodes[t->start]; }

static void render_restart(const dtree *t, strbuf *out)
{
    strbuf_printf(out, "<p class=\"dt-restart\"><a href=\"#q-%s\">Start again</a></p>\n", start_node(t)->id);
}

/* Appends ` data-NAME="TEXT"`, escaped, when text is not NULL. */
static void put_data_attr(strbuf *out, const char *name, const char *text)
{
    if (!text)
        return;
    strbuf_printf(out, " data-%s=\"", name);
    esc_html(out, text, strlen(text));
    strbuf_putc(out, '"');
}

static void render_question(const dtree *t, const dt_node *q, bool is_start, strbuf *out)
{
    strbuf_printf(out, "<section class=\"dt-node dt-question%s\" id=\"q-%s\" aria-labelledby=\"q-%s-h\"",
                  is_start ? " dt-start" : "", q->id, q->id);
    put_data_attr(out, "summary", q->summary);
    put_data_attr(out, "stage", q->stage);
    strbuf_puts(out, ">\n");
    strbuf_printf(out, "<h2 id=\"q-%s-h\" tabindex=\"-1\">", q->id);
    esc_html(out, q->text, strlen(q->text));
    strbuf_puts(out, "</h2>\n");
    if (q->help) {
        strbuf_puts(out, "<p class=\"dt-help\">");
        esc_html(out, q->help, strlen(q->help));
        strbuf_puts(out, "</p>\n");
    }
    if (q->n_items) {
        strbuf_puts(out, "<ul class=\"dt-list\">\n");
        for (size_t i = 0; i < q->n_items; i++) {
            strbuf_puts(out, "<li>");
            esc_html(out, q->items[i], strlen(q->items[i]));
            strbuf_puts(out, "</li>\n");
        }
        strbuf_puts(out, "</ul>\n");
    }
    strbuf_puts(out, "<ul class=\"dt-answers\">\n");
    for (size_t a = 0; a < q->n_answers; a++) {
        const dt_node *next = &t->nodes[q->answers[a].next];
        strbuf_printf(out, "<li><a class=\"dt-answer\" href=\"#%c-%s\" data-answer=\"%zu\">",
                      next->is_outcome ? 'o' : 'q', next->id, a);
        esc_html(out, q->answers[a].label, strlen(q->answers[a].label));
        strbuf_puts(out, "</a></li>\n");
    }
    strbuf_puts(out, "</ul>\n");
    if (!is_start)
        render_restart(t, out);
    strbuf_puts(out, "</section>\n");
}

static void render_outcome(const dtree *t, const dt_node *o, strbuf *out)
{
    strbuf_printf(out, "<section class=\"dt-node dt-outcome dt-verdict-%s%s\" id=\"o-%s\" aria-labelledby=\"o-%s-h\">\n",
                  t->verdicts[o->verdict].key, o->no_reminder ? " dt-no-reminder" : "", o->id, o->id);
    strbuf_printf(out, "<h2 id=\"o-%s-h\" tabindex=\"-1\">", o->id);
    esc_html(out, o->text, strlen(o->text));
    strbuf_puts(out, "</h2>\n");
    /* A link can open an outcome directly; without the script nothing else
     * tells the reader that the advice rests on the safety questions. */
    if (t->outcome_note_html)
        strbuf_printf(out, "<div class=\"dt-outcome-note\">\n%s</div>\n", t->outcome_note_html);
    const char *words = t->verdicts[o->verdict].words;
    strbuf_puts(out, "<p class=\"dt-verdict\">Our advice: <strong>");
    esc_html(out, words, strlen(words));
    strbuf_puts(out, "</strong></p>\n");
    strbuf_printf(out, "<div class=\"dt-advice\">\n%s</div>\n", o->advice_html);
    render_restart(t, out);
    strbuf_puts(out, "</section>\n");
}

void dtree_render_html(const dtree *tree, strbuf *out)
{
    strbuf_printf(out, "<div class=\"dtree\" id=\"dtree\" data-start=\"%s\">\n", start_node(tree)->id);
    for (size_t i = 0; i < tree->len; i++) {
        const dt_node *node = &tree->nodes[i];
        if (node->is_outcome)
            render_outcome(tree, node, out);
        else
            render_question(tree, node, i == tree->start, out);
    }
    /* One copy, which the style sheet shows under whichever outcome is
     * shown, unless that outcome has the dt-no-reminder class: a copy per
     * outcome would weigh more than the advice itself. */
    strbuf_printf(out, "<div class=\"dt-reminder\">\n%s</div>\n", tree->reminder_html);
    strbuf_puts(out, "</div>\n");
}

static void json_field(strbuf *out, const char *key, const char *s)
{
    strbuf_printf(out, "\"%s\":", key);
    esc_json(out, s, strlen(s));
}

static void render_question_json(const dtree *t, const dt_node *q, strbuf *out)
{
    strbuf_putc(out, '{');
    json_field(out, "id", q->id);
    strbuf_putc(out, ',');
    json_field(out, "text", q->text);
    if (q->summary) {
        strbuf_putc(out, ',');
        json_field(out, "summary", q->summary);
    }
    strbuf_puts(out, ",\"answers\":[");
    for (size_t a = 0; a < q->n_answers; a++) {
        strbuf_puts(out, a ? ",{" : "{");
        json_field(out, "label", q->answers[a].label);
        strbuf_putc(out, ',');
        json_field(out, "next", t->nodes[q->answers[a].next].id);
        strbuf_putc(out, '}');
    }
    strbuf_puts(out, "]}");
}

static void render_outcome_json(const dtree *t, const dt_node *o, strbuf *out)
{
    strbuf_putc(out, '{');
    json_field(out, "id", o->id);
    strbuf_putc(out, ',');
    json_field(out, "verdict", t->verdicts[o->verdict].key);
    strbuf_putc(out, ',');
    json_field(out, "verdict_text", t->verdicts[o->verdict].words);
    strbuf_putc(out, ',');
    json_field(out, "title", o->text);
    if (o->no_reminder)
        strbuf_puts(out, ",\"reminder\":false");
    strbuf_putc(out, '}');
}

void dtree_render_json(const dtree *tree, strbuf *out)
{
    strbuf_putc(out, '{');
    json_field(out, "start", start_node(tree)->id);
    strbuf_puts(out, ",\"questions\":[");
    for (size_t i = 0; i < tree->n_questions; i++) {
        if (i)
            strbuf_putc(out, ',');
        render_question_json(tree, &tree->nodes[i], out);
    }
    strbuf_puts(out, "],\"outcomes\":[");
    for (size_t i = tree->n_questions; i < tree->len; i++) {
        if (i > tree->n_questions)
            strbuf_putc(out, ',');
        render_outcome_json(tree, &tree->nodes[i], out);
    }
    strbuf_puts(out, "]}");
}

static void free_node(dt_node *node)
{
    free(node->id);
    free(node->name);
    free(node->text);
    free(node->help);
    free(node->summary);
    free(node->stage);
    for (size_t i = 0; i < node->n_items; i++)
        free(node->items[i]);
    free(node->items);
    for (size_t a = 0; a < node->n_answers; a++) {
        free(node->answers[a].label);
        free(node->answers[a].name);
        free(node->answers[a].next_id);
    }
    free(node->answers);
    free(node->advice_html);
}

void dtree_free(dtree *tree)
{
    if (!tree)
        return;
    for (size_t i = 0; i < tree->len; i++)
        free_node(&tree->nodes[i]);
    free(tree->nodes);
    free(tree->reminder_html);
    free(tree->outcome_note_html);
    for (size_t i = 0; i < tree->n_verdicts; i++) {
        free(tree->verdicts[i].key);
        free(tree->verdicts[i].words);
    }
    free(tree->verdicts);
    free(tree);
}
