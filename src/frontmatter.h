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
    const char *title, *description, *slug, *layout; /* into all; NULL when absent */
    date date, updated, last_reviewed, next_review;  /* unset when absent */
    date expires; /* the page is left out from this day on; unset when absent */
    value *reviewed_by; /* into all; NULL when absent (the page is pending review) */
    const char *reviewer_name, *reviewer_role; /* reviewed_by's, into all; NULL when absent */
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
/* Adds a warning at the line of each top-level key of f that lumbar does
 * not read and that is not among the n declared ones (config.ini
 * [frontmatter] keys), suggesting the closest known key. Returns the
 * number of unknown keys. */
size_t fm_check_keys(const fm_fields *f, const fm_parts *parts, char *const *declared, size_t n, const char *file,
                     diag_list *diags);
/* What a page's review state is checked against. */
typedef struct fm_review_rules {
    bool require_names; /* a reviewed_by needs the reviewer's name */
    date today;         /* no review can be dated after it */
} fm_review_rules;

/* True when the page claims a clinical review (it has reviewed_by). */
bool fm_is_reviewed(const fm_fields *f);
/* Checks the page is honestly reviewed (reviewed_by with name and role,
 * last_reviewed not in the future nor before the page's date, next_review
 * not before it) or honestly pending (no reviewed_by and no review dates).
 * Returns false after adding every error found to diags. */
bool fm_check_review(const fm_fields *f, const fm_review_rules *rules, const char *file, diag_list *diags);

/* The marker `lumbar new` puts in the text it writes for an editor to
 * replace; a page that still holds it must not be published. */
#define FM_PLACEHOLDER "TODO(lumbar new)"

/* Adds an error at each line of the file (front matter and body) that
 * still holds FM_PLACEHOLDER; returns false when there is one. parts must
 * come from fm_split of one whole file's text. */
bool fm_check_placeholder(const fm_parts *parts, const char *file, diag_list *diags);
/* Frees the fields. Accepts NULL. */
void fm_fields_free(fm_fields *f);
/* True when s is a safe slug: one or more of a-z, 0-9 and "-". */
bool fm_slug_ok(const char *s);
/* Appends the URL slug of a free-text name ("Red flags" -> "red-flags"):
 * lower case, accented Latin letters as plain ones ("Rücken" -> "rucken"),
 * runs of anything else but a-z and 0-9 become one "-", trimmed. */
void fm_slugify(const char *text, size_t n, strbuf *out);

#endif
