/* site: the site model, from content/ to a list of pages ready to render.
 *
 * site_load scans content/, reads and checks every file's front matter,
 * gives each page its URL and output path, and builds what list pages and
 * menus need: sections, tags, ordering, previous/next, pagination, and the
 * per-page template context (front matter plus computed names, see
 * docs/templates.md). Bodies are not rendered here: render.c does that,
 * page by page, so memory stays flat however large the site.
 *
 * The site owns every page, value and string reachable from it; site_free
 * releases them all. */
#ifndef LUMBAR_SITE_H
#define LUMBAR_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "date.h"
#include "diag.h"
#include "frontmatter.h"
#include "refs.h"
#include "value.h"

typedef enum { PAGE_HOME, PAGE_SECTION, PAGE_ARTICLE, PAGE_PAGE, PAGE_TAG, PAGE_TAGS, PAGE_404 } page_kind;

typedef struct page page;

struct page {
    page_kind kind;
    char *src_path;     /* "content/causes/x.md" (relative to the site folder); NULL for made-up pages */
    char *content_path; /* "causes/x.md"; NULL for made-up pages */
    char *section;      /* "causes"; NULL for home and standalone pages */
    char *rel_url;      /* "causes/x/" relative to the base path ("" for home) */
    char *url;          /* base path + rel_url */
    char *out_path;     /* "causes/x/index.html" */
    char *layout;       /* template name */
    fm_fields *fm;      /* NULL for made-up pages; shared by paginated copies */
    bool owns_fm;       /* false for made-up pages and for a list's page 2 and on, which repeat
                           page 1's body: its reports come from page 1 alone */
    value *ctx;         /* computed template names; front matter sits below it on the stack; owned */
    value *summary;     /* {title, url, ...} for lists; owned, shared by reference */
    value *link;        /* {title, url} for its neighbours' prev and next (articles); owned */
    date sort_date;     /* date, for ordering */
    /* Filled in by rendering (or from a rebuild cache), for the search
     * index and link checks. */
    value *ids;
    value *cites; /* citation keys of the body */
    value *links; /* {url, line?, col?} of every href and src; `lumbar check` only */
    char *search_entry; /* its search.json record: title, headings, excerpt...; or NULL */
    uint64_t search_key; /* termcache_key of what search_entry indexes */
    uint64_t fm_hash;   /* of the front matter's text, for build caches (when asked for) */
    uint64_t body_hash; /* of the body's text (when asked for) */
    bool clean;         /* unchanged since a cached build: its old output can be reused */
    diag_list warnings; /* what rendering it warned of, for the rebuild cache to repeat */
    bool rendered;
    bool skip; /* a made-up page whose optional layout the theme lacks */
};

typedef struct site_section {
    char *name;
    page *index; /* the section's _index.md page (first of its paginated copies) */
    page **articles;
    size_t count;
} site_section;

typedef struct site_tag {
    char *slug;
    char *name;
    page **pages;
    size_t count;
} site_tag;

typedef struct site_options {
    const char *site_dir;
    bool drafts;
    bool future;          /* build pages whose date is after today too */
    long long today_unix; /* "now" for overdue reviews: SOURCE_DATE_EPOCH or the clock */
    int jobs;             /* threads to read content files with */
    bool hashes;          /* fill fm_hash, body_hash and content_hash, for a rebuild cache */
} site_options;

/* Content paths ("causes/x.md"), sorted once loading ends. */
typedef struct path_list {
    char **items;
    size_t len, cap;
} path_list;

typedef struct site {
    const char *site_dir; /* as given in the options; not owned */
    int content_fd;       /* the content folder, open while the site is; -1 when missing */
    const config *cfg;
    const refs *refs;
    page **pages; /* every page to render, in a stable order */
    size_t npages;
    site_section *sections;
    size_t nsections;
    site_tag *tags;
    size_t ntags;
    struct site_tag_entry *tag_entries; /* by tag name as written: {name, url}, shared by pages' tag_list */
    size_t ntag_entries;
    page **newest;  /* content pages, newest first (site_cmp_newest) */
    size_t nnewest;
    page **by_path; /* content pages sorted by content_path, for link lookups */
    size_t nby_path;
    path_list unloaded; /* content files that failed to load (their errors are in diags) */
    path_list drafts;   /* drafts this build leaves out (no --drafts) */
    path_list scheduled; /* pages dated after today, left out (no --future) */
    path_list expired;   /* pages whose expires date has come, left out */
    value *site_ctx; /* the bottom of every context stack: {site: {...}} */
    value **section_shared; /* per section, the last for pages outside one: names its pages share */
    value *aliases;  /* list of {from (output path), target (url), file, line, col} */
    uint64_t content_hash; /* of every content page's path and front matter (when asked for) */
} site;

/* Scans the content folder of opts->site_dir and builds the model. cfg and
 * refs must outlive the site. Files that fail to load are left out after
 * their errors go to diags, so the rest can still be checked; the caller
 * decides from diags whether to write. Returns NULL only when the site
 * folder cannot be opened. */
site *site_load(const site_options *opts, const config *cfg, const refs *bib, diag_list *diags);
/* Orders pages newest first, then by title, then URL (feeds, home, tag
 * pages): a qsort comparator for arrays of page *. */
int site_cmp_newest(const void *a, const void *b);
/* True when the sorted list holds content_path. */
bool path_list_has(const path_list *l, const char *content_path);
/* Returns the page built from content_path, or NULL. */
page *site_page_by_path(const site *s, const char *content_path);
/* Frees the site. Accepts NULL. */
void site_free(site *s);

#endif
