/* render: every page of a site model through Markdown and its layout.
 *
 * Pages render in parallel on `jobs` threads; each thread reads its page's
 * file, renders the body, adds the per-page names (content, toc,
 * references, json_ld, ...) on top of the page's context, renders the
 * layout and hands the HTML to the output writer (or drops it, for
 * `lumbar check`). Output order and bytes never depend on the number of
 * threads: diagnostics are sorted afterwards and every page goes to its own
 * file. Rendering fills each page's search index record and citations;
 * without an output writer (`lumbar check`) it also records every page's
 * ids and links for links_check. */
#ifndef LUMBAR_RENDER_H
#define LUMBAR_RENDER_H

#include <stdbool.h>

#include "diag.h"
#include "images.h"
#include "links.h"
#include "output.h"
#include "site.h"
#include "template.h"
#include "termcache.h"

typedef struct render_stats {
    size_t pages;
    size_t bytes;
    size_t reused; /* clean pages linked from the previous output, not rendered */
    size_t indexed; /* content pages whose search record was made, not taken from a cache */
} render_stats;

typedef struct render_options {
    output *out;   /* where pages go; NULL renders them only (`lumbar check`) */
    int jobs;      /* threads, the calling one included */
    bool keep_ids; /* keep each page's ids (p->ids): link checks and rebuild caches need them */
    img_store *images; /* measures and resizes the images pages show; NULL: unchecked */
    termcache *terms;  /* search terms of earlier builds; NULL: none */
    bool scan_links; /* record every page's links (p->links) for links_check, even from a
                        page whose body has errors, so one run reports them all */
    bool theme_links; /* with scan_links: record the links layouts write too, which
                         takes parsing every tag of every page (`lumbar check`) */
    /* With scan_links: gets the index of what exists that the scan used,
     * for links_check to take up; the caller frees it. */
    links_index **links_out;
    /* Run on the calling thread once the other threads are rendering,
     * before it renders too: work that needs the site model but not the
     * rendered pages (the sitemap, the feed). It must only read the site,
     * and report through its own diagnostics. May be NULL. */
    void (*alongside)(void *arg);
    void *alongside_arg;
} render_options;

/* Renders every page of s as opts says. Each page keeps its search index
 * record (when writing) and its citations. Returns false when any page had
 * an error (all of them are added to diags). */
bool render_pages(site *s, const tpl_set *tpl, const render_options *opts, render_stats *stats, diag_list *diags);

#endif
