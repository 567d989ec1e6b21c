/* xalloc: allocation that never returns NULL.
 *
 * lumbar is a command-line tool; running out of memory is not a condition a
 * build can recover from, so these abort with a message instead of making
 * every caller test for NULL. */
#ifndef LUMBAR_XALLOC_H
#define LUMBAR_XALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Returns n bytes the caller owns; never NULL. */
void *xmalloc(size_t n);
/* Returns n zeroed elements of size bytes the caller owns; never NULL. */
void *xcalloc(size_t n, size_t size);
/* Resizes p (which may be NULL) to n bytes; the caller owns the result. */
void *xrealloc(void *p, size_t n);
/* Returns a copy of s the caller owns. */
char *xstrdup(const char *s);
/* Returns a NUL-terminated copy of the first n bytes of s; the caller owns it. */
char *xstrndup(const char *s, size_t n);

/* The capacity an array of cap items of size bytes grows to so that it holds
 * n: cap doubled (from min_cap when cap is 0) until it is at least n. False
 * when that many bytes would not fit in a size_t; *grown is then unset. */
bool xgrow_cap(size_t cap, size_t n, size_t size, size_t min_cap, size_t *grown);
/* Returns ptr (an array of *cap items of size bytes; may be NULL) resized to
 * hold at least n items, updating *cap as xgrow_cap says; the caller owns the
 * result. An overflow aborts as running out of memory does. */
void *xgrow(void *ptr, size_t *cap, size_t n, size_t size, size_t min_cap);
/* Makes array ptr, with capacity cap (a size_t lvalue), hold at least n
 * items, as git's ALLOC_GROW does; min_cap is the first capacity. */
#define XGROW(ptr, cap, n, min_cap)                                          \
    do {                                                                     \
        if ((n) > (cap))                                                     \
            (ptr) = xgrow((ptr), &(cap), (n), sizeof *(ptr), (min_cap));     \
    } while (0)

/* qsort that accepts an empty array, which may be NULL (qsort may not be
 * given NULL even with no elements). */
void xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* A qsort/bsearch comparator for arrays of char *. */
int cmp_cstr(const void *a, const void *b);
/* bsearch with the same allowance. */
void *xbsearch(const void *key, const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
