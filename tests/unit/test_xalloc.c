/* Unit tests for xalloc.c's array growth (xgrow_cap, XGROW). */
#include "harness.h"

#include <stdint.h>

#include "xalloc.h"

static void test_grow_cap(void)
{
    size_t grown = 0;
    CHECK(xgrow_cap(0, 1, 8, 16, &grown) && grown == 16);   /* first capacity */
    CHECK(xgrow_cap(0, 40, 8, 16, &grown) && grown == 64);  /* doubled past n */
    CHECK(xgrow_cap(16, 17, 8, 16, &grown) && grown == 32); /* one more: doubles */
    CHECK(xgrow_cap(16, 100, 8, 16, &grown) && grown == 128);
    CHECK(xgrow_cap(0, 3, 1, 0, &grown) && grown == 4);     /* no minimum given */
}

static void test_grow_overflow(void)
{
    size_t grown = 7;
    /* Doubling the count itself would overflow. */
    CHECK(!xgrow_cap(SIZE_MAX / 2 + 1, SIZE_MAX, 1, 8, &grown));
    /* The count fits but count * size bytes would not. */
    CHECK(!xgrow_cap(8, SIZE_MAX / 16 + 1, 16, 8, &grown));
    CHECK(!xgrow_cap(0, SIZE_MAX / 4, 8, 8, &grown));
    CHECK_INT(grown, 7); /* left alone on failure */
    /* The largest that fits still does. */
    CHECK(xgrow_cap(1, (size_t)1 << 20, 16, 1, &grown) && grown == (size_t)1 << 20);
}

static void test_grow_macro(void)
{
    int *items = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        XGROW(items, cap, len + 1, 4);
        items[len++] = i;
    }
    CHECK_INT(cap, 1024);
    long sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += items[i];
    CHECK_INT(sum, 999 * 1000 / 2);
    size_t before = cap;
    XGROW(items, cap, 10, 4); /* already big enough: unchanged */
    CHECK_INT(cap, before);
    free(items);
}

int main(void)
{
    test_grow_cap();
    test_grow_overflow();
    test_grow_macro();
    TEST_END("xalloc");
}
