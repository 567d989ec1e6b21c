/* site_internal: what the site_*.c files share while building the model.
 * For site.c, site_load.c, site_values.c, site_lists.c and site_checks.c
 * only; everyone else uses site.h.
 *
 * Every page, value and string these functions make ends up owned by the
 * site (or by the page given), unless a comment says it is returned to the
 * caller. */
#ifndef LUMBAR_SITE_INTERNAL_H
#define LUMBAR_SITE_INTERNAL_H

#include "site.h"
#include "strbuf.h"

/* A content file queued for reading; defined in site_load.c. */
typedef struct load_job load_job;

/* The state of one site_load: the options, the site being built and its
 * reports, and the queue of files to read. */
typedef struct loader {
    const site_options *opts;
    const config *cfg;
    site *s;
    diag_list *diags;
    char *site_real; /* canonical site folder, to keep symlinks inside it */
    size_t cap;
    load_job *jobs;
    size_t njobs, jobs_cap;
} loader;

/* One spelling of a tag and its shared {name, url} value (site->tag_entries). */
struct site_tag_entry {
    const char *name; /* as a page wrote it; owned by that page's front matter */
    value *entry;     /* {name, url} */
};

/* page_kind's names ("home", "section"...), for layouts and context. */
extern const char *const kind_names[];

/* ---- site_load.c: reading files, pages, scanning content/ ---- */

/* Appends p to the site's pages; the site takes ownership of p. */
void add_page(loader *ld, page *p);
/* Sets p's rel_url, url and out_path from rel_url (copied); p owns them. */
void set_urls(page *p, const config *cfg, const char *rel_url);
/* Frees the list's strings and array (not the list itself). */
void path_list_free(path_list *l);
/* Queues every Markdown file under content/; false when there is no content/. */
bool scan_content(loader *ld);
/* Reads the queued files, adds their pages to the site and their reports to diags. */
void run_jobs(loader *ld, diag_list *diags);

/* ---- site.c: ordering ---- */

/* p's title, or "" when it has none; borrowed from p. */
const char *page_title(const page *p);
/* qsort comparator on page *: weight first, then site_cmp_newest. */
int cmp_listed(const void *a, const void *b);
/* qsort comparator on page *: by url. */
int cmp_url(const void *a, const void *b);
/* Frees a page and all it owns; accepts NULL. */
void page_free(page *p);

/* ---- site_values.c: values for templates, the site context ---- */

/* Sets name (ISO) and human_name on ctx to d, when set; scratch is reused. */
void set_date(value *ctx, const char *name, const char *human_name, date d, strbuf *scratch);
/* base_url plus rel_url; the caller owns the returned string. */
char *absolute_url(const config *cfg, const char *rel_url);
/* qsort/bsearch comparator on struct site_tag_entry: by name. */
int cmp_tag_entry(const void *a, const void *b);
/* A tag's display name; the caller owns the returned value. */
value *tag_title(const char *name);
/* p's {title, url, ...} for lists; the caller owns the returned value. */
value *page_summary(const page *p);
/* p's {title, url} for its neighbours' links; the caller owns the returned value. */
value *link_value(const page *p);
/* Sets p->ctx to the names every page has; p owns it. */
void base_context(site *s, page *p);
/* Makes every section's shared names, once the sections are known; the site owns them. */
void make_sections_shared(site *s);
/* Sets s->site_ctx, the {site: {...}} at the bottom of every context stack. */
void build_site_context(site *s);

/* ---- site_lists.c: sections, tags, pagination ---- */

/* The section called name (NULL accepted: none), or NULL; owned by s. */
site_section *find_section(const site *s, const char *name);

/* Sorts the content pages newest first into s->newest. */
void sort_newest(site *s);
/* Groups articles into s->sections; reports a section without _index.md. */
void collect_sections(site *s, diag_list *diags);
/* Groups tagged pages into s->tags and fills s->tag_entries. */
void collect_tags(site *s);
/* A list of references to pages[from..to)'s summaries; the caller owns the list. */
value *summaries(page **pages, size_t from, size_t to);
/* Sets `pages` (and `paginator`) on a list page, adding pages for the rest. */
void paginate(loader *ld, page *first, page **items, size_t count);
/* A page lumbar generates (tag, tags, 404); the caller owns it until add_page. */
page *made_up_page(loader *ld, page_kind kind, const char *title, const char *rel_url);
/* For parallel_for over every article: sets its prev and next links. */
void article_extras(void *arg, size_t i);
/* When p is next due for review, into *due; false when it has no due date. */
bool review_due(const site *s, const page *p, date *due);
/* Sets next_review and next_review_human on p's context, when due. */
void set_next_review(const site *s, page *p);

/* ---- site_checks.c: checks across pages ---- */

/* Reports pages sharing a URL; false when any do. */
bool check_unique_urls(site *s, diag_list *diags);
/* Fills s->aliases and reports aliases that are taken; false when any are. */
bool collect_aliases(site *s, diag_list *diags);
/* Warns of overdue reviews, and of pages pending a required review. */
void warn_reviews(site *s, const site_options *opts, diag_list *diags);

#endif
