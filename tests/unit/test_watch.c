/* Unit tests for watch.c, in a fresh site folder under /tmp per test.
 *
 * inotify queues an event before the system call that caused it returns,
 * so each check reads right after the change, with no waiting. Covered:
 * creating, writing, renaming and deleting files; files in nested folders;
 * an editor's atomic save (a temporary file renamed over the page); a new
 * folder, a folder moved in and one moved out; config.ini and the other
 * top-level names; hidden and backup files; nothing pending. */
#include "harness.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "output.h"
#include "watch.h"

static char site_dir[256];

/* A site folder with config.ini, content/a.md, content/x/y/z/deep.md,
 * layouts/ and assets/, and a watcher of it with nothing pending. */
static watcher *fresh_site(const char *name)
{
    if (!th_tmpdir(name, site_dir, sizeof site_dir))
        return NULL;
    fx_put(site_dir, "config.ini", "[site]\n");
    fx_mkdir(site_dir, "content");
    fx_mkdir(site_dir, "content/x");
    fx_mkdir(site_dir, "content/x/y");
    fx_mkdir(site_dir, "content/x/y/z");
    fx_mkdir(site_dir, "layouts");
    fx_mkdir(site_dir, "assets");
    fx_put(site_dir, "content/a.md", "A\n");
    fx_put(site_dir, "content/x/y/z/deep.md", "Deep\n");
    return watch_new(site_dir);
}

static void done(watcher *w)
{
    char *error = w ? watch_take_error(w) : NULL;
    CHECK(error == NULL);
    free(error);
    watch_free(w);
    output_remove_tree(site_dir);
}

/* Renames site_dir/from to site_dir/to. */
static int move(const char *from, const char *to)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/%s", site_dir, from);
    snprintf(b, sizeof b, "%s/%s", site_dir, to);
    return rename(a, b);
}

static int remove_at(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", site_dir, rel);
    return remove(p);
}

static void test_files(void)
{
    watcher *w = fresh_site("watch-files");
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK(watch_fd(w) >= 0);
    CHECK(!watch_read(w)); /* nothing happened yet */
    fx_put(site_dir, "content/b.md", "B\n");
    CHECK(watch_read(w));
    CHECK(!watch_read(w)); /* read once, gone */
    fx_put(site_dir, "content/a.md", "A changed\n");
    CHECK(watch_read(w));
    CHECK_INT(move("content/a.md", "content/c.md"), 0);
    CHECK(watch_read(w));
    CHECK_INT(remove_at("content/c.md"), 0);
    CHECK(watch_read(w));
    fx_put(site_dir, "layouts/page.html", "{{content}}\n");
    CHECK(watch_read(w));
    fx_put(site_dir, "assets/site.css", "body{}\n");
    CHECK(watch_read(w));
    done(w);
}

static void test_nested(void)
{
    watcher *w = fresh_site("watch-nested");
    if (!w)
        return;
    fx_put(site_dir, "content/x/y/z/deep.md", "Deeper\n");
    CHECK(watch_read(w));
    CHECK_INT(remove_at("content/x/y/z/deep.md"), 0);
    CHECK(watch_read(w));
    done(w);
}

/* vim and most editors write a temporary file and rename it over the page. */
static void test_atomic_save(void)
{
    watcher *w = fresh_site("watch-atomic");
    if (!w)
        return;
    fx_put(site_dir, "content/a.md.tmp", "A saved\n");
    fx_put(site_dir, "content/.a.md.swp", "swap\n");
    fx_put(site_dir, "content/a.md~", "backup\n");
    fx_put(site_dir, "content/#a.md#", "emacs\n");
    fx_put(site_dir, "content/4913", "vim probe\n");
    CHECK(!watch_read(w)); /* only editor noise so far */
    CHECK_INT(move("content/a.md.tmp", "content/a.md"), 0);
    CHECK(watch_read(w));
    done(w);
}

static void test_new_folder(void)
{
    watcher *w = fresh_site("watch-newdir");
    if (!w)
        return;
    fx_mkdir(site_dir, "content/new");
    CHECK(watch_read(w)); /* the folder itself, and it is watched from now */
    fx_put(site_dir, "content/new/page.md", "New\n");
    CHECK(watch_read(w));
    fx_mkdir(site_dir, "content/new/sub");
    CHECK(watch_read(w));
    fx_put(site_dir, "content/new/sub/page.md", "Sub\n");
    CHECK(watch_read(w));
    done(w);
}

/* A tree moved in is watched all the way down; one moved out stops counting. */
static void test_moved_folders(void)
{
    watcher *w = fresh_site("watch-moved");
    if (!w)
        return;
    fx_mkdir(site_dir, "outside");
    fx_mkdir(site_dir, "outside/t");
    fx_mkdir(site_dir, "outside/t/u");
    CHECK(!watch_read(w)); /* outside/ is no top-level name the build reads */
    CHECK_INT(move("outside/t", "content/t"), 0);
    CHECK(watch_read(w));
    fx_put(site_dir, "content/t/u/page.md", "Moved in\n");
    CHECK(watch_read(w));
    CHECK_INT(move("content/x", "outside/x"), 0);
    CHECK(watch_read(w));
    fx_put(site_dir, "outside/x/y/z/deep.md", "Moved out\n");
    fx_put(site_dir, "outside/x/y/new.md", "Moved out\n");
    CHECK(!watch_read(w));
    done(w);
}

static void test_top_level(void)
{
    watcher *w = fresh_site("watch-top");
    if (!w)
        return;
    fx_put(site_dir, "README.txt", "notes\n");
    fx_mkdir(site_dir, "public");
    fx_put(site_dir, "public/index.html", "<p>out</p>\n");
    fx_put(site_dir, ".config.ini.swp", "swap\n");
    CHECK(!watch_read(w));
    fx_put(site_dir, "config.ini", "[site]\ntitle = T\n");
    CHECK(watch_read(w));
    fx_put(site_dir, "content/.hidden.md", "hidden\n");
    CHECK(!watch_read(w));
    /* A root folder made after the watcher started is watched too. */
    CHECK_INT(remove_at("assets"), 0);
    CHECK(watch_read(w));
    fx_mkdir(site_dir, "assets");
    CHECK(watch_read(w));
    fx_put(site_dir, "assets/app.js", "1;\n");
    CHECK(watch_read(w));
    done(w);
}

int main(void)
{
    watch_free(NULL);
    test_files();
    test_nested();
    test_atomic_save();
    test_new_folder();
    test_moved_folders();
    test_top_level();
    TEST_END("watch");
}
