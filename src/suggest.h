/* suggest: "did you mean ...?" for misspelt names (front-matter keys,
 * #fragment ids), by edit distance. */
#ifndef LUMBAR_SUGGEST_H
#define LUMBAR_SUGGEST_H

#include <stddef.h>

/* Returns the edit distance between a and b in bytes: insertions,
 * deletions, substitutions and swaps of neighbours each count one. */
size_t suggest_distance(const char *a, const char *b);
/* Returns the candidate closest to word, or NULL when none is close
 * enough to be a likely misspelling (at most a third of word's length,
 * and at least 1, edits away). The result points into candidates. */
const char *suggest_closest(const char *word, const char *const *candidates, size_t n);
/* Returns the candidate closest to word however far it is, or NULL when
 * there are none; it points into candidates. */
const char *suggest_nearest(const char *word, const char *const *candidates, size_t n);

#endif
