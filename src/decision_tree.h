/* decision_tree: the relative-rest decision tree, loaded from front matter.
 *
 * A page's `tree:` front-matter key holds the tree as data: questions with
 * help text and two or more answers, each answer leading to another question
 * or to an outcome; outcomes carry a verdict (named, with its words, in the
 * tree's `verdicts:` map: the generator knows none) and advice in Markdown,
 * which is never rendered with raw HTML, and may say `reminder: false` to
 * leave the tree's reminder out under it. The loader validates the whole tree and
 * reports every problem at the line and column of the offending YAML value.
 * The renderers produce the page's HTML, which works without JavaScript and
 * which the page script reads, and a JSON copy for themes.
 *
 * Ownership: dtree_load returns a tree the caller frees with dtree_free; the
 * tree copies what it needs and keeps no pointer into the value it was
 * loaded from. Render functions append to a caller-owned strbuf. */
#ifndef LUMBAR_DECISION_TREE_H
#define LUMBAR_DECISION_TREE_H

#include <stdbool.h>

#include "diag.h"
#include "strbuf.h"
#include "value.h"

typedef struct dtree dtree;

/* Renders the Markdown md (n bytes, found at line:col of the page file) as
 * HTML into html, resolving links as the site does and leaving raw HTML out
 * whatever the site allows elsewhere; returns false after adding
 * diagnostics. */
typedef bool (*dtree_md_fn)(void *ctx, const char *md, size_t n, int line, int col, strbuf *html);

/* Loads and validates the tree in `tree` (the front-matter value) of the
 * page at `file` (relative to the site folder, for diagnostics). Advice is
 * rendered with md_fn(md_ctx, ...), or with plain safe cmark when md_fn is
 * NULL. Returns NULL after adding every error found to diags. */
dtree *dtree_load(const value *tree, const char *file, dtree_md_fn md_fn, void *md_ctx,
                  diag_list *diags);
/* Appends the HTML of every question and outcome as linked sections that
 * work without JavaScript; the page script reads the tree from them
 * (a question's summary is its data-summary attribute). */
void dtree_render_html(const dtree *tree, strbuf *out);
/* Appends the tree's structure as JSON (ids, question text and summary,
 * answers, outcome titles and verdicts; not help or lists), escaped so it
 * is safe inside a <script> element, for themes that want it. */
void dtree_render_json(const dtree *tree, strbuf *out);
/* Frees the tree. Accepts NULL. */
void dtree_free(dtree *tree);

#endif
