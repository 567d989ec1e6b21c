/* Unit tests for render.c: a small site in a fresh folder under /tmp,
 * loaded as build.c loads it and rendered through minimal layouts into an
 * output folder.
 *
 * Covered: a page and the home page rendered through their layouts, with
 * front matter escaped by {{...}} and the Markdown body left as HTML by
 * {{{content}}}; a citation numbered, linked and listed; the same bytes and
 * diagnostics with 1 and 4 threads; optional layouts (tag, tags, 404)
 * missing: a warning each and the pages left out; a required layout
 * missing, and an unknown layout named in front matter (error at its line
 * and column); a layout that includes itself (the render budget error);
 * and `lumbar check`'s mode, with no output, still rendering every page. */
#include "harness.h"
#include "fixture.h"

#include <stdarg.h>
#include <sys/stat.h>

#include "fs.h"
#include "output.h"
#include "render.h"
#include "template.h"

static char root[200];

static const char *const ini = "[site]\ntitle = Render test\nbase_url = https://example.org/\n";

#define TODAY 1735689600LL

static void write_site(void)
{
    fx_mkdir(root, "content");
    fx_mkdir(root, "layouts");
    fx_put(root, "content/_index.md", "---\ntitle: Home & co\n---\nWelcome *home*.\n");
    fx_put(root, "content/about.md", "---\ntitle: About <us>\ndescription: d\n---\nHello & [bye](https://example.org/?a=1&b=2) [@smith].\n");
}

/* A template set from name/text pairs, ending with NULL. */
static tpl_set *layouts(diag_list *dl, ...)
{
    tpl_set *tpl = tpl_set_new();
    va_list ap;
    va_start(ap, dl);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
        const char *text = va_arg(ap, const char *);
        strbuf path = STRBUF_INIT;
        strbuf_printf(&path, "layouts/%s.html", name);
        tpl_set_add(tpl, name, path.data, text, strlen(text), dl);
        strbuf_free(&path);
    }
    va_end(ap);
    return tpl;
}

static const char *read_out(const char *rel, strbuf *sb)
{
    strbuf path = STRBUF_INIT;
    strbuf_printf(&path, "%s/public/%s", root, rel);
    strbuf_reset(sb);
    if (!fs_read_file(path.data, true, sb))
        strbuf_puts(sb, "(missing)");
    strbuf_free(&path);
    return strbuf_cstr(sb);
}

static bool exists_out(const char *rel)
{
    strbuf path = STRBUF_INIT;
    strbuf_printf(&path, "%s/public/%s", root, rel);
    struct stat st;
    bool found = stat(path.data, &st) == 0;
    strbuf_free(&path);
    return found;
}

static const char *const bib = "smith:\n  authors: Smith A\n  title: On backs\n  journal: J\n  year: 2020\n"
                               "  url: https://example.org/smith\n";

/* Loads the site, renders it with tpl on jobs threads into public/ (or, with
 * write false, nowhere) and returns whether rendering succeeded; every
 * diagnostic goes to dl. */
static bool render_site(const tpl_set *tpl, int jobs, bool write, render_stats *rs, diag_list *dl)
{
    fx_site fs = fx_load(ini, root, TODAY, dl);
    bool ok = false;
    if (fs.s) {
        refs_free(fs.bib);
        fs.bib = refs_load(bib, strlen(bib), "content/references.yaml", dl);
        fs.s->refs = fs.bib;
        strbuf out_dir = STRBUF_INIT;
        strbuf_printf(&out_dir, "%s/public", root);
        output *out = write ? output_begin(root, out_dir.data, false, dl) : NULL;
        render_options ro = {.out = out, .jobs = jobs};
        *rs = (render_stats){0};
        ok = render_pages(fs.s, tpl, &ro, rs, dl);
        if (out && ok)
            ok = output_commit(out, dl);
        else
            output_abort(out);
        strbuf_free(&out_dir);
    }
    fx_site_free(&fs);
    return ok;
}

static const char page_layout[] = "<title>{{title}}</title>\n{{{content}}}"
                                  "{{#references}}<li id=\"{{anchor}}\">{{n}}. {{title}}</li>{{/references}}\n";
static const char home_layout[] = "<h1>{{title}}</h1>\n{{{content}}}";

static void test_page(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT, diags_1 = STRBUF_INIT, page_1 = STRBUF_INIT;
    tpl_set *tpl = layouts(&dl, "page", page_layout, "home", home_layout, NULL);
    render_stats rs;
    CHECK(render_site(tpl, 1, true, &rs, &dl));
    CHECK_STR(fx_diags(&dl, &diags_1), "layouts: warning: no layouts/404.html: 404 pages are left out\n");
    CHECK_INT(rs.pages, 2);
    CHECK_STR(read_out("index.html", &sb), "<h1>Home &amp; co</h1>\n<p>Welcome <em>home</em>.</p>\n");
    read_out("about/index.html", &page_1);
    CHECK(strstr(page_1.data, "<title>About &lt;us&gt;</title>\n") == page_1.data);
    CHECK(strstr(page_1.data, "<p>Hello &amp; <a href=\"https://example.org/?a=1&amp;b=2\">bye</a>") != NULL);
    CHECK(strstr(page_1.data, "href=\"#ref-smith\"") != NULL);
    CHECK(strstr(page_1.data, "<li id=\"ref-smith\">1. On backs</li>") != NULL);
    CHECK(!exists_out("404.html"));
    CHECK_INT(rs.bytes, strlen(sb.data) + page_1.len);
    /* The same with four threads. */
    diag_list_clear(&dl);
    CHECK(render_site(tpl, 4, true, &rs, &dl));
    CHECK_STR(fx_diags(&dl, &sb), diags_1.data);
    CHECK_STR(read_out("about/index.html", &sb), page_1.data);
    /* Without an output (lumbar check) every page is still rendered. */
    diag_list_clear(&dl);
    CHECK(render_site(tpl, 2, false, &rs, &dl));
    CHECK_INT(rs.pages, 2);
    CHECK_INT(rs.bytes, 0);
    tpl_set_free(tpl);
    diag_list_clear(&dl);
    strbuf_free(&sb);
    strbuf_free(&diags_1);
    strbuf_free(&page_1);
}

static void test_missing_layouts(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    tpl_set *tpl = layouts(&dl, "home", home_layout, NULL);
    render_stats rs;
    CHECK(!render_site(tpl, 2, false, &rs, &dl));
    CHECK_STR(fx_diags(&dl, &sb), "content/about.md: error: no layouts/page.html: every page page needs one\n"
                                  "layouts: warning: no layouts/404.html: 404 pages are left out\n");
    diag_list_clear(&dl);
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\nlayout: wide\n---\nHello.\n");
    tpl_set_free(tpl);
    tpl = layouts(&dl, "home", home_layout, "page", page_layout, "404", "gone", NULL);
    CHECK(!render_site(tpl, 2, false, &rs, &dl));
    CHECK_STR(fx_diags(&dl, &sb), "content/about.md:4:9: error: unknown layout 'wide' (no layouts/wide.html)\n");
    write_site();
    tpl_set_free(tpl);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* A layout that includes itself is stopped by the render budget, reported
 * once for the page, and nothing is written. */
static void test_budget(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT, before = STRBUF_INIT;
    tpl_set *tpl = layouts(&dl, "home", home_layout, "page", "x{{> page}}", "404", "gone", NULL);
    CHECK_STR(fx_diags(&dl, &sb), "");
    render_stats rs;
    read_out("about/index.html", &before);
    CHECK(strstr(before.data, "<title>") != NULL);
    CHECK(!render_site(tpl, 2, true, &rs, &dl));
    CHECK_STR(fx_diags(&dl, &sb),
              "layouts/page.html:1:2: error: 'page' includes itself without end; rendering page > page > page > "
              "... for content/about.md\n");
    CHECK_STR(read_out("about/index.html", &sb), before.data); /* the last good output stays */
    tpl_set_free(tpl);
    diag_list_clear(&dl);
    strbuf_free(&sb);
    strbuf_free(&before);
}

int main(void)
{
    if (!th_tmpdir("render", root, sizeof root)) {
        CHECK(!"a temporary folder");
        TEST_END("render");
    }
    write_site();
    test_page();
    test_missing_layouts();
    test_budget();
    output_remove_tree(root);
    TEST_END("render");
}
