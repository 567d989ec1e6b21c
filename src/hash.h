/* hash: a fast non-cryptographic hash (64-bit FNV-1a over words) for change detection.
 * Never used where an attacker could profit from a collision: only to tell
 * whether a dev-server rebuild can reuse a page from the previous build. */
#ifndef LUMBAR_HASH_H
#define LUMBAR_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SEED 14695981039346656037ULL

/* Spreads every bit of h into the low ones (MurmurHash3's finaliser): a
 * table that takes a hash's low bits as the slot needs it, since the
 * multiply in hash_bytes moves bits only upward. Keys alike but for their
 * last bytes ("/causes/article-1234/") probed 8.4 slots each without it,
 * 1.2 with it. */
static inline uint64_t hash_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* Returns the hash of n bytes at data, continuing from h (HASH_SEED to start). */
uint64_t hash_bytes(uint64_t h, const void *data, size_t n);
/* Returns a hash of n bytes at data, continuing from h, four times as fast
 * as hash_bytes on long inputs (four independent lanes of 8 bytes): for
 * telling whether a written file changed, where every byte of every output
 * file goes through it. Not the same values as hash_bytes. */
uint64_t hash_wide(uint64_t h, const void *data, size_t n);
/* hash_wide over bytes given in pieces: init, add each piece, end. The
 * result is hash_wide of the pieces joined, however they are split. */
typedef struct hash_wide_state {
    uint64_t lanes[4];
    unsigned char tail[32]; /* bytes of a block not yet complete */
    size_t tail_len;
    uint64_t total;
} hash_wide_state;
void hash_wide_init(hash_wide_state *s, uint64_t h);
void hash_wide_add(hash_wide_state *s, const void *data, size_t n);
uint64_t hash_wide_end(const hash_wide_state *s);
/* Returns the hash of the NUL-terminated s, continuing from h; NULL hashes as "". */
uint64_t hash_str(uint64_t h, const char *s);

#endif
