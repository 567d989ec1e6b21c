/* Unit tests for date.c: parsing (shape, ranges, leap years), adding months
 * at month ends and across years, comparing, both formats, and Unix times
 * either side of 1970 and of leap days. */
#include "harness.h"

#include "date.h"
#include "strbuf.h"

static bool parses(const char *text)
{
    date d = {0, 0, 0};
    return date_parse(text, &d);
}

static const char *iso(date d, strbuf *sb)
{
    strbuf_reset(sb);
    date_format_iso(d, sb);
    return strbuf_cstr(sb);
}

static const char *human(date d, strbuf *sb)
{
    strbuf_reset(sb);
    date_format_human(d, sb);
    return strbuf_cstr(sb);
}

static void test_parse(void)
{
    date d = {0, 0, 0};
    CHECK(date_parse("2024-03-07", &d));
    CHECK(d.year == 2024 && d.month == 3 && d.day == 7);
    CHECK(date_is_set(d));
    CHECK(!date_is_set((date){0, 0, 0}));
    /* A failed parse leaves *out alone. */
    CHECK(!date_parse("2024-13-01", &d));
    CHECK(d.year == 2024 && d.month == 3 && d.day == 7);
    CHECK(!date_parse(NULL, &d));
    const char *bad[] = {"", "2024-3-07", "2024-03-7", "24-03-07", "2024/03/07", "2024-03-07 ",
                         " 2024-03-07", "2024-03-07T10:00", "2024-00-10", "2024-13-10", "2024-01-00",
                         "2024-01-32", "2024-04-31", "2024-06-31", "2024-09-31", "2024-11-31",
                         "0000-01-01", "2024-0a-01", "2024-+1-01", "２０２４-03-07", "2024--3-07"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (parses(bad[i])) {
            CHECK(!"a bad date parsed");
            fprintf(stderr, "  it was \"%s\"\n", bad[i]);
        }
    CHECK(parses("0001-01-01"));
    CHECK(parses("9999-12-31"));
    CHECK(parses("2024-01-31") && parses("2024-04-30") && parses("2024-12-31"));
}

static void test_leap_years(void)
{
    CHECK(parses("2024-02-29"));  /* divisible by 4 */
    CHECK(!parses("2023-02-29"));
    CHECK(!parses("1900-02-29")); /* by 100, not by 400 */
    CHECK(parses("2000-02-29"));  /* by 400 */
    CHECK(!parses("2100-02-29"));
    CHECK(!parses("2024-02-30"));
    CHECK(parses("2023-02-28"));
}

static void test_add_months(void)
{
    strbuf sb = STRBUF_INIT;
    date d;
    date_parse("2024-01-31", &d);
    CHECK_STR(iso(date_add_months(d, 1), &sb), "2024-02-29"); /* clamped, leap year */
    CHECK_STR(iso(date_add_months(d, 13), &sb), "2025-02-28");
    CHECK_STR(iso(date_add_months(d, 2), &sb), "2024-03-31");
    CHECK_STR(iso(date_add_months(d, 3), &sb), "2024-04-30");
    CHECK_STR(iso(date_add_months(d, 0), &sb), "2024-01-31");
    CHECK_STR(iso(date_add_months(d, 12), &sb), "2025-01-31");
    CHECK_STR(iso(date_add_months(d, 11), &sb), "2024-12-31");
    CHECK_STR(iso(date_add_months(d, -1), &sb), "2023-12-31");
    CHECK_STR(iso(date_add_months(d, -11), &sb), "2023-02-28");
    date_parse("2024-02-29", &d);
    CHECK_STR(iso(date_add_months(d, 12), &sb), "2025-02-28");
    CHECK_STR(iso(date_add_months(d, 48), &sb), "2028-02-29");
    CHECK_STR(iso(date_add_months(d, 1), &sb), "2024-03-29"); /* not moved to the month's end */
    date_parse("2023-12-15", &d);
    CHECK_STR(iso(date_add_months(d, 1), &sb), "2024-01-15");
    CHECK_STR(iso(date_add_months(d, 24), &sb), "2025-12-15");
    strbuf_free(&sb);
}

static void test_cmp(void)
{
    date a, b;
    date_parse("2024-03-07", &a);
    date_parse("2024-03-08", &b);
    CHECK(date_cmp(a, b) < 0 && date_cmp(b, a) > 0 && date_cmp(a, a) == 0);
    date_parse("2024-04-01", &b);
    CHECK(date_cmp(a, b) < 0 && date_cmp(b, a) > 0);
    date_parse("2023-12-31", &b);
    CHECK(date_cmp(a, b) > 0 && date_cmp(b, a) < 0);
    CHECK(date_cmp((date){0, 0, 0}, a) < 0); /* unset sorts first */
}

static void test_format(void)
{
    strbuf sb = STRBUF_INIT;
    CHECK_STR(iso((date){2024, 3, 7}, &sb), "2024-03-07");
    CHECK_STR(iso((date){987, 12, 31}, &sb), "0987-12-31");
    CHECK_STR(iso((date){1, 1, 1}, &sb), "0001-01-01");
    CHECK_STR(human((date){2024, 3, 7}, &sb), "7 March 2024");
    CHECK_STR(human((date){2024, 1, 31}, &sb), "31 January 2024");
    CHECK_STR(human((date){2024, 12, 1}, &sb), "1 December 2024");
    CHECK_STR(human((date){987, 9, 10}, &sb), "10 September 987");
    const char *names[] = {"January", "February", "March",     "April",   "May",      "June",
                           "July",    "August",   "September", "October", "November", "December"};
    for (int m = 1; m <= 12; m++) {
        strbuf want = STRBUF_INIT;
        strbuf_printf(&want, "2 %s 2020", names[m - 1]);
        CHECK_STR(human((date){2020, m, 2}, &sb), want.data);
        strbuf_free(&want);
    }
    /* Appends, never replaces. */
    strbuf_reset(&sb);
    strbuf_puts(&sb, "on ");
    date_format_iso((date){2024, 3, 7}, &sb);
    CHECK_STR(strbuf_cstr(&sb), "on 2024-03-07");
    strbuf_free(&sb);
}

static void test_from_unix(void)
{
    strbuf sb = STRBUF_INIT;
    CHECK_STR(iso(date_from_unix(0), &sb), "1970-01-01");
    CHECK_STR(iso(date_from_unix(86399), &sb), "1970-01-01");
    CHECK_STR(iso(date_from_unix(86400), &sb), "1970-01-02");
    CHECK_STR(iso(date_from_unix(-1), &sb), "1969-12-31");
    CHECK_STR(iso(date_from_unix(-86400), &sb), "1969-12-31");
    CHECK_STR(iso(date_from_unix(-86401), &sb), "1969-12-30");
    CHECK_STR(iso(date_from_unix(951782400), &sb), "2000-02-29");
    CHECK_STR(iso(date_from_unix(951868800), &sb), "2000-03-01");
    CHECK_STR(iso(date_from_unix(1709164800), &sb), "2024-02-29");
    CHECK_STR(iso(date_from_unix(1795478400), &sb), "2026-11-24"); /* the suites' SOURCE_DATE_EPOCH */
    CHECK_STR(iso(date_from_unix(4102444799LL), &sb), "2099-12-31");
    CHECK_STR(iso(date_from_unix(4102444800LL), &sb), "2100-01-01");
    CHECK_STR(iso(date_from_unix(4107542400LL), &sb), "2100-03-01"); /* 2100 has no 29 February */
    strbuf_free(&sb);
}

int main(void)
{
    test_parse();
    test_leap_years();
    test_add_months();
    test_cmp();
    test_format();
    test_from_unix();
    TEST_END("date");
}
