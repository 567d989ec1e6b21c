/* pagecache: what a build rendered, kept for the next build to reuse.
 *
 * When everything a page's HTML is made from is as it was at the last
 * successful build, the page renders to the same bytes. That is the case
 * when config.ini, the layouts, the bibliography, assets/, the options
 * and the day, and every page's path and front matter, are unchanged
 * (lists, neighbours and links are made from front matter alone), and the
 * page's own body is too. Such a page is "clean": its output is
 * hard-linked from the live output instead of rendered, and what
 * rendering it would have left (its search record, ids, citations, links
 * and warnings) comes from the cache. The live file is linked only when
 * the output's manifest says it is still the one the cached build wrote
 * (output_link_recorded); otherwise the page renders as any other.
 *
 * A development server keeps the cache in memory between builds; `lumbar
 * build` keeps it in the site folder's .lumbar-cache/pages, which belongs
 * to the lumbar binary that wrote it and names the build whose output it
 * describes. Nothing about it is an error: a cache that is missing,
 * damaged, foreign or stale is ignored whole, and every page renders. */
#ifndef LUMBAR_PAGECACHE_H
#define LUMBAR_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "site.h"
#include "value.h"

typedef struct build_cache build_cache;

/* Returns an empty cache; free it with build_cache_free. */
build_cache *build_cache_new(void);
/* Frees the cache. Accepts NULL. */
void build_cache_free(build_cache *cache);

/* Marks clean the pages of s that c shows unchanged, given this build's
 * inputs_hash (everything but content/) and the id of the build that
 * wrote the live output (0: none), and gives each clean content page its
 * cached search record, ids, citations, links and warnings: moved out of
 * c when take (c is then no longer valid: for a cache read from disk,
 * which pagecache_update rebuilds), else copied. Returns how many pages
 * it marked. */
size_t pagecache_mark_clean(build_cache *c, site *s, uint64_t inputs_hash, uint64_t live_build, bool take);
/* Makes c describe this successful build of s: its inputs_hash, the id
 * its output carries (output_build_id), and image_files, the image copies
 * in the output (a list of site paths), which c takes. */
void pagecache_update(build_cache *c, const site *s, uint64_t inputs_hash, uint64_t build, value *image_files);
/* The image copies of the build c describes (NULL when none). */
const value *pagecache_image_files(const build_cache *c);

/* Reads the cache of the site folder site_dir; NULL when there is none
 * this binary can use. The caller frees it with build_cache_free. */
build_cache *pagecache_load(const char *site_dir);
/* Writes c as the cache of site_dir, through a temporary file and a
 * rename; false when it could not (ignorable: the next build renders
 * every page). */
bool pagecache_save(const build_cache *c, const char *site_dir);
/* Records that the output of build (output_build_id) is what the cache
 * c was read from describes, without writing its pages again: for a build
 * that reused every page, whose cache would be the same. False when c was
 * not read from site_dir, or the file cannot be written. */
bool pagecache_save_build(const build_cache *c, const char *site_dir, uint64_t build);

#endif
