/* watch: notices changes in a site folder that may change what the build
 * makes, with inotify.
 *
 * Watches the site folder itself (for config.ini) and every folder under
 * content/, layouts/ and assets/, following folders as they are created,
 * moved in, moved out or deleted. Hidden files and editors' swap, backup
 * and lock files are ignored; symbolic links are not followed, as the build
 * does not follow them either. The caller polls watch_fd and calls
 * watch_read when it is readable; watch_new returns a watcher the caller
 * frees with watch_free. */
#ifndef LUMBAR_WATCH_H
#define LUMBAR_WATCH_H

#include <stdbool.h>

typedef struct watcher watcher;

/* Returns a watcher of site_dir, or NULL (errno set) when inotify is not
 * available. */
watcher *watch_new(const char *site_dir);
/* Returns the descriptor to poll for POLLIN; it stays owned by w. */
int watch_fd(const watcher *w);
/* Reads every pending event without blocking; true when one of them may
 * change the build. */
bool watch_read(watcher *w);
/* Returns the first failure to add a watch since the last call ("cannot
 * watch 'PATH' for changes: ..."), which the caller frees, or NULL. */
char *watch_take_error(watcher *w);
/* Frees the watcher and closes its descriptor. Accepts NULL. */
void watch_free(watcher *w);

#endif
