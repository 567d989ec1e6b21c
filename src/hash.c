#include "hash.h"

#include <string.h>

#define FNV_PRIME 1099511628211ULL

uint64_t hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    /* FNV-1a over 8-byte words, with a shift to carry high bits down (a
     * multiply only moves bits up): whole files are hashed on every build,
     * and a byte at a time was 4% of it. */
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t word;
        memcpy(&word, p, sizeof word);
        h = (h ^ word) * FNV_PRIME;
        h ^= h >> 32;
    }
    for (; n > 0; p++, n--)
        h = (h ^ *p) * FNV_PRIME;
    return h;
}

uint64_t hash_str(uint64_t h, const char *s)
{
    /* The terminating NUL is hashed too, so ("ab","c") and ("a","bc") differ. */
    return s ? hash_bytes(h, s, strlen(s) + 1) : hash_bytes(h, "", 1);
}
