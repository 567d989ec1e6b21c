/* site_lists: sections, tags, pagination and the pages lumbar makes up. */
#include "site_internal.h"

#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "strbuf.h"
#include "strtab.h"
#include "xalloc.h"

/* ---- sections, tags, pagination ----------------------------------------- */

site_section *find_section(const site *s, const char *name)
{
    for (size_t i = 0; name && i < s->nsections; i++)
        if (!strcmp(s->sections[i].name, name))
            return &s->sections[i];
    return NULL;
}

static site_section *add_section(site *s, const char *name)
{
    site_section *sec = find_section(s, name);
    if (sec)
        return sec;
    s->sections = xrealloc(s->sections, (s->nsections + 1) * sizeof *s->sections);
    sec = &s->sections[s->nsections++];
    memset(sec, 0, sizeof *sec);
    sec->name = xstrdup(name);
    return sec;
}

/* True when the section's _index.md is there but failed to load: its own
 * error says so already. */
static bool index_failed(const site *s, const char *section)
{
    char *path = fs_join(section, "_index.md");
    bool failed = path_list_has(&s->unloaded, path);
    free(path);
    return failed;
}

void collect_sections(site *s, diag_list *diags)
{
    for (size_t i = 0; i < s->npages; i++) {
        page *p = s->pages[i];
        if (p->kind == PAGE_SECTION)
            add_section(s, p->section)->index = p;
    }
    /* Newest first is the listed order but for weights (cmp_listed): only
       a section with weighted articles needs sorting. */
    for (size_t i = 0; i < s->nnewest; i++)
        if (s->newest[i]->kind == PAGE_ARTICLE)
            add_section(s, s->newest[i]->section)->count++;
    bool *weighted = xcalloc(s->nsections ? s->nsections : 1, sizeof *weighted);
    for (size_t i = 0; i < s->nsections; i++) {
        s->sections[i].articles = xmalloc((s->sections[i].count ? s->sections[i].count : 1) * sizeof(page *));
        s->sections[i].count = 0;
    }
    for (size_t i = 0; i < s->nnewest; i++) {
        page *p = s->newest[i];
        if (p->kind != PAGE_ARTICLE)
            continue;
        site_section *sec = find_section(s, p->section);
        sec->articles[sec->count++] = p;
        weighted[sec - s->sections] |= p->fm->has_weight;
    }
    for (size_t i = 0; i < s->nsections; i++) {
        site_section *sec = &s->sections[i];
        if (weighted[i])
            xqsort(sec->articles, sec->count, sizeof(page *), cmp_listed);
        if (!sec->index && sec->count && !index_failed(s, sec->name))
            diag_add(diags, DIAG_ERROR, sec->articles[0]->src_path, 0, 0,
                     "section '%s' has no content/%s/_index.md (it needs at least a title)", sec->name, sec->name);
    }
    free(weighted);
}

typedef struct tag_ref {
    const char *slug; /* owned by the page's front matter */
    const char *name;
    page *page;
    size_t group; /* its slug's group in the slug_table */
} tag_ref;

/* Adds a shared {name, url} for each spelling of a tag not seen before in
 * its group (pairs[from..to), one slug): a page's tags then cost a
 * reference each, not a map. */
static void add_tag_entries(site *s, const tag_ref *pairs, size_t from, size_t to, size_t *cap)
{
    size_t group_start = s->ntag_entries;
    for (size_t k = from; k < to; k++) {
        bool seen = false;
        for (size_t e = group_start; e < s->ntag_entries && !seen; e++)
            seen = !strcmp(s->tag_entries[e].name, pairs[k].name);
        if (seen)
            continue;
        XGROW(s->tag_entries, *cap, s->ntag_entries + 1, 16);
        value *entry = value_map();
        value_map_set(entry, "name", value_str(pairs[k].name));
        value_map_set(entry, "title", tag_title(pairs[k].name));
        strbuf url = STRBUF_INIT;
        strbuf_printf(&url, "%stags/%s/", s->cfg->base_path, pairs[k].slug);
        value_map_set(entry, "url", value_str_take(strbuf_detach(&url)));
        s->tag_entries[s->ntag_entries++] = (struct site_tag_entry){pairs[k].name, entry};
    }
}

/* Content pages newest first: the order of tag pages, the home page's
 * list and the feed, sorted once. */
void sort_newest(site *s)
{
    s->newest = xmalloc((s->npages ? s->npages : 1) * sizeof *s->newest);
    for (size_t i = 0; i < s->npages; i++)
        if (s->pages[i]->fm)
            s->newest[s->nnewest++] = s->pages[i];
    xqsort(s->newest, s->nnewest, sizeof *s->newest, site_cmp_newest);
}

/* Tag slugs grouped through a hash table of group indices. */
typedef struct slug_group {
    const char *slug;
    size_t count; /* (tag, page) pairs with this slug */
    size_t first; /* where they start among the pairs sorted by slug */
} slug_group;

typedef struct slug_table {
    slug_group *groups;
    size_t ngroups, cap;
    strtab index; /* slug (borrowed from the pages) -> its group */
} slug_table;

/* Returns the index of slug's group, adding an empty one when new. */
static size_t slug_table_group(slug_table *t, const char *slug)
{
    bool added;
    strtab_entry *e = strtab_add(&t->index, slug, strlen(slug), t->ngroups, &added);
    if (added) {
        XGROW(t->groups, t->cap, t->ngroups + 1, 32);
        t->groups[t->ngroups++] = (slug_group){slug, 0, 0};
    }
    return e->val;
}

static int cmp_group_slug(const void *a, const void *b)
{
    return strcmp((*(slug_group *const *)a)->slug, (*(slug_group *const *)b)->slug);
}

static void add_tag(site *s, const slug_group *g, const tag_ref *pairs, size_t *entries_cap)
{
    s->tags = xrealloc(s->tags, (s->ntags + 1) * sizeof *s->tags);
    site_tag *tag = &s->tags[s->ntags++];
    const tag_ref *first = &pairs[g->first];
    tag->slug = xstrdup(first->slug);
    tag->name = xstrdup(first->name); /* as the newest page wrote it */
    tag->pages = xmalloc(g->count * sizeof(page *));
    tag->count = 0;
    for (size_t k = 0; k < g->count; k++) /* a page giving two spellings counts once */
        if (k == 0 || first[k].page != first[k - 1].page)
            tag->pages[tag->count++] = first[k].page;
    add_tag_entries(s, pairs, g->first, g->first + g->count, entries_cap);
}

/* Groups (tag, page) pairs by slug, each group newest first: a hash per
 * pair and a sort of the distinct slugs, however many pages. */
void collect_tags(site *s)
{
    size_t n = 0, cap = 0;
    tag_ref *pairs = NULL;
    slug_table table = {NULL, 0, 0, STRTAB_INIT};
    for (size_t i = 0; i < s->nnewest; i++) {
        page *p = s->newest[i];
        for (size_t t = 0; p->fm->tags && t < p->fm->tags->u.list.len; t++) {
            XGROW(pairs, cap, n + 1, 64);
            const char *slug = p->fm->tag_slugs[t];
            size_t group = slug_table_group(&table, slug);
            table.groups[group].count++;
            pairs[n++] = (tag_ref){slug, p->fm->tags->u.list.items[t]->u.str.ptr, p, group};
        }
    }
    slug_group **by_slug = xmalloc((table.ngroups ? table.ngroups : 1) * sizeof *by_slug);
    for (size_t g = 0; g < table.ngroups; g++)
        by_slug[g] = &table.groups[g];
    xqsort(by_slug, table.ngroups, sizeof *by_slug, cmp_group_slug);
    size_t *next = xmalloc((table.ngroups ? table.ngroups : 1) * sizeof *next);
    for (size_t g = 0, first = 0; g < table.ngroups; first += by_slug[g++]->count)
        by_slug[g]->first = first;
    for (size_t g = 0; g < table.ngroups; g++)
        next[g] = table.groups[g].first;
    tag_ref *sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    for (size_t k = 0; k < n; k++) /* in page order: newest first within a slug */
        sorted[next[pairs[k].group]++] = pairs[k];
    size_t entries_cap = 0;
    for (size_t g = 0; g < table.ngroups; g++)
        add_tag(s, by_slug[g], sorted, &entries_cap);
    xqsort(s->tag_entries, s->ntag_entries, sizeof *s->tag_entries, cmp_tag_entry);
    free(sorted);
    free(next);
    free(by_slug);
    free(table.groups);
    strtab_free(&table.index);
    free(pairs);
}

value *summaries(page **pages, size_t from, size_t to)
{
    value *list = value_list();
    for (size_t i = from; i < to; i++)
        value_list_push(list, value_ref(pages[i]->summary));
    return list;
}

static char *pager_url(const site *s, const char *rel_base, size_t n)
{
    strbuf sb = STRBUF_INIT;
    if (n == 1)
        strbuf_printf(&sb, "%s%s", s->cfg->base_path, rel_base);
    else
        strbuf_printf(&sb, "%s%spage/%zu/", s->cfg->base_path, rel_base, n);
    return strbuf_detach(&sb);
}

static value *paginator(const site *s, const char *rel_base, size_t current, size_t total)
{
    value *pg = value_map();
    value_map_set(pg, "current", value_num((double)current));
    value_map_set(pg, "total", value_num((double)total));
    if (current > 1)
        value_map_set(pg, "prev_url", value_str_take(pager_url(s, rel_base, current - 1)));
    if (current < total)
        value_map_set(pg, "next_url", value_str_take(pager_url(s, rel_base, current + 1)));
    value *pages = value_list();
    for (size_t n = 1; n <= total; n++) {
        value *entry = value_map();
        value_map_set(entry, "n", value_num((double)n));
        value_map_set(entry, "url", value_str_take(pager_url(s, rel_base, n)));
        value_map_set(entry, "is_current", value_bool(n == current));
        value_list_push(pages, entry);
    }
    value_map_set(pg, "pages", pages);
    return pg;
}

/* A copy of a list page for page n of its pagination. */
static page *pager_copy(loader *ld, const page *first, size_t n)
{
    page *p = xcalloc(1, sizeof *p);
    *p = *first;
    p->src_path = first->src_path ? xstrdup(first->src_path) : NULL;
    p->content_path = first->content_path ? xstrdup(first->content_path) : NULL;
    p->section = first->section ? xstrdup(first->section) : NULL;
    p->layout = first->layout ? xstrdup(first->layout) : NULL;
    p->owns_fm = false;
    p->ctx = p->summary = p->link = NULL;
    strbuf rel = STRBUF_INIT;
    strbuf_printf(&rel, "%spage/%zu/", first->rel_url, n);
    set_urls(p, ld->cfg, rel.data);
    strbuf_free(&rel);
    p->ids = p->cites = p->links = NULL;
    p->search_entry = NULL;
    return p;
}

/* A generated list page (a tag's) has its title and tag in its context,
 * not in front matter; its further pages need them too. */
static void copy_list_names(const page *first, page *p)
{
    static const char *const names[] = {"title", "tag"};
    if (first->fm)
        return; /* a section: its names come from front matter */
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        value *v = value_map_get(first->ctx, names[i]);
        if (v)
            value_map_set(p->ctx, names[i], value_ref(v));
    }
}

/* Sets `pages` (and `paginator` when page_size is set) on a list page,
 * adding copies for its further pages. */
void paginate(loader *ld, page *first, page **items, size_t count)
{
    size_t size = ld->cfg->page_size ? (size_t)ld->cfg->page_size : count;
    size_t total = size ? (count + size - 1) / size : 1;
    if (total == 0)
        total = 1;
    for (size_t n = 1; n <= total; n++) {
        page *p = n == 1 ? first : pager_copy(ld, first, n);
        if (n > 1) {
            base_context(ld->s, p);
            copy_list_names(first, p);
            add_page(ld, p);
        }
        size_t from = (n - 1) * size, to = from + size < count ? from + size : count;
        value_map_set(p->ctx, "pages", summaries(items, from, to));
        if (ld->cfg->page_size)
            value_map_set(p->ctx, "paginator", paginator(ld->s, first->rel_url, n, total));
    }
}

page *made_up_page(loader *ld, page_kind kind, const char *title, const char *rel_url)
{
    page *p = xcalloc(1, sizeof *p);
    p->kind = kind;
    set_urls(p, ld->cfg, rel_url);
    if (kind == PAGE_404) {
        free(p->out_path);
        free(p->url);
        free(p->rel_url);
        p->out_path = xstrdup("404.html");
        p->rel_url = xstrdup("404.html");
        strbuf url = STRBUF_INIT;
        strbuf_printf(&url, "%s404.html", ld->cfg->base_path);
        p->url = strbuf_detach(&url);
    }
    p->ctx = NULL;
    base_context(ld->s, p);
    value_map_set(p->ctx, "title", value_str(title));
    p->summary = page_summary(p);
    value_map_set(p->summary, "title", value_str(title));
    p->layout = xstrdup(kind_names[kind]);
    return p;
}

/* Sets prev and next on the i-th article of all sections taken in order:
 * for parallel_for, each article by one thread, its neighbours' links
 * made beforehand by page_names. */
void article_extras(void *arg, size_t i)
{
    const site *s = arg;
    const site_section *sec = s->sections;
    while (i >= sec->count)
        i -= sec++->count;
    page *p = sec->articles[i];
    if (i > 0)
        value_map_set(p->ctx, "prev", value_ref(sec->articles[i - 1]->link));
    if (i + 1 < sec->count)
        value_map_set(p->ctx, "next", value_ref(sec->articles[i + 1]->link));
}

/* When p is next due for review: its own next_review, else last_reviewed
 * plus the site's interval; false for a page pending review. Any reviewed
 * page, not only articles, has one: the decision tree gives advice too. */
bool review_due(const site *s, const page *p, date *due)
{
    if (!p->owns_fm || !fm_is_reviewed(p->fm))
        return false;
    if (date_is_set(p->fm->next_review))
        *due = p->fm->next_review;
    else if (date_is_set(p->fm->last_reviewed))
        *due = date_add_months(p->fm->last_reviewed, s->cfg->interval_months);
    else
        return false;
    return true;
}

void set_next_review(const site *s, page *p)
{
    date due;
    if (review_due(s, p, &due)) {
        strbuf scratch = STRBUF_INIT;
        set_date(p->ctx, "next_review", "next_review_human", due, &scratch);
        strbuf_free(&scratch);
    }
}
