#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

char *fs_join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *joined = xmalloc(na + nb + 2);
    memcpy(joined, a, na);
    joined[na] = '/';
    memcpy(joined + na + 1, b, nb + 1);
    return joined;
}

/* Returns path with "." and empty segments dropped and ".." applied: "/"
 * for the root, "" for a relative path that names the starting folder.
 * The caller frees it. */
static char *normal_path(const char *path)
{
    size_t n = strlen(path);
    char *out = xmalloc(n + 2);
    size_t len = 0, keep = 0; /* keep: leading ".." a relative path keeps */
    bool absolute = path[0] == '/';
    if (absolute)
        out[len++] = '/';
    for (const char *seg = path; *seg;) {
        size_t seg_len = strcspn(seg, "/");
        if (seg_len == 2 && seg[0] == '.' && seg[1] == '.' && len > keep + (absolute ? 1u : 0u)) {
            while (len > keep && out[len - 1] != '/')
                len--;
            if (len > (absolute ? 1u : 0u))
                len--; /* the slash before the dropped segment */
        } else if (seg_len == 2 && seg[0] == '.' && seg[1] == '.' && absolute) {
            /* ".." at the root stays at the root */
        } else if (seg_len && !(seg_len == 1 && seg[0] == '.')) {
            if (len > (absolute ? 1u : 0u))
                out[len++] = '/';
            memcpy(out + len, seg, seg_len);
            len += seg_len;
            if (seg_len == 2 && seg[0] == '.' && seg[1] == '.')
                keep = len;
        }
        seg += seg_len;
        seg += *seg == '/';
    }
    out[len] = '\0';
    return out;
}

bool fs_path_within(const char *path, const char *dir)
{
    char *p = normal_path(path), *d = normal_path(dir);
    size_t n = strlen(d);
    bool within;
    if ((p[0] == '/') != (d[0] == '/'))
        within = false;
    else if (!strcmp(d, "/"))
        within = true;
    else if (!n) /* the starting folder: all but what climbs out of it */
        within = strncmp(p, "..", 2) != 0 || (p[2] != '\0' && p[2] != '/');
    else
        within = !strncmp(p, d, n) && (p[n] == '\0' || p[n] == '/');
    free(p);
    free(d);
    return within;
}

bool fs_read_file(const char *path, bool follow_links, strbuf *out)
{
    return fs_read_file_at(AT_FDCWD, path, follow_links, out);
}

bool fs_read_file_at(int dirfd, const char *path, bool follow_links, strbuf *out)
{
    /* O_NONBLOCK: opening a named pipe would otherwise wait for a writer,
       for ever. Checked once open, so the file read is the file checked. */
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow_links ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return false;
    struct stat st;
    bool stated = fstat(fd, &st) == 0;
    if (!stated || !S_ISREG(st.st_mode)) {
        int why = !stated ? errno : S_ISDIR(st.st_mode) ? EISDIR : FS_ENOTREG;
        close(fd);
        errno = why;
        return false;
    }
    /* Room for the whole file and one byte more. The file is taken as it
       was when it was stat'ed: once that many bytes are in, no read is
       spent finding the end (a tenth of a build's reads). A file of no
       stated size (in /proc, say) is read to its end, growing as it goes. */
    size_t expect = st.st_size > 0 ? (size_t)st.st_size : 0, start = out->len;
    strbuf_reserve(out, expect + 1);
    ssize_t got;
    do { /* straight into the buffer: no copy through the stack */
        if (out->cap - out->len < 2)
            strbuf_reserve(out, 16384);
        got = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (got > 0)
            out->len += (size_t)got;
        out->data[out->len] = '\0';
    } while (got > 0 && !(expect && out->len - start == expect));
    close(fd);
    return got >= 0;
}

const char *fs_strerror(int err)
{
    if (err == FS_ENOTREG)
        return "not a regular file (a named pipe, socket or device): refused";
    return strerror(err);
}

typedef struct named_kind {
    char *name;
    fs_kind kind;
} named_kind;

static int cmp_named_kind(const void *a, const void *b)
{
    return strcmp(((const named_kind *)a)->name, ((const named_kind *)b)->name);
}

static fs_kind kind_of(unsigned char d_type)
{
    switch (d_type) {
    case DT_REG: return FS_FILE;
    case DT_DIR: return FS_DIR;
    case DT_UNKNOWN: return FS_UNKNOWN;
    default: return FS_OTHER;
    }
}

static char **list_dir(const char *dir, bool hidden, size_t *n, fs_kind **kinds);

char **fs_list_dir(const char *dir, size_t *n, fs_kind **kinds) { return list_dir(dir, false, n, kinds); }

char **fs_list_dir_all(const char *dir, size_t *n, fs_kind **kinds) { return list_dir(dir, true, n, kinds); }

static char **list_dir(const char *dir, bool hidden, size_t *n, fs_kind **kinds)
{
    *n = 0;
    if (kinds)
        *kinds = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    named_kind *found = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && (!hidden || !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")))
            continue;
        XGROW(found, cap, *n + 1, 32);
        found[(*n)++] = (named_kind){xstrdup(e->d_name), kind_of(e->d_type)};
    }
    closedir(d);
    if (!*n) {
        free(found);
        return NULL;
    }
    xqsort(found, *n, sizeof *found, cmp_named_kind);
    char **names = xmalloc(*n * sizeof *names);
    if (kinds)
        *kinds = xmalloc(*n * sizeof **kinds);
    for (size_t i = 0; i < *n; i++) {
        names[i] = found[i].name;
        if (kinds)
            (*kinds)[i] = found[i].kind;
    }
    free(found);
    return names;
}

void fs_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Makes the folder above path when it is missing; true when a folder (not
 * a link) stands there. */
static bool make_parent_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return true;
    char *dir = xstrndup(path, (size_t)(slash - path));
    struct stat st;
    bool ok = (mkdir(dir, 0755) == 0 || errno == EEXIST) && lstat(dir, &st) == 0;
    if (ok && !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        ok = false;
    }
    free(dir);
    return ok;
}

/* Writes all n bytes at data to fd. */
static bool write_all(int fd, const char *data, size_t n)
{
    while (n) {
        ssize_t put = write(fd, data, n);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return false;
        data += put;
        n -= (size_t)put;
    }
    return true;
}

void fs_binary_stamp(char *stamp, size_t size)
{
    struct stat st;
    stamp[0] = '\0';
    if (size && stat("/proc/self/exe", &st) == 0)
        snprintf(stamp, size, "%llx-%llx.%09ld", (unsigned long long)st.st_size, (unsigned long long)st.st_mtim.tv_sec,
                 (long)st.st_mtim.tv_nsec);
}

bool fs_write_replace(const char *path, const char *data, size_t n)
{
    if (!make_parent_folder(path))
        return false;
    strbuf tmp = STRBUF_INIT;
    strbuf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && write_all(fd, data, n);
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && rename(tmp.data, path) != 0)
        ok = false;
    if (!ok && fd >= 0) {
        int saved = errno;
        unlink(tmp.data);
        errno = saved;
    }
    strbuf_free(&tmp);
    return ok;
}
