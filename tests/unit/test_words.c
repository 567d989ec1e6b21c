/* Unit tests for words.c: every line of tests/search-words.tsv (text, then
 * the terms it must give) through words_next and words_stem, the table the
 * browser test checks search.js against; plus where words start and end,
 * and bytes that are not UTF-8; words_each against words_next. Run from
 * the repository's root. */
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

/* words_each's words and hashes, "word:hash|...". */
static void each_word(void *ctx, const char *word, size_t len, uint64_t hash)
{
    strbuf *out = ctx;
    strbuf_printf(out, "%.*s:%016llx|", (int)len, word, (unsigned long long)hash);
}

/* The same through words_next and words_hash. */
static void next_words(const char *text, size_t n, strbuf *out)
{
    strbuf word = STRBUF_INIT;
    size_t pos = 0, start;
    while (words_next(text, n, &pos, &start, &word))
        strbuf_printf(out, "%s:%016llx|", word.data, (unsigned long long)words_hash(word.data, word.len));
    strbuf_free(&word);
}

/* words_each takes a fast path for ASCII words: it must find exactly what
 * words_next finds, with the same hashes, at every word length around its
 * 64-byte limit, for words that run into non-ASCII letters, and in text
 * that ends mid-word or holds bytes that are not UTF-8. */
static void test_each_matches_next(void)
{
    const char *texts[] = {"", "   ", "Walking, WALKED; walks.", "café Cafe\xcc\x81 naïve ok",
                           "abc\xff" "def \xe2\x80\x99tis", "x\xc3", "end", "Œuvre 10kg – 5/10 ‘quoted’",
                           "a\xc3\xa9" "b\xc3\xa9" "c", "\xe2\x80\x94" "dash\xe2\x80\x94"};
    strbuf a = STRBUF_INIT, b = STRBUF_INIT, text = STRBUF_INIT;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        strbuf_reset(&a);
        strbuf_reset(&b);
        size_t count = words_each(texts[i], strlen(texts[i]), each_word, &a), words = 0;
        next_words(texts[i], strlen(texts[i]), &b);
        for (size_t k = 0; k < b.len; k++)
            words += b.data[k] == '|';
        CHECK_INT(count, words);
        CHECK_STR(strbuf_cstr(&a), strbuf_cstr(&b));
    }
    for (size_t len = 1; len <= 130; len++) {
        strbuf_reset(&text);
        for (size_t k = 0; k < len; k++)
            strbuf_putc(&text, (char)('A' + k % 26));
        strbuf_puts(&text, len % 2 ? " tail" : "\xc3\xa9 tail");
        strbuf_reset(&a);
        strbuf_reset(&b);
        size_t count = words_each(text.data, text.len - (len % 3 == 0 ? 5 : 0), each_word, &a);
        next_words(text.data, text.len - (len % 3 == 0 ? 5 : 0), &b);
        CHECK_STR(strbuf_cstr(&a), strbuf_cstr(&b));
        CHECK_INT(count, len % 3 == 0 ? 1 : 2);
    }
    strbuf_free(&a);
    strbuf_free(&b);
    strbuf_free(&text);
}

int main(void)
{
    test_shared_table();
    test_positions();
    test_each_matches_next();
    TEST_END("words");
}
