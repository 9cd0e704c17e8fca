/* unit_pool.c: the shared thread pool runs every index once, nests inline, and serves
 * workers that wait for one another. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "tap.h"

struct count {
	unsigned *hits;
	pthread_t *who;
	int nested_ok;
};

static void hit(void *ctx, size_t i)
{
	struct count *c = ctx;

	c->hits[i]++;
	c->who[i] = pthread_self();
}

static void inner(void *ctx, size_t i)
{
	pthread_t *outer = ctx;

	/* a nested call runs on the thread of its caller */
	if (!pthread_equal(*outer, pthread_self()))
		abort();
	(void)i;
}

static void nested(void *ctx, size_t i)
{
	struct count *c = ctx;
	pthread_t me = pthread_self();

	c->hits[i]++;
	pool_for(4, 3, inner, &me);
}

/* A producer (index 0) hands values one at a time to the consumers (the other indices),
 * each of which waits for the next value: they only finish when they all run at once. */
struct pipe {
	pthread_mutex_t m;
	pthread_cond_t c;
	long slot;        /* -1: empty */
	long produced, total;
	long sum;
	size_t ready, want;
};

static void pipeline(void *ctx, size_t i)
{
	struct pipe *p = ctx;
	long v;

	pthread_mutex_lock(&p->m);
	p->ready++;
	pthread_cond_broadcast(&p->c);
	while (p->ready < p->want) /* everyone must be running */
		pthread_cond_wait(&p->c, &p->m);
	if (i == 0) {
		while (p->produced < p->total) {
			while (p->slot >= 0)
				pthread_cond_wait(&p->c, &p->m);
			p->slot = ++p->produced;
			pthread_cond_broadcast(&p->c);
		}
		while (p->slot >= 0)
			pthread_cond_wait(&p->c, &p->m);
		p->slot = -2; /* done */
		pthread_cond_broadcast(&p->c);
	} else {
		for (;;) {
			while (p->slot == -1)
				pthread_cond_wait(&p->c, &p->m);
			if (p->slot == -2)
				break;
			v = p->slot;
			p->slot = -1;
			p->sum += v;
			pthread_cond_broadcast(&p->c);
		}
	}
	pthread_mutex_unlock(&p->m);
}

int main(void)
{
	enum { N = 10000 };
	struct count c;
	int threads, rep, r, all_once, others;
	size_t i;

	c.hits = calloc(N, sizeof *c.hits);
	c.who = calloc(N, sizeof *c.who);
	for (threads = 1; threads <= 5; threads++)
		for (rep = 0; rep < 3; rep++) {
			memset(c.hits, 0, N * sizeof *c.hits);
			pool_for(threads, N, hit, &c);
			all_once = 1;
			others = 0;
			for (i = 0; i < N; i++) {
				all_once &= c.hits[i] == 1;
				others |= !pthread_equal(c.who[i], pthread_self());
			}
			CHECK(all_once, "%d threads, round %d: every index runs exactly once", threads,
			      rep + 1);
			if (threads == 1)
				CHECK(!others, "1 thread: everything runs on the caller");
		}
	memset(c.hits, 0, N * sizeof *c.hits);
	pool_for(3, 0, hit, &c);
	pool_for(3, 1, hit, &c);
	CHECK(c.hits[0] == 1 && c.hits[1] == 0, "n = 0 runs nothing, n = 1 runs index 0");

	memset(c.hits, 0, N * sizeof *c.hits);
	pool_for(3, 64, nested, &c);
	all_once = 1;
	for (i = 0; i < 64; i++)
		all_once &= c.hits[i] == 1;
	CHECK(all_once, "a pool_for inside a pool_for runs inline, on the inner caller's thread");

	r = pool_reserve(4);
	CHECK(r >= 1 && r <= 4, "pool_reserve(4) is between 1 and 4 (%d)", r);
	CHECK(pool_reserve(1) == 1 && pool_reserve(0) == 1, "pool_reserve of 1 or fewer is 1");
	for (rep = 0; rep < 20; rep++) {
		struct pipe p;

		memset(&p, 0, sizeof p);
		pthread_mutex_init(&p.m, NULL);
		pthread_cond_init(&p.c, NULL);
		p.slot = -1;
		p.total = 1000;
		p.want = (size_t)r;
		pool_for(r, (size_t)r, pipeline, &p);
		if (rep == 0 || p.sum != 1000L * 1001 / 2)
			CHECK(p.sum == 1000L * 1001 / 2,
			      "%d workers that wait for each other all run at once (sum %ld)", r, p.sum);
		pthread_cond_destroy(&p.c);
		pthread_mutex_destroy(&p.m);
	}
	free(c.hits);
	free(c.who);
	TAP_DONE();
}
