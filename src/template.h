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
/* Sections, parents and blocks nested deeper than this inside one template
 * are a parse error, which keeps rendering's recursion bounded. */
#define TPL_MAX_NESTING 100

/* Work one render may do before it fails. Nesting is bounded, but sections
 * over lists multiply: ten nested {{#list}} over a ten-item list is ten
 * billion steps, so depth alone cannot keep a build from hanging or filling
 * the disk. A page of the 1,000-article benchmark site takes at most 6,500
 * steps (about 26 per listed page), so two million lists some 75,000 pages
 * on one page, and stops a runaway template within a second or two. */
#define TPL_MAX_STEPS 2000000
#define TPL_MAX_OUTPUT ((size_t)128 << 20)

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
 * when the render passes TPL_MAX_STEPS nodes or TPL_MAX_OUTPUT bytes. A
 * partial or parent missing from the set renders nothing, as the spec says;
 * tpl_set_check_refs reports those. */
bool tpl_render(const tpl_set *set, const char *name, const value *const *stack, size_t depth,
                strbuf *out);

/* Appends a diagnostic for every {{>partial}} (a warning) and {{<parent}}
 * (an error) whose name is not in the set, at the tag's position, in the
 * order the templates were added. Dynamic names ({{>*name}}) are only known
 * when rendering and are not checked. */
void tpl_set_check_refs(const tpl_set *set, diag_list *diags);

#endif
