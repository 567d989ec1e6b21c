/* Helpers for unit tests that write a small site into a temporary folder
 * and compare diagnostics as text. */
#ifndef LUMBAR_TEST_FIXTURE_H
#define LUMBAR_TEST_FIXTURE_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "diag.h"
#include "refs.h"
#include "site.h"
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

/* A site loaded the way build.c loads one: config.ini's text, an empty
 * bibliography, two threads. s is NULL when the config has errors. */
typedef struct fx_site {
    config *cfg;
    refs *bib;
    site *s;
} fx_site;

static inline fx_site fx_load(const char *ini, const char *site_dir, long long today_unix, diag_list *dl)
{
    fx_site fs = {config_parse(ini, strlen(ini), "config.ini", dl), refs_new(), NULL};
    /* future: these fixtures date pages freely; scheduling has its own tests. */
    site_options so = {.site_dir = site_dir, .future = true, .today_unix = today_unix, .jobs = 2};
    if (fs.cfg)
        fs.s = site_load(&so, fs.cfg, fs.bib, dl);
    return fs;
}

static inline void fx_site_free(fx_site *fs)
{
    site_free(fs->s);
    refs_free(fs->bib);
    config_free(fs->cfg);
}

#endif
