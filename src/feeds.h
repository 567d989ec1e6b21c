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
/* Writes search.json (the record of each rendered page that has one)
 * through out, once every page has rendered. Returns
 * false after adding errors. */
bool feeds_write_search_index(const site *s, output *out, diag_list *diags);
/* Appends the sitemap of s (every page but 404 and skipped ones) to xml. */
void feeds_sitemap(const site *s, strbuf *xml);
/* Appends the Atom feed of s to xml. */
void feeds_atom(const site *s, strbuf *xml);
/* Returns p's record in the search index, with the excerpt and headings
 * of its body; the caller frees it. Reads only p, so each rendering thread
 * makes the records of its own pages, and a page keeps its record rather
 * than its excerpt and headings. */
char *feeds_search_entry(const page *p, const char *excerpt, const value *headings);

#endif
