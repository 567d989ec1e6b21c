#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define ARENA_CHUNK (256 * 1024)
#define ALIGN 16

/* Every allocation is preceded by its size, so realloc knows what to copy. */
typedef struct header {
    size_t size;
    size_t pad; /* keeps the data 16-byte aligned */
} header;

typedef struct chunk {
    struct chunk *next;
    size_t cap, used;
    size_t pad;
    unsigned char data[];
} chunk;

struct arena {
    chunk *head; /* the chunk allocations come from; older ones follow */
    header *last; /* the latest allocation, which can grow or shrink in place */
};

static size_t round_up(size_t n) { return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

static chunk *chunk_new(size_t cap, chunk *next)
{
    chunk *c = xmalloc(sizeof *c + cap);
    c->next = next;
    c->cap = cap;
    c->used = 0;
    return c;
}

arena *arena_new(void)
{
    arena *a = xcalloc(1, sizeof *a);
    a->head = chunk_new(ARENA_CHUNK, NULL);
    return a;
}

static inline void *bump(arena *a, size_t n)
{
    size_t need = sizeof(header) + round_up(n);
    if (need < n || a->head->cap - a->head->used < need) {
        if (need < n || need > SIZE_MAX - sizeof(chunk))
            need = SIZE_MAX - sizeof(chunk); /* xmalloc reports it */
        a->head = chunk_new(need > ARENA_CHUNK ? need : ARENA_CHUNK, a->head);
    }
    header *h = (header *)(a->head->data + a->head->used);
    a->head->used += need;
    h->size = n;
    a->last = h;
    return h + 1;
}

void *arena_calloc(arena *a, size_t n)
{
    void *p = bump(a, n);
    memset(p, 0, n);
    return p;
}

void *arena_realloc(arena *a, void *p, size_t n)
{
    if (!p)
        return bump(a, n);
    header *h = (header *)p - 1;
    if (h == a->last) {
        size_t start = (size_t)((unsigned char *)h - a->head->data);
        size_t need = sizeof(header) + round_up(n);
        if (need >= n && a->head->cap - start >= need) {
            a->head->used = start + need;
            h->size = n;
            return p;
        }
    }
    void *q = bump(a, n);
    memcpy(q, p, h->size < n ? h->size : n);
    return q;
}

void arena_release(arena *a, void *p)
{
    if (!p || (header *)p - 1 != a->last)
        return;
    a->head->used = (size_t)((unsigned char *)a->last - a->head->data);
    a->last = NULL;
}

void arena_reset(arena *a)
{
    chunk *first = a->head;
    while (first->next) {
        chunk *next = first->next;
        free(first);
        first = next;
    }
    a->head = first;
    a->head->used = 0;
    a->last = NULL;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    arena_reset(a);
    free(a->head);
    free(a);
}
