/* feeds: the files a site has besides its pages.
 *
 * sitemap.xml (every page but 404 and aliases), atom.xml (the newest
 * FEED_ENTRIES articles), robots.txt (pointing at the sitemap), search.json
 * (the offline search index) and one small redirect page per alias, through
 * layouts/alias.html when the theme has one. Dates come from the content,
 * never the clock, so two builds are byte-identical. */
#ifndef LUMBAR_FEEDS_H
#define LUMBAR_FEEDS_H

#include <stdbool.h>

#include "diag.h"
#include "output.h"
#include "site.h"
#include "template.h"

#define FEED_ENTRIES 20

/* Writes sitemap.xml, atom.xml, robots.txt and the alias pages through
 * out: what needs the site model but no rendered page, so it can run
 * while pages render. Returns false after adding errors. */
bool feeds_write_site_files(const site *s, const tpl_set *tpl, output *out, diag_list *diags);
/* Writes search.json through out, once every page has rendered. Returns
 * false after adding errors. */
bool feeds_write_search_index(const site *s, output *out, diag_list *diags);
/* Appends the sitemap of s (every page but 404 and skipped ones) to xml. */
void feeds_sitemap(const site *s, strbuf *xml);
/* Appends the Atom feed of s to xml. */
void feeds_atom(const site *s, strbuf *xml);
/* Returns p's record in the search index, or NULL when p has none (made-up
 * and unrendered pages, a list's later pages); the caller frees it. Reads
 * only p, so rendering threads make them for their own pages. */
char *feeds_search_entry(const page *p);
/* Appends the search index of s (rendered pages only) to json, using each
 * page's search_entry where a rendering thread made one. */
void feeds_search_index(const site *s, strbuf *json);

#endif
