/* Unit tests for output.c, in a fresh folder under /tmp removed at the end.
 *
 * Covered: output_begin refusing the site folder, a folder above it, folders
 * inside content/, layouts/ and assets/, "/", a non-empty folder without the
 * .lumbar marker (unless forced), a foreign staging folder and a staging
 * folder another build holds; a first build giving exactly the files written
 * plus the marker; a rebuild where a changed file gets its new bytes, an
 * unchanged one keeps its inode and mtime and an omitted one goes; a rebuild
 * that reuses (and prunes) the staging folder; output_abort leaving the
 * previous output byte for byte and inode for inode; output_write refusing
 * unsafe relative paths; output_write_parts writing and comparing a file
 * in parts, however they split it; output_copy_tree copying assets and refusing
 * symbolic links; output_remove_tree not following links; output claims:
 * clashes of one path, of a file and a folder either way, each blamed once
 * at the later claim's source, and names over 255 bytes quoted by whole
 * characters; the manifest a rebuild trusts instead of reading the live
 * output back, and what makes it distrust it. */
#include "harness.h"
#include "fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "hash.h"
#include "manifest.h"
#include "output.h"
#include "strbuf.h"
#include "xalloc.h"

static char root[200];                     /* the temporary folder */
static char site_dir[210], pub[224], stg[240]; /* root/site_dir, its public/ and staging */

/* Writes n bytes to dir/rel. */
static void put_in(const char *dir, const char *rel, const char *data, size_t n)
{
    strbuf p = STRBUF_INIT;
    strbuf_printf(&p, "%s/%s", dir, rel);
    FILE *f = fopen(p.data, "wb");
    if (f) {
        if (n) /* data may be NULL then */
            fwrite(data, 1, n, f);
        fclose(f);
    }
    strbuf_free(&p);
}

/* Appends the file at dir/rel to out; false when it cannot be read. */
static bool slurp(const char *dir, const char *rel, strbuf *out)
{
    strbuf p = STRBUF_INIT;
    strbuf_printf(&p, "%s/%s", dir, rel);
    bool ok = fs_read_file(p.data, false, out);
    strbuf_free(&p);
    return ok;
}

/* The lstat of dir/rel, all zero when there is none. */
static struct stat stat_in(const char *dir, const char *rel)
{
    strbuf p = STRBUF_INIT;
    strbuf_printf(&p, "%s/%s", dir, rel);
    struct stat st;
    memset(&st, 0, sizeof st);
    lstat(p.data, &st);
    strbuf_free(&p);
    return st;
}

static bool exists_in(const char *dir, const char *rel) { return stat_in(dir, rel).st_nlink > 0; }

/* Lists the tree at dir/rel, sorted: "sub/" for a folder, "name" for a
 * file, with its inode and bytes when detail is set. */
static void list_tree(const char *dir, const char *rel, bool detail, strbuf *out)
{
    strbuf p = STRBUF_INIT;
    strbuf_printf(&p, "%s%s%s", dir, *rel ? "/" : "", rel);
    struct dirent **names;
    int n = scandir(p.data, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (strcmp(name, ".") && strcmp(name, "..")) {
            strbuf child = STRBUF_INIT;
            strbuf_printf(&child, "%s%s%s", rel, *rel ? "/" : "", name);
            struct stat st = stat_in(dir, child.data);
            strbuf_printf(out, "%s%s", child.data, S_ISDIR(st.st_mode) ? "/\n" : "");
            if (S_ISDIR(st.st_mode)) {
                list_tree(dir, child.data, detail, out);
            } else {
                if (detail) {
                    strbuf_printf(out, " %lu=", (unsigned long)st.st_ino);
                    slurp(dir, child.data, out);
                }
                strbuf_putc(out, '\n');
            }
            strbuf_free(&child);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    strbuf_free(&p);
}

static const char *tree(const char *dir, bool detail, strbuf *out)
{
    strbuf_reset(out);
    list_tree(dir, "", detail, out);
    return strbuf_cstr(out);
}

/* output_begin(site_dir, out) must succeed without a diagnostic. */
static output *begin_ok(const char *out_dir, bool force)
{
    diag_list dl = DIAG_LIST_INIT;
    output *o = output_begin(site_dir, out_dir, force, &dl);
    CHECK(o != NULL);
    CHECK_INT(dl.len, 0);
    diag_list_clear(&dl);
    return o;
}

/* output_begin(site_dir, out) must fail with exactly the diagnostic want. */
static void refused(const char *out_dir, bool force, const char *want)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    output *o = output_begin(site_dir, out_dir, force, &dl);
    CHECK(o == NULL);
    output_abort(o);
    CHECK_STR(fx_diags(&dl, &sb), want);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

static void test_refusals(void)
{
    strbuf dir = STRBUF_INIT, want = STRBUF_INIT;
    const char *inside[] = {"content", "layouts", "assets"};
    strbuf_printf(&want, "lumbar: error: refusing to build into '%s': it is the site folder or contains it\n", site_dir);
    refused(site_dir, false, want.data);
    strbuf_reset(&want);
    strbuf_printf(&want, "lumbar: error: refusing to build into '%s': it is the site folder or contains it\n", root);
    refused(root, true, want.data);
    refused("/", true, "lumbar: error: refusing to build into '/': it is the site folder or contains it\n");
    for (size_t i = 0; i < 3; i++) {
        strbuf_reset(&dir);
        strbuf_reset(&want);
        strbuf_printf(&dir, "%s/%s/public", site_dir, inside[i]);
        strbuf_printf(&want, "lumbar: error: refusing to build into '%s': it is inside the site's %s/ folder\n",
                      dir.data, inside[i]);
        refused(dir.data, true, want.data);
    }
    /* A folder beside the site whose name starts like it is not inside it. */
    strbuf_reset(&dir);
    strbuf_printf(&dir, "%s/contentx", site_dir);
    output_abort(begin_ok(dir.data, false));
    strbuf_free(&dir);
    strbuf_free(&want);
}

static void test_foreign(void)
{
    strbuf dir = STRBUF_INIT, want = STRBUF_INIT, sb = STRBUF_INIT;
    strbuf_printf(&dir, "%s/foreign", root);
    mkdir(dir.data, 0755);
    put_in(dir.data, "keep.txt", "mine", 4);
    strbuf_printf(&want,
                  "lumbar: error: refusing to replace '%s': it is not empty and was not made by lumbar (no .lumbar "
                  "file); empty it, choose another folder, or pass --force\n",
                  dir.data);
    refused(dir.data, false, want.data);
    output_abort(begin_ok(dir.data, true));
    CHECK_STR(tree(dir.data, false, &sb), "keep.txt\n"); /* no marker yet, nothing removed */
    strbuf_reset(&sb);
    CHECK(slurp(dir.data, "keep.txt", &sb) && !strcmp(sb.data, "mine"));
    /* A staging folder lumbar did not make is refused, forced or not. */
    strbuf_reset(&dir);
    strbuf_printf(&dir, "%s/.other.lumbar-staging", root);
    mkdir(dir.data, 0755);
    put_in(dir.data, "x", "x", 1);
    strbuf_reset(&want);
    strbuf_printf(&want,
                  "lumbar: error: refusing to use '%s' as the staging folder: it is not empty and was not made by "
                  "lumbar (no .lumbar file); move it away\n",
                  dir.data);
    strbuf_reset(&dir);
    strbuf_printf(&dir, "%s/other", root);
    refused(dir.data, true, want.data);
    strbuf_free(&dir);
    strbuf_free(&want);
    strbuf_free(&sb);
}

static void test_first_build(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    output *o = begin_ok(pub, false);
    if (!o)
        return;
    CHECK(output_write(o, "index.html", "home v1", 7, &dl));
    CHECK(output_write(o, "a/b/page.html", "page", 4, &dl));
    CHECK(output_write(o, "a/c.txt", "same", 4, &dl));
    size_t count = 5;
    CHECK(output_copy_tree(o, "assets", &count, &dl));
    CHECK_INT(count, 7);
    CHECK(!exists_in(pub, "."));
    CHECK(output_commit(o, &dl));
    CHECK_STR(fx_diags(&dl, &sb), "");
    CHECK_STR(tree(pub, false, &sb), ".lumbar\na/\na/b/\na/b/page.html\na/c.txt\ncss/\ncss/site.css\n"
                                     "img/\nimg/logo.bin\nindex.html\n");
    strbuf_reset(&sb);
    CHECK(slurp(pub, "img/logo.bin", &sb) && sb.len == 4 && !memcmp(sb.data, "P\0N\xff", 4));
    strbuf_reset(&sb);
    CHECK(slurp(pub, "a/b/page.html", &sb) && !strcmp(sb.data, "page"));
    CHECK(!exists_in(stg, "."));
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

static void test_rebuild(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    /* An old mtime, which a rewritten file would not keep. */
    strbuf_printf(&sb, "%s/a/c.txt", pub);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    CHECK(utimensat(AT_FDCWD, sb.data, old, 0) == 0);
    struct stat before = stat_in(pub, "a/c.txt"), index_before = stat_in(pub, "index.html");
    output *o = begin_ok(pub, false);
    if (!o)
        return;
    CHECK(output_write(o, "index.html", "home v2!", 8, &dl));
    CHECK(output_write(o, "a/c.txt", "same", 4, &dl));
    CHECK(output_commit(o, &dl));
    CHECK_STR(fx_diags(&dl, &sb), "");
    CHECK_STR(tree(pub, false, &sb), ".lumbar\na/\na/c.txt\nindex.html\n");
    strbuf_reset(&sb);
    CHECK(slurp(pub, "index.html", &sb) && !strcmp(sb.data, "home v2!"));
    CHECK(stat_in(pub, "index.html").st_ino != index_before.st_ino);
    struct stat after = stat_in(pub, "a/c.txt");
    CHECK(after.st_ino == before.st_ino && after.st_dev == before.st_dev);
    CHECK_INT(after.st_mtime, 1000000000);
    /* The previous output is now the staging folder, for the next build. */
    CHECK(exists_in(stg, "a/b/page.html") && exists_in(stg, OUTPUT_MARKER));
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* The staging folder holds the first build: it is updated in place and
 * whatever this build does not write is pruned, folders included. A file
 * becomes a folder here; test_folder_becomes_file does the other way. */
static void test_reused_staging(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    ino_t c_ino = stat_in(pub, "a/c.txt").st_ino;
    output *o = begin_ok(pub, false);
    if (!o)
        return;
    CHECK(output_write(o, "index.html", "home v2!", 8, &dl));
    CHECK(output_write(o, "a/c.txt", "same", 4, &dl));
    CHECK(output_write(o, "img/logo.bin/inner", "was a file", 10, &dl));
    CHECK(output_write(o, "n/new.txt", "new", 3, &dl));
    CHECK(output_commit(o, &dl));
    CHECK_STR(fx_diags(&dl, &sb), "");
    CHECK_STR(tree(pub, false, &sb),
              ".lumbar\na/\na/c.txt\nimg/\nimg/logo.bin/\nimg/logo.bin/inner\nindex.html\nn/\nn/new.txt\n");
    CHECK(stat_in(pub, "a/c.txt").st_ino == c_ino);
    strbuf_reset(&sb);
    CHECK(slurp(pub, "img/logo.bin/inner", &sb) && !strcmp(sb.data, "was a file"));
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

static void test_lock(void)
{
    strbuf want = STRBUF_INIT;
    output *o = begin_ok(pub, false);
    strbuf_printf(&want,
                  "lumbar: error: another lumbar build is writing '%s' (its staging folder '%s' is locked): "
                  "wait for it to finish\n",
                  pub, stg);
    refused(pub, false, want.data);
    output_abort(o);
    output_abort(begin_ok(pub, false)); /* unlocked again */
    strbuf_free(&want);
}

static void test_abort(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf before = STRBUF_INIT, sb = STRBUF_INIT;
    tree(pub, true, &before);
    output *o = begin_ok(pub, false);
    if (!o)
        return;
    CHECK(output_write(o, "index.html", "home v3", 7, &dl));
    CHECK(output_write(o, "junk/j.txt", "junk", 4, &dl));
    output_abort(o);
    CHECK_STR(tree(pub, true, &sb), before.data);
    CHECK(strstr(before.data, "index.html ") && strstr(before.data, "=home v2!\n"));
    /* The next build reuses what the aborted one left, and prunes it. */
    o = begin_ok(pub, false);
    CHECK(o && output_write(o, "index.html", "home v4", 7, &dl));
    CHECK(o && output_commit(o, &dl));
    CHECK_STR(tree(pub, false, &sb), ".lumbar\nindex.html\n");
    CHECK_STR(fx_diags(&dl, &sb), "");
    diag_list_clear(&dl);
    strbuf_free(&before);
    strbuf_free(&sb);
}

static void test_bad_paths(void)
{
    static const char *const bad[] = {"", "/etc/x", "../x", "a/../../x", "a//b", "./x", "a/./b", "a/..", "..", "a/"};
    strbuf want = STRBUF_INIT, sb = STRBUF_INIT;
    diag_list dl = DIAG_LIST_INIT;
    output *o = begin_ok(pub, false);
    if (!o)
        return;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(!output_write(o, bad[i], "x", 1, &dl));
        strbuf_printf(&want, "lumbar: error: refusing to write outside the output folder: '%s'\n", bad[i]);
    }
    CHECK_STR(fx_diags(&dl, &sb), want.data);
    CHECK(!exists_in(site_dir, "x") && !exists_in(root, "x"));
    CHECK(!output_link_previous(o, "../public/index.html"));
    CHECK(output_link_previous(o, "index.html"));
    CHECK(!output_link_previous(o, "missing.html"));
    CHECK(stat_in(stg, "index.html").st_ino == stat_in(pub, "index.html").st_ino);
    output_abort(o);
    diag_list_clear(&dl);
    strbuf_free(&want);
    strbuf_free(&sb);
}

/* Regression: when the listing thread had seen a folder's files before this
 * build wrote a file in the folder's place, prune failed on them (ENOTDIR).
 * Waiting for the lister before writing makes that order certain (it was
 * the usual order under valgrind). */
static void test_folder_becomes_file(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    for (int build = 0; build < 2; build++) { /* live and staging both hold d/e/f.txt */
        output *o = begin_ok(pub, false);
        CHECK(o && output_write(o, "d/e/f.txt", "f", 1, &dl));
        CHECK(o && output_commit(o, &dl));
    }
    output *o = begin_ok(pub, false);
    if (o)
        output_wait_listing(o);
    CHECK(o && output_write(o, "d/e", "now a file", 10, &dl));
    CHECK(o && output_commit(o, &dl));
    CHECK_STR(fx_diags(&dl, &sb), "");
    CHECK_STR(tree(pub, false, &sb), ".lumbar\nd/\nd/e\n");
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

static void test_copy_symlink(void)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "%s/assets/css/link.css", site_dir);
    CHECK(symlink("site.css", sb.data) == 0);
    output *o = begin_ok(pub, false);
    size_t count = 0;
    CHECK(o && !output_copy_tree(o, "assets", &count, &dl));
    CHECK_INT(count, 2); /* the regular files are still copied */
    CHECK_STR(fx_diags(&dl, &sb),
              "assets/css/link.css: error: symbolic links are not copied: replace it with the file itself\n");
    CHECK(!exists_in(stg, "css/link.css") && exists_in(stg, "css/site.css"));
    output_abort(o);
    CHECK(!exists_in(pub, "css/link.css"));
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* Splits data into parts at pseudo-random points (empty parts included),
 * so part boundaries fall anywhere against same_bytes' 64 KiB reads. */
static size_t split_parts(const char *data, size_t n, unsigned seed, struct iovec *parts, size_t cap)
{
    size_t count = 0, at = 0;
    while (at < n && count + 1 < cap) {
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 8) % 300;
        if (len > n - at)
            len = n - at;
        parts[count++] = (struct iovec){(void *)(data + at), len};
        at += len;
    }
    parts[count++] = (struct iovec){(void *)(data + at), n - at};
    return count;
}

/* A file given in parts: written as their concatenation, in more parts
 * than one writev takes; an unchanged one is recognised whatever the
 * split (same inode), and a change in its last byte or its length is
 * written. */
static void test_parts(void)
{
    enum { SIZE = 200000, MAX_PARTS = 4000 };
    char *data = xmalloc(SIZE);
    for (size_t i = 0; i < SIZE; i++)
        data[i] = (char)('a' + i * 7 % 26);
    struct iovec *parts = xmalloc(MAX_PARTS * sizeof *parts);
    char out_dir[260];
    snprintf(out_dir, sizeof out_dir, "%s/parts-out", site_dir);
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    ino_t first_ino = 0;
    for (int round = 0; round < 4; round++) {
        size_t n = round == 3 ? SIZE - 1 : SIZE;
        if (round == 2)
            data[SIZE - 1] = '!';
        output *o = begin_ok(out_dir, false);
        if (!o)
            break;
        size_t nparts = split_parts(data, n, (unsigned)round, parts, MAX_PARTS);
        CHECK(nparts > 600);
        CHECK(output_write_parts(o, "big.json", parts, nparts, &dl));
        CHECK(output_commit(o, &dl));
        CHECK_STR(fx_diags(&dl, &sb), "");
        strbuf_reset(&sb);
        CHECK(slurp(out_dir, "big.json", &sb) && sb.len == n && !memcmp(sb.data, data, n));
        ino_t ino = stat_in(out_dir, "big.json").st_ino;
        if (round == 0)
            first_ino = ino;
        else if (round == 1)
            CHECK(ino == first_ino); /* same bytes, split differently */
        else
            CHECK(ino != first_ino);
        first_ino = round == 1 ? first_ino : ino;
        diag_list_clear(&dl);
    }
    strbuf_free(&sb);
    free(parts);
    free(data);
}

/* Builds into out_dir one file, rel, holding text. */
static void build_one(const char *out_dir, const char *rel, const char *text)
{
    diag_list dl = DIAG_LIST_INIT;
    output *o = begin_ok(out_dir, false);
    if (!o)
        return;
    CHECK(output_write(o, rel, text, strlen(text), &dl));
    CHECK(output_commit(o, &dl));
    CHECK_INT(dl.len, 0);
    diag_list_clear(&dl);
}

/* Rewrites the manifest of out_dir so that it says rel holds text (a lie
 * the build can only see by reading the file); cut, when not 0, also cuts
 * the file that many bytes short. */
static void forge_manifest(const char *out_dir, const char *rel, const char *text, size_t cut)
{
    char *real = realpath(out_dir, NULL), *path = manifest_path(site_dir, real);
    strbuf file = STRBUF_INIT, forged = STRBUF_INIT, tail = STRBUF_INIT;
    CHECK(fs_read_file(path, false, &file));
    strbuf_printf(&tail, " %s\n", rel);
    char *line_end = strstr(file.data ? file.data : "", tail.data);
    CHECK(line_end != NULL);
    if (line_end) {
        char *line = line_end;
        while (line > file.data && line[-1] != '\n')
            line--;
        strbuf_append(&forged, file.data, (size_t)(line - file.data));
        strbuf_printf(&forged, "%016llx", (unsigned long long)hash_wide(HASH_SEED, text, strlen(text)));
        strbuf_puts(&forged, line + 16);
        put_in(root, "forged", forged.data, forged.len - cut);
        strbuf forged_path = STRBUF_INIT;
        strbuf_printf(&forged_path, "%s/forged", root);
        CHECK(rename(forged_path.data, path) == 0);
        strbuf_free(&forged_path);
    }
    strbuf_free(&tail);
    strbuf_free(&forged);
    strbuf_free(&file);
    free(path);
    free(real);
}

/* The manifest spares a rebuild reading the live output back: a forged one
 * is believed (which is how this test sees it used). A live file edited in
 * place since the build, even back to its size and mtime, is compared byte
 * by byte; so is every file when the manifest names another folder than
 * the live one, or is cut short. */
static void test_manifest(void)
{
    char out_dir[260];
    snprintf(out_dir, sizeof out_dir, "%s/manifest-out", site_dir);
    strbuf sb = STRBUF_INIT;
    build_one(out_dir, "f.txt", "AAAA");
    build_one(out_dir, "f.txt", "AAAA");
    ino_t first = stat_in(out_dir, "f.txt").st_ino;

    forge_manifest(out_dir, "f.txt", "ZZZZ", 0);
    build_one(out_dir, "f.txt", "ZZZZ");
    CHECK(slurp(out_dir, "f.txt", &sb) && !strcmp(sb.data, "AAAA")); /* believed */
    CHECK(stat_in(out_dir, "f.txt").st_ino == first);

    /* Edited in place to other bytes of the same size, mtime put back. */
    build_one(out_dir, "f.txt", "CCCC");
    struct stat before = stat_in(out_dir, "f.txt");
    put_in(out_dir, "f.txt", "DDDD", 4);
    strbuf_reset(&sb);
    strbuf_printf(&sb, "%s/f.txt", out_dir);
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    CHECK(utimensat(AT_FDCWD, sb.data, times, 0) == 0);
    build_one(out_dir, "f.txt", "CCCC");
    strbuf_reset(&sb);
    CHECK(slurp(out_dir, "f.txt", &sb) && !strcmp(sb.data, "CCCC"));

    /* The live folder replaced by a copy: the manifest is another folder's. */
    build_one(out_dir, "f.txt", "EEEE");
    forge_manifest(out_dir, "f.txt", "FFFF", 0);
    char copy[300], aside[300];
    snprintf(copy, sizeof copy, "%s-copy", out_dir);
    snprintf(aside, sizeof aside, "%s-aside", out_dir);
    fx_mkdir(copy, "");
    put_in(copy, "f.txt", "EEEE", 4);
    put_in(copy, OUTPUT_MARKER, "lumbar build output\n", 20);
    CHECK(rename(out_dir, aside) == 0 && rename(copy, out_dir) == 0);
    build_one(out_dir, "f.txt", "FFFF");
    strbuf_reset(&sb);
    CHECK(slurp(out_dir, "f.txt", &sb) && !strcmp(sb.data, "FFFF"));

    /* A manifest cut short is not used at all. */
    forge_manifest(out_dir, "f.txt", "GGGG", 3);
    build_one(out_dir, "f.txt", "GGGG");
    strbuf_reset(&sb);
    CHECK(slurp(out_dir, "f.txt", &sb) && !strcmp(sb.data, "GGGG"));

    /* A hash over parts does not depend on how they are split. */
    hash_wide_state st;
    hash_wide_init(&st, HASH_SEED);
    const char *text = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (size_t i = 0; i < strlen(text); i += 7)
        hash_wide_add(&st, text + i, strlen(text) - i < 7 ? strlen(text) - i : 7);
    CHECK(hash_wide_end(&st) == hash_wide(HASH_SEED, text, strlen(text)));
    CHECK(hash_wide(HASH_SEED, "abcd", 4) != hash_wide(HASH_SEED, "abce", 4));
    CHECK(output_remove_tree(aside));
    strbuf_free(&sb);
}

/* A build names the build before it (from its manifest); a file the
 * manifest records, still as written, is linked by output_link_recorded,
 * and one edited since (or missing from the manifest) is not, though
 * output_link_previous links it. */
static void test_link_recorded(void)
{
    char out_dir[260];
    snprintf(out_dir, sizeof out_dir, "%s/recorded-out", site_dir);
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    output *o = begin_ok(out_dir, false);
    CHECK(o && output_previous_build(o) == 0); /* no output yet */
    uint64_t first = o ? output_build_id(o) : 0;
    CHECK(first != 0);
    CHECK(o && output_write(o, "a.txt", "AAAA", 4, &dl) && output_write(o, "b.txt", "BBBB", 4, &dl));
    CHECK(o && output_commit(o, &dl));
    put_in(out_dir, "stray.txt", "SSSS", 4); /* not the build's */
    put_in(out_dir, "b.txt", "bbbb", 4);     /* edited in place */
    o = begin_ok(out_dir, false);
    CHECK(o && output_previous_build(o) == first && output_build_id(o) != first);
    CHECK(o && output_link_recorded(o, "a.txt"));
    CHECK(o && !output_link_recorded(o, "b.txt") && !output_link_recorded(o, "stray.txt"));
    CHECK(o && !output_link_recorded(o, "missing.txt"));
    CHECK(o && output_link_previous(o, "stray.txt"));
    CHECK(o && output_write(o, "b.txt", "BBBB", 4, &dl));
    CHECK(o && output_commit(o, &dl));
    CHECK(slurp(out_dir, "a.txt", &sb) && !strcmp(sb.data, "AAAA"));
    strbuf_reset(&sb);
    CHECK(slurp(out_dir, "b.txt", &sb) && !strcmp(sb.data, "BBBB"));
    CHECK_INT(dl.len, 0);
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

static void test_remove_tree(void)
{
    strbuf dir = STRBUF_INIT, link = STRBUF_INIT;
    fx_mkdir(root, "victim");
    strbuf_printf(&dir, "%s/victim", root);
    strbuf_printf(&link, "%s/victim/elsewhere", root);
    CHECK(symlink(site_dir, link.data) == 0);
    CHECK(output_remove_tree(dir.data));
    CHECK(!exists_in(root, "victim") && exists_in(site_dir, "assets/css/site.css"));
    CHECK(output_remove_tree(dir.data)); /* already gone */
    CHECK(output_remove_tree(root));
    CHECK(!exists_in(root, "."));
    strbuf_free(&dir);
    strbuf_free(&link);
}

static bool make_root(void)
{
    if (!th_tmpdir("output", root, sizeof root))
        return false;
    snprintf(site_dir, sizeof site_dir, "%s/site", root);
    snprintf(pub, sizeof pub, "%s/public", site_dir);
    snprintf(stg, sizeof stg, "%s/.public.lumbar-staging", site_dir);
    mkdir(site_dir, 0755);
    fx_mkdir(site_dir, "content");
    fx_mkdir(site_dir, "assets");
    fx_mkdir(site_dir, "assets/css");
    fx_mkdir(site_dir, "assets/img");
    put_in(site_dir, "assets/css/site.css", "body{}", 6);
    put_in(site_dir, "assets/img/logo.bin", "P\0N\xff", 4);
    return true;
}

/* Runs output_claims_check on claims given as {path, what, file, line}
 * and compares the diagnostics with want. */
typedef struct claim_case {
    const char *path, *what, *file;
    int line;
} claim_case;

static void check_claims(const claim_case *cases, size_t n, bool want_ok, const char *want)
{
    output_claims *c = output_claims_new();
    for (size_t i = 0; i < n; i++)
        output_claim(c, cases[i].path, cases[i].what, cases[i].file, cases[i].line, cases[i].line ? 3 : 0);
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    CHECK(output_claims_check(c, &dl) == want_ok);
    CHECK_STR(fx_diags(&dl, &sb), want);
    diag_list_clear(&dl);
    strbuf_free(&sb);
    output_claims_free(c);
}

static void test_claims(void)
{
    /* Paths that only share a folder, or a prefix that is not a folder,
       do not clash. */
    const claim_case fine[] = {{"css/site.css", "the asset assets/css/site.css", "assets/css/site.css", 0},
                               {"css/index.html", "alias /css/", "content/a.md", 5},
                               {"a/b", "the asset assets/a/b", "assets/a/b", 0},
                               {"a/b-c/index.html", "the page content/a/b-c.md", "content/a/b-c.md", 1},
                               {"a/b.html", "the asset assets/a/b.html", "assets/a/b.html", 0}};
    check_claims(fine, 5, true, "");
    /* The same path twice: the later claim is blamed, at its source. */
    const claim_case same[] = {{"search.json", "lumbar's search index", "", 0},
                               {"search.json", "the asset assets/search.json", "assets/search.json", 0}};
    check_claims(same, 2, false,
                 "assets/search.json: error: the asset assets/search.json would write /search.json, which is already "
                 "lumbar's search index\n");
    /* A later claim through an earlier file, and a later file under which
       earlier claims need a folder: each blamed once. */
    const claim_case through[] = {{"tags/a/index.html", "the generated page /tags/a/", "", 0},
                                  {"tags/b/index.html", "the generated page /tags/b/", "", 0},
                                  {"sitemap.xml", "lumbar's sitemap", "", 0},
                                  {"tags", "the asset assets/tags", "assets/tags", 0},
                                  {"sitemap.xml/index.html", "alias /sitemap.xml/", "content/a.md", 6}};
    check_claims(through, 5, false,
                 "content/a.md:6:3: error: alias /sitemap.xml/ would make /sitemap.xml a folder, but it is a file: "
                 "lumbar's sitemap\n"
                 "assets/tags: error: the asset assets/tags would make /tags a file, but it is a folder: the generated "
                 "page /tags/a/ needs it\n");
    /* A name over 255 bytes, quoted by whole characters; one lumbar makes up
       (no source) is not blamed on anyone. */
    strbuf longer = STRBUF_INIT, made_up = STRBUF_INIT;
    strbuf_puts(&longer, "old/a");
    for (int i = 0; i < 150; i++)
        strbuf_puts(&longer, "\xc3\xa9");
    strbuf_puts(&longer, "/index.html");
    strbuf_puts(&made_up, "tags/");
    for (int i = 0; i < 256; i++)
        strbuf_putc(&made_up, 'x');
    const claim_case names[] = {{longer.data, "alias /old/.../", "content/b.md", 7},
                                {made_up.data, "the generated page", "", 0},
                                {"ok/index.html", "the page content/ok.md", "content/ok.md", 1}};
    check_claims(names, 3, false,
                 "content/b.md:7:3: error: name of 301 bytes ('a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...'): "
                 "file systems allow 255; shorten it\n");
    strbuf_free(&longer);
    strbuf_free(&made_up);
}

/* fs_read_file refuses a named pipe at once (it used to wait for a writer
 * for ever) and a folder; fs_list_dir_all keeps hidden names. */
static void test_special_files(void)
{
    strbuf path = STRBUF_INIT, text = STRBUF_INIT;
    strbuf_printf(&path, "%s/pipe", root);
    CHECK(mkfifo(path.data, 0644) == 0);
    errno = 0;
    CHECK(!fs_read_file(path.data, true, &text));
    CHECK_INT(errno, FS_ENOTREG);
    CHECK_INT(text.len, 0);
    CHECK_STR(fs_strerror(FS_ENOTREG), "not a regular file (a named pipe, socket or device): refused");
    CHECK(!fs_read_file(root, true, &text));
    CHECK_INT(errno, EISDIR);
    fx_mkdir(root, "listed");
    put_in(root, "listed/.hidden.md", "x", 1);
    put_in(root, "listed/shown.md", "x", 1);
    size_t n;
    strbuf_reset(&path);
    strbuf_printf(&path, "%s/listed", root);
    char **names = fs_list_dir_all(path.data, &n, NULL);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(names[0], ".hidden.md");
        CHECK_STR(names[1], "shown.md");
    }
    fs_names_free(names, n);
    names = fs_list_dir(path.data, &n, NULL);
    CHECK_INT(n, 1);
    fs_names_free(names, n);
    strbuf_free(&path);
    strbuf_free(&text);
}

/* manifest_save writes each entry as printf's "%016llx %llu %llu %lld %ld
 * NAME" would (it formats by hand), and manifest_load reads back every
 * field, at the extremes of each. */
static void test_manifest_round_trip(void)
{
    manifest_file files[] = {
        {"a.html", {0x0123456789abcdefULL, 0, 1, 0, 0}, true},
        {"b/c/index.html", {UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MAX, 999999999}, true},
        {"old.css", {1, 20, 300, -86400, 5}, true},
        {"unknown.txt", {7, 7, 7, 7, 7}, false},
        {"bad\nname", {7, 7, 7, 7, 7}, true},
        {"z", {0xf0ULL, 123456789, 4000000000ULL, 1700000000, 123}, true},
    };
    size_t n = sizeof files / sizeof *files;
    struct stat folder;
    CHECK(stat(root, &folder) == 0);
    strbuf path = STRBUF_INIT, text = STRBUF_INIT, want = STRBUF_INIT;
    strbuf_printf(&path, "%s/manifest-test/m", root);
    CHECK(manifest_save(path.data, &folder, 0x1234abcd5678ef90ULL, files, n));
    CHECK(fs_read_file(path.data, false, &text));
    for (size_t i = 0; i < n; i++) {
        const manifest_entry *e = &files[i].entry;
        if (files[i].known && !strchr(files[i].rel, '\n'))
            strbuf_printf(&want, "%016llx %llu %llu %lld %ld %s\n", (unsigned long long)e->hash,
                          (unsigned long long)e->size, (unsigned long long)e->ino, (long long)e->ctime_sec,
                          e->ctime_nsec, files[i].rel);
    }
    CHECK(text.len >= want.len && !strcmp(text.data + text.len - want.len, want.data));
    manifest *m = manifest_load(path.data, &folder);
    CHECK(m != NULL);
    CHECK(manifest_build(m) == 0x1234abcd5678ef90ULL);
    CHECK(strstr(text.data, "\nbuild 1234abcd5678ef90\n") != NULL);
    for (size_t i = 0; m && i < n; i++) {
        const manifest_entry *got = manifest_get(m, files[i].rel), *e = &files[i].entry;
        bool listed = files[i].known && !strchr(files[i].rel, '\n');
        CHECK((got != NULL) == listed);
        if (got && listed)
            CHECK(got->hash == e->hash && got->size == e->size && got->ino == e->ino &&
                  got->ctime_sec == e->ctime_sec && got->ctime_nsec == e->ctime_nsec);
    }
    manifest_free(m);
    strbuf_free(&path);
    strbuf_free(&text);
    strbuf_free(&want);
}

/* fs_read_file takes a file whole, in the size it had when opened, after
 * what the buffer holds already; a file of no stated size (/proc) is read
 * to its end. */
static void test_read_whole(void)
{
    static const size_t sizes[] = {0, 1, 4095, 4096, 16383, 16384, 16385, 100000};
    strbuf path = STRBUF_INIT, text = STRBUF_INIT, want = STRBUF_INIT;
    strbuf_printf(&path, "%s/whole", root);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        strbuf_reset(&want);
        for (size_t i = 0; i < sizes[k]; i++)
            strbuf_putc(&want, (char)('a' + (i * 7 + k) % 26));
        put_in(root, "whole", want.data, want.len);
        strbuf_reset(&text);
        strbuf_puts(&text, "kept:");
        CHECK(fs_read_file(path.data, false, &text));
        CHECK_INT(text.len, want.len + 5);
        CHECK(!memcmp(text.data, "kept:", 5) && (!want.len || !memcmp(text.data + 5, want.data, want.len)));
        CHECK(text.data[text.len] == '\0');
    }
    strbuf_reset(&text);
    CHECK(fs_read_file("/proc/self/status", true, &text));
    CHECK(strstr(text.data, "Name:") == text.data);
    CHECK(strstr(text.data, "\nPid:") != NULL);
    strbuf_free(&path);
    strbuf_free(&text);
    strbuf_free(&want);
}

int main(void)
{
    CHECK(make_root());
    if (th_failed)
        TEST_END("output");
    test_refusals();
    test_foreign();
    test_first_build();
    test_rebuild();
    test_reused_staging();
    test_lock();
    test_abort();
    test_bad_paths();
    test_folder_becomes_file();
    test_copy_symlink();
    test_parts();
    test_special_files();
    test_read_whole();
    test_manifest_round_trip();
    test_manifest();
    test_link_recorded();
    test_remove_tree(); /* removes the temporary folder: last but the pure ones */
    test_claims();
    TEST_END("output");
}
