/* date: calendar dates as front matter writes them (YYYY-MM-DD). */
#ifndef LUMBAR_DATE_H
#define LUMBAR_DATE_H

#include <stdbool.h>

#include "strbuf.h"

typedef struct date {
    int year, month, day; /* all 0 when unset */
} date;

/* Parses exactly YYYY-MM-DD into *out; false if the text is not a real date. */
bool date_parse(const char *text, date *out);
/* True when d holds a date. */
bool date_is_set(date d);
/* Returns d moved by months, the day clamped to the new month's length. */
date date_add_months(date d, int months);
/* Negative, zero or positive as a is before, equal to or after b. */
int date_cmp(date a, date b);
/* Appends "YYYY-MM-DD". */
void date_format_iso(date d, strbuf *out);
/* Appends "3 March 2024". */
void date_format_human(date d, strbuf *out);
/* Returns the date of a Unix time (UTC). */
date date_from_unix(long long seconds);

#endif
