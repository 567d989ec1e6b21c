#include "words.h"

#include <string.h>

/* What NFD would leave of U+00C0-U+00FF once its accent is dropped and the
 * letter lowercased: the base letter, or the letter itself lowercased
 * where there is no decomposition (Æ Ð Ø Þ ß). 0 marks D7 and F7. */
static const unsigned short latin1_fold[64] = {
    'a', 'a', 'a', 'a', 'a', 'a', 0xE6, 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
    0xF0, 'n', 'o', 'o', 'o', 'o', 'o', 0, 0xF8, 'u', 'u', 'u', 'u', 'y', 0xFE, 0xDF,
    'a', 'a', 'a', 'a', 'a', 'a', 0xE6, 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
    0xF0, 'n', 'o', 'o', 'o', 'o', 'o', 0, 0xF8, 'u', 'u', 'u', 'u', 'y', 0xFE, 'y',
};

/* An ASCII letter or digit, lowercased; 0 for anything else, bytes from
 * 0x80 included (they are decoded apart). */
static const char ascii_fold[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4', ['5'] = '5', ['6'] = '6', ['7'] = '7',
    ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f', ['g'] = 'g', ['h'] = 'h',
    ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o', ['p'] = 'p',
    ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x',
    ['y'] = 'y', ['z'] = 'z',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f', ['G'] = 'g', ['H'] = 'h',
    ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o', ['P'] = 'p',
    ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
    ['Y'] = 'y', ['Z'] = 'z',
};

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, or 0
 * for an invalid one, and sets *cp. */
static size_t decode(const unsigned char *s, size_t n, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || len > n || s[0] > 0xF4)
        return 0;
    unsigned c = s[0] & (0x3F >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

static bool is_ascii_alnum(unsigned c) { return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'); }

static bool is_word_cp(unsigned c)
{
    if (c < 0x80)
        return is_ascii_alnum(c);
    if (c < 0xC0 || c == 0xD7 || c == 0xF7 || c == 0xFEFF)
        return false;
    return !((c >= 0x2000 && c <= 0x206F) || (c >= 0x2E00 && c <= 0x2E7F) || (c >= 0x3000 && c <= 0x303F));
}

static void put_cp(strbuf *out, unsigned c)
{
    if (c < 0x80) {
        strbuf_putc(out, (char)c);
    } else if (c < 0x800) {
        strbuf_putc(out, (char)(0xC0 | c >> 6));
        strbuf_putc(out, (char)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        strbuf_putc(out, (char)(0xE0 | c >> 12));
        strbuf_putc(out, (char)(0x80 | (c >> 6 & 0x3F)));
        strbuf_putc(out, (char)(0x80 | (c & 0x3F)));
    } else {
        strbuf_putc(out, (char)(0xF0 | c >> 18));
        strbuf_putc(out, (char)(0x80 | (c >> 12 & 0x3F)));
        strbuf_putc(out, (char)(0x80 | (c >> 6 & 0x3F)));
        strbuf_putc(out, (char)(0x80 | (c & 0x3F)));
    }
}

static unsigned fold(unsigned c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xFF)
        return latin1_fold[c - 0xC0];
    return c;
}

#define WORDS_HASH_SEED 14695981039346656037ULL
#define WORDS_HASH_PRIME 1099511628211ULL

uint64_t words_hash(const char *word, size_t n)
{
    uint64_t h = WORDS_HASH_SEED;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)word[i]) * WORDS_HASH_PRIME;
    return h;
}

/* Folds the ASCII letters and digits from p on (up to limit) into dst,
 * hashing each into *h, and returns where the run ends: the common word is
 * found, folded and hashed in one pass. */
static const unsigned char *fold_run(const unsigned char *p, const unsigned char *limit, char *dst, uint64_t *h)
{
    uint64_t hash = *h;
    for (; p < limit && ascii_fold[*p]; p++) {
        unsigned char f = (unsigned char)ascii_fold[*p];
        *dst++ = (char)f;
        hash = (hash ^ f) * WORDS_HASH_PRIME;
    }
    *h = hash;
    return p;
}

bool words_next_hashed(const char *text, size_t n, size_t *pos, size_t *start, strbuf *word, uint64_t *hash)
{
    const unsigned char *s = (const unsigned char *)text;
    strbuf_reset(word);
    uint64_t h = WORDS_HASH_SEED;
    size_t i = *pos;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) { /* most text: a run of ASCII at a time, through a table */
            if (!ascii_fold[c]) {
                if (word->len)
                    break;
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && ascii_fold[s[j]])
                j++;
            if (!word->len)
                *start = i;
            strbuf_reserve(word, j - i);
            fold_run(s + i, s + j, word->data + word->len, &h);
            word->len += j - i;
            word->data[word->len] = '\0';
            i = j;
            continue;
        }
        size_t len = decode(s + i, n - i, &c);
        if (len && is_word_cp(c)) {
            if (!word->len)
                *start = i;
            size_t before = word->len;
            put_cp(word, fold(c));
            for (size_t k = before; k < word->len; k++)
                h = (h ^ (unsigned char)word->data[k]) * WORDS_HASH_PRIME;
        } else if (word->len) {
            break;
        }
        i += len ? len : 1;
    }
    *pos = i;
    *hash = h;
    return word->len > 0;
}

/* The longest word words_each folds in place of the general path. */
#define FAST_WORD 64

size_t words_each(const char *text, size_t n, words_fn *add, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    char word[FAST_WORD];
    strbuf slow = STRBUF_INIT;
    size_t i = 0, count = 0;
    for (;;) {
        while (i < n && s[i] < 0x80 && !ascii_fold[s[i]])
            i++;
        if (i == n)
            break;
        /* A word of ASCII letters and digits, ended by ASCII or the text's
           end, is folded and hashed here in one pass; any other goes
           through words_next_hashed. */
        size_t at = i;
        const unsigned char *limit = n - i < FAST_WORD ? s + n : s + i + FAST_WORD;
        uint64_t h = WORDS_HASH_SEED;
        size_t len = (size_t)(fold_run(s + i, limit, word, &h) - (s + i));
        i += len;
        if (len && len < FAST_WORD && (i == n || s[i] < 0x80)) {
            add(ctx, word, len, h);
        } else {
            size_t start;
            i = at;
            words_next_hashed(text, n, &i, &start, &slow, &h);
            if (!slow.len)
                continue; /* bytes that are no word, skipped */
            add(ctx, slow.data, slow.len, h);
        }
        count++;
    }
    strbuf_free(&slow);
    return count;
}

bool words_next(const char *text, size_t n, size_t *pos, size_t *start, strbuf *word)
{
    uint64_t unused;
    return words_next_hashed(text, n, pos, start, word, &unused);
}

static bool ends(const strbuf *w, const char *suffix)
{
    size_t k = strlen(suffix);
    return w->len >= k && !memcmp(w->data + w->len - k, suffix, k);
}

static bool has_vowel(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strchr("aeiouy", s[i]))
            return true;
    return false;
}

/* "sitting" less "ing" is "sitt": one t goes; "fall" and "stress" keep
 * theirs. */
static void undouble(strbuf *w)
{
    size_t n = w->len;
    if (n >= 2 && w->data[n - 1] == w->data[n - 2] && !strchr("aeioulsz", w->data[n - 1]))
        strbuf_truncate(w, n - 1);
}

/* Drops suffix (k bytes) when at least three letters with a vowel stay. */
static bool drop_verb_ending(strbuf *w, size_t k)
{
    if (w->len < k + 3 || !has_vowel(w->data, w->len - k))
        return false;
    strbuf_truncate(w, w->len - k);
    undouble(w);
    return true;
}

void words_stem(strbuf *w)
{
    for (size_t i = 0; i < w->len; i++)
        if (!((w->data[i] >= 'a' && w->data[i] <= 'z') || (w->data[i] >= '0' && w->data[i] <= '9')))
            return;
    if (w->len <= 3)
        return;
    if (ends(w, "sses")) {
        strbuf_truncate(w, w->len - 2);
    } else if (ends(w, "ies") && w->len >= 5) {
        strbuf_truncate(w, w->len - 3);
        strbuf_putc(w, 'y');
    } else if (ends(w, "s") && !ends(w, "ss") && !ends(w, "us") && !ends(w, "is")) {
        strbuf_truncate(w, w->len - 1);
    }
    if (ends(w, "ied") && w->len >= 5) {
        strbuf_truncate(w, w->len - 3);
        strbuf_putc(w, 'y');
    } else if (!(ends(w, "ing") && drop_verb_ending(w, 3)) && ends(w, "ed")) {
        drop_verb_ending(w, 2);
    }
    if (ends(w, "e") && w->len >= 5) /* "site" stays, or it would be "sit" */
        strbuf_truncate(w, w->len - 1);
}
