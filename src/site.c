#include "site.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fs.h"
#include "hash.h"
#include "parallel.h"
#include "strbuf.h"
#include "strtab.h"
#include "xalloc.h"

#define HOME_RECENT 10

/* One content file to read; its reports are kept apart and added in scan
 * order, so a build reports the same whatever -j is. */
/* Why a file that loaded without errors is not a page of this build. */
typedef enum { LEFT_IN, LEFT_DRAFT, LEFT_SCHEDULED, LEFT_EXPIRED } left_out;

typedef struct load_job {
    char *content_path, *section, *stem;
    page *page;
    left_out why; /* when page is NULL without errors */
    diag_list diags;
} load_job;

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

static const char *const kind_names[] = {"home", "section", "article", "page", "tag", "tags", "404"};
static const char *const is_kind_names[] = {"is_home", "is_section", "is_article", "is_page",
                                            "is_tag",  "is_tags",    "is_404"};

/* ---- reading files ------------------------------------------------------ */

/* ---- pages -------------------------------------------------------------- */

static void add_page(loader *ld, page *p)
{
    site *s = ld->s;
    XGROW(s->pages, ld->cap, s->npages + 1, 64);
    s->pages[s->npages++] = p;
}

static void set_urls(page *p, const config *cfg, const char *rel_url)
{
    p->rel_url = xstrdup(rel_url);
    strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "%s%s", cfg->base_path, rel_url);
    p->url = strbuf_detach(&sb);
    strbuf_printf(&sb, "%sindex.html", rel_url);
    p->out_path = strbuf_detach(&sb);
}

/* The slug of a content file: front matter's slug, else the file name. */
static bool page_slug(page *p, const char *stem, strbuf *slug, diag_list *diags)
{
    if (p->fm->slug) {
        strbuf_puts(slug, p->fm->slug);
        return true;
    }
    if (!fm_slug_ok(stem)) {
        diag_add(diags, DIAG_ERROR, p->src_path, 1, 1,
                 "unsafe file name '%s': use only a-z, 0-9 and '-', or set 'slug' in the front matter", stem);
        return false;
    }
    strbuf_puts(slug, stem);
    return true;
}

static bool check_index_fields(page *p, diag_list *diags)
{
    value *slug = value_map_get(p->fm->all, "slug");
    if (slug) {
        diag_add(diags, DIAG_ERROR, p->src_path, slug->line, slug->col,
                 "'slug' is not allowed in _index.md: rename the folder instead");
        return false;
    }
    return true;
}

static bool place_page(const loader *ld, page *p, const char *section, const char *stem, diag_list *diags)
{
    strbuf rel = STRBUF_INIT;
    bool ok = true;
    if (p->kind == PAGE_HOME) {
        ok = check_index_fields(p, diags);
    } else if (p->kind == PAGE_SECTION) {
        ok = check_index_fields(p, diags);
        strbuf_printf(&rel, "%s/", section);
    } else {
        if (section)
            strbuf_printf(&rel, "%s/", section);
        ok = page_slug(p, stem, &rel, diags);
        strbuf_putc(&rel, '/');
    }
    set_urls(p, ld->cfg, strbuf_cstr(&rel));
    strbuf_free(&rel);
    return ok;
}

/* The review state of a page that will be built (its errors keep the page:
 * they fail the build, while its links still resolve), and no text left
 * from `lumbar new` in a published one. */
static void check_review(const loader *ld, const page *p, const fm_parts *parts, diag_list *diags)
{
    fm_review_rules rules = {.require_names = ld->cfg->require_names, .today = date_from_unix(ld->opts->today_unix)};
    fm_check_review(p->fm, &rules, p->src_path, diags);
    if (!p->fm->draft)
        fm_check_placeholder(parts, p->src_path, diags);
}

/* Whether a loaded page is left out of this build, and why: a draft, a
 * page dated after today (unless --future) or one whose expires date has
 * come. Today follows SOURCE_DATE_EPOCH, so builds stay reproducible. */
static left_out leaves_out(const loader *ld, const fm_fields *fm)
{
    date today = date_from_unix(ld->opts->today_unix);
    if (fm->draft && !ld->opts->drafts)
        return LEFT_DRAFT;
    if (!ld->opts->future && date_is_set(fm->date) && date_cmp(fm->date, today) > 0)
        return LEFT_SCHEDULED;
    if (date_is_set(fm->expires) && date_cmp(fm->expires, today) <= 0)
        return LEFT_EXPIRED;
    return LEFT_IN;
}

static void page_free(page *p);

/* Reads one content file into a page; NULL when it is broken or left out
 * (*why says why). Touches nothing shared: several threads load at once. */
static page *load_page(const loader *ld, const char *content_path, const char *section, const char *stem,
                       left_out *why, diag_list *diags)
{
    page *p = xcalloc(1, sizeof *p);
    p->content_path = xstrdup(content_path);
    p->src_path = fs_join("content", content_path);
    p->section = section ? xstrdup(section) : NULL;
    bool is_index = !strcmp(stem, "_index");
    p->kind = is_index ? (section ? PAGE_SECTION : PAGE_HOME) : (section ? PAGE_ARTICLE : PAGE_PAGE);
    strbuf text = STRBUF_INIT;
    bool ok = fs_read_file_at(ld->s->content_fd, p->content_path, true, &text);
    if (!ok)
        diag_add(diags, DIAG_ERROR, p->src_path, 0, 0, "cannot read: %s", fs_strerror(errno));
    fm_parts parts;
    if (ok) {
        text.len = fm_normalise(text.data, text.len);
        ok = fm_split(text.data, text.len, p->src_path, &parts, diags);
    }
    if (ok && ld->opts->hashes) { /* every byte of the content: only when a cache asks */
        p->fm_hash = hash_bytes(HASH_SEED, parts.yaml, parts.yaml_len);
        p->body_hash = hash_bytes(HASH_SEED, parts.body, parts.body_len);
    }
    static const fm_kind fm_kinds[] = {FM_HOME, FM_SECTION, FM_ARTICLE, FM_PAGE};
    if (ok) {
        p->fm = fm_read(&parts, fm_kinds[p->kind], p->src_path, ld->opts->drafts, diags);
        p->owns_fm = true;
        ok = p->fm != NULL;
    }
    if (ok && (!p->fm->draft || ld->opts->drafts)) {
        check_review(ld, p, &parts, diags);
        fm_check_keys(p->fm, &parts, ld->cfg->fm_keys, ld->cfg->nfm_keys, p->src_path, diags);
    }
    strbuf_free(&text);
    *why = ok ? leaves_out(ld, p->fm) : LEFT_IN;
    if (*why != LEFT_IN)
        ok = false;
    ok = ok && place_page(ld, p, section, stem, diags);
    if (ok)
        p->sort_date = p->fm->date;
    if (!ok) {
        page_free(p);
        return NULL;
    }
    return p;
}

/* ---- scanning content/ -------------------------------------------------- */

/* Stats rel (under the site folder) and refuses symlinks that leave it. */
static bool stat_inside(loader *ld, const char *rel, struct stat *st)
{
    char *full = fs_join(ld->opts->site_dir, rel);
    bool ok = lstat(full, st) == 0;
    if (ok && S_ISLNK(st->st_mode)) {
        char *real = realpath(full, NULL);
        if (!real && errno == ELOOP) {
            diag_add(ld->diags, DIAG_ERROR, rel, 0, 0, "symbolic link loop: it leads back to itself; replace it with "
                     "the file itself");
            ok = false;
        } else if (!real && errno == ENOENT) {
            diag_add(ld->diags, DIAG_ERROR, rel, 0, 0, "symbolic link to nothing: what it points at does not exist");
            ok = false;
        } else if (!real || !fs_path_within(real, ld->site_real)) {
            diag_add(ld->diags, DIAG_ERROR, rel, 0, 0, "symbolic link points outside the site folder: refused");
            ok = false;
        } else {
            ok = stat(full, st) == 0;
        }
        free(real);
    }
    free(full);
    return ok;
}

/* A named pipe, socket or device in content/: reading it could block or
 * never end, so it is named and refused. */
static void refuse_special(loader *ld, const char *rel)
{
    diag_add(ld->diags, DIAG_ERROR, rel, 0, 0, "%s", fs_strerror(FS_ENOTREG));
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* True when the scan leaves name (rel: its path from the site folder) out.
 * A hidden name is an editor's swap file or a folder such as .git, but a
 * hidden Markdown file is more likely a page someone expects to see. A
 * name starting with '-' would be taken for an option by commands such as
 * rm run over content/ (-rf.md), so it is refused. */
static bool name_left_out(loader *ld, const char *rel, const char *name)
{
    if (name[0] == '.') {
        if (has_suffix(name, ".md") && name[1] != '#') /* .#x.md: Emacs's lock while x.md is edited */
            diag_add(ld->diags, DIAG_WARNING, rel, 0, 0,
                     "skipped: a name starting with '.' is hidden; rename the file to build it");
        return true;
    }
    if (name[0] == '-') {
        diag_add(ld->diags, DIAG_ERROR, rel, 0, 0,
                 "unsafe name '%s': commands such as rm take a name starting with '-' for an option; rename it",
                 name);
        return true;
    }
    return false;
}

static load_job *add_job(loader *ld)
{
    XGROW(ld->jobs, ld->jobs_cap, ld->njobs + 1, 64);
    load_job *job = &ld->jobs[ld->njobs++];
    *job = (load_job){0};
    return job;
}

static void load_one(void *arg, size_t i)
{
    loader *ld = arg;
    load_job *job = &ld->jobs[i];
    job->page = load_page(ld, job->content_path, job->section, job->stem, &job->why, &job->diags);
}

static void path_list_add(path_list *l, const char *content_path)
{
    XGROW(l->items, l->cap, l->len + 1, 16);
    l->items[l->len++] = xstrdup(content_path);
}

bool path_list_has(const path_list *l, const char *content_path)
{
    return xbsearch(&content_path, l->items, l->len, sizeof *l->items, cmp_cstr) != NULL;
}

static void path_list_free(path_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i]);
    free(l->items);
}

/* Loads every file the scan found, on up to opts->jobs threads, then adds
 * the pages and reports in scan order. */
static void run_jobs(loader *ld, diag_list *diags)
{
    parallel_for(ld->njobs, ld->opts->jobs, load_one, ld);
    for (size_t i = 0; i < ld->njobs; i++) {
        load_job *job = &ld->jobs[i];
        if (job->page)
            add_page(ld, job->page);
        else if (diag_count(&job->diags, DIAG_ERROR)) /* it failed, and said why */
            path_list_add(&ld->s->unloaded, job->content_path);
        else
            path_list_add(job->why == LEFT_SCHEDULED ? &ld->s->scheduled
                          : job->why == LEFT_EXPIRED ? &ld->s->expired
                                                     : &ld->s->drafts,
                          job->content_path);
        diag_move(diags, &job->diags);
        free(job->content_path);
        free(job->section);
        free(job->stem);
    }
    free(ld->jobs);
    ld->jobs = NULL;
    ld->njobs = 0;
    xqsort(ld->s->unloaded.items, ld->s->unloaded.len, sizeof(char *), cmp_cstr);
    xqsort(ld->s->drafts.items, ld->s->drafts.len, sizeof(char *), cmp_cstr);
    xqsort(ld->s->scheduled.items, ld->s->scheduled.len, sizeof(char *), cmp_cstr);
    xqsort(ld->s->expired.items, ld->s->expired.len, sizeof(char *), cmp_cstr);
}

static void scan_file(loader *ld, const char *section, const char *name)
{
    strbuf cp = STRBUF_INIT;
    if (section) {
        strbuf_puts(&cp, section);
        strbuf_putc(&cp, '/');
    }
    strbuf_puts(&cp, name);
    if (!has_suffix(name, ".md")) {
        if (section || strcmp(name, "references.yaml") != 0)
            diag_add(ld->diags, DIAG_WARNING, "content", 0, 0,
                     "ignoring '%s': content/ holds Markdown files (put images and files in assets/)", cp.data);
        strbuf_free(&cp);
        return;
    }
    load_job *job = add_job(ld);
    job->content_path = strbuf_detach(&cp);
    job->section = section ? xstrdup(section) : NULL;
    job->stem = xstrndup(name, strlen(name) - 3);
}

static void scan_section(loader *ld, const char *section)
{
    if (!fm_slug_ok(section)) {
        diag_add(ld->diags, DIAG_ERROR, "content", 0, 0,
                 "unsafe section folder name '%s': use only a-z, 0-9 and '-'", section);
        return;
    }
    char *rel = fs_join("content", section);
    char *dir = fs_join(ld->opts->site_dir, rel);
    size_t n;
    fs_kind *kinds;
    char **names = fs_list_dir_all(dir, &n, &kinds);
    for (size_t i = 0; i < n; i++) {
        bool plain = names[i][0] != '.' && names[i][0] != '-';
        if (plain && kinds[i] == FS_FILE) { /* the common case needs no stat */
            scan_file(ld, section, names[i]);
            continue;
        }
        char *child = fs_join(rel, names[i]);
        if (!plain && name_left_out(ld, child, names[i])) {
            free(child);
            continue;
        }
        struct stat st;
        if (stat_inside(ld, child, &st)) {
            if (S_ISDIR(st.st_mode))
                diag_add(ld->diags, DIAG_ERROR, child, 0, 0,
                         "folders nest one level only: content/SECTION/SLUG.md (move what is in this folder)");
            else if (S_ISREG(st.st_mode))
                scan_file(ld, section, names[i]);
            else
                refuse_special(ld, child);
        }
        free(child);
    }
    free(kinds);
    fs_names_free(names, n);
    free(dir);
    free(rel);
}

static bool scan_content(loader *ld)
{
    char *dir = fs_join(ld->opts->site_dir, "content");
    size_t n;
    char **names = fs_list_dir_all(dir, &n, NULL);
    if (!names && n == 0) {
        struct stat st;
        if (stat(dir, &st) != 0) {
            diag_add(ld->diags, DIAG_ERROR, "content", 0, 0, "no content folder: the site needs content/_index.md");
            free(dir);
            return false;
        }
    }
    for (size_t i = 0; i < n; i++) {
        char *child = fs_join("content", names[i]);
        struct stat st;
        if (!name_left_out(ld, child, names[i]) && stat_inside(ld, child, &st)) {
            if (S_ISDIR(st.st_mode))
                scan_section(ld, names[i]);
            else if (S_ISREG(st.st_mode))
                scan_file(ld, NULL, names[i]);
            else if (strcmp(names[i], "references.yaml") != 0) /* build.c refuses that one */
                refuse_special(ld, child);
        }
        free(child);
    }
    fs_names_free(names, n);
    free(dir);
    return true;
}

/* ---- ordering ----------------------------------------------------------- */

static const char *page_title(const page *p) { return p->fm && p->fm->title ? p->fm->title : ""; }

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
static int cmp_listed(const void *a, const void *b)
{
    int c = cmp_weight((*(page *const *)a)->fm, (*(page *const *)b)->fm);
    return c ? c : site_cmp_newest(a, b);
}

static int cmp_url(const void *a, const void *b)
{
    return strcmp((*(page *const *)a)->url, (*(page *const *)b)->url);
}

static int cmp_content_path(const void *a, const void *b)
{
    return strcmp((*(page *const *)a)->content_path, (*(page *const *)b)->content_path);
}

/* ---- values for templates ----------------------------------------------- */

static value *str_value(const char *s) { return value_str(s ? s : ""); }

/* Sets name (ISO) and human_name ("12 March 2024") to d, when set;
 * scratch is reused between calls, to spare an allocation per date. */
static void set_date(value *ctx, const char *name, const char *human_name, date d, strbuf *scratch)
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

static char *absolute_url(const config *cfg, const char *rel_url)
{
    strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, cfg->base_url);
    strbuf_puts(&sb, rel_url);
    return strbuf_detach(&sb);
}

struct site_tag_entry {
    const char *name; /* as a page wrote it; owned by that page's front matter */
    value *entry;     /* {name, url} */
};

static int cmp_tag_entry(const void *a, const void *b)
{
    return strcmp(((const struct site_tag_entry *)a)->name, ((const struct site_tag_entry *)b)->name);
}

/* A tag's display name: a name written with a capital letter is shown as
 * written; an all-lower-case one is a slug-like spelling ("pain-science"),
 * shown with its hyphens and underscores as spaces and a capital first
 * letter ("Pain science"). Returns a new value. */
static value *tag_title(const char *name)
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
    for (size_t i = 0; name && i < s->nsections; i++)
        if (!strcmp(s->sections[i].name, name))
            return s->sections[i].index ? page_title(s->sections[i].index) : name;
    return "";
}

static value *page_summary(const page *p)
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
static value *link_value(const page *p)
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
static void base_context(site *s, page *p)
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
static void make_sections_shared(site *s)
{
    s->section_shared = xcalloc(s->nsections + 1, sizeof(value *));
    for (size_t i = 0; i < s->nsections; i++)
        s->section_shared[i] = make_section_shared(s, s->sections[i].name);
    s->section_shared[s->nsections] = make_section_shared(s, NULL);
}

/* Returns the shared names of p's section (the site keeps them). */
static value *section_shared(const site *s, const page *p)
{
    size_t at = s->nsections;
    for (size_t i = 0; p->section && i < s->nsections; i++)
        if (!strcmp(s->sections[i].name, p->section))
            at = i;
    return s->section_shared[at];
}

/* ---- sections, tags, pagination ----------------------------------------- */

static site_section *find_section(site *s, const char *name)
{
    for (size_t i = 0; i < s->nsections; i++)
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

static void collect_sections(site *s, diag_list *diags)
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
static void sort_newest(site *s)
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
static void collect_tags(site *s)
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

static value *summaries(page **pages, size_t from, size_t to)
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
static void paginate(loader *ld, page *first, page **items, size_t count)
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

static page *made_up_page(loader *ld, page_kind kind, const char *title, const char *rel_url)
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
static void article_extras(void *arg, size_t i)
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
static bool review_due(const site *s, const page *p, date *due)
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

static void set_next_review(const site *s, page *p)
{
    date due;
    if (review_due(s, p, &due)) {
        strbuf scratch = STRBUF_INIT;
        set_date(p->ctx, "next_review", "next_review_human", due, &scratch);
        strbuf_free(&scratch);
    }
}

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

static void build_site_context(site *s)
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

/* ---- checks across pages ------------------------------------------------ */

/* Reports a clash at the content file that made it; when the other page is
 * one lumbar generates (a tag page, the tags index, 404), names it by kind. */
static void report_duplicate(diag_list *diags, const page *dup, const page *first, const char *what)
{
    const value *slug = dup->fm ? value_map_get(dup->fm->all, "slug") : NULL;
    strbuf other = STRBUF_INIT;
    if (first->src_path)
        strbuf_puts(&other, first->src_path);
    else
        strbuf_printf(&other, "the generated %s page", kind_names[first->kind]);
    diag_add(diags, DIAG_ERROR, dup->src_path ? dup->src_path : "content", slug ? slug->line : 1, slug ? slug->col : 1,
             "%s %s is also the URL of %s", what, dup->url, other.data);
    strbuf_free(&other);
}

static bool check_unique_urls(site *s, diag_list *diags)
{
    page **sorted = xmalloc((s->npages ? s->npages : 1) * sizeof *sorted);
    memcpy(sorted, s->pages, s->npages * sizeof *sorted);
    xqsort(sorted, s->npages, sizeof *sorted, cmp_url);
    bool ok = true;
    for (size_t i = 1; i < s->npages; i++) {
        if (strcmp(sorted[i]->url, sorted[i - 1]->url) != 0)
            continue;
        const page *a = sorted[i - 1], *b = sorted[i];
        /* Blame the later content file, or the content file when the
           other page is generated. */
        bool blame_a = a->src_path && (!b->src_path || strcmp(a->src_path, b->src_path) > 0);
        report_duplicate(diags, blame_a ? a : b, blame_a ? b : a, "URL");
        ok = false;
    }
    free(sorted);
    return ok;
}

static int cmp_alias_from(const void *a, const void *b)
{
    const value *x = *(value *const *)a, *y = *(value *const *)b;
    return strcmp(value_cstr(value_map_get(x, "from")), value_cstr(value_map_get(y, "from")));
}

/* Every page's output path, sorted, so each alias is checked in log n. */
static char **sorted_out_paths(const site *s)
{
    char **paths = xmalloc((s->npages ? s->npages : 1) * sizeof *paths);
    for (size_t i = 0; i < s->npages; i++)
        paths[i] = s->pages[i]->out_path;
    xqsort(paths, s->npages, sizeof *paths, cmp_cstr);
    return paths;
}

/* Aliases become small redirect pages; each must be free. */
static bool collect_aliases(site *s, diag_list *diags)
{
    s->aliases = value_list();
    for (size_t i = 0; i < s->npages; i++) {
        page *p = s->pages[i];
        for (size_t a = 0; p->owns_fm && p->fm->aliases && a < p->fm->aliases->u.list.len; a++) {
            const value *alias = p->fm->aliases->u.list.items[a];
            strbuf out = STRBUF_INIT;
            const char *path = alias->u.str.ptr + 1;
            strbuf_puts(&out, path);
            if (out.len && out.data[out.len - 1] != '/')
                strbuf_putc(&out, '/');
            strbuf_puts(&out, "index.html");
            value *v = value_at(value_map(), alias->line, alias->col);
            value_map_set(v, "from", value_str_take(strbuf_detach(&out)));
            value_map_set(v, "target", value_str(p->url));
            value_map_set(v, "permalink", value_str_take(absolute_url(s->cfg, p->rel_url)));
            value_map_set(v, "file", value_str(p->src_path));
            value_list_push(s->aliases, v);
        }
    }
    value **items = s->aliases->u.list.items;
    size_t n = s->aliases->u.list.len;
    xqsort(items, n, sizeof *items, cmp_alias_from);
    bool ok = true;
    char **taken = sorted_out_paths(s);
    for (size_t i = 0; i < n; i++) {
        const char *from = value_cstr(value_map_get(items[i], "from"));
        bool dup = i > 0 && !strcmp(from, value_cstr(value_map_get(items[i - 1], "from")));
        if (dup || xbsearch(&from, taken, s->npages, sizeof *taken, cmp_cstr)) {
            diag_add(diags, DIAG_ERROR, value_cstr(value_map_get(items[i], "file")), items[i]->line, items[i]->col,
                     "alias /%.*s is already %s", (int)(strlen(from) - strlen("index.html")), from,
                     dup ? "another page's alias" : "the URL of a page");
            ok = false;
        }
    }
    free(taken);
    return ok;
}

/* True when p gives health advice, so a clinician should review it: an
 * article, a section or home page, or a standalone page with a decision
 * tree (not an about or search page). */
static bool needs_review(const page *p)
{
    return p->kind == PAGE_ARTICLE || p->kind == PAGE_SECTION || p->kind == PAGE_HOME ||
           (p->kind == PAGE_PAGE && p->fm->tree);
}

/* Warns of overdue reviews and, when config.ini says reviews are required,
 * of published pages still pending review: --strict makes both errors. */
static void warn_reviews(site *s, const site_options *opts, diag_list *diags)
{
    date today = date_from_unix(opts->today_unix);
    for (size_t i = 0; i < s->npages; i++) {
        page *p = s->pages[i];
        if (!p->owns_fm)
            continue;
        if (s->cfg->review_required && !fm_is_reviewed(p->fm) && !p->fm->draft && needs_review(p)) {
            diag_add(diags, DIAG_WARNING, p->src_path, 1, 1,
                     "page is pending clinical review, and config.ini's [review] required is true");
            continue;
        }
        date due;
        if (!review_due(s, p, &due) || date_cmp(due, today) >= 0)
            continue;
        /* At the date the due date comes from. */
        const value *from = value_map_get(p->fm->all, date_is_set(p->fm->next_review) ? "next_review" : "last_reviewed");
        strbuf shown = STRBUF_INIT;
        date_format_iso(due, &shown);
        diag_add(diags, DIAG_WARNING, p->src_path, from->line, from->col, "review overdue: next review was due on %s",
                 shown.data);
        strbuf_free(&shown);
    }
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
static void page_free(page *p)
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
