/* config: the site's config.ini, read with inih.
 *
 * Known sections and keys are typed and checked; an unknown key is a
 * warning, a bad value an error, each at config.ini:LINE. [params] is free
 * for themes and reaches templates as site.params. */
#ifndef LUMBAR_CONFIG_H
#define LUMBAR_CONFIG_H

#include <stdbool.h>

#include "diag.h"
#include "value.h"

#define CONFIG_IMAGE_WIDTHS 8
/* config.ini longer than this is refused before it is read: a million
 * [params] keys are 17 MB and take 137 MB; a real one is under 1 KB. */
#define CONFIG_MAX_BYTES ((size_t)24 << 20)

typedef struct config {
    char *title;
    char *description;
    char *language;
    char *about;     /* the condition the site is about, for schema.org */
    char *base_url;  /* absolute, always ending in "/" */
    char *base_path; /* the path of base_url, e.g. "/backpain/" */
    char *output;    /* relative to the site folder unless absolute */
    char *contact;   /* where readers report a problem: an email address or an
                        http(s) URL; "" when not set */
    bool unsafe_html;
    bool smart_punctuation;
    bool autolink; /* bare URLs in Markdown become links; off by default: it costs parse time */
    int page_size;       /* 0: lists are not paginated */
    int interval_months; /* default review interval */
    bool require_names;  /* [review] a reviewed_by needs the reviewer's name */
    bool review_required; /* [review] --strict fails on a page pending review */
    /* [images]: rasters wider than image_max_width get copies at each of
     * image_widths (ascending, at most CONFIG_IMAGE_WIDTHS) below their own. */
    int image_max_width;
    int image_widths[CONFIG_IMAGE_WIDTHS];
    int image_nwidths;
    value *params;       /* map; owned by the config */
} config;

/* Parses the n bytes of config.ini text at src (`file` names it in
 * diagnostics). Returns a config the caller frees with config_free, or NULL
 * when it has errors (all of them added to diags). */
config *config_parse(const char *src, size_t n, const char *file, diag_list *diags);
/* As config_parse, but always returns a config: each bad or missing value
 * keeps its default, and the errors in diags say which. For a build that
 * goes on to check content after config errors, writing nothing. */
config *config_parse_lenient(const char *src, size_t n, const char *file, diag_list *diags);
/* Returns true when url is an absolute http(s) URL that base_url accepts
 * (no user:pass@, a port from 1 to 65535, no '.', '..' or empty path
 * segments); otherwise adds an error at origin:line and returns false. */
bool config_check_base_url(const char *url, const char *origin, int line, diag_list *diags);
/* Replaces base_url (and base_path) with url, as --base-url does; returns
 * false and adds an error when url is not an absolute http(s) URL. */
bool config_set_base_url(config *cfg, const char *url, const char *origin, int line, diag_list *diags);
/* Frees the config. Accepts NULL. */
void config_free(config *cfg);

#endif
