/* diag: diagnostics as values.
 *
 * Every stage reports problems by appending to a diag_list; only main.c
 * prints them. A diagnostic names a file relative to the site folder, a
 * 1-based line and column (0 when unknown), a level and a message. The list
 * owns copies of every string it is given. */
#ifndef LUMBAR_DIAG_H
#define LUMBAR_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#include "strbuf.h"

typedef enum { DIAG_ERROR, DIAG_WARNING } diag_level;

typedef struct diag {
    diag_level level;
    char *file; /* relative to the site folder; may be "" */
    int line;   /* 1-based; 0 when the whole file is meant */
    int col;    /* 1-based; 0 when unknown */
    char *msg;
} diag;

typedef struct diag_list {
    diag *items;
    size_t len;
    size_t cap;
} diag_list;

#define DIAG_LIST_INIT {NULL, 0, 0}

/* Appends a diagnostic with a printf-style message; copies file and message. */
void diag_add(diag_list *dl, diag_level level, const char *file, int line, int col,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Appends a diagnostic from a va_list; see diag_add. */
void diag_vadd(diag_list *dl, diag_level level, const char *file, int line, int col,
               const char *fmt, va_list ap);
/* Moves every diagnostic of src to the end of dst and leaves src empty. */
void diag_move(diag_list *dst, diag_list *src);
/* Appends copies of src's diagnostics from number `from` on to dst. */
void diag_copy(diag_list *dst, const diag_list *src, size_t from);
/* Returns how many diagnostics of the given level the list holds. */
size_t diag_count(const diag_list *dl, diag_level level);
/* Sorts by file, line, column (stable), so output order never depends on threads. */
void diag_sort(diag_list *dl);
/* Turns every warning into an error (for --strict). */
void diag_promote_warnings(diag_list *dl);
/* Appends "file:line:col: level: message\n" for one diagnostic, GCC style. */
void diag_format(const diag *d, strbuf *out);
/* How many bytes of text (len bytes) a message quotes so that the quote,
 * with the "..." that marks a cut, fits in max_bytes: len when it fits,
 * else at most max_bytes - 3, never splitting a UTF-8 character. */
size_t diag_quote_len(const char *text, size_t len, size_t max_bytes);
/* Appends text (len bytes) to out for a message: cut as diag_quote_len says,
 * "..." after a cut, control characters as '?' so that a hostile value
 * cannot break the one-line diagnostic format. */
void diag_quote(strbuf *out, const char *text, size_t len, size_t max_bytes);
/* Frees the diagnostics; the list itself may be reused. Accepts NULL. */
void diag_list_clear(diag_list *dl);

#endif
