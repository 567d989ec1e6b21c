/* Unit tests for parallel.c: every index is handed out exactly once,
 * whatever the count and the number of threads. */
#include "harness.h"

#include <stdatomic.h>

#include "parallel.h"

typedef struct tally {
    atomic_uint *calls;
} tally;

static void count_call(void *arg, size_t i)
{
    tally *t = arg;
    atomic_fetch_add(&t->calls[i], 1);
}

static void test_each_index_once(void)
{
    static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 1000, 4097};
    static const int jobs[] = {0, 1, 2, 3, 8};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (size_t j = 0; j < sizeof jobs / sizeof *jobs; j++) {
            size_t n = sizes[s];
            tally t = {calloc(n + 1, sizeof(atomic_uint))};
            parallel_for(n, jobs[j], count_call, &t);
            size_t wrong = 0;
            for (size_t i = 0; i < n; i++)
                wrong += atomic_load(&t.calls[i]) != 1;
            CHECK_INT(wrong, 0);
            CHECK_INT(atomic_load(&t.calls[n]), 0); /* nothing past the end */
            free(t.calls);
        }
    }
}

int main(void)
{
    test_each_index_once();
    TEST_END("parallel");
}
