#include "date.h"

#include <string.h>

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool date_parse(const char *text, date *out)
{
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return false;
    int y = digits(text, 4), m = digits(text + 5, 2), d = digits(text + 8, 2);
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return false;
    out->year = y;
    out->month = m;
    out->day = d;
    return true;
}

bool date_is_set(date d) { return d.year != 0; }

date date_add_months(date d, int months)
{
    int total = d.year * 12 + (d.month - 1) + months;
    date r = {total / 12, total % 12 + 1, d.day};
    int last = month_days(r.year, r.month);
    if (r.day > last)
        r.day = last;
    return r;
}

int date_cmp(date a, date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    return a.day < b.day ? -1 : a.day > b.day;
}

void date_format_iso(date d, strbuf *out)
{
    if (d.year < 0) { /* only from a clock far out of range */
        strbuf_printf(out, "%04d-%02d-%02d", d.year, d.month, d.day);
        return;
    }
    /* Every page formats several dates: without printf this is a few
     * divisions. */
    strbuf_put_uint(out, (unsigned)d.year, 4);
    strbuf_putc(out, '-');
    strbuf_put_uint(out, (unsigned)d.month, 2);
    strbuf_putc(out, '-');
    strbuf_put_uint(out, (unsigned)d.day, 2);
}

void date_format_human(date d, strbuf *out)
{
    static const char *names[] = {"January", "February", "March", "April", "May", "June", "July",
                                  "August", "September", "October", "November", "December"};
    if (d.year < 0) {
        strbuf_printf(out, "%d %s %d", d.day, names[d.month - 1], d.year);
        return;
    }
    strbuf_put_uint(out, (unsigned)d.day, 1);
    strbuf_putc(out, ' ');
    strbuf_puts(out, names[d.month - 1]);
    strbuf_putc(out, ' ');
    strbuf_put_uint(out, (unsigned)d.year, 1);
}

date date_from_unix(long long seconds)
{
    /* Howard Hinnant's days-to-civil algorithm; no time zone, no libc state. */
    long long z = seconds / 86400 + 719468;
    if (seconds < 0 && seconds % 86400)
        z--;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    int day = (int)(doy - (153 * mp + 2) / 5 + 1);
    int month = (int)(mp < 10 ? mp + 3 : mp - 9);
    int year = (int)(yoe + era * 400 + (month <= 2));
    return (date){year, month, day};
}
