/* parallel: running one function over a range of indexes on several
 * threads, for the stages whose items are independent (loading content
 * files, building each page's template names).
 *
 * Nothing is returned and nothing is allocated that outlives a call. */
#ifndef LUMBAR_PARALLEL_H
#define LUMBAR_PARALLEL_H

#include <stddef.h>

/* Calls fn(arg, i) once for every i below n, on up to jobs threads, the
 * calling one included, and returns when every call has. Indexes are
 * handed out in rising order, a few at a time; fn must be safe to run for
 * different indexes at once. A thread that cannot be started leaves its
 * share to the others: slower, not wrong. */
void parallel_for(size_t n, int jobs, void (*fn)(void *arg, size_t i), void *arg);

#endif
