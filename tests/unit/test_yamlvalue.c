/* Unit tests for yamlvalue.c: typing, positions, and what it refuses. */
#include "harness.h"

#include <stdlib.h>

#include "yamlvalue.h"

static value *load(const char *src, diag_list *dl)
{
    return yaml_load(src, strlen(src), "t.yaml", 1, dl);
}

static const char *first_msg(diag_list *dl, strbuf *sb)
{
    strbuf_reset(sb);
    if (dl->len)
        diag_format(&dl->items[0], sb);
    return strbuf_cstr(sb);
}

static void test_types_and_positions(void)
{
    diag_list dl = DIAG_LIST_INIT;
    value *v = load("title: \"Hi\"\nn: 1.5\nyes: true\nnone:\ndate: 2024-01-02\nlist: [a, 'b']\n", &dl);
    CHECK(v && v->kind == V_MAP);
    CHECK_INT(dl.len, 0);
    value *t = value_map_get(v, "title");
    CHECK_STR(value_cstr(t), "Hi");
    CHECK_INT(t->line, 2);
    CHECK_INT(t->col, 8);
    CHECK(value_map_get(v, "n")->kind == V_NUM);
    CHECK(value_map_get(v, "yes")->kind == V_BOOL);
    CHECK(value_map_get(v, "none")->kind == V_NULL);
    CHECK_STR(value_cstr(value_map_get(v, "date")), "2024-01-02");
    value *list = value_map_get(v, "list");
    CHECK_INT(list->u.list.len, 2);
    CHECK_INT(list->u.list.items[1]->col, 11);
    value_free(v);
    diag_list_clear(&dl);
}

static void test_refusals(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    CHECK(load("a: &x [1]\nb: *x\n", &dl) == NULL);
    CHECK_STR(first_msg(&dl, &sb), "t.yaml:2:4: error: YAML anchors (&name) are not allowed\n");
    diag_list_clear(&dl);
    /* An alias alone (no anchor in the document) is refused at the alias. */
    CHECK(load("a: 1\nb: [2, *x]\n", &dl) == NULL);
    CHECK_STR(first_msg(&dl, &sb), "t.yaml:3:8: error: YAML aliases (*name) are not allowed\n");
    diag_list_clear(&dl);
    CHECK(load("a: 1\nb: 2\na: 3\n", &dl) == NULL);
    CHECK_STR(first_msg(&dl, &sb), "t.yaml:4:1: error: duplicate key 'a'\n");
    diag_list_clear(&dl);
    CHECK(load("a: [1, 2\n", &dl) == NULL);
    CHECK(dl.len == 1 && strstr(first_msg(&dl, &sb), "YAML syntax error") != NULL);
    diag_list_clear(&dl);
    strbuf deep = STRBUF_INIT;
    for (int i = 0; i < 10000; i++)
        strbuf_putc(&deep, '[');
    CHECK(yaml_load(deep.data, deep.len, "t.yaml", 0, &dl) == NULL);
    CHECK(strstr(first_msg(&dl, &sb), "nested more than 100 levels") != NULL);
    diag_list_clear(&dl);
    strbuf_free(&deep);
    CHECK(yaml_load("a: b\0c", 6, "t.yaml", 0, &dl) == NULL);
    CHECK_STR(first_msg(&dl, &sb), "t.yaml:1:5: error: NUL byte in YAML\n");
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* Regression: libyaml reports bad UTF-8 and control characters with a byte
 * offset and no mark, so they came out at the first line, column 1. */
static void test_encoding_positions(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    CHECK(load("a: ok\ntitle: \"Caf\xe9\"\n", &dl) == NULL);
    CHECK_STR(first_msg(&dl, &sb), "t.yaml:3:12: error: invalid UTF-8 (byte 0xE9): save the file as UTF-8\n");
    diag_list_clear(&dl);
    CHECK(load("a: \xc3\xa9\xed\xa0\x80\n", &dl) == NULL); /* a UTF-16 surrogate */
    CHECK_STR(first_msg(&dl, &sb), "t.yaml:2:5: error: invalid UTF-8 (byte 0xED): save the file as UTF-8\n");
    diag_list_clear(&dl);
    CHECK(load("a: 1\nb: \"x\x01\"\n", &dl) == NULL);
    CHECK_STR(first_msg(&dl, &sb),
              "t.yaml:3:6: error: YAML syntax error: control characters are not allowed (character 0x01)\n");
    diag_list_clear(&dl);
    value *v = load("a: \"\xf0\x9f\x98\x80 caf\xc3\xa9\"\n", &dl);
    CHECK(v && dl.len == 0);
    value_free(v);
    strbuf_free(&sb);
}

/* A duplicate is found however large the map, also when the map keeps an
 * index, and at the second key's own line and column. */
static void test_duplicates_in_large_maps(void)
{
    static const size_t sizes[] = {2, 31, 32, 33, 63, 64, 65, 200, 70000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        strbuf src = STRBUF_INIT;
        for (size_t i = 0; i < n; i++)
            strbuf_printf(&src, "key%zu: %zu\n", i, i);
        strbuf_printf(&src, "  \nkey%zu: again\n", n / 2);
        diag_list dl = DIAG_LIST_INIT;
        value *v = yaml_load(src.data, src.len, "t.yaml", 1, &dl);
        CHECK(v == NULL);
        strbuf want = STRBUF_INIT, got = STRBUF_INIT;
        strbuf_printf(&want, "t.yaml:%zu:1: error: duplicate key 'key%zu'\n", n + 3, n / 2); /* the text starts on line 2 */
        CHECK_STR(first_msg(&dl, &got), want.data);
        strbuf_free(&want);
        strbuf_free(&got);
        value_free(v);
        diag_list_clear(&dl);
        strbuf_free(&src);
    }
}

int main(void)
{
    test_types_and_positions();
    test_refusals();
    test_encoding_positions();
    test_duplicates_in_large_maps();
    TEST_END("yamlvalue");
}
