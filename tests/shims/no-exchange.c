/* LD_PRELOAD shim for tests: a file system without RENAME_EXCHANGE, as some
 * network and FUSE file systems are, so output.c's fallback gets exercised.
 * Each refused call appends a line to $NO_EXCHANGE_LOG when it is set, so a
 * test can tell the fallback really ran. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
    (void)olddirfd, (void)oldpath, (void)newdirfd, (void)newpath, (void)flags;
    const char *log = getenv("NO_EXCHANGE_LOG");
    int fd = log ? open(log, O_WRONLY | O_APPEND | O_CREAT, 0644) : -1;
    if (fd >= 0) {
        (void)!write(fd, "refused\n", 8);
        close(fd);
    }
    errno = EINVAL;
    return -1;
}
