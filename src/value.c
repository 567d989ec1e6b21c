#include "value.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static long map_index(const value *map, const char *key, size_t n)
{
    if (!map || map->kind != V_MAP || !(map->u.map.seen & value_key_bit(key, n)))
        return -1;
    const struct value_entry *items = map->u.map.items;
    for (size_t i = 0; i < map->u.map.len; i++) {
        if (items[i].key_len != n)
            continue;
        const char *k = value_entry_key(&items[i]);
        /* The last byte first: names that share a length often share a
           start ("date", "date_human"...), and a call costs more. */
        if (n == 0 || (k[n - 1] == key[n - 1] && memcmp(k, key, n - 1) == 0))
            return (long)i;
    }
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
    XGROW(map->u.map.items, map->u.map.cap, map->u.map.len + 1, 8);
    map->u.map.seen |= value_key_bit(key, n);
    struct value_entry *e = &map->u.map.items[map->u.map.len++];
    e->key_len = n;
    e->val = v;
    if (n < VALUE_KEY_INLINE)
        memcpy(e->k.here, key, n + 1);
    else
        e->k.heap = xstrndup(key, n);
}

void value_map_reserve(value *map, size_t n)
{
    if (n <= map->u.map.cap)
        return;
    map->u.map.cap = n;
    map->u.map.items = xrealloc(map->u.map.items, n * sizeof *map->u.map.items);
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
