/* score.c: predicted classes and whole-dataset reports. */
#include "score.h"

#include <stdlib.h>

uint32_t decide(const double *prob, size_t k, int positive, double threshold)
{
	size_t j, best = 0;

	if (k == 2)
		return prob[positive] >= threshold ? (uint32_t)positive : (uint32_t)(1 - positive);
	for (j = 1; j < k; j++)
		if (prob[j] > prob[best])
			best = j;
	return (uint32_t)best;
}

void score_dataset(const struct linmodel *m, const struct dataset *d, double threshold,
                   struct report *r)
{
	size_t i, k = m->nclass;
	double *prob = xreallocarray(NULL, d->n ? d->n : 1, k * sizeof *prob);
	uint32_t *pred = xcalloc(d->n + 1, sizeof *pred);

	for (i = 0; i < d->n; i++) {
		linmodel_predict_f(m, d->x + i * d->dim, prob + i * k);
		pred[i] = decide(prob + i * k, k, m->positive, threshold);
	}
	metrics_compute(r, d->n, k, d->y, pred, prob);
	metrics_threshold(r, d->y, prob, (uint32_t)m->positive);
	free(prob);
	free(pred);
}
