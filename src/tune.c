/*
 * tune.c: after a fit, its calibration and its decision (fit_tuned in fit.h).
 *
 * The prior correction needs nothing but the class counts.  The temperature and a tuned
 * decision need predictions the model did not see: an inner stratified CV of the same
 * configuration on the same rows gives every row its out-of-fold logits (each inner
 * model prior-corrected on its own rows as the final one is), once, for both.
 *
 * focal-mpi (dist.h, c->solver.dist): each process holds the next rows of the table.
 * The inner folds are those of the whole table's rows, every inner fit sums over all the
 * processes (as fit_rows does), and each process scores its own rows out of fold; the
 * log loss of the path is summed rank after rank, as one process sums it.  What needs
 * every row's logits (the temperature, the tuned decision and the metric of a lambda)
 * is computed by rank 0 on the logits, classes and folds gathered there, and its result
 * passed to the others bit for bit: every process ends with one process's model.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "cv.h"
#include "dist.h"
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

/*
 * The mean log loss of the N rows of logits Z (M's kind), classes Y.  With DIST, of the
 * rows of every process: each adds its rows to the sum of the processes before it, in
 * rank order, so that the sum is one process's to the last bit.
 */
static double oof_log_loss(const struct dist *dist, const struct linmodel *m, size_t n,
                           const double *z, const uint32_t *y)
{
	double sum = 0, rows = (double)n, dz;
	size_t i;
	int r, nproc = dist ? dist->size : 1, me = dist ? dist->rank : 0;

	for (r = 0; r < nproc; r++) {
		for (i = 0; r == me && i < n; i++)
			sum += m->kind == MODEL_LOGISTIC ?
			       focal_binary(z[i], y[i] == (uint32_t)m->positive, 0, &dz) :
			       focal_softmax(z + i * m->nout, m->nout, y[i], 0, NULL);
		dist_bcast(dist, r, &sum, 1);
	}
	dist_sum(dist, &rows, 1);
	return rows > 0 ? sum / rows : NAN;
}

/* Rank 0's N doubles V onto every process of DIST, byte for byte (-0 and NaNs too). */
static void bcast_exact(const struct dist *dist, double *v, size_t n)
{
	size_t *lens;
	double *all;

	if (!dist || dist->size <= 1)
		return;
	lens = xcalloc((size_t)dist->size, sizeof *lens);
	all = dist_gather(dist, v, dist->rank == 0 ? n * sizeof *v : 0, lens);
	memcpy(v, all, n * sizeof *v);
	free(all);
	free(lens);
}

/*
 * The inner CV of C on rows R (their multiplicities; NULL all once) of D, for each of the
 * NL values LAMBDA (largest first): OUT gets the logits of every row in the set from the
 * fit on the other inner folds, with the prior correction when KIND asks for it (AUTO:
 * when the fit saw another class balance).  Along LAMBDA each fold's fit starts from its
 * fit at the previous value, and at the first value from the previous fold's.  With
 * EARLY, the path stops once the out-of-fold log loss has risen twice in a row past its
 * lowest (OUT->nl says how far it went).  With focal-mpi, OUT holds this process's rows
 * (oof_gather brings them to rank 0).
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
	const struct dist *dist = c->solver.dist;
	/* the inner fitpreps' sums are taken around the table's means, as the outer one's */
	double *center = r->center ? NULL : fit_column_means(d, s, dist);
	struct linmodel shape;
	int rc = -1;

	memset(&shape, 0, sizeof shape);
	shape.kind = c->kind;
	shape.nclass = nclass;
	shape.nout = nout;
	shape.positive = c->positive;
	/* focal-mpi: the inner folds of the whole table's rows in the set */
	cv_stratify_shared(dist, d->y, n, nclass, r->count, folds,
	                   cv_derive_seed(t->seed, CV_SEED_INNER, 0, 0, 2), fold);
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
			rows.center = r->center ? r->center : center;
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
		ll[j] = oof_log_loss(dist, &shape, m, z, out->y);
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
	free(center);
	return rc;
}

/*
 * focal-mpi: the out-of-fold rows of every process into rank 0's O (the others' O then
 * holds no rows), as one process's inner_cv leaves them: the classes and folds (8 bytes
 * a row) and the logits of the lambdas that are tuned on or calibrated with (those of
 * the lowest log loss, and with METRIC its two neighbours: nout doubles a row each).
 */
static void oof_gather(const struct dist *dist, struct oof *o, int metric)
{
	size_t n = o->n, nout = o->nout, low = 0, j, i, hi, total = 0, q;
	size_t *lens = xcalloc((size_t)dist->size, sizeof *lens);
	uint64_t *yf = xcalloc(n + 1, sizeof *yf), *allyf;
	double *all = NULL;
	int root = dist->rank == 0;

	for (j = 1; j < o->nl; j++)
		if (o->ll[j] < o->ll[low])
			low = j;
	hi = metric >= 0 && low + 1 < o->nl ? low + 1 : low;
	if (metric >= 0 && low > 0)
		low--;
	for (i = 0; i < n; i++)
		yf[i] = (uint64_t)o->y[i] << 32 | o->fold[i];
	allyf = dist_gather_root(dist, yf, n * sizeof *yf, lens);
	for (q = 0; root && q < (size_t)dist->size; q++)
		total += lens[q] / sizeof *yf;
	if (root)
		all = xcalloc((total ? total : 1) * nout * o->ring, sizeof *all);
	for (j = low; j <= hi; j++) {
		double *got = dist_gather_root(dist, o->all + j % o->ring * n * nout,
		                               n * nout * sizeof *all, lens);

		if (root)
			memcpy(all + j % o->ring * total * nout, got, total * nout * sizeof *all);
		free(got);
	}
	free(o->all);
	o->all = o->z = all ? all : xcalloc(1, sizeof *o->all);
	o->n = root ? total : 0;
	if (root) {
		o->y = xreallocarray(o->y, total + 1, sizeof *o->y);
		o->fold = xreallocarray(o->fold, total + 1, sizeof *o->fold);
		for (i = 0; i < total; i++) {
			o->y[i] = (uint32_t)(allyf[i] >> 32);
			o->fold[i] = (uint32_t)(allyf[i] & UINT32_MAX);
		}
	}
	free(allyf);
	free(yf);
	free(lens);
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

/* focal-mpi: rank 0's tuned threshold or offsets, and their spread, onto every process. */
static void share_decision(const struct dist *dist, struct decision *dec)
{
	size_t k = dec->k;
	double *v;

	if (!dist || dist->size <= 1)
		return;
	v = xcalloc(2 * k + 2, sizeof *v);
	v[0] = dec->threshold;
	v[1] = dec->threshold_sd;
	if (dec->offset) {
		memcpy(v + 2, dec->offset, k * sizeof *v);
		memcpy(v + 2 + k, dec->offset_sd, k * sizeof *v);
	}
	bcast_exact(dist, v, 2 * k + 2);
	dec->threshold = v[0];
	dec->threshold_sd = v[1];
	if (dec->offset) {
		memcpy(dec->offset, v + 2, k * sizeof *v);
		memcpy(dec->offset_sd, v + 2 + k, k * sizeof *v);
	}
	free(v);
}

/* --lambda auto: the L2 strengths tried, 1 down to 1e-6 by half decades. */
#define PATH_N 13

/*
 * --lambda auto: fills PATH from the out-of-fold logits O of each lambda tried (M's
 * shape) and returns the index of the best: the lowest log loss, or with METRIC the
 * highest metric of the decision tuned on the out-of-fold predictions, tried at the
 * lambda of lowest log loss and its two neighbours (the score of the others is NAN); the
 * larger lambda of equal scores.  With DIST, rank 0 tunes (on the rows oof_gather gave
 * it) and the others get its scores.
 */
static size_t choose_lambda(const struct dist *dist, const struct linmodel *m, struct oof *o,
                            const double *lambda, int metric, struct lampath *path)
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
	/* focal-mpi: rank 0 holds the rows (oof_gather), and tells the others */
	for (j = low ? low - 1 : 0; metric >= 0 && j <= low + 1 && j < o->nl &&
	     (!dist || dist->rank == 0); j++) {
		struct decision dec;

		o->z = o->all + j % o->ring * nb;
		decision_argmax(&dec, m->nclass, m->positive);
		path->score[j] = tune_on(m, o, o->folds, metric, &dec);
		decision_release(&dec);
	}
	if (metric >= 0) {
		bcast_exact(dist, path->score, o->nl);
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
	const struct dist *dist = c->solver.dist;
	int root = !dist || dist->rank == 0;

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
		if (dist && dist->size > 1 && (kind == CALIB_TEMPERATURE || t->metric >= 0))
			oof_gather(dist, &o, t->metric);
	}
	if (t->lambda_auto) {
		struct linmodel shape;

		memset(&shape, 0, sizeof shape);
		shape.kind = c->kind;
		shape.nclass = nclass;
		shape.nout = o.nout;
		shape.positive = c->positive;
		cf.lambda = lambda[choose_lambda(dist, &shape, &o, lambda, t->metric, &path)];
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
		/* focal-mpi: rank 0's fit, on every process's rows, and whether it converged */
		double *got = xcalloc(nclass + 2, sizeof *got);

		if (root) {
			got[0] = calib_fit_temperature(&out->lm, o.n, o.z, o.y, &scale, b) != 0;
			got[1] = scale;
			memcpy(got + 2, b, nclass * sizeof *b);
		}
		bcast_exact(dist, got, nclass + 2);
		scale = got[1];
		memcpy(b, got + 2, nclass * sizeof *b);
		/* the logits z + P become s (z + P) + b */
		if (got[0] != 0 && c->warn)
			c->warn("--calibrate temperature: the fit of the temperature did not converge");
		free(got);
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
		/* focal-mpi: rank 0 tunes on every process's rows, the others take its decision */
		for (g = 0; root && g < t->folds; g++) {
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
		if (root) {
			tune_on(&out->lm, &o, t->folds, t->metric, &out->dec);
			if (nclass == 2)
				spread(vals, t->folds, &out->dec.threshold_sd);
			else
				for (c2 = 0; c2 < nclass; c2++)
					spread(vals + c2 * t->folds, t->folds, &out->dec.offset_sd[c2]);
		}
		share_decision(dist, &out->dec);
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
