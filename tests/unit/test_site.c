/* Unit tests for site.c through site.h, on a small site written to a fresh
 * folder under /tmp (removed at the end) and loaded as build.c does:
 * config_parse, refs_new, site_load.
 *
 * Covered: a section's article order (weight first, then newest, then
 * title); prev/next in each page's ctx, within its section only; drafts
 * left out (listed in s->drafts) unless site_options.drafts; tags
 * grouped by slug across spellings, with names, counts, per-spelling
 * tag_list entries and tag pages; pagination with page_size (section and
 * tag page 2, a tag's page 2 keeping its title and tag); aliases recorded
 * with their position; next_review from last_reviewed + interval_months
 * (clamped to the month's end), an explicit next_review kept, a reviewed
 * standalone page; the overdue warning, and none for an article pending
 * review (n1.md); a duplicate URL
 * blamed at the later file's slug; content/tags.md taking the generated
 * tags URL; a file with bad front matter left out (listed in s->unloaded,
 * apart from a file that is not there at all); and the same pages and diagnostics with jobs 1 and 4. */
#include "harness.h"
#include "fixture.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "config.h"
#include "output.h"
#include "refs.h"
#include "site.h"

static char root[200];

static const char *const ini = "[site]\ntitle = Site test\nbase_url = https://example.org/\n"
                               "[build]\npage_size = 2\n[review]\ninterval_months = 6\n"
                               "[frontmatter]\nkeys = red_flag_notice, shown\n";

#define TODAY_2025_01_01 1735689600LL
#define REVIEWED "reviewed_by: {name: Ann Lee, role: GP}\nlast_reviewed: 2024-12-01\n"

static void put_in(const char *rel, const char *text) { fx_put(root, rel, text); }

static void make_dir(const char *rel) { fx_mkdir(root, rel); }

static void write_guide(void)
{
    put_in("content/guide/_index.md", "---\ntitle: Guide\n---\n");
    put_in("content/guide/w-two.md", "---\ntitle: Weight two\ndescription: d\ndate: 2020-01-01\nweight: 2\n" REVIEWED
                                     "---\nBody.\n");
    put_in("content/guide/w-one.md", "---\ntitle: Weight one\ndescription: d\ndate: 2019-01-01\nweight: 1\n" REVIEWED
                                     "tags: [Red Flags]\n---\nBody.\n");
    put_in("content/guide/newest.md", "---\ntitle: Newest\ndescription: d\ndate: 2024-05-01\n" REVIEWED
                                      "next_review: 2030-01-01\ntags: [red flags, Sleep]\n---\nBody.\n");
    /* Same date: ordered by title, the opposite of the file names. */
    put_in("content/guide/a.md", "---\ntitle: Beta\ndescription: d\ndate: 2023-06-01\n" REVIEWED
                                 "tags: [red-flags]\n---\nBody.\n");
    put_in("content/guide/b.md", "---\ntitle: Alpha\ndescription: d\ndate: 2023-06-01\n"
                                 "reviewed_by: {name: Ann Lee, role: GP}\nlast_reviewed: 2023-08-31\n---\nBody.\n");
    put_in("content/guide/old.md", "---\ntitle: Old\ndescription: d\ndate: 2021-01-01\n" REVIEWED
                                   "tags: [sleep, SLEEP]\nred_flag_notice: false\nshown: true\n---\nBody.\n");
    put_in("content/guide/draft.md", "---\ntitle: Draft\ndescription: d\ndate: 2024-12-01\n" REVIEWED
                                     "draft: true\n---\nBody.\n");
    put_in("content/guide/broken.md", "---\ntitle: Broken\ndescription: d\ndate: 2023-02-30\n---\nBody.\n");
}

static bool write_site(void)
{
    if (!th_tmpdir("site", root, sizeof root))
        return false;
    make_dir("content");
    make_dir("content/guide");
    make_dir("content/news");
    put_in("content/_index.md", "---\ntitle: Home\n---\nHi.\n");
    put_in("content/about.md", "---\ntitle: About\ndescription: About us.\naliases: [/old-about/, /who]\n"
                               "last_reviewed: 2024-12-20\nreviewed_by: {name: Dr X, role: GP}\n---\nAbout.\n");
    put_in("content/contact.md", "---\ntitle: Contact\ndescription: c\n---\nContact.\n");
    put_in("content/zz-contact.md", "---\ntitle: Contact again\ndescription: c\nslug: contact\n---\nAgain.\n");
    put_in("content/tags.md", "---\ntitle: My tags\ndescription: t\n---\nTags.\n");
    put_in("content/news/_index.md", "---\ntitle: News\n---\n");
    put_in("content/news/n1.md", "---\ntitle: News one\ndescription: d\ndate: 2024-06-01\ntags: [Sleep]\n---\nN.\n");
    write_guide();
    return true;
}

static site *load(const config *cfg, const refs *bib, int jobs, bool drafts, diag_list *dl)
{
    site_options so = {.site_dir = root, .drafts = drafts, .today_unix = TODAY_2025_01_01, .jobs = jobs};
    return site_load(&so, cfg, bib, dl);
}

static page *find_url(const site *s, const char *url)
{
    for (size_t i = 0; i < s->npages; i++)
        if (!strcmp(s->pages[i]->url, url))
            return s->pages[i];
    return NULL;
}

/* A string from a page's ctx by dotted path; "(none)" when unset. */
static const char *ctx_str(const site *s, const char *url, const char *path)
{
    const page *p = find_url(s, url);
    const char *v = p ? value_cstr(value_path(p->ctx, path)) : NULL;
    return v ? v : "(none)";
}

static double ctx_num(const site *s, const char *url, const char *path)
{
    const page *p = find_url(s, url);
    const value *v = p ? value_path(p->ctx, path) : NULL;
    return v && v->kind == V_NUM ? v->u.num : -1;
}

/* "title|title|..." of the summaries in a page's ctx list `name`. */
static const char *list_titles(const site *s, const char *url, const char *name, strbuf *sb)
{
    strbuf_reset(sb);
    const page *p = find_url(s, url);
    const value *list = p ? value_map_get(p->ctx, name) : NULL;
    for (size_t i = 0; list && list->kind == V_LIST && i < list->u.list.len; i++)
        strbuf_printf(sb, "%s%s", i ? "|" : "", value_cstr(value_map_get(list->u.list.items[i], "title")));
    return strbuf_cstr(sb);
}

static const site_section *section(const site *s, const char *name)
{
    for (size_t i = 0; i < s->nsections; i++)
        if (!strcmp(s->sections[i].name, name))
            return &s->sections[i];
    return NULL;
}

static const char *article_order(const site *s, const char *name, strbuf *sb)
{
    strbuf_reset(sb);
    const site_section *sec = section(s, name);
    for (size_t i = 0; sec && i < sec->count; i++)
        strbuf_printf(sb, "%s%s", i ? " " : "", sec->articles[i]->content_path);
    return strbuf_cstr(sb);
}

static void test_order_and_neighbours(const site *s)
{
    strbuf sb = STRBUF_INIT;
    CHECK_STR(article_order(s, "guide", &sb), "guide/w-one.md guide/w-two.md guide/newest.md guide/b.md guide/a.md "
                                              "guide/old.md");
    CHECK_STR(article_order(s, "news", &sb), "news/n1.md");
    CHECK_STR(ctx_str(s, "/guide/w-one/", "prev.title"), "(none)");
    CHECK_STR(ctx_str(s, "/guide/w-one/", "next.url"), "/guide/w-two/");
    CHECK_STR(ctx_str(s, "/guide/b/", "prev.title"), "Newest");
    CHECK_STR(ctx_str(s, "/guide/b/", "prev.url"), "/guide/newest/");
    CHECK_STR(ctx_str(s, "/guide/b/", "next.title"), "Beta");
    CHECK_STR(ctx_str(s, "/guide/old/", "prev.url"), "/guide/a/");
    CHECK_STR(ctx_str(s, "/guide/old/", "next.url"), "(none)");
    /* The newest article of all has no neighbours outside its section. */
    CHECK_STR(ctx_str(s, "/news/n1/", "prev.url"), "(none)");
    CHECK_STR(ctx_str(s, "/news/n1/", "next.url"), "(none)");
    strbuf_free(&sb);
}

/* is_false.NAME tells a key set to false from one left out or set true. */
static void test_is_false(const site *s)
{
    const page *old = find_url(s, "/guide/old/");
    const page *one = find_url(s, "/guide/w-one/");
    const value *v = old ? value_path(old->ctx, "is_false.red_flag_notice") : NULL;
    CHECK(v && v->kind == V_BOOL && v->u.b);
    CHECK(old && !value_path(old->ctx, "is_false.shown"));
    CHECK(one && value_path(one->ctx, "is_false") && !value_path(one->ctx, "is_false.red_flag_notice"));
}

static void test_drafts_and_broken(const site *s)
{
    CHECK(find_url(s, "/guide/draft/") == NULL);
    CHECK(site_page_by_path(s, "guide/draft.md") == NULL);
    CHECK(path_list_has(&s->drafts, "guide/draft.md"));
    CHECK(!path_list_has(&s->drafts, "guide/a.md"));
    CHECK(!path_list_has(&s->drafts, "guide/broken.md"));
    CHECK(find_url(s, "/guide/broken/") == NULL);
    CHECK(path_list_has(&s->unloaded, "guide/broken.md"));
    CHECK(!path_list_has(&s->unloaded, "guide/missing.md") && !path_list_has(&s->drafts, "guide/missing.md"));
    CHECK(site_page_by_path(s, "guide/missing.md") == NULL);
    const page *a = site_page_by_path(s, "guide/a.md");
    CHECK_STR(a ? a->url : NULL, "/guide/a/");
    CHECK(site_page_by_path(s, "guide/broken.md") == NULL);
    CHECK_INT(s->unloaded.len, 1);
    CHECK_INT(s->drafts.len, 1);
}

static void test_tags(const site *s)
{
    strbuf sb = STRBUF_INIT;
    CHECK_INT(s->ntags, 2);
    if (s->ntags == 2) {
        CHECK_STR(s->tags[0].slug, "red-flags");
        CHECK_STR(s->tags[0].name, "red flags"); /* as the newest page wrote it */
        CHECK_INT(s->tags[0].count, 3);
        CHECK_STR(s->tags[1].slug, "sleep");
        CHECK_STR(s->tags[1].name, "Sleep");
        CHECK_INT(s->tags[1].count, 3); /* old.md's two spellings count once */
        CHECK(s->tags[1].count == 3 && s->tags[1].pages[2] == find_url(s, "/guide/old/"));
    }
    CHECK_INT(s->ntag_entries, 6); /* one per spelling: Red Flags, red-flags, red flags, Sleep, sleep, SLEEP */
    const page *w1 = find_url(s, "/guide/w-one/");
    const value *tl = w1 ? value_map_get(w1->ctx, "tag_list") : NULL;
    CHECK(tl && tl->kind == V_LIST && tl->u.list.len == 1);
    if (tl && tl->kind == V_LIST && tl->u.list.len == 1) {
        CHECK_STR(value_cstr(value_map_get(tl->u.list.items[0], "name")), "Red Flags");
        CHECK_STR(value_cstr(value_map_get(tl->u.list.items[0], "url")), "/tags/red-flags/");
        /* written with capitals: shown as written */
        CHECK_STR(value_cstr(value_map_get(tl->u.list.items[0], "title")), "Red Flags");
    }
    CHECK_STR(ctx_str(s, "/tags/red-flags/", "title"), "red flags");
    /* all lower case: a display name with a capital and no hyphens */
    CHECK_STR(value_cstr(value_path(find_url(s, "/tags/red-flags/")->ctx, "tag.title")), "Red flags");
    const value *site_tags = value_path(s->site_ctx, "site.tags");
    CHECK(site_tags && site_tags->kind == V_LIST && site_tags->u.list.len == 2);
    if (site_tags && site_tags->kind == V_LIST && site_tags->u.list.len == 2)
        CHECK_STR(value_cstr(value_map_get(site_tags->u.list.items[0], "title")), "Red flags");
    const page *beta = find_url(s, "/guide/a/");
    const value *beta_tags = beta ? value_map_get(beta->ctx, "tag_list") : NULL;
    CHECK(beta_tags && beta_tags->kind == V_LIST && beta_tags->u.list.len == 1);
    if (beta_tags && beta_tags->kind == V_LIST && beta_tags->u.list.len == 1)
        CHECK_STR(value_cstr(value_map_get(beta_tags->u.list.items[0], "title")), "Red flags"); /* red-flags */
    CHECK_STR(list_titles(s, "/tags/red-flags/", "pages", &sb), "Newest|Beta");
    CHECK_STR(list_titles(s, "/tags/sleep/", "pages", &sb), "News one|Newest");
    size_t at_tags = 0, tags_pages = 0;
    for (size_t i = 0; i < s->npages; i++) {
        at_tags += !strcmp(s->pages[i]->url, "/tags/");
        tags_pages += s->pages[i]->kind == PAGE_TAGS;
    }
    CHECK_INT(at_tags, 2); /* the generated tags page and content/tags.md */
    CHECK_INT(tags_pages, 1);
    const page *t2 = find_url(s, "/tags/red-flags/page/2/");
    CHECK(t2 && t2->kind == PAGE_TAG && t2->src_path == NULL);
    CHECK_STR(value_cstr(value_path(s->site_ctx, "site.tags_url")), "/tags/");
    strbuf_free(&sb);
}

static void test_pagination(const site *s)
{
    strbuf sb = STRBUF_INIT;
    CHECK_STR(list_titles(s, "/guide/", "pages", &sb), "Weight one|Weight two");
    CHECK_STR(list_titles(s, "/guide/page/2/", "pages", &sb), "Newest|Alpha");
    CHECK_STR(list_titles(s, "/guide/page/3/", "pages", &sb), "Beta|Old");
    CHECK(find_url(s, "/guide/page/4/") == NULL);
    const page *p2 = find_url(s, "/guide/page/2/");
    CHECK(p2 && p2->kind == PAGE_SECTION && !p2->owns_fm && !strcmp(p2->out_path, "guide/page/2/index.html"));
    CHECK_INT(ctx_num(s, "/guide/page/2/", "paginator.current"), 2);
    CHECK_INT(ctx_num(s, "/guide/page/2/", "paginator.total"), 3);
    CHECK_STR(ctx_str(s, "/guide/page/2/", "paginator.prev_url"), "/guide/");
    CHECK_STR(ctx_str(s, "/guide/page/2/", "paginator.next_url"), "/guide/page/3/");
    CHECK_STR(ctx_str(s, "/guide/", "paginator.prev_url"), "(none)");
    CHECK_STR(ctx_str(s, "/news/", "paginator.next_url"), "(none)");
    /* A tag's page 2 keeps the tag's title and values. */
    CHECK_STR(list_titles(s, "/tags/red-flags/page/2/", "pages", &sb), "Weight one");
    CHECK_STR(ctx_str(s, "/tags/red-flags/page/2/", "title"), "red flags");
    CHECK_STR(ctx_str(s, "/tags/red-flags/page/2/", "tag.name"), "red flags");
    CHECK_STR(ctx_str(s, "/tags/red-flags/page/2/", "tag.url"), "/tags/red-flags/");
    CHECK_INT(ctx_num(s, "/tags/red-flags/page/2/", "tag.count"), 3);
    CHECK_STR(list_titles(s, "/tags/sleep/page/2/", "pages", &sb), "Old");
    CHECK_STR(ctx_str(s, "/tags/sleep/page/2/", "paginator.prev_url"), "/tags/sleep/");
    strbuf_free(&sb);
}

static void check_alias(const value *a, const char *from, int line, int col)
{
    CHECK_STR(value_cstr(value_map_get(a, "from")), from);
    CHECK_STR(value_cstr(value_map_get(a, "target")), "/about/");
    CHECK_STR(value_cstr(value_map_get(a, "file")), "content/about.md");
    CHECK_INT(a->line, line);
    CHECK_INT(a->col, col);
}

static void test_aliases_and_reviews(const site *s)
{
    CHECK(s->aliases && s->aliases->u.list.len == 2);
    if (s->aliases && s->aliases->u.list.len == 2) {
        check_alias(s->aliases->u.list.items[0], "old-about/index.html", 4, 11);
        check_alias(s->aliases->u.list.items[1], "who/index.html", 4, 24);
    }
    CHECK_STR(ctx_str(s, "/guide/a/", "next_review"), "2025-06-01");
    CHECK_STR(ctx_str(s, "/guide/a/", "next_review_human"), "1 June 2025");
    CHECK_STR(ctx_str(s, "/guide/b/", "next_review"), "2024-02-29"); /* 31 August + 6 months */
    CHECK_STR(ctx_str(s, "/guide/newest/", "next_review"), "2030-01-01");
    CHECK_STR(ctx_str(s, "/about/", "next_review"), "2025-06-20");
    CHECK_STR(ctx_str(s, "/contact/", "next_review"), "(none)");
    CHECK_STR(ctx_str(s, "/news/n1/", "next_review"), "(none)");
}

static const char *const want_diags =
    "content/guide/broken.md:4:7: error: 'date' must be a real date written YYYY-MM-DD, not '2023-02-30'\n"
    "content/zz-contact.md:4:7: error: URL /contact/ is also the URL of content/contact.md\n"
    "content/tags.md:1:1: error: URL /tags/ is also the URL of the generated tags page\n"
    "content/guide/b.md:6:16: warning: review overdue: next review was due on 2024-02-29\n";

/* Every page's URL, in the site's order. */
static const char *page_urls(const site *s, strbuf *sb)
{
    strbuf_reset(sb);
    for (size_t i = 0; i < s->npages; i++)
        strbuf_printf(sb, "%s ", s->pages[i]->url);
    return strbuf_cstr(sb);
}

static void test_jobs_and_drafts(const config *cfg, const refs *bib, const site *s4, diag_list *dl4)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    site *s1 = load(cfg, bib, 1, false, &dl);
    CHECK(s1 != NULL);
    if (s1) {
        CHECK_STR(page_urls(s1, &a), page_urls(s4, &b));
        CHECK_STR(fx_diags(&dl, &a), fx_diags(dl4, &b));
        CHECK_INT(s1->npages, s4->npages);
    }
    site_free(s1);
    diag_list_clear(&dl);
    site *sd = load(cfg, bib, 4, true, &dl);
    CHECK(sd != NULL);
    if (sd) {
        CHECK_STR(article_order(sd, "guide", &a), "guide/w-one.md guide/w-two.md guide/draft.md guide/newest.md "
                                                  "guide/b.md guide/a.md guide/old.md");
        const page *draft = site_page_by_path(sd, "guide/draft.md");
        CHECK_STR(draft ? draft->url : NULL, "/guide/draft/");
        CHECK(!path_list_has(&sd->drafts, "guide/draft.md"));
        CHECK_STR(ctx_str(sd, "/guide/newest/", "prev.url"), "/guide/draft/");
    }
    site_free(sd);
    diag_list_clear(&dl);
    strbuf_free(&a);
    strbuf_free(&b);
}

static void run(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    config *cfg = config_parse(ini, strlen(ini), "config.ini", &dl);
    refs *bib = refs_new();
    CHECK(cfg != NULL);
    site *s = cfg ? load(cfg, bib, 4, false, &dl) : NULL;
    CHECK(s != NULL); /* still returned, despite the errors */
    if (s) {
        CHECK_STR(fx_diags(&dl, &sb), want_diags);
        test_order_and_neighbours(s);
        test_is_false(s);
        test_drafts_and_broken(s);
        test_tags(s);
        test_pagination(s);
        test_aliases_and_reviews(s);
        test_jobs_and_drafts(cfg, bib, s, &dl);
    }
    site_free(s);
    diag_list_clear(&dl);
    strbuf_free(&sb);
    refs_free(bib);
    config_free(cfg);
}

static const char *page_title_of(const page *p) { return p->fm && p->fm->title ? p->fm->title : ""; }

/* More distinct tags than the tag grouping's first table holds: every tag
 * page, slugs in order, each tag's pages newest first. */
static void test_many_tags(void)
{
    char dir[260];
    snprintf(dir, sizeof dir, "%s/many-tags", root);
    mkdir(dir, 0755);
    fx_mkdir(dir, "content");
    fx_mkdir(dir, "content/notes");
    fx_put(dir, "content/_index.md", "---\ntitle: Home\n---\n");
    fx_put(dir, "content/notes/_index.md", "---\ntitle: Notes\n---\n");
    strbuf older = STRBUF_INIT, newer = STRBUF_INIT, sb = STRBUF_INIT;
    strbuf_puts(&older, "---\ntitle: Older\ndescription: d\ndate: 2020-01-01\n" REVIEWED "tags: [");
    strbuf_puts(&newer, "---\ntitle: Newer\ndescription: d\ndate: 2021-01-01\n" REVIEWED "tags: [");
    for (int t = 0; t < 150; t++) { /* older: t000..t099; newer: t050..t149 */
        if (t < 100)
            strbuf_printf(&older, "%sT%03d", t ? ", " : "", t);
        if (t >= 50)
            strbuf_printf(&newer, "%sT%03d", t > 50 ? ", " : "", t);
    }
    strbuf_puts(&older, "]\n---\nBody.\n");
    strbuf_puts(&newer, "]\n---\nBody.\n");
    fx_put(dir, "content/notes/older.md", older.data);
    fx_put(dir, "content/notes/newer.md", newer.data);
    diag_list dl = DIAG_LIST_INIT;
    fx_site fs = fx_load("[site]\ntitle = T\nbase_url = https://example.org/\n", dir, TODAY_2025_01_01, &dl);
    CHECK_STR(fx_diags(&dl, &sb), "");
    CHECK_INT(fs.s ? fs.s->ntags : 0, 150);
    for (size_t t = 0; fs.s && t < fs.s->ntags && t < 150; t++) {
        char slug[8];
        snprintf(slug, sizeof slug, "t%03zu", t);
        const site_tag *tag = &fs.s->tags[t];
        CHECK_STR(tag->slug, slug);
        CHECK_INT(tag->count, t >= 50 && t < 100 ? 2 : 1);
        CHECK_STR(page_title_of(tag->pages[0]), t >= 50 ? "Newer" : "Older");
        if (tag->count == 2)
            CHECK_STR(page_title_of(tag->pages[1]), "Older");
    }
    fx_site_free(&fs);
    diag_list_clear(&dl);
    strbuf_free(&older);
    strbuf_free(&newer);
    strbuf_free(&sb);
}

/* The review rules as a build applies them: [review] required warns of
 * each published page pending review that gives advice (not an about page
 * or a draft); a review dated after "today" (the build's, not the clock's)
 * is an error; lumbar new's placeholder is an error only once published;
 * [site] contact reaches templates, an email address as a mailto: link,
 * and nothing else is a contact. */
static void test_review_rules(void)
{
    char dir[260];
    snprintf(dir, sizeof dir, "%s/review", root);
    mkdir(dir, 0755);
    fx_mkdir(dir, "content");
    fx_mkdir(dir, "content/s");
    fx_put(dir, "content/_index.md", "---\ntitle: Home\n---\n");
    fx_put(dir, "content/about.md", "---\ntitle: About\ndescription: d\n---\n");
    fx_put(dir, "content/s/_index.md", "---\ntitle: S\nreviewed_by: {name: Ann Lee, role: GP}\n"
                                       "last_reviewed: 2024-12-31\n---\n");
    fx_put(dir, "content/s/pending.md", "---\ntitle: P\ndescription: d\ndate: 2024-01-01\n---\nBody.\n");
    fx_put(dir, "content/s/future.md", "---\ntitle: F\ndescription: d\ndate: 2024-01-01\n"
                                       "reviewed_by: {name: Ann Lee, role: GP}\nlast_reviewed: 2025-01-02\n---\nB.\n");
    fx_put(dir, "content/s/draft.md", "---\ntitle: D\ndescription: \"" FM_PLACEHOLDER ": x\"\ndate: 2024-01-01\n"
                                      "draft: true\n---\n" FM_PLACEHOLDER ": write\n");
    fx_put(dir, "content/s/scaffold.md", "---\ntitle: Sc\ndescription: d\ndate: 2024-01-01\n---\n\n"
                                         FM_PLACEHOLDER ": write the introduction here.\n");
    const char *review_ini = "[site]\ntitle = T\nbase_url = https://example.org/\ncontact = fix@example.org\n"
                      "[review]\nrequired = true\n";
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    fx_site fs = fx_load(review_ini, dir, TODAY_2025_01_01, &dl);
    CHECK(fs.s != NULL);
    CHECK_STR(fx_diags(&dl, &sb),
              "content/s/future.md:6:16: error: 'last_reviewed' 2025-01-02 is in the future (today is 2025-01-01)\n"
              "content/s/scaffold.md:7:1: error: placeholder text from 'lumbar new' in a published page: replace it, "
              "or keep 'draft: true'\n"
              "content/_index.md:1:1: warning: page is pending clinical review, and config.ini's [review] required is true\n"
              "content/s/pending.md:1:1: warning: page is pending clinical review, and config.ini's [review] required is true\n"
              "content/s/scaffold.md:1:1: warning: page is pending clinical review, and config.ini's [review] required is true\n");
    if (fs.s) {
        CHECK_STR(value_cstr(value_path(fs.s->site_ctx, "site.contact")), "fix@example.org");
        CHECK_STR(value_cstr(value_path(fs.s->site_ctx, "site.contact_href")), "mailto:fix@example.org");
    }
    fx_site_free(&fs);
    diag_list_clear(&dl);

    /* Off by default: a pending site is not warned about. */
    fx_put(dir, "content/s/future.md", "---\ntitle: F\ndescription: d\ndate: 2024-01-01\n---\nB.\n");
    fx_put(dir, "content/s/scaffold.md", "---\ntitle: Sc\ndescription: d\ndate: 2024-01-01\n---\nB.\n");
    review_ini = "[site]\ntitle = T\nbase_url = https://example.org/\ncontact = https://example.org/report/\n";
    fs = fx_load(review_ini, dir, TODAY_2025_01_01, &dl);
    CHECK_STR(fx_diags(&dl, &sb), "");
    if (fs.s)
        CHECK_STR(value_cstr(value_path(fs.s->site_ctx, "site.contact_href")), "https://example.org/report/");
    fx_site_free(&fs);
    diag_list_clear(&dl);

    /* The contact lands in an href: only an email address or an http(s) URL. */
    static const char *const bad_contacts[] = {"x\" onclick=\"alert(1)@e.org", "javascript:alert(1)", "someone"};
    for (size_t i = 0; i < sizeof bad_contacts / sizeof *bad_contacts; i++) {
        strbuf bad_ini = STRBUF_INIT, want = STRBUF_INIT;
        strbuf_printf(&bad_ini, "[site]\ntitle = T\nbase_url = https://example.org/\ncontact = %s\n[review]\n"
                            "require_names = maybe\n", bad_contacts[i]);
        strbuf_printf(&want, "config.ini:4: error: contact must be an email address or an http(s) URL where readers "
                             "report a problem, not '%s'\nconfig.ini:6: error: require_names must be true or false, "
                             "not 'maybe'\n", bad_contacts[i]);
        config *bad = config_parse(bad_ini.data, bad_ini.len, "config.ini", &dl);
        CHECK(bad == NULL);
        CHECK_STR(fx_diags(&dl, &sb), want.data);
        config_free(bad);
        diag_list_clear(&dl);
        strbuf_free(&bad_ini);
        strbuf_free(&want);
    }
    strbuf_free(&sb);
}

/* Scheduled publishing: a page dated after today waits (unless future),
 * one whose expires date has come is gone; both are listed, not built. */
static void test_scheduled(void)
{
    char dir[260];
    snprintf(dir, sizeof dir, "%s/scheduled", root);
    mkdir(dir, 0755);
    fx_mkdir(dir, "content");
    fx_mkdir(dir, "content/news");
    fx_put(dir, "content/_index.md", "---\ntitle: Home\n---\n");
    fx_put(dir, "content/news/_index.md", "---\ntitle: News\n---\n");
    fx_put(dir, "content/news/now.md", "---\ntitle: Now\ndescription: d\ndate: 2025-01-01\nexpires: 2025-01-02\n---\nB.\n");
    fx_put(dir, "content/news/later.md", "---\ntitle: Later\ndescription: d\ndate: 2025-01-02\n---\nB.\n");
    fx_put(dir, "content/news/gone.md", "---\ntitle: Gone\ndescription: d\ndate: 2024-01-01\nexpires: 2025-01-01\n---\nB.\n");
    const char *site_ini = "[site]\ntitle = T\nbase_url = https://example.org/\n";
    diag_list dl = DIAG_LIST_INIT;
    config *cfg = config_parse(site_ini, strlen(site_ini), "config.ini", &dl);
    refs *bib = refs_new();
    for (int future = 0; cfg && future <= 1; future++) {
        site_options so = {.site_dir = dir, .future = future, .today_unix = TODAY_2025_01_01, .jobs = 2};
        site *s = site_load(&so, cfg, bib, &dl);
        CHECK(s && diag_count(&dl, DIAG_ERROR) == 0);
        CHECK(s && site_page_by_path(s, "news/now.md") != NULL);
        CHECK(s && (site_page_by_path(s, "news/later.md") != NULL) == (future == 1));
        CHECK(s && path_list_has(&s->scheduled, "news/later.md") == (future == 0));
        CHECK(s && !site_page_by_path(s, "news/gone.md") && path_list_has(&s->expired, "news/gone.md"));
        CHECK_INT(s ? s->expired.len : 0, 1);
        site_free(s);
    }
    config_free(cfg);
    refs_free(bib);
    diag_list_clear(&dl);
}

int main(void)
{
    CHECK(write_site());
    if (th_failed)
        TEST_END("site");
    run();
    test_many_tags();
    test_review_rules();
    test_scheduled();
    CHECK(output_remove_tree(root));
    TEST_END("site");
}
