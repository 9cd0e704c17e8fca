/* score.c: predicted classes and whole-dataset reports. */
#include "score.h"

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

void score_dataset(const struct linmodel *m, const struct decision *dec, const struct dataset *d,
                   struct report *r)
{
	size_t i, j, k = m->nclass;
	double *prob = xreallocarray(NULL, d->n ? d->n : 1, k * sizeof *prob);
	double *z = xcalloc(k, sizeof *z), *x = xcalloc(d->dim + 1, sizeof *x);
	uint32_t *pred = xcalloc(d->n + 1, sizeof *pred);

	for (i = 0; i < d->n; i++) {
		for (j = 0; j < d->dim; j++)
			x[j] = d->x[i * d->dim + j];
		pred[i] = score_row(m, dec, x, prob + i * k, z);
	}
	free(z);
	free(x);
	metrics_compute(r, d->n, k, d->y, pred, prob);
	metrics_threshold(r, d->y, prob, (uint32_t)m->positive);
	if (k == 2)
		r->positive = m->positive;
	free(prob);
	free(pred);
}
