/* site: ordering, and site_load putting the model together (see site.h). */
#include "site_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "hash.h"
#include "parallel.h"
#include "strbuf.h"
#include "xalloc.h"

#define HOME_RECENT 10

const char *const kind_names[] = {"home", "section", "article", "page", "tag", "tags", "404"};

/* ---- ordering ----------------------------------------------------------- */

const char *page_title(const page *p) { return p->fm && p->fm->title ? p->fm->title : ""; }

int site_cmp_newest(const void *a, const void *b)
{
    const page *x = *(page *const *)a, *y = *(page *const *)b;
    int c = date_cmp(y->sort_date, x->sort_date);
    if (c)
        return c;
    c = strcmp(page_title(x), page_title(y));
    return c ? c : strcmp(x->url, y->url);
}

/* Pages with a weight before those without, lighter first; 0 when the
 * weights do not decide. */
static int cmp_weight(const fm_fields *x, const fm_fields *y)
{
    if (x->has_weight != y->has_weight)
        return x->has_weight ? -1 : 1;
    if (x->has_weight && x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    return 0;
}

/* Weight first, then newest: so a section without weights is listed in
 * site_cmp_newest's order, which collect_sections relies on. */
int cmp_listed(const void *a, const void *b)
{
    int c = cmp_weight((*(page *const *)a)->fm, (*(page *const *)b)->fm);
    return c ? c : site_cmp_newest(a, b);
}

int cmp_url(const void *a, const void *b)
{
    return strcmp((*(page *const *)a)->url, (*(page *const *)b)->url);
}

static int cmp_content_path(const void *a, const void *b)
{
    return strcmp((*(page *const *)a)->content_path, (*(page *const *)b)->content_path);
}

static int cmp_section(const void *a, const void *b)
{
    const site_section *x = a, *y = b;
    if (!x->index || !y->index)
        return !x->index - !y->index;
    page *px = x->index, *py = y->index;
    int c = cmp_weight(px->fm, py->fm);
    if (c)
        return c;
    c = strcmp(page_title(px), page_title(py));
    return c ? c : strcmp(x->name, y->name);
}

/* ---- putting it together ------------------------------------------------ */

/* The template names of one content page, its summary for lists and (an
 * article) its link for its neighbours: on several threads, each page by
 * one (their values are the page's own, or shared ones that only gain
 * references). */
static void page_names(void *arg, size_t i)
{
    site *s = arg;
    page *p = s->pages[i];
    base_context(s, p);
    set_next_review(s, p);
    p->summary = page_summary(p);
    if (p->kind == PAGE_ARTICLE)
        p->link = link_value(p);
}

static void make_list_pages(loader *ld)
{
    site *s = ld->s;
    size_t articles = 0;
    for (size_t i = 0; i < s->nsections; i++)
        articles += s->sections[i].count;
    parallel_for(articles, ld->opts->jobs, article_extras, s);
    for (size_t i = 0; i < s->nsections; i++) {
        site_section *sec = &s->sections[i];
        if (sec->index)
            paginate(ld, sec->index, sec->articles, sec->count);
    }
    for (size_t i = 0; i < s->ntags; i++) {
        site_tag *tag = &s->tags[i];
        strbuf rel = STRBUF_INIT;
        strbuf_printf(&rel, "tags/%s/", tag->slug);
        page *p = made_up_page(ld, PAGE_TAG, tag->name, rel.data);
        strbuf_free(&rel);
        value *tv = value_map();
        value_map_set(tv, "name", value_str(tag->name));
        value_map_set(tv, "title", tag_title(tag->name));
        value_map_set(tv, "url", value_str(p->url));
        value_map_set(tv, "count", value_num((double)tag->count));
        value_map_set(p->ctx, "tag", tv);
        add_page(ld, p);
        paginate(ld, p, tag->pages, tag->count);
    }
    if (s->ntags)
        add_page(ld, made_up_page(ld, PAGE_TAGS, "Tags", "tags/"));
    add_page(ld, made_up_page(ld, PAGE_404, "Page not found", ""));
}

static void home_recent(site *s)
{
    page *home = NULL, *articles[HOME_RECENT];
    size_t n = 0;
    for (size_t i = 0; i < s->nnewest; i++) {
        if (s->newest[i]->kind == PAGE_HOME)
            home = s->newest[i];
        else if (s->newest[i]->kind == PAGE_ARTICLE && n < HOME_RECENT)
            articles[n++] = s->newest[i];
    }
    if (home)
        value_map_set(home->ctx, "pages", summaries(articles, 0, n));
}

static void set_layouts(site *s)
{
    for (size_t i = 0; i < s->npages; i++) {
        page *p = s->pages[i];
        if (!p->layout)
            p->layout = xstrdup(p->fm && p->fm->layout ? p->fm->layout : kind_names[p->kind]);
    }
}

site *site_load(const site_options *opts, const config *cfg, const refs *bib, diag_list *diags)
{
    site *s = xcalloc(1, sizeof *s);
    s->site_dir = opts->site_dir;
    s->cfg = cfg;
    s->refs = bib;
    loader ld = {.opts = opts, .cfg = cfg, .s = s, .diags = diags};
    ld.site_real = realpath(opts->site_dir, NULL);
    if (!ld.site_real) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot open the site folder '%s': %s", opts->site_dir, strerror(errno));
        free(s);
        return NULL;
    }
    char *content_dir = fs_join(opts->site_dir, "content");
    s->content_fd = open(content_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(content_dir);
    size_t errors_before = diag_count(diags, DIAG_ERROR);
    bool ok = scan_content(&ld);
    run_jobs(&ld, diags);
    bool has_home = false;
    for (size_t i = 0; i < s->npages; i++)
        has_home = has_home || s->pages[i]->kind == PAGE_HOME;
    if (ok && !has_home && diag_count(diags, DIAG_ERROR) == errors_before)
        diag_add(diags, DIAG_ERROR, "content", 0, 0, "no content/_index.md: the site needs a home page");
    sort_newest(s);
    collect_sections(s, diags);
    xqsort(s->sections, s->nsections, sizeof *s->sections, cmp_section);
    collect_tags(s);
    make_sections_shared(s);
    parallel_for(s->npages, opts->jobs, page_names, s);
    make_list_pages(&ld);
    home_recent(s);
    set_layouts(s);
    build_site_context(s);
    check_unique_urls(s, diags);
    collect_aliases(s, diags);
    warn_reviews(s, opts, diags);
    s->by_path = xmalloc((s->npages ? s->npages : 1) * sizeof(page *));
    for (size_t i = 0; i < s->npages; i++)
        if (s->pages[i]->content_path && s->pages[i]->owns_fm)
            s->by_path[s->nby_path++] = s->pages[i];
    xqsort(s->by_path, s->nby_path, sizeof(page *), cmp_content_path);
    s->content_hash = HASH_SEED;
    for (size_t i = 0; opts->hashes && i < s->nby_path; i++) {
        s->content_hash = hash_str(s->content_hash, s->by_path[i]->content_path);
        s->content_hash = hash_bytes(s->content_hash, &s->by_path[i]->fm_hash, sizeof(uint64_t));
    }
    free(ld.site_real);
    return s;
}

/* bsearch's comparator: a content path against an entry of by_path. */
static int cmp_path_page(const void *content_path, const void *entry)
{
    return strcmp(content_path, (*(page *const *)entry)->content_path);
}

page *site_page_by_path(const site *s, const char *content_path)
{
    page **hit = xbsearch(content_path, s->by_path, s->nby_path, sizeof *s->by_path, cmp_path_page);
    return hit ? *hit : NULL;
}

/* Frees a page and all it owns; accepts NULL. */
void page_free(page *p)
{
    if (!p)
        return;
    if (p->owns_fm)
        fm_fields_free(p->fm);
    free(p->src_path);
    free(p->content_path);
    free(p->section);
    free(p->rel_url);
    free(p->url);
    free(p->out_path);
    free(p->layout);
    free(p->search_entry);
    value_free(p->link);
    value_free(p->ctx);
    value_free(p->summary);
    value_free(p->ids);
    value_free(p->cites);
    value_free(p->links);
    diag_list_clear(&p->warnings);
    free(p);
}

void site_free(site *s)
{
    if (!s)
        return;
    /* Paginated copies share their first page's front matter: free copies first. */
    for (size_t i = 0; i < s->npages; i++)
        if (!s->pages[i]->owns_fm) {
            page_free(s->pages[i]);
            s->pages[i] = NULL;
        }
    for (size_t i = 0; i < s->npages; i++)
        if (s->pages[i])
            page_free(s->pages[i]);
    for (size_t i = 0; i < s->nsections; i++) {
        free(s->sections[i].name);
        free(s->sections[i].articles);
    }
    for (size_t i = 0; i < s->ntags; i++) {
        free(s->tags[i].slug);
        free(s->tags[i].name);
        free(s->tags[i].pages);
    }
    for (size_t i = 0; i < s->ntag_entries; i++)
        value_free(s->tag_entries[i].entry);
    free(s->tag_entries);
    for (size_t i = 0; s->section_shared && i <= s->nsections; i++)
        value_free(s->section_shared[i]);
    free(s->section_shared);
    free(s->sections);
    free(s->tags);
    free(s->pages);
    free(s->by_path);
    free(s->newest);
    path_list_free(&s->unloaded);
    path_list_free(&s->drafts);
    path_list_free(&s->scheduled);
    path_list_free(&s->expired);
    value_free(s->site_ctx);
    value_free(s->aliases);
    if (s->content_fd >= 0)
        close(s->content_fd);
    free(s);
}
