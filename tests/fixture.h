/* Helpers for unit tests that write a small site into a temporary folder
 * and compare diagnostics as text. */
#ifndef LUMBAR_TEST_FIXTURE_H
#define LUMBAR_TEST_FIXTURE_H

#include <stdio.h>
#include <sys/stat.h>

#include "diag.h"
#include "strbuf.h"

/* Writes text to dir/rel (the folders above must exist). */
static inline void fx_put(const char *dir, const char *rel, const char *text)
{
    strbuf p = STRBUF_INIT;
    strbuf_printf(&p, "%s/%s", dir, rel);
    FILE *f = fopen(p.data, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    strbuf_free(&p);
}

/* Makes the folder dir/rel. */
static inline void fx_mkdir(const char *dir, const char *rel)
{
    strbuf p = STRBUF_INIT;
    strbuf_printf(&p, "%s/%s", dir, rel);
    mkdir(p.data, 0755);
    strbuf_free(&p);
}

/* Every diagnostic of dl as lumbar prints them, in sb. */
static inline const char *fx_diags(const diag_list *dl, strbuf *sb)
{
    strbuf_reset(sb);
    for (size_t i = 0; i < dl->len; i++)
        diag_format(&dl->items[i], sb);
    return strbuf_cstr(sb);
}

#endif
