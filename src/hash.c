#include "hash.h"

#include <string.h>

uint64_t hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

uint64_t hash_str(uint64_t h, const char *s)
{
    /* The terminating NUL is hashed too, so ("ab","c") and ("a","bc") differ. */
    return s ? hash_bytes(h, s, strlen(s) + 1) : hash_bytes(h, "", 1);
}
