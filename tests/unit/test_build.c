/* Unit tests for build.c: whole builds of a tiny site in a fresh folder
 * under /tmp (removed at the end), through build_run.
 *
 * Covered: a first build (pages, assets, the site files, the stats, the
 * uncited-reference warning); a failed build (a bad date, reported at its
 * line and column) and a --strict build with a warning, each leaving the
 * previous output byte for byte; the previous output replaced by the next
 * good build, an old page pruned; `lumbar check` (write false) writing
 * nothing; the rebuild cache reusing unchanged pages; and a config.ini
 * error stopping the build before anything else. */
#include "harness.h"
#include "fixture.h"

#include <dirent.h>
#include <sys/stat.h>

#include "build.h"
#include "fs.h"
#include "output.h"

static char root[200];
static char out_dir[300];

#define TODAY 1735689600LL

static void write_site(void)
{
    fx_put(root, "config.ini", "[site]\ntitle = Build test\nbase_url = https://example.org/\n");
    fx_mkdir(root, "content");
    fx_mkdir(root, "layouts");
    fx_mkdir(root, "assets");
    fx_mkdir(root, "assets/css");
    fx_put(root, "layouts/home.html",
           "<h1>{{title}}</h1>\n{{{content}}}{{#references}}<p id=\"{{anchor}}\">{{title}}</p>{{/references}}\n");
    fx_put(root, "layouts/page.html", "<title>{{title}}</title>\n{{{content}}}");
    fx_put(root, "layouts/404.html", "Not here.\n");
    fx_put(root, "assets/css/site.css", "body { margin: 0 }\n");
    fx_put(root, "content/_index.md", "---\ntitle: Home\n---\nWelcome [@cited].\n");
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\ndate: 2024-01-02\n---\nAbout us.\n");
    fx_put(root, "content/old.md", "---\ntitle: Old\ndescription: d\n---\nGoing soon.\n");
    fx_put(root, "content/references.yaml",
           "cited:\n  authors: A\n  title: T\n  journal: J\n  year: 2020\n  url: https://example.org/a\n"
           "uncited:\n  authors: B\n  title: U\n  journal: J\n  year: 2021\n  url: https://example.org/b\n");
}

static build_options options(void)
{
    return (build_options){.site_dir = root, .out_dir = out_dir, .write = true, .jobs = 2, .now = TODAY};
}

/* Every path under dir with its bytes, in name order, hidden staging aside. */
static void snapshot_tree(const char *dir, const char *rel, strbuf *sb)
{
    strbuf path = STRBUF_INIT;
    strbuf_printf(&path, "%s%s%s", dir, *rel ? "/" : "", rel);
    struct dirent **names = NULL;
    int n = scandir(path.data, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (strcmp(name, ".") && strcmp(name, "..")) {
            strbuf child = STRBUF_INIT, full = STRBUF_INIT;
            strbuf_printf(&child, "%s%s%s", rel, *rel ? "/" : "", name);
            strbuf_printf(&full, "%s/%s", dir, child.data);
            struct stat st;
            if (lstat(full.data, &st) == 0 && S_ISDIR(st.st_mode)) {
                strbuf_printf(sb, "%s/\n", child.data);
                snapshot_tree(dir, child.data, sb);
            } else {
                strbuf_printf(sb, "%s: ", child.data);
                fs_read_file(full.data, false, sb);
                strbuf_putc(sb, '\n');
            }
            strbuf_free(&child);
            strbuf_free(&full);
        }
        free(names[i]);
    }
    free(names);
    strbuf_free(&path);
}

static const char *tree(strbuf *sb)
{
    strbuf_reset(sb);
    snapshot_tree(out_dir, "", sb);
    return strbuf_cstr(sb);
}

static bool out_has(const char *rel)
{
    strbuf path = STRBUF_INIT;
    strbuf_printf(&path, "%s/%s", out_dir, rel);
    struct stat st;
    bool found = stat(path.data, &st) == 0;
    strbuf_free(&path);
    return found;
}

static void test_first_build(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    build_options bo = options();
    build_stats st;
    CHECK(build_run(&bo, &st, &dl));
    CHECK_STR(fx_diags(&dl, &sb), "content/references.yaml:8:1: warning: reference 'uncited' is not cited by any page\n");
    CHECK_INT(st.pages, 4); /* home, about, old, 404 */
    CHECK_INT(st.assets, 1);
    CHECK_INT(st.reused, 0);
    const char *want[] = {".lumbar", "index.html", "about/index.html", "old/index.html", "404.html",
                          "css/site.css", "sitemap.xml", NULL};
    for (const char *const *w = want; *w; w++)
        if (!out_has(*w)) {
            CHECK(!"a file of the first build");
            fprintf(stderr, "  missing: %s\n", *w);
        }
    strbuf path = STRBUF_INIT, text = STRBUF_INIT;
    strbuf_printf(&path, "%s/about/index.html", out_dir);
    fs_read_file(path.data, false, &text);
    CHECK_STR(strbuf_cstr(&text), "<title>About</title>\n<p>About us.</p>\n");
    strbuf_free(&path);
    strbuf_free(&text);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* A failed build, whatever made it fail, leaves the output as it was. */
static void test_failed_builds_keep_output(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf before = STRBUF_INIT, sb = STRBUF_INIT;
    tree(&before);
    CHECK(strstr(before.data, "old/index.html: ") != NULL);
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\ndate: 2024-02-30\n---\nChanged.\n");
    build_options bo = options();
    build_stats st;
    CHECK(!build_run(&bo, &st, &dl));
    CHECK(strstr(fx_diags(&dl, &sb), "content/about.md:4:7: error: ") != NULL);
    CHECK_STR(tree(&sb), before.data);
    /* --strict: the uncited reference's warning is an error. */
    diag_list_clear(&dl);
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\ndate: 2024-02-03\n---\nChanged.\n");
    bo.strict = true;
    CHECK(!build_run(&bo, &st, &dl));
    CHECK_STR(fx_diags(&dl, &sb), "content/references.yaml:8:1: error: reference 'uncited' is not cited by any page\n");
    CHECK_STR(tree(&sb), before.data);
    /* A broken layout. */
    diag_list_clear(&dl);
    bo.strict = false;
    fx_put(root, "layouts/page.html", "{{#open}}never closed\n");
    CHECK(!build_run(&bo, &st, &dl));
    CHECK(strstr(fx_diags(&dl, &sb), "layouts/page.html:1:") != NULL);
    CHECK_STR(tree(&sb), before.data);
    fx_put(root, "layouts/page.html", "<title>{{title}}</title>\n{{{content}}}");
    /* Then a good build replaces it, without the page that went away. */
    diag_list_clear(&dl);
    strbuf old = STRBUF_INIT;
    strbuf_printf(&old, "%s/content/old.md", root);
    remove(old.data);
    strbuf_free(&old);
    CHECK(build_run(&bo, &st, &dl));
    CHECK_INT(st.pages, 3);
    CHECK(!out_has("old/index.html") && !out_has("old"));
    strbuf path = STRBUF_INIT;
    strbuf_printf(&path, "%s/about/index.html", out_dir);
    strbuf_reset(&sb);
    fs_read_file(path.data, false, &sb);
    CHECK_STR(strbuf_cstr(&sb), "<title>About</title>\n<p>Changed.</p>\n");
    strbuf_free(&path);
    diag_list_clear(&dl);
    strbuf_free(&before);
    strbuf_free(&sb);
}

/* lumbar check renders everything and writes nothing. */
static void test_check_writes_nothing(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    char check_out[400];
    snprintf(check_out, sizeof check_out, "%s/not-written", root);
    build_options bo = options();
    bo.out_dir = check_out;
    bo.write = false;
    build_stats st;
    CHECK(build_run(&bo, &st, &dl));
    CHECK_STR(fx_diags(&dl, &sb), "content/references.yaml:8:1: warning: reference 'uncited' is not cited by any page\n");
    CHECK_INT(st.pages, 3);
    struct stat s;
    CHECK(stat(check_out, &s) != 0);
    /* Links are checked only here. */
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\n---\nSee [gone](nowhere.md).\n");
    diag_list_clear(&dl);
    CHECK(!build_run(&bo, &st, &dl));
    CHECK(strstr(fx_diags(&dl, &sb), "content/about.md:5:5: error: ") != NULL);
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\ndate: 2024-02-03\n---\nChanged.\n");
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

static void test_cache(void)
{
    diag_list dl = DIAG_LIST_INIT;
    build_options bo = options();
    bo.cache = build_cache_new();
    build_stats st;
    CHECK(build_run(&bo, &st, &dl));
    CHECK_INT(st.reused, 0);
    CHECK(build_run(&bo, &st, &dl));
    CHECK_INT(st.reused, 3); /* every page */
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\ndate: 2024-02-03\n---\nChanged again.\n");
    CHECK(build_run(&bo, &st, &dl));
    CHECK_INT(st.reused, 2);
    /* A layout change renders every page again. */
    fx_put(root, "layouts/page.html", "<title>{{title}}!</title>\n{{{content}}}");
    CHECK(build_run(&bo, &st, &dl));
    CHECK_INT(st.reused, 0);
    build_cache_free(bo.cache);
    build_cache_free(NULL);
    diag_list_clear(&dl);
}

static void test_bad_config(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf before = STRBUF_INIT, sb = STRBUF_INIT;
    tree(&before);
    fx_put(root, "config.ini", "[site\ntitle = x\n");
    build_options bo = options();
    build_stats st;
    CHECK(!build_run(&bo, &st, &dl));
    CHECK(strstr(fx_diags(&dl, &sb), "config.ini:1: error: not valid INI syntax") != NULL);
    CHECK_INT(st.pages, 0);
    CHECK_STR(tree(&sb), before.data);
    diag_list_clear(&dl);
    strbuf_free(&before);
    strbuf_free(&sb);
}

int main(void)
{
    if (!th_tmpdir("build", root, sizeof root)) {
        CHECK(!"a temporary folder");
        TEST_END("build");
    }
    snprintf(out_dir, sizeof out_dir, "%s/public", root);
    write_site();
    test_first_build();
    test_failed_builds_keep_output();
    test_check_writes_nothing();
    test_cache();
    test_bad_config();
    output_remove_tree(root);
    TEST_END("build");
}
