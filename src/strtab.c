#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "xalloc.h"

/* The slot holding key, or the free slot where it would go; cap > 0. */
static strtab_entry *find(const strtab *t, const char *key, size_t n)
{
    size_t mask = t->cap - 1;
    for (size_t i = (size_t)hash_mix(hash_bytes(HASH_SEED, key, n)) & mask;; i = (i + 1) & mask) {
        strtab_entry *e = &t->slots[i];
        if (!e->key || (e->len == n && !memcmp(e->key, key, n)))
            return e;
    }
}

strtab_entry *strtab_get(const strtab *t, const char *key, size_t n)
{
    if (!t->cap)
        return NULL;
    strtab_entry *e = find(t, key, n);
    return e->key ? e : NULL;
}

/* Doubles the slots when one more entry would make them over half full. */
static void grow(strtab *t)
{
    if (2 * (t->len + 1) <= t->cap)
        return;
    strtab old = *t;
    t->cap = old.cap ? old.cap * 2 : 64;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            *find(t, old.slots[i].key, old.slots[i].len) = old.slots[i];
    free(old.slots);
}

strtab_entry *strtab_add(strtab *t, const char *key, size_t n, size_t val, bool *added)
{
    grow(t);
    strtab_entry *e = find(t, key, n);
    bool is_new = !e->key;
    if (is_new) {
        *e = (strtab_entry){key, n, val};
        t->len++;
    }
    if (added)
        *added = is_new;
    return e;
}

void strtab_free(strtab *t)
{
    free(t->slots);
    *t = (strtab){NULL, 0, 0};
}
