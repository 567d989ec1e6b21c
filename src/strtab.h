/* strtab: a table from strings to size_t values (open addressing, kept at
 * most half full, so the ten-thousandth key costs what the first did).
 *
 * Keys are BORROWED: the table stores the caller's pointer and length and
 * never copies or frees a key, so a key must outlive its entry. A caller may
 * point an entry's key at another copy of the same bytes, and a caller that
 * gives the table keys it wants freed frees them itself by walking slots
 * (an entry is in use when its key is not NULL). The slots belong to the
 * table. */
#ifndef LUMBAR_STRTAB_H
#define LUMBAR_STRTAB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strtab_entry {
    const char *key; /* NULL: a free slot */
    size_t len;      /* the key's bytes; it need not end in NUL */
    size_t val;
} strtab_entry;

typedef struct strtab {
    strtab_entry *slots;
    size_t cap; /* slots: 0 or a power of two */
    size_t len; /* entries in use */
} strtab;

#define STRTAB_INIT {NULL, 0, 0}

/* Returns the entry for the n-byte key, or NULL when it has none. The
 * pointer is valid until the next strtab_add. */
strtab_entry *strtab_get(const strtab *t, const char *key, size_t n);
/* Returns the entry for the n-byte key, adding it with value val when it
 * has none; *added (when not NULL) says which. The pointer is valid until
 * the next strtab_add. */
strtab_entry *strtab_add(strtab *t, const char *key, size_t n, size_t val, bool *added);
/* Frees the slots (not the keys) and leaves t empty for reuse. */
void strtab_free(strtab *t);

#endif
