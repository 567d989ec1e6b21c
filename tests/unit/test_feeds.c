/* Unit tests for feeds.c, on a small site written to a fresh folder under
 * /tmp (removed at the end) and loaded the way build.c does: config_parse,
 * refs_new, site_load, a tpl_set of one-line layouts, render_pages (which
 * marks pages rendered), then the feeds into an output from output_begin.
 *
 * Covered: sitemap.xml listing every rendered page but 404 and aliases, in
 * URL order, with the base URL's sub-path and lastmod from updated or date;
 * atom.xml holding the 20 newest of 25 articles, newest first, its updated
 * time from the entries shown, and XML escaping (& < > " ' and control
 * characters) in titles, descriptions and the site's own fields; robots.txt
 * naming the sitemap; the search index (the manifest, a page's result text
 * with JSON escaping, a term's postings, shards that split when they grow
 * past SHARD_TARGET); the built-in alias redirect page. */
#include "harness.h"
#include "fixture.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "config.h"
#include "feeds.h"
#include "fs.h"
#include "output.h"
#include "refs.h"
#include "render.h"
#include "site.h"
#include "template.h"

static char root[200], site_dir[210], pub[224];

static const char *const ini = "[site]\ntitle = Tom & Jerry's <\"Back\"> Site\n"
                               "description = Pain > gain & more\x01\xff\n"
                               "base_url = https://example.org/sub\nlanguage = en-GB\n";

static void put_in(const char *rel, const char *text) { fx_put(site_dir, rel, text); }

static void slurp(const char *rel, strbuf *out)
{
    strbuf p = STRBUF_INIT;
    strbuf_printf(&p, "%s/%s", pub, rel);
    strbuf_reset(out);
    fs_read_file(p.data, false, out);
    strbuf_free(&p);
}

/* Article n (1..25) is dated 2024-01-n; a07 and a05 were updated later. */
static void write_article(int n)
{
    strbuf rel = STRBUF_INIT, text = STRBUF_INIT;
    strbuf_printf(&rel, "content/news/a%02d.md", n);
    if (n == 25)
        strbuf_puts(&text, "---\ntitle: 'Fish & chips <b> \"best\" it''s'\ndescription: 'a < b > c & \"d\"'\n");
    else
        strbuf_printf(&text, "---\ntitle: Article %02d\ndescription: Description %02d\n", n, n);
    strbuf_printf(&text, "date: 2024-01-%02d\n", n);
    if (n == 7)
        strbuf_puts(&text, "updated: 2024-03-01\n");
    if (n == 5)
        strbuf_puts(&text, "updated: 2025-01-01\n");
    strbuf_puts(&text, n == 25 ? "---\n## Salt & vinegar > ketchup\n\nBody.\n" : "---\nBody.\n");
    put_in(rel.data, text.data);
    strbuf_free(&rel);
    strbuf_free(&text);
}

static bool write_site(void)
{
    if (!th_tmpdir("feeds", root, sizeof root))
        return false;
    snprintf(site_dir, sizeof site_dir, "%s/site", root);
    snprintf(pub, sizeof pub, "%s/public", root);
    mkdir(site_dir, 0755);
    strbuf p = STRBUF_INIT;
    strbuf_printf(&p, "%s/content", site_dir);
    mkdir(p.data, 0755);
    strbuf_puts(&p, "/news");
    mkdir(p.data, 0755);
    strbuf_free(&p);
    put_in("content/_index.md", "---\ntitle: Home\ndescription: The home page.\n---\nWelcome.\n");
    /* 3,000 words that start with z: over a shard's SHARD_TARGET bytes. */
    strbuf about = STRBUF_INIT;
    strbuf_puts(&about, "---\ntitle: About\ndescription: About us.\ndate: 2024-02-01\n"
                        "aliases: [/old-about/]\n---\nAbout.");
    for (int w = 0; w < 3000; w++)
        strbuf_printf(&about, " z%c%c%c", 'a' + w / 676, 'a' + w / 26 % 26, 'a' + w % 26);
    strbuf_puts(&about, "\n");
    put_in("content/about.md", about.data);
    strbuf_free(&about);
    put_in("content/news/_index.md", "---\ntitle: News\ndescription: All the news.\n---\nNews.\n");
    for (int n = 1; n <= 25; n++)
        write_article(n);
    return true;
}

static tpl_set *layouts(diag_list *dl)
{
    static const char *const names[] = {"home", "section", "article", "page", "404"};
    tpl_set *tpl = tpl_set_new();
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        tpl_set_add(tpl, names[i], names[i], "{{title}}", 9, dl);
    return tpl;
}

/* Loads, renders and writes the feeds, as build.c does; true when every
 * step succeeded without diagnostics. */
static bool build(int jobs)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    fx_site fs = fx_load(ini, site_dir, 1700000000, &dl);
    site *s = fs.s;
    tpl_set *tpl = layouts(&dl);
    output *out = s ? output_begin(site_dir, pub, false, &dl) : NULL;
    render_stats rs = {0};
    render_options ro = {.out = out, .jobs = jobs};
    bool ok = out && render_pages(s, tpl, &ro, &rs, &dl);
    CHECK_INT(rs.pages, 29); /* 25 articles, home, news, about, 404 */
    ok = ok && feeds_write_site_files(s, tpl, out, &dl) && feeds_write_search_index(s, out, jobs, false, &dl);
    ok = ok && output_commit(out, &dl);
    if (!ok)
        output_abort(out);
    CHECK_STR(fx_diags(&dl, &sb), "");
    diag_list_clear(&dl);
    strbuf_free(&sb);
    tpl_set_free(tpl);
    fx_site_free(&fs);
    return ok;
}

static void test_sitemap(void)
{
    strbuf got = STRBUF_INIT, want = STRBUF_INIT;
    slurp("sitemap.xml", &got);
    strbuf_puts(&want, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
                       "  <url><loc>https://example.org/sub/</loc></url>\n"
                       "  <url><loc>https://example.org/sub/about/</loc><lastmod>2024-02-01</lastmod></url>\n"
                       "  <url><loc>https://example.org/sub/news/</loc></url>\n");
    for (int n = 1; n <= 25; n++) {
        char day[16];
        snprintf(day, sizeof day, "2024-01-%02d", n);
        strbuf_printf(&want, "  <url><loc>https://example.org/sub/news/a%02d/</loc><lastmod>%s</lastmod></url>\n", n,
                      n == 5 ? "2025-01-01" : n == 7 ? "2024-03-01" : day);
    }
    strbuf_puts(&want, "</urlset>\n");
    CHECK_STR(got.data, want.data);
    CHECK(got.data && !strstr(got.data, "404") && !strstr(got.data, "old-about"));
    strbuf_free(&got);
    strbuf_free(&want);
}

/* The article slugs of the feed's entries, in order: "a25 a24 ...". */
static void entry_order(const char *xml, strbuf *out)
{
    strbuf_reset(out);
    for (const char *p = xml; (p = strstr(p, "<id>https://example.org/sub/news/")) != NULL; p++)
        strbuf_printf(out, "%s%.3s", out->len ? " " : "", p + strlen("<id>https://example.org/sub/news/"));
}

static void test_atom(void)
{
    strbuf got = STRBUF_INIT, order = STRBUF_INIT, want = STRBUF_INIT;
    slurp("atom.xml", &got);
    const char *xml = strbuf_cstr(&got);
    entry_order(xml, &order);
    for (int n = 25; n > 5; n--)
        strbuf_printf(&want, "%sa%02d", n == 25 ? "" : " ", n);
    CHECK_STR(order.data, want.data);
    size_t entries = 0;
    for (const char *p = xml; (p = strstr(p, "<entry>")) != NULL; p++)
        entries++;
    CHECK_INT(entries, FEED_ENTRIES);
    CHECK(strstr(xml, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en-GB\">\n"
                      "  <title>Tom &amp; Jerry&#39;s &lt;&quot;Back&quot;&gt; Site</title>\n"
                      "  <subtitle>Pain &gt; gain &amp; more\xEF\xBF\xBD</subtitle>\n") != NULL);
    CHECK(strstr(xml, "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://example.org/sub/atom.xml\"/>"));
    /* a07's update counts; a05's later one does not: a05 is not in the feed. */
    CHECK(strstr(xml, "  <id>https://example.org/sub/</id>\n  <updated>2024-03-01T00:00:00Z</updated>\n"));
    CHECK(strstr(xml, "  <entry>\n    <title>Fish &amp; chips &lt;b&gt; &quot;best&quot; it&#39;s</title>\n"
                      "    <link rel=\"alternate\" type=\"text/html\" href=\"https://example.org/sub/news/a25/\"/>\n"));
    CHECK(strstr(xml, "<summary>a &lt; b &gt; c &amp; &quot;d&quot;</summary>\n    <category term=\"news\"/>\n"));
    CHECK(strstr(xml, "/a07/</id>\n    <published>2024-01-07T00:00:00Z</published>\n"
                      "    <updated>2024-03-01T00:00:00Z</updated>\n"));
    CHECK(got.len > 0 && !strchr(xml, '\x01') && !strstr(xml, "\xff"));
    strbuf_free(&got);
    strbuf_free(&order);
    strbuf_free(&want);
}

static void test_robots_alias(void)
{
    strbuf got = STRBUF_INIT;
    slurp("robots.txt", &got);
    CHECK_STR(got.data, "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sub/sitemap.xml\n");
    slurp("old-about/index.html", &got);
    CHECK(strstr(strbuf_cstr(&got), "<link rel=\"canonical\" href=\"https://example.org/sub/about/\">\n"
                                    "<meta http-equiv=\"refresh\" content=\"0; url=/sub/about/\">"));
    CHECK(strstr(strbuf_cstr(&got), "<html lang=\"en-GB\">"));
    strbuf_free(&got);
}

/* The manifest; the result text of page a25 (its number: its place among
 * content paths, after _index.md, about.md, news/_index.md and a01-a24);
 * its word "salt" in the shard of "s"; the z words of the about page split
 * into shards by their first two letters. */
static void test_search_index(void)
{
    strbuf got = STRBUF_INIT;
    slurp("search.json", &got);
    const char *json = strbuf_cstr(&got);
    CHECK(!strncmp(json, "{\"format\":1,\"version\":\"", 23));
    CHECK(strstr(json, "\"docs\":28,\"keys\":[\n\"0\",\n\"1\",\n\"2\",\n\"a\",\n"));
    CHECK(strstr(json, "\n\"s\",\n") && strstr(json, "\n\"za\",\n") && strstr(json, "\n\"ze\"\n]}\n"));
    CHECK(!strstr(json, "\n\"z\""));
    slurp("search/d/0/27.json", &got);
    CHECK_STR(got.data, "{\"t\":\"Fish \\u0026 chips \\u003cb\\u003e \\\"best\\\" it's\",\"u\":\"/sub/news/a25/\","
                        "\"s\":\"News\",\"d\":\"a \\u003c b \\u003e c \\u0026 \\\"d\\\"\","
                        "\"x\":\"Body. \"}\n"); /* headings are not in the text */
    slurp("search/s/73.json", &got);
    /* 28 from -1 is digit 's'; then a score */
    CHECK(got.data && strstr(got.data, "\n\"salt\":\"s") && strstr(got.data, "\n\"salt\":\"s")[11] == '"');
    int shards = 0;
    for (char c = 'a'; c <= 'z'; c++) {
        strbuf path = STRBUF_INIT;
        strbuf_printf(&path, "search/s/7a%02x.json", (unsigned)c);
        slurp(path.data, &got);
        if (got.len) {
            shards++;
            CHECK(got.len <= 32768);
            CHECK(strstr(got.data, "\n\"z") != NULL);
        }
        strbuf_free(&path);
    }
    CHECK_INT(shards, 5); /* za to ze */
    strbuf_free(&got);
}

/* Appends every file under pub/rel, by name, with its bytes. */
static void snapshot(const char *rel, strbuf *out)
{
    strbuf dir = STRBUF_INIT, text = STRBUF_INIT;
    strbuf_printf(&dir, "%s/%s", pub, rel);
    size_t n;
    fs_kind *kinds;
    char **names = fs_list_dir_all(dir.data, &n, &kinds);
    for (size_t i = 0; i < n; i++) {
        strbuf child = STRBUF_INIT;
        strbuf_printf(&child, "%s/%s", rel, names[i]);
        if (kinds[i] == FS_DIR) {
            snapshot(child.data, out);
        } else {
            slurp(child.data, &text);
            strbuf_printf(out, "== %s (%zu bytes)\n", child.data, text.len);
            strbuf_append(out, text.data, text.len);
        }
        strbuf_free(&child);
    }
    free(kinds);
    fs_names_free(names, n);
    strbuf_free(&dir);
    strbuf_free(&text);
}

/* The search index is gathered and encoded on several threads: its files
 * are the same for any number of them. */
static void test_search_any_jobs(void)
{
    strbuf one = STRBUF_INIT, more = STRBUF_INIT;
    CHECK(build(1));
    snapshot("search", &one);
    CHECK(one.len > 1000 && strstr(one.data, "== search/s/73.json"));
    static const int jobs[] = {2, 3, 7};
    for (size_t k = 0; k < sizeof jobs / sizeof *jobs; k++) {
        CHECK(build(jobs[k]));
        strbuf_reset(&more);
        snapshot("search", &more);
        CHECK_INT(more.len, one.len);
        CHECK(!strcmp(more.data, one.data));
    }
    strbuf_free(&one);
    strbuf_free(&more);
}

int main(void)
{
    CHECK(write_site());
    if (th_failed)
        TEST_END("feeds");
    bool built = build(2);
    CHECK(built);
    if (built) {
        test_sitemap();
        test_atom();
        test_robots_alias();
        test_search_index();
        test_search_any_jobs();
    }
    CHECK(output_remove_tree(root));
    TEST_END("feeds");
}
