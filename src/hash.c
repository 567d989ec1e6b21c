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

/* One lane's step: a multiply spreads the word's bits upward, the shift
 * brings the high ones down; both are one-to-one, so a changed word
 * always changes the lane. */
static uint64_t lane(uint64_t state, uint64_t word)
{
    state = (state ^ word) * FNV_PRIME;
    return state ^ (state >> 29);
}

static void add_block(hash_wide_state *s, const unsigned char *p)
{
    uint64_t w[4];
    memcpy(w, p, sizeof w);
    for (int i = 0; i < 4; i++)
        s->lanes[i] = lane(s->lanes[i], w[i]);
}

void hash_wide_init(hash_wide_state *s, uint64_t h)
{
    *s = (hash_wide_state){{h, h ^ 0x9E3779B97F4A7C15ULL, h ^ 0xC2B2AE3D27D4EB4FULL, h ^ 0x165667B19E3779F9ULL},
                           {0}, 0, 0};
}

void hash_wide_add(hash_wide_state *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    s->total += n;
    if (s->tail_len) { /* finish the block an earlier piece began */
        size_t take = 32 - s->tail_len < n ? 32 - s->tail_len : n;
        memcpy(s->tail + s->tail_len, p, take);
        s->tail_len += take;
        p += take;
        n -= take;
        if (s->tail_len < 32)
            return;
        add_block(s, s->tail);
        s->tail_len = 0;
    }
    for (; n >= 32; p += 32, n -= 32)
        add_block(s, p);
    memcpy(s->tail, p, n);
    s->tail_len = n;
}

uint64_t hash_wide_end(const hash_wide_state *s)
{
    /* Folded one into the next, each step one-to-one in the lane it takes. */
    uint64_t out = lane(lane(lane(lane(s->lanes[0], s->lanes[1]), s->lanes[2]), s->lanes[3]), s->total);
    return hash_bytes(out, s->tail, s->tail_len);
}

uint64_t hash_wide(uint64_t h, const void *data, size_t n)
{
    hash_wide_state s;
    hash_wide_init(&s, h);
    hash_wide_add(&s, data, n);
    return hash_wide_end(&s);
}

uint64_t hash_str(uint64_t h, const char *s)
{
    /* The terminating NUL is hashed too, so ("ab","c") and ("a","bc") differ. */
    return s ? hash_bytes(h, s, strlen(s) + 1) : hash_bytes(h, "", 1);
}
