#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void out_of_memory(void)
{
    fputs("lumbar: out of memory\n", stderr);
    abort();
}

static void *check(void *p)
{
    if (!p)
        out_of_memory();
    return p;
}

void *xmalloc(size_t n) { return check(malloc(n ? n : 1)); }

void *xcalloc(size_t n, size_t size) { return check(calloc(n ? n : 1, size ? size : 1)); }

void *xrealloc(void *p, size_t n) { return check(realloc(p, n ? n : 1)); }

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n)
{
    char *copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

bool xgrow_cap(size_t cap, size_t n, size_t size, size_t min_cap, size_t *grown)
{
    size_t want = cap ? cap : (min_cap ? min_cap : 1);
    while (want < n) {
        if (want > SIZE_MAX / 2)
            return false;
        want *= 2;
    }
    if (size && want > SIZE_MAX / size)
        return false;
    *grown = want;
    return true;
}

void *xgrow(void *ptr, size_t *cap, size_t n, size_t size, size_t min_cap)
{
    size_t grown;
    if (n <= *cap)
        return ptr;
    if (!xgrow_cap(*cap, n, size, min_cap, &grown))
        out_of_memory();
    *cap = grown;
    return xrealloc(ptr, grown * size);
}

void xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

void *xbsearch(const void *key, const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    return n ? bsearch(key, base, n, size, cmp) : NULL;
}

int cmp_cstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
