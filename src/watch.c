/* watch: the site folder's inotify watches (watch.h has the contract).
 *
 * One watch per folder, kept in a list of (watch descriptor, path) so that
 * an event's name can be turned back into a path. A folder created or moved
 * in gets watches for itself and everything below it when its event is
 * read; a folder moved out loses them. A queue overflow re-adds every watch
 * and counts as a change, since events were lost. */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

typedef struct watch_dir {
    int wd;
    char *path;
} watch_dir;

struct watcher {
    int fd;
    char *site_dir;
    watch_dir *dirs; /* dirs[i].path under site_dir; the site folder itself too */
    size_t len, cap;
    char *error;     /* the first failure to add a watch, until taken */
};

static const char *const watched_roots[] = {"content", "layouts", "assets", NULL};

#define WATCH_MASK                                                                                             \
    (IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_ONLYDIR |     \
     IN_DONT_FOLLOW)

static void watch_one(watcher *w, const char *path)
{
    int wd = inotify_add_watch(w->fd, path, WATCH_MASK);
    if (wd < 0) {
        if (!w->error && errno != ENOENT && errno != ENOTDIR) {
            strbuf msg = STRBUF_INIT;
            strbuf_printf(&msg, "cannot watch '%s' for changes: %s%s", path, strerror(errno),
                          errno == ENOSPC ? " (raise fs.inotify.max_user_watches)" : "");
            w->error = strbuf_detach(&msg);
        }
        return;
    }
    for (size_t i = 0; i < w->len; i++)
        if (w->dirs[i].wd == wd) {
            free(w->dirs[i].path);
            w->dirs[i].path = xstrdup(path);
            return;
        }
    XGROW(w->dirs, w->cap, w->len + 1, 16);
    w->dirs[w->len++] = (watch_dir){wd, xstrdup(path)};
}

/* Watches path and every folder below it; symbolic links are not followed,
 * as the build does not follow them either. */
static void watch_tree(watcher *w, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    watch_one(w, path);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
            continue;
        strbuf child = STRBUF_INIT;
        strbuf_printf(&child, "%s/%s", path, e->d_name);
        watch_tree(w, child.data);
        strbuf_free(&child);
    }
    closedir(d);
}

static void watch_site(watcher *w)
{
    watch_one(w, w->site_dir);
    for (const char *const *r = watched_roots; *r; r++) {
        strbuf path = STRBUF_INIT;
        strbuf_printf(&path, "%s/%s", w->site_dir, *r);
        watch_tree(w, path.data);
        strbuf_free(&path);
    }
}

static void forget_wd(watcher *w, int wd)
{
    for (size_t i = 0; i < w->len; i++)
        if (w->dirs[i].wd == wd) {
            free(w->dirs[i].path);
            w->dirs[i] = w->dirs[--w->len];
            return;
        }
}

/* A folder moved out of the site must stop triggering builds. */
static void unwatch_tree(watcher *w, const char *path)
{
    size_t n = strlen(path), kept = 0;
    for (size_t i = 0; i < w->len; i++) {
        const char *p = w->dirs[i].path;
        if (!strncmp(p, path, n) && (p[n] == '\0' || p[n] == '/')) {
            inotify_rm_watch(w->fd, w->dirs[i].wd);
            free(w->dirs[i].path);
        } else {
            w->dirs[kept++] = w->dirs[i];
        }
    }
    w->len = kept;
}

watcher *watch_new(const char *site_dir)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return NULL;
    watcher *w = xcalloc(1, sizeof *w);
    w->fd = fd;
    w->site_dir = xstrdup(site_dir);
    watch_site(w);
    return w;
}

void watch_free(watcher *w)
{
    if (!w)
        return;
    close(w->fd);
    for (size_t i = 0; i < w->len; i++)
        free(w->dirs[i].path);
    free(w->dirs);
    free(w->site_dir);
    free(w->error);
    free(w);
}

/* Swap, backup and lock files of vim, emacs and others, and every hidden
 * file: the build reads none of them. */
static bool editor_noise(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.' || name[0] == '#' || !strcmp(name, "4913"))
        return true;
    if (n > 0 && name[n - 1] == '~')
        return true;
    static const char *const suffixes[] = {".swp", ".swx", ".swo", ".tmp", ".bak", NULL};
    for (const char *const *s = suffixes; *s; s++) {
        size_t k = strlen(*s);
        if (n > k && !strcmp(name + n - k, *s))
            return true;
    }
    return false;
}

static const watch_dir *find_wd(const watcher *w, int wd)
{
    for (size_t i = 0; i < w->len; i++)
        if (w->dirs[i].wd == wd)
            return &w->dirs[i];
    return NULL;
}

static bool top_level_name(const char *name)
{
    if (!strcmp(name, "config.ini"))
        return true;
    for (const char *const *r = watched_roots; *r; r++)
        if (!strcmp(name, *r))
            return true;
    return false;
}

/* Keeps the watches in step with folders created, moved or deleted. */
static void follow_folders(watcher *w, const struct inotify_event *ev, const char *path)
{
    if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
        watch_tree(w, path);
    else if ((ev->mask & IN_ISDIR) && (ev->mask & IN_MOVED_FROM))
        unwatch_tree(w, path);
}

/* True when ev may change what the build makes. */
static bool event_matters(watcher *w, const struct inotify_event *ev)
{
    if (ev->mask & IN_Q_OVERFLOW) {
        watch_site(w);
        return true;
    }
    if (ev->mask & IN_IGNORED) {
        forget_wd(w, ev->wd);
        return false;
    }
    const watch_dir *dir = find_wd(w, ev->wd);
    if (!dir)
        return false;
    bool top = !strcmp(dir->path, w->site_dir);
    if (ev->len == 0) /* a watched folder itself went away */
        return !top;
    if ((top && !top_level_name(ev->name)) || editor_noise(ev->name))
        return false;
    strbuf path = STRBUF_INIT;
    strbuf_printf(&path, "%s/%s", dir->path, ev->name);
    follow_folders(w, ev, path.data);
    strbuf_free(&path);
    return true;
}

bool watch_read(watcher *w)
{
    _Alignas(struct inotify_event) char buf[16384];
    bool changed = false;
    for (;;) {
        ssize_t got = read(w->fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return changed;
        for (char *p = buf; p < buf + got;) {
            const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
            changed = event_matters(w, ev) || changed;
            p += sizeof *ev + ev->len;
        }
    }
}

int watch_fd(const watcher *w)
{
    return w->fd;
}

char *watch_take_error(watcher *w)
{
    char *error = w->error;
    w->error = NULL;
    return error;
}
