/* fuzz: what every fuzz target shares.
 *
 * Each tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput and nothing
 * else that is exported. Linked with -fsanitize=fuzzer it is a libFuzzer
 * target (make fuzz); linked with replay_main.c it replays files (make
 * check). Targets check properties as well as memory safety: a broken
 * promise (an escaped string that can still close a <script>, a slug that
 * is not one) calls FUZZ_ASSERT, which aborts so that libFuzzer keeps the
 * input and the replay counts it as a failure. */
#ifndef LUMBAR_FUZZ_H
#define LUMBAR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs one input; always returns 0 (libFuzzer's convention). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                              \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* Returns a NUL-terminated copy of the input the caller frees: the library
 * takes (pointer, length) but some callers also read up to a NUL. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
