#include "manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "hash.h"
#include "strbuf.h"
#include "strtab.h"
#include "xalloc.h"

#define MANIFEST_MAGIC "lumbar output manifest 2"

struct manifest {
    strbuf text;             /* the file; each name NUL-terminated in place */
    manifest_entry *entries; /* in file order */
    const char **names;      /* the entries' names, into text */
    size_t len, cap, names_cap;
    strtab index;            /* name -> its entry's number */
    uint64_t build;          /* the id of the build that wrote it */
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
    XGROW(m->names, m->names_cap, m->len + 1, 256);
    m->entries[m->len] = e;
    m->names[m->len] = name;
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
    /* "build HEX16\n": the build's id, which a page cache names too. */
    char *s = ok ? m->text.data + at : NULL, *end = NULL; /* no file: no text at all */
    ok = ok && m->text.len - at >= 23 && !memcmp(s, "build ", 6);
    m->build = ok ? strtoull(s + 6, &end, 16) : 0;
    ok = ok && end == s + 22 && *end == '\n' && m->build != 0;
    at += 23;
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
    free(m->names);
    strtab_free(&m->index);
    free(m);
}

size_t manifest_len(const manifest *m) { return m ? m->len : 0; }

const char *manifest_name(const manifest *m, size_t i) { return m->names[i]; }

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

/* One entry as "%016llx %llu %llu %lld %ld NAME\n" would write it:
 * formatted by hand, since printf's parsing of the format was most of the
 * time a 10,000-page build spent saving its manifest. */
static void put_line(strbuf *text, const manifest_entry *e, const char *rel)
{
    static const char hex[] = "0123456789abcdef";
    char digits[16];
    for (int i = 0; i < 16; i++)
        digits[i] = hex[(e->hash >> (60 - 4 * i)) & 15];
    strbuf_append(text, digits, 16);
    strbuf_putc(text, ' ');
    strbuf_put_uint(text, e->size, 1);
    strbuf_putc(text, ' ');
    strbuf_put_uint(text, e->ino, 1);
    strbuf_putc(text, ' ');
    if (e->ctime_sec < 0)
        strbuf_putc(text, '-');
    strbuf_put_uint(text, e->ctime_sec < 0 ? 0 - (unsigned long long)e->ctime_sec : (unsigned long long)e->ctime_sec, 1);
    strbuf_putc(text, ' ');
    strbuf_put_uint(text, (unsigned long long)e->ctime_nsec, 1);
    strbuf_putc(text, ' ');
    strbuf_puts(text, rel);
    strbuf_putc(text, '\n');
}

uint64_t manifest_build(const manifest *m) { return m ? m->build : 0; }

bool manifest_save(const char *path, const struct stat *folder, uint64_t build, const manifest_file *files, size_t n)
{
    strbuf text = STRBUF_INIT;
    folder_id(folder, &text);
    strbuf_printf(&text, "build %016llx\n", (unsigned long long)build);
    for (size_t i = 0; i < n; i++) {
        const manifest_entry *e = &files[i].entry;
        if (!files[i].known || !*files[i].rel || strchr(files[i].rel, '\n'))
            continue;
        put_line(&text, e, files[i].rel);
    }
    bool ok = fs_write_replace(path, text.data, text.len);
    strbuf_free(&text);
    return ok;
}
