#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "xalloc.h"

/* Indexes a thread takes at a time: enough that the shared counter is
 * rarely touched, few enough that threads end together. */
#define CHUNK 16

typedef struct range {
    size_t n;
    void (*fn)(void *arg, size_t i);
    void *arg;
    atomic_size_t next;
} range;

static void *run_range(void *p)
{
    range *r = p;
    for (;;) {
        size_t from = atomic_fetch_add_explicit(&r->next, CHUNK, memory_order_relaxed);
        if (from >= r->n)
            return NULL;
        size_t to = from + CHUNK < r->n ? from + CHUNK : r->n;
        for (size_t i = from; i < to; i++)
            r->fn(r->arg, i);
    }
}

void parallel_for(size_t n, int jobs, void (*fn)(void *arg, size_t i), void *arg)
{
    range r = {.n = n, .fn = fn, .arg = arg};
    atomic_init(&r.next, 0);
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > n / CHUNK + 1)
        jobs = (int)(n / CHUNK + 1); /* no thread that would find nothing to do */
    pthread_t *threads = xcalloc((size_t)jobs, sizeof *threads);
    int started = 1;
    for (; started < jobs; started++)
        if (pthread_create(&threads[started], NULL, run_range, &r) != 0)
            break;
    run_range(&r);
    for (int i = 1; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
}
