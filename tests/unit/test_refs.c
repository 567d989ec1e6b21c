/* Unit tests for refs.c: every field kind as the templates get it (text,
 * numbers, the container, links made from a doi or pmid and which one is
 * href), escaping in the links, lookups of known and unknown keys, file
 * order, and each error and warning with its line and column. */
#include "harness.h"

#include "diag.h"
#include "fixture.h"
#include "refs.h"
#include "strbuf.h"

static refs *load(const char *yaml, diag_list *dl)
{
    return refs_load(yaml, strlen(yaml), "content/references.yaml", dl);
}

static const char *field(const refs *r, const char *key, const char *name)
{
    const value *entry = refs_get(r, key);
    return entry ? value_cstr(value_map_get(entry, name)) : NULL;
}

static const char bib[] =
    "# comment\n"
    "smith2020:\n"
    "  authors: Smith A, Jones B\n"
    "  title: \"Back pain: a <b>bold</b> & open question\"\n"
    "  journal: The Journal\n"
    "  year: 2020\n"
    "  details: \"12(3):45-67\"\n"
    "  doi: 10.1000/a b<c>\"d\"(e)%\n"
    "  pmid: 12345678\n"
    "  url: https://example.org/smith\n"
    "nhs:\n"
    "  authors: NHS\n"
    "  title: Back pain\n"
    "  publisher: NHS England\n"
    "  year: 2023\n"
    "  url: https://www.nhs.uk/conditions/back-pain/?a=1&b=2\n"
    "pm.only:\n"
    "  authors: Lee C\n"
    "  title: A trial\n"
    "  journal: Spine\n"
    "  publisher: Unused Press\n"
    "  year: 1999\n"
    "  pmid: 42\n"
    "book_1:\n"
    "  authors: Author D\n"
    "  title: A book\n"
    "  publisher: Press\n"
    "  year: 2001\n"
    "  isbn: 978-0-00-000000-0\n"
    "  details:\n";

static void test_fields(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    refs *r = load(bib, &dl);
    CHECK(r != NULL);
    CHECK_STR(fx_diags(&dl, &sb), "");
    if (!r)
        return;
    CHECK_INT(refs_count(r), 4);
    /* File order, not key order. */
    CHECK_STR(value_cstr(value_map_get(refs_at(r, 0), "key")), "smith2020");
    CHECK_STR(value_cstr(value_map_get(refs_at(r, 1), "key")), "nhs");
    CHECK_STR(value_cstr(value_map_get(refs_at(r, 3), "key")), "book_1");
    /* Text stays text: escaping is the template's job. */
    CHECK_STR(field(r, "smith2020", "title"), "Back pain: a <b>bold</b> & open question");
    CHECK_STR(field(r, "smith2020", "authors"), "Smith A, Jones B");
    CHECK_STR(field(r, "smith2020", "container"), "The Journal");
    CHECK_STR(field(r, "smith2020", "journal"), "The Journal");
    CHECK_STR(field(r, "smith2020", "year"), "2020"); /* a number becomes text */
    CHECK_STR(field(r, "smith2020", "details"), "12(3):45-67");
    CHECK_STR(field(r, "smith2020", "pmid"), "12345678");
    CHECK_STR(field(r, "smith2020", "doi"), "10.1000/a b<c>\"d\"(e)%");
    /* The doi link is %-encoded, so it cannot break out of an attribute;
     * parentheses stay, as in 10.1016/S0140-6736(18)30480-X. */
    CHECK_STR(field(r, "smith2020", "doi_url"), "https://doi.org/10.1000/a%20b%3Cc%3E%22d%22(e)%25");
    CHECK_STR(field(r, "smith2020", "pmid_url"), "https://pubmed.ncbi.nlm.nih.gov/12345678/");
    /* href: the doi first, then the pmid, then the url. */
    CHECK_STR(field(r, "smith2020", "href"), field(r, "smith2020", "doi_url"));
    CHECK_STR(field(r, "pm.only", "href"), "https://pubmed.ncbi.nlm.nih.gov/42/");
    CHECK_STR(field(r, "nhs", "href"), "https://www.nhs.uk/conditions/back-pain/?a=1&b=2");
    CHECK(field(r, "nhs", "doi_url") == NULL && field(r, "nhs", "pmid_url") == NULL);
    /* A journal is the container even beside a publisher. */
    CHECK_STR(field(r, "pm.only", "container"), "Spine");
    CHECK_STR(field(r, "nhs", "container"), "NHS England");
    /* An isbn alone makes no link; an empty field is left out. */
    CHECK(field(r, "book_1", "href") == NULL);
    CHECK_STR(field(r, "book_1", "isbn"), "978-0-00-000000-0");
    CHECK(refs_get(r, "book_1") && value_map_get(refs_get(r, "book_1"), "details") == NULL);
    /* Unknown keys, and keys that differ only in case, find nothing. */
    CHECK(refs_get(r, "nobody2000") == NULL);
    CHECK(refs_get(r, "Smith2020") == NULL);
    CHECK(refs_get(r, "") == NULL);
    CHECK(refs_get(r, "smith202") == NULL);
    refs_free(r);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

static void test_empty(void)
{
    diag_list dl = DIAG_LIST_INIT;
    refs *r = load("# nothing yet\n", &dl);
    CHECK(r && refs_count(r) == 0 && refs_get(r, "a") == NULL);
    CHECK_INT(dl.len, 0);
    refs_free(r);
    r = refs_new();
    CHECK(refs_count(r) == 0 && refs_get(r, "smith2020") == NULL);
    refs_free(r);
    refs_free(NULL);
    diag_list_clear(&dl);
}

/* Loads yaml, which must fail, and returns its diagnostics as printed. */
static const char *errors_of(const char *yaml, strbuf *sb)
{
    diag_list dl = DIAG_LIST_INIT;
    refs *r = load(yaml, &dl);
    CHECK(r == NULL);
    refs_free(r);
    fx_diags(&dl, sb);
    diag_list_clear(&dl);
    return strbuf_cstr(sb);
}

static void test_errors(void)
{
    strbuf sb = STRBUF_INIT;
    CHECK_STR(errors_of("- a\n- b\n", &sb),
              "content/references.yaml:1:1: error: the bibliography must be a map from keys to entries\n");
    CHECK_STR(errors_of("a: text\n", &sb),
              "content/references.yaml:1:4: error: reference 'a' must be a map of fields\n");
    CHECK_STR(errors_of("a:\n  title: T\n  year: 2000\n  journal: J\n  doi: x\n", &sb),
              "content/references.yaml:2:3: error: reference 'a' has no 'authors'\n");
    CHECK_STR(errors_of("a:\n  authors: A\n  title: T\n  year: 2000\n  doi: x\n", &sb),
              "content/references.yaml:2:3: error: reference 'a' needs a 'journal' or a 'publisher'\n");
    CHECK_STR(errors_of("a:\n  authors: A\n  title: T\n  year: 2000\n  journal: J\n", &sb),
              "content/references.yaml:2:3: error: reference 'a' needs a doi, pmid, url or isbn\n");
    CHECK_STR(errors_of("a:\n  authors: A\n  title: T\n  year: 2000\n  journal: J\n  url: ftp://x\n", &sb),
              "content/references.yaml:6:8: error: 'url' of reference 'a' must start with https:// or http://\n");
    CHECK_STR(errors_of("a:\n  authors: [A, B]\n  title: T\n  year: 2000\n  journal: J\n  doi: x\n", &sb),
              "content/references.yaml:2:12: error: 'authors' must be text, not a list\n");
    CHECK_STR(errors_of("bad key:\n  authors: A\n  title: T\n  year: 2000\n  journal: J\n  doi: x\n", &sb),
              "content/references.yaml:2:1: error: reference key 'bad key' may use only letters, digits, "
              "'_', '-', ':' and '.'\n");
    /* Every bad entry is reported, not only the first. */
    CHECK_STR(errors_of("a: 1\nb: 2\n", &sb), "content/references.yaml:1:4: error: reference 'a' must be a map of fields\n"
                                              "content/references.yaml:2:4: error: reference 'b' must be a map of fields\n");
    strbuf_free(&sb);
}

static void test_unknown_field(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    refs *r = load("a:\n  authors: A\n  title: T\n  year: 2000\n  journal: J\n  doi: x\n  volum: 3\n", &dl);
    CHECK(r != NULL);
    CHECK_STR(fx_diags(&dl, &sb), "content/references.yaml:7:10: warning: unknown field 'volum' in reference 'a'\n");
    CHECK_STR(field(r, "a", "volum"), "3"); /* kept, as the warning is only a warning */
    refs_free(r);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

int main(void)
{
    test_fields();
    test_empty();
    test_errors();
    test_unknown_field();
    TEST_END("refs");
}
