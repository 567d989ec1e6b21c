#include "fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "xalloc.h"

char *fs_join(const char *a, const char *b)
{
    strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "%s/%s", a, b);
    return strbuf_detach(&sb);
}

bool fs_read_file(const char *path, bool follow_links, strbuf *out)
{
    int fd = open(path, O_RDONLY | (follow_links ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return false;
    char buf[65536];
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0)
        strbuf_append(out, buf, (size_t)got);
    close(fd);
    strbuf_reserve(out, 0); /* data is never NULL after a successful read */
    return got == 0;
}

char **fs_list_dir(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap)
            names = xrealloc(names, (cap = cap ? cap * 2 : 32) * sizeof *names);
        names[(*n)++] = xstrdup(e->d_name);
    }
    closedir(d);
    xqsort(names, *n, sizeof *names, cmp_cstr);
    return names;
}

void fs_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
