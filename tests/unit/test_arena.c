/* Unit tests for arena.c, and for md_render giving the same result with and
 * without one. */
#include "harness.h"

#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "markdown.h"

static bool aligned(const void *p) { return ((uintptr_t)p & 15) == 0; }

static void test_alloc_and_realloc(void)
{
    arena *a = arena_new();
    unsigned char *p = arena_calloc(a, 3);
    CHECK(aligned(p) && p[0] == 0 && p[2] == 0);
    memcpy(p, "ab", 3);
    /* The latest allocation grows where it is. */
    unsigned char *grown = arena_realloc(a, p, 100);
    CHECK(grown == p && !strcmp((char *)grown, "ab"));
    char *other = arena_calloc(a, 7);
    CHECK(aligned(other) && other != (char *)p);
    /* An earlier one moves, keeping its bytes. */
    char *moved = arena_realloc(a, grown, 200);
    CHECK(moved != (char *)grown && !strcmp(moved, "ab"));
    /* Bigger than a chunk: its own chunk, zeroed. */
    size_t big = 1024 * 1024;
    unsigned char *large = arena_calloc(a, big);
    CHECK(aligned(large) && large[0] == 0 && large[big - 1] == 0);
    memset(large, 0xff, big);
    unsigned char *larger = arena_realloc(a, large, 2 * big);
    CHECK(larger[big - 1] == 0xff);
    /* Releasing the latest allocation gives its room back. */
    char *last = arena_calloc(a, 32);
    arena_release(a, last);
    CHECK(arena_calloc(a, 32) == last);
    arena_release(a, moved); /* not the latest: kept, not handed out again */
    char *next = arena_calloc(a, 200);
    CHECK(next != moved && !strcmp(moved, "ab"));
    /* After a reset the first chunk is reused, and comes back zeroed. */
    arena_reset(a);
    unsigned char *again = arena_calloc(a, 3);
    CHECK(again == p && again[0] == 0);
    char *fresh = arena_realloc(a, NULL, 5); /* NULL: a new allocation */
    CHECK(aligned(fresh) && fresh != (char *)again);
    arena_free(a);
    arena_free(NULL);
}

static void test_markdown_same_with_arena(void)
{
    static const char body[] = "## Heat [@french2006]\n\nSome *text* and [a link](x.md).\n\n## Heat\n\n- one\n- two\n";
    md_env env = {.base_path = "/"};
    diag_list d1 = {0}, d2 = {0};
    md_doc *plain = md_render(body, sizeof body - 1, 5, "content/a.md", "a.md", &env, &d1);
    env.arena = arena_new();
    md_doc *pooled = NULL;
    for (int i = 0; i < 3; i++) { /* the arena is reused across calls */
        md_doc_free(pooled);
        diag_list_clear(&d2);
        pooled = md_render(body, sizeof body - 1, 5, "content/a.md", "a.md", &env, &d2);
    }
    CHECK_STR(pooled->html, plain->html);
    CHECK_STR(pooled->toc_html, plain->toc_html);
    CHECK_STR(pooled->text, plain->text);
    CHECK_INT((long)pooled->word_count, (long)plain->word_count);
    CHECK_INT((long)d2.len, (long)d1.len);
    CHECK(strstr(pooled->html, "id=\"heat-2\"") != NULL);
    arena_free(env.arena);
    md_doc_free(plain);
    md_doc_free(pooled);
    diag_list_clear(&d1);
    diag_list_clear(&d2);
}

int main(void)
{
    test_alloc_and_realloc();
    test_markdown_same_with_arena();
    TEST_END("arena");
}
