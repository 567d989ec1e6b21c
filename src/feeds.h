/* feeds: the files a site has besides its pages.
 *
 * sitemap.xml (every page but 404 and aliases), atom.xml (the newest
 * FEED_ENTRIES articles), robots.txt (pointing at the sitemap), the offline
 * search index (search.json and search/, split into shards that the search
 * page fetches by the words typed) and one small redirect page per alias, through
 * layouts/alias.html when the theme has one. Dates come from the content,
 * never the clock, so two builds are byte-identical. */
#ifndef LUMBAR_FEEDS_H
#define LUMBAR_FEEDS_H

#include <stdbool.h>

#include "diag.h"
#include "output.h"
#include "site.h"
#include "template.h"
#include "termcache.h"

#define FEED_ENTRIES 20
#define SEARCH_TEXT_MAX 16384 /* bytes of a page's text a search result can quote */

/* Writes sitemap.xml, atom.xml, robots.txt and the alias pages through
 * out: what needs the site model but no rendered page, so it can run
 * while pages render. Returns false after adding errors. */
bool feeds_write_site_files(const site *s, const tpl_set *tpl, output *out, diag_list *diags);
/* Writes the search index (search.json, a manifest, and its shards under
 * search/s/) from the record of each rendered page that has one, once every
 * page has rendered, on up to jobs threads (the files are the same for any
 * number). unchanged says every record is the previous build's, and so is
 * every document number: the previous build's index files are then linked,
 * if its manifest shows them as it wrote them. Returns false after adding
 * errors. */
bool feeds_write_search_index(const site *s, output *out, int jobs, bool unchanged, diag_list *diags);
/* Appends the output path of the search result text of p (a page with a
 * search record) to path: search/d/GROUP/ID.json. */
void feeds_search_doc_path(const site *s, const page *p, strbuf *path);
/* Appends the sitemap of s (every page but 404 and skipped ones) to xml. */
void feeds_sitemap(const site *s, strbuf *xml);
/* Appends the Atom feed of s to xml. */
void feeds_atom(const site *s, strbuf *xml);
/* Writes p's search result text (search/d/ID/128/ID.json: title, URL, section,
 * description, key points and the first SEARCH_TEXT_MAX bytes of text)
 * through out, and returns p's record for the index, its terms with their
 * weights, which the caller frees; NULL after adding an error. text is the
 * body's whole plain text. The terms come from terms (NULL: none) when it
 * holds them for this text; p->search_key gets the text's key. Reads only p
 * and s's page list, so each rendering thread makes the records of its own
 * pages. */
char *feeds_search_entry(const site *s, page *p, const char *text, const value *headings, termcache *terms,
                         output *out, diag_list *diags);
/* Writes the records of this build's pages as the new termcache. */
void feeds_save_terms(const site *s, termcache *terms);

#endif
