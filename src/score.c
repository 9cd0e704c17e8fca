/* score.c: predicted classes and whole-dataset reports. */
#include "score.h"

#include "block.h"
#include "dist.h"
#include "pool.h"

#include <stdlib.h>
#include <string.h>

int positive_class(char *const *classes, size_t k, const size_t *count, const char *label,
                   const char *what, struct ferr *e)
{
	size_t c;

	if (!label)
		return k == 2 && count[0] < count[1] ? 0 : 1;
	if (k != 2)
		return ferr_usage(e, "--positive needs two classes; %s has %zu", what, k);
	for (c = 0; c < k; c++)
		if (strcmp(classes[c], label) == 0)
			return (int)c;
	return ferr_usage(e, "--positive: no class '%s' in %s", label, what);
}

uint32_t score_row(const struct linmodel *m, const struct decision *dec, const double *x,
                   double *prob, double *z)
{
	linmodel_logits(m, x, z);
	memcpy(prob, z, m->nout * sizeof *z);
	linmodel_probs(m, prob);
	return decision_pick(dec, prob, z);
}

int score_decision(const struct decision *dec, int argmax, int have_threshold, double threshold,
                   struct decision *out, struct ferr *e)
{
	if (have_threshold && dec->k != 2)
		return ferr_usage(e, "--threshold needs two classes; the model has %zu", dec->k);
	if (argmax)
		decision_argmax(out, dec->k, dec->positive);
	else
		decision_copy(out, dec);
	if (have_threshold) {
		out->threshold = threshold;
		out->threshold_sd = 0;
		out->source = DEC_ARGMAX;
		out->metric = -1;
	}
	return 0;
}

/* Rows [i * SCORE_BLOCK, (i + 1) * SCORE_BLOCK) of a score_dataset, for pool_for. */
#define SCORE_BLOCK 4096
struct scorejob {
	const struct linmodel *m;
	const struct decision *dec;
	const struct dataset *d;
	double *prob;
	uint32_t *pred;
	size_t first; /* the block of the first row to score */
};

static void score_block(void *ctx, size_t b)
{
	const struct scorejob *sj = ctx;
	const struct dataset *d = sj->d;
	size_t i, j, k = sj->m->nclass, hi;
	double *z = xcalloc(k, sizeof *z), *x = xcalloc(d->dim + 1, sizeof *x);

	b += sj->first;
	hi = (b + 1) * SCORE_BLOCK;
	if (hi > d->n)
		hi = d->n;
	for (i = b * SCORE_BLOCK; i < hi; i++) {
		for (j = 0; j < d->dim; j++)
			x[j] = d->x[i * d->dim + j];
		sj->pred[i] = score_row(sj->m, sj->dec, x, sj->prob + i * k, z);
	}
	free(z);
	free(x);
}

/* Scores every row of SJ's dataset: in one go, or for a block in a file one slice at a
 * time, the next read in while one is scored. */
static void score_rows(int threads, struct scorejob *sj)
{
	const struct dataset *d = sj->d;
	size_t nb = (d->n + SCORE_BLOCK - 1) / SCORE_BLOCK, per, b, rows;

	per = block_slice(d->x) / SCORE_BLOCK / (d->dim ? d->dim : 1);
	if (per == 0)
		per = 1;
	if (per >= nb) {
		pool_for(threads, nb, score_block, sj);
		return;
	}
	rows = per * SCORE_BLOCK;
	for (b = 0; b < nb; b += per) {
		struct scorejob part = *sj;
		size_t lo = b * SCORE_BLOCK, n = d->n - lo < rows ? d->n - lo : rows;

		block_ahead(d->x, (lo + n) * d->dim, (lo + n + rows) * d->dim);
		part.first = b;
		pool_for(threads, (n + SCORE_BLOCK - 1) / SCORE_BLOCK, score_block, &part);
		block_done(d->x, lo * d->dim, (lo + n) * d->dim);
	}
}

void score_predict(const struct linmodel *m, const struct decision *dec, const struct dataset *d,
                   int threads, double *prob, uint32_t *pred)
{
	struct scorejob sj;

	sj.m = m;
	sj.dec = dec;
	sj.d = d;
	sj.first = 0;
	sj.prob = prob;
	sj.pred = pred;
	score_rows(threads, &sj);
}

void score_report(const struct linmodel *m, size_t n, const uint32_t *y, const uint32_t *pred,
                  const double *prob, struct report *r, struct figdata *fd)
{
	metrics_compute_figures(r, fd, n, m->nclass, y, pred, prob);
	metrics_threshold(r, y, prob, (uint32_t)m->positive);
	if (m->nclass == 2)
		r->positive = m->positive;
}

void score_dataset(const struct linmodel *m, const struct decision *dec, struct dataset *d,
                   int threads, struct report *r, struct figdata *fd)
{
	size_t k = m->nclass;
	double *prob = xreallocarray(NULL, d->n ? d->n : 1, k * sizeof *prob);
	uint32_t *pred = xcalloc(d->n + 1, sizeof *pred);

	score_predict(m, dec, d, threads, prob, pred);
	block_free(d->x);
	d->x = NULL;
	score_report(m, d->n, d->y, pred, prob, r, fd);
	free(prob);
	free(pred);
}

void score_shared(const struct dist *dist, const struct linmodel *m, const struct decision *dec,
                  struct dataset *d, int threads, struct report *r, struct figdata *fd)
{
	size_t k = m->nclass;
	double *prob = xreallocarray(NULL, d->n ? d->n : 1, k * sizeof *prob);
	uint32_t *pred = xcalloc(d->n + 1, sizeof *pred);

	score_predict(m, dec, d, threads, prob, pred);
	block_free(d->x);
	d->x = NULL;
	score_report_shared(dist, m, d->n, d->y, pred, prob, r, fd);
	free(prob);
	free(pred);
}

void score_report_shared(const struct dist *dist, const struct linmodel *m, size_t n,
                         const uint32_t *y, const uint32_t *pred, const double *prob,
                         struct report *r, struct figdata *fd)
{
	size_t k = m->nclass, w = k + 2, i, j, nall, *lens;
	double *rows, *all, *p;
	uint32_t *ya, *pa;

	/* a row: its probabilities, its class, the decision */
	rows = xreallocarray(NULL, n ? n : 1, w * sizeof *rows);
	for (i = 0; i < n; i++) {
		memcpy(rows + i * w, prob + i * k, k * sizeof *rows);
		rows[i * w + k] = y[i];
		rows[i * w + k + 1] = pred[i];
	}
	lens = xcalloc(dist ? (size_t)dist->size : 1, sizeof *lens);
	all = dist_gather_root(dist, rows, n * w * sizeof *rows, lens);
	free(rows);
	memset(r, 0, sizeof *r);
	if (all) {
		for (i = 0, nall = 0; i < (dist ? (size_t)dist->size : 1); i++)
			nall += lens[i] / (w * sizeof *all);
		p = xreallocarray(NULL, nall ? nall : 1, k * sizeof *p);
		ya = xcalloc(nall + 1, sizeof *ya);
		pa = xcalloc(nall + 1, sizeof *pa);
		for (i = 0; i < nall; i++) {
			for (j = 0; j < k; j++)
				p[i * k + j] = all[i * w + j];
			ya[i] = (uint32_t)all[i * w + k];
			pa[i] = (uint32_t)all[i * w + k + 1];
		}
		score_report(m, nall, ya, pa, p, r, fd);
		free(p);
		free(ya);
		free(pa);
	}
	free(all);
	free(lens);
}
