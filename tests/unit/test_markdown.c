/* Unit tests for markdown.c: ids, table of contents, citations, links, raw HTML. */
#include "harness.h"

#include <cmark-gfm.h>

#include "markdown.h"

static md_target find_page(void *ctx, const char *path, const char **url)
{
    (void)ctx;
    if (!strcmp(path, "treatments/relative-rest.md"))
        *url = "/sub/treatments/relative-rest/";
    else if (!strcmp(path, "causes/x.md"))
        *url = "/sub/causes/x/";
    else if (!strcmp(path, "causes/later.md"))
        return MD_TARGET_DRAFT;
    else if (!strcmp(path, "causes/broken.md"))
        return MD_TARGET_FAILED;
    else
        return MD_TARGET_NONE;
    return MD_TARGET_PAGE;
}

static bool has_ref(void *ctx, const char *key)
{
    (void)ctx;
    return !strcmp(key, "a2020") || !strcmp(key, "b2021");
}

static md_env env(bool unsafe)
{
    return (md_env){.unsafe_html = unsafe, .smart_punctuation = true, .base_path = "/sub/",
                    .find_page = find_page, .has_reference = has_ref, .record_links = true};
}

static md_doc *render(const char *md, bool unsafe, diag_list *dl)
{
    md_env e = env(unsafe);
    return md_render(md, strlen(md), 10, "content/causes/x.md", "causes/x.md", &e, dl);
}

static const char *diags_text(diag_list *dl, strbuf *sb)
{
    strbuf_reset(sb);
    for (size_t i = 0; i < dl->len; i++)
        diag_format(&dl->items[i], sb);
    return strbuf_cstr(sb);
}

static void test_headings(void)
{
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render("## Get help *now*\n\n### Step one\n\n## Get help now\n\n#### Deep\n\n## References\n", false, &dl);
    CHECK_STR(doc->html, "<h2 id=\"get-help-now\">Get help <em>now</em></h2>\n<h3 id=\"step-one\">Step one</h3>\n"
                         "<h2 id=\"get-help-now-2\">Get help now</h2>\n<h4 id=\"deep\">Deep</h4>\n"
                         "<h2 id=\"references-2\">References</h2>\n");
    CHECK_STR(doc->toc_html, "<ol><li><a href=\"#get-help-now\">Get help now</a><ol><li><a href=\"#step-one\">Step one"
                             "</a></li></ol></li><li><a href=\"#get-help-now-2\">Get help now</a></li><li><a href=\""
                             "#references-2\">References</a></li></ol>");
    CHECK_INT(doc->heading_count, 4);
    CHECK_INT(doc->headings->u.list.len, 5);
    CHECK_INT(dl.len, 0);
    md_doc_free(doc);
    doc = render("# Title\n\nText\n", false, &dl);
    CHECK_INT(dl.len, 1);
    CHECK(dl.len && dl.items[0].level == DIAG_WARNING && dl.items[0].line == 10);
    md_doc_free(doc);
    diag_list_clear(&dl);
}

/* Headings never take an id the page holds beside the body: the layout's,
 * the tree's, `lumbar serve`'s, the reference list's ref-KEY for any key in
 * the bibliography (cited or listed in front matter), a citation's
 * cite-KEY-N, or site-index.html's index-SECTION. */
static void test_reserved_ids(void)
{
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render("See [@a2020].\n\n## Dtree\n\n## Main\n\n## Ref a2020\n\n## Ref b2021\n\n## Ref zzz\n\n"
                         "## Cite a2020 1\n\n## Index causes\n\n## Toc title\n\n## Decision tree data\n\n"
                         "## Lumbar overlay\n\n## Search q\n\n## Dtree\n",
                         false, &dl);
    static const char *const want[] = {"dtree-2",         "main-2",        "ref-a2020-2",
                                       "ref-b2021-2",     "ref-zzz",       "cite-a2020-1-2",
                                       "section-index-causes", "toc-title-2", "decision-tree-data-2",
                                       "lumbar-overlay-2", "search-q-2",   "dtree-3"};
    const value *toc = doc->toc;
    CHECK_INT(toc->u.list.len, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < toc->u.list.len && i < sizeof want / sizeof want[0]; i++)
        CHECK_STR(value_map_get(toc->u.list.items[i], "id")->u.str.ptr, want[i]);
    CHECK(strstr(doc->html, "<h2 id=\"dtree-2\">Dtree</h2>") != NULL);
    CHECK(strstr(doc->html, "id=\"cite-a2020-1\"") != NULL);
    CHECK_INT(dl.len, 0);
    md_doc_free(doc);
    diag_list_clear(&dl);
}

/* A plain-text heading is written without cmark's renderer: the bytes must
 * be the ones cmark writes, escapes, entities and smart quotes included. */
static void test_plain_heading_bytes(void)
{
    static const char *const texts[] = {
        "A & B <c> \"d\" 'e' / f", "Caf\xC3\xA9 \xE2\x80\x94 100% &amp; &copy; &#65;", "\\*not emphasis\\* \\<b\\>",
        "Don't \"quote\" -- dash... done", NULL};
    for (int smart = 0; smart <= 1; smart++)
    for (const char *const *t = texts; *t; t++) {
        strbuf md = STRBUF_INIT, want = STRBUF_INIT;
        strbuf_printf(&md, "## %s\n", *t);
        char *by_cmark = cmark_markdown_to_html(md.data, md.len, smart ? CMARK_OPT_SMART : 0);
        diag_list dl = DIAG_LIST_INIT;
        md_env e = env(false);
        e.smart_punctuation = smart;
        md_doc *doc = md_render(md.data, md.len, 10, "content/causes/x.md", "causes/x.md", &e, &dl);
        const char *id_end = doc->html ? strstr(doc->html, "\">") : NULL;
        CHECK(id_end != NULL && !strncmp(by_cmark, "<h2>", 4));
        if (id_end) { /* everything after the id is cmark's */
            strbuf_puts(&want, by_cmark + 3);
            CHECK_STR(id_end + 1, want.data);
        }
        md_doc_free(doc);
        diag_list_clear(&dl);
        free(by_cmark);
        strbuf_free(&md);
        strbuf_free(&want);
    }
}

static void test_citations(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    md_doc *doc = render("One [@b2021]. Two [@a2020; @b2021]. Not [a cite] nor [@].\n\nBad [@zzz].\n", false, &dl);
    CHECK_STR(doc->html,
              "<p>One <sup class=\"cite\">[<a href=\"#ref-b2021\" id=\"cite-b2021-1\" aria-label=\"Reference 1\">1</a>]"
              "</sup>. Two <sup class=\"cite\">[<a href=\"#ref-a2020\" id=\"cite-a2020-1\" aria-label=\"Reference 2\">2"
              "</a>, <a href=\"#ref-b2021\" id=\"cite-b2021-2\" aria-label=\"Reference 1\">1</a>]</sup>. Not [a cite] "
              "nor [@].</p>\n<p>Bad <sup class=\"cite\">[]</sup>.</p>\n");
    CHECK_INT(doc->cites->u.list.len, 2);
    CHECK_STR(doc->cites->u.list.items[0]->u.str.ptr, "b2021");
    CHECK_STR(diags_text(&dl, &sb),
              "content/causes/x.md:10:54: warning: '[@]' is not a citation: write [@key] or [@key1; @key2]\n"
              "content/causes/x.md:12:6: error: unknown citation key '@zzz' (not in content/references.yaml)\n");
    md_doc_free(doc);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

static void test_citation_lookalikes(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    md_doc *doc = render("As shown [@a2020, p. 4].\n", false, &dl);
    CHECK(strstr(doc->html, "[@a2020, p. 4]") != NULL);
    CHECK_STR(diags_text(&dl, &sb),
              "content/causes/x.md:10:10: warning: '[@a2020, p. 4]' is not a citation: write [@key] or [@key1; @key2]\n");
    md_doc_free(doc);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* Only a text node can hold a citation, and a body without "[@" in its
 * source can still make one: an escape or an entity gives the same text. */
static void test_citation_spellings(void)
{
    diag_list dl = DIAG_LIST_INIT;
    const char *bodies[] = {"A [\\@b2021].\n", "A &#91;@b2021].\n", "A [&#64;b2021].\n", "A [@b2021].\n"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        md_doc *doc = render(bodies[i], false, &dl);
        CHECK_STR(doc->html, "<p>A <sup class=\"cite\">[<a href=\"#ref-b2021\" id=\"cite-b2021-1\" "
                             "aria-label=\"Reference 1\">1</a>]</sup>.</p>\n");
        CHECK_INT(doc->cites->u.list.len, 1);
        md_doc_free(doc);
        diag_list_clear(&dl);
    }
    md_doc *doc = render("No citation here, nor @b2021 [b2021].\n", false, &dl);
    CHECK_INT(doc->cites->u.list.len, 0);
    md_doc_free(doc);
    diag_list_clear(&dl);
}

static void test_links(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    md_doc *doc = render("[a](../treatments/relative-rest.md#rules) [b](/treatments/relative-rest.md) [c](x.md) "
                         "[d](/causes/) [e](https://x.org/a.md) [f](#top) [g](nope.md) [h](../../up.md)\n",
                         false, &dl);
    CHECK(strstr(doc->html, "href=\"/sub/treatments/relative-rest/#rules\"") != NULL);
    CHECK(strstr(doc->html, "<a href=\"/sub/treatments/relative-rest/\">b</a>") != NULL);
    CHECK(strstr(doc->html, "href=\"/sub/causes/x/\"") != NULL);
    CHECK(strstr(doc->html, "href=\"/sub/causes/\"") != NULL);
    CHECK(strstr(doc->html, "href=\"https://x.org/a.md\"") != NULL);
    CHECK(strstr(doc->html, "href=\"#top\"") != NULL);
    CHECK_INT(doc->links->u.list.len, 8); /* recorded for link checks, as rendered */
    if (doc->links->u.list.len == 8)
        CHECK_STR(value_cstr(value_map_get(doc->links->u.list.items[2], "url")), "/sub/causes/x/");
    CHECK_STR(diags_text(&dl, &sb),
              "content/causes/x.md:10:135: error: link to 'nope.md': no such page (looked for content/causes/nope.md)\n"
              "content/causes/x.md:10:148: error: link to '../../up.md' leads outside the content folder\n");
    md_doc_free(doc);
    diag_list_clear(&dl);
    /* A draft is named as one; a file that failed to load has its own
       error, so the link to it adds none and stays as written. */
    doc = render("[l](later.md) [b](broken.md)\n", false, &dl);
    CHECK_STR(diags_text(&dl, &sb), "content/causes/x.md:10:1: error: link to 'later.md': it is a draft, left out "
                                    "unless the build has --drafts (content/causes/later.md)\n");
    CHECK(strstr(doc->html, "href=\"broken.md\"") != NULL);
    md_doc_free(doc);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* A plain build records no links: only link checks read them. */
static void test_links_unrecorded(void)
{
    diag_list dl = DIAG_LIST_INIT;
    md_env e = env(false);
    e.record_links = false;
    const char *md = "[a](/causes/) and ![b](/img/b.png)\n";
    md_doc *doc = md_render(md, strlen(md), 10, "content/causes/x.md", "causes/x.md", &e, &dl);
    CHECK_INT(doc->links->u.list.len, 0);
    CHECK(strstr(doc->html, "href=\"/sub/causes/\"") != NULL); /* still rewritten */
    md_doc_free(doc);
    diag_list_clear(&dl);
}

static void test_raw_html_and_text(void)
{
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render("Hi <script>alert(1)</script> there.\n\n<div>block</div>\n", false, &dl);
    CHECK(strstr(doc->html, "<script>") == NULL);
    CHECK(strstr(doc->html, "<div>") == NULL);
    CHECK_INT(dl.len, 1); /* warned once per file */
    md_doc_free(doc);
    diag_list_clear(&dl);
    doc = render("Hi <b>bold</b> \"quoted\" -- words.\n", true, &dl);
    CHECK(strstr(doc->html, "<b>bold</b>") != NULL);
    CHECK(strstr(doc->html, "\xE2\x80\x9C" "quoted" "\xE2\x80\x9D") != NULL);
    CHECK_INT(doc->word_count, 5);
    CHECK_INT(dl.len, 0);
    md_doc_free(doc);
    md_doc_free(NULL);
}

/* Word counts go eight bytes a step: words and runs of spaces of every
 * length, across the step's edges and the text nodes emphasis makes. */
static void test_word_count(void)
{
    unsigned seed = 12345;
    for (int round = 0; round < 200; round++) {
        strbuf md = STRBUF_INIT;
        size_t words = 0;
        int count = 1 + round % 40;
        for (int w = 0; w < count; w++) {
            seed = seed * 1103515245u + 12345u;
            int len = 1 + (int)(seed >> 16) % 19, spaces = 1 + (int)(seed >> 8) % 3;
            bool emphasis = (seed >> 4) % 7 == 0 && len >= 3; /* "ab*c*d": one word, three text nodes */
            for (int c = 0; c < len; c++)
                strbuf_puts(&md, emphasis && (c == 1 || c == 2) ? "*x" : "w");
            words++;
            for (int k = 0; w + 1 < count && k < spaces; k++)
                strbuf_putc(&md, ' ');
            if ((seed >> 20) % 9 == 0 && w + 1 < count)
                strbuf_puts(&md, "\n"); /* a soft break between words */
        }
        strbuf_putc(&md, '\n');
        diag_list dl = DIAG_LIST_INIT;
        md_doc *doc = render(strbuf_cstr(&md), false, &dl);
        if (doc->word_count != words)
            fprintf(stderr, "words in: %s", strbuf_cstr(&md));
        CHECK_INT(doc->word_count, words);
        md_doc_free(doc);
        diag_list_clear(&dl);
        strbuf_free(&md);
    }
}

/* Pipe tables: accessible markup, smart punctuation never touches the
 * delimiter row, an optional caption from a "Table:" paragraph. */
static void test_tables(void)
{
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render("| Sign | What to do |\n|---|:--:|\n| Fever -- hot | Call [@a2020] |\n", false, &dl);
    CHECK_STR(doc->html, "<section class=\"table-wrap\" tabindex=\"0\" aria-label=\"Table\">\n<table>\n"
                         "<thead>\n<tr>\n<th scope=\"col\">Sign</th>\n<th scope=\"col\" class=\"align-center\">What to do</th>\n"
                         "</tr>\n</thead>\n<tbody>\n<tr>\n<td>Fever \xE2\x80\x93 hot</td>\n<td class=\"align-center\">Call "
                         "<sup class=\"cite\">[<a href=\"#ref-a2020\" id=\"cite-a2020-1\" aria-label=\"Reference 1\">1</a>]"
                         "</sup></td>\n</tr>\n</tbody>\n</table>\n</section>\n");
    CHECK_INT(dl.len, 0);
    CHECK(!strstr(doc->html, "\xE2\x80\x94")); /* no dashes made of |---| */
    md_doc_free(doc);
    doc = render("Table: Who to call, *and when*\n\n| A | B |\n|---|---|\n", false, &dl);
    CHECK_STR(doc->html, "<section class=\"table-wrap\" tabindex=\"0\" aria-labelledby=\"table-1\">\n<table>\n"
                         "<caption id=\"table-1\">Who to call, <em>and when</em></caption>\n<thead>\n<tr>\n"
                         "<th scope=\"col\">A</th>\n<th scope=\"col\">B</th>\n</tr>\n</thead>\n</table>\n</section>\n");
    md_doc_free(doc);
    /* "Table:" before anything but a table stays a paragraph. */
    doc = render("Table: none\n\nText\n", false, &dl);
    CHECK_STR(doc->html, "<p>Table: none</p>\n<p>Text</p>\n");
    md_doc_free(doc);
    diag_list_clear(&dl);
}

static void test_strikethrough_tasks_autolinks(void)
{
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render("~~old~~ advice, see https://example.org/x\n\n- [x] done\n- [ ] to do\n", false, &dl);
    CHECK(strstr(doc->html, "<del>old</del>") != NULL);
    CHECK(strstr(doc->html, "<a href") == NULL); /* autolink is off by default */
    CHECK(strstr(doc->html, "<li><input type=\"checkbox\" checked disabled> done</li>") != NULL);
    CHECK(strstr(doc->html, "<li><input type=\"checkbox\" disabled> to do</li>") != NULL);
    md_doc_free(doc);
    md_env e = env(false);
    e.autolink = true;
    const char *md = "Intro.\n\nsee https://example.org/x now\n";
    doc = md_render(md, strlen(md), 10, "content/causes/x.md", "causes/x.md", &e, &dl);
    CHECK(strstr(doc->html, "<a href=\"https://example.org/x\">https://example.org/x</a>") != NULL);
    /* The extension's links carry no position: the paragraph's is used. */
    CHECK_INT(doc->links->u.list.len, 1);
    if (doc->links->u.list.len)
        CHECK_INT((int)value_map_get(doc->links->u.list.items[0], "line")->u.num, 12);
    md_doc_free(doc);
    diag_list_clear(&dl);
}

/* Footnotes for remarks beside citations for sources: both numbered, both
 * linked back, ids that headings never take. */
static void test_footnotes(void)
{
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render("## Fn note\n\nRest[^note] helps [@a2020].\n\n[^note]: Only a little.\n", false, &dl);
    CHECK(strstr(doc->html, "<h2 id=\"section-fn-note\">") != NULL);
    CHECK(strstr(doc->html, "<a href=\"#fn-note\" id=\"fnref-note\"") != NULL);
    CHECK(strstr(doc->html, "<li id=\"fn-note\">") != NULL);
    CHECK(strstr(doc->html, "href=\"#fnref-note\"") != NULL);
    CHECK(strstr(doc->html, "<section class=\"footnotes\" aria-labelledby=\"footnotes\">\n<h2 id=\"footnotes\">Notes</h2>") != NULL);
    CHECK(strstr(doc->html, "href=\"#ref-a2020\"") != NULL);
    CHECK_INT(dl.len, 0);
    md_doc_free(doc);
    /* A reference with no definition stays as typed: say so. */
    doc = render("Text[^gone] here.\n", false, &dl);
    CHECK_INT(dl.len, 1);
    CHECK(dl.len && dl.items[0].level == DIAG_WARNING && dl.items[0].line == 10 && dl.items[0].col == 5);
    md_doc_free(doc);
    diag_list_clear(&dl);
}

/* Text that looks like a citation to its writer but is not one. */
static void test_citation_lookalike_words(void)
{
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render("As shown [see @a2020], and [email me @ home] or [@b2021].\n", false, &dl);
    CHECK_INT(dl.len, 1);
    CHECK(dl.len && dl.items[0].level == DIAG_WARNING && dl.items[0].line == 10 && dl.items[0].col == 10);
    CHECK(dl.len && strstr(dl.items[0].msg, "[see @a2020]") && strstr(dl.items[0].msg, "see [@a2020]"));
    md_doc_free(doc);
    diag_list_clear(&dl);
}

static void test_callouts(void)
{
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render("> [!EMERGENCY]\n> Call **999** now.\n\n> [!tip]\n> Walk.\n\n> Plain quote [!NOTE]\n", false, &dl);
    CHECK_STR(doc->html, "<div class=\"callout callout-emergency\">\n<p class=\"callout-label\"><strong>Emergency</strong>"
                         "</p>\n<p>Call <strong>999</strong> now.</p>\n</div>\n<div class=\"callout callout-tip\">\n"
                         "<p class=\"callout-label\"><strong>Tip</strong></p>\n<p>Walk.</p>\n</div>\n"
                         "<blockquote>\n<p>Plain quote [!NOTE]</p>\n</blockquote>\n");
    CHECK_INT(dl.len, 0);
    md_doc_free(doc);
    doc = render("Intro.\n\n> [!DANGER]\n> Text.\n", false, &dl);
    CHECK_INT(dl.len, 1);
    CHECK(dl.len && dl.items[0].level == DIAG_ERROR && dl.items[0].line == 12 && dl.items[0].col == 3);
    md_doc_free(doc);
    diag_list_clear(&dl);
}

int main(void)
{
    test_headings();
    test_reserved_ids();
    test_plain_heading_bytes();
    test_citations();
    test_citation_lookalikes();
    test_citation_spellings();
    test_links();
    test_links_unrecorded();
    test_raw_html_and_text();
    test_word_count();
    test_tables();
    test_strikethrough_tasks_autolinks();
    test_footnotes();
    test_callouts();
    test_citation_lookalike_words();
    TEST_END("markdown");
}
