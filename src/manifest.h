/* manifest: what an output folder holds, as the build that wrote it left it.
 *
 * A rebuild compares each file it writes with the live output's copy, so
 * that an unchanged file keeps its inode and modification time. Reading
 * every live file back to compare was a tenth of a 10,000-page rebuild; the
 * manifest records, for each file, a hash of its bytes, its size, its inode
 * and its status-change time (ctime), so that one fstatat tells the next
 * build that the live file is still the one recorded. ctime moves with any
 * change to a file's bytes or metadata and cannot be set back by a user, so
 * a file edited in place since the build no longer matches and is compared
 * byte by byte as before.
 *
 * The manifest names the folder it describes by device and inode: the
 * output and staging folders trade places at every swap, and a manifest
 * whose folder is not the live one is not used. It lives in the site
 * folder's .lumbar-cache/ (never in the published output). Nothing about it
 * is an error: without one, files are compared byte by byte. */
#ifndef LUMBAR_MANIFEST_H
#define LUMBAR_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

typedef struct manifest_entry {
    uint64_t hash; /* hash_wide of the bytes, from HASH_SEED */
    uint64_t size;
    uint64_t ino;
    int64_t ctime_sec;
    long ctime_nsec;
} manifest_entry;

/* A file of the folder as manifest_save takes it; known false (its hash
 * is not known) leaves it out. */
typedef struct manifest_file {
    char *rel;
    manifest_entry entry;
    bool known;
} manifest_file;

typedef struct manifest manifest;

/* The manifest file for the output folder out_dir (absolute) of the site
 * in site_dir; the caller frees it. */
char *manifest_path(const char *site_dir, const char *out_dir);
/* Reads the manifest at path if it describes the folder whose status is
 * *folder; NULL when there is none, it describes another folder, or it
 * does not parse. Free with manifest_free. */
manifest *manifest_load(const char *path, const struct stat *folder);
/* Frees m. Accepts NULL. */
void manifest_free(manifest *m);
/* The entry for the file rel, or NULL. Safe from several threads. */
const manifest_entry *manifest_get(const manifest *m, const char *rel);
/* The name of m's entry i (below manifest_len(m)), in file order. */
const char *manifest_name(const manifest *m, size_t i);
/* The number of entries of m; 0 for NULL. */
size_t manifest_len(const manifest *m);
/* True when st, a file's lstat, is still the file e records. */
bool manifest_entry_matches(const manifest_entry *e, const struct stat *st);
/* Fills e's inode and ctime from st. */
void manifest_entry_set_stat(manifest_entry *e, const struct stat *st);
/* Writes the manifest of the folder whose status is *folder, written by
 * the build whose id is build (not 0): the n files
 * (names holding a newline are left out). Writes a temporary file and
 * renames it; false when it could not (ignorable: the next build compares
 * bytes). */
bool manifest_save(const char *path, const struct stat *folder, uint64_t build, const manifest_file *files, size_t n);
/* The id of the build that wrote m (manifest_save's build); 0 for NULL. */
uint64_t manifest_build(const manifest *m);

#endif
