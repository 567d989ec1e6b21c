/* Unit tests for pagecache.c, on a small site written to a fresh folder
 * under /tmp (removed at the end).
 *
 * Covered: what pagecache_update records of each page (search record,
 * ids, citations, links, warnings) comes back whole through
 * pagecache_save and pagecache_load, values with their lines and columns;
 * pagecache_mark_clean marks a page clean only when the inputs, every
 * page's front matter, the live output's build and its own body are as
 * recorded, and a page without front matter of its own (404) only with its
 * ids; a file cut short, with a byte changed, or written by another
 * binary is not used; an empty cache is not saved; the build file alone
 * moves a cache to a new build, and must name the pages file's checksum. */
#include "harness.h"
#include "fixture.h"

#include <stdlib.h>
#include <unistd.h>

#include "fs.h"
#include "hash.h"
#include "output.h"
#include "pagecache.h"
#include "site.h"
#include "xalloc.h"

static char root[200];

static const char *const ini = "[site]\ntitle = T\nbase_url = https://example.org/\n";

static bool write_site(void)
{
    snprintf(root, sizeof root, "/tmp/lumbar-test-pagecache-%d", (int)getpid());
    output_remove_tree(root);
    fx_mkdir(root, "");
    fx_mkdir(root, "content");
    fx_mkdir(root, "content/guide");
    fx_put(root, "content/_index.md", "---\ntitle: Home\n---\nHome.\n");
    fx_put(root, "content/guide/_index.md", "---\ntitle: Guide\n---\nGuide.\n");
    fx_put(root, "content/guide/a.md", "---\ntitle: A\ndescription: About A\ndate: 2024-01-01\n---\nA.\n");
    fx_put(root, "content/guide/b.md", "---\ntitle: B\ndescription: About B\ndate: 2024-01-02\n---\nB.\n");
    return true;
}

/* The text form of v with its kinds, lines and columns, for comparing. */
static void dump(const value *v, strbuf *out)
{
    if (!v) {
        strbuf_puts(out, "NULL");
        return;
    }
    strbuf_printf(out, "%s@%d:%d(", value_kind_name(v->kind), v->line, v->col);
    if (v->kind == V_LIST)
        for (size_t i = 0; i < v->u.list.len; i++)
            dump(v->u.list.items[i], out);
    else if (v->kind == V_MAP)
        for (size_t i = 0; i < v->u.map.len; i++) {
            strbuf_printf(out, "%s=", value_entry_key(&v->u.map.items[i]));
            dump(v->u.map.items[i].val, out);
        }
    else
        value_to_text(v, out);
    strbuf_puts(out, ")");
}

/* Everything the cache gives a page, as text. */
static void dump_page(const page *p, strbuf *out)
{
    strbuf_printf(out, "%s clean=%d key=%llx entry=%s ids=", p->content_path, p->clean,
                  (unsigned long long)p->search_key, p->search_entry ? p->search_entry : "NULL");
    dump(p->ids, out);
    strbuf_puts(out, " cites=");
    dump(p->cites, out);
    strbuf_puts(out, " links=");
    dump(p->links, out);
    for (size_t i = 0; i < p->warnings.len; i++)
        strbuf_printf(out, " warn=%s:%d:%d:%s", p->warnings.items[i].file, p->warnings.items[i].line,
                      p->warnings.items[i].col, p->warnings.items[i].msg);
    strbuf_puts(out, "\n");
}

/* Gives each content page of s what rendering would (page b: no links and
 * no search record, as with --no-link-check and for a page left out of
 * search), and a body hash from its path. */
static void fake_render(site *s)
{
    for (size_t i = 0; i < s->npages; i++) { /* the 404 page: ids only */
        page *p = s->pages[i];
        if (p->owns_fm)
            continue;
        p->rendered = true;
        p->ids = value_list();
        value_list_push(p->ids, value_str("main"));
    }
    for (size_t i = 0; i < s->nby_path; i++) {
        page *p = s->by_path[i];
        p->body_hash = hash_str(HASH_SEED, p->content_path);
        p->cites = value_list();
        value_list_push(p->cites, value_at(value_str("smith2020"), 3, 7));
        p->ids = value_list();
        value_list_push(p->ids, value_str("intro"));
        value_list_push(p->ids, value_str("caf\xc3\xa9 \"x\""));
        bool is_b = !strcmp(p->content_path, "guide/b.md");
        if (!is_b) {
            p->links = value_list();
            value *link = value_map();
            value_map_set(link, "url", value_str("../b/#part"));
            value_map_set(link, "line", value_num(12));
            value_map_set(link, "long key past sixteen bytes", value_bool(true));
            value_map_set(link, "none", value_null());
            value_list_push(p->links, link);
            p->search_entry = xstrdup("3 40\nback\t2 1\n");
            p->search_key = 0x1234 + i;
        }
        if (!strcmp(p->content_path, "guide/a.md"))
            diag_add(&p->warnings, DIAG_WARNING, p->src_path, 4, 2, "a warning with %s", "\xe2\x80\x9cquotes\xe2\x80\x9d");
    }
}

static build_cache *saved_and_loaded(const build_cache *c)
{
    CHECK(pagecache_save(c, root));
    return pagecache_load(root);
}

static void test_round_trip(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf want = STRBUF_INIT, got = STRBUF_INIT;
    fx_site one = fx_load(ini, root, 1704067200, &dl), two = fx_load(ini, root, 1704067200, &dl);
    CHECK(one.s && two.s && dl.len == 0);
    if (dl.len) {
        strbuf sb = STRBUF_INIT;
        fprintf(stderr, "%s", fx_diags(&dl, &sb));
        strbuf_free(&sb);
    }
    if (!one.s || !two.s)
        return;
    fake_render(one.s);
    for (size_t i = 0; i < one.s->nby_path; i++) {
        one.s->by_path[i]->clean = true; /* as the cache will mark them */
        dump_page(one.s->by_path[i], &want);
    }
    build_cache *c = build_cache_new();
    value *images = value_list();
    value_list_push(images, value_str("img/x-480w.webp"));
    pagecache_update(c, one.s, 77, 99, images);
    build_cache *back = saved_and_loaded(c);
    CHECK(back != NULL);
    const value *kept = pagecache_image_files(back);
    CHECK(kept && kept->u.list.len == 1 && !strcmp(value_cstr(kept->u.list.items[0]), "img/x-480w.webp"));

    /* Not with other inputs, another live build, none, or other front matter. */
    CHECK_INT(pagecache_mark_clean(back, two.s, 78, 99, false), 0);
    CHECK_INT(pagecache_mark_clean(back, two.s, 77, 98, false), 0);
    CHECK_INT(pagecache_mark_clean(back, two.s, 77, 0, false), 0);
    two.s->content_hash ^= 1;
    CHECK_INT(pagecache_mark_clean(back, two.s, 77, 99, false), 0);
    two.s->content_hash ^= 1;
    for (size_t i = 0; i < two.s->npages; i++)
        CHECK(!two.s->pages[i]->clean);

    for (size_t i = 0; i < two.s->nby_path; i++)
        two.s->by_path[i]->body_hash = hash_str(HASH_SEED, two.s->by_path[i]->content_path);
    CHECK_INT(pagecache_mark_clean(back, two.s, 77, 99, false), two.s->npages);
    for (size_t i = 0; i < two.s->nby_path; i++)
        dump_page(two.s->by_path[i], &got);
    CHECK_STR(got.data, want.data);
    size_t others = 0;
    for (size_t i = 0; i < two.s->npages; i++) {
        const page *p = two.s->pages[i];
        if (p->owns_fm)
            continue;
        others++;
        CHECK(p->clean && p->ids && p->ids->u.list.len == 1 && !strcmp(value_cstr(p->ids->u.list.items[0]), "main"));
    }
    CHECK_INT(others, 1); /* the 404 page */
    CHECK(strstr(want.data, "guide/a.md clean=1") && strstr(want.data, "warn=content/guide/a.md:4:2:a warning with") &&
          strstr(want.data, "a string@3:7(smith2020)") && strstr(want.data, "guide/b.md clean=1 key=0 entry=NULL") &&
          strstr(want.data, "long key past sixteen bytes=a boolean@0:0(true)"));

    /* A body changed since: that page alone renders. */
    fx_site three = fx_load(ini, root, 1704067200, &dl);
    if (three.s) {
        for (size_t i = 0; i < three.s->nby_path; i++)
            three.s->by_path[i]->body_hash = hash_str(HASH_SEED, three.s->by_path[i]->content_path);
        page *a = site_page_by_path(three.s, "guide/a.md");
        a->body_hash ^= 1;
        CHECK_INT(pagecache_mark_clean(back, three.s, 77, 99, true), three.s->npages - 1);
        CHECK(!a->clean && !a->cites && !a->ids && !a->search_entry && a->warnings.len == 0);
        CHECK(site_page_by_path(three.s, "guide/b.md")->clean);
        CHECK_INT(pagecache_mark_clean(back, three.s, 77, 99, false), 0); /* taken: no longer valid */
    }
    fx_site_free(&three);
    /* A page without front matter whose ids the cache lacks renders. */
    for (size_t i = 0; i < one.s->npages; i++)
        one.s->pages[i]->rendered = one.s->pages[i]->owns_fm;
    build_cache *no_404 = build_cache_new();
    pagecache_update(no_404, one.s, 77, 99, NULL);
    fx_site four = fx_load(ini, root, 1704067200, &dl);
    if (four.s) {
        for (size_t i = 0; i < four.s->nby_path; i++)
            four.s->by_path[i]->body_hash = hash_str(HASH_SEED, four.s->by_path[i]->content_path);
        CHECK_INT(pagecache_mark_clean(no_404, four.s, 77, 99, false), four.s->nby_path);
        for (size_t i = 0; i < four.s->npages; i++)
            CHECK(four.s->pages[i]->clean == four.s->pages[i]->owns_fm);
    }
    fx_site_free(&four);
    build_cache_free(no_404);
    build_cache_free(back);
    build_cache_free(c);
    fx_site_free(&one);
    fx_site_free(&two);
    strbuf_free(&want);
    strbuf_free(&got);
}

/* Rewrites the cache file through edit; then it must not load. */
static void check_refused(void (*edit)(strbuf *text), const char *what)
{
    strbuf path = STRBUF_INIT, text = STRBUF_INIT;
    strbuf_printf(&path, "%s/.lumbar-cache/pages", root);
    CHECK(fs_read_file(path.data, false, &text));
    strbuf saved = STRBUF_INIT;
    strbuf_append(&saved, text.data, text.len);
    edit(&text);
    CHECK(fs_write_replace(path.data, text.data, text.len));
    build_cache *c = pagecache_load(root);
    if (c)
        fprintf(stderr, "loaded a cache that was %s\n", what);
    CHECK(c == NULL);
    build_cache_free(c);
    CHECK(fs_write_replace(path.data, saved.data, saved.len));
    c = pagecache_load(root);
    CHECK(c != NULL); /* the file as it was loads again */
    build_cache_free(c);
    strbuf_free(&saved);
    strbuf_free(&path);
    strbuf_free(&text);
}

static void cut_short(strbuf *text) { text->len -= 1; }
static void cut_in_half(strbuf *text) { text->len /= 2; }
static void change_a_byte(strbuf *text) { text->data[text->len / 2] ^= 0x20; }
static void other_binary(strbuf *text) { text->data[strlen("lumbar page cache 1 ")] ^= 1; }
static void emptied(strbuf *text) { text->len = 0; }

/* The site loaded, its pages given what rendering would. */
static fx_site rendered_site(void)
{
    diag_list dl = DIAG_LIST_INIT;
    fx_site fs = fx_load(ini, root, 1704067200, &dl);
    CHECK(fs.s && dl.len == 0);
    if (fs.s)
        fake_render(fs.s);
    diag_list_clear(&dl);
    return fs;
}

static void test_damage(void)
{
    fx_site fs = rendered_site();
    if (!fs.s)
        return;
    build_cache *c = build_cache_new();
    CHECK(!pagecache_save(c, root)); /* nothing built yet: nothing saved */
    pagecache_update(c, fs.s, 1, 2, NULL);
    build_cache *back = saved_and_loaded(c);
    CHECK(back != NULL && pagecache_image_files(back) == NULL);
    build_cache_free(back);
    check_refused(cut_short, "cut short");
    check_refused(cut_in_half, "cut in half");
    check_refused(change_a_byte, "changed");
    check_refused(other_binary, "another binary's");
    check_refused(emptied, "empty");
    build_cache_free(c);
    fx_site_free(&fs);
    build_cache_free(NULL);
}

/* A build that reused every page rewrites only the build file; the pages
 * file then serves the new build, and no longer the old one. A build file
 * naming another pages file's checksum, or none, leaves the cache unused. */
static void test_build_file(void)
{
    diag_list dl = DIAG_LIST_INIT;
    fx_site fs = rendered_site();
    if (!fs.s)
        return;
    build_cache *c = build_cache_new();
    pagecache_update(c, fs.s, 5, 600, NULL);
    CHECK(!pagecache_save_build(c, root, 601)); /* not read from a file */
    build_cache *back = saved_and_loaded(c);
    CHECK(back && pagecache_save_build(back, root, 601));
    build_cache_free(back);
    strbuf path = STRBUF_INIT, text = STRBUF_INIT;
    strbuf_printf(&path, "%s/.lumbar-cache/pages-build", root);
    CHECK(fs_read_file(path.data, false, &text) && strstr(text.data, "\n0000000000000259 "));
    for (int k = 0; k < 2; k++) {
        fx_site again = fx_load(ini, root, 1704067200, &dl);
        back = pagecache_load(root);
        if (again.s && back) {
            for (size_t i = 0; i < again.s->nby_path; i++)
                again.s->by_path[i]->body_hash = hash_str(HASH_SEED, again.s->by_path[i]->content_path);
            CHECK_INT(pagecache_mark_clean(back, again.s, 5, k ? 601 : 600, true), k ? again.s->npages : 0);
        }
        CHECK(back != NULL);
        build_cache_free(back);
        fx_site_free(&again);
    }
    char *line = strchr(text.data, '\n') + 18; /* the checksum */
    line[0] = line[0] == '0' ? '1' : '0';
    CHECK(fs_write_replace(path.data, text.data, text.len));
    back = pagecache_load(root);
    CHECK(back == NULL);
    build_cache_free(back);
    CHECK(unlink(path.data) == 0);
    CHECK(pagecache_load(root) == NULL);
    strbuf_free(&path);
    strbuf_free(&text);
    build_cache_free(c);
    fx_site_free(&fs);
}

int main(void)
{
    CHECK(write_site());
    test_round_trip();
    test_damage();
    test_build_file();
    CHECK(output_remove_tree(root));
    TEST_END("pagecache");
}
