/* termcache: each page's search terms, kept between builds.
 *
 * Finding, counting and stemming every word of every page is about a
 * quarter of a build's instructions, yet a page whose indexed text (title,
 * headings, description, key points and body text) has not changed gives
 * the same terms. The cache maps a hash of that text to the terms it gave.
 * It lives in the site folder's .lumbar-cache/search-terms (not published,
 * not in Git) and holds the pages of the last build that wrote it.
 *
 * It belongs to one lumbar binary: the word rules (words.c) may differ
 * between versions or builds of lumbar, so a file written by any other
 * binary, or one that does not parse, is ignored whole and rewritten.
 * Nothing about the cache is ever an error: without it (a read-only site
 * folder, say) a build is only slower. */
#ifndef LUMBAR_TERMCACHE_H
#define LUMBAR_TERMCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct termcache termcache;

/* Reads the cache of the site folder site_dir. Never fails: a missing,
 * foreign or damaged file gives an empty cache. Free with termcache_free. */
termcache *termcache_load(const char *site_dir);
/* Frees c. Accepts NULL. */
void termcache_free(termcache *c);
/* The key of a page's indexed text: a hash of the n strings (NULL as ""). */
uint64_t termcache_key(const char *const *parts, size_t n);
/* The terms cached under key (NUL-terminated, owned by c), or NULL, which
 * also counts a miss. Safe to call from several threads at once. */
const char *termcache_get(termcache *c, uint64_t key);
/* Frees the cached terms, keeping what termcache_save needs: call it once
 * no thread will call termcache_get again, so that the build's peak
 * memory does not hold the terms twice. */
void termcache_end_reads(termcache *c);
/* Writes the n entries (keys[i], the lens[i] bytes at terms[i]) as the new cache when this
 * build missed or the set of pages shrank; keeps the old file otherwise.
 * Writes a temporary file and renames it, so a racing build or a kill
 * leaves a whole file. Returns false when it could not (ignorable). */
bool termcache_save(termcache *c, const uint64_t *keys, const char *const *terms, const size_t *lens, size_t n);

#endif
