/* Unit tests for strtab.c, the string-keyed hash table. */
#include "harness.h"

#include "strtab.h"

static void test_add_get(void)
{
    strtab t = STRTAB_INIT;
    CHECK(strtab_get(&t, "a", 1) == NULL); /* empty: no slots yet */
    bool added = false;
    strtab_entry *e = strtab_add(&t, "alpha", 5, 7, &added);
    CHECK(added && e->val == 7);
    e = strtab_add(&t, "alpha", 5, 9, &added); /* present: value kept */
    CHECK(!added && e->val == 7);
    CHECK_INT(t.len, 1);
    /* Keys are compared by their bytes and length, not up to a NUL. */
    CHECK(strtab_get(&t, "alphabet", 5) != NULL);
    CHECK(strtab_get(&t, "alph", 4) == NULL);
    CHECK(strtab_get(&t, "alpha\0x", 7) == NULL);
    strtab_free(&t);
    CHECK(t.slots == NULL && t.cap == 0 && t.len == 0);
}

/* Many keys: every one found with its value after the table has grown. */
static void test_grow(void)
{
    enum { N = 5000 };
    static char keys[N][12];
    strtab t = STRTAB_INIT;
    for (size_t i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "k%zu", i);
        strtab_add(&t, keys[i], strlen(keys[i]), i, NULL);
    }
    CHECK_INT(t.len, N);
    CHECK(t.cap >= 2 * N && (t.cap & (t.cap - 1)) == 0); /* at most half full */
    size_t wrong = 0;
    for (size_t i = 0; i < N; i++) {
        strtab_entry *e = strtab_get(&t, keys[i], strlen(keys[i]));
        wrong += !e || e->val != i || e->key != keys[i]; /* borrowed, not copied */
    }
    CHECK_INT(wrong, 0);
    CHECK(strtab_get(&t, "k5000", 5) == NULL);
    size_t in_use = 0;
    for (size_t i = 0; i < t.cap; i++)
        in_use += t.slots[i].key != NULL;
    CHECK_INT(in_use, N);
    strtab_free(&t);
}

/* Keys that are prefixes of each other stay apart however they collide. */
static void test_prefixes(void)
{
    static char text[301];
    memset(text, 'p', 300);
    strtab t = STRTAB_INIT;
    for (size_t n = 1; n <= 300; n++)
        strtab_add(&t, text, n, n, NULL);
    size_t wrong = 0;
    for (size_t n = 1; n <= 300; n++) {
        strtab_entry *e = strtab_get(&t, text, n);
        wrong += !e || e->val != n;
    }
    CHECK_INT(wrong, 0);
    CHECK_INT(t.len, 300);
    strtab_free(&t);
}

int main(void)
{
    test_add_get();
    test_grow();
    test_prefixes();
    TEST_END("strtab");
}
