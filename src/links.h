/* links: the link checker of `lumbar check`.
 *
 * While pages render, links_scan reads each page's finished HTML and
 * records the ids it defines and every href and src it uses, matching
 * links that came from the Markdown body to their source line and column.
 * Once every page has rendered, links_check resolves each internal link
 * against the pages, aliases, generated files and assets of the build and
 * reports the ones that lead nowhere, and #fragments that name no element
 * on their target page. Links from a layout are reported once per layout
 * and URL. External links (with a scheme, or //host) are not fetched. */
#ifndef LUMBAR_LINKS_H
#define LUMBAR_LINKS_H

#include <stddef.h>

#include "diag.h"
#include "site.h"

/* What exists in a site (pages, aliases, generated files, assets), for
 * links_scan to drop links that certainly resolve. */
typedef struct known links_index;

/* Returns the index of s, once its pages are final; free it with
 * links_index_free. */
links_index *links_index_new(const site *s);
/* Frees idx. Accepts NULL. */
void links_index_free(links_index *idx);
/* Replaces p->ids and p->links with what the n bytes of html define and
 * use; body_links is the md_doc's list of {url, written, line, col} (or
 * NULL). With only_suspect, links it shows to resolve (and that name no
 * #fragment) are not recorded. Safe to call from several threads for
 * different pages. */
void links_scan(page *p, const char *html, size_t n, const value *body_links, const links_index *only_suspect);
/* The same for a page whose layout's links are not to be checked (`lumbar
 * build`): p->ids from every id="..." in the n bytes of html, p->links
 * from body_links alone, those idx (if not NULL) does not show to resolve. Far cheaper
 * than links_scan, which parses every tag. Not for a body with raw HTML,
 * whose links only html holds. Safe to call from several threads for
 * different pages. */
void links_scan_body(page *p, const char *html, size_t n, const value *body_links, const links_index *idx);
/* Adds files (a list of site paths such as "img/x-480w.webp") that the
 * build writes beside pages and assets to idx. */
void links_index_add_files(links_index *idx, const value *files);
/* Checks the recorded links of s against idx (links_index_new of s, with
 * any files added); adds an error for each broken one: the links editors
 * wrote in content, and with theme_links those the layouts wrote too. */
void links_check(const site *s, const links_index *idx, bool theme_links, diag_list *diags);

#endif
