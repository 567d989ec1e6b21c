#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "frontmatter.h"
#include "strtab.h"
#include "scan.h"
#include "utf8.h"
#include "xalloc.h"

/* Plain text kept for the search index, which reads the whole body: a
 * bound, not a cut (a 1 MB article is far past anything an editor writes). */
#define PLAIN_TEXT_MAX (1 << 20)

/* Ids that pages hold beside the body, which headings never take: the
 * bundled theme's (layouts/), the tree's container and data, and what
 * `lumbar serve` adds to a page. A heading "## Dtree" becomes "dtree-2". */
static const char *const reserved_ids[] = {
    "main", "content", "toc", "references", "top", "toc-title", "references-title", "dtree",
    "decision-tree-data", "search-form", "search-q", "search-hint", "search-results", "search-status",
    "search-list", "search-box-q", "lumbar-live", "lumbar-overlay", "lumbar-overlay-title",
    "lumbar-overlay-close", "footnotes", NULL};

/* Prefixes of ids made from names the body cannot see (site-index.html's
 * "index-SECTION", cmark-gfm's footnotes "fn-LABEL" and "fnref-LABEL"): a
 * heading whose id would start with one gets "section-" in front instead,
 * as no suffix could be sure to miss them. "ref-KEY" is handled apart:
 * the bibliography says which keys exist. */
static const char *const reserved_prefixes[] = {"index-", "fn-", "fnref-", NULL};

/* ids and hints below are hash tables (the ids a body defines, and the
 * next number to try for ids made from each): with a list, n headings of the same text cost n^3
 * string comparisons (8,000 lines "## a" took nine minutes). */
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
    bool may_footnote; /* the source holds "[^" */
    bool has_tasks;    /* the tree has task-list items */
    bool may_cite_lookalike; /* the source holds "[" and "@" */
    strtab ids;   /* every id in doc->ids (keys owned by doc->ids) */
    strtab hints; /* "FIRST:BASE" (keys owned here) -> the next suffix to try */
    cmark_mem *mem; /* the parse tree's allocator: nodes we add use it too */
    cmark_llist *extensions; /* the parser's, for rendering parts of the tree */
} render_state;

static int file_line(const render_state *st, cmark_node *node)
{
    return cmark_node_get_start_line(node) + st->line_offset;
}

static bool id_taken(const render_state *st, const char *id) { return strtab_get(&st->ids, id, strlen(id)) != NULL; }

/* For headings, also "ref-KEY" of every key in the bibliography: the
 * reference list beside the body holds one for each key the page cites or
 * lists, and the body cannot know the listed ones. */
static bool heading_id_taken(const render_state *st, const char *id)
{
    if (id_taken(st, id))
        return true;
    const md_env *env = st->env;
    return !strncmp(id, "ref-", 4) && env->has_reference && env->has_reference(env->ctx, id + 4);
}

/* Records id, which the document takes ownership of. */
static void add_id(render_state *st, char *id)
{
    value *v = value_str_take(id);
    value_list_push(st->doc->ids, v);
    strtab_add(&st->ids, v->u.str.ptr, strlen(v->u.str.ptr), 0, NULL);
}

/* Returns the first id of: base itself (when bare), then base-N for N
 * from `first` up, that taken does not refuse; the caller owns it. The next
 * N to try is remembered, so
 * the hundredth "## Notes" or [@key] costs no more than the first. */
static char *free_id(render_state *st, const char *base, bool bare, size_t first,
                     bool (*taken)(const render_state *, const char *))
{
    if (bare && !taken(st, base))
        return xstrdup(base);
    strbuf key = STRBUF_INIT;
    strbuf_printf(&key, "%zu:%s", first, base);
    strtab_entry *hint = strtab_get(&st->hints, key.data, key.len);
    size_t n = hint ? hint->val : first;
    strbuf id = STRBUF_INIT;
    do {
        strbuf_reset(&id);
        strbuf_printf(&id, "%s-%zu", base, n++);
    } while (taken(st, id.data));
    if (!hint) {
        size_t len = key.len;
        hint = strtab_add(&st->hints, strbuf_detach(&key), len, n, NULL);
    }
    hint->val = n;
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
    char *id = free_id(st, base.data, false, 1, id_taken);
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

/* True when s[0..n) holds '[' followed by `mark` ("[@", "[^"). */
static bool has_bracket_mark(const char *s, size_t n, char mark)
{
    const char *end = s + n;
    for (const char *p = s; (p = memchr(p, '[', (size_t)(end - p))) != NULL; p++)
        if (p + 1 < end && p[1] == mark)
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
    } else if (found == MD_TARGET_SCHEDULED) {
        diag_add(st->diags, DIAG_ERROR, st->file, line, col,
                 "link to '%s': it is scheduled for a later date, left out unless the build has --future (content/%s)",
                 path, target.data);
    } else if (found == MD_TARGET_EXPIRED) {
        diag_add(st->diags, DIAG_ERROR, st->file, line, col,
                 "link to '%s': its expires date has passed, so it is left out (content/%s)", path, target.data);
    } else if (found == MD_TARGET_NONE) {
        diag_add(st->diags, DIAG_ERROR, st->file, line, col, "link to '%s': no such page (looked for content/%s)",
                 path, target.data);
    } /* MD_TARGET_FAILED: that file's error says it; nothing is written, so the link stays */
    strbuf_free(&target);
    free(dir);
    free(path);
}

/* The nearest node at or above node that knows its position: the autolink
 * extension's links and their text carry none. */
static cmark_node *positioned(cmark_node *node)
{
    while (cmark_node_get_start_line(node) == 0 && cmark_node_parent(node))
        node = cmark_node_parent(node);
    return node;
}

/* written is the URL as the editor wrote it, before rewriting, for messages. */
static void record_link(render_state *st, cmark_node *link, const char *written)
{
    const char *url = cmark_node_get_url(link);
    cmark_node *at = positioned(link);
    value *rec = value_map();
    value_map_set(rec, "url", value_str(url ? url : ""));
    value_map_set(rec, "written", value_str(written));
    value_map_set(rec, "line", value_num(file_line(st, at)));
    value_map_set(rec, "col", value_num(cmark_node_get_start_column(at)));
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

/* Rewrites a link's or image's URL and, when link checks will read them,
 * records it with the URL as the editor wrote it. */
static void rewrite_and_record(render_state *st, cmark_node *node)
{
    const char *url = cmark_node_get_url(node);
    char *written = st->env->record_links ? xstrdup(url ? url : "") : NULL;
    rewrite_link(st, node);
    if (written)
        record_link(st, node, written);
    free(written);
}

/* Warns about "[see @smith2020]" and the like: a bracket holding "@KEY" for
 * a key of the bibliography, but not at its start, prints as typed. */
static void warn_cite_lookalikes(render_state *st, cmark_node *text)
{
    const char *lit = cmark_node_get_literal(text);
    for (const char *open = lit ? strchr(lit, '[') : NULL; open; open = strchr(open + 1, '[')) {
        const char *close = strchr(open, ']');
        if (!close)
            return;
        if (open[1] == '@')
            continue; /* a citation, or expand_citations' own warning */
        for (const char *at = memchr(open, '@', (size_t)(close - open)); at; at = memchr(at + 1, '@', (size_t)(close - at - 1))) {
            size_t n = 0;
            while (at + 1 + n < close && is_key_char(at[1 + n]))
                n++;
            char *key = xstrndup(at + 1, n);
            bool known = n && st->env->has_reference && st->env->has_reference(st->env->ctx, key);
            free(key);
            if (known) {
                cmark_node *pos = positioned(text);
                diag_add(st->diags, DIAG_WARNING, st->file, file_line(st, pos),
                         cmark_node_get_start_column(pos) + (int)(open - lit),
                         "'%.*s' is not a citation: put the words outside the brackets, as in 'see [@%.*s]'",
                         (int)(close - open + 1), open, (int)n, at + 1);
                break;
            }
        }
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
    for (const char *const *p = reserved_prefixes; *p; p++)
        if (!strncmp(base.data, *p, strlen(*p))) {
            strbuf prefixed = STRBUF_INIT;
            strbuf_printf(&prefixed, "section-%s", base.data);
            strbuf_free(&base);
            base = prefixed;
            break;
        }
    char *id = free_id(st, base.data, true, 2, heading_id_taken);
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
        char *inner = cmark_render_html_with_mem(heading, st->options, st->extensions, st->mem);
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


/* ---- images ------------------------------------------------------------- */

/* Alt text that marks an image as decoration: it renders as alt="". */
#define DECORATIVE_ALT "decorative"

static bool is_image_extension(const char *ext)
{
    static const char *const exts[] = {"png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp", "tif", "tiff", NULL};
    for (const char *const *e = exts; *e; e++)
        if (!strcasecmp(ext, *e))
            return true;
    return false;
}

/* True when alt is a file name rather than a description: the image's own
 * file name, or one word ending in an image extension ("IMG_2041.JPG"). */
static bool alt_is_file_name(const char *alt, const char *url)
{
    const char *base = strrchr(url, '/');
    base = base ? base + 1 : url;
    size_t base_len = strcspn(base, "?#");
    if (base_len && strlen(alt) == base_len && !strncasecmp(alt, base, base_len))
        return true;
    const char *dot = strrchr(alt, '.');
    return !strchr(alt, ' ') && dot && is_image_extension(dot + 1);
}

/* Alt and title are escaped as cmark escapes them (& < > "; enough inside
 * a double-quoted attribute), so lumbar's images read as cmark's would. */
static void put_attr(strbuf *out, const char *name, const char *val)
{
    strbuf_printf(out, " %s=\"", name);
    esc_html_as_cmark(out, val, strlen(val));
    strbuf_putc(out, '"');
}

/* The URL of a file at site path `path`, under the base path. */
static void put_site_url(const render_state *st, strbuf *out, const char *path)
{
    strbuf url = STRBUF_INIT;
    strbuf_puts(&url, st->env->base_path);
    esc_url_path(&url, path, strlen(path));
    esc_html(out, url.data, url.len);
    strbuf_free(&url);
}

static void put_srcset(const render_state *st, strbuf *out, const img_variant *list, size_t n)
{
    strbuf_puts(out, " srcset=\"");
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_puts(out, ", ");
        put_site_url(st, out, list[i].path);
        strbuf_printf(out, " %dw", list[i].width);
    }
    strbuf_putc(out, '"');
}

/* Writes the <img> (in a <picture> when there are WebP copies) for the
 * local file at site path `path`; info is NULL when no store measured it. */
static void local_img_html(const render_state *st, const char *path, const img_info *info, const char *alt,
                           const char *title, strbuf *out)
{
    bool resized = info && info->nown > 0;
    const img_variant *shown = resized ? &info->own[info->fallback] : NULL;
    strbuf sizes = STRBUF_INIT;
    if (resized)
        strbuf_printf(&sizes, " sizes=\"(max-width: %dpx) 100vw, %dpx\"", shown->width, shown->width);
    if (resized && info->nwebp) {
        strbuf_puts(out, "<picture><source type=\"image/webp\"");
        put_srcset(st, out, info->webp, info->nwebp);
        strbuf_puts(out, sizes.data);
        strbuf_putc(out, '>');
    }
    strbuf_puts(out, "<img src=\"");
    put_site_url(st, out, resized ? shown->path : path);
    strbuf_putc(out, '"');
    if (resized) {
        put_srcset(st, out, info->own, info->nown);
        strbuf_puts(out, sizes.data);
    }
    int width = resized ? shown->width : info ? info->width : 0;
    int height = resized ? shown->height : info ? info->height : 0;
    if (width && height)
        strbuf_printf(out, " width=\"%d\" height=\"%d\"", width, height);
    put_attr(out, "alt", alt);
    if (title && *title)
        put_attr(out, "title", title);
    strbuf_puts(out, " loading=\"lazy\" decoding=\"async\">");
    if (resized && info->nwebp)
        strbuf_puts(out, "</picture>");
    strbuf_free(&sizes);
}

/* Writes cmark's own <img> for image, with lumbar's alt and lazy loading. */
static void plain_img_html(const render_state *st, cmark_node *image, const char *alt, strbuf *out)
{
    cmark_node *text;
    while ((text = cmark_node_first_child(image)) != NULL)
        cmark_node_free(text);
    if (*alt) {
        text = cmark_node_new_with_mem(CMARK_NODE_TEXT, st->mem);
        cmark_node_set_literal(text, alt);
        cmark_node_append_child(image, text);
    }
    char *html = cmark_render_html_with_mem(image, st->options, st->extensions, st->mem);
    size_t len = strlen(html);
    if (len >= 3 && !strcmp(html + len - 3, " />"))
        len -= 3;
    strbuf_append(out, html, len);
    strbuf_puts(out, " loading=\"lazy\" decoding=\"async\">");
    st->mem->free(html);
}

/* Finds the site path of a local image; on failure reports it and returns
 * false. Paths starting with "/" are from the site root (assets/), others
 * from the Markdown file's folder. */
static bool find_local_image(render_state *st, const char *url, int line, int col, strbuf *site_path,
                             const img_info **info)
{
    char *path = xstrndup(url, strcspn(url, "?#"));
    char *dir = xstrdup(path[0] == '/' ? "" : st->content_path);
    char *slash = strrchr(dir, '/');
    *(slash ? slash : dir) = '\0';
    bool ok = join_content_path(dir, path, site_path);
    char *err = NULL;
    if (!ok) {
        diag_add(st->diags, DIAG_ERROR, st->file, line, col,
                 "image '%s' leads outside assets/: write its path from the site root, e.g. /img/photo.png", path);
    } else if (st->env->images) {
        img_status status = img_store_get(st->env->images, site_path->data, info, &err);
        strbuf root_path = STRBUF_INIT;
        const img_info *found = NULL;
        char *root_err = NULL;
        if (status == IMG_MISSING && path[0] != '/' && join_content_path("", path, &root_path) &&
            img_store_get(st->env->images, root_path.data, &found, &root_err) == IMG_OK)
            diag_add(st->diags, DIAG_ERROR, st->file, line, col, "image '%s': %s; did you mean /%s?", path, err,
                     root_path.data);
        else if (status != IMG_OK)
            diag_add(st->diags, DIAG_ERROR, st->file, line, col, "image '%s': %s", path, err);
        ok = status == IMG_OK;
        free(root_err);
        strbuf_free(&root_path);
    }
    free(err);
    free(dir);
    free(path);
    return ok;
}

/* Checks the alt text; returns what the alt attribute says. */
static const char *checked_alt(render_state *st, const char *alt, const char *url, int line, int col)
{
    if (!strcasecmp(alt, DECORATIVE_ALT))
        return "";
    if (alt[strspn(alt, " \t")] == '\0')
        diag_add(st->diags, DIAG_ERROR, st->file, line, col,
                 "image '%s' has no alt text: describe what it shows in the brackets, or write ![" DECORATIVE_ALT
                 "](...) if it adds nothing a reader needs",
                 url);
    else if (alt_is_file_name(alt, url))
        diag_add(st->diags, DIAG_WARNING, st->file, line, col,
                 "alt text '%s' is only a file name: describe what the image shows", alt);
    return alt;
}

/* Replaces an image with lumbar's markup: checked alt text, the file's own
 * size, lazy loading, resized copies; a titled image alone in its
 * paragraph becomes a figure with the title as its caption. */
static void render_image(render_state *st, cmark_node *image)
{
    cmark_node *at = positioned(image);
    int line = file_line(st, at), col = cmark_node_get_start_column(at);
    const char *url = cmark_node_get_url(image) ? cmark_node_get_url(image) : "";
    /* Copied: a figure's image loses its title to the caption. */
    char *title = xstrdup(cmark_node_get_title(image) ? cmark_node_get_title(image) : "");
    strbuf alt_text = STRBUF_INIT, html = STRBUF_INIT, site_path = STRBUF_INIT;
    collect_text(image, &alt_text);
    const char *alt = checked_alt(st, strbuf_cstr(&alt_text), url, line, col);
    cmark_node *para = cmark_node_parent(image);
    bool figure = *title && cmark_node_get_type(para) == CMARK_NODE_PARAGRAPH &&
                  cmark_node_first_child(para) == image && !cmark_node_next(image) &&
                  cmark_node_get_type(cmark_node_parent(para)) != CMARK_NODE_CUSTOM_BLOCK; /* not a table cell */
    if (figure)
        strbuf_puts(&html, "<figure>\n");
    const img_info *info = NULL;
    if (st->env->images && *url && url[0] != '#' && !md_url_is_external(url)) {
        if (find_local_image(st, url, line, col, &site_path, &info))
            local_img_html(st, site_path.data, info, alt, figure ? NULL : title, &html);
    } else {
        /* Another site's image, or no store to look in: cmark writes the
           tag, with its escaping and its refusal of javascript: URLs. */
        rewrite_and_record(st, image);
        if (figure)
            cmark_node_set_title(image, "");
        plain_img_html(st, image, alt, &html);
    }
    if (figure) {
        strbuf_puts(&html, "\n<figcaption>");
        esc_html(&html, title, strlen(title));
        strbuf_puts(&html, "</figcaption>\n</figure>\n");
    }
    cmark_node *node = cmark_node_new_with_mem(figure ? CMARK_NODE_CUSTOM_BLOCK : CMARK_NODE_CUSTOM_INLINE, st->mem);
    cmark_node_set_on_enter(node, html.data);
    cmark_node_set_on_exit(node, "");
    cmark_node *old = figure ? para : image;
    cmark_node_replace(old, node);
    cmark_node_free(old);
    strbuf_free(&alt_text);
    strbuf_free(&html);
    strbuf_free(&site_path);
    free(title);
}

/* ---- callouts ----------------------------------------------------------- */

/* GitHub's alert kinds plus two for health content; the class names are
 * the theme's, the labels are shown so that colour is never the only cue. */
static const struct callout_kind {
    const char *marker, *name, *label;
} callout_kinds[] = {
    {"EMERGENCY", "emergency", "Emergency"}, {"URGENT", "urgent", "Urgent"},   {"WARNING", "warning", "Warning"},
    {"CAUTION", "caution", "Caution"},       {"IMPORTANT", "important", "Important"}, {"NOTE", "note", "Note"},
    {"TIP", "tip", "Tip"},
};

/* The length of the "[!WORD]" marker lit starts with, or 0. */
static size_t callout_marker_len(const char *lit)
{
    if (strncmp(lit, "[!", 2) != 0)
        return 0;
    size_t i = 2;
    while (isalpha((unsigned char)lit[i]))
        i++;
    if (i == 2 || lit[i] != ']')
        return 0;
    for (size_t j = i + 1; lit[j]; j++)
        if (lit[j] != ' ' && lit[j] != '\t')
            return 0;
    return i + 1;
}

static const struct callout_kind *find_callout_kind(const char *word, size_t n)
{
    for (size_t i = 0; i < sizeof callout_kinds / sizeof *callout_kinds; i++)
        if (strlen(callout_kinds[i].marker) == n && !strncasecmp(callout_kinds[i].marker, word, n))
            return &callout_kinds[i];
    return NULL;
}

/* Turns "> [!NOTE]" block quotes into the theme's callouts; an unknown
 * kind is an error at the marker. */
static void make_callout(render_state *st, cmark_node *quote)
{
    cmark_node *para = cmark_node_first_child(quote);
    if (!para || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH)
        return;
    cmark_node *marker = cmark_node_first_child(para);
    if (!marker || cmark_node_get_type(marker) != CMARK_NODE_TEXT)
        return;
    size_t len = callout_marker_len(cmark_node_get_literal(marker));
    if (!len)
        return;
    const char *lit = cmark_node_get_literal(marker);
    const struct callout_kind *kind = find_callout_kind(lit + 2, len - 3);
    if (!kind) {
        diag_add(st->diags, DIAG_ERROR, st->file, file_line(st, marker), cmark_node_get_start_column(marker),
                 "unknown callout '%.*s': use [!EMERGENCY], [!URGENT], [!WARNING], [!CAUTION], [!IMPORTANT], "
                 "[!NOTE] or [!TIP]", (int)len, lit);
        return;
    }
    cmark_node *after = cmark_node_next(marker);
    if (after && (cmark_node_get_type(after) == CMARK_NODE_SOFTBREAK ||
                  cmark_node_get_type(after) == CMARK_NODE_LINEBREAK))
        cmark_node_free(after);
    cmark_node_free(marker);
    if (!cmark_node_first_child(para))
        cmark_node_free(para);
    strbuf open = STRBUF_INIT;
    strbuf_printf(&open, "<div class=\"callout callout-%s\">\n<p class=\"callout-label\"><strong>%s</strong></p>\n",
                  kind->name, kind->label);
    cmark_node *box = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_BLOCK, st->mem);
    cmark_node_set_on_enter(box, open.data);
    cmark_node_set_on_exit(box, "</div>\n");
    strbuf_free(&open);
    cmark_node *child;
    while ((child = cmark_node_first_child(quote)) != NULL)
        cmark_node_append_child(box, child);
    cmark_node_replace(quote, box);
    cmark_node_free(quote);
}

/* ---- tables ------------------------------------------------------------- */

typedef struct table_job {
    cmark_node *table;  /* detached, its cells emptied */
    cmark_node *holder; /* in its place: one paragraph per cell */
} table_job;

static void inline_html(render_state *st, cmark_node *parent, strbuf *out)
{
    for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c)) {
        char *html = cmark_render_html_with_mem(c, st->options, st->extensions, st->mem);
        strbuf_puts(out, html);
        st->mem->free(html);
    }
}

/* A paragraph "Table: words" right before a table is its caption. */
static cmark_node *table_caption(cmark_node *table)
{
    cmark_node *prev = cmark_node_previous(table);
    if (!prev || cmark_node_get_type(prev) != CMARK_NODE_PARAGRAPH)
        return NULL;
    cmark_node *first = cmark_node_first_child(prev);
    if (!first || cmark_node_get_type(first) != CMARK_NODE_TEXT)
        return NULL;
    const char *lit = cmark_node_get_literal(first);
    return !strncmp(lit, "Table:", 6) ? prev : NULL;
}

/* A table cell may hold only some inline kinds, not the custom ones that
 * citations become, so before anything changes inline content each cell's
 * children move into a paragraph of a holder block that takes the table's
 * place. The table stays alive, detached and empty, for its row kinds and
 * alignments until render_table replaces the holder with the table's HTML. */
static table_job hold_table(render_state *st, cmark_node *table)
{
    cmark_node *holder = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_BLOCK, st->mem);
    for (cmark_node *row = cmark_node_first_child(table); row; row = cmark_node_next(row))
        for (cmark_node *cell = cmark_node_first_child(row); cell; cell = cmark_node_next(cell)) {
            cmark_node *para = cmark_node_new_with_mem(CMARK_NODE_PARAGRAPH, st->mem);
            cmark_node *child;
            while ((child = cmark_node_first_child(cell)) != NULL)
                cmark_node_append_child(para, child);
            cmark_node_append_child(holder, para);
        }
    cmark_node_insert_before(table, holder);
    cmark_node_unlink(table);
    return (table_job){table, holder};
}

static void table_row_html(render_state *st, cmark_node *row, cmark_node **cell_para, const uint8_t *aligns,
                           uint16_t ncols, strbuf *out)
{
    bool header = cmark_gfm_extensions_get_table_row_is_header(row);
    strbuf_puts(out, "<tr>\n");
    uint16_t col = 0;
    for (cmark_node *cell = cmark_node_first_child(row); cell; cell = cmark_node_next(cell), col++) {
        strbuf_puts(out, header ? "<th scope=\"col\"" : "<td");
        char align = col < ncols && aligns ? (char)aligns[col] : 0;
        strbuf_puts(out, align == 'l'   ? " class=\"align-left\""
                         : align == 'c' ? " class=\"align-center\""
                         : align == 'r' ? " class=\"align-right\""
                                        : "");
        strbuf_putc(out, '>');
        inline_html(st, *cell_para, out);
        *cell_para = cmark_node_next(*cell_para);
        strbuf_puts(out, header ? "</th>\n" : "</td>\n");
    }
    strbuf_puts(out, "</tr>\n");
}

static void caption_html(render_state *st, cmark_node *caption, const char *id, strbuf *out)
{
    cmark_node *first = cmark_node_first_child(caption);
    const char *lit = cmark_node_get_literal(first) + 6;
    char *rest = xstrdup(lit + strspn(lit, " \t"));
    cmark_node_set_literal(first, rest);
    free(rest);
    strbuf_printf(out, "<caption id=\"%s\">", id);
    inline_html(st, caption, out);
    strbuf_puts(out, "</caption>\n");
}

/* Replaces a held table with its HTML: header cells with scope, a caption
 * when the editor wrote one, and a box of its own that scrolls sideways on
 * a narrow screen instead of the page. */
static void render_table(render_state *st, table_job job)
{
    uint16_t ncols = cmark_gfm_extensions_get_table_columns(job.table);
    const uint8_t *aligns = cmark_gfm_extensions_get_table_alignments(job.table);
    cmark_node *caption = table_caption(job.holder);
    strbuf html = STRBUF_INIT;
    char *caption_id = NULL;
    if (caption) {
        caption_id = free_id(st, "table", false, 1, id_taken);
        add_id(st, xstrdup(caption_id));
        strbuf_printf(&html, "<section class=\"table-wrap\" tabindex=\"0\" aria-labelledby=\"%s\">\n", caption_id);
    } else {
        strbuf_puts(&html, "<section class=\"table-wrap\" tabindex=\"0\" aria-label=\"Table\">\n");
    }
    strbuf_puts(&html, "<table>\n");
    if (caption) {
        caption_html(st, caption, caption_id, &html);
        cmark_node_free(caption);
    }
    cmark_node *cell_para = cmark_node_first_child(job.holder);
    bool in_body = false;
    for (cmark_node *row = cmark_node_first_child(job.table); row; row = cmark_node_next(row)) {
        bool header = cmark_gfm_extensions_get_table_row_is_header(row);
        if (header) {
            strbuf_puts(&html, "<thead>\n");
        } else if (!in_body) {
            strbuf_puts(&html, "<tbody>\n");
            in_body = true;
        }
        table_row_html(st, row, &cell_para, aligns, ncols, &html);
        if (header)
            strbuf_puts(&html, "</thead>\n");
    }
    strbuf_puts(&html, in_body ? "</tbody>\n</table>\n</section>\n" : "</table>\n</section>\n");
    cmark_node *block = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_BLOCK, st->mem);
    cmark_node_set_on_enter(block, html.data);
    cmark_node_set_on_exit(block, "");
    cmark_node_replace(job.holder, block);
    cmark_node_free(job.holder);
    cmark_node_free(job.table);
    strbuf_free(&html);
    free(caption_id);
}

/* ---- footnotes ---------------------------------------------------------- */

/* "[^label]" left as text means a footnote with no definition. */
static void warn_lost_footnote(render_state *st, cmark_node *text)
{
    const char *lit = cmark_node_get_literal(text);
    const char *p = lit ? strstr(lit, "[^") : NULL;
    if (!p)
        return;
    const char *close = strchr(p, ']');
    if (!close || close == p + 2)
        return;
    diag_add(st->diags, DIAG_WARNING, st->file, file_line(st, positioned(text)),
             cmark_node_get_start_column(positioned(text)) + (int)(p - lit),
             "'%.*s' is not a footnote: no line '%.*s: ...' defines it", (int)(close - p + 1), p,
             (int)(close - p + 1), p);
}

static bool is_type(cmark_node *node, const char *name) { return !strcmp(cmark_node_get_type_string(node), name); }

/* ---- the walk ----------------------------------------------------------- */

static void warn_raw_html(render_state *st, cmark_node *node)
{
    if (st->env->unsafe_html || st->warned_raw_html)
        return;
    st->warned_raw_html = true;
    diag_add(st->diags, DIAG_WARNING, st->file, file_line(st, node), cmark_node_get_start_column(node),
             "raw HTML is left out of the page (set unsafe_html = true in [build] to allow it)");
}

static bool inside_image(cmark_node *node)
{
    for (cmark_node *up = cmark_node_parent(node); up; up = cmark_node_parent(up))
        if (cmark_node_get_type(up) == CMARK_NODE_IMAGE)
            return true;
    return false;
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
        XGROW(nodes, cap, count + 1, 1);
        nodes[count++] = cmark_iter_get_node(it);
    }
    cmark_iter_free(it);
    size_t ntables = 0;
    table_job *tables = NULL;
    for (size_t i = 0; i < count; i++) {
        if (!cmark_node_get_syntax_extension(nodes[i]))
            continue;
        if (is_type(nodes[i], "table")) {
            tables = xrealloc(tables, (ntables + 1) * sizeof *tables);
            tables[ntables++] = hold_table(st, nodes[i]);
        } else if (is_type(nodes[i], "tasklist")) {
            st->has_tasks = true;
        }
    }
    /* Block quotes and headings are changed after the walk, kept at the
       array's front (always behind i). */
    size_t blocks = 0, nimages = 0, images_cap = 0;
    cmark_node **images = NULL;
    for (size_t i = 0; i < count; i++) {
        cmark_node *node = nodes[i];
        switch (cmark_node_get_type(node)) {
        case CMARK_NODE_TEXT:
            /* Before citations split the node: the new nodes are not walked. */
            if (st->may_cite_lookalike)
                warn_cite_lookalikes(st, node);
            if (st->may_footnote)
                warn_lost_footnote(st, node);
            if (st->may_cite)
                expand_citations(st, node);
            break;
        case CMARK_NODE_LINK:
            rewrite_and_record(st, node);
            break;
        case CMARK_NODE_IMAGE:
            if (inside_image(node))
                break; /* its text is part of the outer image's alt */
            XGROW(images, images_cap, nimages + 1, 8);
            images[nimages++] = node;
            break;
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_HTML_INLINE:
            st->doc->has_raw_html = st->doc->has_raw_html || st->env->unsafe_html;
            warn_raw_html(st, node);
            break;
        case CMARK_NODE_HEADING:
        case CMARK_NODE_BLOCK_QUOTE:
            nodes[blocks++] = node;
            break;
        default:
            break;
        }
    }
    /* Images replace themselves (or their paragraph, for a figure): no
       block in nodes[] is one of those paragraphs. */
    for (size_t i = 0; i < nimages; i++)
        render_image(st, images[i]);
    free(images);
    /* Callouts move their children, which stay valid, and free the quote
       itself, so its entry is cleared; tables and headings are replaced and
       freed with their children, and hold no blocks. */
    for (size_t i = 0; i < blocks; i++)
        if (cmark_node_get_type(nodes[i]) == CMARK_NODE_BLOCK_QUOTE) {
            make_callout(st, nodes[i]);
            nodes[i] = NULL;
        }
    for (size_t i = 0; i < ntables; i++)
        render_table(st, tables[i]);
    free(tables);
    for (size_t i = 0; i < blocks; i++) {
        cmark_node *node = nodes[i];
        if (!node || cmark_node_get_type(node) != CMARK_NODE_HEADING)
            continue;
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
                   (ev == CMARK_EVENT_EXIT && (type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK)) {
            in_word = false;
            if (text.len && text.len < PLAIN_TEXT_MAX && text.data[text.len - 1] != ' ')
                strbuf_putc(&text, ' ');
        }
    }
    cmark_iter_free(it);
    doc->text = strbuf_detach(&text);
}

static pthread_once_t extensions_once = PTHREAD_ONCE_INIT;

static void register_extensions(void) { cmark_gfm_core_extensions_ensure_registered(); }

/* Tables, strikethrough and task lists always; bare-URL links when asked
 * (they cost parse time on every text run). */
static void attach_extensions(cmark_parser *parser, bool autolink)
{
    static const char *const names[] = {"table", "strikethrough", "tasklist", "autolink"};
    size_t n = sizeof names / sizeof *names - (autolink ? 0 : 1);
    for (size_t i = 0; i < n; i++)
        cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension(names[i]));
}

/* cmark-gfm's markup that lumbar's pages write otherwise: a heading for the
 * footnote list, so that readers and screen readers find it as they find
 * the references, and task-list boxes in HTML syntax rather than XHTML. */
static const char *const html_fixes[][2] = {
    {"<section class=\"footnotes\" data-footnotes>\n",
     "<section class=\"footnotes\" aria-labelledby=\"footnotes\">\n<h2 id=\"footnotes\">Notes</h2>\n"},
    {"<input type=\"checkbox\" disabled=\"\" />", "<input type=\"checkbox\" disabled>"},
    {"<input type=\"checkbox\" checked=\"\" disabled=\"\" />", "<input type=\"checkbox\" checked disabled>"},
};

/* Returns a copy of html with html_fixes applied; the caller owns it. */
static char *fix_html(const char *html)
{
    strbuf out = STRBUF_INIT;
    const size_t nfixes = sizeof html_fixes / sizeof *html_fixes;
    for (const char *p = html; *p;) {
        const char *next = strchr(p, '<');
        if (!next) {
            strbuf_puts(&out, p);
            break;
        }
        strbuf_append(&out, p, (size_t)(next - p));
        size_t i = 0;
        while (i < nfixes && strncmp(next, html_fixes[i][0], strlen(html_fixes[i][0])) != 0)
            i++;
        if (i < nfixes) {
            strbuf_puts(&out, html_fixes[i][1]);
            p = next + strlen(html_fixes[i][0]);
        } else {
            strbuf_putc(&out, '<');
            p = next + 1;
        }
    }
    return strbuf_detach(&out);
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
    st.may_cite = has_bracket_mark(text, n, '@') || memchr(text, '&', n) || memchr(text, '\\', n);
    st.may_footnote = has_bracket_mark(text, n, '^');
    st.may_cite_lookalike = memchr(text, '@', n) && memchr(text, '[', n);
    /* Footnotes cost cmark-gfm a walk of the whole tree: only where "[^"
       could make one. */
    if (st.may_footnote)
        st.options |= CMARK_OPT_FOOTNOTES;
    st.mem = cmark_get_default_mem_allocator();
    if (env->arena) {
        current_arena = env->arena;
        st.mem = &arena_mem;
    }
    pthread_once(&extensions_once, register_extensions);
    cmark_parser *parser = cmark_parser_new_with_mem(st.options, st.mem);
    attach_extensions(parser, env->autolink);
    st.extensions = cmark_parser_get_syntax_extensions(parser);
    cmark_parser_feed(parser, text, n);
    cmark_node *root = cmark_parser_finish(parser);
    transform(&st, root);
    plain_text(root, doc);
    char *html = cmark_render_html(root, st.options, st.extensions); /* from st.mem */
    doc->html = st.may_footnote || st.has_tasks ? fix_html(html) : xstrdup(html);
    st.mem->free(html);
    cmark_parser_free(parser);
    if (env->arena) {
        arena_reset(env->arena); /* the whole tree at once */
        current_arena = NULL;
    } else {
        cmark_node_free(root);
    }
    strbuf toc = STRBUF_INIT;
    if (doc->toc->u.list.len)
        toc_html_list(doc->toc, &toc);
    doc->toc_html = strbuf_detach(&toc);
    strtab_free(&st.ids);
    for (size_t i = 0; i < st.hints.cap; i++)
        free((char *)st.hints.slots[i].key);
    strtab_free(&st.hints);
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
