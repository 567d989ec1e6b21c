#include "pagecache.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fs.h"
#include "hash.h"
#include "strbuf.h"
#include "xalloc.h"

#define CACHE_MAGIC "lumbar page cache 1"
#define CACHE_FILE ".lumbar-cache/pages"
#define BUILD_MAGIC "lumbar page cache build 1"
#define BUILD_FILE ".lumbar-cache/pages-build"
#define MAX_DEPTH 16 /* of a cached value: ids, citations and links nest two deep */

typedef struct cached_page {
    char *content_path;
    uint64_t body_hash;
    char *search_entry;
    uint64_t search_key;
    value *ids, *cites, *links;
    diag_list warnings;
} cached_page;

/* A page without front matter of its own (a tag's, a list's further page,
 * the 404 page): the ids its HTML holds, for links to its #fragments. */
typedef struct cached_ids {
    char *out_path;
    value *ids;
} cached_ids;

struct build_cache {
    bool valid;
    uint64_t inputs_hash;  /* config.ini, layouts, bibliography, assets, options, day */
    uint64_t content_hash; /* every page's path and front matter */
    uint64_t build;        /* the id of the build whose output this describes */
    uint64_t file_sum;     /* the checksum of the pages file it was read from; 0: none */
    cached_page *pages;    /* sorted by content_path */
    size_t npages;
    cached_ids *others;    /* sorted by out_path */
    size_t nothers;
    value *image_files;    /* resized image copies in the output (site paths) */
};

build_cache *build_cache_new(void) { return xcalloc(1, sizeof(build_cache)); }

static void page_clear(cached_page *cp)
{
    free(cp->content_path);
    free(cp->search_entry);
    value_free(cp->ids);
    value_free(cp->cites);
    value_free(cp->links);
    diag_list_clear(&cp->warnings);
}

/* Frees the pages c holds, keeping the rest. */
static void drop_pages(build_cache *c)
{
    for (size_t i = 0; i < c->npages; i++)
        page_clear(&c->pages[i]);
    free(c->pages);
    c->pages = NULL;
    c->npages = 0;
    for (size_t i = 0; i < c->nothers; i++) {
        free(c->others[i].out_path);
        value_free(c->others[i].ids);
    }
    free(c->others);
    c->others = NULL;
    c->nothers = 0;
}

static void cache_clear(build_cache *c)
{
    drop_pages(c);
    c->valid = false;
    value_free(c->image_files);
    c->image_files = NULL;
}

void build_cache_free(build_cache *cache)
{
    if (!cache)
        return;
    cache_clear(cache);
    free(cache);
}

static int cmp_cached(const void *key, const void *elem)
{
    return strcmp(key, ((const cached_page *)elem)->content_path);
}

static const cached_page *cache_find(const build_cache *c, const char *content_path)
{
    return xbsearch(content_path, c->pages, c->npages, sizeof(cached_page), cmp_cached);
}

/* Gives p what cp holds: moved out of cp when take, else copied (the
 * values are shared: no stage changes a clean page's ids, citations or
 * links, and a page that renders after all drops them first). */
static void give_page(page *p, cached_page *cp, bool take)
{
    p->search_key = cp->search_key;
    p->ids = cp->ids ? value_ref(cp->ids) : NULL;
    p->cites = value_ref(cp->cites);
    p->links = cp->links ? value_ref(cp->links) : NULL;
    if (take) {
        p->search_entry = cp->search_entry;
        cp->search_entry = NULL;
        diag_move(&p->warnings, &cp->warnings);
    } else {
        p->search_entry = cp->search_entry ? xstrdup(cp->search_entry) : NULL;
        diag_copy(&p->warnings, &cp->warnings, 0);
    }
}

static int cmp_other(const void *key, const void *elem)
{
    return strcmp(key, ((const cached_ids *)elem)->out_path);
}

static const cached_ids *other_find(const build_cache *c, const char *out_path)
{
    return xbsearch(out_path, c->others, c->nothers, sizeof(cached_ids), cmp_other);
}

static int cmp_others(const void *a, const void *b)
{
    return strcmp(((const cached_ids *)a)->out_path, ((const cached_ids *)b)->out_path);
}

size_t pagecache_mark_clean(build_cache *c, site *s, uint64_t inputs_hash, uint64_t live_build, bool take)
{
    if (!c || !c->valid || c->inputs_hash != inputs_hash || c->content_hash != s->content_hash || !live_build ||
        c->build != live_build) {
        if (c && take) { /* of no use to this build: not kept through it */
            drop_pages(c);
            c->valid = false;
        }
        return 0;
    }
    size_t clean = 0;
    for (size_t i = 0; i < s->npages; i++) {
        page *p = s->pages[i];
        cached_page *cp = p->content_path ? (cached_page *)cache_find(c, p->content_path) : NULL;
        if (p->content_path && (!cp || cp->body_hash != p->body_hash))
            continue;
        /* A page without front matter of its own needs its ids from the
           cache too, or links to its #fragments could not be checked. */
        const cached_ids *other = p->owns_fm ? NULL : other_find(c, p->out_path);
        if (!p->owns_fm && !other)
            continue;
        p->clean = true;
        clean++;
        if (cp && p->owns_fm && !p->cites)
            give_page(p, cp, take);
        if (other && !p->ids)
            p->ids = other->ids ? value_ref(other->ids) : NULL;
    }
    if (take) { /* what was not taken is of no use either */
        drop_pages(c);
        c->valid = false;
    }
    return clean;
}

void pagecache_update(build_cache *c, const site *s, uint64_t inputs_hash, uint64_t build, value *image_files)
{
    cache_clear(c);
    c->image_files = image_files;
    c->pages = xcalloc(s->nby_path ? s->nby_path : 1, sizeof(cached_page));
    for (size_t i = 0; i < s->nby_path; i++) {
        const page *p = s->by_path[i];
        if (!p->cites)
            continue;
        cached_page *cp = &c->pages[c->npages++];
        cp->content_path = xstrdup(p->content_path);
        cp->body_hash = p->body_hash;
        cp->search_entry = p->search_entry ? xstrdup(p->search_entry) : NULL;
        cp->search_key = p->search_key;
        cp->ids = p->ids ? value_ref(p->ids) : NULL; /* shared: see give_page */
        cp->cites = value_ref(p->cites);
        cp->links = p->links ? value_ref(p->links) : NULL;
        diag_copy(&cp->warnings, &p->warnings, 0);
    }
    c->others = xcalloc(s->npages ? s->npages : 1, sizeof(cached_ids));
    for (size_t i = 0; i < s->npages; i++) {
        const page *p = s->pages[i];
        if (p->owns_fm || !p->rendered || p->skip)
            continue;
        c->others[c->nothers++] = (cached_ids){xstrdup(p->out_path), p->ids ? value_ref(p->ids) : NULL};
    }
    xqsort(c->others, c->nothers, sizeof(cached_ids), cmp_others);
    c->inputs_hash = inputs_hash;
    c->content_hash = s->content_hash;
    c->build = build;
    c->valid = true;
}

const value *pagecache_image_files(const build_cache *c) { return c ? c->image_files : NULL; }

/* ---- the files -----------------------------------------------------------
 *
 * .lumbar-cache/pages: "lumbar page cache 1 STAMP\n", then binary fields
 * in the machine's byte order (a cache never leaves the machine that wrote
 * it): the two hashes, the image copies, the page count and each page, and
 * last a hash_wide of everything before it (the file's checksum), so that
 * a file cut short or damaged is not used.
 *
 * .lumbar-cache/pages-build: "lumbar page cache build 1 STAMP\n" and a
 * line "BUILD CHECKSUM" in hex: the build whose output the pages file
 * describes. A build that reused every page rewrites only this file: its
 * pages are what the file holds. A pages file without its checksum here
 * is not used. */

static void put_bytes(strbuf *out, const void *data, size_t n) { strbuf_append(out, data, n); }
static void put_u64(strbuf *out, uint64_t v) { put_bytes(out, &v, sizeof v); }
static void put_u32(strbuf *out, uint32_t v) { put_bytes(out, &v, sizeof v); }
static void put_i32(strbuf *out, int32_t v) { put_bytes(out, &v, sizeof v); }

/* A string as its length (UINT32_MAX: NULL) and its bytes. */
static void put_str(strbuf *out, const char *s, size_t n)
{
    put_u32(out, s ? (uint32_t)n : UINT32_MAX);
    if (s)
        put_bytes(out, s, n);
}

static void put_value(strbuf *out, const value *v)
{
    if (!v) {
        strbuf_putc(out, 'x');
        return;
    }
    static const char kinds[] = {[V_NULL] = 'z', [V_BOOL] = 'b', [V_NUM] = 'n', [V_STR] = 's', [V_LIST] = 'l', [V_MAP] = 'm'};
    strbuf_putc(out, kinds[v->kind]);
    put_i32(out, v->line);
    put_i32(out, v->col);
    switch (v->kind) {
    case V_NULL: break;
    case V_BOOL: strbuf_putc(out, v->u.b ? 1 : 0); break;
    case V_NUM: put_bytes(out, &v->u.num, sizeof v->u.num); break;
    case V_STR: put_str(out, v->u.str.ptr, v->u.str.len); break;
    case V_LIST:
        put_u32(out, (uint32_t)v->u.list.len);
        for (size_t i = 0; i < v->u.list.len; i++)
            put_value(out, v->u.list.items[i]);
        break;
    case V_MAP:
        put_u32(out, (uint32_t)v->u.map.len);
        for (size_t i = 0; i < v->u.map.len; i++) {
            const struct value_entry *e = &v->u.map.items[i];
            put_str(out, value_entry_key(e), e->key_len);
            put_value(out, e->val);
        }
        break;
    }
}

static void put_diags(strbuf *out, const diag_list *dl)
{
    put_u32(out, (uint32_t)dl->len);
    for (size_t i = 0; i < dl->len; i++) {
        const diag *d = &dl->items[i];
        strbuf_putc(out, d->level == DIAG_ERROR ? 'E' : 'W');
        put_str(out, d->file, strlen(d->file));
        put_i32(out, d->line);
        put_i32(out, d->col);
        put_str(out, d->msg, strlen(d->msg));
    }
}

static void put_page(strbuf *out, const cached_page *cp)
{
    put_str(out, cp->content_path, strlen(cp->content_path));
    put_u64(out, cp->body_hash);
    put_str(out, cp->search_entry, cp->search_entry ? strlen(cp->search_entry) : 0);
    put_u64(out, cp->search_key);
    put_value(out, cp->ids);
    put_value(out, cp->cites);
    put_value(out, cp->links);
    put_diags(out, &cp->warnings);
}

/* The first line of the file for this binary; false when it has no stamp. */
static bool head_line(strbuf *out)
{
    char stamp[40];
    fs_binary_stamp(stamp, sizeof stamp);
    strbuf_printf(out, "%s %s\n", CACHE_MAGIC, stamp);
    return stamp[0] != '\0';
}

static char *cache_path(const char *site_dir) { return fs_join(site_dir, CACHE_FILE); }

/* The first line of the build file for this binary; false when it has no stamp. */
static bool build_head(strbuf *out)
{
    char stamp[40];
    fs_binary_stamp(stamp, sizeof stamp);
    strbuf_printf(out, "%s %s\n", BUILD_MAGIC, stamp);
    return stamp[0] != '\0';
}

static bool save_build(const char *site_dir, uint64_t build, uint64_t sum)
{
    strbuf out = STRBUF_INIT;
    bool ok = build && sum && build_head(&out);
    strbuf_printf(&out, "%016llx %016llx\n", (unsigned long long)build, (unsigned long long)sum);
    char *path = fs_join(site_dir, BUILD_FILE);
    ok = ok && fs_write_replace(path, out.data, out.len);
    free(path);
    strbuf_free(&out);
    return ok;
}

/* The build and checksum the build file names; false without a usable one. */
static bool load_build(const char *site_dir, uint64_t *build, uint64_t *sum)
{
    strbuf head = STRBUF_INIT, text = STRBUF_INIT;
    char *path = fs_join(site_dir, BUILD_FILE);
    bool ok = build_head(&head) && fs_read_file(path, false, &text) && text.len == head.len + 34 &&
              !memcmp(text.data, head.data, head.len);
    free(path);
    char *line = ok ? text.data + head.len : NULL, *end = NULL; /* no file: no text at all */
    *build = ok ? strtoull(line, &end, 16) : 0;
    ok = ok && end == line + 16 && *end == ' ';
    *sum = ok ? strtoull(line + 17, &end, 16) : 0;
    ok = ok && end == line + 33 && *end == '\n' && *build && *sum;
    strbuf_free(&head);
    strbuf_free(&text);
    return ok;
}

bool pagecache_save_build(const build_cache *c, const char *site_dir, uint64_t build)
{
    return c && save_build(site_dir, build, c->file_sum);
}

bool pagecache_save(const build_cache *c, const char *site_dir)
{
    strbuf out = STRBUF_INIT;
    bool ok = c && c->valid && head_line(&out);
    uint64_t sum = 0;
    if (ok) {
        put_u64(&out, c->inputs_hash);
        put_u64(&out, c->content_hash);
        put_value(&out, c->image_files);
        put_u32(&out, (uint32_t)c->npages);
        for (size_t i = 0; i < c->npages; i++)
            put_page(&out, &c->pages[i]);
        put_u32(&out, (uint32_t)c->nothers);
        for (size_t i = 0; i < c->nothers; i++) {
            put_str(&out, c->others[i].out_path, strlen(c->others[i].out_path));
            put_value(&out, c->others[i].ids);
        }
        sum = hash_wide(HASH_SEED, out.data, out.len);
        sum += !sum; /* 0 stands for none */
        put_u64(&out, sum);
        char *path = cache_path(site_dir);
        ok = fs_write_replace(path, out.data, out.len);
        free(path);
    }
    strbuf_free(&out);
    return ok && save_build(site_dir, c->build, sum);
}

/* A reader over the file's bytes; ok turns false at the first field that
 * does not fit, and every later read gives zeros. */
typedef struct reader {
    const char *at, *end;
    bool ok;
} reader;

static bool get_bytes(reader *r, void *data, size_t n)
{
    if (!r->ok || (size_t)(r->end - r->at) < n) {
        r->ok = false;
        memset(data, 0, n);
        return false;
    }
    memcpy(data, r->at, n);
    r->at += n;
    return true;
}

/* get_u64 and the like: one field of a fixed size, or 0 past the end. */
#define FIELD_READER(name, type)      \
    static type name(reader *r)       \
    {                                 \
        type v;                       \
        get_bytes(r, &v, sizeof v);   \
        return v;                     \
    }
FIELD_READER(get_u64, uint64_t)
FIELD_READER(get_u32, uint32_t)
FIELD_READER(get_i32, int32_t)
FIELD_READER(get_char, char)

/* A string written by put_str, borrowed from the file: *n gets its length.
 * NULL for a NULL string, or when the file ends first. */
static const char *get_str(reader *r, size_t *n)
{
    uint32_t len = get_u32(r);
    *n = 0;
    if (!r->ok || len == UINT32_MAX)
        return NULL;
    if ((size_t)(r->end - r->at) < len) {
        r->ok = false;
        return NULL;
    }
    const char *s = r->at;
    r->at += len;
    *n = len;
    return s;
}

static char *get_strdup(reader *r)
{
    size_t n;
    const char *s = get_str(r, &n);
    return s ? xstrndup(s, n) : NULL;
}

/* A value written by put_value; NULL for none, and when the file is bad. */
static value *get_value(reader *r, int depth)
{
    char kind = get_char(r);
    if (kind == 'x' || !r->ok)
        return NULL;
    int line = get_i32(r), col = get_i32(r);
    value *v = NULL;
    size_t n;
    if (kind == 'z') {
        v = value_null();
    } else if (kind == 'b') {
        v = value_bool(get_char(r) != 0);
    } else if (kind == 'n') {
        double num;
        get_bytes(r, &num, sizeof num);
        v = value_num(num);
    } else if (kind == 's') {
        const char *s = get_str(r, &n);
        v = s ? value_strn(s, n) : NULL;
    } else if ((kind == 'l' || kind == 'm') && depth < MAX_DEPTH) {
        uint32_t count = get_u32(r);
        v = kind == 'l' ? value_list() : value_map();
        for (uint32_t i = 0; r->ok && i < count; i++) {
            char *key = kind == 'm' ? get_strdup(r) : NULL;
            value *item = r->ok && (kind == 'l' || key) ? get_value(r, depth + 1) : NULL;
            if (!item)
                r->ok = false;
            else if (kind == 'l')
                value_list_push(v, item);
            else
                value_map_set(v, key, item);
            free(key);
        }
    }
    if (!v || !r->ok) {
        r->ok = false;
        value_free(v);
        return NULL;
    }
    v->line = line;
    v->col = col;
    return v;
}

static void get_diags(reader *r, diag_list *dl)
{
    uint32_t count = get_u32(r);
    for (uint32_t i = 0; r->ok && i < count; i++) {
        char level = get_char(r);
        char *file = get_strdup(r);
        int line = get_i32(r), col = get_i32(r);
        char *msg = get_strdup(r);
        if (r->ok && file && msg && (level == 'E' || level == 'W'))
            diag_add(dl, level == 'E' ? DIAG_ERROR : DIAG_WARNING, file, line, col, "%s", msg);
        else
            r->ok = false;
        free(file);
        free(msg);
    }
}

static void get_page(reader *r, cached_page *cp)
{
    cp->content_path = get_strdup(r);
    cp->body_hash = get_u64(r);
    cp->search_entry = get_strdup(r);
    cp->search_key = get_u64(r);
    cp->ids = get_value(r, 0);
    cp->cites = get_value(r, 0);
    cp->links = get_value(r, 0);
    get_diags(r, &cp->warnings);
    if (!cp->content_path || !cp->cites)
        r->ok = false;
}

/* Reads the pages of the file, which must be in content_path order. */
static bool get_pages(reader *r, build_cache *c)
{
    uint32_t count = get_u32(r);
    if (!r->ok || count > (size_t)(r->end - r->at)) /* each takes bytes */
        return false;
    c->pages = xcalloc(count ? count : 1, sizeof(cached_page));
    for (uint32_t i = 0; r->ok && i < count; i++) {
        get_page(r, &c->pages[c->npages++]);
        if (i && r->ok && strcmp(c->pages[i - 1].content_path, c->pages[i].content_path) >= 0)
            r->ok = false;
    }
    return r->ok;
}

/* Reads the pages without front matter of their own, in out_path order. */
static bool get_others(reader *r, build_cache *c)
{
    uint32_t count = get_u32(r);
    if (!r->ok || count > (size_t)(r->end - r->at))
        return false;
    c->others = xcalloc(count ? count : 1, sizeof(cached_ids));
    for (uint32_t i = 0; r->ok && i < count; i++) {
        cached_ids *o = &c->others[c->nothers++];
        o->out_path = get_strdup(r);
        o->ids = get_value(r, 0);
        if (!o->out_path || (i && strcmp(c->others[i - 1].out_path, o->out_path) >= 0))
            r->ok = false;
    }
    return r->ok;
}

build_cache *pagecache_load(const char *site_dir)
{
    strbuf head = STRBUF_INIT, text = STRBUF_INIT;
    uint64_t build, named_sum;
    char *path = cache_path(site_dir);
    bool ok = load_build(site_dir, &build, &named_sum) && head_line(&head) && fs_read_file(path, false, &text) &&
              text.len >= head.len + sizeof(uint64_t) && !memcmp(text.data, head.data, head.len);
    free(path);
    size_t body = ok ? text.len - sizeof(uint64_t) : 0;
    uint64_t sum = 0, computed = ok ? hash_wide(HASH_SEED, text.data, body) : 0;
    if (ok)
        memcpy(&sum, text.data + body, sizeof sum);
    ok = ok && sum == computed + !computed && sum == named_sum;
    build_cache *c = NULL;
    if (ok) {
        c = build_cache_new();
        reader r = {text.data + head.len, text.data + body, true};
        c->build = build;
        c->file_sum = sum;
        c->inputs_hash = get_u64(&r);
        c->content_hash = get_u64(&r);
        c->image_files = get_value(&r, 0);
        ok = r.ok && get_pages(&r, c) && get_others(&r, c) && r.at == r.end;
        c->valid = ok;
    }
    if (!ok) {
        build_cache_free(c);
        c = NULL;
    }
    strbuf_free(&head);
    strbuf_free(&text);
    return c;
}
