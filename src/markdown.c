#include "markdown.h"

#include <cmark.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "frontmatter.h"
#include "hash.h"
#include "scan.h"
#include "utf8.h"
#include "xalloc.h"

/* Plain text kept for the search index, which reads the whole body: a
 * bound, not a cut (a 1 MB article is far past anything an editor writes). */
#define PLAIN_TEXT_MAX (1 << 20)

/* Ids the bundled theme uses around the body; headings never take them. */
static const char *const reserved_ids[] = {"main", "content", "toc", "references", "top", NULL};

/* The ids a body defines, in a hash set, each with the next number to try
 * for ids made from it: with a list, n headings of the same text cost n^3
 * string comparisons (8,000 lines "## a" took nine minutes). */
typedef struct id_slot {
    const char *id; /* in ids: owned by doc->ids; in hints: owned by the set */
    size_t next;    /* in hints: every suffix below it is taken */
} id_slot;

typedef struct id_set {
    id_slot *slots;
    size_t cap, len;
} id_set;

typedef struct render_state {
    const md_env *env;
    const char *file;
    const char *content_path;
    int line_offset;
    diag_list *diags;
    md_doc *doc;
    int options;
    bool warned_raw_html;
    bool warned_h1;
    bool may_cite; /* the source could give a text node "[@" */
    id_set ids;   /* every id in doc->ids */
    id_set hints; /* "FIRST:BASE" (owned) -> the next suffix to try for BASE */
    cmark_mem *mem; /* the parse tree's allocator: nodes we add use it too */
} render_state;

static int file_line(const render_state *st, cmark_node *node)
{
    return cmark_node_get_start_line(node) + st->line_offset;
}

/* Returns the slot holding id, or the empty slot where it would go; the
 * set is never empty (md_render starts it at 64 slots). */
static id_slot *id_find(const id_set *set, const char *id)
{
    size_t i = (size_t)hash_str(HASH_SEED, id) & (set->cap - 1);
    while (set->slots[i].id && strcmp(set->slots[i].id, id))
        i = (i + 1) & (set->cap - 1);
    return &set->slots[i];
}

static bool id_taken(const render_state *st, const char *id) { return id_find(&st->ids, id)->id != NULL; }

/* Adds id to set, growing it; returns its slot. */
static id_slot *id_insert(id_set *set, const char *id)
{
    if (2 * (set->len + 1) > set->cap) {
        size_t cap = set->cap * 2;
        id_set bigger = {xcalloc(cap, sizeof(id_slot)), cap, set->len};
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i].id)
                *id_find(&bigger, set->slots[i].id) = set->slots[i];
        free(set->slots);
        *set = bigger;
    }
    id_slot *slot = id_find(set, id);
    if (!slot->id) {
        slot->id = id;
        set->len++;
    }
    return slot;
}

/* Records id, which the document takes ownership of. */
static void add_id(render_state *st, char *id)
{
    value *v = value_str_take(id);
    value_list_push(st->doc->ids, v);
    id_insert(&st->ids, v->u.str.ptr);
}

/* Returns the first free id of: base itself (when bare), then base-N for N
 * from `first` up; the caller owns it. The next N to try is remembered, so
 * the hundredth "## Notes" or [@key] costs no more than the first. */
static char *free_id(render_state *st, const char *base, bool bare, size_t first)
{
    if (bare && !id_taken(st, base))
        return xstrdup(base);
    strbuf key = STRBUF_INIT;
    strbuf_printf(&key, "%zu:%s", first, base);
    id_slot *hint = id_find(&st->hints, key.data);
    size_t n = hint->id ? hint->next : first;
    strbuf id = STRBUF_INIT;
    do {
        strbuf_reset(&id);
        strbuf_printf(&id, "%s-%zu", base, n++);
    } while (id_taken(st, id.data));
    if (!hint->id)
        hint = id_insert(&st->hints, strbuf_detach(&key));
    hint->next = n;
    strbuf_free(&key);
    return strbuf_detach(&id);
}

static size_t list_index(const value *list, const char *s)
{
    for (size_t i = 0; i < list->u.list.len; i++)
        if (!strcmp(list->u.list.items[i]->u.str.ptr, s))
            return i;
    return list->u.list.len;
}

/* ---- citations ---------------------------------------------------------- */

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == ':' || c == '.';
}

/* Checks that [start, end) is "@key" or "@key; @key ..." (the bracket's inside). */
static bool is_citation(const char *s, size_t n)
{
    size_t i = 0;
    for (;;) {
        while (i < n && s[i] == ' ')
            i++;
        if (i >= n || s[i] != '@')
            return false;
        size_t key = ++i;
        while (i < n && is_key_char(s[i]))
            i++;
        if (i == key)
            return false;
        while (i < n && s[i] == ' ')
            i++;
        if (i == n)
            return true;
        if (s[i] != ';')
            return false;
        i++;
    }
}

/* Appends the markup of one cited key, numbering it in first-citation order. */
static void cite_key(render_state *st, const char *key, int line, int col, strbuf *html, bool first)
{
    if (!st->env->has_reference || !st->env->has_reference(st->env->ctx, key)) {
        diag_add(st->diags, DIAG_ERROR, st->file, line, col,
                 "unknown citation key '@%s' (not in content/references.yaml)", key);
        return;
    }
    size_t n = list_index(st->doc->cites, key);
    if (n == st->doc->cites->u.list.len)
        value_list_push(st->doc->cites, value_str(key));
    /* Each citation gets its own id so a reference can link back to the first. */
    strbuf base = STRBUF_INIT;
    strbuf_printf(&base, "cite-%s", key);
    char *id = free_id(st, base.data, false, 1);
    strbuf_free(&base);
    if (!first)
        strbuf_puts(html, ", ");
    strbuf_puts(html, "<a href=\"#ref-");
    esc_html(html, key, strlen(key));
    strbuf_puts(html, "\" id=\"");
    esc_html(html, id, strlen(id));
    strbuf_printf(html, "\" aria-label=\"Reference %zu\">%zu</a>", n + 1, n + 1);
    add_id(st, id);
    /* Recorded so the link checker reports a missing reference list here. */
    value *rec = value_map();
    strbuf url = STRBUF_INIT;
    strbuf_printf(&url, "#ref-%s", key);
    value_map_set(rec, "url", value_str_take(strbuf_detach(&url)));
    value_map_set(rec, "line", value_num(line));
    value_map_set(rec, "col", value_num(col));
    value_list_push(st->doc->links, rec);
}

/* Returns the HTML for the citation whose inside is s[0..n). */
static char *citation_html(render_state *st, const char *s, size_t n, int line, int col)
{
    strbuf html = STRBUF_INIT;
    strbuf_puts(&html, "<sup class=\"cite\">[");
    bool first = true;
    for (size_t i = 0; i < n;) {
        while (i < n && (s[i] == ' ' || s[i] == ';' || s[i] == '@'))
            i++;
        size_t start = i;
        while (i < n && is_key_char(s[i]))
            i++;
        if (i > start) {
            char *key = xstrndup(s + start, i - start);
            size_t before = html.len;
            cite_key(st, key, line, col + (int)start - 1, &html, first);
            first = first && html.len == before;
            free(key);
        }
    }
    strbuf_puts(&html, "]</sup>");
    return strbuf_detach(&html);
}

static bool has_cite_mark(const char *s, size_t n)
{
    const char *end = s + n;
    for (const char *p = s; (p = memchr(p, '[', (size_t)(end - p))) != NULL; p++)
        if (p + 1 < end && p[1] == '@')
            return true;
    return false;
}

/* Splits one text node around its citations. */
static void expand_citations(render_state *st, cmark_node *text)
{
    const char *lit = cmark_node_get_literal(text);
    if (!lit || !strstr(lit, "[@"))
        return;
    char *copy = xstrdup(lit);
    int line = file_line(st, text), col = cmark_node_get_start_column(text);
    const char *p = copy, *rest = copy;
    while ((p = strstr(p, "[@")) != NULL) {
        const char *close = strchr(p, ']');
        if (!close || !is_citation(p + 1, (size_t)(close - p - 1))) {
            /* "[@smith2020, p. 4]" renders as typed: say so rather than
             * leave a reader with raw brackets. */
            diag_add(st->diags, DIAG_WARNING, st->file, line, col + (int)(p - copy),
                     "'%.*s' is not a citation: write [@key] or [@key1; @key2]",
                     close ? (int)(close - p + 1) : (int)strnlen(p, 40), p);
            p += 2;
            continue;
        }
        if (p > rest) {
            cmark_node *before = cmark_node_new_with_mem(CMARK_NODE_TEXT, st->mem);
            char *chunk = xstrndup(rest, (size_t)(p - rest));
            cmark_node_set_literal(before, chunk);
            free(chunk);
            cmark_node_insert_before(text, before);
        }
        char *html = citation_html(st, p + 1, (size_t)(close - p - 1), line, col + (int)(p - copy) + 1);
        cmark_node *cite = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_INLINE, st->mem);
        cmark_node_set_on_enter(cite, html);
        cmark_node_set_on_exit(cite, "");
        free(html);
        cmark_node_insert_before(text, cite);
        rest = p = close + 1;
    }
    cmark_node_set_literal(text, rest);
    free(copy);
}

/* ---- links -------------------------------------------------------------- */

/* Appends the normalised join of dir and rel to out ("a/b" + "../c.md" ->
 * "a/c.md"); false when rel climbs above the content folder. */
static bool join_content_path(const char *dir, const char *rel, strbuf *out)
{
    strbuf joined = STRBUF_INIT;
    if (rel[0] != '/') {
        strbuf_puts(&joined, dir);
        strbuf_putc(&joined, '/');
    }
    strbuf_puts(&joined, rel);
    char *segs = strbuf_detach(&joined);
    const char *parts[256];
    size_t count = 0;
    bool ok = true;
    for (char *save = NULL, *seg = strtok_r(segs, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
        if (!strcmp(seg, "."))
            continue;
        if (!strcmp(seg, "..")) {
            if (count == 0)
                ok = false;
            else
                count--;
        } else if (count < 256) {
            parts[count++] = seg;
        } else {
            ok = false;
        }
    }
    for (size_t i = 0; ok && i < count; i++) {
        if (i)
            strbuf_putc(out, '/');
        strbuf_puts(out, parts[i]);
    }
    free(segs);
    return ok && count > 0;
}

bool md_url_is_external(const char *url)
{
    if (!strncmp(url, "//", 2))
        return true;
    size_t n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    return n > 0 && url[n] == ':';
}

/* Rewrites a link to a content file into its page URL. */
static void resolve_content_link(render_state *st, cmark_node *link, const char *url, size_t path_len)
{
    char *path = xstrndup(url, path_len);
    char *dir = xstrdup(st->content_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        dir[0] = '\0';
    strbuf target = STRBUF_INIT;
    const char *page = NULL;
    bool inside = join_content_path(dir, path, &target);
    md_target found = MD_TARGET_NONE;
    if (inside && st->env->find_page)
        found = st->env->find_page(st->env->ctx, target.data, &page);
    int line = file_line(st, link), col = cmark_node_get_start_column(link);
    if (!inside) {
        diag_add(st->diags, DIAG_ERROR, st->file, line, col, "link to '%s' leads outside the content folder", path);
    } else if (found == MD_TARGET_PAGE) {
        strbuf full = STRBUF_INIT;
        strbuf_puts(&full, page);
        strbuf_puts(&full, url + path_len);
        cmark_node_set_url(link, full.data);
        strbuf_free(&full);
    } else if (found == MD_TARGET_DRAFT) {
        diag_add(st->diags, DIAG_ERROR, st->file, line, col,
                 "link to '%s': it is a draft, left out unless the build has --drafts (content/%s)", path, target.data);
    } else if (found == MD_TARGET_NONE) {
        diag_add(st->diags, DIAG_ERROR, st->file, line, col, "link to '%s': no such page (looked for content/%s)",
                 path, target.data);
    } /* MD_TARGET_FAILED: that file's error says it; nothing is written, so the link stays */
    strbuf_free(&target);
    free(dir);
    free(path);
}

static void record_link(render_state *st, cmark_node *link)
{
    const char *url = cmark_node_get_url(link);
    value *rec = value_map();
    value_map_set(rec, "url", value_str(url ? url : ""));
    value_map_set(rec, "line", value_num(file_line(st, link)));
    value_map_set(rec, "col", value_num(cmark_node_get_start_column(link)));
    value_list_push(st->doc->links, rec);
}

static void rewrite_link(render_state *st, cmark_node *link)
{
    const char *url = cmark_node_get_url(link);
    if (!url || !*url || url[0] == '#' || md_url_is_external(url))
        return;
    size_t path_len = strcspn(url, "?#");
    if (path_len >= 3 && !strncmp(url + path_len - 3, ".md", 3)) {
        resolve_content_link(st, link, url, path_len);
    } else if (url[0] == '/' && strcmp(st->env->base_path, "/") != 0) {
        strbuf full = STRBUF_INIT;
        strbuf_puts(&full, st->env->base_path);
        strbuf_puts(&full, url + 1);
        cmark_node_set_url(link, full.data);
        strbuf_free(&full);
    }
}

/* ---- headings ----------------------------------------------------------- */

static void collect_text(cmark_node *node, strbuf *out)
{
    cmark_iter *it = cmark_iter_new(node);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *cur = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(cur);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE)
            strbuf_puts(out, cmark_node_get_literal(cur));
        else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK)
            strbuf_putc(out, ' ');
    }
    cmark_iter_free(it);
}

static char *unique_id(render_state *st, const char *text)
{
    strbuf base = STRBUF_INIT;
    fm_slugify(text, strlen(text), &base);
    if (base.len == 0)
        strbuf_puts(&base, "section");
    char *id = free_id(st, base.data, true, 2);
    strbuf_free(&base);
    add_id(st, xstrdup(id));
    return id;
}

static void add_toc_entry(render_state *st, int level, const char *id, const char *text)
{
    value *entry = value_map();
    value_map_set(entry, "id", value_str(id));
    value_map_set(entry, "text", value_str(text));
    value_map_set(entry, "children", value_list());
    value *toc = st->doc->toc;
    if (level == 3 && toc->u.list.len > 0) {
        value *parent = toc->u.list.items[toc->u.list.len - 1];
        value_list_push(value_map_get(parent, "children"), entry);
    } else {
        value_list_push(toc, entry);
    }
    st->doc->heading_count++;
}

/* Replaces a heading with a custom block holding its HTML plus an id. */
static void give_heading_id(render_state *st, cmark_node *heading)
{
    int level = cmark_node_get_heading_level(heading);
    strbuf text = STRBUF_INIT;
    collect_text(heading, &text);
    char *id = unique_id(st, strbuf_cstr(&text));
    value_list_push(st->doc->headings, value_str(strbuf_cstr(&text)));
    if (level <= 3)
        add_toc_entry(st, level, id, strbuf_cstr(&text));
    strbuf html = STRBUF_INIT;
    strbuf_puts(&html, "<h");
    strbuf_putc(&html, (char)('0' + level));
    strbuf_puts(&html, " id=\"");
    esc_html(&html, id, strlen(id));
    strbuf_putc(&html, '"');
    cmark_node *only = cmark_node_first_child(heading);
    if (only && cmark_node_get_type(only) == CMARK_NODE_TEXT && !cmark_node_next(only)) {
        /* Plain text, as most headings are: what cmark would write, without
           starting a renderer for it. */
        strbuf_putc(&html, '>');
        esc_html_as_cmark(&html, strbuf_cstr(&text), text.len);
        strbuf_puts(&html, "</h");
        strbuf_putc(&html, (char)('0' + level));
        strbuf_puts(&html, ">\n");
    } else {
        char *inner = cmark_render_html(heading, st->options);
        strbuf_puts(&html, inner + 3); /* after "<hN" */
        st->mem->free(inner);
    }
    cmark_node *block = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_BLOCK, st->mem);
    cmark_node_set_on_enter(block, html.data);
    cmark_node_set_on_exit(block, "");
    cmark_node_replace(heading, block);
    cmark_node_free(heading);
    strbuf_free(&html);
    strbuf_free(&text);
    free(id);
}

/* ---- the walk ----------------------------------------------------------- */

static void warn_raw_html(render_state *st, cmark_node *node)
{
    if (st->env->unsafe_html || st->warned_raw_html)
        return;
    st->warned_raw_html = true;
    diag_add(st->diags, DIAG_WARNING, st->file, file_line(st, node), cmark_node_get_start_column(node),
             "raw HTML is left out of the page (set unsafe_html = true in [build] to allow it)");
}

/* Collects nodes first, then changes them: cmark iterators must not see
 * the tree change under them. */
static void transform(render_state *st, cmark_node *root)
{
    size_t cap = 64, count = 0;
    cmark_node **nodes = xmalloc(cap * sizeof *nodes);
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER)
            continue;
        if (count == cap)
            nodes = xrealloc(nodes, (cap *= 2) * sizeof *nodes);
        nodes[count++] = cmark_iter_get_node(it);
    }
    cmark_iter_free(it);
    size_t headings = 0;
    for (size_t i = 0; i < count; i++) {
        cmark_node *node = nodes[i];
        switch (cmark_node_get_type(node)) {
        case CMARK_NODE_TEXT:
            if (st->may_cite)
                expand_citations(st, node);
            break;
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE:
            rewrite_link(st, node);
            if (st->env->record_links)
                record_link(st, node);
            break;
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_HTML_INLINE:
            warn_raw_html(st, node);
            break;
        case CMARK_NODE_HEADING:
            nodes[headings++] = node; /* reuses the array's front: i >= headings */
            break;
        default:
            break;
        }
    }
    /* Headings last, once their inline content is final. Replacing one frees
     * its children, so only heading nodes are kept from here on. */
    for (size_t i = 0; i < headings; i++) {
        cmark_node *node = nodes[i];
        int level = cmark_node_get_heading_level(node);
        if (level == 1 && !st->warned_h1) {
            st->warned_h1 = true;
            diag_add(st->diags, DIAG_WARNING, st->file, file_line(st, node), 1,
                     "a level-1 heading in the body: the layout already prints the title as the page's h1; use '##'");
        }
        if (level >= 2 && level <= 4)
            give_heading_id(st, node);
    }
    free(nodes);
}

static void toc_html_list(const value *list, strbuf *out)
{
    strbuf_puts(out, "<ol>");
    for (size_t i = 0; i < list->u.list.len; i++) {
        const value *e = list->u.list.items[i];
        const value *id = value_map_get(e, "id"), *text = value_map_get(e, "text");
        strbuf_puts(out, "<li><a href=\"#");
        esc_html(out, id->u.str.ptr, id->u.str.len);
        strbuf_puts(out, "\">");
        esc_html(out, text->u.str.ptr, text->u.str.len);
        strbuf_puts(out, "</a>");
        const value *children = value_map_get(e, "children");
        if (children->u.list.len)
            toc_html_list(children, out);
        strbuf_puts(out, "</li>");
    }
    strbuf_puts(out, "</ol>");
}

/* Collects the body's plain text (up to PLAIN_TEXT_MAX bytes, for search)
 * and counts all its words. */
static void plain_text(cmark_node *root, md_doc *doc)
{
    strbuf text = STRBUF_INIT;
    bool in_word = false;
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *cur = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(cur);
        if (ev == CMARK_EVENT_ENTER && (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE)) {
            const char *lit = cmark_node_get_literal(cur);
            /* cmark literals hold no line breaks: spaces alone part words. */
            doc->word_count += scan_count_words(lit, strlen(lit), &in_word);
            if (text.len < PLAIN_TEXT_MAX)
                strbuf_puts(&text, lit);
        } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK ||
                   (ev == CMARK_EVENT_EXIT && type >= CMARK_NODE_FIRST_BLOCK && type <= CMARK_NODE_LAST_BLOCK)) {
            in_word = false;
            if (text.len && text.len < PLAIN_TEXT_MAX && text.data[text.len - 1] != ' ')
                strbuf_putc(&text, ' ');
        }
    }
    cmark_iter_free(it);
    doc->text = strbuf_detach(&text);
}

/* cmark's allocator has no context argument: while md_render parses on this
 * thread with env->arena, the arena is reached through this. */
static _Thread_local arena *current_arena;

static void *tree_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return xcalloc(n, size); /* reports the overflow */
    return arena_calloc(current_arena, n * size);
}

static void *tree_realloc(void *p, size_t n) { return arena_realloc(current_arena, p, n); }

static void tree_free(void *p) { arena_release(current_arena, p); }

static cmark_mem arena_mem = {tree_calloc, tree_realloc, tree_free};

md_doc *md_render(const char *text, size_t n, int first_line, const char *file, const char *content_path,
                  const md_env *env, diag_list *diags)
{
    md_doc *doc = xcalloc(1, sizeof *doc);
    doc->toc = value_list();
    doc->headings = value_list();
    doc->cites = value_list();
    doc->ids = value_list();
    doc->links = value_list();
    render_state st = {.env = env, .file = file, .content_path = content_path, .line_offset = first_line - 1,
                       .diags = diags, .doc = doc};
    st.ids = (id_set){xcalloc(64, sizeof(id_slot)), 64, 0};
    st.hints = (id_set){xcalloc(64, sizeof(id_slot)), 64, 0};
    for (const char *const *r = reserved_ids; *r; r++)
        add_id(&st, xstrdup(*r));
    st.options = (env->smart_punctuation ? CMARK_OPT_SMART : 0) | (env->unsafe_html ? CMARK_OPT_UNSAFE : 0);
    /* cmark's own check costs a twentieth of a build; ours skips ASCII
       runs (scan.c), and a body that fails it still gets cmark's U+FFFD
       in place of the bad bytes. */
    size_t bad = utf8_first_invalid(text, n);
    if (bad < n) {
        st.options |= CMARK_OPT_VALIDATE_UTF8;
        int line, col;
        utf8_position(text, bad, first_line, &line, &col);
        diag_add(diags, DIAG_WARNING, file, line, col,
                 "invalid UTF-8 (byte 0x%02X): shown as U+FFFD; save the file as UTF-8", (unsigned char)text[bad]);
    }
    /* A text node holds "[@" only if the source does, or makes one with an
       entity or a backslash escape: most bodies skip the search per node. */
    st.may_cite = has_cite_mark(text, n) || memchr(text, '&', n) || memchr(text, '\\', n);
    st.mem = cmark_get_default_mem_allocator();
    if (env->arena) {
        current_arena = env->arena;
        st.mem = &arena_mem;
    }
    cmark_parser *parser = cmark_parser_new_with_mem(st.options, st.mem);
    cmark_parser_feed(parser, text, n);
    cmark_node *root = cmark_parser_finish(parser);
    cmark_parser_free(parser);
    transform(&st, root);
    plain_text(root, doc);
    char *html = cmark_render_html(root, st.options);
    if (env->arena) {
        doc->html = xstrdup(html);
        arena_reset(env->arena); /* the whole tree at once */
        current_arena = NULL;
    } else {
        doc->html = html;
        cmark_node_free(root);
    }
    strbuf toc = STRBUF_INIT;
    if (doc->toc->u.list.len)
        toc_html_list(doc->toc, &toc);
    doc->toc_html = strbuf_detach(&toc);
    free(st.ids.slots);
    for (size_t i = 0; i < st.hints.cap; i++)
        free((char *)st.hints.slots[i].id);
    free(st.hints.slots);
    return doc;
}

void md_doc_free(md_doc *doc)
{
    if (!doc)
        return;
    free(doc->html);
    free(doc->toc_html);
    free(doc->text);
    value_free(doc->toc);
    value_free(doc->headings);
    value_free(doc->cites);
    value_free(doc->ids);
    value_free(doc->links);
    free(doc);
}
