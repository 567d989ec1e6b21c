/* Unit tests for config.c and refs.c. */
#include "harness.h"

#include "config.h"
#include "refs.h"

static const char *all_diags(diag_list *dl, strbuf *sb)
{
    strbuf_reset(sb);
    for (size_t i = 0; i < dl->len; i++)
        diag_format(&dl->items[i], sb);
    return strbuf_cstr(sb);
}

static void test_config(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    const char *ini = "[site]\ntitle = T\nbase_url = https://example.org/backpain\n[build]\npage_size = 5\n"
                      "[params]\ncolour = teal\n";
    config *cfg = config_parse(ini, strlen(ini), "config.ini", &dl);
    CHECK(cfg != NULL);
    CHECK_INT(dl.len, 0);
    CHECK_STR(cfg->base_url, "https://example.org/backpain/");
    CHECK_STR(cfg->base_path, "/backpain/");
    CHECK_INT(cfg->page_size, 5);
    CHECK_INT(cfg->interval_months, 36);
    CHECK_STR(value_cstr(value_map_get(cfg->params, "colour")), "teal");
    CHECK(config_set_base_url(cfg, "http://127.0.0.1:1313", "x", 0, &dl));
    CHECK_STR(cfg->base_path, "/");
    CHECK(!config_set_base_url(cfg, "ftp://x/", "--base-url", 0, &dl));
    CHECK(!config_set_base_url(cfg, "https://x/a/../b/", "--base-url", 0, &dl));
    config_free(cfg);
    diag_list_clear(&dl);

    ini = "[site]\ntitle = T\nbase_url = https://e.org/\nfoo = 1\n[build]\nsmart_punctuation = perhaps\nthis is not ini\n";
    cfg = config_parse(ini, strlen(ini), "config.ini", &dl);
    CHECK(cfg == NULL);
    CHECK_STR(all_diags(&dl, &sb),
              "config.ini:4: warning: unknown key 'foo' in [site]\n"
              "config.ini:6: error: smart_punctuation must be true or false, not 'perhaps'\n"
              "config.ini:7: error: not valid INI syntax (expected [section] or key = value)\n");
    diag_list_clear(&dl);

    /* The lenient parse reports the same errors and keeps defaults, so a
       build can go on to check the content. */
    cfg = config_parse_lenient(ini, strlen(ini), "config.ini", &dl);
    CHECK(cfg != NULL);
    CHECK_INT(diag_count(&dl, DIAG_ERROR), 2);
    CHECK(cfg && cfg->smart_punctuation);
    CHECK_STR(cfg ? cfg->base_url : NULL, "https://e.org/");
    config_free(cfg);
    diag_list_clear(&dl);

    /* inih's fixed line buffer must not cut a long line short in silence. */
    strbuf long_ini = STRBUF_INIT;
    strbuf_puts(&long_ini, "[site]\ntitle = T\nbase_url = https://e.org/\ndescription = ");
    for (int i = 0; i < 30; i++)
        strbuf_puts(&long_ini, "back pain ");
    strbuf_puts(&long_ini, "END\r\nlanguage = en\n");
    cfg = config_parse(long_ini.data, long_ini.len, "config.ini", &dl);
    CHECK(cfg == NULL);
    CHECK_STR(all_diags(&dl, &sb), "config.ini:4: error: line is 317 bytes long; config.ini lines can be at most 199\n");
    diag_list_clear(&dl);
    strbuf_free(&long_ini);

    /* A line that just fits is read whole. */
    char fits[256];
    snprintf(fits, sizeof fits, "[site]\ntitle = T\nbase_url = https://e.org/\ndescription = %0*d\r\n", 199 - 14, 7);
    cfg = config_parse(fits, strlen(fits), "config.ini", &dl);
    CHECK(cfg != NULL);
    CHECK_INT(dl.len, 0);
    CHECK_INT(cfg ? strlen(cfg->description) : 0, 199 - 14);
    config_free(cfg);
    diag_list_clear(&dl);
    config_free(NULL);
    strbuf_free(&sb);
}

static void test_refs(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    const char *yaml = "b1:\n  authors: A\n  title: T\n  journal: J\n  year: 2020\n  doi: 10.1/a(b)\n"
                       "a1:\n  authors: B\n  title: U\n  publisher: P\n  year: 2019\n  pmid: 42\n  colour: red\n";
    refs *r = refs_load(yaml, strlen(yaml), "refs.yaml", &dl);
    CHECK(r != NULL);
    CHECK_INT(refs_count(r), 2);
    CHECK_STR(value_cstr(value_map_get(refs_get(r, "b1"), "href")), "https://doi.org/10.1/a(b)");
    CHECK_STR(value_cstr(value_map_get(refs_get(r, "a1"), "href")), "https://pubmed.ncbi.nlm.nih.gov/42/");
    CHECK_STR(value_cstr(value_map_get(refs_get(r, "a1"), "container")), "P");
    CHECK_STR(value_cstr(value_map_get(refs_get(r, "a1"), "year")), "2019");
    CHECK(refs_get(r, "zz") == NULL);
    CHECK_STR(all_diags(&dl, &sb), "refs.yaml:13:11: warning: unknown field 'colour' in reference 'a1'\n");
    refs_free(r);
    diag_list_clear(&dl);

    yaml = "x:\n  authors: A\n  title: T\n  year: 2020\n  journal: J\n  url: ftp://x\n";
    CHECK(refs_load(yaml, strlen(yaml), "refs.yaml", &dl) == NULL);
    CHECK_STR(all_diags(&dl, &sb), "refs.yaml:6:8: error: 'url' of reference 'x' must start with https:// or http://\n");
    diag_list_clear(&dl);
    refs_free(NULL);
    strbuf_free(&sb);
}

/* What base_url accepts, and that a key set twice is an error at the second
 * (also in a [params] of 100,000 keys), while a continuation line is not. */
static void test_base_url_and_duplicates(void)
{
    static const char *const good[] = {"https://example.org", "http://127.0.0.1:1313/", "https://[::1]:8443/a/",
                                       "https://example.org:65535/x/"};
    static const char *const bad[] = {"https://user:pass@example.org/", "https://user@example.org/",
                                      "https://example.org:0/", "https://example.org:65536/",
                                      "https://example.org:/", "https://example.org:8o80/", "https://:80/",
                                      "https://[::1/", "https://[::1]x/", "https://x/a/..", "https://x/a/."};
    diag_list dl = DIAG_LIST_INIT;
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK(config_check_base_url(good[i], "t", 1, &dl));
    CHECK_INT(dl.len, 0);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(!config_check_base_url(bad[i], "t", 1, &dl));
    CHECK_INT(dl.len, sizeof bad / sizeof *bad);
    diag_list_clear(&dl);

    strbuf ini = STRBUF_INIT, sb = STRBUF_INIT;
    strbuf_puts(&ini, "[site]\ntitle = T\n  continued\nbase_url = https://e.org/\n[params]\n");
    for (int i = 0; i < 100000; i++)
        strbuf_printf(&ini, "p%d = %d\n", i, i);
    strbuf_puts(&ini, "p77777 = again\n[site]\ntitle = Again\n");
    config *cfg = config_parse(ini.data, ini.len, "config.ini", &dl);
    CHECK(cfg == NULL);
    for (size_t i = 0; i < dl.len; i++)
        diag_format(&dl.items[i], &sb);
    CHECK_STR(sb.data, "config.ini:100006: error: duplicate key 'p77777' in [params] (first set on line 77783)\n"
                       "config.ini:100008: error: duplicate key 'title' in [site] (first set on line 2)\n");
    diag_list_clear(&dl);
    strbuf_free(&ini);
    strbuf_free(&sb);
}

int main(void)
{
    test_config();
    test_base_url_and_duplicates();
    test_refs();
    TEST_END("config");
}
