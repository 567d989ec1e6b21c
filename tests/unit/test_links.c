/* Unit tests for links.c through links.h.
 *
 * links_scan on hand-written HTML: ids and href/src values recorded, the
 * few attribute entities decoded, quoted and bare values, comments and
 * <script> contents skipped, and body links matched to their source
 * position in order (a layout's copy of the same URL gets none), also
 * when cmark percent-encoded them (spaces, quotes, non-ASCII letters).
 *
 * links_check on a small site written to a fresh folder under /tmp (removed
 * at the end), under the base path /sub/, and rendered the way `lumbar
 * check` does it (site_load, render_pages with out=NULL and keep_ids): a
 * link to no page, a missing #fragment on another page and on the page
 * itself, a missing trailing slash, a missing image, each at its line and
 * column; links that resolve (pages, #ids, content-file links, aliases,
 * assets, generated files, ?queries, %-escapes) pass; external links
 * (https:, mailto:, //host) are not checked; broken links that cmark
 * percent-encodes are blamed on their line, as written; a layout's broken link and one
 * outside the base path are reported once per layout with a page count,
 * a page counted once however often the link is on it. */
#include "harness.h"
#include "fixture.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "config.h"
#include "links.h"
#include "output.h"
#include "refs.h"
#include "render.h"
#include "site.h"
#include "template.h"
#include "xalloc.h"

static char root[200];

/* Pages of one article each, so the guide's list has a page 2 that repeats
 * its body's links (reported once, not once per page). */
static const char *const ini = "[site]\ntitle = Links\nbase_url = https://example.org/sub/\n[build]\npage_size = 1\n";

static void put_in(const char *rel, const char *text) { fx_put(root, rel, text); }

static void make_dir(const char *rel) { fx_mkdir(root, rel); }

/* "url@line:col|..." of a scanned page's links (no @ when unplaced). */
static const char *scanned_links(const page *p, strbuf *sb)
{
    strbuf_reset(sb);
    for (size_t i = 0; p->links && i < p->links->u.list.len; i++) {
        const value *l = p->links->u.list.items[i], *line = value_map_get(l, "line"), *col = value_map_get(l, "col");
        strbuf_printf(sb, "%s%s", i ? "|" : "", value_cstr(value_map_get(l, "url")));
        if (line && col)
            strbuf_printf(sb, "@%g:%g", line->u.num, col->u.num);
    }
    return strbuf_cstr(sb);
}

static const char *scanned_ids(const page *p, strbuf *sb)
{
    strbuf_reset(sb);
    for (size_t i = 0; p->ids && i < p->ids->u.list.len; i++)
        strbuf_printf(sb, "%s%s", i ? "|" : "", value_cstr(p->ids->u.list.items[i]));
    return strbuf_cstr(sb);
}

static value *body_link(const char *url, int line, int col)
{
    value *v = value_map();
    value_map_set(v, "url", value_str(url));
    value_map_set(v, "line", value_num(line));
    value_map_set(v, "col", value_num(col));
    return v;
}

static void test_scan(void)
{
    static const char html[] =
        "<p id=\"top\"><a href=\"/x/?a=1&amp;b=&quot;2&quot;\">x</a><!-- <a href=\"/hidden/\"> -->"
        "<script>var s = \"<a href='/js/' id='js'>\";</script><img src='/i.png' alt=x>"
        "<a href=/a/>a</a><A HREF=\"/a/\">A</A>\n<a\nhref=\"/a/\">layout</a><h2 ID=\"Sec&#39;s\">S</h2>";
    page p = {0};
    value *body = value_list();
    value_list_push(body, body_link("/a/", 1, 1));
    value_list_push(body, body_link("/i.png", 3, 4));
    value_list_push(body, body_link("/a/", 2, 5));
    strbuf sb = STRBUF_INIT;
    links_scan(&p, html, strlen(html), body, NULL);
    CHECK_STR(scanned_ids(&p, &sb), "top|Sec's");
    CHECK_STR(scanned_links(&p, &sb), "/x/?a=1&b=\"2\"|/i.png@3:4|/a/@1:1|/a/@2:5|/a/");
    /* cmark percent-encodes href and src, and writes ' as &#x27;: the body's
       links are still found, whichever way each side spells them. */
    static const char encoded[] = "<a href=\"/no%20such/\"></a><a href=\"/caf%C3%A9/\"></a>"
                                  "<a href=\"/it&#x27;s/\"></a><a href=\"/a%20b/\"></a>";
    value *written = value_list();
    value_list_push(written, body_link("/no such/", 4, 1));
    value_list_push(written, body_link("/caf\xc3\xa9/", 4, 20));
    value_list_push(written, body_link("/it's/", 5, 1));
    value_list_push(written, body_link("/a%20b/", 6, 1));
    links_scan(&p, encoded, strlen(encoded), written, NULL);
    CHECK_STR(scanned_links(&p, &sb), "/no%20such/@4:1|/caf%C3%A9/@4:20|/it's/@5:1|/a%20b/@6:1");
    value_free(written);
    /* links_scan_body: ids from id attributes alone (quoted either way or
       bare, entities decoded; not data-id or a text's "id="), links from
       the body's list alone, in its order. */
    static const char ids_html[] = "<p id=\"top\" data-id=\"no\">x id=&quot;no&quot;<h2\nid='Sec&#39;s'>S</h2>"
                                   "<b\tid=bare>x</b><a href=\"/layout/\">l</a>";
    links_scan_body(&p, ids_html, strlen(ids_html), body, NULL);
    CHECK_STR(scanned_ids(&p, &sb), "top|Sec's|bare");
    CHECK_STR(scanned_links(&p, &sb), "/a/@1:1|/i.png@3:4|/a/@2:5");
    /* A second scan replaces what the first recorded. */
    links_scan(&p, "<b id=\"only\">", 13, NULL, NULL);
    CHECK_STR(scanned_ids(&p, &sb), "only");
    CHECK_STR(scanned_links(&p, &sb), "");
    value_free(p.ids);
    value_free(p.links);
    value_free(body);
    strbuf_free(&sb);
}

static void write_content(void)
{
    put_in("content/_index.md", "---\ntitle: Home\n---\nSee [about](/about/) and [the guide](guide/).\n");
    put_in("content/about.md", "---\ntitle: About\ndescription: About us.\naliases: [/old-about/]\n---\n"
                               "## Who we are\n\nText.\n");
    put_in("content/guide/_index.md", "---\ntitle: Guide\n---\nSee [z](/nowhere-list/).\n");
    put_in("content/guide/second.md", "---\ntitle: Second\ndescription: d\ndate: 2024-01-02\n"
                                      "updated: 2024-01-02\n---\n## Part\n\nBack to [first](first.md#intro).\n");
    put_in("content/guide/first.md",
           "---\ntitle: First\ndescription: d\ndate: 2024-01-01\nupdated: 2024-01-01\n---\n"
           "## Intro\n\n"
           "Good: [a](/about/#who-we-are) [b](#intro) [c](second.md#part) [d](/old-about/) [e](/css/site.css)\n"
           "[f](/sitemap.xml) [q](/about/?x=1#who-we-are) [r](../../%61bout/) [s](./)\n\n"
           "Bad: [g](/nowhere/) and [h](/about/#nope) [t](../../../x/).\n\n"
           "More: [i](#missing) [j](../second/#gone) [k](/about) ![l](/img/none.png) [u](/about/index.html#nope)\n\n"
           "Away: [m](https://example.com/x) [n](mailto:a@example.com) [o](//cdn.example.com/y)\n"
           "[p](https://example.org/sub/#nope)\n\n"
           "Encoded: [v](</no such/>) [w](/caf\xc3\xa9/) [x](/it's/) [y](/a[z]/)\n");
}

static bool write_site(void)
{
    if (!th_tmpdir("links", root, sizeof root))
        return false;
    make_dir("content");
    make_dir("content/guide");
    make_dir("assets");
    make_dir("assets/css");
    put_in("assets/css/site.css", "body {}\n");
    write_content();
    return true;
}

static tpl_set *layouts(diag_list *dl)
{
    static const char *const names[] = {"home", "section", "page", "404"};
    /* The broken link twice on each page: still "on 2 pages". */
    static const char article[] = "<a href=\"{{site.base_path}}gone/\">gone</a><a href=\"/elsewhere/\">out</a>"
                                  "<a href=\"{{site.base_path}}\">home</a>{{{content}}}"
                                  "<a href=\"{{site.base_path}}gone/\">gone again</a>";
    static const char plain[] = "<a href=\"{{site.base_path}}\">home</a>{{{content}}}";
    tpl_set *tpl = tpl_set_new();
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        tpl_set_add(tpl, names[i], names[i], plain, strlen(plain), dl);
    tpl_set_add(tpl, "article", "article", article, strlen(article), dl);
    return tpl;
}

static const char *const want_diags =
    "content/guide/_index.md:4:5: error: link to '/nowhere-list/' points to no page or file of the site\n"
    "content/guide/first.md:12:6: error: link to '/nowhere/' points to no page or file of the site\n"
    "content/guide/first.md:12:25: error: link to '/about/#nope': no element with id 'nope' on /sub/about/; the closest id there is '#who-we-are'\n"
    "content/guide/first.md:12:43: error: link to '../../../x/' leads outside the site's base path /sub/\n"
    "content/guide/first.md:14:7: error: link to '#missing': no element with id 'missing' on /sub/guide/first/; the closest id there is '#intro'\n"
    "content/guide/first.md:14:21: error: link to '../second/#gone': no element with id 'gone' on /sub/guide/second/; the closest id there is '#part'\n"
    "content/guide/first.md:14:42: error: link to '/about' needs a trailing slash: /sub/about/\n"
    "content/guide/first.md:14:54: error: link to '/img/none.png' points to no page or file of the site\n"
    "content/guide/first.md:14:74: error: link to '/about/index.html#nope': no element with id 'nope' on /sub/about/; the closest id there is '#who-we-are'\n"
    "content/guide/first.md:19:10: error: link to '/no such/' points to no page or file of the site\n"
    "content/guide/first.md:19:27: error: link to '/caf\xc3\xa9/' points to no page or file of the site\n"
    "content/guide/first.md:19:40: error: link to '/it's/' points to no page or file of the site\n"
    "content/guide/first.md:19:52: error: link to '/a[z]/' points to no page or file of the site\n"
    "layouts/article.html: error: link to '/elsewhere/' leads outside the site's base path /sub/ (on 2 pages)\n"
    "layouts/article.html: error: link to '/sub/gone/' points to no page or file of the site (on 2 pages)\n";

/* want_diags without its line that contains `drop` (NULL: none) and, when
 * !theme_links, the layout's lines; the caller frees it. */
static char *expected(bool theme_links, const char *drop)
{
    size_t n = theme_links ? strlen(want_diags) : (size_t)(strstr(want_diags, "layouts/") - want_diags);
    char *want = xstrndup(want_diags, n);
    char *hit = drop ? strstr(want, drop) : NULL;
    if (hit) {
        char *from = hit, *to = strchr(hit, '\n') + 1;
        while (from > want && from[-1] != '\n')
            from--;
        memmove(from, to, strlen(to) + 1);
    }
    return want;
}

/* With theme_links (lumbar check) every tag is parsed and the layout's
 * links are reported; without (lumbar build) the body's recorded links
 * give the same errors, and none of the layout's. The index the render
 * used is the one links_check takes; a file added to it (an image copy)
 * is a link's target like any other. */
static void check_site(site *s, const tpl_set *tpl, bool theme_links, diag_list *dl)
{
    strbuf sb = STRBUF_INIT;
    render_stats rs = {0};
    links_index *idx = NULL;
    render_options ro = {.out = NULL, .jobs = 2, .keep_ids = true, .scan_links = true, .theme_links = theme_links,
                         .links_out = &idx};
    CHECK(render_pages(s, tpl, &ro, &rs, dl));
    CHECK(idx != NULL);
    CHECK_INT(rs.pages, 7); /* home, about, guide and its page 2, first, second, 404 */
    CHECK_STR(fx_diags(dl, &sb), "");
    const page *about = site_page_by_path(s, "about.md");
    CHECK(about && about->ids && about->ids->u.list.len == 1);
    links_check(s, idx, theme_links, dl);
    diag_sort(dl);
    char *want = expected(theme_links, NULL);
    CHECK_STR(fx_diags(dl, &sb), want);
    free(want);
    diag_list_clear(dl);
    value *files = value_list();
    value_list_push(files, value_str("img/none.png"));
    links_index_add_files(idx, files);
    links_check(s, idx, theme_links, dl);
    diag_sort(dl);
    want = expected(theme_links, "'/img/none.png'");
    CHECK_STR(fx_diags(dl, &sb), want);
    CHECK(strstr(want_diags, "'/img/none.png'") && !strstr(want, "'/img/none.png'"));
    free(want);
    value_free(files);
    links_index_free(idx);
    diag_list_clear(dl);
    strbuf_free(&sb);
}

static void test_site(void)
{
    diag_list dl = DIAG_LIST_INIT;
    fx_site fs = fx_load(ini, root, 1704067200, &dl);
    tpl_set *tpl = layouts(&dl);
    CHECK(fs.s != NULL && dl.len == 0);
    if (fs.s && dl.len == 0) {
        check_site(fs.s, tpl, true, &dl);
        check_site(fs.s, tpl, false, &dl);
    }
    diag_list_clear(&dl);
    tpl_set_free(tpl);
    fx_site_free(&fs);
}

int main(void)
{
    test_scan();
    bool written = write_site();
    CHECK(written);
    if (written) {
        test_site();
        CHECK(output_remove_tree(root));
    }
    TEST_END("links");
}
