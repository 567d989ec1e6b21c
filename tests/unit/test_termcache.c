/* Unit tests for termcache.c, in a fresh site folder under /tmp (removed
 * at the end): a missing cache is empty; what one build saves the next
 * loads, entry for entry; a build that missed nothing and kept every page
 * leaves the file alone, one that lost a page rewrites it; a file from
 * another binary, a damaged one (cut short, a bad key, a wrong length) is
 * ignored whole; keys tell their parts apart; a symbolic link at the
 * cache's path is replaced, never written through, and one in place of
 * the folder stops saving. */
#include "harness.h"
#include "fixture.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "output.h"
#include "termcache.h"
#include "xalloc.h"

static char root[200];

static char *cache_path(void) { return fs_join(root, ".lumbar-cache/search-terms"); }

static bool save3(termcache *c, size_t n)
{
    static const uint64_t keys[] = {1, 0xfedcba9876543210ULL, 42};
    static const char *const terms[] = {"12\nback\t3 0", "0", "7\nwalk\t1 1\nbed\t2 0"};
    size_t lens[3];
    for (size_t i = 0; i < 3; i++)
        lens[i] = strlen(terms[i]);
    return termcache_save(c, keys, terms, lens, n);
}

static struct timespec mtime_of(const char *path)
{
    struct stat st;
    struct timespec none = {0, 0};
    return stat(path, &st) == 0 ? st.st_mtim : none;
}

static void test_round_trip(void)
{
    termcache *c = termcache_load(root);
    CHECK(termcache_get(c, 1) == NULL); /* no file yet */
    CHECK(save3(c, 3));
    termcache_free(c);
    c = termcache_load(root);
    CHECK_STR(termcache_get(c, 1), "12\nback\t3 0");
    CHECK_STR(termcache_get(c, 0xfedcba9876543210ULL), "0");
    CHECK_STR(termcache_get(c, 42), "7\nwalk\t1 1\nbed\t2 0");
    CHECK(termcache_get(c, 43) == NULL);
    termcache_free(c);

    /* Every page found and none gone: the file is not written again. */
    char *path = cache_path();
    struct timespec before = mtime_of(path);
    usleep(20000);
    c = termcache_load(root);
    CHECK(termcache_get(c, 1) && termcache_get(c, 42) && termcache_get(c, 0xfedcba9876543210ULL));
    termcache_end_reads(c);
    CHECK(save3(c, 3));
    termcache_free(c);
    struct timespec after = mtime_of(path);
    CHECK(before.tv_sec == after.tv_sec && before.tv_nsec == after.tv_nsec);

    /* A page gone: rewritten with the two left. */
    c = termcache_load(root);
    CHECK(termcache_get(c, 1) != NULL);
    CHECK(save3(c, 2));
    termcache_free(c);
    c = termcache_load(root);
    CHECK(termcache_get(c, 1) != NULL);
    CHECK(termcache_get(c, 42) == NULL);
    termcache_free(c);
    free(path);
}

/* Replaces the cache file's text, then checks that nothing loads from it. */
static void check_ignored(const char *text, const char *why)
{
    char *path = cache_path();
    strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, text);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fwrite(sb.data, 1, sb.len, f);
        fclose(f);
    }
    termcache *c = termcache_load(root);
    if (termcache_get(c, 1) != NULL)
        fprintf(stderr, "termcache: loaded from %s\n", why);
    CHECK(termcache_get(c, 1) == NULL);
    termcache_free(c);
    strbuf_free(&sb);
    free(path);
}

static void test_damaged(void)
{
    termcache *c = termcache_load(root);
    CHECK(save3(c, 3));
    termcache_free(c);
    char *path = cache_path();
    strbuf good = STRBUF_INIT;
    CHECK(fs_read_file(path, false, &good));
    const char *first = strchr(good.data, '\n') + 1; /* the entries, after the header */
    strbuf text = STRBUF_INIT;
    strbuf_printf(&text, "lumbar search terms 1 another-binary\n%s", first);
    check_ignored(text.data, "another binary's file");
    strbuf_reset(&text);
    strbuf_append(&text, good.data, good.len - 3);
    check_ignored(text.data, "a file cut short");
    strbuf_reset(&text);
    strbuf_append(&text, good.data, (size_t)(first - good.data));
    strbuf_puts(&text, "000000000000000z 3\nabc\n");
    check_ignored(text.data, "a bad key");
    strbuf_reset(&text);
    strbuf_append(&text, good.data, (size_t)(first - good.data));
    strbuf_puts(&text, "0000000000000001 99\nabc\n");
    check_ignored(text.data, "a wrong length");
    strbuf_free(&text);
    strbuf_free(&good);
    free(path);
}

static void test_keys(void)
{
    const char *ab_c[] = {"ab", "c"}, *a_bc[] = {"a", "bc"}, *null_empty[] = {NULL, ""}, *empty_null[] = {"", NULL};
    CHECK(termcache_key(ab_c, 2) != termcache_key(a_bc, 2));
    CHECK(termcache_key(null_empty, 2) == termcache_key(empty_null, 2));
}

static void test_links(void)
{
    char *path = cache_path(), *target = fs_join(root, "elsewhere");
    fx_put(root, "elsewhere", "keep\n");
    unlink(path);
    CHECK(symlink(target, path) == 0);
    termcache *c = termcache_load(root);
    CHECK(termcache_get(c, 1) == NULL); /* a link is not read */
    CHECK(save3(c, 3));
    termcache_free(c);
    strbuf kept = STRBUF_INIT;
    CHECK(fs_read_file(target, false, &kept));
    CHECK_STR(strbuf_cstr(&kept), "keep\n");
    struct stat st;
    CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
    strbuf_free(&kept);

    /* A link in place of the folder: nothing is saved through it. */
    char *top = fs_join(root, ".lumbar-cache"), *other = fs_join(root, "other");
    CHECK(output_remove_tree(top));
    fx_mkdir(root, "other");
    CHECK(symlink(other, top) == 0);
    c = termcache_load(root);
    CHECK(termcache_get(c, 1) == NULL);
    CHECK(!save3(c, 3));
    termcache_free(c);
    char *through = fs_join(other, "search-terms");
    CHECK(access(through, F_OK) != 0);
    free(through);
    free(top);
    free(other);
    free(target);
    free(path);
}

int main(void)
{
    bool made = th_tmpdir("termcache", root, sizeof root);
    CHECK(made);
    if (made) {
        test_round_trip();
        test_damaged();
        test_keys();
        test_links();
        CHECK(output_remove_tree(root));
    }
    TEST_END("termcache");
}
