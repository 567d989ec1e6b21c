/* strbuf: a growable byte buffer that is always NUL-terminated.
 *
 * A zero-initialised strbuf (STRBUF_INIT) is empty and valid. The buffer owns
 * its bytes until strbuf_detach hands them to the caller. */
#ifndef LUMBAR_STRBUF_H
#define LUMBAR_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct strbuf {
    char *data; /* NULL until the first append; then NUL-terminated */
    size_t len;
    size_t cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}

/* Makes sure n more bytes fit without reallocating. */
void strbuf_reserve(strbuf *sb, size_t n);

/* Appends n bytes of s. Inline, like strbuf_putc: rendering makes these
 * calls for nearly every piece of every page. */
static inline void strbuf_append(strbuf *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap || sb->len + n < n)
        strbuf_reserve(sb, n);
    if (n)
        memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

/* Appends the NUL-terminated string s. */
static inline void strbuf_puts(strbuf *sb, const char *s) { strbuf_append(sb, s, strlen(s)); }

/* Appends one byte. */
static inline void strbuf_putc(strbuf *sb, char c)
{
    if (sb->len + 2 > sb->cap)
        strbuf_reserve(sb, 1);
    sb->data[sb->len++] = c;
    sb->data[sb->len] = '\0';
}

/* Appends n in decimal, zero-padded to at least min_digits (at most 20). */
void strbuf_put_uint(strbuf *sb, unsigned long long n, int min_digits);
/* Appends printf-style formatted text. */
void strbuf_printf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends vprintf-style formatted text. */
void strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap);
/* Shortens the contents to their first n bytes (no-op when not longer). */
void strbuf_truncate(strbuf *sb, size_t n);
/* Empties the buffer but keeps its memory for reuse. */
void strbuf_reset(strbuf *sb);
/* Returns the contents ("" when empty); the buffer still owns them. */
const char *strbuf_cstr(const strbuf *sb);
/* Returns the contents as a string the caller owns, and empties the buffer. */
char *strbuf_detach(strbuf *sb);
/* Frees the contents; the strbuf itself may be reused afterwards. */
void strbuf_free(strbuf *sb);

#endif
