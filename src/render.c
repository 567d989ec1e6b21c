#include "render.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "decision_tree.h"
#include "escape.h"
#include "feeds.h"
#include "frontmatter.h"
#include "fs.h"
#include "links.h"
#include "markdown.h"
#include "xalloc.h"

#define EXCERPT_BYTES 600
#define WORDS_PER_MINUTE 200

typedef struct shared {
    site *s;
    const tpl_set *tpl;
    output *out;
    bool keep_ids;
    page **order; /* the pages, lists first */
    atomic_size_t next;
    atomic_size_t bytes;
} shared;

typedef struct worker {
    shared *sh;
    arena *tree_mem; /* for md_render's parse trees on this thread */
    diag_list diags;
    size_t pages;
    pthread_t thread;
} worker;

/* ---- Markdown environment ----------------------------------------------- */

static md_target env_find_page(void *ctx, const char *content_path, const char **url)
{
    const site *s = ctx;
    const page *p = site_page_by_path(s, content_path);
    if (p) {
        *url = p->url;
        return MD_TARGET_PAGE;
    }
    if (path_list_has(&s->unloaded, content_path))
        return MD_TARGET_FAILED;
    return path_list_has(&s->drafts, content_path) ? MD_TARGET_DRAFT : MD_TARGET_NONE;
}

static bool env_has_reference(void *ctx, const char *key)
{
    const site *s = ctx;
    return refs_get(s->refs, key) != NULL;
}

static md_env make_env(site *s)
{
    return (md_env){.unsafe_html = s->cfg->unsafe_html,
                    .smart_punctuation = s->cfg->smart_punctuation,
                    .base_path = s->cfg->base_path,
                    .find_page = env_find_page,
                    .has_reference = env_has_reference,
                    .ctx = s};
}

typedef struct tree_md {
    site *s;
    const page *p;
    diag_list *diags;
} tree_md;

static bool tree_markdown(void *ctx, const char *md, size_t n, int line, int col, strbuf *html)
{
    tree_md *tm = ctx;
    md_env env = make_env(tm->s);
    /* Tree text is always safe, whatever unsafe_html says (security.md). */
    env.unsafe_html = false;
    size_t errors = diag_count(tm->diags, DIAG_ERROR);
    md_doc *doc = md_render(md, n, line, tm->p->src_path, tm->p->content_path, &env, tm->diags);
    /* Each piece of tree text would number its citations from 1, apart from
     * the page's reference list: cite sources in the page body instead. */
    if (doc->cites->u.list.len)
        diag_add(tm->diags, DIAG_ERROR, tm->p->src_path, line, col,
                 "citations are not supported in decision-tree text: cite the source in the page's body");
    strbuf_puts(html, doc->html);
    md_doc_free(doc);
    return diag_count(tm->diags, DIAG_ERROR) == errors;
}

/* ---- per-page names ----------------------------------------------------- */

static void add_references(site *s, const page *p, const md_doc *doc, value *local)
{
    value *list = value_list();
    value *keys = value_copy(doc->cites);
    for (size_t i = 0; p->fm->references && i < p->fm->references->u.list.len; i++) {
        const char *key = p->fm->references->u.list.items[i]->u.str.ptr;
        bool seen = false;
        for (size_t k = 0; k < keys->u.list.len && !seen; k++)
            seen = !strcmp(keys->u.list.items[k]->u.str.ptr, key);
        if (!seen)
            value_list_push(keys, value_str(key));
    }
    for (size_t i = 0; i < keys->u.list.len; i++) {
        const char *key = keys->u.list.items[i]->u.str.ptr;
        const value *entry = refs_get(s->refs, key);
        if (!entry)
            continue;
        value *item = value_copy(entry);
        value_map_set(item, "n", value_num((double)(i + 1)));
        strbuf anchor = STRBUF_INIT;
        strbuf_printf(&anchor, "ref-%s", key);
        value_map_set(item, "anchor", value_str_take(strbuf_detach(&anchor)));
        bool cited = i < doc->cites->u.list.len;
        if (cited) {
            strbuf back = STRBUF_INIT;
            strbuf_printf(&back, "#cite-%s-1", key);
            value_map_set(item, "backlink", value_str_take(strbuf_detach(&back)));
        }
        value_list_push(list, item);
    }
    value_map_set(local, "has_references", value_bool(list->u.list.len > 0));
    value_map_set(local, "references", list);
    value_free(keys);
}

/* key is a literal of this file, a plain ASCII word: written as it is. */
static void json_key(strbuf *out, const char *key, bool *first)
{
    if (!*first)
        strbuf_putc(out, ',');
    *first = false;
    strbuf_putc(out, '"');
    strbuf_puts(out, key);
    strbuf_puts(out, "\":");
}

static void json_str(strbuf *out, const char *key, const char *val, bool *first)
{
    if (!val || !*val)
        return;
    json_key(out, key, first);
    esc_json(out, val, strlen(val));
}

static const char *ctx_str(const value *ctx, const char *name) { return value_cstr(value_map_get(ctx, name)); }

static void json_citations(strbuf *out, const value *refs_list, bool *first)
{
    if (!refs_list->u.list.len)
        return;
    json_key(out, "citation", first);
    strbuf_putc(out, '[');
    for (size_t i = 0; i < refs_list->u.list.len; i++) {
        const value *r = refs_list->u.list.items[i];
        bool f = true;
        strbuf_puts(out, i ? ",{" : "{");
        json_str(out, "@type", "CreativeWork", &f);
        json_str(out, "name", ctx_str(r, "title"), &f);
        json_str(out, "author", ctx_str(r, "authors"), &f);
        json_str(out, "datePublished", ctx_str(r, "year"), &f);
        json_str(out, "publisher", ctx_str(r, "container"), &f);
        json_str(out, "url", ctx_str(r, "href"), &f);
        json_str(out, "isbn", ctx_str(r, "isbn"), &f);
        strbuf_putc(out, '}');
    }
    strbuf_putc(out, ']');
}

/* "a musculoskeletal physiotherapist" names a role, not a person (the site
 * may name the reviewer's role rather than invent a name): returns the role
 * after its lower-case article, or NULL for a name ("An Nguyen"). */
static const char *reviewer_role(const char *reviewed_by)
{
    const char *rest = !strncmp(reviewed_by, "a ", 2) ? reviewed_by + 2
                       : !strncmp(reviewed_by, "an ", 3) ? reviewed_by + 3
                                                          : NULL;
    while (rest && *rest == ' ')
        rest++;
    return rest && *rest ? rest : NULL;
}

/* schema.org MedicalWebPage for articles and reviewed pages; escaped for a
 * <script> element. */
static void article_json_ld(site *s, const page *p, const value *local, strbuf *out)
{
    const value *ctx = p->ctx;
    bool first = true;
    strbuf_putc(out, '{');
    json_str(out, "@context", "https://schema.org", &first);
    json_str(out, "@type", "MedicalWebPage", &first);
    json_str(out, "name", p->fm->title, &first);
    json_str(out, "headline", p->fm->title, &first);
    json_str(out, "description", p->fm->description, &first);
    json_str(out, "url", ctx_str(ctx, "permalink"), &first);
    json_str(out, "inLanguage", s->cfg->language, &first);
    json_str(out, "datePublished", ctx_str(ctx, "date"), &first);
    json_str(out, "dateModified", ctx_str(ctx, "updated") ? ctx_str(ctx, "updated") : ctx_str(ctx, "date"), &first);
    json_str(out, "lastReviewed", ctx_str(ctx, "last_reviewed"), &first);
    if (p->fm->reviewed_by) {
        json_key(out, "reviewedBy", &first);
        bool f = true;
        strbuf_putc(out, '{');
        json_str(out, "@type", "Person", &f);
        const char *role = reviewer_role(p->fm->reviewed_by);
        json_str(out, role ? "jobTitle" : "name", role ? role : p->fm->reviewed_by, &f);
        strbuf_putc(out, '}');
    }
    json_key(out, "about", &first);
    bool f = true;
    strbuf_putc(out, '{');
    json_str(out, "@type", "MedicalCondition", &f);
    json_str(out, "name", s->cfg->about, &f);
    strbuf_putc(out, '}');
    json_str(out, "aspect", ctx_str(ctx, "section_title"), &first);
    json_key(out, "isPartOf", &first);
    f = true;
    strbuf_putc(out, '{');
    json_str(out, "@type", "WebSite", &f);
    json_str(out, "name", s->cfg->title, &f);
    json_str(out, "url", s->cfg->base_url, &f);
    strbuf_putc(out, '}');
    json_citations(out, value_map_get(local, "references"), &first);
    strbuf_putc(out, '}');
}

static void site_json_ld(site *s, strbuf *out)
{
    bool first = true;
    strbuf_putc(out, '{');
    json_str(out, "@context", "https://schema.org", &first);
    json_str(out, "@type", "WebSite", &first);
    json_str(out, "name", s->cfg->title, &first);
    json_str(out, "description", s->cfg->description, &first);
    json_str(out, "url", s->cfg->base_url, &first);
    json_str(out, "inLanguage", s->cfg->language, &first);
    strbuf_putc(out, '}');
}

/* Cuts plain text to about EXCERPT_BYTES at a word boundary. */
static char *make_excerpt(const char *text)
{
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == ' ')
        n--;
    if (n <= EXCERPT_BYTES)
        return xstrndup(text, n);
    size_t cut = EXCERPT_BYTES;
    while (cut > 0 && text[cut] != ' ')
        cut--;
    if (cut == 0)
        for (cut = EXCERPT_BYTES; cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80; cut--)
            ;
    return xstrndup(text, cut);
}

/* Moves the body's HTML into local rather than copying it: it is the
 * largest string of a page. */
static void add_body_names(md_doc *doc, value *local)
{
    value_map_set(local, "content", value_str_take(doc->html));
    doc->html = NULL;
    value_map_set(local, "toc", value_ref(doc->toc));
    value_map_set(local, "toc_html", value_str(doc->toc_html));
    value_map_set(local, "has_toc", value_bool(doc->heading_count >= 2));
    value_map_set(local, "word_count", value_num((double)doc->word_count));
    double minutes = ceil((double)doc->word_count / WORDS_PER_MINUTE);
    value_map_set(local, "reading_minutes", value_num(minutes < 1 ? 1 : minutes));
}

static bool add_tree(site *s, page *p, value *local, diag_list *diags)
{
    tree_md tm = {s, p, diags};
    dtree *tree = dtree_load(p->fm->tree, p->src_path, tree_markdown, &tm, diags);
    if (!tree)
        return false;
    strbuf html = STRBUF_INIT, json = STRBUF_INIT;
    dtree_render_html(tree, &html);
    dtree_render_json(tree, &json);
    value_map_set(local, "tree_html", value_str_take(strbuf_detach(&html)));
    value_map_set(local, "tree_json", value_str_take(strbuf_detach(&json)));
    dtree_free(tree);
    return true;
}

/* ---- one page ------------------------------------------------------------ */

static md_doc *render_body(site *s, page *p, arena *tree_mem, bool record_links, diag_list *diags)
{
    strbuf text = STRBUF_INIT;
    if (!fs_read_file_at(s->content_fd, p->content_path, true, &text)) {
        diag_add(diags, DIAG_ERROR, p->src_path, 0, 0, "cannot read the file again (%s): it changed during the build?",
                 strerror(errno));
        strbuf_free(&text);
        return NULL;
    }
    text.len = fm_normalise(text.data, text.len);
    fm_parts parts;
    md_doc *doc = NULL;
    if (fm_split(text.data, text.len, p->src_path, &parts, diags)) {
        md_env env = make_env(s);
        env.arena = tree_mem;
        env.record_links = record_links;
        doc = md_render(parts.body, parts.body_len, parts.body_line, p->src_path, p->content_path, &env, diags);
    }
    strbuf_free(&text);
    return doc;
}

static bool page_locals(const shared *sh, page *p, arena *tree_mem, value *local, value **body_links,
                        diag_list *diags)
{
    site *s = sh->s;
    bool ok = true;
    if (p->fm) {
        /* A list's further pages repeat its first page's body, whose
           problems the first page reports once. */
        diag_list repeated = DIAG_LIST_INIT;
        diag_list *body_diags = p->owns_fm ? diags : &repeated;
        size_t errors = diag_count(body_diags, DIAG_ERROR);
        md_doc *doc = render_body(s, p, tree_mem, !sh->out, body_diags); /* links for `lumbar check` */
        diag_list_clear(&repeated);
        if (!doc)
            return false;
        ok = diag_count(body_diags, DIAG_ERROR) == errors;
        add_body_names(doc, local);
        add_references(s, p, doc, local);
        *body_links = value_ref(doc->links);
        if (!p->cites) { /* a page from the rebuild cache has these already */
            p->ids = sh->keep_ids ? value_ref(doc->ids) : NULL;
            p->cites = value_ref(doc->cites);
            /* Escaping the index's text is most of the feeds' work: made
               here, it runs on every thread. */
            if (sh->out && p->owns_fm) {
                char *excerpt = make_excerpt(doc->text);
                p->search_entry = feeds_search_entry(p, excerpt, doc->headings);
                free(excerpt);
            }
        }
        md_doc_free(doc);
        if (p->fm->tree)
            ok = add_tree(s, p, local, diags) && ok;
    }
    strbuf ld = STRBUF_INIT;
    /* A reviewed standalone page (the decision tree) is medical content
       as much as an article is. */
    if (p->kind == PAGE_ARTICLE || (p->kind == PAGE_PAGE && p->owns_fm && p->fm->reviewed_by))
        article_json_ld(s, p, local, &ld);
    else if (p->kind == PAGE_HOME)
        site_json_ld(s, &ld);
    if (ld.len)
        value_map_set(local, "json_ld", value_str_take(strbuf_detach(&ld)));
    strbuf_free(&ld);
    return ok;
}

static void render_one(shared *sh, worker *w, page *p, strbuf *html)
{
    diag_list *diags = &w->diags;
    value *local = value_map();
    value_map_reserve(local, 12); /* an article's body, toc, reading time, JSON-LD...: 9 names */
    value *body_links = NULL;
    bool ok = page_locals(sh, p, w->tree_mem, local, &body_links, diags);
    const value *stack[] = {sh->s->site_ctx, p->fm ? p->fm->all : sh->s->site_ctx, p->ctx, local};
    strbuf_reset(html);
    if (ok && !tpl_render(sh->tpl, p->layout, stack, 4, html)) {
        diag_add(diags, DIAG_ERROR, p->src_path ? p->src_path : "layouts", 0, 0,
                 "layout '%s' could not be rendered: a layout it uses has errors, includes itself, "
                 "or loops past the render budget (TPL_MAX_DEPTH, TPL_MAX_STEPS in src/template.h)",
                 p->layout);
        ok = false;
    }
    if (ok && sh->out && output_write(sh->out, p->out_path, strbuf_cstr(html), html->len, diags))
        atomic_fetch_add(&sh->bytes, html->len);
    if (ok && !sh->out)
        links_scan(p, strbuf_cstr(html), html->len, body_links);
    value_free(body_links);
    value_free(local);
    p->rendered = ok;
}

static void *work(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    strbuf html = STRBUF_INIT;
    w->tree_mem = arena_new();
    for (;;) {
        size_t i = atomic_fetch_add(&sh->next, 1);
        if (i >= sh->s->npages)
            break;
        page *p = sh->order[i];
        if (p->skip)
            continue;
        if (p->clean && sh->out && output_link_previous(sh->out, p->out_path))
            p->rendered = true;
        else
            render_one(sh, w, p, &html);
        w->pages++;
    }
    strbuf_free(&html);
    arena_free(w->tree_mem);
    w->tree_mem = NULL;
    return NULL;
}

static bool made_up(const page *p) { return p->kind == PAGE_TAG || p->kind == PAGE_TAGS || p->kind == PAGE_404; }

/* Reports a missing layout once per name; false when it was reported before. */
static bool first_report(value *reported, const char *layout)
{
    for (size_t k = 0; k < reported->u.list.len; k++)
        if (!strcmp(reported->u.list.items[k]->u.str.ptr, layout))
            return false;
    value_list_push(reported, value_str(layout));
    return true;
}

/* A content page's layout must exist. Tag, tags and 404 pages are optional
 * parts of a theme: without their layout they are left out, with a warning. */
static bool check_layouts(site *s, const tpl_set *tpl, diag_list *diags)
{
    bool ok = true;
    value *reported = value_list();
    for (size_t i = 0; i < s->npages; i++) {
        page *p = s->pages[i];
        p->skip = false;
        if (tpl_set_has(tpl, p->layout))
            continue;
        const value *lv = p->fm && p->owns_fm ? value_map_get(p->fm->all, "layout") : NULL;
        if (made_up(p)) {
            p->skip = true;
            if (first_report(reported, p->layout))
                diag_add(diags, DIAG_WARNING, "layouts", 0, 0, "no layouts/%s.html: %s pages are left out", p->layout,
                         p->layout);
        } else if (lv) {
            diag_add(diags, DIAG_ERROR, p->src_path, lv->line, lv->col, "unknown layout '%s' (no layouts/%s.html)",
                     p->layout, p->layout);
            ok = false;
        } else {
            ok = false;
            if (first_report(reported, p->layout) && p->owns_fm)
                diag_add(diags, DIAG_ERROR, p->src_path, 0, 0, "no layouts/%s.html: every %s page needs one", p->layout,
                         p->layout);
        }
    }
    value_free(reported);
    return ok;
}

/* The pages in the order threads take them: list pages (a section's may
 * list thousands of articles) first, so that no thread is left with a long
 * one at the end while the others wait. Output does not depend on it. */
static page **lists_first(const site *s)
{
    page **order = xmalloc((s->npages ? s->npages : 1) * sizeof *order);
    size_t n = 0;
    for (int lists = 1; lists >= 0; lists--)
        for (size_t i = 0; i < s->npages; i++)
            if ((s->pages[i]->kind != PAGE_ARTICLE && s->pages[i]->kind != PAGE_PAGE) == lists)
                order[n++] = s->pages[i];
    return order;
}

bool render_pages(site *s, const tpl_set *tpl, const render_options *opts, render_stats *stats, diag_list *diags)
{
    if (!check_layouts(s, tpl, diags))
        return false;
    int jobs = opts->jobs;
    shared sh = {.s = s, .tpl = tpl, .out = opts->out, .keep_ids = opts->keep_ids, .order = lists_first(s)};
    atomic_init(&sh.next, 0);
    atomic_init(&sh.bytes, 0);
    if (jobs < 1)
        jobs = 1;
    worker *workers = xcalloc((size_t)jobs, sizeof *workers);
    for (int i = 0; i < jobs; i++) {
        workers[i].sh = &sh;
        if (i > 0 && pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0)
            jobs = i; /* fewer threads is slower, not wrong */
    }
    if (opts->alongside)
        opts->alongside(opts->alongside_arg);
    work(&workers[0]);
    for (int i = 1; i < jobs; i++)
        pthread_join(workers[i].thread, NULL);
    bool ok = true;
    for (int i = 0; i < jobs; i++) {
        ok = ok && diag_count(&workers[i].diags, DIAG_ERROR) == 0;
        stats->pages += workers[i].pages;
        diag_move(diags, &workers[i].diags);
    }
    stats->bytes = atomic_load(&sh.bytes);
    free(workers);
    free(sh.order);
    return ok;
}
