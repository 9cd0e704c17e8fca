/*
 * tune.c: after a fit, its calibration and its decision (fit_tuned in fit.h).
 *
 * The prior correction needs nothing but the class counts.  The temperature and a tuned
 * decision need predictions the model did not see: an inner stratified CV of the same
 * configuration on the same rows gives every row its out-of-fold logits (each inner
 * model prior-corrected on its own rows as the final one is), once, for both.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "cv.h"
#include "fit.h"

/*
 * Out-of-fold logits of the rows of an inner CV, for the lambdas it tried: those of the
 * last RING (value j in block j % ring; the path stops two values past its best, so
 * the best and its neighbours are always among the last four).
 */
struct oof {
	size_t n, nout, folds, nl, ring;
	double *all;     /* ring x n x nout */
	double *ll;      /* nl: the out-of-fold log loss of each (with a path) */
	double *z;       /* n x nout: those of the lambda used, calibrated as the final model is */
	uint32_t *y;     /* n */
	uint32_t *fold;  /* n: the inner fold each row was held out in */
};

static void oof_release(struct oof *o)
{
	free(o->all);
	free(o->ll);
	free(o->y);
	free(o->fold);
	memset(o, 0, sizeof *o);
}

/* The mean log loss of the N rows of logits Z (M's kind), classes Y. */
static double oof_log_loss(const struct linmodel *m, size_t n, const double *z, const uint32_t *y)
{
	double sum = 0, dz;
	size_t i;

	for (i = 0; i < n; i++)
		sum += m->kind == MODEL_LOGISTIC ?
		       focal_binary(z[i], y[i] == (uint32_t)m->positive, 0, &dz) :
		       focal_softmax(z + i * m->nout, m->nout, y[i], 0, NULL);
	return n ? sum / (double)n : NAN;
}

/*
 * The inner CV of C on rows R (their multiplicities; NULL all once) of D, for each of the
 * NL values LAMBDA (largest first): OUT gets the logits of every row in the set from the
 * fit on the other inner folds, with the prior correction when KIND asks for it (AUTO:
 * when the fit saw another class balance).  Along LAMBDA each fold's fit starts from its
 * fit at the previous value, and at the first value from the previous fold's.  With
 * EARLY, the path stops once the out-of-fold log loss has risen twice in a row past its
 * lowest (OUT->nl says how far it went).
 */
static int inner_cv(const struct dataset *d, const struct schema *s, const struct fitrows *r,
                    const struct fitconfig *c, const struct tuneopts *t, enum calib_kind kind,
                    const double *lambda, size_t nl, int early, struct oof *out, size_t *fits,
                    struct ferr *e)
{
	size_t n = d->n, nclass = s->nclass, nout = c->kind == MODEL_LOGISTIC ? 1 : nclass;
	size_t i, g, j, m = 0, np = nout * (d->dim + 1), folds = t->folds, best = 0;
	uint32_t *fold = xcalloc(n ? n : 1, sizeof *fold);
	double *count = xcalloc(n ? n : 1, sizeof *count), *xrow = xcalloc(d->dim + 1, sizeof *xrow);
	double *delta = xcalloc(nclass, sizeof *delta), *shift = xcalloc(nclass, sizeof *shift);
	double *eff = NULL, *prev = xcalloc(np * folds, sizeof *prev), *ll = xcalloc(nl, sizeof *ll);
	size_t ring = early ? 4 : nl;
	uint32_t *slot = xcalloc(n ? n : 1, sizeof *slot);
	struct linmodel shape;
	int rc = -1;

	memset(&shape, 0, sizeof shape);
	shape.kind = c->kind;
	shape.nclass = nclass;
	shape.nout = nout;
	shape.positive = c->positive;
	cv_stratify(d->y, n, nclass, r->count, folds, cv_derive_seed(t->seed, CV_SEED_INNER, 0, 0, 2),
	            fold);
	for (i = 0; i < n; i++)
		if (fold[i] < folds)
			slot[i] = (uint32_t)m++;
	out->n = m;
	out->nout = nout;
	out->folds = folds;
	out->nl = nl;
	out->ring = ring;
	out->ll = ll;
	out->all = xcalloc((m ? m : 1) * nout * ring, sizeof *out->all);
	out->z = out->all;
	out->y = xcalloc(m ? m : 1, sizeof *out->y);
	out->fold = xcalloc(m ? m : 1, sizeof *out->fold);
	for (j = 0; j < nl; j++) {
		double *z = out->all + j % ring * m * nout;

		for (g = 0; g < folds; g++) {
			struct fitrows rows;
			struct fitconfig ci = *c;
			struct fitresult fr;
			struct linmodel scorer;
			int changed;

			for (i = 0; i < n; i++)
				count[i] = fold[i] < folds && fold[i] != g ? (r->count ? r->count[i] : 1) : 0;
			memset(&rows, 0, sizeof rows);
			rows.count = count;
			rows.standardize = t->standardize;
			ci.lambda = lambda[j];
			ci.sample_seed = cv_derive_seed(c->sample_seed, CV_SEED_INNER, g, 0, 0);
			ci.solver.seed = cv_derive_seed(c->solver.seed, CV_SEED_INNER, g, 1, 0);
			ci.solver.init = j ? prev + g * np : g ? prev : NULL;
			ci.warn = NULL;
			ci.solver.progress = NULL;
			if (fit_rows(d, s, &rows, &ci, &fr, e) != 0) {
				fitresult_release(&fr);
				goto fail;
			}
			(*fits)++;
			memcpy(prev + g * np, fr.lm.w, np * sizeof *prev);
			changed = calib_prior_shift(nclass, fr.count_before, fr.count_after, fr.class_weight,
			                            delta);
			if (kind == CALIB_NONE || (kind == CALIB_AUTO && !changed))
				memset(delta, 0, nclass * sizeof *delta);
			calib_logit_shift(&fr.lm, delta, shift);
			calib_add_bias(&fr.lm, shift);
			scorer = fr.lm;
			eff = xreallocarray(eff, np, sizeof *eff);
			fit_scorer(&fr.lm, &fr.prep, eff);
			scorer.w = eff;
			for (i = 0; i < n; i++) {
				block_sweep(d->x, i, n, d->dim);
				if (fold[i] != g)
					continue;
				fit_row(d, i, fr.prep.fill, xrow);
				linmodel_logits(&scorer, xrow, z + (size_t)slot[i] * nout);
				out->y[slot[i]] = d->y[i];
				out->fold[slot[i]] = (uint32_t)g;
			}
			fitresult_release(&fr);
		}
		if (!early)
			continue;
		ll[j] = oof_log_loss(&shape, m, z, out->y);
		if (ll[j] < ll[best])
			best = j;
		if (j >= best + 2) {
			out->nl = j + 1;
			break;
		}
	}
	rc = 0;
fail:
	free(fold);
	free(count);
	free(xrow);
	free(delta);
	free(shift);
	free(eff);
	free(prev);
	free(slot);
	return rc;
}

/* Row I's probability of class POS from its logits (M's kind). */
static double oof_prob(const struct linmodel *m, const double *z, int pos, double *buf)
{
	memcpy(buf, z, m->nout * sizeof *buf);
	linmodel_probs(m, buf);
	return buf[pos];
}

/* The mean and the standard deviation (n - 1) of X's N values into *MEAN, *SD. */
static void spread(const double *x, size_t n, double *sd)
{
	double mean = 0, ss = 0;
	size_t i;

	for (i = 0; i < n; i++)
		mean += x[i];
	mean /= (double)(n ? n : 1);
	for (i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	*sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
}

/*
 * Tunes DEC (holding the calibration's decision as the start) on the out-of-fold rows of
 * O whose fold is FOLD (all rows when FOLD is O->folds), with logits as M gives them;
 * returns the metric there (NAN when those rows hold one class of two).
 */
static double tune_on(const struct linmodel *m, const struct oof *o, size_t fold, int metric,
                      struct decision *dec)
{
	size_t i, n = 0, k = m->nclass;
	double *buf = xcalloc(k, sizeof *buf), got = NAN;

	if (k == 2) {
		double *score = xcalloc(o->n ? o->n : 1, sizeof *score), best;
		unsigned char *pos = xcalloc(o->n ? o->n : 1, sizeof *pos);

		for (i = 0; i < o->n; i++) {
			if (fold < o->folds && o->fold[i] != fold)
				continue;
			score[n] = oof_prob(m, o->z + i * o->nout, dec->positive, buf);
			pos[n++] = o->y[i] == (uint32_t)dec->positive;
		}
		if (decision_best_threshold(n, score, pos, metric, dec->positive, dec->threshold,
		                            &dec->threshold, &best) == 0)
			got = best;
		free(score);
		free(pos);
	} else {
		double *z = xcalloc((o->n ? o->n : 1) * k, sizeof *z);
		uint32_t *y = xcalloc(o->n ? o->n : 1, sizeof *y);

		for (i = 0; i < o->n; i++) {
			if (fold < o->folds && o->fold[i] != fold)
				continue;
			memcpy(z + n * k, o->z + i * k, k * sizeof *z);
			y[n++] = o->y[i];
		}
		got = decision_tune_offsets(n, k, z, y, metric, dec->offset);
		free(z);
		free(y);
	}
	free(buf);
	return got;
}

/*
 * The decision that keeps the uncalibrated fit's: SHIFT (nout values) was added to its
 * logits.  Two classes: the logit of the positive class against the other moved by T,
 * so z >= 0 becomes p >= sigmoid(T); more: the offsets -SHIFT.
 */
static void keep_decision(const struct linmodel *m, const double *shift, struct decision *dec)
{
	size_t c;

	dec->source = DEC_CALIBRATION;
	if (m->nclass == 2) {
		struct linmodel one = *m;
		double prob[2];

		one.kind = MODEL_LOGISTIC;
		one.nout = 1;
		prob[0] = m->kind == MODEL_LOGISTIC ? shift[0] :
		          shift[m->positive] - shift[1 - m->positive];
		linmodel_probs(&one, prob);
		dec->threshold = prob[m->positive];
		return;
	}
	for (c = 0; c < m->nclass; c++)
		dec->offset[c] = -shift[c];
	decision_center(dec->offset, m->nclass);
}

/* --lambda auto: the L2 strengths tried, 1 down to 1e-6 by half decades. */
#define PATH_N 13

/*
 * --lambda auto: fills PATH from the out-of-fold logits O of each lambda tried (M's
 * shape) and returns the index of the best: the lowest log loss, or with METRIC the
 * highest metric of the decision tuned on the out-of-fold predictions, tried at the
 * lambda of lowest log loss and its two neighbours (the score of the others is NAN); the
 * larger lambda of equal scores.
 */
static size_t choose_lambda(const struct linmodel *m, struct oof *o, const double *lambda,
                            int metric, struct lampath *path)
{
	size_t j, nb = o->n * o->nout, low = 0;

	path->n = o->nl;
	path->metric = metric;
	path->lambda = xcalloc(o->nl, sizeof *path->lambda);
	path->log_loss = xcalloc(o->nl, sizeof *path->log_loss);
	path->score = xcalloc(o->nl, sizeof *path->score);
	for (j = 0; j < o->nl; j++) {
		path->lambda[j] = lambda[j];
		path->log_loss[j] = o->ll[j];
		path->score[j] = metric >= 0 ? NAN : o->ll[j];
		if (o->ll[j] < o->ll[low])
			low = j;
	}
	path->chosen = low;
	for (j = low ? low - 1 : 0; metric >= 0 && j <= low + 1 && j < o->nl; j++) {
		struct decision dec;

		o->z = o->all + j % o->ring * nb;
		decision_argmax(&dec, m->nclass, m->positive);
		path->score[j] = tune_on(m, o, o->folds, metric, &dec);
		decision_release(&dec);
	}
	if (metric >= 0) {
		path->chosen = o->nl;
		for (j = 0; j < o->nl; j++)
			if (isfinite(path->score[j]) &&
			    (path->chosen == o->nl || path->score[j] > path->score[path->chosen]))
				path->chosen = j;
		if (path->chosen == o->nl)
			path->chosen = low;
	}
	o->z = o->all + path->chosen % o->ring * nb;
	return path->chosen;
}

int fit_tuned(const struct dataset *d, const struct schema *s, const struct fitrows *r,
              const struct fitconfig *c, const struct tuneopts *t, struct fitresult *out,
              struct ferr *e)
{
	size_t nclass = s->nclass, nout, i, g, nl = 1, fits = 0;
	double *shift = NULL, *delta = NULL, *b = NULL, scale = 1, lambda[PATH_N];
	struct fitconfig cf = *c;
	struct lampath path;
	struct oof o;
	int prior, rc = -1;
	enum calib_kind kind = t->calibrate;

	memset(&o, 0, sizeof o);
	memset(&path, 0, sizeof path);
	memset(out, 0, sizeof *out);
	lambda[0] = c->lambda;
	if (t->lambda_auto) {
		nl = PATH_N;
		for (i = 0; i < nl; i++)
			lambda[i] = pow(10, -0.5 * (double)i);
	}
	if (kind == CALIB_TEMPERATURE || t->metric >= 0 || t->lambda_auto) {
		if (inner_cv(d, s, r, c, t, kind, lambda, nl, t->lambda_auto, &o, &fits, e) != 0)
			goto out;
	}
	if (t->lambda_auto) {
		struct linmodel shape;

		memset(&shape, 0, sizeof shape);
		shape.kind = c->kind;
		shape.nclass = nclass;
		shape.nout = o.nout;
		shape.positive = c->positive;
		cf.lambda = lambda[choose_lambda(&shape, &o, lambda, t->metric, &path)];
	}
	if (fit_rows(d, s, r, &cf, out, e) != 0)
		goto out;
	out->inner_fits = fits;
	out->path = path;
	memset(&path, 0, sizeof path);
	nout = out->lm.nout;
	delta = xcalloc(nclass, sizeof *delta);
	shift = xcalloc(nclass, sizeof *shift);
	b = xcalloc(nclass, sizeof *b);
	prior = calib_prior_shift(nclass, out->count_before, out->count_after, out->class_weight,
	                          delta);
	if (kind == CALIB_AUTO)
		kind = prior ? CALIB_PRIOR : CALIB_NONE;
	out->calib = kind;
	if (kind == CALIB_NONE)
		memset(delta, 0, nclass * sizeof *delta);
	/* the prior shift P on the logits */
	calib_logit_shift(&out->lm, delta, shift);
	calib_add_bias(&out->lm, shift);
	if (kind == CALIB_TEMPERATURE) {
		/* the logits z + P become s (z + P) + b */
		if (calib_fit_temperature(&out->lm, o.n, o.z, o.y, &scale, b) != 0 && c->warn)
			c->warn("--calibrate temperature: the fit of the temperature did not converge");
		calib_scale(&out->lm, scale, b);
		for (i = 0; i < o.n; i++)
			for (g = 0; g < nout; g++)
				o.z[i * nout + g] = scale * o.z[i * nout + g] + b[g];
		for (g = 0; g < nout; g++)
			shift[g] = scale * shift[g] + b[g];
		out->temperature = 1 / scale;
	}
	if (kind != CALIB_NONE)
		keep_decision(&out->lm, shift, &out->dec);
	if (t->metric >= 0) {
		struct decision start;
		double *vals = xcalloc(t->folds * (nclass + 1), sizeof *vals);
		size_t c2;

		decision_copy(&start, &out->dec);
		for (g = 0; g < t->folds; g++) {
			struct decision dg;

			decision_copy(&dg, &start);
			tune_on(&out->lm, &o, g, t->metric, &dg);
			if (nclass == 2)
				vals[g] = dg.threshold;
			else
				for (c2 = 0; c2 < nclass; c2++)
					vals[c2 * t->folds + g] = dg.offset[c2];
			decision_release(&dg);
		}
		tune_on(&out->lm, &o, t->folds, t->metric, &out->dec);
		if (nclass == 2)
			spread(vals, t->folds, &out->dec.threshold_sd);
		else
			for (c2 = 0; c2 < nclass; c2++)
				spread(vals + c2 * t->folds, t->folds, &out->dec.offset_sd[c2]);
		out->dec.source = DEC_TUNED;
		out->dec.metric = t->metric;
		out->dec.folds = (int)t->folds;
		decision_release(&start);
		free(vals);
	}
	rc = 0;
out:
	oof_release(&o);
	lampath_release(&path);
	free(delta);
	free(shift);
	free(b);
	return rc;
}
