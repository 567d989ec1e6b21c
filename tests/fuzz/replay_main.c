/* replay_main: runs a fuzz target over files without libFuzzer.
 *
 *   fuzz_NAME FILE_OR_DIR...
 *
 * Each regular file (directories are read one level deep, in name order) is
 * one input, run in a child process so that a crash, a sanitizer report or
 * a hang fails that input alone. A child that runs longer than
 * $REPLAY_TIMEOUT seconds (default 20) is killed. Prints one line per
 * failing input and ends with "NAME: N inputs replayed, N failed"; exits 1
 * when any failed. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "strbuf.h"
#include "xalloc.h"

static bool read_file(const char *path, strbuf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_append(out, buf, got);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

/* Runs one input in a child; returns true when it passed. */
static bool replay(const char *path, unsigned timeout)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "FAIL %s: cannot fork: %s\n", path, strerror(errno));
        return false;
    }
    if (pid == 0) {
        alarm(timeout);
        strbuf data = STRBUF_INIT;
        if (!read_file(path, &data)) {
            fprintf(stderr, "cannot read %s\n", path);
            _exit(3);
        }
        LLVMFuzzerTestOneInput((const uint8_t *)strbuf_cstr(&data), data.len);
        strbuf_free(&data);
        exit(0); /* not _exit: leak checkers report at exit */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (WIFSIGNALED(status))
        fprintf(stderr, "FAIL %s: %s\n", path,
                WTERMSIG(status) == SIGALRM ? "timed out" : strsignal(WTERMSIG(status)));
    else
        fprintf(stderr, "FAIL %s: exit status %d\n", path, WEXITSTATUS(status));
    return false;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Replays every regular file in dir; adds to the counts. */
static void replay_dir(const char *dir, unsigned timeout, size_t *runs, size_t *fails)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        strbuf path = STRBUF_INIT;
        strbuf_printf(&path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path.data, &st) == 0 && S_ISREG(st.st_mode)) {
            (*runs)++;
            *fails += !replay(path.data, timeout);
        }
        strbuf_free(&path);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    const char *t = getenv("REPLAY_TIMEOUT");
    unsigned timeout = t && atoi(t) > 0 ? (unsigned)atoi(t) : 20;
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    size_t runs = 0, fails = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "FAIL %s: %s\n", argv[i], strerror(errno));
            fails++;
        } else if (S_ISDIR(st.st_mode)) {
            replay_dir(argv[i], timeout, &runs, &fails);
        } else {
            runs++;
            fails += !replay(argv[i], timeout);
        }
    }
    printf("%s: %zu inputs replayed, %zu failed\n", name, runs, fails);
    return fails ? 1 : 0;
}
