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
/* Appends the whole file at path to out; false when it cannot be read.
 * With follow_links false a symbolic link is refused (O_NOFOLLOW). */
bool fs_read_file(const char *path, bool follow_links, strbuf *out);
/* Returns the names in dir, sorted, leaving out those starting with "."
 * (hidden files, editor swap files); *n gets the count. Returns NULL with
 * *n == 0 for an empty or unreadable folder. Free with fs_names_free. */
char **fs_list_dir(const char *dir, size_t *n);
/* Frees a list from fs_list_dir. Accepts NULL. */
void fs_names_free(char **names, size_t n);

#endif
