/* markdown: an article body to HTML through cmark, with lumbar's additions.
 *
 * On top of CommonMark: h2-h4 get stable, unique ids from their text; a
 * table of contents of h2/h3; [@key] and [@key1; @key2] citations become
 * numbered links to the page's reference list; links to content files
 * ("../treatments/relative-rest.md#rules") become page URLs; links starting
 * with "/" are made relative to the site's base path; raw HTML is dropped
 * (with a warning) unless unsafe_html is set. Errors (an unknown citation
 * key, a link to a content file that does not exist) are reported at their
 * line and column.
 *
 * Images: every image needs alt text; `![decorative](...)` marks one that
 * adds nothing (rendered alt=""); alt text that is only a file name warns.
 * A local image is looked up under assets/ (paths starting with "/" from
 * the site root, others from the Markdown file's folder) in env.images and
 * gets its width and height; a large raster gets a <picture> with WebP and
 * its own format at several widths; every image loads lazily. An image with
 * a title alone in its paragraph becomes a <figure> with the title as its
 * caption.
 *
 * md_render returns an md_doc the caller frees with md_doc_free. */
#ifndef LUMBAR_MARKDOWN_H
#define LUMBAR_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "images.h"
#include "value.h"

/* What a link to another content file finds (md_env.find_page). */
typedef enum md_target {
    MD_TARGET_PAGE,   /* a page: its URL is given */
    MD_TARGET_NONE,   /* no such file */
    MD_TARGET_DRAFT,  /* a draft this build leaves out */
    MD_TARGET_SCHEDULED, /* a page dated after today, left out (no --future) */
    MD_TARGET_EXPIRED,   /* a page whose expires date has come, left out */
    MD_TARGET_FAILED, /* a file that failed to load, with its own error */
} md_target;

typedef struct md_env {
    bool unsafe_html;
    bool smart_punctuation;
    bool autolink; /* bare URLs and www. addresses become links */
    const char *base_path; /* "/" or "/sub/" */
    /* Looks up what content_path ("causes/x.md") became; on MD_TARGET_PAGE
     * sets *url, which stays owned by ctx. A link to a file that failed to
     * load is left as written and adds no error of its own. NULL: no
     * content file has a page. */
    md_target (*find_page)(void *ctx, const char *content_path, const char **url);
    /* True when key is in the bibliography. */
    bool (*has_reference)(void *ctx, const char *key);
    void *ctx;
    /* Optional: memory for the parse tree, reset at the end of each call;
     * one arena per thread. NULL parses with malloc. */
    arena *arena;
    /* Looks up local images: sizes, resized copies, missing files. NULL:
     * images are neither checked nor measured. */
    img_store *images;
    /* Fill md_doc.links: link checks need them, a plain build does not. */
    bool record_links;
} md_env;

typedef struct md_doc {
    char *html;
    value *toc;         /* list of {id, text, children}: h2 with the h3 under each */
    char *toc_html;     /* the same as a nested <ol>, "" when there are no headings */
    size_t heading_count; /* h2 and h3 */
    value *headings;    /* list of strings: the text of every h2-h4, for search */
    value *cites;       /* list of strings: cited keys in order of first citation */
    value *ids;         /* list of strings: every id the body defines */
    value *links;       /* list of {url, line, col}: every link and image, as rendered; empty
                           unless env.record_links */
    char *text;         /* plain text of the whole body (up to 1 MB), for search */
    size_t word_count;
    bool has_raw_html;  /* the page shows raw HTML from the body (unsafe_html): links
                           in it are in html but not in links */
} md_doc;

/* Renders the n bytes of Markdown at text, which start on line first_line
 * of `file` (for diagnostics); content_path is the file's path under
 * content/ ("causes/x.md"), against which relative links resolve. Returns
 * the document; errors and warnings are added to diags, and the caller
 * decides whether errors fail the page. */
md_doc *md_render(const char *text, size_t n, int first_line, const char *file, const char *content_path,
                  const md_env *env, diag_list *diags);
/* True when url leaves the site: it has a scheme (https:, mailto:) or is
 * protocol-relative (//host). Such links are neither rewritten nor checked. */
bool md_url_is_external(const char *url);
/* Frees the document. Accepts NULL. */
void md_doc_free(md_doc *doc);

#endif
