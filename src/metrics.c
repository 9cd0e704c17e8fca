/*
 * metrics.c: the per-class report of SPEC "Outputs", computed as scikit-learn 1.2 and
 * imbalanced-learn 0.10 compute it (checked against tests/golden/metrics_expected.tsv):
 *
 * - precision, recall, F1 and their macro/weighted/micro averages: sklearn's
 *   precision_recall_fscore_support with labels=range(k), zero_division=0 (a class
 *   that is neither true nor predicted counts as 0 in the macro average);
 * - specificity and per-class G-mean: imblearn's sensitivity_specificity_support and
 *   geometric_mean_score(average=None), zero division 0;
 * - balanced accuracy: mean recall over the classes present in the truth (sklearn);
 * - MCC and Cohen's kappa: sklearn's multiclass formulas; kappa is NAN (sklearn: nan)
 *   when only one class occurs in truth and predictions together;
 * - multiclass G-mean: imblearn's geometric_mean_score(average="multiclass",
 *   correction=0) without labels: the geometric mean of the recalls of the classes that
 *   occur in the truth or the predictions, so 0 as soon as one of them has recall 0
 *   (a predicted class absent from the truth included);
 * - log loss: each probability clipped below at 1e-15, each row then renormalised to
 *   sum 1 (as sklearn's log_loss renormalises), mean of -log p(true class).  The golden
 *   values tell this from clipping to [1e-15, 1 - 1e-15] too (case "perfect": 3.27e-15,
 *   not 3.20e-15);
 * - one-vs-rest ROC AUC and average precision per class from that class's score column:
 *   roc_curve + auc (trapezoids between distinct thresholds, ties in one step) and
 *   average_precision_score (sum of (R_i - R_{i-1}) P_i over distinct thresholds, no
 *   interpolation); NAN when the class has no positives or no negatives.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#include "decision.h"
#include "util.h"

#define LOGLOSS_EPS 1e-15

/*
 * The scratch of a one-vs-rest ranking: each row's key (desc_key of its score) and
 * whether it belongs to the class, twice over for the sort, and the digit counts.
 */
struct ranking {
	uint64_t *ka, *kb;
	unsigned char *pa, *pb;
	size_t *count;
};

/* A key whose unsigned order is the score's order, highest first (NaN last). */
static uint64_t desc_key(double x)
{
	uint64_t u;

	if (isnan(x))
		return UINT64_MAX;
	if (x == 0)
		x = 0; /* -0 and +0 are one score */
	memcpy(&u, &x, sizeof u);
	u = (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
	return ~u;
}

/*
 * Sorts the N keys of RK (and their labels along) into ascending key order, highest
 * score first, equal scores together: a radix sort on 16-bit digits, skipping passes in
 * which every key has the same digit.  The result is in RK->ka and RK->pa.
 */
static void sort_desc(struct ranking *rk, size_t n)
{
	uint64_t *ka = rk->ka, *kb = rk->kb, *kt;
	unsigned char *pa = rk->pa, *pb = rk->pb, *pt;
	size_t *count = rk->count, i, d, c, sum;

	for (d = 0; d < 64 && n > 0; d += 16) {
		memset(count, 0, 65536 * sizeof *count);
		for (i = 0; i < n; i++)
			count[(ka[i] >> d) & 0xffff]++;
		if (count[(ka[0] >> d) & 0xffff] == n)
			continue;
		for (sum = 0, i = 0; i < 65536; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			size_t to = count[(ka[i] >> d) & 0xffff]++;

			kb[to] = ka[i];
			pb[to] = pa[i];
		}
		kt = ka, ka = kb, kb = kt;
		pt = pa, pa = pb, pb = pt;
	}
	rk->ka = ka, rk->kb = kb;
	rk->pa = pa, rk->pb = pb;
}

/* Appends (X, Y) to C's points. */
static void curve_push(struct curve *c, double x, double y)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->x = xreallocarray(c->x, c->cap, sizeof *c->x);
		c->y = xreallocarray(c->y, c->cap, sizeof *c->y);
	}
	c->x[c->n] = x;
	c->y[c->n] = y;
	c->n++;
}

/*
 * Adds the threshold where TPS of the NPOS positives and FPS of the NNEG negatives score
 * at least as high to ROC (a point) and PR (the step from recall PREV_TPS / NPOS at its
 * precision, whose area is this threshold's term of the average precision).
 */
static void curve_point(struct curve *roc, struct curve *pr, double tps, double fps,
                        double prev_tps, double npos, double nneg)
{
	double prec = tps / (tps + fps);

	curve_push(roc, fps / nneg, tps / npos);
	curve_push(pr, prev_tps / npos, prec);
	curve_push(pr, tps / npos, prec);
}

void metrics_rank_begin(struct metrics_rank *rk, double npos, double nneg, struct curve *roc,
                        struct curve *pr)
{
	memset(rk, 0, sizeof *rk);
	rk->npos = npos;
	rk->nneg = nneg;
	rk->roc = roc;
	rk->pr = pr;
	if (roc)
		curve_push(roc, 0, 0);
	rk->tstep = npos / METRICS_CURVE_CELLS;
	rk->fstep = nneg / METRICS_CURVE_CELLS;
	rk->tnext = rk->tstep;
	rk->fnext = rk->fstep;
}

/* The threshold at the rows so far ends (LAST: the last one of all). */
static void rank_close(struct metrics_rank *rk, int last)
{
	double tps = rk->tps, fps = rk->fps, npos = rk->npos, nneg = rk->nneg;

	/* Trapezoid in (fps, tps) counts, scaled by npos * nneg at the end. */
	rk->area += (fps - rk->prev_fps) * (tps + rk->prev_tps);
	/* Step: recall gain times precision at this threshold. */
	rk->apsum += (tps - rk->prev_tps) / npos * (tps / (tps + fps));
	/*
	 * Thinned on a grid of METRICS_CURVE_CELLS cells per unit: a threshold is kept when
	 * its count of positives or of negatives enters another cell, with the one before it
	 * (the last of the cell left), and the last threshold, so a curve has a few points a
	 * cell whatever the rows, for two comparisons a threshold.
	 */
	if (rk->roc && (tps >= rk->tnext || fps >= rk->fnext || last)) {
		if (rk->skipped) {
			curve_push(rk->roc, rk->prev_fps / nneg, rk->prev_tps / npos);
			curve_push(rk->pr, rk->prev_tps / npos,
			           rk->prev_tps / (rk->prev_tps + rk->prev_fps));
		}
		curve_point(rk->roc, rk->pr, tps, fps, rk->prev_tps, npos, nneg);
		rk->tnext = (floor(tps / rk->tstep) + 1) * rk->tstep;
		rk->fnext = (floor(fps / rk->fstep) + 1) * rk->fstep;
		rk->skipped = 0;
	} else if (rk->roc) {
		rk->skipped = 1;
	}
	rk->prev_tps = tps;
	rk->prev_fps = fps;
}

void metrics_rank_add(struct metrics_rank *rk, uint64_t key, int pos)
{
	/* A threshold ends where the score changes; NaNs (the largest key) are never equal. */
	if (rk->have && (key != rk->key || key == UINT64_MAX))
		rank_close(rk, 0);
	if (pos)
		rk->tps++;
	else
		rk->fps++;
	rk->key = key;
	rk->have = 1;
}

void metrics_rank_end(struct metrics_rank *rk, double *auc, double *ap)
{
	if (rk->have)
		rank_close(rk, 1);
	*auc = rk->area / (2.0 * rk->npos * rk->nneg);
	*ap = rk->apsum;
}

void metrics_rank_keys(size_t n, size_t k, const uint32_t *ytrue, const double *scores,
                       uint32_t c, uint64_t *key, unsigned char *pos)
{
	struct ranking rk;
	size_t i;

	rk.ka = key;
	rk.pa = pos;
	rk.kb = xcalloc(n ? n : 1, sizeof *rk.kb);
	rk.pb = xcalloc(n ? n : 1, 1);
	rk.count = xcalloc(65536, sizeof *rk.count);
	for (i = 0; i < n; i++) {
		key[i] = desc_key(scores[i * k + c]);
		pos[i] = ytrue[i] == c;
	}
	sort_desc(&rk, n);
	/* the sorted keys are where the last pass left them */
	if (rk.ka != key) {
		memcpy(key, rk.ka, n * sizeof *key);
		memcpy(pos, rk.pa, n);
		rk.kb = rk.ka;
		rk.pb = rk.pa;
	}
	free(rk.kb);
	free(rk.pb);
	free(rk.count);
}

double metrics_key_score(uint64_t key)
{
	uint64_t u = ~key;
	double x;

	u = (u >> 63) ? u & ~(UINT64_C(1) << 63) : ~u;
	memcpy(&x, &u, sizeof x);
	return x;
}

/* sklearn's F1 from precision and recall: 0 when both are 0. */
static double f1_of(double p, double r)
{
	double d = p + r;

	return d == 0 ? 0 : 2 * p * r / d;
}

/* a / b, or 0 when b is 0 (the zero-division convention). */
static double div0(double a, double b)
{
	return b == 0 ? 0 : a / b;
}

/* Where metrics_accumulate keeps each sum, after the k x k confusion counts. */
#define ACC_LOGLOSS 0
#define ACC_BRIER 1
#define ACC_CONF 2
#define ACC_HITS (ACC_CONF + METRICS_ECE_BINS)
#define ACC_ROWS (ACC_HITS + METRICS_ECE_BINS)
#define ACC_END (ACC_ROWS + METRICS_ECE_BINS)

size_t metrics_acc_len(size_t k)
{
	return k * k + ACC_END;
}

/* Row S's term of the log loss, true class Y. */
static double log_loss_term(size_t k, uint32_t y, const double *s)
{
	double sum = 0, p = 0;
	size_t j;

	for (j = 0; j < k; j++) {
		double v = s[j];

		if (v < LOGLOSS_EPS)
			v = LOGLOSS_EPS;
		sum += v;
		if (j == y)
			p = v;
	}
	return -log(p / sum);
}

/* Adds row S's terms of the Brier score (true class Y) to *TOTAL, one by one, as one
 * running sum over the rows takes them. */
static void brier_add(size_t k, uint32_t y, const double *s, double *total)
{
	double d;
	size_t j;

	if (k == 2) {
		d = s[1] - (y == 1);
		*total += d * d;
		return;
	}
	for (j = 0; j < k; j++) {
		d = s[j] - (y == j);
		*total += d * d;
	}
}

/*
 * Row S's reliability bin (true class Y): of METRICS_ECE_BINS equal-width bins (lo, hi]
 * of the row's largest probability (the first bin holding 0), that probability is added
 * to CONF, whether its class (the first of equal largest) is the true one to HITS, and
 * the row to ROWS.
 */
static void reliability_add(size_t k, uint32_t y, const double *s, double *conf, double *hits,
                            double *rows)
{
	size_t j, b, top = 0;

	for (j = 1; j < k; j++)
		if (s[j] > s[top])
			top = j;
	/* The bin (b / 15, (b + 1) / 15] holding s[top], the edges as b * (1 / 15). */
	for (b = 0; b + 1 < METRICS_ECE_BINS; b++)
		if (s[top] <= (double)(b + 1) * (1.0 / METRICS_ECE_BINS))
			break;
	conf[b] += s[top];
	hits[b] += y == top;
	rows[b]++;
}

void metrics_accumulate(double *acc, size_t n, size_t k, const uint32_t *ytrue,
                        const uint32_t *ypred, const double *scores)
{
	double *sums = acc + k * k;
	size_t i;

	for (i = 0; i < n; i++)
		acc[(size_t)ytrue[i] * k + ypred[i]]++;
	if (!scores)
		return;
	for (i = 0; i < n; i++)
		sums[ACC_LOGLOSS] += log_loss_term(k, ytrue[i], scores + i * k);
	for (i = 0; i < n; i++)
		brier_add(k, ytrue[i], scores + i * k, &sums[ACC_BRIER]);
	for (i = 0; i < n; i++)
		reliability_add(k, ytrue[i], scores + i * k, sums + ACC_CONF, sums + ACC_HITS,
		                sums + ACC_ROWS);
}

/* The expected calibration error from the bins of SUMS (and them into FD). */
static double calibration_error(size_t n, const double *sums, struct figdata *fd)
{
	const double *conf = sums + ACC_CONF, *hits = sums + ACC_HITS, *rows = sums + ACC_ROWS;
	double total = 0;
	size_t b;

	for (b = 0; b < METRICS_ECE_BINS; b++) {
		if (rows[b] > 0)
			total += rows[b] / (double)n * fabs(hits[b] / rows[b] - conf[b] / rows[b]);
		if (fd) {
			fd->bin_conf[b] = conf[b];
			fd->bin_hits[b] = hits[b];
			fd->bin_rows[b] = rows[b];
		}
	}
	return total;
}

/* Adds X to *SUM and counts it in *M when it is defined. */
static void add_defined(double x, double *sum, size_t *m)
{
	if (!isnan(x)) {
		*sum += x;
		(*m)++;
	}
}

void metrics_compute(struct report *r, size_t n, size_t k, const uint32_t *ytrue,
                     const uint32_t *ypred, const double *scores)
{
	metrics_compute_figures(r, NULL, n, k, ytrue, ypred, scores);
}

void metrics_finish(struct report *r, struct figdata *fd, size_t n, size_t k, const double *acc,
                    int scores)
{
	size_t c, j, *tp, *tsum, *psum, correct = 0, npresent = 0, nseen = 0;
	double nd = (double)n, sum_p = 0, sum_r = 0, sum_f = 0, w_p = 0, w_r = 0, w_f = 0;
	double bal = 0, logsum = 0, tt = 0, pp = 0, tpd = 0, cov_tp, cov_pp, cov_tt, offdiag;
	const double *sums = acc + k * k;
	int zero_recall = 0;

	memset(r, 0, sizeof *r);
	if (fd) {
		memset(fd, 0, sizeof *fd);
		fd->k = k;
		fd->scores = scores && n > 0;
		fd->roc = xcalloc(k ? k : 1, sizeof *fd->roc);
		fd->pr = xcalloc(k ? k : 1, sizeof *fd->pr);
	}
	r->positive = -1;
	r->k = k;
	r->n = n;
	r->cls = xcalloc(k ? k : 1, sizeof *r->cls);
	r->confusion = xcalloc(k ? k * k : 1, sizeof *r->confusion);
	tp = xcalloc(k ? 3 * k : 1, sizeof *tp);
	tsum = tp + k;
	psum = tsum + k;

	for (c = 0; c < k * k; c++)
		r->confusion[c] = (size_t)acc[c];
	for (c = 0; c < k; c++) {
		tp[c] = r->confusion[c * k + c];
		correct += tp[c];
		for (j = 0; j < k; j++) {
			tsum[c] += r->confusion[c * k + j];
			psum[c] += r->confusion[j * k + c];
		}
	}

	for (c = 0; c < k; c++) {
		struct classmetrics *m = &r->cls[c];
		double t = (double)tp[c], ts = (double)tsum[c], ps = (double)psum[c];
		double tn = nd - ps - ts + t;

		m->support = tsum[c];
		m->precision = div0(t, ps);
		m->recall = div0(t, ts);
		m->f1 = f1_of(m->precision, m->recall);
		m->specificity = div0(tn, nd - ts);
		m->gmean = sqrt(m->recall * m->specificity);
		m->roc_auc = NAN;
		m->average_precision = NAN;

		sum_p += m->precision;
		sum_r += m->recall;
		sum_f += m->f1;
		w_p += m->precision * ts;
		w_r += m->recall * ts;
		w_f += m->f1 * ts;
		if (tsum[c] > 0) {
			bal += m->recall;
			npresent++;
		}
		if (tsum[c] > 0 || psum[c] > 0) {
			nseen++;
			if (m->recall == 0)
				zero_recall = 1;
			else
				logsum += log(m->recall);
		}
		tt += ts * ts;
		pp += ps * ps;
		tpd += ts * ps;
	}

	r->macro.precision = k ? sum_p / (double)k : 0;
	r->macro.recall = k ? sum_r / (double)k : 0;
	r->macro.f1 = k ? sum_f / (double)k : 0;
	r->weighted.precision = div0(w_p, nd);
	r->weighted.recall = div0(w_r, nd);
	r->weighted.f1 = div0(w_f, nd);
	r->micro.precision = div0((double)correct, nd);
	r->micro.recall = div0((double)correct, nd);
	r->micro.f1 = f1_of(r->micro.precision, r->micro.recall);

	r->accuracy = n ? (double)correct / nd : NAN;
	r->balanced_accuracy = npresent ? bal / (double)npresent : NAN;
	r->gmean = nseen == 0 ? NAN : zero_recall ? 0 : exp(logsum / (double)nseen);

	/* sklearn matthews_corrcoef: covariances from the confusion matrix's margins. */
	cov_tp = (double)correct * nd - tpd;
	cov_pp = nd * nd - pp;
	cov_tt = nd * nd - tt;
	r->mcc = cov_pp * cov_tt == 0 ? 0 : cov_tp / sqrt(cov_tt * cov_pp);

	/* sklearn cohen_kappa_score: 1 - observed / expected disagreement. */
	offdiag = nd - (double)correct;
	r->cohen_kappa = n ? 1 - offdiag / ((nd * nd - tpd) / nd) : NAN;

	r->log_loss = scores && n ? sums[ACC_LOGLOSS] / nd : NAN;
	r->brier = scores && n ? sums[ACC_BRIER] / nd : NAN;
	r->ece = scores && n && k ? calibration_error(n, sums, fd) : NAN;
	r->macro_average_precision = NAN;
	r->macro_roc_auc = NAN;
	free(tp);
}

void metrics_averages(struct report *r)
{
	double ap = 0, auc = 0;
	size_t nap = 0, nauc = 0, c;

	for (c = 0; c < r->k; c++) {
		add_defined(r->cls[c].average_precision, &ap, &nap);
		add_defined(r->cls[c].roc_auc, &auc, &nauc);
	}
	r->macro_average_precision = nap ? ap / (double)nap : NAN;
	r->macro_roc_auc = nauc ? auc / (double)nauc : NAN;
}

void metrics_compute_figures(struct report *r, struct figdata *fd, size_t n, size_t k,
                             const uint32_t *ytrue, const uint32_t *ypred, const double *scores)
{
	double *acc = xcalloc(metrics_acc_len(k), sizeof *acc);
	size_t c, i;

	metrics_accumulate(acc, n, k, ytrue, ypred, scores);
	metrics_finish(r, fd, n, k, acc, scores != NULL);
	free(acc);
	if (scores && n > 0) {
		uint64_t *key = xcalloc(n, sizeof *key);
		unsigned char *pos = xcalloc(n, 1);

		for (c = 0; c < k; c++) {
			struct metrics_rank rk;
			double npos = (double)r->cls[c].support;

			/* NAN when the class has no positives or no negatives */
			if (npos == 0 || npos == (double)n)
				continue;
			metrics_rank_keys(n, k, ytrue, scores, (uint32_t)c, key, pos);
			metrics_rank_begin(&rk, npos, (double)n - npos, fd ? &fd->roc[c] : NULL,
			                   fd ? &fd->pr[c] : NULL);
			for (i = 0; i < n; i++)
				metrics_rank_add(&rk, key[i], pos[i]);
			metrics_rank_end(&rk, &r->cls[c].roc_auc, &r->cls[c].average_precision);
		}
		free(key);
		free(pos);
	}
	metrics_averages(r);
}

void metrics_threshold(struct report *r, const uint32_t *ytrue, const double *scores,
                       uint32_t positive)
{
	size_t n = r->n, i;
	double *score;
	unsigned char *pos;

	r->best.valid = 0;
	if (r->k != 2 || !scores || n == 0 || positive > 1)
		return;
	score = xcalloc(n, sizeof *score);
	pos = xcalloc(n, sizeof *pos);
	for (i = 0; i < n; i++) {
		score[i] = scores[i * 2 + positive];
		pos[i] = ytrue[i] == positive;
	}
	if (decision_best_threshold(n, score, pos, DM_MACRO_F1, (int)positive, 0.5,
	                            &r->best.threshold, &r->best.macro_f1) == 0) {
		r->best.valid = 1;
		r->best.positive = positive;
	}
	free(score);
	free(pos);
}

void figdata_release(struct figdata *fd)
{
	size_t c;

	if (!fd || (!fd->roc && !fd->pr))
		return;
	for (c = 0; c < fd->k; c++) {
		free(fd->roc[c].x);
		free(fd->roc[c].y);
		free(fd->pr[c].x);
		free(fd->pr[c].y);
	}
	free(fd->roc);
	free(fd->pr);
	fd->roc = fd->pr = NULL;
}

void report_release(struct report *r)
{
	if (!r)
		return;
	free(r->cls);
	free(r->confusion);
	r->cls = NULL;
	r->confusion = NULL;
}
