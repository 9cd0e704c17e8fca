/*
 * passbench: how near the memory read bandwidth the training pass runs.
 *
 *   bench/passbench ROWS DIM CLASSES [THREADS]
 *
 * Measures the machine's read bandwidth with a plain summing kernel over a buffer the
 * size of the float block (the same threads, each its own stretch), then times the
 * objective-and-gradient pass on a random ROWS x DIM block with CLASSES classes (the
 * logistic model for 2): the exact double pass and the fast float pass, the best of
 * several runs each, as milliseconds, effective GB/s (the block's bytes over the time)
 * and that as a fraction of the bandwidth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "pool.h"
#include "train.h"
#include "util.h"

#define REPS 7

struct readjob {
	const float *x;
	size_t n, parts;
	double *sum;
};

/* Part I of the buffer: eight running sums (no dependency chain longer than the loop). */
static void read_part(void *ctx, size_t i)
{
	const struct readjob *j = ctx;
	size_t lo = j->n / j->parts * i, hi = i + 1 == j->parts ? j->n : j->n / j->parts * (i + 1), k;
	float a[8] = { 0 };

	for (; lo + 8 <= hi; lo += 8)
		for (k = 0; k < 8; k++)
			a[k] += j->x[lo + k];
	for (k = 1; k < 8; k++)
		a[0] += a[k];
	j->sum[i] = a[0];
}

static double best_read(const float *x, size_t n, int threads, double *check)
{
	double best = 1e30, t, sum[256];
	struct readjob j = { x, n, (size_t)threads, sum };
	int r, i;

	for (r = 0; r < REPS; r++) {
		t = now_seconds();
		pool_for(threads, (size_t)threads, read_part, &j);
		t = now_seconds() - t;
		if (t < best)
			best = t;
		for (i = 0; i < threads; i++)
			*check += sum[i];
	}
	return best;
}

static double best_pass(const struct trainset *s, const struct trainopts *o,
                        const struct linmodel *m, const double *w, double *g,
                        const struct kernel *kn, double *obj)
{
	double best = 1e30, t;
	int r;

	for (r = 0; r < REPS; r++) {
		t = now_seconds();
		*obj = objective_by(s, o, m, w, g, kn);
		t = now_seconds() - t;
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	size_t n, dim, k, i, np;
	int threads = 2;
	struct rng r;
	float *x;
	uint32_t *y;
	double *w, *g, bytes, bw, t_exact, t_fast, f_exact, f_fast, check = 0;
	struct trainset s;
	struct trainopts o;
	struct linmodel m;
	const struct kernel *kn;

	if (argc < 4) {
		fprintf(stderr, "usage: passbench ROWS DIM CLASSES [THREADS]\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 10);
	dim = strtoul(argv[2], NULL, 10);
	k = strtoul(argv[3], NULL, 10);
	if (argc > 4)
		threads = atoi(argv[4]);
	if (n == 0 || dim == 0 || k < 2 || threads < 1 || threads > 256) {
		fprintf(stderr, "passbench: bad arguments\n");
		return 2;
	}
	x = xreallocarray(NULL, n * dim, sizeof *x);
	y = xreallocarray(NULL, n, sizeof *y);
	rng_seed(&r, 1);
	for (i = 0; i < n * dim; i++)
		x[i] = (float)(rng_uniform(&r) * 2 - 1);
	for (i = 0; i < n; i++)
		y[i] = (uint32_t)rng_below(&r, k);
	memset(&s, 0, sizeof s);
	s.n = n, s.dim = dim, s.nclass = k, s.x = x, s.y = y;
	memset(&o, 0, sizeof o);
	o.loss = LOSS_CE, o.lambda = 1e-6, o.threads = threads;
	linmodel_init(&m, k == 2 ? MODEL_LOGISTIC : MODEL_SOFTMAX, k, dim, 1);
	np = linmodel_nparams(&m);
	w = m.w;
	for (i = 0; i < np; i++)
		w[i] = (rng_uniform(&r) - 0.5) * 0.2;
	g = xreallocarray(NULL, np, sizeof *g);
	bytes = (double)n * dim * sizeof *x;
	bw = bytes / best_read(x, n * dim, threads, &check) / 1e9;
	kn = kernel_get();
	t_exact = best_pass(&s, &o, &m, w, g, NULL, &f_exact);
	t_fast = kn ? best_pass(&s, &o, &m, w, g, kn, &f_fast) : t_exact;
	if (!kn)
		f_fast = f_exact;
	printf("rows %zu  inputs %zu  classes %zu  threads %d  block %.0f MB  (read sum %.3g)\n", n,
	       dim, k, threads, bytes / 1e6, check);
	printf("read bandwidth        %7.2f GB/s\n", bw);
	printf("%-22s %7.1f ms  %6.2f GB/s  %4.2f of the bandwidth\n", "exact pass (double)",
	       t_exact * 1e3, bytes / t_exact / 1e9, bytes / t_exact / 1e9 / bw);
	printf("%-22s %7.1f ms  %6.2f GB/s  %4.2f of the bandwidth  (kernel %s)\n", "fast pass (float)",
	       t_fast * 1e3, bytes / t_fast / 1e9, bytes / t_fast / 1e9 / bw, kn ? kn->name : "none");
	printf("objective: exact %.12g fast %.12g (relative difference %.2g)\n", f_exact, f_fast,
	       (f_fast - f_exact) / f_exact);
	linmodel_release(&m);
	free(g);
	free(x);
	free(y);
	return 0;
}
