/* words: how search splits, folds and stems text, written twice.
 *
 * assets/js/search.js has the same rules in JavaScript, so that a word
 * typed in the browser becomes the very term the build indexed; the table
 * of test words in tests/search-words.tsv is checked against both (by
 * tests/unit/test_words.c and tests/browser/search.test.mjs). Change one
 * side and the other, and the table, together.
 *
 * A word is a run of ASCII letters and digits and of code points from
 * U+00C0 up, except U+00D7, U+00F7, the punctuation blocks U+2000-U+206F,
 * U+2E00-U+2E7F, U+3000-U+303F and U+FEFF. Folding lowercases ASCII and
 * takes the accent off Latin-1 letters (À becomes a, Ç c; Æ becomes æ);
 * every other code point stays as it is. Stemming touches only words of
 * ASCII letters and digits; see words_stem. */
#ifndef LUMBAR_WORDS_H
#define LUMBAR_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* Finds the next word in the n bytes at text from *pos, puts it folded into
 * word (reset first) and moves *pos past it; sets *start to where it began.
 * Returns false when no word is left. Invalid UTF-8 bytes part words. */
bool words_next(const char *text, size_t n, size_t *pos, size_t *start, strbuf *word);
/* words_next, also setting *hash to words_hash of the word found. */
bool words_next_hashed(const char *text, size_t n, size_t *pos, size_t *start, strbuf *word, uint64_t *hash);
/* Receives each word words_each finds: folded, len bytes, not
 * NUL-terminated, valid only during the call; hash is its words_hash. */
typedef void words_fn(void *ctx, const char *word, size_t len, uint64_t hash);
/* Calls add for every word of the n bytes at text, in order, as
 * words_next would find them; returns how many. The index meets every word
 * of every page, so the common word (ASCII letters and digits) is found,
 * folded and hashed in one pass. */
size_t words_each(const char *text, size_t n, words_fn *add, void *ctx);
/* A hash of the n bytes of a folded word (64-bit FNV-1a), the one
 * words_next_hashed gives: for the index's tables, never for security. */
uint64_t words_hash(const char *word, size_t n);
/* Stems the folded word in place with a small suffix stemmer (ASCII words
 * longer than three letters): "walks", "walking", "walked" give "walk";
 * "exercise", "exercises", "exercising" give "exercis"; "studies" "study". */
void words_stem(strbuf *word);

#endif
