/* value: the one data type shared by front matter, config.ini and templates.
 *
 * A value is null, a boolean, a number, a string, a list or a map with
 * string keys kept in insertion order. Values remember where they came from
 * (1-based line and column in their source file; 0 when computed) so that
 * later stages can report errors at the right place.
 *
 * Ownership: every constructor returns a value with one reference that the
 * caller owns. Containers take ownership of what is pushed or set into them.
 * value_ref adds a reference so one value can sit in several containers (a
 * page summary in a section list and in several tag lists); value_free drops
 * one and frees the value with the last. References are atomic, so threads
 * may add and drop references to a value they share (the site model is
 * built on several threads); changing a container is not: a map or list
 * must be changed by one thread at a time, and not while others read it. */
#ifndef LUMBAR_VALUE_H
#define LUMBAR_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "strbuf.h"

typedef enum { V_NULL, V_BOOL, V_NUM, V_STR, V_LIST, V_MAP } value_kind;

typedef struct value value;

#define VALUE_KEY_INLINE 16

/* One key of a map. Keys shorter than VALUE_KEY_INLINE bytes (nearly all:
 * "title", "url", "date_human") live in the entry itself, which saves an
 * allocation per key; read them with value_entry_key. A key's address
 * changes when its map grows. */
struct value_entry {
    union {
        char *heap;                    /* key_len >= VALUE_KEY_INLINE */
        char here[VALUE_KEY_INLINE];   /* key_len < VALUE_KEY_INLINE; NUL-terminated */
    } k;
    size_t key_len; /* strlen of the key, to skip mismatches fast */
    value *val;
};

struct value {
    value_kind kind;
    int line, col;
    atomic_uint refs;
    union {
        bool b;
        double num;
        struct {
            char *ptr; /* NUL-terminated; may contain NUL bytes before len;
                        * usually stored right after the value itself */
            size_t len;
        } str;
        struct {
            value **items;
            size_t len, cap;
        } list;
        struct {
            struct value_entry *items;
            size_t len, cap;
            uint64_t seen; /* a bit per key, by length and ends: most misses skip the scan */
        } map;
    } u;
};

/* Returns the key of a map entry; valid until the map changes. */
static inline const char *value_entry_key(const struct value_entry *e)
{
    return e->key_len < VALUE_KEY_INLINE ? e->k.here : e->k.heap;
}

/* Returns a new null value. */
value *value_null(void);
/* Returns a new boolean. */
value *value_bool(bool b);
/* Returns a new number. */
value *value_num(double num);
/* Returns a new string holding a copy of s. */
value *value_str(const char *s);
/* Returns a new string holding a copy of the n bytes at s. */
value *value_strn(const char *s, size_t n);
/* Returns a new string that takes ownership of the malloc'd s. */
value *value_str_take(char *s);
/* Returns a new, empty list. */
value *value_list(void);
/* Returns a new, empty map. */
value *value_map(void);

/* Adds a reference to v (NULL is passed through) and returns v. */
value *value_ref(value *v);
/* Drops one reference; frees v and its children with the last. Accepts NULL. */
void value_free(value *v);
/* Records the source position of v and returns v. */
value *value_at(value *v, int line, int col);

/* Appends item to list, taking ownership of item. */
void value_list_push(value *list, value *item);
/* Sets key in map to v, taking ownership of v; replaces (and frees) an old value. */
void value_map_set(value *map, const char *key, value *v);
/* Makes room in map for n keys in all, so that filling it reallocates
 * nothing. */
void value_map_reserve(value *map, size_t n);
/* Returns the value under key, or NULL; the map keeps ownership. */
value *value_map_get(const value *map, const char *key);
/* As value_map_get with a key of n bytes that need not be NUL-terminated. */
value *value_map_getn(const value *map, const char *key, size_t n);

/* A key's bit in a map's seen mask. Template lookups try each map of a
 * context stack in turn, and most of those tries are misses. */
static inline uint64_t value_key_bit(const char *key, size_t n)
{
    unsigned char first = n ? (unsigned char)key[0] : 0, last = n ? (unsigned char)key[n - 1] : 0;
    return (uint64_t)1 << ((n * 7 + first * 3 + last) & 63);
}

/* False when v is surely not a map holding the key whose value_key_bit is
 * bit; true when it may be (value_map_getn then says). */
static inline bool value_map_may_have(const value *v, uint64_t bit)
{
    return v && v->kind == V_MAP && (v->u.map.seen & bit);
}
/* Follows a dotted path ("site.title") through maps; NULL if any step is missing. */
value *value_path(const value *root, const char *dotted);

/* Returns the string of v, or NULL when v is not a string; v keeps ownership. */
const char *value_cstr(const value *v);
/* Mustache truthiness: null, false, "" and the empty list are false. */
bool value_truthy(const value *v);
/* Appends the text form of a scalar (numbers in shortest round-trip form,
 * booleans as true/false, null as nothing); containers append nothing. */
void value_to_text(const value *v, strbuf *out);
/* Returns a deep copy the caller owns. */
value *value_copy(const value *v);
/* Returns the name of a kind for messages ("a string", "a list", ...). */
const char *value_kind_name(value_kind kind);

#endif
