/* Unit tests for diag.c's quoting of text in messages (diag_quote). */
#include "harness.h"

#include "diag.h"
#include "strbuf.h"

static const char *quoted(strbuf *sb, const char *text, size_t max_bytes)
{
    sb->len = 0;
    strbuf_puts(sb, "");
    diag_quote(sb, text, strlen(text), max_bytes);
    return sb->data;
}

static void test_quote(void)
{
    strbuf sb = STRBUF_INIT;
    CHECK_STR(quoted(&sb, "short", 10), "short");
    CHECK_STR(quoted(&sb, "exactly10!", 10), "exactly10!");      /* fits: no cut */
    CHECK_STR(quoted(&sb, "eleven byte", 10), "eleven ...");     /* 7 + "..." */
    CHECK_STR(quoted(&sb, "a\nb\tc\x7f", 10), "a?b?c?");         /* one line */
    /* A cut that would fall inside a character moves before it. */
    CHECK_STR(quoted(&sb, "abcdef\xc3\xa9xyz", 10), "abcdef...");
    CHECK_STR(quoted(&sb, "abcde\xc3\xa9xyzw", 10), "abcde\xc3\xa9...");
    CHECK_STR(quoted(&sb, "abcde\xe2\x80\x94xyz", 10), "abcde...");   /* three bytes */
    CHECK_STR(quoted(&sb, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 6), "..."); /* nothing whole fits */
    CHECK_STR(quoted(&sb, "abcdef", 2), "...");
    strbuf_free(&sb);
}

static void test_quote_len(void)
{
    CHECK_INT(diag_quote_len("abc", 3, 3), 3);
    CHECK_INT(diag_quote_len("abcd", 4, 3), 0);
    CHECK_INT(diag_quote_len("ab\xc3\xa9z", 5, 4), 1);
    CHECK_INT(diag_quote_len("\xc3\xa9\xc3\xa9\xc3\xa9", 6, 5), 2);
}

int main(void)
{
    test_quote();
    test_quote_len();
    TEST_END("diag");
}
