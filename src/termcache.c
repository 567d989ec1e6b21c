#include "termcache.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "hash.h"
#include "strbuf.h"
#include "xalloc.h"

#define CACHE_FILE ".lumbar-cache/search-terms"
#define CACHE_MAGIC "lumbar search terms 1"

typedef struct entry {
    uint64_t key;
    const char *terms; /* into text, NUL-terminated there */
} entry;

struct termcache {
    char *site_dir;
    char stamp[40];      /* the binary's identity; "" when it has none */
    strbuf text;         /* the file, its entries' terms made NUL-terminated */
    entry *slots;        /* open addressing by key; terms NULL: empty */
    size_t cap, entries;
    atomic_size_t misses;
};

static void put_entry(termcache *c, uint64_t key, const char *terms)
{
    size_t at = (size_t)hash_mix(key) & (c->cap - 1);
    while (c->slots[at].terms && c->slots[at].key != key)
        at = (at + 1) & (c->cap - 1);
    if (!c->slots[at].terms)
        c->entries++;
    c->slots[at] = (entry){key, terms};
}

/* Parses "HEX16 BYTES\n" followed by BYTES bytes and a newline, from *at;
 * false when the text does not hold one whole entry there. */
static bool parse_entry(termcache *c, size_t *at)
{
    char *s = c->text.data + *at, *end = c->text.data + c->text.len, *after;
    errno = 0;
    unsigned long long key = strtoull(s, &after, 16);
    if (after != s + 16 || *after != ' ' || errno)
        return false;
    s = after + 1;
    unsigned long long bytes = strtoull(s, &after, 10);
    if (after == s || *after != '\n' || errno || bytes >= (unsigned long long)(end - after))
        return false;
    char *terms = after + 1;
    if (terms[bytes] != '\n')
        return false;
    terms[bytes] = '\0';
    put_entry(c, (uint64_t)key, terms);
    *at = (size_t)(terms + bytes + 1 - c->text.data);
    return true;
}

/* Indexes the file in c->text; false (and nothing kept) when it is not
 * this binary's cache or does not parse to its end. */
static bool parse(termcache *c)
{
    strbuf head = STRBUF_INIT;
    strbuf_printf(&head, "%s %s\n", CACHE_MAGIC, c->stamp);
    bool ok = c->text.len >= head.len && !memcmp(c->text.data, head.data, head.len);
    size_t at = head.len, lines = 0;
    strbuf_free(&head);
    for (size_t i = at; ok && i < c->text.len; i++)
        lines += c->text.data[i] == '\n';
    c->cap = 64;
    while (c->cap < lines) /* two lines an entry: at most half full */
        c->cap *= 2;
    c->slots = xcalloc(c->cap, sizeof *c->slots);
    while (ok && at < c->text.len)
        ok = parse_entry(c, &at);
    if (!ok) {
        memset(c->slots, 0, c->cap * sizeof *c->slots);
        c->entries = 0;
    }
    return ok;
}

termcache *termcache_load(const char *site_dir)
{
    termcache *c = xcalloc(1, sizeof *c);
    c->site_dir = xstrdup(site_dir);
    fs_binary_stamp(c->stamp, sizeof c->stamp);
    atomic_init(&c->misses, 0);
    char *path = fs_join(site_dir, CACHE_FILE);
    if (!c->stamp[0] || !fs_read_file(path, false, &c->text) || !parse(c)) {
        strbuf_free(&c->text);
        if (!c->slots) {
            c->cap = 64;
            c->slots = xcalloc(c->cap, sizeof *c->slots);
        }
    }
    free(path);
    return c;
}

void termcache_free(termcache *c)
{
    if (!c)
        return;
    free(c->site_dir);
    strbuf_free(&c->text);
    free(c->slots);
    free(c);
}

uint64_t termcache_key(const char *const *parts, size_t n)
{
    uint64_t h = hash_str(HASH_SEED, CACHE_MAGIC);
    for (size_t i = 0; i < n; i++)
        h = hash_str(h, parts[i]); /* the NUL is hashed too: ("ab","c") is not ("a","bc") */
    return h;
}

const char *termcache_get(termcache *c, uint64_t key)
{
    for (size_t at = (size_t)hash_mix(key) & (c->cap - 1); c->slots && c->slots[at].terms; at = (at + 1) & (c->cap - 1))
        if (c->slots[at].key == key)
            return c->slots[at].terms;
    atomic_fetch_add(&c->misses, 1);
    return NULL;
}

void termcache_end_reads(termcache *c)
{
    strbuf_free(&c->text);
    free(c->slots);
    c->slots = NULL;
    c->cap = 0;
}

bool termcache_save(termcache *c, const uint64_t *keys, const char *const *terms, const size_t *lens, size_t n)
{
    if (!c->stamp[0])
        return false; /* no identity, no cache */
    if (atomic_load(&c->misses) == 0 && n == c->entries)
        return true; /* the file holds these already */
    strbuf text = STRBUF_INIT;
    strbuf_printf(&text, "%s %s\n", CACHE_MAGIC, c->stamp);
    for (size_t i = 0; i < n; i++) {
        strbuf_printf(&text, "%016llx %zu\n", (unsigned long long)keys[i], lens[i]);
        strbuf_append(&text, terms[i], lens[i]);
        strbuf_putc(&text, '\n');
    }
    char *path = fs_join(c->site_dir, CACHE_FILE);
    bool ok = fs_write_replace(path, text.data, text.len);
    free(path);
    strbuf_free(&text);
    return ok;
}
