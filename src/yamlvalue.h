/* yamlvalue: YAML text to a value tree, through libyaml.
 *
 * Used for front matter, content/references.yaml and the Mustache spec
 * files. Every value keeps the line and column where it starts. Plain
 * scalars become null (empty, ~, null), booleans (true, false), numbers
 * (anything strtod reads whole) or strings; quoted and block scalars are
 * always strings. Anchors and aliases are refused (they are a
 * denial-of-service vector and no editor needs them), as are duplicate keys,
 * non-scalar keys, nesting deeper than YAML_MAX_DEPTH and text longer than
 * YAML_MAX_BYTES. */
#ifndef LUMBAR_YAMLVALUE_H
#define LUMBAR_YAMLVALUE_H

#include <stddef.h>

#include "diag.h"
#include "value.h"

#define YAML_MAX_DEPTH 100
/* YAML text longer than this is refused before it is parsed: loading takes
 * about seven times the text in memory (a million front-matter keys, 16 MB,
 * take 118 MB), so this keeps one file under 200 MB. */
#define YAML_MAX_BYTES ((size_t)24 << 20)

/* Parses the first document of the n bytes at src. Lines in values and
 * diagnostics are shifted by line_offset (the line the text starts on, minus
 * one) so they point into the file `file`. Returns the value (null for an
 * empty document) the caller owns, or NULL after adding errors to diags. */
value *yaml_load(const char *src, size_t n, const char *file, int line_offset, diag_list *diags);

#endif
