/* site_load: reading content files into pages, and scanning content/ for them. */
#include "site_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "hash.h"
#include "parallel.h"
#include "strbuf.h"
#include "xalloc.h"

/* Why a file that loaded without errors is not a page of this build. */
typedef enum { LEFT_IN, LEFT_DRAFT, LEFT_SCHEDULED, LEFT_EXPIRED } left_out;

/* One content file to read; its reports are kept apart and added in scan
 * order, so a build reports the same whatever -j is. */
typedef struct load_job {
    char *content_path, *section, *stem;
    page *page;
    left_out why; /* when page is NULL without errors */
    diag_list diags;
} load_job;

/* ---- reading files ------------------------------------------------------ */

/* ---- pages -------------------------------------------------------------- */

void add_page(loader *ld, page *p)
{
    site *s = ld->s;
    XGROW(s->pages, ld->cap, s->npages + 1, 64);
    s->pages[s->npages++] = p;
}

void set_urls(page *p, const config *cfg, const char *rel_url)
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

void path_list_free(path_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i]);
    free(l->items);
}

/* Loads every file the scan found, on up to opts->jobs threads, then adds
 * the pages and reports in scan order. */
void run_jobs(loader *ld, diag_list *diags)
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

bool scan_content(loader *ld)
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
