/* Unit tests for frontmatter.c and date.c. */
#include "harness.h"

#include <stdlib.h>

#include "date.h"
#include "frontmatter.h"

static const char *first_diag(diag_list *dl, strbuf *sb)
{
    strbuf_reset(sb);
    if (dl->len)
        diag_format(&dl->items[0], sb);
    return strbuf_cstr(sb);
}

static void test_split(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    char text[] = "\xEF\xBB\xBF---\r\ntitle: x\r\n---\r\nBody\r\n";
    size_t n = fm_normalise(text, sizeof text - 1);
    CHECK_STR(text, "---\ntitle: x\n---\nBody\n");
    fm_parts parts;
    CHECK(fm_split(text, n, "a.md", &parts, &dl));
    CHECK_INT(parts.yaml_len, 9);
    CHECK_INT(parts.yaml_line, 2);
    CHECK_INT(parts.body_line, 4);
    CHECK(!strncmp(parts.body, "Body", 4));
    CHECK(!fm_split("no fence\n", 9, "a.md", &parts, &dl));
    CHECK_STR(first_diag(&dl, &sb),
              "a.md:1:1: error: no front matter: the file must start with a line '---', then YAML, then '---'\n");
    diag_list_clear(&dl);
    CHECK(!fm_split("---\ntitle: x\n", 13, "a.md", &parts, &dl));
    CHECK_STR(first_diag(&dl, &sb), "a.md:1:1: error: front matter is never closed: add a line '---' after the YAML\n");
    CHECK(fm_split("---\n---\n", 8, "a.md", &parts, &dl));
    CHECK_INT(parts.body_len, 0);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

static fm_fields *read_fm(const char *yaml, fm_kind kind, diag_list *dl)
{
    fm_parts parts = {.yaml = yaml, .yaml_len = strlen(yaml), .yaml_line = 2};
    return fm_read(&parts, kind, "a.md", true, dl);
}

static void test_fields(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    fm_fields *f = read_fm("title: T\ndescription: D\ndate: 2024-02-29\ntags: [a, R\xC3\xBC" "cken Pain]\nweight: 3\n"
                           "extra: {k: v}\n",
                           FM_ARTICLE, &dl);
    CHECK(f != NULL);
    CHECK_INT(dl.len, 0);
    CHECK_STR(f->title, "T");
    CHECK_INT(f->date.day, 29);
    CHECK(f->has_weight && f->weight == 3);
    CHECK_INT(f->tags->u.list.len, 2);
    CHECK(f->tag_slugs != NULL);
    if (f->tag_slugs) { /* kept for the site to group pages by */
        CHECK_STR(f->tag_slugs[0], "a");
        CHECK_STR(f->tag_slugs[1], "rucken-pain");
    }
    CHECK(value_map_get(f->all, "extra") != NULL);
    fm_fields_free(f);

    CHECK(read_fm("title: T\ndescription: D\ndate: 2023-02-29\n", FM_ARTICLE, &dl) == NULL);
    CHECK_STR(first_diag(&dl, &sb), "a.md:4:7: error: 'date' must be a real date written YYYY-MM-DD, not '2023-02-29'\n");
    diag_list_clear(&dl);

    CHECK(read_fm("title: T\n", FM_ARTICLE, &dl) == NULL);
    CHECK_INT(dl.len, 2);
    CHECK_STR(first_diag(&dl, &sb), "a.md:1:1: error: missing required field 'description'\n");
    diag_list_clear(&dl);

    CHECK(read_fm("title: T\nslug: Bad/slug\n", FM_PAGE, &dl) == NULL);
    diag_list_clear(&dl);

    f = read_fm("title: T\ndraft: true\n", FM_ARTICLE, &dl);
    CHECK(f == NULL); /* a draft is checked when drafts are built */
    diag_list_clear(&dl);
    fm_parts parts = {.yaml = "draft: true\n", .yaml_len = 12, .yaml_line = 2};
    f = fm_read(&parts, FM_ARTICLE, "a.md", false, &dl);
    CHECK(f && f->draft && dl.len == 0);
    fm_fields_free(f);

    f = read_fm("title: T\ndescription: D\ntags: [Rückenschmerz]\n", FM_PAGE, &dl);
    CHECK(f != NULL && dl.len == 0); /* accented letters make a URL */
    fm_fields_free(f);
    diag_list_clear(&dl);
    CHECK(read_fm("title: T\ndescription: D\ntags: [腰痛]\n", FM_PAGE, &dl) == NULL);
    CHECK_STR(first_diag(&dl, &sb), "a.md:4:8: error: tag '腰痛' has no letters a-z (accents allowed) or digits to "
                                    "make a URL from\n");
    diag_list_clear(&dl);

    CHECK(read_fm("- a\n- b\n", FM_PAGE, &dl) == NULL);
    CHECK_STR(first_diag(&dl, &sb), "a.md:2:1: error: front matter must be a map of 'key: value' lines, not a list\n");
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* Regression: a key naming a computed value showed through where lumbar set
 * none, e.g. json_ld on a standalone page went raw into a <script>. */
static void test_computed_names(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    CHECK(read_fm("title: T\ndescription: D\njson_ld: \"</script><script>alert(1)</script>\"\n", FM_PAGE, &dl) == NULL);
    CHECK_STR(first_diag(&dl, &sb), "a.md:4:10: error: 'json_ld' is a name lumbar computes for templates: "
                                    "front matter cannot set it; rename this key\n");
    diag_list_clear(&dl);
    CHECK(read_fm("title: T\nsite: {base_path: 'javascript:x//'}\ntree_html: x\n", FM_HOME, &dl) == NULL);
    CHECK_INT(dl.len, 2);
    diag_list_clear(&dl);
    fm_fields *f = read_fm("title: T\ndescription: D\nsite_notes: fine\ncontents: fine\n", FM_PAGE, &dl);
    CHECK(f != NULL && dl.len == 0);
    fm_fields_free(f);
    strbuf_free(&sb);
}

static void test_slugs(void)
{
    strbuf sb = STRBUF_INIT;
    fm_slugify("  Red Flags & You!  ", 20, &sb);
    CHECK_STR(strbuf_cstr(&sb), "red-flags-you");
    strbuf_reset(&sb);
    fm_slugify("***", 3, &sb);
    CHECK_STR(strbuf_cstr(&sb), "");
    /* Accented Latin letters become plain ones; other scripts, signs and
       a cut-off sequence separate words. */
    static const char *const accented[][2] = {
        {"Ärger und Rückenschmerz", "arger-und-ruckenschmerz"},
        {"Œuvre, Straße", "oeuvre-strasse"},
        {"Łódź naïve café", "lodz-naive-cafe"},
        {"Ÿ ÿ ſ Ĳ", "y-y-s-ij"},
        {"2×3 ÷ 4", "2-3-4"},
        {"腰痛 back pain", "back-pain"},
        {"ab\xC3", "ab"},
        {"\xC3\x28x", "x"},
    };
    for (size_t i = 0; i < sizeof accented / sizeof accented[0]; i++) {
        strbuf_reset(&sb);
        fm_slugify(accented[i][0], strlen(accented[i][0]), &sb);
        CHECK_STR(strbuf_cstr(&sb), accented[i][1]);
    }
    CHECK(fm_slug_ok("a-1"));
    CHECK(!fm_slug_ok("A"));
    CHECK(!fm_slug_ok(""));
    CHECK(!fm_slug_ok("../x"));
    strbuf_free(&sb);
}

static void test_dates(void)
{
    date d;
    CHECK(date_parse("2024-01-31", &d));
    date m = date_add_months(d, 1);
    CHECK(m.year == 2024 && m.month == 2 && m.day == 29);
    m = date_add_months(d, 36);
    CHECK(m.year == 2027 && m.month == 1 && m.day == 31);
    CHECK(!date_parse("2024-13-01", &d));
    CHECK(!date_parse("2024-1-01", &d));
    CHECK(!date_parse("2024-01-01x", &d));
    d = date_from_unix(1795478400);
    CHECK(d.year == 2026 && d.month == 11 && d.day == 24);
    d = date_from_unix(0);
    CHECK(d.year == 1970 && d.month == 1 && d.day == 1);
    strbuf sb = STRBUF_INIT;
    date_format_human((date){2024, 3, 3}, &sb);
    CHECK_STR(strbuf_cstr(&sb), "3 March 2024");
    strbuf_free(&sb);
}

static const char *all_diags(diag_list *dl, strbuf *sb)
{
    strbuf_reset(sb);
    for (size_t i = 0; i < dl->len; i++)
        diag_format(&dl->items[i], sb);
    return strbuf_cstr(sb);
}

/* The review diagnostics of an article written as yaml, checked on
 * 2026-12-02 (names required unless names_optional). */
static const char *review_diags(const char *yaml, bool names_optional, strbuf *sb)
{
    diag_list dl = DIAG_LIST_INIT;
    fm_fields *f = read_fm(yaml, FM_ARTICLE, &dl);
    fm_review_rules rules = {.require_names = !names_optional, .today = {2026, 12, 2}};
    bool ok = f && fm_check_review(f, &rules, "a.md", &dl);
    CHECK(ok == (dl.len == 0));
    all_diags(&dl, sb);
    fm_fields_free(f);
    diag_list_clear(&dl);
    return strbuf_cstr(sb);
}

#define ART "title: T\ndescription: D\ndate: 2026-11-01\n"

static void test_review(void)
{
    strbuf sb = STRBUF_INIT;
    diag_list dl = DIAG_LIST_INIT;
    /* Pending: no reviewer, no dates. Reviewed: name, role and a past date. */
    CHECK_STR(review_diags(ART, false, &sb), "");
    fm_fields *f = read_fm(ART "reviewed_by: {name: Sam Patel, role: physiotherapist}\nlast_reviewed: 2026-12-02\n"
                           "next_review: 2027-12-02\n", FM_ARTICLE, &dl);
    CHECK(f && fm_is_reviewed(f));
    CHECK_STR(f ? f->reviewer_name : NULL, "Sam Patel");
    CHECK_STR(f ? f->reviewer_role : NULL, "physiotherapist");
    fm_fields_free(f);
    CHECK_INT(dl.len, 0);
    f = read_fm(ART, FM_ARTICLE, &dl);
    CHECK(f && !fm_is_reviewed(f));
    fm_fields_free(f);
    CHECK_STR(review_diags(ART "reviewed_by:\n  role: physiotherapist\nlast_reviewed: 2026-11-02\n", true, &sb), "");

    /* Each way of claiming a review that did not happen, at its position. */
    CHECK_STR(review_diags(ART "reviewed_by: \"\"\nlast_reviewed: 2026-11-02\n", false, &sb),
              "a.md:5:14: error: 'reviewed_by' is empty: give the reviewer's name and role, or delete the line "
              "(the page is then shown as pending review)\n");
    CHECK_STR(review_diags(ART "reviewed_by:\nlast_reviewed: 2026-11-02\n", false, &sb),
              "a.md:5:13: error: 'reviewed_by' is empty: give the reviewer's name and role, or delete the line "
              "(the page is then shown as pending review)\n");
    CHECK_STR(review_diags(ART "reviewed_by: {role: physiotherapist}\nlast_reviewed: 2026-11-02\n", false, &sb),
              "a.md:5:14: error: 'reviewed_by' has no name: a review needs the name of the person who did it "
              "([review] require_names in config.ini)\n");
    CHECK_STR(review_diags(ART "reviewed_by: {name: Sam Patel, role: \"\"}\nlast_reviewed: 2026-11-02\n", false, &sb),
              "a.md:5:14: error: 'reviewed_by' has no role: add one, such as role: \"musculoskeletal physiotherapist\"\n");
    CHECK_STR(review_diags(ART "reviewed_by: {name: Sam Patel, role: physio}\n", false, &sb),
              "a.md:5:14: error: a reviewed page needs 'last_reviewed', the date of the review\n");
    CHECK_STR(review_diags(ART "reviewed_by: {name: S, role: r}\nlast_reviewed: 2026-12-03\n", false, &sb),
              "a.md:6:16: error: 'last_reviewed' 2026-12-03 is in the future (today is 2026-12-02)\n");
    CHECK_STR(review_diags(ART "reviewed_by: {name: S, role: r}\nlast_reviewed: 2026-10-31\n", false, &sb),
              "a.md:6:16: error: 'last_reviewed' 2026-10-31 is before the page's own date 2026-11-01\n");
    CHECK_STR(review_diags(ART "reviewed_by: {name: S, role: r}\nlast_reviewed: 2026-11-05\nnext_review: 2026-11-04\n",
                           false, &sb),
              "a.md:7:14: error: 'next_review' 2026-11-04 is before 'last_reviewed' 2026-11-05\n");
    CHECK_STR(review_diags(ART "last_reviewed: 2026-11-05\nnext_review: 2027-11-04\n", false, &sb),
              "a.md:5:16: error: 'last_reviewed' without 'reviewed_by': a page pending review has no review dates; "
              "delete it, or add reviewed_by with the reviewer's name and role\n"
              "a.md:6:14: error: 'next_review' without 'reviewed_by': a page pending review has no review dates; "
              "delete it, or add reviewed_by with the reviewer's name and role\n");

    /* A role alone (the old shape), a typo and a wrong type are errors of fm_read. */
    CHECK(read_fm(ART "reviewed_by: \"a musculoskeletal physiotherapist\"\n", FM_ARTICLE, &dl) == NULL);
    CHECK_STR(all_diags(&dl, &sb), "a.md:5:14: error: 'reviewed_by' needs the reviewer's name and role: write \"Sam "
                                   "Patel, physiotherapist\" or {name: \"Sam Patel\", role: \"physiotherapist\"}, "
                                   "not only 'a musculoskeletal physiotherapist'\n");
    diag_list_clear(&dl);
    /* "name, role" is shorthand for the map, which templates then see. */
    fm_fields *shorthand = read_fm(ART "reviewed_by: \"A. Physio , BSc, MSc\"\nlast_reviewed: 2026-11-05\n", FM_ARTICLE, &dl);
    CHECK(shorthand != NULL && dl.len == 0);
    if (shorthand) {
        CHECK_STR(shorthand->reviewer_name, "A. Physio");
        CHECK_STR(shorthand->reviewer_role, "BSc, MSc");
        const value *map = value_map_get(shorthand->all, "reviewed_by");
        CHECK(map && map->kind == V_MAP && map->line == 5 && map->col == 14);
        fm_fields_free(shorthand);
    }
    diag_list_clear(&dl);
    CHECK(read_fm(ART "reviewed_by: [x]\n", FM_ARTICLE, &dl) == NULL);
    CHECK_STR(all_diags(&dl, &sb), "a.md:5:14: error: 'reviewed_by' must be a map with the reviewer's name and role, "
                                   "such as {name: \"Sam Patel\", role: \"physiotherapist\"}, not a list\n");
    diag_list_clear(&dl);
    CHECK(read_fm(ART "reviewed_by: {nmae: S, role: 3}\n", FM_ARTICLE, &dl) == NULL);
    CHECK_STR(all_diags(&dl, &sb), "a.md:5:21: error: unknown key 'nmae' in reviewed_by: it takes name and role\n"
                                   "a.md:5:30: error: 'reviewed_by.role' must be text, not a number\n");
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* A published page still holding `lumbar new`'s text: one error per line
 * that has it, at its line and column (in characters). */
static void test_placeholder(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    const char text[] = "---\ntitle: T\ndescription: \"" FM_PLACEHOLDER ": one sentence\"\n---\n\n"
                        "Caf\xC3\xA9 " FM_PLACEHOLDER ": write the introduction here.\nDone.\n";
    fm_parts parts;
    CHECK(fm_split(text, sizeof text - 1, "a.md", &parts, &dl));
    CHECK(!fm_check_placeholder(&parts, "a.md", &dl));
    CHECK_STR(all_diags(&dl, &sb),
              "a.md:3:15: error: placeholder text from 'lumbar new' in a published page: replace it, or keep 'draft: true'\n"
              "a.md:6:6: error: placeholder text from 'lumbar new' in a published page: replace it, or keep 'draft: true'\n");
    diag_list_clear(&dl);
    /* Twice on a line is one error; the next line, and a last line with no
       newline, have their own. */
    const char more[] = "---\ntitle: T\n---\n" FM_PLACEHOLDER " and " FM_PLACEHOLDER "\n\xC3\xA9" FM_PLACEHOLDER
                        "\nTODO(lumbar\n\nend " FM_PLACEHOLDER;
    CHECK(fm_split(more, sizeof more - 1, "b.md", &parts, &dl));
    CHECK(!fm_check_placeholder(&parts, "b.md", &dl));
    CHECK_STR(all_diags(&dl, &sb),
              "b.md:4:1: error: placeholder text from 'lumbar new' in a published page: replace it, or keep 'draft: true'\n"
              "b.md:5:2: error: placeholder text from 'lumbar new' in a published page: replace it, or keep 'draft: true'\n"
              "b.md:8:5: error: placeholder text from 'lumbar new' in a published page: replace it, or keep 'draft: true'\n");
    diag_list_clear(&dl);
    const char clean[] = "---\ntitle: TODO(lumbar\n---\nTODO(lumbar ne";
    CHECK(fm_split(clean, sizeof clean - 1, "a.md", &parts, &dl));
    CHECK(fm_check_placeholder(&parts, "a.md", &dl));
    CHECK_INT(dl.len, 0);
    strbuf_free(&sb);
}

static void test_unknown_keys(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    const char *yaml = "title: T\ndescription: D\nnext_reveiw: 2027-01-01\nmood: calm\ntree:\n  start: a\ncolour: blue\n";
    fm_parts parts = {.yaml = yaml, .yaml_len = strlen(yaml), .yaml_line = 2};
    fm_fields *f = fm_read(&parts, FM_PAGE, "a.md", true, &dl);
    CHECK(f != NULL);
    diag_list_clear(&dl);
    char *declared[] = {"mood"};
    CHECK_INT(fm_check_keys(f, &parts, declared, 1, "a.md", &dl), 2);
    for (size_t i = 0; i < dl.len; i++)
        diag_format(&dl.items[i], &sb);
    CHECK_STR(strbuf_cstr(&sb),
              "a.md:4:1: warning: unknown front-matter key 'next_reveiw': did you mean 'next_review'?\n"
              "a.md:8:1: warning: unknown front-matter key 'colour': if your layouts use it, declare it in "
              "config.ini ([frontmatter] keys = colour)\n");
    /* Undeclared, mood warns too. */
    diag_list_clear(&dl);
    CHECK_INT(fm_check_keys(f, &parts, NULL, 0, "a.md", &dl), 3);
    fm_fields_free(f);
    diag_list_clear(&dl);

    /* Thousands of unknown keys: twenty named, in order, the rest counted
       in one line (a quadratic line search made 300,000 take minutes). */
    strbuf many = STRBUF_INIT;
    strbuf_puts(&many, "title: T\ndescription: D\n");
    for (int i = 0; i < 5000; i++)
        strbuf_printf(&many, "key%d: %d\n", i, i);
    parts = (fm_parts){.yaml = many.data, .yaml_len = many.len, .yaml_line = 2};
    f = fm_read(&parts, FM_PAGE, "a.md", true, &dl);
    CHECK(f != NULL);
    diag_list_clear(&dl);
    CHECK_INT(fm_check_keys(f, &parts, NULL, 0, "a.md", &dl), 5000);
    CHECK_INT(dl.len, 21);
    if (dl.len == 21) {
        CHECK(dl.items[19].line == 23 && strstr(dl.items[19].msg, "'key19'"));
        CHECK_STR(dl.items[20].msg, "4980 more unknown front-matter keys in this file");
    }
    fm_fields_free(f);
    diag_list_clear(&dl);
    strbuf_free(&many);
    strbuf_free(&sb);
}

int main(void)
{
    test_unknown_keys();
    test_split();
    test_fields();
    test_computed_names();
    test_slugs();
    test_dates();
    test_review();
    test_placeholder();
    TEST_END("frontmatter");
}
