/*
 * pool.c: helper threads started once and kept, serving one pool_for at a time.
 *
 * A call publishes its job (function, context, count) under the lock, bumps the
 * generation and wakes the helpers; each helper that sees a new generation takes a seat
 * while there are seats (THREADS - 1 of them) and then, like the caller, takes indices
 * one at a time until none are left.  When the caller finds no index left it closes the
 * seats, so a helper that wakes late stays out, and waits until every helper that took a
 * seat has left: only then may the job's context go away.
 */
#include "pool.h"

#include <pthread.h>
#include <signal.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;  /* a new job */
static pthread_cond_t left = PTHREAD_COND_INITIALIZER;  /* a helper left its job */
static pthread_mutex_t serial = PTHREAD_MUTEX_INITIALIZER; /* one job at a time */

/* Under lock. */
static size_t nhelpers;
static struct {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n, next;
	size_t seats;   /* helpers that may still join */
	size_t inside;  /* helpers in the job */
	unsigned long gen;
} job;

/* Set on helper threads, and on a caller while its job runs: pool_for runs inline. */
static _Thread_local int in_pool;

/* Takes indices of the current job until none are left; called and returns with lock held. */
static void take_indices(void)
{
	void (*fn)(void *, size_t) = job.fn;
	void *ctx = job.ctx;
	size_t i;

	while (job.next < job.n) {
		i = job.next++;
		pthread_mutex_unlock(&lock);
		fn(ctx, i);
		pthread_mutex_lock(&lock);
	}
}

static void *helper(void *arg)
{
	unsigned long seen = 0;

	(void)arg;
	in_pool = 1;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (job.gen == seen)
			pthread_cond_wait(&wake, &lock);
		seen = job.gen;
		if (job.seats == 0)
			continue;
		job.seats--;
		job.inside++;
		take_indices();
		if (--job.inside == 0)
			pthread_cond_broadcast(&left);
	}
	return NULL;
}

/*
 * Starts helpers until there are WANT of them or one cannot be started; under lock.  A
 * helper inherits the signal mask it is started with: the signals that end a run
 * (outfile.c removes its temporary files on them) are blocked, so they reach the main
 * thread only.
 */
static void grow(size_t want)
{
	pthread_attr_t attr;
	pthread_t t;
	sigset_t block, old;

	if (nhelpers >= want || pthread_attr_init(&attr) != 0)
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGPIPE);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	while (nhelpers < want && pthread_create(&t, &attr, helper, NULL) == 0)
		nhelpers++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

int pool_reserve(int threads)
{
	size_t have;

	if (threads <= 1 || in_pool)
		return 1;
	pthread_mutex_lock(&lock);
	grow((size_t)threads - 1);
	have = nhelpers < (size_t)threads - 1 ? nhelpers : (size_t)threads - 1;
	pthread_mutex_unlock(&lock);
	return (int)have + 1;
}

void pool_for(int threads, size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
	size_t i;

	if (threads <= 1 || n <= 1 || in_pool) {
		for (i = 0; i < n; i++)
			fn(ctx, i);
		return;
	}
	pthread_mutex_lock(&serial);
	in_pool = 1;
	pthread_mutex_lock(&lock);
	grow((size_t)threads - 1);
	job.fn = fn;
	job.ctx = ctx;
	job.n = n;
	job.next = 0;
	job.seats = nhelpers < (size_t)threads - 1 ? nhelpers : (size_t)threads - 1;
	if (job.seats > n - 1)
		job.seats = n - 1;
	job.inside = 0;
	job.gen++;
	pthread_cond_broadcast(&wake);
	take_indices();
	job.seats = 0;
	while (job.inside > 0)
		pthread_cond_wait(&left, &lock);
	job.fn = NULL;
	job.ctx = NULL;
	pthread_mutex_unlock(&lock);
	in_pool = 0;
	pthread_mutex_unlock(&serial);
}
