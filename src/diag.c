#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Messages quote what content says, and paths are what a folder holds: a
 * newline or an escape sequence in either must not forge a diagnostic line
 * or drive the terminal. Control characters become '?'. */
static char *scrubbed(char *s)
{
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return s;
}

void diag_vadd(diag_list *dl, diag_level level, const char *file, int line, int col,
               const char *fmt, va_list ap)
{
    XGROW(dl->items, dl->cap, dl->len + 1, 8);
    strbuf msg = STRBUF_INIT;
    strbuf_vprintf(&msg, fmt, ap);
    diag *d = &dl->items[dl->len++];
    d->level = level;
    d->file = scrubbed(xstrdup(file ? file : ""));
    d->line = line;
    d->col = col;
    d->msg = scrubbed(strbuf_detach(&msg));
}

void diag_add(diag_list *dl, diag_level level, const char *file, int line, int col,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(dl, level, file, line, col, fmt, ap);
    va_end(ap);
}

size_t diag_quote_len(const char *text, size_t len, size_t max_bytes)
{
    if (len <= max_bytes)
        return len;
    size_t shown = max_bytes > 3 ? max_bytes - 3 : 0;
    while (shown > 0 && ((unsigned char)text[shown] & 0xC0) == 0x80)
        shown--; /* text[shown] continues a character: cut before it */
    return shown;
}

void diag_quote(strbuf *out, const char *text, size_t len, size_t max_bytes)
{
    size_t shown = diag_quote_len(text, len, max_bytes);
    for (size_t i = 0; i < shown; i++)
        strbuf_putc(out, (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i]);
    if (shown < len)
        strbuf_puts(out, "...");
}

void diag_move(diag_list *dst, diag_list *src)
{
    for (size_t i = 0; i < src->len; i++) {
        XGROW(dst->items, dst->cap, dst->len + 1, 8);
        dst->items[dst->len++] = src->items[i];
    }
    free(src->items);
    src->items = NULL;
    src->len = src->cap = 0;
}

void diag_copy(diag_list *dst, const diag_list *src, size_t from)
{
    for (size_t i = from; i < src->len; i++) {
        const diag *d = &src->items[i];
        XGROW(dst->items, dst->cap, dst->len + 1, 8);
        dst->items[dst->len++] = (diag){d->level, xstrdup(d->file), d->line, d->col, xstrdup(d->msg)};
    }
}

size_t diag_count(const diag_list *dl, diag_level level)
{
    size_t n = 0;
    for (size_t i = 0; i < dl->len; i++)
        n += dl->items[i].level == level;
    return n;
}

static int diag_cmp(const diag *a, const diag *b)
{
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return 0;
}

/* A stable merge sort of items[0..n) using tmp (room for n): a site can
 * report thousands of overdue reviews, too many for an insertion sort. */
static void merge_sort(diag *items, diag *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t half = n / 2;
    merge_sort(items, tmp, half);
    merge_sort(items + half, tmp, n - half);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        tmp[k++] = diag_cmp(&items[j], &items[i]) < 0 ? items[j++] : items[i++];
    while (i < half)
        tmp[k++] = items[i++];
    memcpy(items, tmp, k * sizeof *items); /* items[j..n) are in place */
}

void diag_sort(diag_list *dl)
{
    if (dl->len < 2)
        return;
    diag *tmp = xmalloc(dl->len * sizeof *tmp);
    merge_sort(dl->items, tmp, dl->len);
    free(tmp);
}

void diag_promote_warnings(diag_list *dl)
{
    for (size_t i = 0; i < dl->len; i++)
        dl->items[i].level = DIAG_ERROR;
}

void diag_format(const diag *d, strbuf *out)
{
    strbuf_puts(out, d->file[0] ? d->file : "lumbar");
    if (d->line > 0) {
        strbuf_printf(out, ":%d", d->line);
        if (d->col > 0)
            strbuf_printf(out, ":%d", d->col);
    }
    strbuf_printf(out, ": %s: %s\n", d->level == DIAG_ERROR ? "error" : "warning", d->msg);
}

void diag_list_clear(diag_list *dl)
{
    if (!dl)
        return;
    for (size_t i = 0; i < dl->len; i++) {
        free(dl->items[i].file);
        free(dl->items[i].msg);
    }
    free(dl->items);
    dl->items = NULL;
    dl->len = dl->cap = 0;
}
