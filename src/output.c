#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "hash.h"
#include "manifest.h"
#include "strbuf.h"
#include "strtab.h"
#include "xalloc.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

struct output {
    char *site_dir;
    char *out_dir;     /* absolute; a link as its last part is not followed */
    char *staging_dir; /* beside out_dir, so the swap is one rename */
    bool had_output;   /* out_dir holds a previous build to link from */
    int live_fd;       /* out_dir, opened when it had output; else -1 */
    bool replaces_foreign; /* out_dir was not ours and --force replaces it */
    bool reuse;        /* staging_dir holds an older build, updated in place */
    bool made_staging; /* this build made staging_dir (and holds its lock) */
    mode_t live_mode;  /* out_dir's permissions once live; staging is 0700 */
    int lock_fd;       /* the staging folder, flock'ed while we own it */
    pthread_mutex_t written_lock;
    manifest_file *written; /* for pruning a reused staging folder, and the manifest */
    size_t nwritten, written_cap;
    char *manifest_file; /* where this output's manifest is kept */
    /* What the live output holds, if its manifest says so: read by the
     * reader thread while the content loads, so previous_ready says when
     * it may be used (under previous_lock). */
    manifest *previous;
    bool previous_ready;
    uint64_t build_id; /* names this build in its manifest, never 0 */
    pthread_mutex_t previous_lock;
    pthread_cond_t previous_cond;
    /* What a reused staging folder held when the build began, listed by the
     * same thread after the manifest (pruning waited on the disk otherwise). */
    pthread_t lister;
    bool listing;
    struct listed *listed; /* in walk order: a folder before what it holds */
    size_t nlisted, listed_cap;
    strtab listed_index;   /* rel -> its number in listed, once listing_done */
    dev_t staging_dev;     /* the device the listing's inode numbers are on */
    bool listing_done;     /* under previous_lock */
};

typedef struct listed {
    char *rel;
    bool is_dir;
    uint64_t ino; /* as the folder's listing gave it */
} listed;

/* Returns the canonical absolute path of p, following links, even when the
 * last parts do not exist yet; the caller frees it. */
static char *canonical(const char *p)
{
    char *real = realpath(p, NULL);
    if (real)
        return real;
    char *copy = xstrdup(p);
    char *slash = strrchr(copy, '/');
    char *base = slash ? slash + 1 : copy;
    char *parent_real = NULL;
    if (slash == copy)
        parent_real = xstrdup("/");
    else if (slash) {
        *slash = '\0';
        parent_real = canonical(copy);
    } else
        parent_real = canonical(".");
    strbuf out = STRBUF_INIT;
    strbuf_puts(&out, parent_real);
    if (out.len == 0 || out.data[out.len - 1] != '/')
        strbuf_putc(&out, '/');
    strbuf_puts(&out, base);
    free(parent_real);
    free(copy);
    return strbuf_detach(&out);
}

static bool output_dir_safe(const char *site_dir, const char *out_dir, diag_list *diags)
{
    char *site = canonical(site_dir);
    char *out = canonical(out_dir);
    bool ok = true;
    static const char *const sources[] = {"content", "layouts", "assets", NULL};
    if (!strcmp(out, "/") || fs_path_within(site, out)) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "refusing to build into '%s': it is the site folder or contains it",
                 out_dir);
        ok = false;
    }
    for (const char *const *s = sources; ok && *s; s++) {
        strbuf src = STRBUF_INIT;
        strbuf_printf(&src, "%s/%s", site, *s);
        if (fs_path_within(out, src.data)) {
            diag_add(diags, DIAG_ERROR, "", 0, 0, "refusing to build into '%s': it is inside the site's %s/ folder",
                     out_dir, *s);
            ok = false;
        }
        strbuf_free(&src);
    }
    free(site);
    free(out);
    return ok;
}

/* True when dir does not exist, is empty, or holds our marker file. */
static bool output_dir_ours(const char *dir, bool *exists)
{
    DIR *d = opendir(dir);
    *exists = d != NULL;
    if (!d)
        return true;
    bool empty = true, marked = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        empty = false;
        marked = marked || !strcmp(e->d_name, OUTPUT_MARKER);
    }
    closedir(d);
    return empty || marked;
}

/* Makes the folder path and its parents. Below keep (the length of the
 * staging folder's path) it replaces a file standing where a folder must
 * be: a reused staging folder may hold an older build's file there. */
static bool make_dir(char *path, size_t keep)
{
    if (mkdir(path, 0755) == 0)
        return true;
    struct stat st;
    if (errno == EEXIST && lstat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return true;
        if (strlen(path) <= keep || (unlink(path) != 0 && errno != ENOENT))
            return false;
        return mkdir(path, 0755) == 0 || errno == EEXIST;
    }
    if (errno != ENOENT)
        return false;
    char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return false;
    *slash = '\0';
    bool made = make_dir(path, keep);
    *slash = '/';
    return made && (mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* Makes the folder that will hold the file at path. */
static bool make_parent(output *out, char *path)
{
    char *slash = strrchr(path, '/');
    *slash = '\0';
    bool made = make_dir(path, strlen(out->staging_dir));
    *slash = '/';
    return made;
}

/* out_dir made absolute without following its last part: an output folder
 * that is a symbolic link is replaced by the new build, not written
 * through. */
static char *absolute_out(const char *out_dir)
{
    size_t len = strlen(out_dir);
    while (len > 1 && out_dir[len - 1] == '/')
        len--;
    char *trimmed = xstrndup(out_dir, len);
    char *slash = strrchr(trimmed, '/');
    const char *base = slash ? slash + 1 : trimmed;
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
        char *real = canonical(trimmed);
        free(trimmed);
        return real;
    }
    char *parent = slash == trimmed ? xstrdup("/") : slash ? xstrndup(trimmed, (size_t)(slash - trimmed)) : xstrdup(".");
    char *parent_real = canonical(parent);
    strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "%s%s%s", parent_real, strcmp(parent_real, "/") ? "/" : "", base);
    free(parent_real);
    free(parent);
    free(trimmed);
    return strbuf_detach(&sb);
}

/* "/a/b/public" -> "/a/b/.public.lumbar-staging" */
static char *staging_path(const char *out_dir)
{
    const char *slash = strrchr(out_dir, '/');
    strbuf sb = STRBUF_INIT;
    strbuf_append(&sb, out_dir, (size_t)(slash - out_dir) + 1);
    strbuf_printf(&sb, ".%s%s", slash + 1, OUTPUT_STAGING_SUFFIX);
    return strbuf_detach(&sb);
}

/* Private to the user who builds: while it is not live the staging folder
 * holds the previous site, which must not stay readable on the web. */
#define STAGING_MODE 0700

/* Says why the staging folder, there already, cannot be used, and what to
 * do about it; false when it can be. */
static bool staging_unusable(const char *dir, const struct stat *st, diag_list *diags)
{
    if (st->st_uid != geteuid())
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot use the staging folder '%s': it belongs to another user; it "
                 "holds only an older build, so have its owner or root delete it (rm -rf '%s') and build again",
                 dir, dir);
    else if (access(dir, W_OK | X_OK) == 0)
        return false;
    else if (errno == EROFS)
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot use the staging folder '%s': it is on a read-only file "
                 "system; build into a folder on a writable one", dir);
    else
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot use the staging folder '%s': it is read-only; it holds only "
                 "an older build, so delete it (chmod -R u+w '%s' && rm -rf '%s') and build again", dir, dir, dir);
    return true;
}

/* Checks a staging folder that was there already: it must be a folder,
 * ours, and writable by us. */
static bool staging_usable(const output *out, diag_list *diags)
{
    struct stat st;
    if (lstat(out->staging_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "refusing to use '%s' as the staging folder: it is not a folder; move it away",
                 out->staging_dir);
        return false;
    }
    bool exists;
    if (!output_dir_ours(out->staging_dir, &exists)) {
        diag_add(diags, DIAG_ERROR, "", 0, 0,
                 "refusing to use '%s' as the staging folder: it is not empty and was not made by lumbar "
                 "(no %s file); move it away",
                 out->staging_dir, OUTPUT_MARKER);
        return false;
    }
    return !staging_unusable(out->staging_dir, &st, diags);
}

/* Makes (or finds) the staging folder, then opens and locks it. mkdir comes
 * first: of two builds racing to make it, one makes it and the other finds
 * it there; whichever locks it second is told another build is writing. */
static bool take_staging(output *out, diag_list *diags)
{
    bool made = mkdir(out->staging_dir, STAGING_MODE) == 0;
    if (!made && errno != EEXIST) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot create '%s': %s", out->staging_dir, strerror(errno));
        return false;
    }
    if (!made && !staging_usable(out, diags))
        return false;
    out->lock_fd = open(out->staging_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (out->lock_fd < 0) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot open '%s': %s", out->staging_dir, strerror(errno));
        return false;
    }
    if (flock(out->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        diag_add(diags, DIAG_ERROR, "", 0, 0,
                 "another lumbar build is writing '%s' (its staging folder '%s' is locked): wait for it to finish",
                 out->out_dir, out->staging_dir);
        return false;
    }
    /* Only the lock holder may remove it: a build that made the folder
       but lost the lock leaves it to the one that won. */
    out->made_staging = made;
    out->reuse = !made;
    /* An older lumbar left the previous site in it readable by all. */
    if (!made && fchmod(out->lock_fd, STAGING_MODE) != 0) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot make the staging folder '%s' private: %s", out->staging_dir,
                 strerror(errno));
        return false;
    }
    return true;
}

/* The permissions the new output gets when it goes live: those of the
 * output it replaces, else what mkdir would give. */
static mode_t live_mode_for(const char *out_dir, bool had_output)
{
    struct stat st;
    if (had_output && lstat(out_dir, &st) == 0 && S_ISDIR(st.st_mode))
        return st.st_mode & 07777;
    /* umask can only be read by setting it; nothing else in lumbar makes
       files while a build begins, so the moment it is 022 is harmless. */
    mode_t mask = umask(022);
    umask(mask);
    return 0777 & ~mask;
}

/* Makes the folder at path (not a link) private; true when it is. */
static bool make_private(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fchmod(fd, STAGING_MODE) == 0;
    close(fd);
    return ok;
}

/* ---- listing a reused staging folder ---------------------------------- */

static void add_listed(output *out, const char *rel, bool is_dir, uint64_t ino)
{
    XGROW(out->listed, out->listed_cap, out->nlisted + 1, 1024);
    out->listed[out->nlisted++] = (listed){xstrdup(rel), is_dir, ino};
}

/* A record of the getdents64 system call (the kernel's struct
 * linux_dirent64, the same on every architecture). */
typedef struct kernel_dirent {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
} kernel_dirent;

ssize_t getdents64(int fd, void *buffer, size_t length); /* glibc 2.30; declared only under _GNU_SOURCE */

#define LISTING_BUFFER 32768

/* Lists the staging folder dir_fd (rel below its root, "" at the root),
 * and closes dir_fd. The build changes the folder meanwhile, but only at
 * paths it writes, which pruning keeps whatever the listing saw of them;
 * everything else is listed exactly once. getdents64 straight on the
 * descriptor: readdir's fdopendir and closedir cost three more system
 * calls per folder, and a rebuild lists one folder per page. */
static void list_tree(output *out, int dir_fd, strbuf *rel)
{
    char *buffer = xmalloc(LISTING_BUFFER);
    size_t rel_len = rel->len;
    ssize_t got;
    while ((got = getdents64(dir_fd, buffer, LISTING_BUFFER)) > 0) {
        for (ssize_t at = 0; at < got;) {
            const kernel_dirent *e = (const kernel_dirent *)(buffer + at);
            at += e->reclen;
            if (!strcmp(e->name, ".") || !strcmp(e->name, "..") || (!rel_len && !strcmp(e->name, OUTPUT_MARKER)))
                continue;
            strbuf_truncate(rel, rel_len);
            if (rel_len)
                strbuf_putc(rel, '/');
            strbuf_puts(rel, e->name);
            struct stat st;
            bool is_dir = e->type == DT_DIR || (e->type == DT_UNKNOWN &&
                                                fstatat(dir_fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                                S_ISDIR(st.st_mode));
            add_listed(out, rel->data, is_dir, e->ino);
            int child = is_dir ? openat(dir_fd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
            if (child >= 0)
                list_tree(out, child, rel);
        }
    }
    strbuf_truncate(rel, rel_len);
    free(buffer);
    close(dir_fd);
}

/* Reads the live output's manifest, if any, and says it is ready. */
static void read_previous(output *out)
{
    struct stat live;
    manifest *m = NULL;
    if (out->live_fd >= 0 && fstat(out->live_fd, &live) == 0)
        m = manifest_load(out->manifest_file, &live);
    pthread_mutex_lock(&out->previous_lock);
    out->previous = m;
    out->previous_ready = true;
    pthread_cond_broadcast(&out->previous_cond);
    pthread_mutex_unlock(&out->previous_lock);
}

/* The manifest, once the reader thread has it (NULL: none to trust). */
static const manifest *wait_previous(output *out)
{
    pthread_mutex_lock(&out->previous_lock);
    while (!out->previous_ready)
        pthread_cond_wait(&out->previous_cond, &out->previous_lock);
    const manifest *m = out->previous;
    pthread_mutex_unlock(&out->previous_lock);
    return m;
}

/* The reader thread: the manifest first (the first page written needs
 * it), then the listing of a reused staging folder. Together they took a
 * fiftieth of a rebuild's time before its content could load. */
static void *reader_main(void *arg)
{
    output *out = arg;
    read_previous(out);
    if (out->reuse) {
        strbuf rel = STRBUF_INIT;
        int root = openat(out->lock_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root >= 0)
            list_tree(out, root, &rel);
        strbuf_free(&rel);
        for (size_t i = 0; i < out->nlisted; i++)
            strtab_add(&out->listed_index, out->listed[i].rel, strlen(out->listed[i].rel), i, NULL);
    }
    pthread_mutex_lock(&out->previous_lock);
    out->listing_done = true;
    pthread_cond_broadcast(&out->previous_cond);
    pthread_mutex_unlock(&out->previous_lock);
    return NULL;
}

static bool put_file(output *out, const char *relpath, const struct iovec *parts, size_t nparts, bool ask_manifest,
                     diag_list *diags);

/* An id no other build of this output is likely to have had: random, or
 * where the random source fails, the process, where the writer lives and
 * the monotonic clock (never the wall clock: builds stay reproducible). */
static uint64_t new_build_id(const output *out)
{
    uint64_t h = 0;
    if (getrandom(&h, sizeof h, 0) != (ssize_t)sizeof h) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        pid_t pid = getpid();
        h = hash_bytes(HASH_SEED, &now, sizeof now);
        h = hash_mix(hash_bytes(hash_bytes(h, &pid, sizeof pid), &out, sizeof out));
    }
    return h ? h : 1;
}

output *output_begin(const char *site_dir, const char *out_dir, bool force, diag_list *diags)
{
    if (!output_dir_safe(site_dir, out_dir, diags))
        return NULL;
    bool exists;
    bool ours = output_dir_ours(out_dir, &exists);
    if (!ours && !force) {
        diag_add(diags, DIAG_ERROR, "", 0, 0,
                 "refusing to replace '%s': it is not empty and was not made by lumbar (no %s file); "
                 "empty it, choose another folder, or pass --force",
                 out_dir, OUTPUT_MARKER);
        return NULL;
    }
    output *out = xcalloc(1, sizeof *out);
    out->site_dir = xstrdup(site_dir);
    out->out_dir = absolute_out(out_dir);
    out->staging_dir = staging_path(out->out_dir);
    out->had_output = exists;
    out->live_mode = live_mode_for(out->out_dir, exists);
    out->replaces_foreign = !ours;
    out->lock_fd = -1;
    out->live_fd = -1;
    pthread_mutex_init(&out->written_lock, NULL);
    pthread_mutex_init(&out->previous_lock, NULL);
    pthread_cond_init(&out->previous_cond, NULL);
    out->previous_ready = out->listing_done = true; /* until a reader thread is due */
    out->build_id = new_build_id(out);
    char *staging = xstrdup(out->staging_dir);
    bool ok = make_parent(out, staging);
    if (!ok)
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot create the folder for '%s': %s", staging, strerror(errno));
    free(staging);
    ok = ok && take_staging(out, diags);
    struct stat staging_st;
    if (ok && fstat(out->lock_fd, &staging_st) == 0)
        out->staging_dev = staging_st.st_dev;
    if (!ok) {
        output_abort(out);
        return NULL;
    }
    /* Without it, every page is written anew: slower, not wrong. */
    if (out->had_output)
        out->live_fd = open(out->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    out->manifest_file = manifest_path(out->site_dir, out->out_dir);
    if (out->live_fd >= 0 || out->reuse) {
        out->previous_ready = out->listing_done = false;
        out->listing = pthread_create(&out->lister, NULL, reader_main, out) == 0;
        if (!out->listing)
            reader_main(out); /* no thread: do it now */
    }
    /* Not worth waiting for the manifest: a byte compare of 20 bytes. */
    static const struct iovec marker = {"lumbar build output\n", 20};
    put_file(out, OUTPUT_MARKER, &marker, 1, false, diags);
    return out;
}

static bool relpath_ok(const char *rel)
{
    size_t n = strlen(rel);
    if (!n || rel[0] == '/' || rel[n - 1] == '/' || strstr(rel, "//"))
        return false;
    for (const char *seg = rel; *seg;) {
        size_t len = strcspn(seg, "/");
        if ((len == 1 && seg[0] == '.') || (len == 2 && !strncmp(seg, "..", 2)))
            return false;
        seg += len;
        if (*seg == '/')
            seg++;
    }
    return true;
}

static size_t parts_size(const struct iovec *parts, size_t nparts)
{
    size_t n = 0;
    for (size_t i = 0; i < nparts; i++)
        n += parts[i].iov_len;
    return n;
}

/* Compares the n bytes at buf with what follows part *i, offset *at, in
 * parts, and moves past them; false when they differ or run out. */
static bool parts_match(const struct iovec *parts, size_t nparts, size_t *i, size_t *at, const char *buf, size_t n)
{
    while (n) {
        if (*i == nparts)
            return false;
        size_t left = parts[*i].iov_len - *at, take = left < n ? left : n;
        if (memcmp((const char *)parts[*i].iov_base + *at, buf, take) != 0)
            return false;
        buf += take;
        n -= take;
        *at += take;
        if (*at == parts[*i].iov_len) {
            ++*i;
            *at = 0;
        }
    }
    return true;
}

/* True when rel, a regular file in the live output, holds exactly the
 * parts' bytes one after another; *st gets its status. Paths are opened
 * relative to the folders' descriptors: a page is three folders deep, the
 * site's output folder may be many more. */
static bool same_bytes(const output *out, const char *rel, struct stat *st, const struct iovec *parts, size_t nparts)
{
    /* O_NONBLOCK: a FIFO standing where a page was must not stall the build. */
    int fd = openat(out->live_fd, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t n = parts_size(parts, nparts);
    bool same = fstat(fd, st) == 0 && S_ISREG(st->st_mode) && (size_t)st->st_size == n;
    char buf[65536];
    size_t read_so_far = 0, part = 0, at = 0;
    while (same && read_so_far < n) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got <= 0 || (size_t)got > n - read_so_far || !parts_match(parts, nparts, &part, &at, buf, (size_t)got))
            same = false;
        else
            read_so_far += (size_t)got;
    }
    close(fd);
    return same;
}

/* Parts per writev: search.json has two per page. */
#if defined(IOV_MAX) && IOV_MAX < 512
#define WRITE_BATCH IOV_MAX
#elif defined(IOV_MAX)
#define WRITE_BATCH 512
#else
#define WRITE_BATCH 16 /* POSIX's least IOV_MAX */
#endif

/* Writes all the parts, resuming after short writes. */
static bool write_parts(int fd, const struct iovec *parts, size_t nparts)
{
    size_t i = 0, at = 0; /* the next byte to write: part i, offset at */
    while (i < nparts) {
        if (at == parts[i].iov_len) {
            i++;
            at = 0;
            continue;
        }
        struct iovec batch[WRITE_BATCH];
        int count = 0;
        for (size_t k = i; k < nparts && count < WRITE_BATCH; k++, count++) {
            size_t skip = k == i ? at : 0;
            batch[count].iov_base = (char *)parts[k].iov_base + skip;
            batch[count].iov_len = parts[k].iov_len - skip;
        }
        ssize_t put = writev(fd, batch, count);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            return false;
        for (size_t done = (size_t)put; done;) {
            size_t left = parts[i].iov_len - at;
            if (done < left) {
                at += done;
                done = 0;
            } else {
                done -= left;
                i++;
                at = 0;
            }
        }
    }
    return true;
}

/* The absolute path of rel in the staging folder, for the rare steps that
 * need one; the caller frees it. */
static char *staging_file(const output *out, const char *rel)
{
    strbuf path = STRBUF_INIT;
    strbuf_puts(&path, out->staging_dir);
    strbuf_putc(&path, '/');
    strbuf_puts(&path, rel);
    return strbuf_detach(&path);
}

/* Clears the way for a new file at rel in a reused staging folder, whose
 * lstat is *st. The old one is unlinked, never written over: it may be a
 * hard link to the live output. */
static bool clear_path(const output *out, const char *rel, const struct stat *st)
{
    if (!S_ISDIR(st->st_mode))
        return unlinkat(out->lock_fd, rel, 0) == 0 || errno == ENOENT;
    char *path = staging_file(out, rel);
    bool removed = output_remove_tree(path);
    free(path);
    return removed;
}

/* Creates the file rel in the staging folder: a hard link to the live
 * output's rel when link_live, else the parts' bytes; *st gets the new
 * file's status. */
static bool create_file(const output *out, const char *rel, bool link_live, const struct iovec *parts, size_t nparts,
                        struct stat *st)
{
    if (link_live) /* the link changed the file's ctime: stat it after */
        return linkat(out->live_fd, rel, out->lock_fd, rel, 0) == 0 &&
               fstatat(out->lock_fd, rel, st, AT_SYMLINK_NOFOLLOW) == 0;
    int fd = openat(out->lock_fd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    bool ok = write_parts(fd, parts, nparts) && fstat(fd, st) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok)
        errno = saved;
    return ok;
}

/* create_file, making the folders above rel when they are missing. */
static bool create_in_staging(output *out, const char *rel, bool link_live, const struct iovec *parts,
                              size_t nparts, struct stat *st)
{
    if (create_file(out, rel, link_live, parts, nparts, st))
        return true;
    if (errno != ENOENT && errno != ENOTDIR)
        return false;
    char *path = staging_file(out, rel);
    bool made = make_parent(out, path);
    free(path);
    return made && create_file(out, rel, link_live, parts, nparts, st);
}

/* True when the staging folder's listing, if done, shows rel as the file
 * whose status is *st: the build has not written rel yet (it writes a
 * path once), so the listing still holds. Never waits for the listing. */
static bool listed_as(output *out, const char *rel, const struct stat *st)
{
    pthread_mutex_lock(&out->previous_lock);
    bool done = out->listing_done;
    pthread_mutex_unlock(&out->previous_lock);
    if (!done)
        return false;
    const strtab_entry *e = strtab_get(&out->listed_index, rel, strlen(rel));
    return e && !out->listed[e->val].is_dir && out->listed[e->val].ino == (uint64_t)st->st_ino &&
           st->st_dev == out->staging_dev;
}

/* Makes the staging folder's rel the same file as the live output's (whose
 * status is *live), leaving it alone when it already is; *placed gets the
 * file's status once placed. */
static bool place_link(output *out, const char *rel, const struct stat *live, struct stat *placed)
{
    /* A page unchanged for three builds is the same file in both folders:
       the listing says so without a stat. */
    if (out->reuse && listed_as(out, rel, live)) {
        *placed = *live;
        return true;
    }
    if (out->reuse && fstatat(out->lock_fd, rel, placed, AT_SYMLINK_NOFOLLOW) == 0) {
        if (placed->st_ino == live->st_ino && placed->st_dev == live->st_dev)
            return true;
        if (!clear_path(out, rel, placed))
            return false;
    }
    return create_in_staging(out, rel, true, NULL, 0, placed);
}

static bool place_bytes(output *out, const char *rel, const struct iovec *parts, size_t nparts, struct stat *placed)
{
    if (out->reuse && fstatat(out->lock_fd, rel, placed, AT_SYMLINK_NOFOLLOW) == 0 && !clear_path(out, rel, placed))
        return false;
    return create_in_staging(out, rel, false, parts, nparts, placed);
}

/* Notes that rel is in place, with entry for the manifest (known: its hash
 * is known), whose inode and ctime come from *st. */
static void record_written(output *out, const char *relpath, manifest_entry entry, bool known, const struct stat *st)
{
    manifest_entry_set_stat(&entry, st);
    manifest_file w = {xstrdup(relpath), entry, known};
    pthread_mutex_lock(&out->written_lock);
    XGROW(out->written, out->written_cap, out->nwritten + 1, 256);
    out->written[out->nwritten++] = w;
    pthread_mutex_unlock(&out->written_lock);
}

/* The hash of the parts joined, however they are split. */
static uint64_t hash_parts(const struct iovec *parts, size_t nparts)
{
    hash_wide_state s;
    hash_wide_init(&s, HASH_SEED);
    for (size_t i = 0; i < nparts; i++)
        hash_wide_add(&s, parts[i].iov_base, parts[i].iov_len);
    return hash_wide_end(&s);
}

/* What the previous build's manifest says of the live rel for bytes of
 * this hash and size: 1 they are the live file's (*live gets its status),
 * 0 they differ, -1 it cannot say (no manifest, or the live file is not
 * the one it recorded). */
/* The entry of m for rel when the live rel (whose status *st gets) is
 * still the file it records; NULL otherwise. */
static const manifest_entry *still_recorded(const output *out, const manifest *m, const char *rel, struct stat *st)
{
    const manifest_entry *e = manifest_get(m, rel);
    return e && fstatat(out->live_fd, rel, st, AT_SYMLINK_NOFOLLOW) == 0 && manifest_entry_matches(e, st) ? e : NULL;
}

static int previous_says(output *out, const char *rel, uint64_t hash, uint64_t size, struct stat *live)
{
    const manifest_entry *e = still_recorded(out, wait_previous(out), rel, live);
    return !e ? -1 : e->hash == hash && e->size == size;
}

/* output_write_parts; ask_manifest false compares bytes with the live file
 * without waiting for the previous build's manifest. */
static bool put_file(output *out, const char *relpath, const struct iovec *parts, size_t nparts, bool ask_manifest,
                     diag_list *diags)
{
    if (!relpath_ok(relpath)) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "refusing to write outside the output folder: '%s'", relpath);
        return false;
    }
    manifest_entry entry = {.hash = hash_parts(parts, nparts), .size = parts_size(parts, nparts)};
    struct stat live_st, st;
    int said = out->live_fd < 0 ? 0 : ask_manifest ? previous_says(out, relpath, entry.hash, entry.size, &live_st) : -1;
    bool same = said == 1 || (said == -1 && same_bytes(out, relpath, &live_st, parts, nparts));
    bool placed = same && place_link(out, relpath, &live_st, &st);
    if (!placed && !place_bytes(out, relpath, parts, nparts, &st)) {
        char *path = staging_file(out, relpath);
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot write '%s': %s", path, strerror(errno));
        free(path);
        return false;
    }
    record_written(out, relpath, entry, true, &st);
    return true;
}

bool output_write_parts(output *out, const char *relpath, const struct iovec *parts, size_t nparts, diag_list *diags)
{
    return put_file(out, relpath, parts, nparts, true, diags);
}

bool output_write(output *out, const char *relpath, const char *data, size_t n, diag_list *diags)
{
    struct iovec whole = {(void *)data, n};
    return output_write_parts(out, relpath, &whole, 1, diags);
}

/* output_link_previous; with recorded_only, only a file the manifest
 * records as it is now. */
static bool link_previous(output *out, const char *relpath, bool recorded_only)
{
    if (out->live_fd < 0 || !relpath_ok(relpath))
        return false;
    struct stat st, placed;
    bool ok = fstatat(out->live_fd, relpath, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
    /* Its bytes are not at hand: their hash is known only from a manifest
       entry that is still this file. */
    const manifest_entry *e = ok ? manifest_get(wait_previous(out), relpath) : NULL;
    bool known = e && manifest_entry_matches(e, &st);
    manifest_entry entry = known ? *e : (manifest_entry){0};
    ok = ok && (known || !recorded_only) && place_link(out, relpath, &st, &placed);
    if (ok)
        record_written(out, relpath, entry, known, &placed);
    return ok;
}

bool output_link_previous(output *out, const char *relpath) { return link_previous(out, relpath, false); }

bool output_link_recorded(output *out, const char *relpath) { return link_previous(out, relpath, true); }

bool output_link_recorded_set(output *out, const char *file, const char *prefix)
{
    const manifest *m = out->live_fd >= 0 ? wait_previous(out) : NULL;
    size_t n = strlen(prefix), found = 0;
    struct stat st;
    bool ok = m && still_recorded(out, m, file, &st);
    for (size_t i = 0; ok && i < manifest_len(m); i++)
        if (!strncmp(manifest_name(m, i), prefix, n)) {
            ok = still_recorded(out, m, manifest_name(m, i), &st) != NULL;
            found++;
        }
    ok = ok && found > 0 && output_link_recorded(out, file);
    /* All were checked first, so a link fails only if the live output
       changes under the build; the caller then writes the set anew, and
       the next build's manifest, naming a file twice, goes unused. */
    for (size_t i = 0; ok && i < manifest_len(m); i++)
        if (!strncmp(manifest_name(m, i), prefix, n))
            ok = output_link_recorded(out, manifest_name(m, i));
    return ok;
}

uint64_t output_build_id(const output *out) { return out->build_id; }

uint64_t output_previous_build(output *out) { return manifest_build(wait_previous(out)); }

static bool copy_dir(output *out, const char *site_rel, const char *dest_rel, size_t *count, diag_list *diags)
{
    strbuf dir = STRBUF_INIT;
    strbuf_printf(&dir, "%s/%s", out->site_dir, site_rel);
    /* Sorted names keep diagnostics and work in a stable order; no assets
     * folder is fine. */
    size_t len;
    char **names = fs_list_dir(dir.data, &len, NULL);
    bool ok = true;
    for (size_t i = 0; i < len; i++) {
        strbuf src = STRBUF_INIT, rel = STRBUF_INIT, dst = STRBUF_INIT;
        strbuf_printf(&src, "%s/%s", dir.data, names[i]);
        strbuf_printf(&rel, "%s/%s", site_rel, names[i]);
        if (*dest_rel)
            strbuf_printf(&dst, "%s/%s", dest_rel, names[i]);
        else
            strbuf_puts(&dst, names[i]);
        struct stat st;
        if (lstat(src.data, &st) != 0) {
            diag_add(diags, DIAG_ERROR, rel.data, 0, 0, "cannot read: %s", strerror(errno));
            ok = false;
        } else if (S_ISLNK(st.st_mode)) {
            diag_add(diags, DIAG_ERROR, rel.data, 0, 0, "symbolic links are not copied: replace it with the file itself");
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            ok = copy_dir(out, rel.data, dst.data, count, diags) && ok;
        } else if (S_ISREG(st.st_mode)) {
            strbuf data = STRBUF_INIT;
            if (!fs_read_file(src.data, false, &data)) {
                diag_add(diags, DIAG_ERROR, rel.data, 0, 0, "cannot read: %s", fs_strerror(errno));
                ok = false;
            } else if (output_write(out, dst.data, strbuf_cstr(&data), data.len, diags)) {
                (*count)++;
            } else {
                ok = false;
            }
            strbuf_free(&data);
        } else {
            diag_add(diags, DIAG_ERROR, rel.data, 0, 0, "%s", fs_strerror(FS_ENOTREG));
            ok = false;
        }
        strbuf_free(&src);
        strbuf_free(&rel);
        strbuf_free(&dst);
        free(names[i]);
    }
    free(names);
    strbuf_free(&dir);
    return ok;
}

bool output_copy_tree(output *out, const char *src_dir, size_t *count, diag_list *diags)
{
    return copy_dir(out, src_dir, "", count, diags);
}

/* ---- pruning a reused staging folder -------------------------------------- */

/* Every path this build wrote, and every folder above one: what pruning
 * keeps. The keys are the written paths and their prefixes, borrowed. */
static void index_written(const output *out, strtab *kept)
{
    for (size_t i = 0; i < out->nwritten; i++) {
        const char *rel = out->written[i].rel;
        for (const char *slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/'))
            strtab_add(kept, rel, (size_t)(slash - rel), 0, NULL);
        strtab_add(kept, rel, strlen(rel), 0, NULL);
    }
}

void output_wait_listing(output *out)
{
    if (out->listing)
        pthread_join(out->lister, NULL);
    out->listing = false;
}

/* Removes from the staging folder whatever it held when the build began
 * and the build did not write: the rest of an older build. */
static bool prune(output *out, diag_list *diags)
{
    output_wait_listing(out);
    strtab kept = STRTAB_INIT;
    index_written(out, &kept);
    bool ok = true;
    const char *removed = NULL; /* the last folder removed whole */
    size_t removed_len = 0;
    for (size_t i = 0; i < out->nlisted; i++) {
        const listed *l = &out->listed[i];
        if (removed && !strncmp(l->rel, removed, removed_len) && l->rel[removed_len] == '/')
            continue; /* went with its folder */
        if (strtab_get(&kept, l->rel, strlen(l->rel)))
            continue;
        strbuf path = STRBUF_INIT;
        strbuf_printf(&path, "%s/%s", out->staging_dir, l->rel);
        if (!output_remove_tree(path.data)) {
            diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot remove '%s', left by an older build: %s", path.data,
                     strerror(errno));
            ok = false;
        }
        if (l->is_dir) {
            removed = l->rel;
            removed_len = strlen(removed);
        }
        strbuf_free(&path);
    }
    strtab_free(&kept);
    return ok;
}

/* Moves the old output aside, the new build in, and the old output to the
 * staging folder, for file systems without RENAME_EXCHANGE. A folder left
 * aside by an earlier, interrupted fallback is removed first when it is
 * ours. */
static bool swap_by_renames(output *out, diag_list *diags)
{
    strbuf aside = STRBUF_INIT;
    strbuf_printf(&aside, "%s.old", out->staging_dir);
    bool exists;
    bool ok = output_dir_ours(aside.data, &exists) && (!exists || output_remove_tree(aside.data));
    if (!ok)
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot swap the new build in: '%s' is in the way; move it away",
                 aside.data);
    if (ok && rename(out->out_dir, aside.data) != 0) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot move the old output '%s' aside to '%s': %s", out->out_dir,
                 aside.data, strerror(errno));
        ok = false;
    }
    /* No output folder from here to the next rename: a build killed in
       between leaves the old output aside, and output_recover puts it back. */
    if (ok)
        (void)make_private(aside.data); /* no longer live */
    if (ok && rename(out->staging_dir, out->out_dir) != 0) {
        int saved = errno;
        if (rename(aside.data, out->out_dir) == 0 && chmod(out->out_dir, out->live_mode) == 0)
            diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot move the new build to '%s': %s", out->out_dir,
                     strerror(saved));
        else
            diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot move the new build to '%s' (%s), nor the old output back: "
                     "it is in '%s'", out->out_dir, strerror(saved), aside.data);
        ok = false;
    }
    /* As after an exchange, the old output is the next build's staging;
       left aside, it is cleared by the next fallback instead. */
    if (ok)
        (void)rename(aside.data, out->staging_dir);
    strbuf_free(&aside);
    return ok;
}

/* Swaps the staging folder and the output in one step. File systems without
 * RENAME_EXCHANGE (some network and FUSE ones answer EINVAL or ENOSYS) get
 * three renames instead, leaving a moment in which the output is missing. */
static bool swap_in(output *out, diag_list *diags)
{
    if (renameat2(AT_FDCWD, out->staging_dir, AT_FDCWD, out->out_dir, RENAME_EXCHANGE) == 0)
        return true;
    if (errno == EINVAL || errno == ENOSYS)
        return swap_by_renames(out, diags);
    diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot swap the new build into '%s': %s", out->out_dir, strerror(errno));
    return false;
}

static void release(output *out);

/* Records what the folder now live holds, for the next build. */
static void save_manifest(const output *out)
{
    struct stat folder;
    if (fstat(out->lock_fd, &folder) != 0)
        return;
    (void)manifest_save(out->manifest_file, &folder, out->build_id, out->written, out->nwritten);
}

bool output_commit(output *out, diag_list *diags)
{
    bool ok = true;
    if (out->reuse)
        ok = prune(out, diags);
    if (ok && fchmod(out->lock_fd, out->live_mode) != 0) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot give the new build in '%s' the output's permissions: %s",
                 out->staging_dir, strerror(errno));
        ok = false;
    }
    if (ok && out->had_output) {
        ok = swap_in(out, diags);
    } else if (ok && rename(out->staging_dir, out->out_dir) != 0) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot move the new build to '%s': %s", out->out_dir, strerror(errno));
        ok = false;
    }
    if (!ok) /* still the staging folder: private again */
        (void)fchmod(out->lock_fd, STAGING_MODE);
    if (ok)
        save_manifest(out);
    /* After a swap the staging folder holds the previous output: the next
     * build starts from it, and nobody else may read it meanwhile. When the
     * output was a symbolic link, the link is what got swapped out; it goes,
     * and what it pointed at stays. */
    struct stat st;
    if (ok && out->had_output && lstat(out->staging_dir, &st) == 0 && S_ISLNK(st.st_mode))
        unlink(out->staging_dir);
    else if (ok && out->had_output && !make_private(out->staging_dir))
        diag_add(diags, DIAG_WARNING, "", 0, 0, "the build is in place, but the previous output in '%s' could not be "
                 "made private (%s): delete it if your web server can reach it", out->staging_dir, strerror(errno));
    /* A folder replaced with --force is not a build to start the next one
       from (it has no marker, so it would be refused): it goes. */
    if (ok && out->replaces_foreign && !output_remove_tree(out->staging_dir))
        diag_add(diags, DIAG_WARNING, "", 0, 0, "the build is in place, but the files it replaced could not all be "
                 "removed from '%s': %s", out->staging_dir, strerror(errno));
    release(out);
    return ok;
}

/* True when dir holds lumbar's marker file. */
static bool has_marker(const char *dir)
{
    strbuf marker = STRBUF_INIT;
    strbuf_printf(&marker, "%s/%s", dir, OUTPUT_MARKER);
    struct stat st;
    bool found = lstat(marker.data, &st) == 0 && S_ISREG(st.st_mode);
    strbuf_free(&marker);
    return found;
}

bool output_recover(const char *out_dir, diag_list *diags)
{
    char *abs_out = absolute_out(out_dir);
    char *staging = staging_path(abs_out);
    strbuf aside = STRBUF_INIT;
    strbuf_printf(&aside, "%s.old", staging);
    struct stat st;
    bool ok = true;
    if (lstat(abs_out, &st) != 0 && errno == ENOENT && lstat(aside.data, &st) == 0 && S_ISDIR(st.st_mode) &&
        has_marker(aside.data)) {
        /* A build between its two renames holds the staging lock: its
           next rename brings the output back, not this. */
        int lock_fd = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) == 0) {
            if (rename(aside.data, abs_out) != 0 || chmod(abs_out, live_mode_for(abs_out, false)) != 0) {
                diag_add(diags, DIAG_ERROR, "", 0, 0, "the output folder '%s' is missing after an interrupted build, "
                         "and cannot be put back from '%s': %s", abs_out, aside.data, strerror(errno));
                ok = false;
            }
        }
        if (lock_fd >= 0)
            close(lock_fd);
    }
    strbuf_free(&aside);
    free(staging);
    free(abs_out);
    return ok;
}

void output_abort(output *out)
{
    if (!out)
        return;
    /* A staging folder this build made would be an empty folder left
       beside the output by a build that changed nothing. */
    if (out->made_staging)
        (void)output_remove_tree(out->staging_dir);
    release(out);
}

static void release(output *out)
{
    output_wait_listing(out);
    for (size_t i = 0; i < out->nlisted; i++)
        free(out->listed[i].rel);
    free(out->listed);
    strtab_free(&out->listed_index);
    if (out->lock_fd >= 0)
        close(out->lock_fd);
    if (out->live_fd >= 0)
        close(out->live_fd);
    for (size_t i = 0; i < out->nwritten; i++)
        free(out->written[i].rel);
    free(out->written);
    free(out->manifest_file);
    manifest_free(out->previous);
    pthread_mutex_destroy(&out->written_lock);
    pthread_mutex_destroy(&out->previous_lock);
    pthread_cond_destroy(&out->previous_cond);
    free(out->site_dir);
    free(out->out_dir);
    free(out->staging_dir);
    free(out);
}

bool output_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR; /* ENOTDIR: a file now stands where a folder was */
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0;
    DIR *d = opendir(path);
    if (!d)
        return false;
    int first_error = 0; /* the cause worth reporting, not rmdir's ENOTEMPTY */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, OUTPUT_MARKER))
            continue;
        strbuf child = STRBUF_INIT;
        strbuf_printf(&child, "%s/%s", path, e->d_name);
        if (!output_remove_tree(child.data) && !first_error)
            first_error = errno;
        strbuf_free(&child);
    }
    closedir(d);
    /* The marker goes last: a folder half removed is still known as ours. */
    strbuf marker = STRBUF_INIT;
    strbuf_printf(&marker, "%s/%s", path, OUTPUT_MARKER);
    if (!output_remove_tree(marker.data) && !first_error)
        first_error = errno;
    strbuf_free(&marker);
    if (first_error) {
        errno = first_error;
        return false;
    }
    return rmdir(path) == 0;
}

/* ---- claims ----------------------------------------------------------------- */

/* NAME_MAX on every file system lumbar writes to. */
#define NAME_BYTES_MAX 255
/* How much of an over-long name a message quotes, with its "...". */
#define NAME_QUOTED 43

typedef struct claim {
    char *path, *what, *file;
    int line, col;
    size_t order; /* claims made earlier win a clash */
    bool reported;
} claim;

struct output_claims {
    claim *items;
    size_t n, cap;
};

output_claims *output_claims_new(void) { return xcalloc(1, sizeof(output_claims)); }

void output_claims_free(output_claims *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].path);
        free(c->items[i].what);
        free(c->items[i].file);
    }
    free(c->items);
    free(c);
}

void output_claim(output_claims *c, const char *relpath, const char *what, const char *file, int line, int col)
{
    XGROW(c->items, c->cap, c->n + 1, 256);
    c->items[c->n] = (claim){xstrdup(relpath), xstrdup(what), xstrdup(file), line, col, c->n, false};
    c->n++;
}

/* What rel (below site_dir) is, for a listing that did not say. */
static fs_kind kind_at(const char *site_dir, const char *rel)
{
    char *full = fs_join(site_dir, rel);
    struct stat st;
    fs_kind kind = FS_OTHER;
    if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
        kind = FS_DIR;
    else if (lstat(full, &st) == 0 && S_ISREG(st.st_mode))
        kind = FS_FILE;
    free(full);
    return kind;
}

static void claim_dir(output_claims *c, const char *site_dir, const char *site_rel, const char *dest_rel)
{
    char *dir = fs_join(site_dir, site_rel);
    size_t n;
    fs_kind *kinds;
    char **names = fs_list_dir(dir, &n, &kinds);
    for (size_t i = 0; i < n; i++) {
        char *rel = fs_join(site_rel, names[i]);
        char *dest = *dest_rel ? fs_join(dest_rel, names[i]) : xstrdup(names[i]);
        fs_kind kind = kinds[i] == FS_UNKNOWN ? kind_at(site_dir, rel) : kinds[i];
        if (kind == FS_DIR)
            claim_dir(c, site_dir, rel, dest);
        else if (kind == FS_FILE) { /* links and the like: output_copy_tree refuses them */
            strbuf what = STRBUF_INIT;
            strbuf_printf(&what, "the asset %s", rel);
            output_claim(c, dest, what.data, rel, 0, 0);
            strbuf_free(&what);
        }
        free(dest);
        free(rel);
    }
    free(kinds);
    fs_names_free(names, n);
    free(dir);
}

void output_claim_tree(output_claims *c, const char *site_dir, const char *src_dir)
{
    claim_dir(c, site_dir, src_dir, "");
}

static int cmp_claim(const void *a, const void *b)
{
    const claim *x = a, *y = b;
    int by_path = strcmp(x->path, y->path);
    return by_path ? by_path : (x->order > y->order) - (x->order < y->order);
}

static int cmp_claim_path(const void *key, const void *elem) { return strcmp(key, ((const claim *)elem)->path); }

/* The first claim of path, in claims sorted by path then order; or NULL. */
static claim *first_claim(output_claims *c, const char *path)
{
    claim *any = xbsearch(path, c->items, c->n, sizeof *c->items, cmp_claim_path);
    while (any && any > c->items && !strcmp(any[-1].path, path))
        any--;
    return any;
}

/* Reports an over-long name in a claim's path, quoting its start (whole
 * characters only). */
static void report_long_name(claim *cl, diag_list *diags)
{
    for (const char *seg = cl->path; *seg;) {
        size_t len = strcspn(seg, "/");
        if (len > NAME_BYTES_MAX) {
            strbuf quoted = STRBUF_INIT;
            diag_quote(&quoted, seg, len, NAME_QUOTED);
            diag_add(diags, DIAG_ERROR, cl->file, cl->line, cl->col,
                     "name of %zu bytes ('%s'): file systems allow %d; shorten it", len, quoted.data, NAME_BYTES_MAX);
            strbuf_free(&quoted);
            cl->reported = true;
            return;
        }
        seg += len + (seg[len] == '/');
    }
}

/* Reports the clash between claim a and claim b (either order) at the later
 * one's source, once per claim: as_folder is the path one of them needs as
 * a folder (NULL when both write the same file). */
static void report_clash(claim *a, claim *b, const char *as_folder, diag_list *diags)
{
    claim *later = a->order > b->order ? a : b, *earlier = later == a ? b : a;
    if (later->reported)
        return;
    later->reported = true;
    if (!as_folder)
        diag_add(diags, DIAG_ERROR, later->file, later->line, later->col, "%s would write /%s, which is already %s",
                 later->what, later->path, earlier->what);
    else if (strcmp(later->path, as_folder) != 0) /* the later one needs the folder */
        diag_add(diags, DIAG_ERROR, later->file, later->line, later->col,
                 "%s would make /%s a folder, but it is a file: %s", later->what, as_folder, earlier->what);
    else
        diag_add(diags, DIAG_ERROR, later->file, later->line, later->col,
                 "%s would make /%s a file, but it is a folder: %s needs it", later->what, as_folder, earlier->what);
}

/* Reports a claim whose path runs through a file another claim writes. */
static void check_folders(output_claims *c, claim *cl, strbuf *scratch, diag_list *diags)
{
    for (const char *slash = strchr(cl->path, '/'); slash; slash = strchr(slash + 1, '/')) {
        strbuf_reset(scratch);
        strbuf_append(scratch, cl->path, (size_t)(slash - cl->path));
        claim *file = first_claim(c, scratch->data);
        if (file) {
            report_clash(file, cl, file->path, diags);
            return;
        }
    }
}

bool output_claims_check(output_claims *c, diag_list *diags)
{
    size_t errors_before = diag_count(diags, DIAG_ERROR);
    xqsort(c->items, c->n, sizeof *c->items, cmp_claim);
    for (size_t i = 0; i < c->n; i++)
        if (*c->items[i].file)
            report_long_name(&c->items[i], diags);
    size_t group = 0; /* the first claim of the current path */
    for (size_t i = 1; i < c->n; i++) {
        if (strcmp(c->items[i].path, c->items[group].path) != 0)
            group = i;
        else
            report_clash(&c->items[group], &c->items[i], NULL, diags);
    }
    strbuf scratch = STRBUF_INIT;
    for (size_t i = 0; i < c->n; i++)
        check_folders(c, &c->items[i], &scratch, diags);
    strbuf_free(&scratch);
    return diag_count(diags, DIAG_ERROR) == errors_before;
}
