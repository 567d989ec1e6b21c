/* template: lumbar's Mustache engine (parse once, render many times).
 *
 * Implements the Mustache spec in ../shared/conformance/mustache-spec/:
 * interpolation, sections, inverted sections, comments, partials, set
 * delimiters, inheritance ({{<parent}}, {{$block}}) and dynamic names
 * ({{>*name}}, {{<*name}}). Lambdas are not supported.
 *
 * A tpl_set holds every template of a site under its name ("base",
 * "partials/head"). Loading (tpl_set_add) parses each template once; a
 * template with parse errors stays in the set, marked broken, so that
 * references to it are not also reported as missing. Rendering reads the set
 * and the value tree only, so once loading is done any number of threads may
 * render from the same set at once; each thread brings its own output
 * buffer. Rendering allocates nothing besides the output buffer's growth.
 *
 * Ownership: the set owns everything it parsed; tpl_set_add copies name, path
 * and source. Diagnostics are appended to the caller's diag_list, with FILE
 * the path given to tpl_set_add and LINE:COL (1-based, columns in characters)
 * the opening delimiter of the offending tag. */
#ifndef LUMBAR_TEMPLATE_H
#define LUMBAR_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "strbuf.h"
#include "value.h"

/* Partials, parents and blocks nested deeper than this fail the render: the
 * usual cause is a partial that includes itself without end. */
#define TPL_MAX_DEPTH 100
/* A template longer than this is refused before it is parsed: parsing
 * takes some fifty times the text in memory (a 50 MB layout took 2.7 GB),
 * and a real layout is a few kilobytes. */
#define TPL_MAX_SOURCE ((size_t)1 << 20)
/* Sections, parents and blocks nested deeper than this inside one template
 * are a parse error, which keeps rendering's recursion bounded. */
#define TPL_MAX_NESTING 100

/* Work one render may do before it fails. Nesting is bounded, but sections
 * over lists multiply: ten nested {{#list}} over a ten-item list is ten
 * billion steps, so depth alone cannot keep a build from hanging or filling
 * the disk. The budget scales with the input instead of with the work: it
 * starts at TPL_MAX_STEPS and TPL_MAX_OUTPUT, and every list a render walks
 * while inside no other list adds TPL_STEPS_PER_ITEM steps and
 * TPL_BYTES_PER_ITEM bytes per item. Walking a list once costs about 26
 * steps per item with the bundled theme, so a section of 100,000 articles
 * renders, whatever the size of the site, while a list walked inside
 * another list adds nothing: the product of two lists is refused within a
 * second or two, however long they are. */
#define TPL_MAX_STEPS 2000000
#define TPL_MAX_OUTPUT ((size_t)128 << 20)
#define TPL_STEPS_PER_ITEM 200
#define TPL_BYTES_PER_ITEM ((size_t)8 << 10)

/* Why a render failed: filled in by tpl_render_checked. Names and paths
 * point into the set and live as long as it does. */
typedef enum {
    TPL_FAIL_NONE,
    TPL_FAIL_MISSING, /* no template of that name */
    TPL_FAIL_BROKEN,  /* it, or a partial or parent it reaches, has parse errors */
    TPL_FAIL_DEPTH,   /* partials, parents and blocks nested past TPL_MAX_DEPTH */
    TPL_FAIL_STEPS,   /* past the step budget */
    TPL_FAIL_OUTPUT   /* past the output budget */
} tpl_fail_kind;

typedef struct tpl_include {
    const char *name; /* the template included */
    const char *path; /* the file of the tag that included it */
    int line, col;
} tpl_include;

typedef struct tpl_failure {
    tpl_fail_kind kind;
    const char *path; /* where the render stopped: the template's file... */
    int line, col;    /* ...and its tag (or text) */
    size_t steps, bytes; /* the budget the render had when it stopped */
    /* The partials and parents being expanded, the outermost first. */
    tpl_include chain[TPL_MAX_DEPTH + 1];
    size_t chain_len;
} tpl_failure;

typedef struct tpl_set tpl_set;

/* Returns a new, empty set the caller owns; free it with tpl_set_free. */
tpl_set *tpl_set_new(void);

/* Frees the set and every template in it. Accepts NULL. */
void tpl_set_free(tpl_set *set);

/* Parses the n bytes at src as template `name`, replacing any template of
 * that name; `path` names the file in diagnostics. Every parse error is
 * appended to diags; returns false when there was any, and the template is
 * then kept but never renders. */
bool tpl_set_add(tpl_set *set, const char *name, const char *path, const char *src, size_t n,
                 diag_list *diags);

/* Returns whether the set holds a template called name (broken or not). */
bool tpl_set_has(const tpl_set *set, const char *name);

/* Renders template `name` against the context stack (depth values, the
 * bottom first; names are looked up from the top down) and appends the text
 * to out. Returns false, leaving out as it was, when the set has no usable
 * template of that name, when a partial or parent it reaches has parse
 * errors, when partials/parents/blocks nest deeper than TPL_MAX_DEPTH, or
 * when the render passes its budget of steps or bytes (above). A
 * partial or parent missing from the set renders nothing, as the spec says;
 * tpl_set_check_refs reports those. */
bool tpl_render(const tpl_set *set, const char *name, const value *const *stack, size_t depth,
                strbuf *out);

/* As tpl_render; on failure also fills in *why (never NULL). */
bool tpl_render_checked(const tpl_set *set, const char *name, const value *const *stack, size_t depth,
                        strbuf *out, tpl_failure *why);

/* Appends to msg, without a newline, why a render of layout failed, the
 * same for every page it fails on: a partial that includes itself is named
 * as such; an exceeded budget says which. */
void tpl_failure_describe(const tpl_failure *why, const char *layout, strbuf *msg);
/* Appends the chain of templates the render was in, "article > base >
 * partials/nav", each step of a loop once and then "> ...". */
void tpl_failure_chain(const tpl_failure *why, const char *layout, strbuf *msg);

/* Appends a diagnostic for every {{>partial}} (a warning) and {{<parent}}
 * (an error) whose name is not in the set, at the tag's position, in the
 * order the templates were added. Dynamic names ({{>*name}}) are only known
 * when rendering and are not checked. */
void tpl_set_check_refs(const tpl_set *set, diag_list *diags);

#endif
