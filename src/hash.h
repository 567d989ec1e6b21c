/* hash: a fast non-cryptographic hash (64-bit FNV-1a over words) for change detection.
 * Never used where an attacker could profit from a collision: only to tell
 * whether a dev-server rebuild can reuse a page from the previous build. */
#ifndef LUMBAR_HASH_H
#define LUMBAR_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SEED 14695981039346656037ULL

/* Returns the hash of n bytes at data, continuing from h (HASH_SEED to start). */
uint64_t hash_bytes(uint64_t h, const void *data, size_t n);
/* Returns the hash of the NUL-terminated s, continuing from h; NULL hashes as "". */
uint64_t hash_str(uint64_t h, const char *s);

#endif
