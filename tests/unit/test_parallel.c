/* Unit tests for parallel.c: every index is handed out exactly once,
 * whatever the count and the number of threads; with parallel_run, each
 * worker's setup and teardown run once, on its own thread, around its
 * indexes, and the alongside task once on the calling thread; a task
 * started beside the caller runs once, and is over when joined. */
#include "harness.h"

#include <pthread.h>
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

enum { MAX_WORKERS = 8 };

typedef struct per_worker {
    pthread_t thread;
    int setups, teardowns;
    size_t indexes, wrong_thread;
} per_worker;

typedef struct pool_run {
    per_worker workers[MAX_WORKERS];
    atomic_uint *calls;
    atomic_int alongside;
    pthread_t caller;
    bool alongside_on_caller;
} pool_run;

static void *setup(void *arg, int w)
{
    pool_run *r = arg;
    r->workers[w].thread = pthread_self();
    r->workers[w].setups++;
    return &r->workers[w];
}

static void one_index(void *arg, void *state, size_t i)
{
    pool_run *r = arg;
    per_worker *me = state;
    me->indexes++;
    me->wrong_thread += !pthread_equal(me->thread, pthread_self()) || me->teardowns != 0;
    atomic_fetch_add(&r->calls[i], 1);
}

static void teardown(void *arg, void *state)
{
    (void)arg;
    per_worker *me = state;
    me->wrong_thread += !pthread_equal(me->thread, pthread_self());
    me->teardowns++;
}

static void alongside(void *arg)
{
    pool_run *r = arg;
    atomic_fetch_add(&r->alongside, 1);
    r->alongside_on_caller = pthread_equal(r->caller, pthread_self());
}

static void test_workers(void)
{
    static const size_t sizes[] = {0, 1, 17, 1000};
    static const int jobs[] = {1, 3, MAX_WORKERS};
    static const size_t chunks[] = {0, 1, 7};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t j = 0; j < sizeof jobs / sizeof *jobs; j++)
            for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
                size_t n = sizes[s];
                pool_run *r = calloc(1, sizeof *r);
                r->calls = calloc(n + 1, sizeof(atomic_uint));
                r->caller = pthread_self();
                parallel_work work = {setup, one_index, teardown, alongside, r, chunks[c]};
                int ran = parallel_run(n, jobs[j], &work, r);
                CHECK(ran >= 1 && ran <= jobs[j]);
                size_t wrong = 0, total = 0;
                for (size_t i = 0; i < n; i++)
                    wrong += atomic_load(&r->calls[i]) != 1;
                for (int w = 0; w < MAX_WORKERS; w++) {
                    bool used = w < ran;
                    wrong += r->workers[w].setups != used || r->workers[w].teardowns != used;
                    wrong += r->workers[w].wrong_thread;
                    total += r->workers[w].indexes;
                }
                wrong += !pthread_equal(r->workers[0].thread, r->caller); /* worker 0 is the caller */
                CHECK_INT(wrong, 0);
                CHECK_INT(total, n);
                CHECK(atomic_load(&r->alongside) == 1 && r->alongside_on_caller);
                free(r->calls);
                free(r);
            }
}

typedef struct task_probe {
    pthread_t caller, ran_on;
    int runs;
} task_probe;

static void probe_task(void *arg)
{
    task_probe *p = arg;
    p->ran_on = pthread_self();
    p->runs++;
}

/* parallel_start runs its call once: on a thread of its own with two jobs
 * or more, before it returns with one; parallel_join waits for it. */
static void test_task(void)
{
    static const int jobs[] = {0, 1, 2, 8};
    for (size_t k = 0; k < sizeof jobs / sizeof *jobs; k++) {
        task_probe p = {.caller = pthread_self()};
        parallel_task *t = parallel_start(jobs[k], probe_task, &p);
        if (jobs[k] < 2) /* done before parallel_start returned */
            CHECK_INT(p.runs, 1);
        parallel_join(t);
        CHECK_INT(p.runs, 1);
        CHECK((pthread_equal(p.ran_on, p.caller) != 0) == (jobs[k] < 2)); /* nonzero, not 1, when equal */
    }
    parallel_join(NULL);
}

int main(void)
{
    test_each_index_once();
    test_workers();
    test_task();
    TEST_END("parallel");
}
