/* Unit tests for value.c, escape.c, strbuf.c and diag.c: the shared basics. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "escape.h"
#include "value.h"

static const char *text_of(const value *v, strbuf *sb)
{
    strbuf_reset(sb);
    value_to_text(v, sb);
    return strbuf_cstr(sb);
}

static void test_numbers(void)
{
    strbuf sb = STRBUF_INIT;
    value *v = value_num(1.210);
    CHECK_STR(text_of(v, &sb), "1.21");
    value_free(v);
    v = value_num(85);
    CHECK_STR(text_of(v, &sb), "85");
    value_free(v);
    v = value_num(-0.1);
    CHECK_STR(text_of(v, &sb), "-0.1");
    value_free(v);
    strbuf_free(&sb);
}

static void test_maps_and_refs(void)
{
    value *m = value_map();
    value_map_set(m, "a", value_str("x"));
    value_map_set(m, "a", value_str("y"));
    CHECK_INT(m->u.map.len, 1);
    CHECK_STR(value_cstr(value_map_get(m, "a")), "y");
    value *inner = value_map();
    value_map_set(inner, "title", value_str("T"));
    value_map_set(m, "site", inner);
    CHECK_STR(value_cstr(value_path(m, "site.title")), "T");
    CHECK(value_path(m, "site.nothing") == NULL);
    CHECK(value_path(m, "a.b") == NULL);

    value *shared = value_str("shared");
    value *l1 = value_list(), *l2 = value_list();
    value_list_push(l1, value_ref(shared));
    value_list_push(l2, shared);
    value_free(l1);
    CHECK_STR(value_cstr(l2->u.list.items[0]), "shared");
    value_free(l2);
    value_free(m);
    value_free(NULL);
}

/* Fills a map with n keys of mixed lengths (inline and heap), then checks
 * that every key is found, a second set of each replaces instead of
 * adding, and keys it does not hold are missing: at sizes below, at and
 * far above the one where the map starts to keep an index. */
static void check_map_of(size_t n, size_t reserve)
{
    value *m = value_map();
    if (reserve)
        value_map_reserve(m, reserve);
    char key[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, i % 3 ? "k%zu" : "a-much-longer-key-%zu", i);
        value_map_set(m, key, value_num((double)i));
    }
    size_t found = 0, replaced = 0, missing = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, i % 3 ? "k%zu" : "a-much-longer-key-%zu", i);
        const value *v = value_map_get(m, key);
        found += v && v->u.num == (double)i;
        value_map_set(m, key, value_num(-1.0));
        replaced += value_map_get(m, key)->u.num == -1.0;
        snprintf(key, sizeof key, i % 3 ? "a-much-longer-key-%zu" : "k%zu", i);
        missing += value_map_get(m, key) == NULL;
    }
    CHECK_INT(found, n);
    CHECK_INT(replaced, n);
    CHECK_INT(missing, n);
    CHECK_INT(m->u.map.len, n);
    CHECK(value_map_get(m, "") == NULL);
    value_map_set(m, "", value_null());
    CHECK(value_map_get(m, "") != NULL);
    CHECK_INT(m->u.map.len, n + 1);
    /* insertion order is kept whatever the index does */
    snprintf(key, sizeof key, n > 1 ? "k%d" : "a-much-longer-key-%d", n > 1 ? 1 : 0);
    if (n)
        CHECK_STR(value_entry_key(&m->u.map.items[n > 1 ? 1 : 0]), key);
    value_free(m);
}

static void test_maps_at_every_size(void)
{
    for (size_t n = 0; n <= 300; n++)
        check_map_of(n, 0);
    check_map_of(100000, 0);
    check_map_of(50, 20);
    check_map_of(1000, 5000);
    value *copy_src = value_map();
    for (int i = 0; i < 100; i++) {
        char key[16];
        snprintf(key, sizeof key, "c%d", i);
        value_map_set(copy_src, key, value_num(i));
    }
    value *copy = value_copy(copy_src);
    CHECK(value_map_get(copy, "c99") && value_map_get(copy, "c99")->u.num == 99);
    CHECK_INT(copy->u.map.len, 100);
    value_free(copy);
    value_free(copy_src);
}

static void test_truthiness(void)
{
    value *v[] = {value_null(), value_bool(false), value_str(""), value_list(),
                  value_bool(true), value_str("x"), value_num(0), value_map()};
    bool want[] = {false, false, false, false, true, true, true, true};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        CHECK(value_truthy(v[i]) == want[i]);
        value_free(v[i]);
    }
    CHECK(!value_truthy(NULL));
}

static void test_escapes(void)
{
    strbuf sb = STRBUF_INIT;
    esc_html(&sb, "<a href=\"x\">'&'</a>", 20);
    CHECK_STR(strbuf_cstr(&sb), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    strbuf_reset(&sb);
    const char js[] = "</script><!--\xe2\x80\xa8\"\\\x01\xff";
    esc_json(&sb, js, sizeof js - 1);
    CHECK_STR(strbuf_cstr(&sb), "\"\\u003c/script\\u003e\\u003c!--\\u2028\\\"\\\\\\u0001\\ufffd\"");
    strbuf_reset(&sb);
    esc_url_path(&sb, "/a b/%/\xc3\xa9", 9);
    CHECK_STR(strbuf_cstr(&sb), "/a%20b/%25/%C3%A9");
    strbuf_reset(&sb);
    esc_xml(&sb, "a\x01<", 3);
    CHECK_STR(strbuf_cstr(&sb), "a&lt;");
    strbuf_free(&sb);
}

static void test_diags(void)
{
    diag_list dl = DIAG_LIST_INIT;
    diag_add(&dl, DIAG_WARNING, "b.md", 3, 1, "late %d", 1);
    diag_add(&dl, DIAG_ERROR, "a.md", 9, 2, "early");
    diag_add(&dl, DIAG_ERROR, "a.md", 2, 5, "first");
    diag_sort(&dl);
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < dl.len; i++)
        diag_format(&dl.items[i], &sb);
    CHECK_STR(strbuf_cstr(&sb), "a.md:2:5: error: first\na.md:9:2: error: early\nb.md:3:1: warning: late 1\n");
    CHECK_INT(diag_count(&dl, DIAG_ERROR), 2);
    diag_promote_warnings(&dl);
    CHECK_INT(diag_count(&dl, DIAG_ERROR), 3);
    strbuf_reset(&sb);
    diag_list forged = DIAG_LIST_INIT;
    diag_add(&forged, DIAG_ERROR, "a\nb.md", 1, 1, "x\nc.md:1:1: error: forged \x1b[31m");
    diag_format(&forged.items[0], &sb);
    CHECK_STR(strbuf_cstr(&sb), "a?b.md:1:1: error: x?c.md:1:1: error: forged ?[31m\n");
    diag_list_clear(&forged);
    strbuf_free(&sb);
    diag_list_clear(&dl);
    diag_list_clear(NULL);
}

/* Sorted by file, line and column; equal positions keep the order they
 * were added in, however many there are. */
static void test_diag_sort(void)
{
    diag_list dl = DIAG_LIST_INIT;
    for (int i = 0; i < 3000; i++)
        diag_add(&dl, DIAG_WARNING, i % 2 ? "b.md" : "a.md", 100 - (i % 100) / 10, 1, "%d", i);
    diag_sort(&dl);
    bool ordered = true;
    for (size_t i = 1; i < dl.len; i++) {
        const diag *x = &dl.items[i - 1], *y = &dl.items[i];
        int c = strcmp(x->file, y->file);
        if (c > 0 || (c == 0 && x->line > y->line) || (c == 0 && x->line == y->line && atoi(x->msg) >= atoi(y->msg)))
            ordered = false;
    }
    CHECK(ordered);
    CHECK_STR(dl.items[0].file, "a.md");
    CHECK_INT(dl.items[0].line, 91);
    CHECK_STR(dl.items[0].msg, "90");
    diag_list_clear(&dl);
}

int main(void)
{
    test_numbers();
    test_maps_and_refs();
    test_maps_at_every_size();
    test_truthiness();
    test_escapes();
    test_diags();
    test_diag_sort();
    TEST_END("value");
}
