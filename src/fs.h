/* fs: the few file-system helpers every stage needs, in one place.
 *
 * Returned strings and name lists belong to the caller. */
#ifndef LUMBAR_FS_H
#define LUMBAR_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* Returns "a/b"; the caller frees it. */
char *fs_join(const char *a, const char *b);
/* True when path is dir itself or inside it, compared segment by segment:
 * "/a/bc" is not inside "/a/b". Repeated and trailing slashes and "."
 * segments do not count, and ".." takes away the segment before it. It
 * reads only the strings: resolve symbolic links first (realpath). An
 * absolute path is never inside a relative dir, nor the other way round. */
bool fs_path_within(const char *path, const char *dir);
/* errno after fs_read_file refused a named pipe, socket or device. */
#define FS_ENOTREG 4096

/* Appends the whole file at path to out; false, with errno set, when it
 * cannot be read. With follow_links false a symbolic link is refused
 * (O_NOFOLLOW). Anything but a regular file is refused without blocking
 * (errno FS_ENOTREG, or EISDIR). */
bool fs_read_file(const char *path, bool follow_links, strbuf *out);
/* fs_read_file with path relative to the folder open as dirfd (AT_FDCWD:
 * the working folder): a build reads every content file twice, and a
 * short path skips the lookups of the folders above. */
bool fs_read_file_at(int dirfd, const char *path, bool follow_links, strbuf *out);
/* Writes the n bytes at data as the file at path, whole or not at all:
 * into a temporary file beside it, then a rename, which replaces a link at
 * path rather than writing through it. The folder above path is made when
 * missing (only that one); a link or a file in its place refuses. For the
 * caches in .lumbar-cache/, where a racing build or a kill must leave a
 * whole file. False, with errno set, when it could not. */
bool fs_write_replace(const char *path, const char *data, size_t n);
/* Writes the running lumbar binary's identity (its size and modification
 * time) into stamp, or "" when it has none: a cache of what the binary
 * computed belongs to it alone, since another build of lumbar may compute
 * otherwise. 40 bytes hold it. */
void fs_binary_stamp(char *stamp, size_t size);
/* strerror, knowing FS_ENOTREG. The string is static. */
const char *fs_strerror(int err);
/* What a folder's listing says an entry is. FS_UNKNOWN: the file system
 * did not say; lstat it. FS_OTHER: a symbolic link, FIFO, socket or
 * device. */
typedef enum { FS_FILE, FS_DIR, FS_OTHER, FS_UNKNOWN } fs_kind;

/* Returns the names in dir, sorted, leaving out those starting with "."
 * (hidden files, editor swap files); *n gets the count. When kinds is not
 * NULL, *kinds gets each name's kind (the caller frees it), so a scan need
 * not stat every file. Returns NULL with *n == 0 for an empty or
 * unreadable folder. Free the names with fs_names_free. */
char **fs_list_dir(const char *dir, size_t *n, fs_kind **kinds);
/* fs_list_dir, keeping the names that start with "." (but not "." and
 * ".."), for a scan that reports what it skips. */
char **fs_list_dir_all(const char *dir, size_t *n, fs_kind **kinds);
/* Frees a list from fs_list_dir. Accepts NULL. */
void fs_names_free(char **names, size_t n);

#endif
