#include "value.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

static value *value_new(value_kind kind)
{
    value *v = xcalloc(1, sizeof *v);
    v->kind = kind;
    atomic_init(&v->refs, 1);
    return v;
}

value *value_null(void) { return value_new(V_NULL); }

value *value_bool(bool b)
{
    value *v = value_new(V_BOOL);
    v->u.b = b;
    return v;
}

value *value_num(double num)
{
    value *v = value_new(V_NUM);
    v->u.num = num;
    return v;
}

value *value_strn(const char *s, size_t n)
{
    /* One allocation for the value and its bytes: front matter and page
     * names are mostly short strings, and there are many of them. */
    size_t size = n <= SIZE_MAX - sizeof(value) - 1 ? sizeof(value) + n + 1 : SIZE_MAX; /* xmalloc reports that */
    value *v = xmalloc(size);
    memset(v, 0, sizeof *v);
    v->kind = V_STR;
    atomic_init(&v->refs, 1);
    v->u.str.ptr = (char *)(v + 1);
    if (n)
        memcpy(v->u.str.ptr, s, n);
    v->u.str.ptr[n] = '\0';
    v->u.str.len = n;
    return v;
}

value *value_str(const char *s) { return value_strn(s, strlen(s)); }

value *value_str_take(char *s)
{
    value *v = value_new(V_STR);
    v->u.str.ptr = s;
    v->u.str.len = strlen(s);
    return v;
}

value *value_list(void) { return value_new(V_LIST); }

value *value_map(void) { return value_new(V_MAP); }

value *value_ref(value *v)
{
    if (v) /* a new reference needs no ordering: the caller holds one already */
        atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
    return v;
}

value *value_at(value *v, int line, int col)
{
    v->line = line;
    v->col = col;
    return v;
}

void value_free(value *v)
{
    /* Release, so that whichever thread drops the last reference sees every
       other thread's writes before it frees. */
    if (!v || atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) > 1)
        return;
    switch (v->kind) {
    case V_STR:
        if (v->u.str.ptr != (char *)(v + 1))
            free(v->u.str.ptr);
        break;
    case V_LIST:
        for (size_t i = 0; i < v->u.list.len; i++)
            value_free(v->u.list.items[i]);
        free(v->u.list.items);
        break;
    case V_MAP:
        for (size_t i = 0; i < v->u.map.len; i++) {
            if (v->u.map.items[i].key_len >= VALUE_KEY_INLINE)
                free(v->u.map.items[i].k.heap);
            value_free(v->u.map.items[i].val);
        }
        free(v->u.map.items);
        break;
    default:
        break;
    }
    free(v);
}

void value_list_push(value *list, value *item)
{
    XGROW(list->u.list.items, list->u.list.cap, list->u.list.len + 1, 4);
    list->u.list.items[list->u.list.len++] = item;
}

/* ---- the index of a large map ----------------------------------------------
 *
 * A map of MAP_INDEX_MIN keys or more keeps an open-addressing index in the
 * same block as its entries, right after the cap entries: 2 * cap slots,
 * each the entry's number plus one (0: empty). Smaller maps, nearly all
 * (a page's context has about twenty keys), are scanned: measured on a
 * lookup mix of hits and misses, the scan takes 12 ns at 8 keys and 18 at
 * 24, the index 19 to 27, and they meet at about 32 keys, the most a map
 * of cap 32 holds. Keys come from
 * content, so the hash is keyed SipHash-1-3 with a key drawn once per
 * process: nobody can choose keys that all fall into one slot. The index
 * changes nothing but speed: order is still insertion order. */
#ifndef MAP_INDEX_MIN
#define MAP_INDEX_MIN 64
#endif

static uint64_t sip_key[2];
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;

static void sip_init(void)
{
    uint64_t k[2] = {0x736f6d6570736575ULL, 0x646f72616e646f6dULL};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) { /* without it the fixed key only costs speed against a determined tester */
        if (read(fd, k, sizeof k) != (ssize_t)sizeof k)
            k[0] ^= 0x5a5a5a5aULL;
        close(fd);
    }
    sip_key[0] = k[0];
    sip_key[1] = k[1];
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                   \
    do {                                                                           \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                  \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                     \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                     \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                  \
    } while (0)

static uint64_t key_hash(const char *key, size_t n)
{
    pthread_once(&sip_once, sip_init);
    uint64_t v0 = 0x736f6d6570736575ULL ^ sip_key[0], v1 = 0x646f72616e646f6dULL ^ sip_key[1];
    uint64_t v2 = 0x6c7967656e657261ULL ^ sip_key[0], v3 = 0x7465646279746573ULL ^ sip_key[1];
    const unsigned char *p = (const unsigned char *)key;
    size_t left = n;
    for (; left >= 8; p += 8, left -= 8) {
        uint64_t m;
        memcpy(&m, p, 8);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t last = (uint64_t)n << 56;
    for (size_t i = 0; i < left; i++)
        last |= (uint64_t)p[i] << (8 * i);
    v3 ^= last;
    SIPROUND;
    v0 ^= last;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static bool has_index(size_t cap) { return cap >= MAP_INDEX_MIN; }

static uint32_t *index_of(const value *map)
{
    return (uint32_t *)(map->u.map.items + map->u.map.cap);
}

static bool key_is(const struct value_entry *e, const char *key, size_t n)
{
    if (e->key_len != n)
        return false;
    const char *k = value_entry_key(e);
    /* The last byte first: names that share a length often share a
       start ("date", "date_human"...), and a call costs more. */
    return n == 0 || (k[n - 1] == key[n - 1] && memcmp(k, key, n - 1) == 0);
}

/* The slot that holds key, or the empty slot where it would go. */
static size_t index_slot(const value *map, const char *key, size_t n)
{
    const uint32_t *slots = index_of(map);
    size_t mask = 2 * map->u.map.cap - 1;
    size_t i = (size_t)key_hash(key, n) & mask;
    while (slots[i] && !key_is(&map->u.map.items[slots[i] - 1], key, n))
        i = (i + 1) & mask;
    return i;
}

static void index_rebuild(value *map)
{
    uint32_t *slots = index_of(map);
    memset(slots, 0, 2 * map->u.map.cap * sizeof *slots);
    for (size_t e = 0; e < map->u.map.len; e++) {
        const struct value_entry *entry = &map->u.map.items[e];
        slots[index_slot(map, value_entry_key(entry), entry->key_len)] = (uint32_t)(e + 1);
    }
}

/* Gives map room for cap entries (a power of two once it is indexed, so
 * that the index can mask), and rebuilds the index for the new size. */
static void map_grow(value *map, size_t cap)
{
    if (has_index(cap)) {
        size_t pow2 = MAP_INDEX_MIN;
        while (pow2 < cap)
            pow2 *= 2;
        cap = pow2;
    }
    if (cap > UINT32_MAX / 2) /* slots hold 32-bit numbers; xrealloc reports this as out of memory */
        map->u.map.items = xrealloc(map->u.map.items, SIZE_MAX);
    size_t entry_bytes = cap * sizeof *map->u.map.items;
    size_t index_bytes = has_index(cap) ? 2 * cap * sizeof(uint32_t) : 0;
    map->u.map.items = xrealloc(map->u.map.items, entry_bytes + index_bytes);
    map->u.map.cap = cap;
    if (index_bytes)
        index_rebuild(map);
}

static long map_index(const value *map, const char *key, size_t n)
{
    if (!map || map->kind != V_MAP || !(map->u.map.seen & value_key_bit(key, n)))
        return -1;
    const struct value_entry *items = map->u.map.items;
    if (has_index(map->u.map.cap)) {
        uint32_t at = index_of(map)[index_slot(map, key, n)];
        return at ? (long)at - 1 : -1;
    }
    for (size_t i = 0; i < map->u.map.len; i++)
        if (key_is(&items[i], key, n))
            return (long)i;
    return -1;
}

void value_map_set(value *map, const char *key, value *v)
{
    size_t n = strlen(key);
    long at = map_index(map, key, n);
    if (at >= 0) {
        value_free(map->u.map.items[at].val);
        map->u.map.items[at].val = v;
        return;
    }
    if (map->u.map.len == map->u.map.cap)
        map_grow(map, map->u.map.cap ? map->u.map.cap * 2 : 8);
    map->u.map.seen |= value_key_bit(key, n);
    size_t e_at = map->u.map.len++;
    struct value_entry *e = &map->u.map.items[e_at];
    e->key_len = n;
    e->val = v;
    if (n < VALUE_KEY_INLINE)
        memcpy(e->k.here, key, n + 1);
    else
        e->k.heap = xstrndup(key, n);
    if (has_index(map->u.map.cap))
        index_of(map)[index_slot(map, key, n)] = (uint32_t)(e_at + 1);
}

void value_map_reserve(value *map, size_t n)
{
    if (n > map->u.map.cap)
        map_grow(map, n);
}

value *value_map_getn(const value *map, const char *key, size_t n)
{
    long at = map_index(map, key, n);
    return at < 0 ? NULL : map->u.map.items[at].val;
}

value *value_map_get(const value *map, const char *key)
{
    return value_map_getn(map, key, strlen(key));
}

value *value_path(const value *root, const char *dotted)
{
    const value *v = root;
    const char *p = dotted;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        v = value_map_getn(v, p, n);
        if (!v || !dot)
            return (value *)v;
        p = dot + 1;
    }
}

const char *value_cstr(const value *v)
{
    return v && v->kind == V_STR ? v->u.str.ptr : NULL;
}

bool value_truthy(const value *v)
{
    if (!v)
        return false;
    switch (v->kind) {
    case V_NULL:
        return false;
    case V_BOOL:
        return v->u.b;
    case V_STR:
        return v->u.str.len > 0;
    case V_LIST:
        return v->u.list.len > 0;
    default:
        return true;
    }
}

static void num_to_text(double num, strbuf *out)
{
    if (isnan(num) || isinf(num)) {
        strbuf_puts(out, isnan(num) ? "NaN" : num > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (num == floor(num) && fabs(num) < 1e15) {
        strbuf_printf(out, "%.0f", num);
        return;
    }
    /* Shortest form that reads back as the same double, as JavaScript prints. */
    char tmp[32];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, num);
        if (strtod(tmp, NULL) == num)
            break;
    }
    strbuf_puts(out, tmp);
}

void value_to_text(const value *v, strbuf *out)
{
    if (!v)
        return;
    switch (v->kind) {
    case V_BOOL:
        strbuf_puts(out, v->u.b ? "true" : "false");
        break;
    case V_NUM:
        num_to_text(v->u.num, out);
        break;
    case V_STR:
        strbuf_append(out, v->u.str.ptr, v->u.str.len);
        break;
    default:
        break;
    }
}

value *value_copy(const value *v)
{
    value *c;
    switch (v->kind) {
    case V_NULL:
        c = value_null();
        break;
    case V_BOOL:
        c = value_bool(v->u.b);
        break;
    case V_NUM:
        c = value_num(v->u.num);
        break;
    case V_STR:
        c = value_strn(v->u.str.ptr, v->u.str.len);
        break;
    case V_LIST:
        c = value_list();
        for (size_t i = 0; i < v->u.list.len; i++)
            value_list_push(c, value_copy(v->u.list.items[i]));
        break;
    default:
        c = value_map();
        for (size_t i = 0; i < v->u.map.len; i++)
            value_map_set(c, value_entry_key(&v->u.map.items[i]), value_copy(v->u.map.items[i].val));
        break;
    }
    return value_at(c, v->line, v->col);
}

const char *value_kind_name(value_kind kind)
{
    static const char *names[] = {"null", "a boolean", "a number", "a string", "a list", "a map"};
    return names[kind];
}
