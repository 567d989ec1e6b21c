/* LD_PRELOAD shim for tests: another build wins the race to make the
 * staging folder. Just before this process makes a folder whose name ends
 * in ".lumbar-staging", the shim makes it and locks it (flock on its own
 * open file description, kept open, which conflicts with the build's own
 * lock as another process's would), so the build's mkdir finds it there
 * and locked. Built by tests/suite-hostile.sh. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdir(const char *path, mode_t mode)
{
    static int (*real_mkdir)(const char *, mode_t);
    if (!real_mkdir)
        *(void **)&real_mkdir = dlsym(RTLD_NEXT, "mkdir");
    static const char suffix[] = ".lumbar-staging";
    size_t n = strlen(path), m = sizeof suffix - 1;
    if (n >= m && !strcmp(path + n - m, suffix) && real_mkdir(path, 0700) == 0) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0)
            (void)flock(fd, LOCK_EX);
    }
    return real_mkdir(path, mode);
}
