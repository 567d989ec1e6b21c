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
#include "parallel.h"
#include "utf8.h"
#include "xalloc.h"

/* A page's Markdown longer than this is refused before cmark parses it:
 * rendering takes up to some sixty times the text in memory, on each
 * thread (16 MB of headings and links took 0.9 GB), and the longest real
 * article is some 50 KB. */
#define BODY_MAX_BYTES ((size_t)4 << 20)
#define WORDS_PER_MINUTE 200

typedef struct shared {
    site *s;
    const tpl_set *tpl;
    output *out;
    bool keep_ids;
    img_store *images;
    termcache *terms;
    bool scan_links;
    bool theme_links;
    links_index *links; /* what exists, for scan_links */
    page **order; /* the pages, lists first */
    struct worker *workers; /* one per thread parallel_run may start */
    atomic_size_t bytes;
    pthread_mutex_t failures_lock;
    struct render_failure *failures; /* one per distinct layout failure */
    size_t nfailures;
} shared;

/* A layout that failed to render: reported once, at the layout's line,
 * however many pages it failed for. */
typedef struct render_failure {
    char *path;       /* the template file, or the first page's source */
    int line, col;
    tpl_fail_kind kind;
    char *msg;        /* as the first page's render said it */
    char *first_page; /* the first page it failed for, by name */
    char *chain;      /* the templates it went through there */
    size_t pages;
} render_failure;

typedef struct worker {
    arena *tree_mem; /* for md_render's parse trees on this thread */
    strbuf html;
    diag_list diags;
    size_t pages, reused, indexed;
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
    if (path_list_has(&s->scheduled, content_path))
        return MD_TARGET_SCHEDULED;
    if (path_list_has(&s->expired, content_path))
        return MD_TARGET_EXPIRED;
    return path_list_has(&s->drafts, content_path) ? MD_TARGET_DRAFT : MD_TARGET_NONE;
}

static bool env_has_reference(void *ctx, const char *key)
{
    const site *s = ctx;
    return refs_get(s->refs, key) != NULL;
}

static md_env make_env(site *s, img_store *images)
{
    return (md_env){.unsafe_html = s->cfg->unsafe_html,
                    .smart_punctuation = s->cfg->smart_punctuation,
                    .autolink = s->cfg->autolink,
                    .base_path = s->cfg->base_path,
                    .find_page = env_find_page,
                    .has_reference = env_has_reference,
                    .images = images,
                    .ctx = s};
}

typedef struct tree_md {
    site *s;
    const page *p;
    img_store *images;
    value *links; /* the page's body links, which the tree's join; NULL: not recorded */
    diag_list *diags;
} tree_md;

static bool tree_markdown(void *ctx, const char *md, size_t n, int line, int col, strbuf *html)
{
    tree_md *tm = ctx;
    md_env env = make_env(tm->s, tm->images);
    /* Tree text is always safe, whatever unsafe_html says (security.md). */
    env.unsafe_html = false;
    /* Its links are the page's own: a broken one is named at its line in
       the front matter, not blamed on the layout. */
    env.record_links = tm->links != NULL;
    size_t errors = diag_count(tm->diags, DIAG_ERROR);
    md_doc *doc = md_render(md, n, line, tm->p->src_path, tm->p->content_path, &env, tm->diags);
    for (size_t i = 0; tm->links && i < doc->links->u.list.len; i++)
        value_list_push(tm->links, value_ref(doc->links->u.list.items[i]));
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

/* The reviewer of a reviewed page as a schema.org Person: always named,
 * since fm_check_review lets no review through without a name unless the
 * site turned require_names off, and then there is no Person at all. */
static void json_reviewer(strbuf *out, const fm_fields *fm, bool *first)
{
    if (!fm_is_reviewed(fm) || !fm->reviewer_name || !*fm->reviewer_name)
        return;
    json_key(out, "reviewedBy", first);
    bool f = true;
    strbuf_putc(out, '{');
    json_str(out, "@type", "Person", &f);
    json_str(out, "name", fm->reviewer_name, &f);
    json_str(out, "jobTitle", fm->reviewer_role, &f);
    strbuf_putc(out, '}');
}

/* schema.org MedicalWebPage for articles and medical standalone pages (a
 * decision tree, or reviewed), claiming a review only when there was one;
 * escaped for a <script> element. */
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
    /* A page pending review claims no review date: nothing to show. */
    if (fm_is_reviewed(p->fm))
        json_str(out, "lastReviewed", ctx_str(ctx, "last_reviewed"), &first);
    json_reviewer(out, p->fm, &first);
    bool f = true;
    if (s->cfg->about[0]) { /* [site] about: the condition the site is about */
        json_key(out, "about", &first);
        strbuf_putc(out, '{');
        json_str(out, "@type", "MedicalCondition", &f);
        json_str(out, "name", s->cfg->about, &f);
        strbuf_putc(out, '}');
    }
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

static bool add_tree(site *s, page *p, img_store *images, value *links, value *local, diag_list *diags)
{
    tree_md tm = {s, p, images, links, diags};
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

static md_doc *render_body(site *s, page *p, img_store *images, arena *tree_mem, bool record_links,
                           diag_list *diags)
{
    strbuf text = STRBUF_INIT;
    if (!fs_read_file_at(s->content_fd, p->content_path, true, &text)) {
        diag_add(diags, DIAG_ERROR, p->src_path, 0, 0, "cannot read the file again (%s): it changed during the build?",
                 fs_strerror(errno));
        strbuf_free(&text);
        return NULL;
    }
    text.len = fm_normalise(text.data, text.len);
    fm_parts parts;
    md_doc *doc = NULL;
    bool split = fm_split(text.data, text.len, p->src_path, &parts, diags);
    if (split && parts.body_len > BODY_MAX_BYTES) {
        int line, col;
        utf8_position(parts.body, BODY_MAX_BYTES, parts.body_line, &line, &col);
        diag_add(diags, DIAG_ERROR, p->src_path, line, col,
                 "Markdown longer than %zu MiB (%.1f MiB in all) is not rendered; the limit falls here: "
                 "split the page", BODY_MAX_BYTES >> 20, (double)parts.body_len / (1 << 20));
        split = false;
    }
    if (split) {
        md_env env = make_env(s, images);
        env.arena = tree_mem;
        env.record_links = record_links;
        doc = md_render(parts.body, parts.body_len, parts.body_line, p->src_path, p->content_path, &env, diags);
    }
    strbuf_free(&text);
    return doc;
}

/* body_links gets the body's recorded links, raw_html whether the body
 * showed raw HTML (whose links only the page's HTML holds). */
static bool page_locals(const shared *sh, page *p, arena *tree_mem, value *local, value **body_links,
                        bool *raw_html, diag_list *diags)
{
    site *s = sh->s;
    bool ok = true;
    if (p->fm) {
        /* A list's further pages repeat its first page's body, whose
           problems the first page reports once. */
        diag_list repeated = DIAG_LIST_INIT;
        diag_list *body_diags = p->owns_fm ? diags : &repeated;
        size_t errors = diag_count(body_diags, DIAG_ERROR);
        md_doc *doc = render_body(s, p, sh->images, tree_mem, sh->scan_links, body_diags);
        diag_list_clear(&repeated);
        if (!doc)
            return false;
        ok = diag_count(body_diags, DIAG_ERROR) == errors;
        add_body_names(doc, local);
        add_references(s, p, doc, local);
        *body_links = value_ref(doc->links);
        *raw_html = doc->has_raw_html;
        if (!p->cites) { /* a page from the rebuild cache has these already */
            p->ids = sh->keep_ids ? value_ref(doc->ids) : NULL;
            p->cites = value_ref(doc->cites);
            /* Indexing the words and writing the result text are most of
               the search index's work: made here, they run on every thread. */
            if (sh->out && p->owns_fm) {
                p->search_entry = feeds_search_entry(s, p, doc->text, doc->headings, sh->terms, sh->out, diags);
                ok = p->search_entry && ok;
            }
        }
        md_doc_free(doc);
        if (p->fm->tree)
            ok = add_tree(s, p, sh->images, sh->scan_links ? *body_links : NULL, local, diags) && ok;
    }
    strbuf ld = STRBUF_INIT;
    /* A standalone page with a decision tree, or a reviewed one, is medical
       content as much as an article is, reviewed or pending. */
    if (p->kind == PAGE_ARTICLE || (p->kind == PAGE_PAGE && p->owns_fm && (p->fm->tree || fm_is_reviewed(p->fm))))
        article_json_ld(s, p, local, &ld);
    else if (p->kind == PAGE_HOME)
        site_json_ld(s, &ld);
    if (ld.len)
        value_map_set(local, "json_ld", value_str_take(strbuf_detach(&ld)));
    strbuf_free(&ld);
    return ok;
}

/* Content files before made-up pages (tags, 404), then by name. */
static bool page_before(const char *a, const char *b)
{
    if ((a[0] == '/') != (b[0] == '/'))
        return b[0] == '/';
    return strcmp(a, b) < 0;
}

/* Notes that page p failed to render, for report_failures. */
static void note_failure(shared *sh, const page *p, const tpl_failure *why)
{
    strbuf msg = STRBUF_INIT, chain = STRBUF_INIT;
    tpl_failure_describe(why, p->layout, &msg);
    tpl_failure_chain(why, p->layout, &chain);
    const char *where = p->src_path ? p->src_path : p->url;
    const char *path = why->path && *why->path ? why->path : where;
    pthread_mutex_lock(&sh->failures_lock);
    render_failure *f = NULL;
    for (size_t i = 0; i < sh->nfailures && !f; i++) {
        render_failure *g = &sh->failures[i];
        if (g->line == why->line && g->col == why->col && g->kind == why->kind && !strcmp(g->path, path))
            f = g;
    }
    if (!f) {
        sh->failures = xrealloc(sh->failures, (sh->nfailures + 1) * sizeof *sh->failures);
        f = &sh->failures[sh->nfailures++];
        *f = (render_failure){xstrdup(path), why->line, why->col, why->kind, strbuf_detach(&msg),
                              xstrdup(where), strbuf_detach(&chain), 0};
    } else if (page_before(where, f->first_page)) { /* the same page named whatever the threads did */
        free(f->first_page);
        free(f->chain);
        free(f->msg);
        f->first_page = xstrdup(where);
        f->chain = strbuf_detach(&chain);
        f->msg = strbuf_detach(&msg);
    }
    f->pages++;
    pthread_mutex_unlock(&sh->failures_lock);
    strbuf_free(&msg);
    strbuf_free(&chain);
}

/* Adds one error per distinct layout failure, in a stable order. */
static int cmp_failure(const void *a, const void *b)
{
    const render_failure *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

static void report_failures(shared *sh, diag_list *diags)
{
    xqsort(sh->failures, sh->nfailures, sizeof *sh->failures, cmp_failure);
    for (size_t i = 0; i < sh->nfailures; i++) {
        render_failure *f = &sh->failures[i];
        if (f->pages == 1)
            diag_add(diags, DIAG_ERROR, f->path, f->line, f->col, "%s; rendering %s for %s", f->msg, f->chain,
                     f->first_page);
        else
            diag_add(diags, DIAG_ERROR, f->path, f->line, f->col, "%s; rendering %s for %s (and %zu other page%s)",
                     f->msg, f->chain, f->first_page, f->pages - 1, f->pages == 2 ? "" : "s");
        free(f->path);
        free(f->chain);
        free(f->msg);
        free(f->first_page);
    }
    free(sh->failures);
}

static void render_one(shared *sh, worker *w, page *p, strbuf *html)
{
    diag_list *diags = &w->diags;
    value *local = value_map();
    value_map_reserve(local, 12); /* an article's body, toc, reading time, JSON-LD...: 9 names */
    value *body_links = NULL;
    bool raw_html = false;
    bool ok = page_locals(sh, p, w->tree_mem, local, &body_links, &raw_html, diags);
    const value *stack[] = {sh->s->site_ctx, p->fm ? p->fm->all : sh->s->site_ctx, p->ctx, local};
    strbuf_reset(html);
    /* A page whose body has errors still renders when links are checked,
       unwritten, so that its broken links show in the same run. */
    tpl_failure why;
    bool rendered = (ok || sh->scan_links) && tpl_render_checked(sh->tpl, p->layout, stack, 4, html, &why);
    if (ok && !rendered) {
        note_failure(sh, p, &why);
        ok = false;
    }
    if (ok && sh->out && output_write(sh->out, p->out_path, strbuf_cstr(html), html->len, diags))
        atomic_fetch_add(&sh->bytes, html->len);
    if (rendered && sh->scan_links && (sh->theme_links || raw_html))
        links_scan(p, strbuf_cstr(html), html->len, body_links, sh->links);
    else if (rendered && sh->scan_links)
        links_scan_body(p, strbuf_cstr(html), html->len, body_links, sh->links);
    value_free(body_links);
    value_free(local);
    p->rendered = ok;
}

static void *worker_setup(void *arg, int n)
{
    shared *sh = arg;
    worker *w = &sh->workers[n];
    w->tree_mem = arena_new();
    return w;
}

/* How much of a clean page's previous output could be linked. */
typedef enum { REUSED_NONE, REUSED_TEXT, REUSED_ALL } reuse;

/* Links a clean page's search result text, then its HTML, from the
 * previous build, each only when the manifest shows it as that build
 * wrote it: only then is it what rendering the page would write. */
static reuse reuse_page(shared *sh, const page *p)
{
    strbuf doc = STRBUF_INIT;
    if (p->search_entry)
        feeds_search_doc_path(sh->s, p, &doc);
    reuse r = p->search_entry && !output_link_recorded(sh->out, doc.data) ? REUSED_NONE
              : output_link_recorded(sh->out, p->out_path)                ? REUSED_ALL
                                                                          : REUSED_TEXT;
    strbuf_free(&doc);
    return r;
}

/* A clean page that renders after all: what the cache gave it goes, so
 * that rendering makes it all anew. */
static void forget_cached(page *p)
{
    free(p->search_entry);
    p->search_entry = NULL;
    value_free(p->ids);
    value_free(p->cites);
    value_free(p->links);
    p->ids = p->cites = p->links = NULL;
    diag_list_clear(&p->warnings);
}

static void render_index(void *arg, void *state, size_t i)
{
    shared *sh = arg;
    worker *w = state;
    page *p = sh->order[i];
    if (p->skip)
        return;
    reuse r = p->clean && sh->out ? reuse_page(sh, p) : REUSED_NONE;
    if (r == REUSED_ALL) {
        p->rendered = true;
        w->reused++;
        diag_copy(&w->diags, &p->warnings, 0); /* as rendering it would */
    } else {
        /* With its search text in place (the HTML was edited by hand,
           say), the page renders keeping the rest of what was cached; the
           search text is not written twice. */
        if (r == REUSED_NONE && p->clean && p->owns_fm)
            forget_cached(p);
        p->clean = false;
        size_t before = w->diags.len;
        w->indexed += p->owns_fm && !p->cites; /* render_one makes its record */
        render_one(sh, w, p, &w->html);
        if (p->owns_fm) { /* for the rebuild cache */
            diag_list_clear(&p->warnings);
            diag_copy(&p->warnings, &w->diags, before);
        }
    }
    w->pages++;
}

static void worker_teardown(void *arg, void *state)
{
    (void)arg;
    worker *w = state;
    strbuf_free(&w->html);
    arena_free(w->tree_mem);
    w->tree_mem = NULL;
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
    if (jobs < 1)
        jobs = 1;
    worker *workers = xcalloc((size_t)jobs, sizeof *workers);
    shared sh = {.s = s, .tpl = tpl, .out = opts->out, .keep_ids = opts->keep_ids, .images = opts->images, .terms = opts->terms,
                 .scan_links = opts->scan_links, .theme_links = opts->theme_links, .order = lists_first(s), .workers = workers};
    if (opts->scan_links)
        sh.links = links_index_new(s);
    atomic_init(&sh.bytes, 0);
    pthread_mutex_init(&sh.failures_lock, NULL);
    /* One page at a time: a list page can take a hundred times as long as
       an article, and a chunk would leave one thread with several. */
    parallel_work work = {.setup = worker_setup, .fn = render_index, .teardown = worker_teardown,
                          .alongside = opts->alongside, .alongside_arg = opts->alongside_arg, .chunk = 1};
    jobs = parallel_run(s->npages, jobs, &work, &sh);
    bool ok = true;
    for (int i = 0; i < jobs; i++) {
        ok = ok && diag_count(&workers[i].diags, DIAG_ERROR) == 0;
        stats->pages += workers[i].pages;
        stats->reused += workers[i].reused;
        stats->indexed += workers[i].indexed;
        diag_move(diags, &workers[i].diags);
    }
    ok = ok && sh.nfailures == 0;
    report_failures(&sh, diags);
    pthread_mutex_destroy(&sh.failures_lock);
    stats->bytes = atomic_load(&sh.bytes);
    if (opts->links_out)
        *opts->links_out = sh.links;
    else
        links_index_free(sh.links);
    free(workers);
    free(sh.order);
    return ok;
}
