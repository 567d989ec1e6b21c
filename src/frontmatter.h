/* frontmatter: splitting a content file at its --- fences, and checking the
 * front-matter fields lumbar understands.
 *
 * fm_split points into the caller's text and allocates nothing. fm_read
 * returns the parsed fields; the caller frees them with fm_fields_free. */
#ifndef LUMBAR_FRONTMATTER_H
#define LUMBAR_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "diag.h"
#include "value.h"

typedef struct fm_parts {
    const char *yaml;
    size_t yaml_len;
    int yaml_line; /* the file line the YAML starts on, 1-based */
    const char *body;
    size_t body_len;
    int body_line; /* the file line the body starts on, 1-based */
} fm_parts;

/* What a content file is, which decides the required fields. */
typedef enum { FM_HOME, FM_SECTION, FM_ARTICLE, FM_PAGE } fm_kind;

typedef struct fm_fields {
    value *all; /* the whole front-matter map; owned */
    const char *title, *description, *slug, *layout, *reviewed_by; /* into all; NULL when absent */
    date date, updated, last_reviewed, next_review;                 /* unset when absent */
    bool draft;
    bool has_weight;
    double weight;
    value *tags;       /* list of strings, into all; NULL when absent */
    char **tag_slugs;  /* the URL slug of each tag, as fm_slugify makes it; owned */
    value *aliases;    /* list of strings, into all; NULL when absent */
    value *references; /* list of strings, into all; NULL when absent */
    value *tree;       /* map, into all; NULL when absent */
} fm_fields;

/* Drops a UTF-8 byte-order mark and turns CRLF line ends into LF, in place;
 * returns the new length. */
size_t fm_normalise(char *text, size_t n);
/* Splits text at its opening and closing "---" lines into *out. Returns
 * false after adding an error when there is no front matter or it is never
 * closed. */
bool fm_split(const char *text, size_t n, const char *file, fm_parts *out, diag_list *diags);
/* Parses and checks the front matter of a file of the given kind. Returns
 * the fields, or NULL after adding every error found to diags. A draft
 * (draft: true) is only checked when check_drafts is set: a draft that is
 * not built may still be half-written. */
fm_fields *fm_read(const fm_parts *parts, fm_kind kind, const char *file, bool check_drafts, diag_list *diags);
/* Frees the fields. Accepts NULL. */
void fm_fields_free(fm_fields *f);
/* True when s is a safe slug: one or more of a-z, 0-9 and "-". */
bool fm_slug_ok(const char *s);
/* Appends the URL slug of a free-text name ("Red flags" -> "red-flags"):
 * lower case, accented Latin letters as plain ones ("Rücken" -> "rucken"),
 * runs of anything else but a-z and 0-9 become one "-", trimmed. */
void fm_slugify(const char *text, size_t n, strbuf *out);

#endif
