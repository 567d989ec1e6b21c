#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "hash.h"
#include "strbuf.h"
#include "strtab.h"
#include "xalloc.h"

#define MANIFEST_MAGIC "lumbar output manifest 1"

struct manifest {
    strbuf text;             /* the file; each name NUL-terminated in place */
    manifest_entry *entries; /* in file order */
    size_t len, cap;
    strtab index;            /* name -> its entry's number */
};

char *manifest_path(const char *site_dir, const char *out_dir)
{
    strbuf path = STRBUF_INIT;
    strbuf_printf(&path, "%s/.lumbar-cache/output-%016llx", site_dir,
                  (unsigned long long)hash_str(HASH_SEED, out_dir));
    return strbuf_detach(&path);
}

static void folder_id(const struct stat *folder, strbuf *out)
{
    strbuf_printf(out, "%s %llu %llu\n", MANIFEST_MAGIC, (unsigned long long)folder->st_dev,
                  (unsigned long long)folder->st_ino);
}

/* Reads one "HASH SIZE INO CSEC CNSEC NAME\n" line at *at; false when the
 * text does not hold one there. */
static bool parse_line(manifest *m, size_t *at)
{
    char *s = m->text.data + *at, *end;
    manifest_entry e;
    errno = 0;
    e.hash = strtoull(s, &end, 16);
    bool ok = end == s + 16 && *end == ' ';
    e.size = ok ? strtoull(s = end + 1, &end, 10) : 0;
    ok = ok && end > s && *end == ' ';
    e.ino = ok ? strtoull(s = end + 1, &end, 10) : 0;
    ok = ok && end > s && *end == ' ';
    e.ctime_sec = ok ? strtoll(s = end + 1, &end, 10) : 0;
    ok = ok && end > s && *end == ' ';
    e.ctime_nsec = ok ? strtol(s = end + 1, &end, 10) : 0;
    ok = ok && end > s && *end == ' ' && !errno;
    char *name = end + 1, *newline = ok ? memchr(name, '\n', (size_t)(m->text.data + m->text.len - name)) : NULL;
    if (!newline || newline == name)
        return false;
    *newline = '\0';
    XGROW(m->entries, m->cap, m->len + 1, 256);
    m->entries[m->len] = e;
    bool added;
    strtab_add(&m->index, name, (size_t)(newline - name), m->len, &added);
    m->len++;
    *at = (size_t)(newline + 1 - m->text.data);
    return added; /* a name twice: not a file lumbar wrote */
}

manifest *manifest_load(const char *path, const struct stat *folder)
{
    manifest *m = xcalloc(1, sizeof *m);
    strbuf head = STRBUF_INIT;
    folder_id(folder, &head);
    bool ok = fs_read_file(path, false, &m->text) && m->text.len >= head.len &&
              !memcmp(m->text.data, head.data, head.len);
    size_t at = head.len;
    strbuf_free(&head);
    while (ok && at < m->text.len)
        ok = parse_line(m, &at);
    if (!ok) {
        manifest_free(m);
        return NULL;
    }
    return m;
}

void manifest_free(manifest *m)
{
    if (!m)
        return;
    strbuf_free(&m->text);
    free(m->entries);
    strtab_free(&m->index);
    free(m);
}

const manifest_entry *manifest_get(const manifest *m, const char *rel)
{
    const strtab_entry *e = m ? strtab_get(&m->index, rel, strlen(rel)) : NULL;
    return e ? &m->entries[e->val] : NULL;
}

bool manifest_entry_matches(const manifest_entry *e, const struct stat *st)
{
    return S_ISREG(st->st_mode) && (uint64_t)st->st_ino == e->ino && (uint64_t)st->st_size == e->size &&
           (int64_t)st->st_ctim.tv_sec == e->ctime_sec && st->st_ctim.tv_nsec == e->ctime_nsec;
}

void manifest_entry_set_stat(manifest_entry *e, const struct stat *st)
{
    e->ino = (uint64_t)st->st_ino;
    e->ctime_sec = (int64_t)st->st_ctim.tv_sec;
    e->ctime_nsec = st->st_ctim.tv_nsec;
}

/* Makes the .lumbar-cache folder that holds path; a link or a file in its
 * place is left alone, and nothing is saved. */
static bool make_cache_dir(const char *path)
{
    char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
    struct stat st;
    bool ok = (mkdir(dir, 0755) == 0 || errno == EEXIST) && lstat(dir, &st) == 0 && S_ISDIR(st.st_mode);
    free(dir);
    return ok;
}

bool manifest_save(const char *path, const struct stat *folder, char *const *rels, const manifest_entry *entries,
                   const bool *known, size_t n)
{
    if (!make_cache_dir(path))
        return false;
    strbuf text = STRBUF_INIT, tmp = STRBUF_INIT;
    folder_id(folder, &text);
    for (size_t i = 0; i < n; i++) {
        const manifest_entry *e = &entries[i];
        if (!known[i] || !*rels[i] || strchr(rels[i], '\n'))
            continue;
        strbuf_printf(&text, "%016llx %llu %llu %lld %ld %s\n", (unsigned long long)e->hash,
                      (unsigned long long)e->size, (unsigned long long)e->ino, (long long)e->ctime_sec,
                      e->ctime_nsec, rels[i]);
    }
    strbuf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    bool ok = fd >= 0;
    for (size_t done = 0; ok && done < text.len;) {
        ssize_t put = write(fd, text.data + done, text.len - done);
        if (put < 0 && errno == EINTR)
            continue;
        ok = put > 0;
        done += ok ? (size_t)put : 0;
    }
    ok = fd >= 0 && close(fd) == 0 && ok;
    /* rename replaces a link at path; it never writes through one. */
    ok = ok && rename(tmp.data, path) == 0;
    if (!ok && fd >= 0)
        unlink(tmp.data);
    strbuf_free(&tmp);
    strbuf_free(&text);
    return ok;
}
