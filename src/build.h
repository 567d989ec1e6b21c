/* build: one whole build (or check) of a site folder, stage by stage.
 *
 * config.ini -> layouts/ -> content/references.yaml -> site model ->
 * rendered pages, feeds and assets in a staging folder -> swapped in as the
 * output. Every stage reports into one diagnostic list, and the build goes
 * as far as it can so that one run shows every error. Nothing is swapped in
 * unless the whole build succeeded. */
#ifndef LUMBAR_BUILD_H
#define LUMBAR_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "pagecache.h"

typedef struct build_options {
    const char *site_dir;  /* the site folder */
    const char *out_dir;   /* NULL: [build] output, relative to the site folder */
    const char *base_url;  /* NULL: [site] base_url */
    bool drafts;           /* build pages marked draft: true */
    bool future;           /* --future: build pages dated after `now` too */
    bool write;            /* false for `lumbar check`: render everything, write nothing */
    bool strict;           /* warnings are errors */
    bool force;            /* replace an output folder lumbar did not make */
    bool no_link_check;    /* --no-link-check: leave internal links and #fragments unchecked */
    int jobs;              /* threads; below 1 means one */
    long long now;         /* Unix time for overdue reviews */
    build_cache *cache;    /* a development server's, kept between its builds (pagecache.h);
                              NULL: `lumbar build` reads and writes .lumbar-cache/pages */
    bool no_cache;         /* --no-cache: read no cache in .lumbar-cache/ (render every
                              page, count every page's search terms); they are rewritten */
    bool exiting;          /* the process ends after this build: the site model is
                              left for the OS to reclaim, not freed piece by piece */
} build_options;

typedef struct build_stats {
    size_t pages, sections, tags, assets, aliases;
    size_t reused; /* pages linked from the previous output through the cache */
    size_t scheduled, expired; /* pages left out: dated after today, or expired */
    double ms;
} build_stats;

/* Runs the build described by opts. Returns true on success; every error
 * and warning found is added to diags. */
bool build_run(const build_options *opts, build_stats *stats, diag_list *diags);
/* Puts back the configured output folder when a build killed between the
 * two renames of the fallback swap left it aside (output_recover), as
 * build_run does first: for lumbar serve, which builds elsewhere. Adds an
 * error to diags when it cannot; config errors are left to the build. */
void build_recover_output(const build_options *opts, diag_list *diags);

#endif
