/* pool.h: the one thread pool that every parallel part of focal shares. */
#ifndef FOCAL_POOL_H
#define FOCAL_POOL_H

#include <stddef.h>

/*
 * Runs fn(ctx, i) for every i in [0, n) on at most THREADS threads, the caller's one of
 * them, and returns when every call has returned.  Indices are handed out in increasing
 * order, one at a time, to whichever thread is free; FN must not care which thread runs
 * it, and writes only what index i owns (results that do not depend on the thread count
 * follow).  The helper threads are started on first use and kept for the next call, so a
 * pass repeated many times (the gradient) does not pay for thread creation each time.
 * Called from inside FN (nested), with THREADS <= 1 or with n <= 1, it runs the calls on
 * the calling thread, in order.  Callers on several threads of their own are served one
 * after the other.
 */
void pool_for(int threads, size_t n, void (*fn)(void *ctx, size_t i), void *ctx);

/*
 * How many threads (the caller's included, at least 1, at most THREADS) a pool_for of
 * THREADS threads can run at once.  Calls of FN that wait for one another (a pipeline
 * of workers) need n at most this, so that every one of them is running.
 */
int pool_reserve(int threads);

#endif
