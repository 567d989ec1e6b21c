#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "strbuf.h"
#include "xalloc.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

struct output {
    char *site_dir;
    char *out_dir;     /* as given (absolute or relative to the cwd) */
    char *staging_dir; /* beside out_dir, so the swap is one rename */
    bool had_output;
};

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

/* True when path is dir or inside it (both canonical). */
static bool is_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return true;
    return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static bool output_dir_safe(const char *site_dir, const char *out_dir, diag_list *diags)
{
    char *site = canonical(site_dir);
    char *out = canonical(out_dir);
    bool ok = true;
    static const char *const sources[] = {"content", "layouts", "assets", NULL};
    if (!strcmp(out, "/") || is_within(site, out)) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "refusing to build into '%s': it is the site folder or contains it",
                 out_dir);
        ok = false;
    }
    for (const char *const *s = sources; ok && *s; s++) {
        strbuf src = STRBUF_INIT;
        strbuf_printf(&src, "%s/%s", site, *s);
        if (is_within(out, src.data)) {
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

static bool mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return false;
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST;
}

/* A build killed before its swap leaves its staging folder behind. Removes
 * those of processes that no longer exist, so they do not pile up beside
 * the output; a folder is only taken when its name is exactly the output's
 * name, ".lumbar-staging-" and a number, and it holds lumbar's marker or
 * nothing. len is the length of out_dir without trailing slashes. */
static void remove_stale_staging(const char *out_dir, size_t len)
{
    const char *slash = NULL;
    for (size_t i = 0; i < len; i++)
        if (out_dir[i] == '/')
            slash = out_dir + i;
    char *parent = !slash ? xstrdup(".") : slash == out_dir ? xstrdup("/") : xstrndup(out_dir, (size_t)(slash - out_dir));
    const char *base = slash ? slash + 1 : out_dir;
    strbuf prefix = STRBUF_INIT;
    strbuf_append(&prefix, base, len - (size_t)(base - out_dir));
    strbuf_puts(&prefix, ".lumbar-staging-");
    DIR *d = opendir(parent);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        const char *pid_text = e->d_name + prefix.len;
        if (strncmp(e->d_name, prefix.data, prefix.len) || !*pid_text || strspn(pid_text, "0123456789") != strlen(pid_text))
            continue;
        long pid = strtol(pid_text, NULL, 10);
        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        strbuf path = STRBUF_INIT;
        strbuf_printf(&path, "%s/%s", parent, e->d_name);
        struct stat st;
        bool exists;
        if (lstat(path.data, &st) == 0 && S_ISDIR(st.st_mode) && output_dir_ours(path.data, &exists))
            output_remove_tree(path.data);
        strbuf_free(&path);
    }
    if (d)
        closedir(d);
    strbuf_free(&prefix);
    free(parent);
}

output *output_begin(const char *site_dir, const char *out_dir, bool force, diag_list *diags)
{
    if (!output_dir_safe(site_dir, out_dir, diags))
        return NULL;
    bool exists;
    if (!output_dir_ours(out_dir, &exists) && !force) {
        diag_add(diags, DIAG_ERROR, "", 0, 0,
                 "refusing to replace '%s': it is not empty and was not made by lumbar (no %s file); "
                 "empty it, choose another folder, or pass --force",
                 out_dir, OUTPUT_MARKER);
        return NULL;
    }
    output *out = xcalloc(1, sizeof *out);
    out->site_dir = xstrdup(site_dir);
    out->out_dir = xstrdup(out_dir);
    out->had_output = exists;
    size_t len = strlen(out_dir);
    while (len > 1 && out_dir[len - 1] == '/')
        len--;
    strbuf staging = STRBUF_INIT;
    strbuf_append(&staging, out_dir, len);
    strbuf_printf(&staging, ".lumbar-staging-%ld", (long)getpid());
    out->staging_dir = strbuf_detach(&staging);
    remove_stale_staging(out_dir, len);
    output_remove_tree(out->staging_dir);
    char *mk = xstrdup(out->staging_dir);
    bool made = mkdir_p(mk);
    free(mk);
    if (!made) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot create '%s': %s", out->staging_dir, strerror(errno));
        free(out->staging_dir);
        out->staging_dir = NULL;
        output_abort(out);
        return NULL;
    }
    output_write(out, OUTPUT_MARKER, "lumbar build output\n", 20, diags);
    return out;
}

static bool relpath_ok(const char *rel)
{
    if (!*rel || rel[0] == '/' || strstr(rel, "//"))
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

/* True when the file at path holds exactly the n bytes at data. */
static bool same_bytes(const char *path, const char *data, size_t n)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != n)
        return false;
    int fd = open(path, O_RDONLY | O_NOFOLLOW);
    if (fd < 0)
        return false;
    char buf[65536];
    size_t at = 0;
    bool same = true;
    while (same && at < n) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got <= 0 || (size_t)got > n - at || memcmp(buf, data + at, (size_t)got) != 0)
            same = false;
        else
            at += (size_t)got;
    }
    close(fd);
    return same;
}

static bool write_file(const char *path, const char *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
    if (fd < 0)
        return false;
    size_t at = 0;
    while (at < n) {
        ssize_t put = write(fd, data + at, n - at);
        if (put < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return false;
        }
        at += (size_t)put;
    }
    return close(fd) == 0;
}

bool output_write(output *out, const char *relpath, const char *data, size_t n, diag_list *diags)
{
    if (!relpath_ok(relpath)) {
        diag_add(diags, DIAG_ERROR, "", 0, 0, "refusing to write outside the output folder: '%s'", relpath);
        return false;
    }
    strbuf path = STRBUF_INIT, old = STRBUF_INIT;
    strbuf_printf(&path, "%s/%s", out->staging_dir, relpath);
    char *slash = strrchr(path.data, '/');
    *slash = '\0';
    bool ok = mkdir_p(path.data);
    *slash = '/';
    if (ok && out->had_output) {
        strbuf_printf(&old, "%s/%s", out->out_dir, relpath);
        if (same_bytes(old.data, data, n) && link(old.data, path.data) == 0) {
            strbuf_free(&path);
            strbuf_free(&old);
            return true;
        }
    }
    ok = ok && write_file(path.data, data, n);
    if (!ok)
        diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot write '%s': %s", path.data, strerror(errno));
    strbuf_free(&path);
    strbuf_free(&old);
    return ok;
}

bool output_link_previous(output *out, const char *relpath)
{
    if (!out->had_output || !relpath_ok(relpath))
        return false;
    strbuf path = STRBUF_INIT, old = STRBUF_INIT;
    strbuf_printf(&path, "%s/%s", out->staging_dir, relpath);
    strbuf_printf(&old, "%s/%s", out->out_dir, relpath);
    char *slash = strrchr(path.data, '/');
    *slash = '\0';
    bool ok = mkdir_p(path.data);
    *slash = '/';
    struct stat st;
    ok = ok && lstat(old.data, &st) == 0 && S_ISREG(st.st_mode) && link(old.data, path.data) == 0;
    strbuf_free(&path);
    strbuf_free(&old);
    return ok;
}

static bool copy_dir(output *out, const char *site_rel, const char *dest_rel, size_t *count, diag_list *diags)
{
    strbuf dir = STRBUF_INIT;
    strbuf_printf(&dir, "%s/%s", out->site_dir, site_rel);
    /* Sorted names keep diagnostics and work in a stable order; no assets
     * folder is fine. */
    size_t len;
    char **names = fs_list_dir(dir.data, &len);
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
                diag_add(diags, DIAG_ERROR, rel.data, 0, 0, "cannot read: %s", strerror(errno));
                ok = false;
            } else if (output_write(out, dst.data, strbuf_cstr(&data), data.len, diags)) {
                (*count)++;
            } else {
                ok = false;
            }
            strbuf_free(&data);
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

bool output_commit(output *out, diag_list *diags)
{
    bool ok = true;
    if (out->had_output) {
        if (renameat2(AT_FDCWD, out->staging_dir, AT_FDCWD, out->out_dir, RENAME_EXCHANGE) != 0) {
            diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot swap the new build into '%s': %s", out->out_dir,
                     strerror(errno));
            ok = false;
        }
    } else {
        char *parent = xstrdup(out->out_dir);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            mkdir_p(parent);
        }
        free(parent);
        if (rename(out->staging_dir, out->out_dir) != 0) {
            diag_add(diags, DIAG_ERROR, "", 0, 0, "cannot move the new build to '%s': %s", out->out_dir,
                     strerror(errno));
            ok = false;
        }
    }
    /* After a swap the staging path holds the previous output. */
    output_abort(out);
    return ok;
}

void output_abort(output *out)
{
    if (!out)
        return;
    if (out->staging_dir)
        output_remove_tree(out->staging_dir);
    free(out->site_dir);
    free(out->out_dir);
    free(out->staging_dir);
    free(out);
}

bool output_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0;
    DIR *d = opendir(path);
    if (!d)
        return false;
    bool ok = true;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, OUTPUT_MARKER))
            continue;
        strbuf child = STRBUF_INIT;
        strbuf_printf(&child, "%s/%s", path, e->d_name);
        ok = output_remove_tree(child.data) && ok;
        strbuf_free(&child);
    }
    closedir(d);
    /* The marker goes last: a build killed halfway through removing a
     * staging folder leaves one the next build still knows as its own. */
    strbuf marker = STRBUF_INIT;
    strbuf_printf(&marker, "%s/%s", path, OUTPUT_MARKER);
    ok = output_remove_tree(marker.data) && ok;
    strbuf_free(&marker);
    return rmdir(path) == 0 && ok;
}
