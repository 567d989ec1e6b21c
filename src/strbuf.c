#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void strbuf_reserve(strbuf *sb, size_t n)
{
    if (n > SIZE_MAX / 2 - sb->len) /* more than half the address space: xrealloc reports it */
        sb->data = xrealloc(sb->data, SIZE_MAX);
    XGROW(sb->data, sb->cap, sb->len + n + 1, 64);
}

void strbuf_put_uint(strbuf *sb, unsigned long long n, int min_digits)
{
    /* printf would parse a format for what is a handful of divisions. */
    char digits[24];
    int count = 0;
    do {
        digits[count++] = (char)('0' + n % 10);
        n /= 10;
    } while (n || count < min_digits);
    strbuf_reserve(sb, (size_t)count);
    while (count)
        sb->data[sb->len++] = digits[--count];
    sb->data[sb->len] = '\0';
}

void strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    /* Format straight into the spare room; only a result that does not fit
     * is formatted a second time. */
    strbuf_reserve(sb, 64);
    va_list copy;
    va_copy(copy, ap);
    size_t room = sb->cap - sb->len;
    int n = vsnprintf(sb->data + sb->len, room, fmt, copy);
    va_end(copy);
    if (n < 0) {
        sb->data[sb->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        strbuf_reserve(sb, (size_t)n);
        vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    }
    sb->len += (size_t)n;
}

void strbuf_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

void strbuf_truncate(strbuf *sb, size_t n)
{
    if (n < sb->len) {
        sb->len = n;
        sb->data[n] = '\0';
    }
}

void strbuf_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}

const char *strbuf_cstr(const strbuf *sb) { return sb->data ? sb->data : ""; }

char *strbuf_detach(strbuf *sb)
{
    char *s = sb->data ? sb->data : xstrdup("");
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return s;
}

void strbuf_free(strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}
