/* utf8: checking UTF-8, for every stage that must not pass bad bytes on.
 *
 * Well-formed means as Unicode defines it: no overlong forms, no
 * surrogates, nothing above U+10FFFF. Nothing here allocates. */
#ifndef LUMBAR_UTF8_H
#define LUMBAR_UTF8_H

#include <stddef.h>

/* Returns the length of the well-formed UTF-8 sequence at s (at most n
 * bytes, n > 0), or 0 when there is none. */
size_t utf8_seq_len(const unsigned char *s, size_t n);
/* Returns the offset of the first byte of s (n bytes) that does not start
 * a well-formed sequence, or n when all of s is well-formed. NUL bytes
 * count as well-formed. */
size_t utf8_first_invalid(const char *s, size_t n);
/* Sets *line and *col (1-based; columns count characters) of the byte at
 * offset in s, counting lines from first_line. */
void utf8_position(const char *s, size_t offset, int first_line, int *line, int *col);

#endif
