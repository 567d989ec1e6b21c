#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "xalloc.h"

/* Indexes a thread takes at a time by default: enough that the shared
 * counter is rarely touched, few enough that threads end together. */
#define CHUNK 16

typedef struct range {
    size_t n, chunk;
    const parallel_work *work;
    void *arg;
    atomic_size_t next;
} range;

typedef struct runner {
    range *r;
    int w;
    pthread_t thread;
} runner;

static void run_indexes(range *r, void *state)
{
    for (;;) {
        size_t from = atomic_fetch_add_explicit(&r->next, r->chunk, memory_order_relaxed);
        if (from >= r->n)
            return;
        size_t to = r->n - from > r->chunk ? from + r->chunk : r->n;
        for (size_t i = from; i < to; i++)
            r->work->fn(r->arg, state, i);
    }
}

static void *run_worker(void *p)
{
    runner *me = p;
    range *r = me->r;
    void *state = r->work->setup ? r->work->setup(r->arg, me->w) : NULL;
    if (me->w == 0 && r->work->alongside)
        r->work->alongside(r->work->alongside_arg);
    run_indexes(r, state);
    if (r->work->teardown)
        r->work->teardown(r->arg, state);
    return NULL;
}

int parallel_run(size_t n, int jobs, const parallel_work *work, void *arg)
{
    range r = {.n = n, .chunk = work->chunk ? work->chunk : CHUNK, .work = work, .arg = arg};
    atomic_init(&r.next, 0);
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > n / r.chunk + 1)
        jobs = (int)(n / r.chunk + 1); /* no thread that would find nothing to do */
    runner *runners = xcalloc((size_t)jobs, sizeof *runners);
    int started = 1;
    for (; started < jobs; started++) {
        runners[started] = (runner){.r = &r, .w = started};
        if (pthread_create(&runners[started].thread, NULL, run_worker, &runners[started]) != 0)
            break;
    }
    runners[0] = (runner){.r = &r, .w = 0};
    run_worker(&runners[0]);
    for (int i = 1; i < started; i++)
        pthread_join(runners[i].thread, NULL);
    free(runners);
    return started;
}

typedef struct plain {
    void (*fn)(void *arg, size_t i);
    void *arg;
} plain;

static void run_plain(void *arg, void *state, size_t i)
{
    (void)state;
    const plain *p = arg;
    p->fn(p->arg, i);
}

void parallel_for(size_t n, int jobs, void (*fn)(void *arg, size_t i), void *arg)
{
    plain p = {fn, arg};
    parallel_work work = {.fn = run_plain};
    parallel_run(n, jobs, &work, &p);
}

struct parallel_task {
    void (*fn)(void *arg);
    void *arg;
    pthread_t thread;
    bool started;
};

static void *run_task(void *p)
{
    parallel_task *task = p;
    task->fn(task->arg);
    return NULL;
}

parallel_task *parallel_start(int jobs, void (*fn)(void *arg), void *arg)
{
    parallel_task *task = xcalloc(1, sizeof *task);
    task->fn = fn;
    task->arg = arg;
    task->started = jobs > 1 && pthread_create(&task->thread, NULL, run_task, task) == 0;
    if (!task->started)
        fn(arg);
    return task;
}

void parallel_join(parallel_task *task)
{
    if (!task)
        return;
    if (task->started)
        pthread_join(task->thread, NULL);
    free(task);
}
