/* parallel: running one function over a range of indexes on several
 * threads, for the stages whose items are independent (loading content
 * files, building each page's template names, rendering pages).
 *
 * Nothing is returned and nothing is allocated that outlives a call: state
 * a worker keeps is the caller's, made and ended by its own setup and
 * teardown. */
#ifndef LUMBAR_PARALLEL_H
#define LUMBAR_PARALLEL_H

#include <stddef.h>

/* Calls fn(arg, i) once for every i below n, on up to jobs threads, the
 * calling one included, and returns when every call has. Indexes are
 * handed out in rising order, a few at a time; fn must be safe to run for
 * different indexes at once. A thread that cannot be started leaves its
 * share to the others: slower, not wrong. */
void parallel_for(size_t n, int jobs, void (*fn)(void *arg, size_t i), void *arg);

/* What parallel_run does; every function but fn may be NULL. */
typedef struct parallel_work {
    /* Runs on worker w's thread before its first index; returns its state. */
    void *(*setup)(void *arg, int w);
    void (*fn)(void *arg, void *state, size_t i);
    /* Runs on the worker's thread after its last index. */
    void (*teardown)(void *arg, void *state);
    /* Runs once on the calling thread (worker 0) after the other threads
     * have started and before it takes indexes itself. */
    void (*alongside)(void *alongside_arg);
    void *alongside_arg;
    size_t chunk; /* indexes a worker takes at a time; 0: a default of 16 */
} parallel_work;

/* parallel_for with state per worker: as parallel_for, but worker w (0 is
 * the calling thread) runs work->setup, then work->fn for its indexes, then
 * work->teardown. Returns how many workers ran (at least 1; at most jobs):
 * workers 0 up to that number had setup and teardown called. */
int parallel_run(size_t n, int jobs, const parallel_work *work, void *arg);

/* One call run beside the calling thread, for work whose result is needed
 * only later (reading a cache while the content loads). */
typedef struct parallel_task parallel_task;

/* Starts fn(arg) on a thread of its own and returns the task, which
 * parallel_join ends; with jobs below 2, or when no thread can be started,
 * fn runs before this returns. */
parallel_task *parallel_start(int jobs, void (*fn)(void *arg), void *arg);
/* Waits for fn to return and frees task (NULL: nothing to wait for). */
void parallel_join(parallel_task *task);

#endif
