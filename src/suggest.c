#include "suggest.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

size_t suggest_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    /* Three rows of the table: two before this one, for transpositions. */
    size_t *rows = xmalloc(3 * (m + 1) * sizeof *rows);
    size_t *before = rows, *prev = rows + m + 1, *cur = rows + 2 * (m + 1);
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = before;
        before = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[m];
    free(rows);
    return d;
}

/* The candidate at most limit edits from word and closest to it, or NULL. */
static const char *closest_within(const char *word, const char *const *candidates, size_t n, size_t limit)
{
    size_t len = strlen(word);
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        size_t cl = strlen(candidates[i]);
        /* The distance is at least the difference in lengths. */
        if ((cl > len ? cl - len : len - cl) >= best_d)
            continue;
        size_t d = suggest_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

const char *suggest_closest(const char *word, const char *const *candidates, size_t n)
{
    /* A third of the length: "titel" (1 edit of 5) is a typo of title,
       while "tag" is no typo of "tree". */
    size_t third = strlen(word) / 3;
    return closest_within(word, candidates, n, third > 0 ? third : 1);
}

const char *suggest_nearest(const char *word, const char *const *candidates, size_t n)
{
    return closest_within(word, candidates, n, (size_t)-1 / 2);
}
