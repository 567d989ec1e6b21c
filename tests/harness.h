/* A tiny assert harness for the unit tests: each test program counts its
 * checks and ends with "SUITE: N passed, N failed", which tests/run-suites
 * adds up. A failed check prints where it was and what differed. */
#ifndef LUMBAR_TEST_HARNESS_H
#define LUMBAR_TEST_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int th_passed, th_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            th_passed++;                                                         \
        } else {                                                                 \
            th_failed++;                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_STR(got, want)                                                     \
    do {                                                                         \
        const char *th_g = (got), *th_w = (want);                                \
        if (th_g && th_w && strcmp(th_g, th_w) == 0) {                           \
            th_passed++;                                                         \
        } else {                                                                 \
            th_failed++;                                                         \
            fprintf(stderr, "%s:%d: %s\n  got:  \"%s\"\n  want: \"%s\"\n", __FILE__, \
                    __LINE__, #got, th_g ? th_g : "(null)", th_w ? th_w : "(null)"); \
        }                                                                        \
    } while (0)

#define CHECK_INT(got, want)                                                     \
    do {                                                                         \
        long long th_g = (long long)(got), th_w = (long long)(want);             \
        if (th_g == th_w) {                                                      \
            th_passed++;                                                         \
        } else {                                                                 \
            th_failed++;                                                         \
            fprintf(stderr, "%s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__, \
                    #got, th_g, th_w);                                           \
        }                                                                        \
    } while (0)

/* Ends main(): prints the suite's line and returns its exit status. */
#define TEST_END(suite)                                                          \
    do {                                                                         \
        printf("%s: %d passed, %d failed\n", suite, th_passed, th_failed);      \
        return th_failed ? 1 : 0;                                                \
    } while (0)

/* Makes a fresh folder /tmp/lumbar-test-NAME-XXXXXX and puts its real path
 * in buf; false when it cannot, or the path does not fit. */
static inline bool th_tmpdir(const char *name, char *buf, size_t size)
{
    char tmpl[96];
    snprintf(tmpl, sizeof tmpl, "/tmp/lumbar-test-%s-XXXXXX", name);
    char *real = mkdtemp(tmpl) ? realpath(tmpl, NULL) : NULL;
    bool ok = real && strlen(real) < size;
    if (ok)
        strcpy(buf, real);
    free(real);
    return ok;
}

#endif
