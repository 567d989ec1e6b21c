/* Unit tests for scan.c: each scan against a plain byte loop, on text made
 * of the bytes that matter (and ones that sit next to them in value), at
 * every length to 80 and every start offset to 16, so that the sixteen-
 * and eight-byte steps and their tails all meet a hit at every position.
 * Built with LUMBAR_PORTABLE_SCAN (make check-asan), this tests the
 * eight-byte code; otherwise the SSE2 code where the machine has it. */
#include "harness.h"

#include <stdint.h>

#include "scan.h"

static const unsigned char alphabet[] = {'a', ' ', '&', '<', '>', '"', '\'', '\\', '%', '=', '?', '@',
                                         0x00, 0x01, 0x1F, 0x20, 0x21, 0x7F, 0x80, 0xC3, 0xE2, 0xFF};

static size_t html_ref(const unsigned char *s, size_t n, bool apos)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '&' || s[i] == '<' || s[i] == '>' || s[i] == '"' || (apos && s[i] == '\''))
            return i;
    return n;
}

static size_t json_ref(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] >= 0x80 || s[i] == '"' || s[i] == '\\' || s[i] == '<' || s[i] == '>' || s[i] == '&')
            return i;
    return n;
}

static size_t ascii_ref(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80)
            return i;
    return n;
}

static size_t words_ref(const unsigned char *s, size_t n, bool *in_word)
{
    size_t words = 0;
    for (size_t i = 0; i < n; i++) {
        bool space = s[i] == ' ';
        words += !space && !*in_word;
        *in_word = !space;
    }
    return words;
}

static uint32_t rng = 12345;

static unsigned next_random(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* Fills buf with mostly plain bytes and, one in `sparse`, a byte from the
 * alphabet. */
static void fill(unsigned char *buf, size_t n, unsigned sparse)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = next_random() % sparse ? (unsigned char)('b' + next_random() % 20)
                                        : alphabet[next_random() % sizeof alphabet];
}

static void test_against_loops(void)
{
    unsigned char buf[128];
    long html_bad = 0, cmark_bad = 0, json_bad = 0, ascii_bad = 0, words_bad = 0;
    for (unsigned sparse = 1; sparse <= 64; sparse *= 4) {
        for (int round = 0; round < 40; round++) {
            fill(buf, sizeof buf, sparse);
            for (size_t off = 0; off < 16; off++) {
                for (size_t n = 0; n <= 80; n++) {
                    const unsigned char *s = buf + off;
                    const char *cs = (const char *)s;
                    html_bad += scan_html(cs, n, true) != html_ref(s, n, true);
                    cmark_bad += scan_html(cs, n, false) != html_ref(s, n, false);
                    json_bad += scan_json(cs, n) != json_ref(s, n);
                    ascii_bad += scan_ascii(cs, n) != ascii_ref(s, n);
                    for (int start = 0; start < 2; start++) {
                        bool got_in = start, want_in = start;
                        size_t got = scan_count_words(cs, n, &got_in), want = words_ref(s, n, &want_in);
                        words_bad += got != want || (n && got_in != want_in);
                    }
                }
            }
        }
    }
    CHECK_INT(html_bad, 0);
    CHECK_INT(cmark_bad, 0);
    CHECK_INT(json_bad, 0);
    CHECK_INT(ascii_bad, 0);
    CHECK_INT(words_bad, 0);
}

/* Longer than the 255 sixteen-byte steps after which the SSE2 count
 * sums its lanes, with words at most sixteen bytes apart. */
static void test_long_text(void)
{
    enum { LONG = 10007 };
    unsigned char *text = malloc(LONG);
    long bad = 0;
    for (unsigned sparse = 2; text && sparse <= 16; sparse *= 2) {
        for (size_t i = 0; i < LONG; i++)
            text[i] = next_random() % sparse ? 'w' : ' ';
        bool got_in = false, want_in = false;
        bad += scan_count_words((const char *)text, LONG, &got_in) != words_ref(text, LONG, &want_in);
        bad += scan_html((const char *)text, LONG, true) != LONG;
    }
    CHECK(text != NULL);
    CHECK_INT(bad, 0);
    /* A word at the same place in every sixteen bytes: one lane counts
     * them all. */
    for (size_t i = 0; text && i < LONG; i++)
        text[i] = i % 16 == 1 ? 'w' : ' ';
    bool in_word = false;
    CHECK_INT(text ? scan_count_words((const char *)text, LONG, &in_word) : 0, (LONG + 14) / 16);
    free(text);
}

/* A word split across calls counts once; in_word carries over. */
static void test_words_across_calls(void)
{
    const char *text = "  two words   and   three  ";
    size_t whole = 0, parts = 0;
    bool in_word = false;
    whole = scan_count_words(text, strlen(text), &in_word);
    CHECK_INT(whole, 4);
    CHECK(!in_word);
    for (size_t cut = 0; cut <= strlen(text); cut++) {
        in_word = false;
        size_t n = scan_count_words(text, cut, &in_word);
        n += scan_count_words(text + cut, strlen(text) - cut, &in_word);
        parts += n != whole;
    }
    CHECK_INT(parts, 0);
    in_word = true;
    CHECK_INT(scan_count_words("continued word", 14, &in_word), 1);
    CHECK(in_word);
    in_word = true;
    CHECK_INT(scan_count_words("", 0, &in_word), 0);
    CHECK(in_word); /* nothing read: unchanged */
}

static void test_examples(void)
{
    CHECK_INT(scan_html("plain text, longer than sixteen bytes <b>", 41, true), 38);
    CHECK_INT(scan_html("it's", 4, true), 2);
    CHECK_INT(scan_html("it's", 4, false), 4);
    CHECK_INT(scan_json("line one\nline two", 17), 8);
    CHECK_INT(scan_json("caf\xC3\xA9", 5), 3);
    CHECK_INT(scan_json("a/b=c?d e", 9), 9);
    CHECK_INT(scan_ascii("sixteen ascii by\xC3\xA9", 18), 16);
    CHECK_INT(scan_ascii("nul \0 is ascii", 14), 14);
}

int main(void)
{
    test_against_loops();
    test_long_text();
    test_words_across_calls();
    test_examples();
    TEST_END("scan");
}
