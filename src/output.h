/* output: writing a build into a staging folder and swapping it in.
 *
 * A build writes every file into a staging folder beside the output folder
 * (".public.lumbar-staging" for "public"); output_commit swaps the two in
 * one atomic rename (renameat2 with RENAME_EXCHANGE), so a failed or
 * interrupted build leaves the previous output exactly as it was. Where the
 * file system lacks RENAME_EXCHANGE, three renames do it through
 * ".public.lumbar-staging.old", with a moment in which the output is
 * missing (output_recover mends a build killed in it).
 *
 * The staging folder is mode 0700 whenever it is not live: after a swap it
 * holds the previous site, which must not stay readable beside the output
 * (web servers serve dot-folders). The new build gets the output's
 * permissions just before it goes live.
 *
 * After the swap the staging folder holds the previous output, and the next
 * build updates it in place instead of making a new tree: a file whose bytes
 * equal the live output's becomes a hard link to it (left alone when it is
 * one already), any other file is unlinked and written anew, never written
 * over (it may be a link to a live file), and whatever the build did not
 * write is pruned before the swap. So a rebuild makes and removes no
 * folders for unchanged pages, unchanged files keep their modification
 * times, and rsync-style deploys send only what changed. The staging folder
 * is locked (flock) while a build owns it: a second build into the same
 * output is refused.
 *
 * Nothing is written outside the staging folder: relative paths are
 * checked, and the output folder is refused when it is the site folder, a
 * folder above it, content/, layouts/ or assets/, or /. An existing,
 * non-empty output folder that lumbar did not create (it has no .lumbar
 * marker file) is refused unless forced; a staging folder without it, or
 * one of another user's or that cannot be written, is always refused. */
#ifndef LUMBAR_OUTPUT_H
#define LUMBAR_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "diag.h"

typedef struct output output;

#define OUTPUT_MARKER ".lumbar"
#define OUTPUT_STAGING_SUFFIX ".lumbar-staging"

/* Checks out_dir against site_dir, and creates and locks the staging
 * folder (or locks the one a previous build left). Returns the writer, or
 * NULL after adding an error. */
output *output_begin(const char *site_dir, const char *out_dir, bool force, diag_list *diags);
/* Writes n bytes to relpath (e.g. "causes/x/index.html") in the staging
 * folder, creating folders as needed. Safe to call from several threads for
 * different paths. Returns false after adding an error. */
bool output_write(output *out, const char *relpath, const char *data, size_t n, diag_list *diags);
/* output_write for a file given in parts, written one after another: a
 * large file need not be put together in memory first. */
bool output_write_parts(output *out, const char *relpath, const struct iovec *parts, size_t nparts,
                        diag_list *diags);
/* Hard-links relpath from the previous output into the staging folder, for
 * a page known to be unchanged. Returns false (and adds nothing to any
 * diagnostics) when there is no previous file to link. */
bool output_link_previous(output *out, const char *relpath);
/* output_link_previous, but only for a file the previous build's manifest
 * records and that is still as that build wrote it: for a page the rebuild
 * cache says is unchanged. False, linking nothing, otherwise. */
bool output_link_recorded(output *out, const char *relpath);
/* output_link_recorded for the file `file` and every file whose path
 * starts with prefix that the previous build's manifest records (at least
 * one): a set of files written together, such as the search index. All
 * are checked before any is linked; false when one fails. */
bool output_link_recorded_set(output *out, const char *file, const char *prefix);
/* The id this build gives its manifest (never 0). */
uint64_t output_build_id(const output *out);
/* The id of the build that wrote the live output, from its manifest; 0
 * when there is no manifest to trust. Waits for it to be read. */
uint64_t output_previous_build(output *out);
/* Copies the regular files under src_dir (relative to the site folder, e.g.
 * "assets") into the staging folder's root. Symbolic links are refused.
 * Adds the number of files copied to *count. */
bool output_copy_tree(output *out, const char *src_dir, size_t *count, diag_list *diags);
/* Prunes what an older build left in the staging folder, swaps it in as
 * the output folder, and keeps the previous output as the next staging
 * folder (a folder replaced with force is removed instead). Frees out.
 * Returns false after adding an error, leaving the old output in place. */
bool output_commit(output *out, diag_list *diags);
/* Puts back an output folder that a build killed between the two renames
 * of the fallback swap left as ".NAME.lumbar-staging.old" (only when the
 * output folder is missing, that folder holds the marker, and no build
 * holds the staging lock). Call it before anything else reads or writes
 * the output. Returns false after adding an error when it cannot. */
bool output_recover(const char *out_dir, diag_list *diags);
/* Waits until the listing of a reused staging folder (a thread started by
 * output_begin) has finished; output_commit waits for it anyway. For tests
 * that need a write to come after the listing. */
void output_wait_listing(output *out);
/* Gives up the build and frees out: a staging folder that held an older
 * build is unlocked and stays for the next build to reuse; one this build
 * made is removed. Accepts NULL. */
void output_abort(output *out);
/* Removes the folder (or file) at path and everything in it, without
 * following symbolic links. A path that does not exist, or runs through a
 * file (ENOTDIR), counts as removed. Returns false with errno set to the
 * first failure's cause. */
bool output_remove_tree(const char *path);

/* ---- claims: which source writes which output path ---------------------
 *
 * Two sources writing one path (an alias onto /search.json, an asset at a
 * page's path), or one needing as a folder what another writes as a file
 * (an alias /css/site.css/ beside the asset css/site.css), would leave
 * whichever wrote last. Each source claims its paths before anything is
 * written, and the later claim of a clash is reported at its source. */
typedef struct output_claims output_claims;

output_claims *output_claims_new(void);
/* Frees the claims. Accepts NULL. */
void output_claims_free(output_claims *c);
/* Records that what (e.g. "alias /x/"; copied) writes relpath, coming from
 * file:line:col (copied; "" for a file lumbar makes up). */
void output_claim(output_claims *c, const char *relpath, const char *what, const char *file, int line, int col);
/* Claims every file under src_dir (relative to site_dir, e.g. "assets")
 * where output_copy_tree would copy it. */
void output_claim_tree(output_claims *c, const char *site_dir, const char *src_dir);
/* Adds an error for each claim that clashes with an earlier one, and for
 * each claim with a source whose path has a name over 255 bytes (no file
 * system takes it), at the claim's source. True when there are none. */
bool output_claims_check(output_claims *c, diag_list *diags);

#endif
