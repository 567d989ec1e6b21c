/* Unit tests for words.c: every line of tests/search-words.tsv (text, then
 * the terms it must give) through words_next and words_stem, the table the
 * browser test checks search.js against; plus where words start and end,
 * and bytes that are not UTF-8. Run from the repository's root. */
#include "harness.h"

#include "words.h"

static void terms_of(const char *text, strbuf *out)
{
    strbuf word = STRBUF_INIT;
    size_t pos = 0, start = 0, n = strlen(text);
    strbuf_reset(out);
    while (words_next(text, n, &pos, &start, &word)) {
        words_stem(&word);
        if (out->len)
            strbuf_putc(out, ' ');
        strbuf_append(out, word.data, word.len);
    }
    strbuf_free(&word);
}

static void test_shared_table(void)
{
    FILE *f = fopen("tests/search-words.tsv", "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[512];
    int rows = 0;
    strbuf got = STRBUF_INIT;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        terms_of(line, &got);
        if (strcmp(strbuf_cstr(&got), tab + 1))
            fprintf(stderr, "search-words.tsv: \"%s\"\n", line);
        CHECK_STR(strbuf_cstr(&got), tab + 1);
        rows++;
    }
    fclose(f);
    strbuf_free(&got);
    CHECK(rows >= 30);
}

static void test_positions(void)
{
    const char *text = "  Çà, va\xff" "bien";
    strbuf word = STRBUF_INIT;
    size_t pos = 0, start = 0, n = strlen(text);
    CHECK(words_next(text, n, &pos, &start, &word));
    CHECK_STR(strbuf_cstr(&word), "ca");
    CHECK_INT(start, 2);
    CHECK_INT(pos, 6);
    CHECK(words_next(text, n, &pos, &start, &word));
    CHECK_STR(strbuf_cstr(&word), "va"); /* an invalid byte parts words */
    CHECK(words_next(text, n, &pos, &start, &word));
    CHECK_STR(strbuf_cstr(&word), "bien");
    CHECK_INT(start, 11);
    CHECK(!words_next(text, n, &pos, &start, &word));
    CHECK_INT(word.len, 0);
    strbuf_free(&word);
}

int main(void)
{
    test_shared_table();
    test_positions();
    TEST_END("words");
}
