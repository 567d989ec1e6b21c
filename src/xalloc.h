/* xalloc: allocation that never returns NULL.
 *
 * lumbar is a command-line tool; running out of memory is not a condition a
 * build can recover from, so these abort with a message instead of making
 * every caller test for NULL. */
#ifndef LUMBAR_XALLOC_H
#define LUMBAR_XALLOC_H

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

/* qsort that accepts an empty array, which may be NULL (qsort may not be
 * given NULL even with no elements). */
void xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* A qsort/bsearch comparator for arrays of char *. */
int cmp_cstr(const void *a, const void *b);
/* bsearch with the same allowance. */
void *xbsearch(const void *key, const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
