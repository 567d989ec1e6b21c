/* escape: the escaping every output context needs, in one place.
 *
 * Each function appends the escaped form of n bytes of s to out. Escaping is
 * the default everywhere in lumbar; raw output is only ever what a template
 * asks for with {{{ }}}. */
#ifndef LUMBAR_ESCAPE_H
#define LUMBAR_ESCAPE_H

#include <stddef.h>

#include "strbuf.h"

/* HTML text and attribute values: & < > " ' become entities. */
void esc_html(strbuf *out, const char *s, size_t n);
/* HTML text as cmark's renderer escapes it (& < > " only), for text lumbar
 * writes in place of cmark's own output, byte for byte the same. */
void esc_html_as_cmark(strbuf *out, const char *s, size_t n);
/* XML (sitemap, feed): as esc_html, and control characters XML forbids are dropped. */
void esc_xml(strbuf *out, const char *s, size_t n);
/* A JSON string with its quotes, safe inside <script>: < > & and U+2028/9
 * become \u escapes, so no content can close the element. Invalid UTF-8
 * bytes become U+FFFD. */
void esc_json(strbuf *out, const char *s, size_t n);
/* A URL path: bytes outside unreserved characters and "/" are %-encoded. */
void esc_url_path(strbuf *out, const char *s, size_t n);

#endif
