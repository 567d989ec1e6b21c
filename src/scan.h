/* scan: finding the few bytes that need attention in long runs of text.
 *
 * Page bodies, excerpts and template values are mostly bytes that every
 * loop over them passes by; these skip them sixteen bytes a step where the
 * compiler targets SSE2 (every x86-64), eight elsewhere. Each returns what
 * a plain byte loop would (tests/unit/test_scan.c holds them to one).
 * Defining LUMBAR_PORTABLE_SCAN builds the eight-byte code everywhere: the
 * sanitizer build tests it that way. Nothing here allocates. */
#ifndef LUMBAR_SCAN_H
#define LUMBAR_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Returns the offset of the first of & < > " (and ' when apos) in the n
 * bytes at s, or n. */
size_t scan_html(const char *s, size_t n, bool apos);
/* Returns the offset of the first byte in the n at s that a JSON string
 * in a script cannot hold as it is: below 0x20, 0x80 and up (to be
 * checked as UTF-8), " \ < > or &; n when there is none. */
size_t scan_json(const char *s, size_t n);
/* Returns the offset of the first byte of 0x80 and up in the n at s, or n. */
size_t scan_ascii(const char *s, size_t n);
/* Returns the number of words in the n bytes at s, words being runs of
 * bytes other than ' '. *in_word says whether the byte before s was part
 * of a word, and is updated for the bytes that follow. */
size_t scan_count_words(const char *s, size_t n, bool *in_word);

#endif
