/* Unit tests for utf8.c and the small strbuf and fs helpers the build's
 * hot paths use (fs_read_file, fs_list_dir, fs_path_within). */
#include "harness.h"

#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "strbuf.h"
#include "utf8.h"

#define FIRST_INVALID(lit) utf8_first_invalid(lit, sizeof lit - 1)

static void test_first_invalid(void)
{
    CHECK_INT(FIRST_INVALID(""), 0);
    CHECK_INT(FIRST_INVALID("plain ascii, longer than eight bytes"), 36);
    CHECK_INT(FIRST_INVALID("caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80 ok"), 17);
    CHECK_INT(FIRST_INVALID("nul \0 is fine"), 13);
    /* The bad byte found at every offset around the eight-byte steps. */
    for (size_t at = 0; at < 20; at++) {
        char text[24];
        memset(text, 'a', sizeof text);
        text[at] = (char)0xE9; /* Latin-1 e-acute */
        CHECK_INT(utf8_first_invalid(text, sizeof text), at);
    }
    CHECK_INT(FIRST_INVALID("abcdefgh\xC0\x80"), 8);          /* overlong NUL */
    CHECK_INT(FIRST_INVALID("abcdefgh\xED\xA0\x80"), 8);      /* a surrogate */
    CHECK_INT(FIRST_INVALID("abcdefgh\xF4\x90\x80\x80"), 8);  /* above U+10FFFF */
    CHECK_INT(FIRST_INVALID("abcdefgh\xE2\x80"), 8);          /* cut short */
    CHECK_INT(FIRST_INVALID("\xE2\x80\x94\xFF"), 3);
}

static void test_position(void)
{
    const char *text = "one\ntw\xC3\xB6\xC3\xB6x\nthree";
    int line, col;
    utf8_position(text, 0, 7, &line, &col);
    CHECK(line == 7 && col == 1);
    utf8_position(text, 10, 7, &line, &col); /* the x: two-byte letters count once */
    CHECK(line == 8 && col == 5);
    utf8_position(text, 12, 7, &line, &col);
    CHECK(line == 9 && col == 1);
}

static void test_strbuf_helpers(void)
{
    strbuf sb = STRBUF_INIT;
    strbuf_put_uint(&sb, 0, 1);
    strbuf_putc(&sb, ' ');
    strbuf_put_uint(&sb, 7, 2);
    strbuf_putc(&sb, ' ');
    strbuf_put_uint(&sb, 2026, 4);
    strbuf_putc(&sb, ' ');
    strbuf_put_uint(&sb, 18446744073709551615ull, 1);
    CHECK_STR(strbuf_cstr(&sb), "0 07 2026 18446744073709551615");
    strbuf_truncate(&sb, 4);
    CHECK_STR(strbuf_cstr(&sb), "0 07");
    strbuf_truncate(&sb, 10); /* longer than the contents: nothing changes */
    CHECK_STR(strbuf_cstr(&sb), "0 07");
    CHECK_INT(sb.len, 4);
    strbuf_free(&sb);
}

/* fs_read_file sizes its buffer from the file: every size around the
 * first guess reads whole, appended to what the buffer held, and the
 * buffer stays NUL-terminated; a missing file or a link it must not
 * follow fails. */
static void test_read_file(void)
{
    char dir[256];
    if (!th_tmpdir("read", dir, sizeof dir)) {
        CHECK(!"a temporary folder");
        return;
    }
    char *path = fs_join(dir, "f.txt"), *link = fs_join(dir, "link");
    static const size_t sizes[] = {0, 1, 62, 63, 64, 16383, 16384, 16385, 100000};
    long bad = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        FILE *f = fopen(path, "wb");
        for (size_t i = 0; f && i < sizes[k]; i++)
            fputc('a' + (int)(i % 26), f);
        if (f)
            fclose(f);
        strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "head:");
        bool ok = fs_read_file(path, false, &sb);
        bad += !ok || sb.len != 5 + sizes[k] || sb.data[sb.len] != '\0' || memcmp(sb.data, "head:", 5) != 0;
        for (size_t i = 0; ok && i < sizes[k] && i < sb.len - 5; i++)
            bad += sb.data[5 + i] != 'a' + (int)(i % 26);
        strbuf_free(&sb);
    }
    CHECK_INT(bad, 0);
    strbuf sb = STRBUF_INIT;
    CHECK(symlink("f.txt", link) == 0);
    CHECK(!fs_read_file(link, false, &sb));
    CHECK(fs_read_file(link, true, &sb) && sb.len == 100000);
    unlink(path);
    CHECK(!fs_read_file(path, true, &sb));
    strbuf_free(&sb);
    unlink(link);
    rmdir(dir);
    free(path);
    free(link);
}

static void test_list_dir_kinds(void)
{
    char dir[256];
    if (!th_tmpdir("fs", dir, sizeof dir)) {
        CHECK(!"a temporary folder");
        return;
    }
    char *sub = fs_join(dir, "b-folder"), *file = fs_join(dir, "a.md"), *link = fs_join(dir, "c-link"),
         *hidden = fs_join(dir, ".hidden");
    CHECK(mkdir(sub, 0755) == 0);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    f = fopen(hidden, "w");
    if (f)
        fclose(f);
    CHECK(symlink("a.md", link) == 0);
    size_t n;
    fs_kind *kinds;
    char **names = fs_list_dir(dir, &n, &kinds);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(names[0], "a.md");
        CHECK_STR(names[1], "b-folder");
        CHECK_STR(names[2], "c-link");
        /* File systems may answer "unknown"; never the wrong kind. */
        CHECK(kinds[0] == FS_FILE || kinds[0] == FS_UNKNOWN);
        CHECK(kinds[1] == FS_DIR || kinds[1] == FS_UNKNOWN);
        CHECK(kinds[2] == FS_OTHER || kinds[2] == FS_UNKNOWN);
    }
    free(kinds);
    fs_names_free(names, n);
    names = fs_list_dir(sub, &n, &kinds);
    CHECK(names == NULL && n == 0 && kinds == NULL);
    unlink(link);
    unlink(file);
    unlink(hidden);
    rmdir(sub);
    rmdir(dir);
    free(sub);
    free(file);
    free(link);
    free(hidden);
}

static void test_path_within(void)
{
    CHECK(fs_path_within("/a/b", "/a/b"));
    CHECK(fs_path_within("/a/b/c.md", "/a/b"));
    CHECK(!fs_path_within("/a/bc", "/a/b"));        /* a longer name is not inside */
    CHECK(!fs_path_within("/a/bc/d", "/a/b"));
    CHECK(!fs_path_within("/a", "/a/b"));
    CHECK(fs_path_within("/a/b/", "/a/b"));         /* trailing slashes */
    CHECK(fs_path_within("/a/b/c", "/a/b/"));
    CHECK(fs_path_within("/a//b/./c", "/a/b"));
    CHECK(!fs_path_within("/a/b/../c", "/a/b"));    /* climbs out */
    CHECK(!fs_path_within("/a/b/..", "/a/b"));
    CHECK(fs_path_within("/a/b/c/../d", "/a/b"));
    CHECK(fs_path_within("/a/x/../b/d", "/a/b"));
    CHECK(!fs_path_within("/a/b/c/../../bc", "/a/b"));
    CHECK(fs_path_within("/../a/b", "/a"));         /* the root has no parent */
    CHECK(fs_path_within("/anything", "/"));
    CHECK(fs_path_within("/", "/"));
    CHECK(!fs_path_within("a/b", "/a"));            /* relative vs absolute */
    CHECK(!fs_path_within("/a/b", "a"));
    CHECK(fs_path_within("a/b", "a"));
    CHECK(!fs_path_within("../a", "."));
    CHECK(fs_path_within("..a", "."));
    CHECK(!fs_path_within("a/../../b", "."));
    CHECK(fs_path_within("../x/y", "../x"));
    CHECK(!fs_path_within("../../x", "../x"));
}

int main(void)
{
    test_first_invalid();
    test_position();
    test_strbuf_helpers();
    test_read_file();
    test_list_dir_kinds();
    test_path_within();
    TEST_END("utf8");
}
