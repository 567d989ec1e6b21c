#include "build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "feeds.h"
#include "fs.h"
#include "hash.h"
#include "images.h"
#include "links.h"
#include "output.h"
#include "pagecache.h"
#include "parallel.h"
#include "refs.h"
#include "render.h"
#include "site.h"
#include "template.h"
#include "termcache.h"
#include "xalloc.h"

static config *load_config(const build_options *opts, uint64_t *hash, diag_list *diags)
{
    char *path = fs_join(opts->site_dir, "config.ini");
    strbuf text = STRBUF_INIT;
    config *cfg = NULL;
    if (!fs_read_file(path, true, &text)) {
        if (errno == ENOENT)
            diag_add(diags, DIAG_ERROR, "config.ini", 0, 0,
                     "cannot read config.ini in '%s': is this a lumbar site folder?", opts->site_dir);
        else
            diag_add(diags, DIAG_ERROR, "config.ini", 0, 0, "cannot read: %s", fs_strerror(errno));
    } else
        cfg = config_parse_lenient(strbuf_cstr(&text), text.len, "config.ini", diags);
    *hash = hash_bytes(*hash, strbuf_cstr(&text), text.len);
    *hash = hash_str(*hash, opts->base_url);
    *hash = hash_bytes(*hash, &opts->drafts, sizeof opts->drafts);
    *hash = hash_bytes(*hash, &opts->future, sizeof opts->future);
    /* A config with errors still serves to check the content, so that one
       run reports everything; the build writes nothing after an error. */
    if (cfg && opts->base_url)
        config_set_base_url(cfg, opts->base_url, "--base-url", 0, diags);
    strbuf_free(&text);
    free(path);
    return cfg;
}


/* Adds every .html file under layouts/ to the set, named by its path
 * without the extension ("partials/head"). */
static void load_layout_dir(tpl_set *tpl, const char *site_dir, const char *rel, uint64_t *hash, diag_list *diags)
{
    char *dir = fs_join(site_dir, rel);
    size_t n;
    char **names = fs_list_dir(dir, &n, NULL);
    for (size_t i = 0; i < n; i++) {
        char *child_rel = fs_join(rel, names[i]);
        char *child = fs_join(site_dir, child_rel);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            load_layout_dir(tpl, site_dir, child_rel, hash, diags);
        } else if (lstat(child, &st) == 0 && S_ISLNK(st.st_mode)) {
            diag_add(diags, DIAG_ERROR, child_rel, 0, 0, "symbolic links are not read: replace it with the file itself");
        } else if (strlen(names[i]) > 5 && !strcmp(names[i] + strlen(names[i]) - 5, ".html")) {
            strbuf text = STRBUF_INIT;
            if (fs_read_file(child, true, &text)) {
                /* "layouts/partials/head.html" -> "partials/head" */
                char *name = xstrndup(child_rel + strlen("layouts/"), strlen(child_rel) - strlen("layouts/") - 5);
                tpl_set_add(tpl, name, child_rel, strbuf_cstr(&text), text.len, diags);
                *hash = hash_str(*hash, child_rel);
                *hash = hash_bytes(*hash, strbuf_cstr(&text), text.len);
                free(name);
            } else {
                diag_add(diags, DIAG_ERROR, child_rel, 0, 0, "cannot read this layout: %s", fs_strerror(errno));
            }
            strbuf_free(&text);
        }
        free(child);
        free(child_rel);
    }
    fs_names_free(names, n);
    free(dir);
}

/* True when path, a symbolic link, resolves to somewhere inside site_dir;
 * when it resolves to nothing, *err gets realpath's errno (ELOOP: a loop). */
static bool link_inside(const char *site_dir, const char *path, int *err)
{
    char *site_real = realpath(site_dir, NULL), *target = realpath(path, NULL);
    *err = target ? 0 : errno;
    bool inside = site_real && target && fs_path_within(target, site_real);
    free(site_real);
    free(target);
    return inside;
}

static refs *load_refs(const build_options *opts, uint64_t *hash, diag_list *diags)
{
    char *path = fs_join(opts->site_dir, "content/references.yaml");
    strbuf text = STRBUF_INIT;
    refs *r;
    struct stat st;
    int link_err = 0;
    if (lstat(path, &st) != 0)
        r = refs_new();
    else if (S_ISLNK(st.st_mode) && !link_inside(opts->site_dir, path, &link_err)) {
        /* The same refusals site.c makes when it scans content/. */
        if (link_err == ELOOP)
            diag_add(diags, DIAG_ERROR, "content/references.yaml", 0, 0,
                     "symbolic link loop: it leads back to itself; replace it with the file itself");
        else if (link_err == ENOENT)
            diag_add(diags, DIAG_ERROR, "content/references.yaml", 0, 0,
                     "symbolic link to nothing: what it points at does not exist");
        else
            diag_add(diags, DIAG_ERROR, "content/references.yaml", 0, 0,
                     "symbolic link points outside the site folder: refused");
        r = NULL;
    } else if (!fs_read_file(path, true, &text)) {
        diag_add(diags, DIAG_ERROR, "content/references.yaml", 0, 0, "cannot read the bibliography: %s",
                 fs_strerror(errno));
        r = NULL;
    } else
        r = refs_load(strbuf_cstr(&text), text.len, "content/references.yaml", diags);
    *hash = hash_bytes(*hash, strbuf_cstr(&text), text.len);
    strbuf_free(&text);
    free(path);
    return r;
}

static void push_keys(const value *list, const char ***keys, size_t *n, size_t *cap)
{
    for (size_t k = 0; list && k < list->u.list.len; k++) {
        XGROW(*keys, *cap, *n + 1, 64);
        (*keys)[(*n)++] = list->u.list.items[k]->u.str.ptr;
    }
}

/* A reference nobody cites is probably a citation someone forgot. */
static void warn_uncited(const site *s, const refs *r, diag_list *diags)
{
    /* Every key any page cites or lists, sorted once: linear in the site. */
    const char **keys = NULL;
    size_t n = 0, cap = 0;
    for (size_t p = 0; p < s->npages; p++) {
        const page *pg = s->pages[p];
        push_keys(pg->cites, &keys, &n, &cap);
        if (pg->owns_fm)
            push_keys(pg->fm->references, &keys, &n, &cap);
    }
    xqsort(keys, n, sizeof *keys, cmp_cstr);
    for (size_t i = 0; i < refs_count(r); i++) {
        const value *entry = refs_at(r, i);
        const char *key = value_cstr(value_map_get(entry, "key"));
        if (!xbsearch(&key, keys, n, sizeof *keys, cmp_cstr))
            diag_add(diags, DIAG_WARNING, "content/references.yaml", entry->line, 1,
                     "reference '%s' is not cited by any page", key);
    }
    free(keys);
}

/* Front-matter references: keys must exist. */
static void check_listed_references(const site *s, const refs *r, diag_list *diags)
{
    for (size_t p = 0; p < s->npages; p++) {
        const page *pg = s->pages[p];
        for (size_t k = 0; pg->owns_fm && pg->fm->references && k < pg->fm->references->u.list.len; k++) {
            const value *key = pg->fm->references->u.list.items[k];
            if (!refs_get(r, key->u.str.ptr))
                diag_add(diags, DIAG_ERROR, pg->src_path, key->line, key->col,
                         "unknown reference '%s' (not in content/references.yaml)", key->u.str.ptr);
        }
    }
}

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static char *output_dir(const build_options *opts, const config *cfg)
{
    if (opts->out_dir)
        return xstrdup(opts->out_dir);
    if (cfg->output[0] == '/')
        return xstrdup(cfg->output);
    return fs_join(opts->site_dir, cfg->output);
}

typedef struct build_state {
    const build_options *opts;
    config *cfg;
    tpl_set *tpl;
    refs *bib;
    site *s;
    output *out;
    value *image_files; /* for the rebuild cache: the image copies in the output */
    termcache *terms;   /* the search terms of the previous build, read by terms_task */
    parallel_task *terms_task;
    bool disk_cache;          /* the rebuild cache is .lumbar-cache/pages, read by pages_task */
    size_t marked_clean;      /* pages the rebuild cache marked clean */
    size_t indexed;           /* pages whose search record was made anew (render_stats) */
    build_cache *pages_read;  /* what pages_task read (NULL: nothing usable) */
    parallel_task *pages_task;
} build_state;

static void read_terms(void *arg)
{
    build_state *b = arg;
    b->terms = termcache_load(b->opts->site_dir);
}

/* The search-term cache, once the threads that may read it are done. */
static termcache *terms_read(build_state *b)
{
    parallel_join(b->pages_task); /* it reads terms when it finds no page cache */
    b->pages_task = NULL;
    parallel_join(b->terms_task);
    b->terms_task = NULL;
    return b->terms;
}

/* Reads the page cache, and the search-term cache only when there is no
 * page cache to use: with one, few pages (often none) are indexed anew. */
static void read_pages(void *arg)
{
    build_state *b = arg;
    b->pages_read = pagecache_load(b->opts->site_dir);
    if (!b->pages_read)
        b->terms = termcache_load(b->opts->site_dir);
}

/* Pages to index anew above which reading the search-term cache (8 MB at
 * 10,000 pages, some 50 ms) costs less than counting their words. */
#define TERMS_WORTH_READING 256

/* After the page cache has marked the clean pages: the search-term cache
 * too, when the page cache did not spare reading it and enough pages are
 * left to index. */
static void read_terms_for_dirty(build_state *b)
{
    size_t dirty = 0;
    for (size_t i = 0; i < b->s->nby_path; i++)
        dirty += !b->s->by_path[i]->clean;
    if (b->disk_cache && !b->terms && dirty > TERMS_WORTH_READING)
        b->terms_task = parallel_start(b->opts->jobs, read_terms, b);
}

/* The rebuild cache this build reads and updates: a development server's,
 * or the one .lumbar-cache/pages held (an empty one when it held none);
 * NULL when there is none (`lumbar check`, --no-cache). */
static build_cache *rebuild_cache(build_state *b)
{
    if (b->opts->cache || !b->disk_cache)
        return b->opts->cache;
    parallel_join(b->pages_task);
    b->pages_task = NULL;
    if (!b->pages_read)
        b->pages_read = build_cache_new();
    return b->pages_read;
}

/* Adds what a rendered page can show of assets/ to *hash: each file's
 * path, kind, size, inode and mtime, since an image's width, height and
 * resized copies come from the file. */
static void hash_assets(const char *site_dir, const char *rel, uint64_t *hash)
{
    char *dir = fs_join(site_dir, rel);
    size_t n;
    char **names = fs_list_dir_all(dir, &n, NULL);
    for (size_t i = 0; i < n; i++) {
        char *child = fs_join(rel, names[i]), *full = fs_join(site_dir, child);
        struct stat st;
        *hash = hash_str(*hash, child);
        if (lstat(full, &st) == 0) {
            uint64_t facts[] = {st.st_mode, (uint64_t)st.st_size, st.st_ino, (uint64_t)st.st_mtim.tv_sec,
                                (uint64_t)st.st_mtim.tv_nsec};
            *hash = hash_bytes(*hash, facts, sizeof facts);
            if (S_ISDIR(st.st_mode))
                hash_assets(site_dir, child, hash);
        }
        free(full);
        free(child);
    }
    fs_names_free(names, n);
    free(dir);
}

/* The files feeds.c writes beside the pages, and output.c's marker. */
static const struct {
    const char *path, *what;
} generated_files[] = {
    {"sitemap.xml", "lumbar's sitemap"},     {"atom.xml", "lumbar's Atom feed"},
    {"robots.txt", "lumbar's robots.txt"},   {"search.json", "lumbar's search index"},
    {OUTPUT_MARKER, "lumbar's output marker"},
};

static void claim_page(output_claims *c, const page *p, const tpl_set *tpl)
{
    strbuf what = STRBUF_INIT;
    if (p->src_path) {
        const value *slug = p->owns_fm ? value_map_get(p->fm->all, "slug") : NULL;
        strbuf_printf(&what, "the page %s", p->src_path);
        output_claim(c, p->out_path, what.data, p->src_path, slug ? slug->line : 1, slug ? slug->col : 1);
    } else if (tpl_set_has(tpl, p->layout)) { /* without its layout, a made-up page is left out */
        strbuf_printf(&what, "the generated page /%s", p->rel_url);
        output_claim(c, p->out_path, what.data, "", 0, 0);
    }
    strbuf_free(&what);
}

/* A tag name whose slug is too long for a folder name, at the first place
 * it is written (tag pages are made up, so their claims have no source). */
static void check_tag_names(const site *s, diag_list *diags)
{
    for (size_t t = 0; t < s->ntags; t++) {
        const site_tag *tag = &s->tags[t];
        size_t len = strlen(tag->slug);
        if (len <= 255 || !tag->count)
            continue;
        const page *p = tag->pages[0];
        const value *written = NULL;
        for (size_t k = 0; p->fm && p->fm->tags && k < p->fm->tags->u.list.len && !written; k++)
            if (!strcmp(p->fm->tag_slugs[k], tag->slug))
                written = p->fm->tags->u.list.items[k];
        strbuf quoted = STRBUF_INIT;
        diag_quote(&quoted, tag->name, strlen(tag->name), 43); /* 40 bytes and "..." */
        diag_add(diags, DIAG_ERROR, p->src_path ? p->src_path : "content", written ? written->line : 0,
                 written ? written->col : 0, "tag '%s' makes a folder name of %zu bytes: file systems allow 255; "
                 "shorten it", quoted.data, len);
        strbuf_free(&quoted);
    }
}

/* Every output path has one source, and every name in it fits a file
 * system: checked before anything is written, so that a clash is reported
 * where it comes from, not as whichever file happened to be written last. */
static void check_output_paths(const build_state *b, diag_list *diags)
{
    output_claims *c = output_claims_new();
    for (size_t i = 0; i < b->s->npages; i++)
        claim_page(c, b->s->pages[i], b->tpl);
    for (size_t i = 0; i < sizeof generated_files / sizeof *generated_files; i++)
        output_claim(c, generated_files[i].path, generated_files[i].what, "", 0, 0);
    strbuf what = STRBUF_INIT;
    output_claim_tree(c, b->opts->site_dir, "assets");
    for (size_t i = 0; i < b->s->aliases->u.list.len; i++) {
        const value *alias = b->s->aliases->u.list.items[i];
        const char *from = value_cstr(value_map_get(alias, "from"));
        strbuf_reset(&what);
        strbuf_printf(&what, "alias /%.*s", (int)(strlen(from) - strlen("index.html")), from);
        output_claim(c, from, what.data, value_cstr(value_map_get(alias, "file")), alias->line, alias->col);
    }
    strbuf_free(&what);
    output_claims_check(c, diags);
    output_claims_free(c);
    check_tag_names(b->s, diags);
}

/* What the calling thread writes while the others render pages. */
typedef struct site_files {
    build_state *b;
    build_stats *stats;
    diag_list diags;
    bool ok;
} site_files;

static void write_site_files(void *arg)
{
    site_files *sf = arg;
    sf->ok = feeds_write_site_files(sf->b->s, sf->b->tpl, sf->b->out, &sf->diags);
    sf->ok = output_copy_tree(sf->b->out, "assets", &sf->stats->assets, &sf->diags) && sf->ok;
}

/* A page reused from the previous output rendered nothing, so the image
 * copies it shows were not written this time: they are linked from the
 * previous output like the page, and added to now (the copies written). */
static void keep_previous_images(const build_cache *c, value *now, output *out)
{
    size_t written = now->u.list.len;
    const value *before = pagecache_image_files(c);
    for (size_t i = 0; before && i < before->u.list.len; i++) {
        const char *path = before->u.list.items[i]->u.str.ptr;
        bool seen = false;
        for (size_t k = 0; k < written && !seen; k++)
            seen = !strcmp(now->u.list.items[k]->u.str.ptr, path);
        if (!seen && output_link_previous(out, path))
            value_list_push(now, value_str(path));
    }
}

/* The end of a build: the link check and the search index read the
 * finished pages and nothing else, so they run side by side. */
typedef struct build_tail {
    build_state *b;
    const links_index *links;
    termcache *terms;
    bool check_links, write_index, index_ok;
    bool index_unchanged; /* every page's search record came from the rebuild cache */
    diag_list link_diags, index_diags;
} build_tail;

static void run_tail(void *arg, void *state, size_t i)
{
    build_tail *t = arg;
    (void)state;
    if (i == 0 && t->check_links)
        links_check(t->b->s, t->links, !t->b->out, &t->link_diags);
    if (i == 1 && t->write_index) {
        t->index_ok = feeds_write_search_index(t->b->s, t->b->out, t->b->opts->jobs, t->index_unchanged,
                                               &t->index_diags);
        if (t->index_ok && t->terms)
            feeds_save_terms(t->b->s, t->terms);
    }
}

static bool produce(build_state *b, build_stats *stats, diag_list *diags)
{
    render_stats rs = {0};
    site_files sf = {.b = b, .stats = stats, .diags = DIAG_LIST_INIT, .ok = true};
    img_store *images = img_store_new(b->opts->site_dir, b->cfg, b->out != NULL);
    bool check_links = !b->opts->no_link_check;
    termcache *terms = terms_read(b);
    links_index *links = NULL;
    render_options ro = {.out = b->out, .jobs = b->opts->jobs, .terms = terms,
                         .keep_ids = check_links || rebuild_cache(b), /* for link checks and the rebuild cache */
                         .scan_links = check_links, .theme_links = !b->out, .links_out = &links,
                         .images = images,
                         .alongside = b->out ? write_site_files : NULL, .alongside_arg = &sf};
    bool ok = render_pages(b->s, b->tpl, &ro, &rs, diags);
    if (terms)
        termcache_end_reads(terms);
    if (ok && b->out)
        ok = img_store_write(images, b->out, diags);
    /* Every copy in the output: for link checks and the rebuild cache. */
    value *image_copies = img_store_outputs(images);
    if (ok && b->out && rebuild_cache(b)) {
        if (b->marked_clean) /* only a reused page can show a copy not written */
            keep_previous_images(rebuild_cache(b), image_copies, b->out);
        b->image_files = value_ref(image_copies);
    }
    if (img_store_unresized(images))
        diag_add(diags, DIAG_WARNING, "", 0, 0,
                 "images are not resized: lumbar was built without libvips (libvips-dev), or cannot load it; "
                 "large images are served at their full size");
    img_store_free(images);
    ok = ok && sf.ok;
    diag_move(diags, &sf.diags);
    stats->pages = rs.pages;
    stats->reused = rs.reused;
    b->indexed = rs.indexed;
    stats->sections = b->s->nsections;
    stats->tags = b->s->ntags;
    stats->aliases = b->s->aliases->u.list.len;
    if (ok)
        warn_uncited(b->s, b->bib, diags);
    /* Links are checked also after a page's body failed: its other links
       were still read, and an editor sees every broken link in one run. */
    if (links)
        links_index_add_files(links, image_copies);
    build_tail tail = {.b = b, .links = links, .terms = terms, .check_links = links != NULL,
                       .index_unchanged = b->marked_clean && rs.indexed == 0,
                       .write_index = ok && b->out, .link_diags = DIAG_LIST_INIT, .index_diags = DIAG_LIST_INIT};
    parallel_work work = {.fn = run_tail, .chunk = 1};
    parallel_run(2, b->opts->jobs, &work, &tail);
    diag_move(diags, &tail.link_diags);
    diag_move(diags, &tail.index_diags);
    ok = ok && (!tail.write_index || tail.index_ok);
    value_free(image_copies);
    links_index_free(links);
    return ok;
}

/* Freeing a 10,000-page model value by value takes a tenth of a second
 * that the OS spends on nothing when the process is about to end (compilers
 * skip it too). The model stays reachable from here, so leak checkers do not
 * count it as lost. */
static site *kept_for_exit;

static void release_site(site *s, bool exiting)
{
    if (!exiting) {
        site_free(s);
        return;
    }
    site_free(kept_for_exit);
    kept_for_exit = s;
}

/* A build or check that has already failed still renders, writing
 * nothing, so that errors in Markdown bodies and links come out in the same
 * run as the others (links to a file that failed to load are not reported:
 * its own error says why). Uncited references are left out: with pages
 * missing they would report faults that are not there. With a broken
 * layout nothing is rendered, so body errors wait for the next run. */
static void check_bodies(build_state *b, diag_list *diags)
{
    render_stats rs = {0};
    img_store *images = img_store_new(b->opts->site_dir, b->cfg, false);
    bool check_links = !b->opts->no_link_check;
    links_index *links = NULL;
    render_options ro = {.out = NULL, .jobs = b->opts->jobs, .keep_ids = check_links, .scan_links = check_links,
                         .theme_links = !b->opts->write, .images = images, .links_out = &links};
    render_pages(b->s, b->tpl, &ro, &rs, diags);
    value *image_copies = img_store_outputs(images);
    img_store_free(images);
    if (links) {
        links_index_add_files(links, image_copies);
        links_check(b->s, links, !b->opts->write, diags);
    }
    value_free(image_copies);
    links_index_free(links);
}

void build_recover_output(const build_options *opts, diag_list *diags)
{
    uint64_t unused_hash = HASH_SEED;
    diag_list config_diags = DIAG_LIST_INIT; /* the first build reports them */
    config *cfg = load_config(opts, &unused_hash, &config_diags);
    diag_list_clear(&config_diags);
    if (!cfg && !opts->out_dir)
        return;
    char *dir = output_dir(opts, cfg);
    output_recover(dir, diags);
    free(dir);
    config_free(cfg);
}

bool build_run(const build_options *opts, build_stats *stats, diag_list *diags)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    memset(stats, 0, sizeof *stats);
    build_state b = {.opts = opts};
    uint64_t inputs_hash = HASH_SEED;
    b.cfg = load_config(opts, &inputs_hash, diags);
    /* Before anything else: a build killed mid-swap may have left no
       output folder, and even a build that fails must not leave it so. */
    if (opts->write && (b.cfg || opts->out_dir)) {
        char *dir = output_dir(opts, b.cfg);
        output_recover(dir, diags);
        free(dir);
    }
    if (!b.cfg)
        return false;
    b.tpl = tpl_set_new();
    size_t errors_before_layouts = diag_count(diags, DIAG_ERROR);
    load_layout_dir(b.tpl, opts->site_dir, "layouts", &inputs_hash, diags);
    /* Rendering with a broken layout would add one error per page to the
       ones that name the layout's faults. */
    bool layouts_ok = diag_count(diags, DIAG_ERROR) == errors_before_layouts;
    tpl_set_check_refs(b.tpl, diags);
    b.bib = load_refs(opts, &inputs_hash, diags);
    /* Begun before the content loads: the staging folder's listing then
       runs on a core the loading leaves idle. A build that fails after
       this leaves the output as it was. */
    if (opts->write && b.bib && diag_count(diags, DIAG_ERROR) == 0) {
        char *dir = output_dir(opts, b.cfg);
        b.out = output_begin(opts->site_dir, dir, opts->force, diags);
        free(dir);
        /* Read while the content loads: about 8 MB each at 10,000 pages. */
        b.disk_cache = b.out && !opts->cache && !opts->no_cache;
        if (b.disk_cache)
            b.pages_task = parallel_start(opts->jobs, read_pages, &b);
        if (b.out && !opts->no_cache && !b.disk_cache)
            b.terms_task = parallel_start(opts->jobs, read_terms, &b);
    }
    bool cached = opts->cache || b.disk_cache;
    if (cached) { /* what else a page's HTML, and what the cache holds, are made from */
        hash_assets(opts->site_dir, "assets", &inputs_hash);
        inputs_hash = hash_bytes(inputs_hash, &opts->no_link_check, sizeof opts->no_link_check);
        long long day = opts->now / 86400 - (opts->now % 86400 < 0);
        inputs_hash = hash_bytes(inputs_hash, &day, sizeof day);
    }
    site_options so = {.site_dir = opts->site_dir, .drafts = opts->drafts, .future = opts->future, .today_unix = opts->now, .jobs = opts->jobs,
                       .hashes = cached};
    if (b.bib)
        b.s = site_load(&so, b.cfg, b.bib, diags);
    if (b.s) {
        check_listed_references(b.s, b.bib, diags);
        stats->scheduled = b.s->scheduled.len;
        stats->expired = b.s->expired.len;
    }
    /* Only on a site without errors: site.c has reported clashes between
       pages and aliases already, and would be reported twice. */
    if (b.s && diag_count(diags, DIAG_ERROR) == 0)
        check_output_paths(&b, diags);
    bool ok = b.s && diag_count(diags, DIAG_ERROR) == 0 && (b.out || !opts->write);
    if (ok && b.out && cached) {
        b.marked_clean = pagecache_mark_clean(rebuild_cache(&b), b.s, inputs_hash, output_previous_build(b.out),
                                              b.disk_cache);
        read_terms_for_dirty(&b);
    }
    if (b.s && layouts_ok && ok)
        ok = produce(&b, stats, diags);
    else if (b.s && layouts_ok)
        check_bodies(&b, diags);
    if (opts->strict)
        diag_promote_warnings(diags);
    ok = ok && diag_count(diags, DIAG_ERROR) == 0;
    if (b.out) {
        uint64_t build_id = output_build_id(b.out);
        if (ok)
            ok = output_commit(b.out, diags);
        else
            output_abort(b.out);
        /* The cache describes whatever output is now in place. */
        /* A build that made no page's record anew (every page's came from
           the cache) leaves the cache's pages as they are. */
        bool same_pages = b.disk_cache && b.marked_clean && b.indexed == 0;
        if (ok && same_pages && !pagecache_save_build(rebuild_cache(&b), opts->site_dir, build_id))
            same_pages = false;
        if (ok && cached && !same_pages) {
            pagecache_update(rebuild_cache(&b), b.s, inputs_hash, build_id, b.image_files);
            b.image_files = NULL;
            if (b.disk_cache)
                (void)pagecache_save(rebuild_cache(&b), opts->site_dir);
        }
    }
    value_free(b.image_files);
    termcache_free(terms_read(&b));
    if (b.disk_cache)
        build_cache_free(rebuild_cache(&b));
    diag_sort(diags);
    release_site(b.s, opts->exiting);
    refs_free(b.bib);
    tpl_set_free(b.tpl);
    config_free(b.cfg);
    stats->ms = elapsed_ms(&start);
    return ok;
}
