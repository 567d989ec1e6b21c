/* refs: the site's bibliography, content/references.yaml.
 *
 * A map from citation key to an entry with authors, title, year, a journal
 * or publisher, and at least one of doi, pmid, url or isbn. Every entry is
 * checked when loaded; problems are errors at the line and column of the
 * offending value. refs_load returns a bibliography the caller frees with
 * refs_free; entries stay owned by it. */
#ifndef LUMBAR_REFS_H
#define LUMBAR_REFS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "value.h"

typedef struct refs refs;

/* Returns an empty bibliography (for sites without references.yaml). */
refs *refs_new(void);
/* Parses and checks the n bytes of YAML at src, named `file` in
 * diagnostics. Returns the bibliography, or NULL after adding errors. */
refs *refs_load(const char *src, size_t n, const char *file, diag_list *diags);
/* Returns the entry for key as a map {key, authors, title, container, year,
 * details, doi, doi_url, pmid, pmid_url, url, isbn, href}, or NULL. */
const value *refs_get(const refs *r, const char *key);
/* Returns how many entries there are. */
size_t refs_count(const refs *r);
/* Returns the i-th entry in file order. */
const value *refs_at(const refs *r, size_t i);
/* Frees the bibliography. Accepts NULL. */
void refs_free(refs *r);

#endif
