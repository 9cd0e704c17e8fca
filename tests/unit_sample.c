/* unit_sample.c: sampling targets, SMOTE geometry and the exact neighbour search. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "tap.h"

/* Brute force k nearest neighbours of row q, ties to the lower index. */
static void naive_knn(const float *x, size_t m, size_t dim, size_t q, size_t k, uint32_t *out)
{
	double *best = malloc(k * sizeof *best);
	size_t i, j, c;

	for (c = 0; c < k; c++) {
		best[c] = INFINITY;
		out[c] = UINT32_MAX;
	}
	for (i = 0; i < m; i++) {
		double d = 0;

		if (i == q)
			continue;
		for (j = 0; j < dim; j++) {
			double t = (double)x[i * dim + j] - x[q * dim + j];

			d += t * t;
		}
		for (c = k; c > 0 && d < best[c - 1]; c--)
			if (c < k) {
				best[c] = best[c - 1];
				out[c] = out[c - 1];
			}
		if (c < k) {
			best[c] = d;
			out[c] = (uint32_t)i;
		}
	}
	free(best);
}

/* Is row p on the segment between some pair of class-c rows of IN (numeric columns
 * [0, nnum)), with each one-hot column equal to one of the two parents'? */
static int on_a_segment(const struct dataset *in, const float *p, uint32_t c, size_t nnum)
{
	size_t a, b, j, dim = in->dim;

	for (a = 0; a < in->n; a++)
		for (b = 0; b < in->n; b++) {
			const float *xa = in->x + a * dim, *xb = in->x + b * dim;
			double u = -1;
			int ok = 1;

			if (a == b || in->y[a] != c || in->y[b] != c)
				continue;
			for (j = 0; j < nnum && ok; j++) {
				double span = (double)xb[j] - xa[j], t;

				if (fabs(span) < 1e-6) {
					ok = fabs((double)p[j] - xa[j]) < 1e-5;
					continue;
				}
				t = ((double)p[j] - xa[j]) / span;
				if (u < 0)
					u = t;
				ok = t > -1e-5 && t < 1 + 1e-5 && fabs(t - u) < 1e-4;
			}
			for (j = nnum; j < dim && ok; j++)
				ok = p[j] == xa[j] || p[j] == xb[j];
			if (ok)
				return 1;
		}
	return 0;
}

int main(void)
{
	struct rng r;
	size_t count[4] = { 100, 40, 9, 1 }, target[4], i, j, m = 700, dim = 13, k = 5, bad = 0;
	float *x = malloc(m * dim * sizeof *x);
	uint32_t *nb = malloc(m * k * sizeof *nb), want[5];
	struct dataset in, out;
	struct sampleopts o;
	struct schema s;
	struct feature feat[3];
	char *names[3] = { "a", "b", "c" };
	struct ferr e;

	sample_targets(count, 4, SAMPLE_OVER, 1, target);
	CHECK(target[0] == 100 && target[1] == 100 && target[3] == 100, "over: every class to n_max");
	sample_targets(count, 4, SAMPLE_UNDER, 0.5, target);
	CHECK(target[0] == 2 && target[1] == 2 && target[2] == 2 && target[3] == 1,
	      "under, ratio 0.5: floor(n_min / R)");
	sample_targets(count, 4, SAMPLE_OVER_UNDER, 1, target);
	CHECK(target[0] == 10 && target[1] == 10 && target[2] == 10 && target[3] == 10,
	      "over+under: the geometric middle, floor(sqrt(1 * 100)) = 10");

	/* neighbour search against brute force, with ties (a coarse grid of values) */
	rng_seed(&r, 3);
	for (i = 0; i < m * dim; i++)
		x[i] = (float)(rng_below(&r, 5)) * 0.5f;
	knn_within(x, m, dim, k, 2, nb);
	for (i = 0; i < m; i++) {
		naive_knn(x, m, dim, i, k, want);
		if (memcmp(want, nb + i * k, sizeof want) != 0)
			bad++;
	}
	CHECK(bad == 0, "blocked neighbour search equals brute force on %zu rows (%zu differ)", m, bad);
	{
		uint32_t *nb2 = malloc(m * k * sizeof *nb2);
		int th;

		for (th = 1; th <= 4; th += 2) {
			knn_within(x, m, dim, k, th, nb2);
			CHECK(memcmp(nb, nb2, m * k * sizeof *nb) == 0,
			      "the neighbour search on %d thread%s equals the one on 2", th, th == 1 ? "" : "s");
		}
		free(nb2);
	}

	/* SMOTE rows lie between two same-class rows; one-hot blocks come from a parent */
	memset(&in, 0, sizeof in);
	in.n = 60;
	in.dim = 5;
	in.x = calloc(in.n * in.dim, sizeof *in.x);
	in.y = calloc(in.n, sizeof *in.y);
	in.count = calloc(2, sizeof *in.count);
	for (i = 0; i < in.n; i++) {
		in.y[i] = i < 50 ? 0 : 1;
		in.count[in.y[i]]++;
		for (j = 0; j < 3; j++)
			in.x[i * 5 + j] = (float)(rng_uniform(&r) * 4 - 2);
		in.x[i * 5 + 3 + rng_below(&r, 2)] = 1;
	}
	memset(&s, 0, sizeof s);
	memset(feat, 0, sizeof feat);
	feat[0].offset = 0;
	feat[1].offset = 1;
	feat[2].offset = 3;
	feat[2].categorical = 1;
	feat[2].nvocab = 2;
	s.feat = feat;
	s.nfeat = 3;
	s.dim = 5;
	s.classes = names;
	s.nclass = 2;
	memset(&o, 0, sizeof o);
	o.kind = SAMPLE_SMOTE;
	o.ratio = 1;
	o.smote_k = 3;
	o.seed = 11;
	o.threads = 1;
	o.s = &s;
	CHECK(sample_dataset(&in, 2, &o, &out, &e) == 0 && out.n == 100 && out.count[1] == 50,
	      "smote adds 40 rows to the class of 10");
	bad = 0;
	for (i = 60; i < out.n; i++)
		if (out.y[i] != 1 || !on_a_segment(&in, out.x + i * 5, 1, 3))
			bad++;
	CHECK(bad == 0, "every synthetic row lies on a segment between two same-class rows (%zu off)",
	      bad);
	CHECK(memcmp(out.x, in.x, in.n * in.dim * sizeof *in.x) == 0, "the original rows come first");
	dataset_release(&out);
	free(in.x);
	free(in.y);
	free(in.count);
	free(x);
	free(nb);
	TAP_DONE();
}
