/* Unit tests for suggest.c: edit distance and "did you mean". */
#include "harness.h"

#include "suggest.h"

static void test_distance(void)
{
    CHECK_INT(suggest_distance("", ""), 0);
    CHECK_INT(suggest_distance("abc", ""), 3);
    CHECK_INT(suggest_distance("", "abc"), 3);
    CHECK_INT(suggest_distance("next_reveiw", "next_review"), 1);
    CHECK_INT(suggest_distance("titel", "title"), 1);
    CHECK_INT(suggest_distance("kitten", "sitting"), 3);
    CHECK_INT(suggest_distance("same", "same"), 0);
}

static void test_closest(void)
{
    const char *keys[] = {"title", "date", "next_review", "last_reviewed", "tags", "tree"};
    size_t n = sizeof keys / sizeof *keys;
    CHECK_STR(suggest_closest("next_reveiw", keys, n), "next_review");
    CHECK_STR(suggest_closest("titel", keys, n), "title");
    CHECK_STR(suggest_closest("tag", keys, n), "tags");
    CHECK(suggest_closest("author", keys, n) == NULL);
    CHECK(suggest_closest("x", keys, 0) == NULL);
    /* nearest always answers when there is a candidate. */
    CHECK_STR(suggest_nearest("no-such-heading", keys, n), "next_review");
    CHECK(suggest_nearest("x", keys, 0) == NULL);
}

int main(void)
{
    test_distance();
    test_closest();
    TEST_END("suggest");
}
