/* render: every page of a site model through Markdown and its layout.
 *
 * Pages render in parallel on `jobs` threads; each thread reads its page's
 * file, renders the body, adds the per-page names (content, toc,
 * references, json_ld, ...) on top of the page's context, renders the
 * layout and hands the HTML to the output writer (or drops it, for
 * `lumbar check`). Output order and bytes never depend on the number of
 * threads: diagnostics are sorted afterwards and every page goes to its own
 * file. Rendering fills each page's excerpt, headings and ids for the
 * search index; without an output writer (`lumbar check`) it also records
 * every page's ids and links for links_check. */
#ifndef LUMBAR_RENDER_H
#define LUMBAR_RENDER_H

#include <stdbool.h>

#include "diag.h"
#include "output.h"
#include "site.h"
#include "template.h"

typedef struct render_stats {
    size_t pages;
    size_t bytes;
} render_stats;

/* Renders every page of s; writes through out unless it is NULL. Each
 * page keeps its excerpt, headings and citations for feeds, and its ids
 * (p->ids) only when keep_ids is set: link checks and rebuild caches need
 * them, a plain build does not. Returns false when any page had an error
 * (all of them are added to diags). */
bool render_pages(site *s, const tpl_set *tpl, output *out, int jobs, bool keep_ids, render_stats *stats,
                  diag_list *diags);

#endif
