/* site_values: the template names of pages, sections, tags and the site (see
 * docs/templates.md). */
#include "site_internal.h"

#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

static const char *const is_kind_names[] = {"is_home", "is_section", "is_article", "is_page",
                                            "is_tag",  "is_tags",    "is_404"};

/* ---- values for templates ----------------------------------------------- */

static value *str_value(const char *s) { return value_str(s ? s : ""); }

/* Sets name (ISO) and human_name ("12 March 2024") to d, when set;
 * scratch is reused between calls, to spare an allocation per date. */
void set_date(value *ctx, const char *name, const char *human_name, date d, strbuf *scratch)
{
    if (!date_is_set(d))
        return;
    strbuf_reset(scratch);
    date_format_iso(d, scratch);
    value_map_set(ctx, name, value_strn(scratch->data, scratch->len));
    strbuf_reset(scratch);
    date_format_human(d, scratch);
    value_map_set(ctx, human_name, value_strn(scratch->data, scratch->len));
}

char *absolute_url(const config *cfg, const char *rel_url)
{
    strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, cfg->base_url);
    strbuf_puts(&sb, rel_url);
    return strbuf_detach(&sb);
}

int cmp_tag_entry(const void *a, const void *b)
{
    return strcmp(((const struct site_tag_entry *)a)->name, ((const struct site_tag_entry *)b)->name);
}

/* A tag's display name: a name written with a capital letter is shown as
 * written; an all-lower-case one is a slug-like spelling ("pain-science"),
 * shown with its hyphens and underscores as spaces and a capital first
 * letter ("Pain science"). Returns a new value. */
value *tag_title(const char *name)
{
    for (const char *c = name; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            return value_str(name);
    char *title = xstrdup(name);
    for (char *c = title; *c; c++)
        if (*c == '-' || *c == '_')
            *c = ' ';
    if (title[0] >= 'a' && title[0] <= 'z')
        title[0] = (char)(title[0] - 'a' + 'A');
    return value_str_take(title);
}

static value *tag_list(const site *s, const value *tags)
{
    value *list = value_list();
    for (size_t i = 0; tags && i < tags->u.list.len; i++) {
        struct site_tag_entry key = {tags->u.list.items[i]->u.str.ptr, NULL};
        const struct site_tag_entry *found =
            xbsearch(&key, s->tag_entries, s->ntag_entries, sizeof key, cmp_tag_entry);
        if (found)
            value_list_push(list, value_ref(found->entry));
    }
    return list;
}

static const char *section_title(const site *s, const char *name)
{
    const site_section *sec = find_section(s, name);
    return !sec ? "" : sec->index ? page_title(sec->index) : name;
}

value *page_summary(const page *p)
{
    /* References to the page's own values where it has them: a summary
     * sits in every list the page is in, for the whole build. */
    value *sum = value_map();
    value_map_reserve(sum, 9);
    value *title = p->fm && p->fm->title ? value_map_get(p->fm->all, "title") : NULL;
    value *description = p->fm && p->fm->description ? value_map_get(p->fm->all, "description") : NULL;
    value_map_set(sum, "title", title ? value_ref(title) : str_value(page_title(p)));
    value_map_set(sum, "url", value_ref(value_map_get(p->ctx, "url")));
    value_map_set(sum, "description", description ? value_ref(description) : value_str(""));
    static const char *const same[] = {"kind", "section", "section_title", "date", "date_human", "tag_list", NULL};
    for (const char *const *name = same; *name; name++) {
        value *v = value_map_get(p->ctx, *name);
        if (v)
            value_map_set(sum, *name, value_ref(v));
    }
    return sum;
}

/* {title, url} of p, for a neighbour's previous and next links: by
 * reference to p's own values where it has them, as in page_summary. */
value *link_value(const page *p)
{
    value *v = value_map();
    value_map_reserve(v, 2);
    value *title = p->fm && p->fm->title ? value_map_get(p->fm->all, "title") : NULL;
    value *url = p->ctx ? value_map_get(p->ctx, "url") : NULL;
    value_map_set(v, "title", title ? value_ref(title) : str_value(page_title(p)));
    value_map_set(v, "url", url ? value_ref(url) : value_str(p->url));
    return v;
}

static value *section_shared(const site *s, const page *p);

/* is_false.NAME for each front-matter key set to false: a Mustache section
 * cannot tell false from missing, and an opt-out such as
 * red_flag_notice: false must differ from leaving the key out. */
static value *false_keys(const page *p)
{
    value *m = value_map();
    const value *all = p->fm ? p->fm->all : NULL;
    for (size_t i = 0; all && all->kind == V_MAP && i < all->u.map.len; i++) {
        const value *v = all->u.map.items[i].val;
        if (v->kind == V_BOOL && !v->u.b)
            value_map_set(m, value_entry_key(&all->u.map.items[i]), value_bool(true));
    }
    return m;
}

/* The names every page has. Front matter is not copied: it sits below this
 * map on the context stack, so computed names win and nothing is shared
 * across threads by reference counting. The is_KIND names are set only for
 * the page's own kind: a missing name is false. */
void base_context(site *s, page *p)
{
    value *ctx = value_map();
    /* An article's context ends with 19 names, others' with fewer: room
       made at once, not by doubling. */
    value_map_reserve(ctx, p->kind == PAGE_ARTICLE ? 20 : 16);
    value_map_set(ctx, "kind", value_str(kind_names[p->kind]));
    value_map_set(ctx, is_kind_names[p->kind], value_bool(true));
    value_map_set(ctx, "url", value_str(p->url));
    value_map_set(ctx, "permalink", value_str_take(absolute_url(s->cfg, p->rel_url)));
    value_map_set(ctx, "is_false", false_keys(p));
    const value *shared = section_shared(s, p);
    for (size_t i = 0; i < shared->u.map.len; i++)
        value_map_set(ctx, value_entry_key(&shared->u.map.items[i]), value_ref(shared->u.map.items[i].val));
    if (p->fm) {
        strbuf scratch = STRBUF_INIT;
        set_date(ctx, "date", "date_human", p->fm->date, &scratch);
        set_date(ctx, "updated", "updated_human", p->fm->updated, &scratch);
        set_date(ctx, "last_reviewed", "last_reviewed_human", p->fm->last_reviewed, &scratch);
        strbuf_free(&scratch);
        value_map_set(ctx, "tag_list", tag_list(s, p->fm->tags));
    }
    p->ctx = ctx;
}

static value *make_nav(const site *s, const char *current)
{
    value *list = value_list();
    for (size_t i = 0; i < s->nsections; i++) {
        const site_section *sec = &s->sections[i];
        if (!sec->index)
            continue;
        value *v = value_map();
        value_map_set(v, "name", value_str(sec->name));
        value_map_set(v, "title", value_str(page_title(sec->index)));
        value_map_set(v, "url", value_str(sec->index->url));
        value_map_set(v, "is_current", value_bool(current && !strcmp(current, sec->name)));
        value_list_push(list, v);
    }
    return list;
}

/* The names every page of a section shares (section, section_title,
 * section_url, section_is, and nav_sections: the section menu with this
 * section marked, since a template cannot compare names), made once per
 * section. */
static value *make_section_shared(const site *s, const char *name)
{
    value *m = value_map();
    value_map_set(m, "section", str_value(name));
    value_map_set(m, "section_title", value_str(section_title(s, name)));
    value *section_is = value_map();
    if (name) {
        value_map_set(section_is, name, value_bool(true));
        strbuf url = STRBUF_INIT;
        strbuf_printf(&url, "%s%s/", s->cfg->base_path, name);
        value_map_set(m, "section_url", value_str_take(strbuf_detach(&url)));
    }
    value_map_set(m, "section_is", section_is);
    value_map_set(m, "nav_sections", make_nav(s, name));
    return m;
}

/* Makes every section's shared names, once the sections are known. */
void make_sections_shared(site *s)
{
    s->section_shared = xcalloc(s->nsections + 1, sizeof(value *));
    for (size_t i = 0; i < s->nsections; i++)
        s->section_shared[i] = make_section_shared(s, s->sections[i].name);
    s->section_shared[s->nsections] = make_section_shared(s, NULL);
}

/* Returns the shared names of p's section (the site keeps them). */
static value *section_shared(const site *s, const page *p)
{
    const site_section *sec = find_section(s, p->section);
    return s->section_shared[sec ? (size_t)(sec - s->sections) : s->nsections];
}

/* ---- the site context --------------------------------------------------- */

static value *section_values(site *s)
{
    value *list = value_list();
    for (size_t i = 0; i < s->nsections; i++) {
        site_section *sec = &s->sections[i];
        if (!sec->index)
            continue;
        value *v = value_map();
        value_map_set(v, "name", value_str(sec->name));
        value_map_set(v, "title", value_str(page_title(sec->index)));
        value_map_set(v, "description", str_value(sec->index->fm->description));
        value_map_set(v, "url", value_str(sec->index->url));
        value_map_set(v, "count", value_num((double)sec->count));
        if (sec->index->fm->has_weight)
            value_map_set(v, "weight", value_num(sec->index->fm->weight));
        value_map_set(v, "pages", summaries(sec->articles, 0, sec->count));
        value_list_push(list, v);
    }
    return list;
}

static value *tag_values(site *s)
{
    value *list = value_list();
    for (size_t i = 0; i < s->ntags; i++) {
        value *v = value_map();
        value_map_set(v, "name", value_str(s->tags[i].name));
        value_map_set(v, "title", tag_title(s->tags[i].name));
        strbuf url = STRBUF_INIT;
        strbuf_printf(&url, "%stags/%s/", s->cfg->base_path, s->tags[i].slug);
        value_map_set(v, "url", value_str_take(strbuf_detach(&url)));
        value_map_set(v, "count", value_num((double)s->tags[i].count));
        value_list_push(list, v);
    }
    return list;
}

static void set_site_url(value *site_v, const config *cfg, const char *name, const char *rel)
{
    strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "%s%s", cfg->base_path, rel);
    value_map_set(site_v, name, value_str_take(strbuf_detach(&sb)));
}

/* The href for the contact route: a URL as it is, an email address as a
 * mailto: link; "" when there is none. */
static char *contact_href(const char *contact)
{
    strbuf href = STRBUF_INIT;
    if (*contact && strncmp(contact, "http://", 7) && strncmp(contact, "https://", 8))
        strbuf_puts(&href, "mailto:");
    strbuf_puts(&href, contact);
    return strbuf_detach(&href);
}

void build_site_context(site *s)
{
    const config *cfg = s->cfg;
    value *v = value_map();
    value_map_set(v, "title", value_str(cfg->title));
    value_map_set(v, "description", value_str(cfg->description));
    value_map_set(v, "language", value_str(cfg->language));
    value_map_set(v, "base_url", value_str(cfg->base_url));
    value_map_set(v, "base_path", value_str(cfg->base_path));
    value_map_set(v, "contact", value_str(cfg->contact));
    value_map_set(v, "contact_href", value_str_take(contact_href(cfg->contact)));
    value_map_set(v, "sections", section_values(s));
    value_map_set(v, "tags", tag_values(s));
    value_map_set(v, "has_tags", value_bool(s->ntags > 0));
    set_site_url(v, cfg, "tags_url", "tags/");
    set_site_url(v, cfg, "feed_url", "atom.xml");
    set_site_url(v, cfg, "sitemap_url", "sitemap.xml");
    set_site_url(v, cfg, "search_index_url", "search.json");
    value_map_set(v, "params", value_ref(cfg->params));
    value_map_set(v, "generator", value_str("lumbar " LUMBAR_VERSION));
    s->site_ctx = value_map();
    value_map_set(s->site_ctx, "site", v);
}
