/*
 * unit_decision: decisions (decision.c) and calibration (calib.c) against brute force
 * and against what they promise: the tuned threshold scores as well as any cut, the tuned
 * offsets cannot be bettered by moving one offset alone, the temperature recovers the
 * scale and bias that generated the labels and sits where the log loss is flat.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calib.h"
#include "decision.h"
#include "tap.h"
#include "util.h"

/* METRIC of deciding POS for the rows with score >= T, counted here from scratch. */
static double cut_metric(size_t n, const double *score, const unsigned char *pos, double t,
                         int metric, int positive)
{
	double tp[2] = { 0, 0 }, np[2] = { 0, 0 }, nt[2] = { 0, 0 };
	struct confcounts cc = { 2, (double)n, tp, np, nt };
	size_t i;

	for (i = 0; i < n; i++) {
		int truth = pos[i] ? positive : 1 - positive;
		int pred = score[i] >= t ? positive : 1 - positive;

		nt[truth]++;
		np[pred]++;
		tp[pred] += pred == truth;
	}
	return decision_metric(metric, &cc, positive);
}

/* METRIC of the decisions argmax z + o over N rows of K classes. */
static double offsets_metric(size_t n, size_t k, const double *z, const uint32_t *y,
                             const double *o, int metric)
{
	double *buf = xcalloc(3 * k, sizeof *buf), m;
	struct confcounts cc = { k, (double)n, buf, buf + k, buf + 2 * k };
	struct decision d;
	size_t i;

	decision_argmax(&d, k, 1);
	memcpy(d.offset, o, k * sizeof *o);
	for (i = 0; i < n; i++) {
		uint32_t p = decision_pick(&d, NULL, z + i * k);

		cc.nt[y[i]]++;
		cc.np[p]++;
		cc.tp[p] += p == y[i];
	}
	m = decision_metric(metric, &cc, 0);
	decision_release(&d);
	free(buf);
	return m;
}

static double normal(struct rng *r)
{
	double u = rng_uniform(r), v = rng_uniform(r);

	return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

static void test_metric(void)
{
	/* 3 classes: true 0 0 1 1 2 2, predicted 0 1 1 1 2 0 */
	double tp[3] = { 1, 2, 1 }, np[3] = { 2, 3, 1 }, nt[3] = { 2, 2, 2 };
	struct confcounts cc = { 3, 6, tp, np, nt };
	/* sklearn: f1 per class 0.5, 0.8, 0.6667; recall 0.5, 1, 0.5 */
	CHECK(close_to(decision_metric(DM_MACRO_F1, &cc, 0), (0.5 + 0.8 + 2.0 / 3) / 3, 1e-15, 0),
	      "macro F1 of a 3-class confusion matrix");
	CHECK(close_to(decision_metric(DM_BALANCED_ACCURACY, &cc, 0), 2.0 / 3, 1e-15, 0),
	      "balanced accuracy");
	CHECK(close_to(decision_metric(DM_GMEAN, &cc, 0), cbrt(0.25), 1e-15, 0), "G-mean");
	/* scikit-learn 1.2: matthews_corrcoef([0,0,1,1,2,2], [0,1,1,1,2,0]) */
	CHECK(close_to(decision_metric(DM_MCC, &cc, 0), 0.5222329678670935, 1e-15, 0), "MCC");
	CHECK(close_to(decision_metric(DM_F1, &cc, 1), 0.8, 1e-15, 0), "F1 of one class");
	CHECK(decision_parse_metric("mcc") == DM_MCC && decision_parse_metric("f1") == DM_F1 &&
	      decision_parse_metric("log_loss") == -1, "the metric words");
}

static void test_threshold(void)
{
	struct rng r;
	size_t n = 41, i, trial, m;
	double score[41], t, best, cand, top;
	unsigned char pos[41];
	int ok = 1, metric, positive;

	rng_seed(&r, 7);
	for (trial = 0; trial < 40; trial++) {
		for (i = 0; i < n; i++) {
			pos[i] = rng_uniform(&r) < 0.3;
			/* ties: scores on a grid of 0.05 */
			score[i] = floor((0.35 * pos[i] + 0.65 * rng_uniform(&r)) * 20) / 20;
		}
		pos[0] = 1;
		pos[1] = 0;
		metric = (int)(trial % DM_N);
		positive = (int)(trial / DM_N % 2);
		if (decision_best_threshold(n, score, pos, metric, positive, 0.5, &t, &best) != 0) {
			ok = 0;
			continue;
		}
		/* every cut at a score: none beats the one found, which scores what it says */
		top = -1;
		for (m = 0; m < n; m++) {
			cand = cut_metric(n, score, pos, score[m], metric, positive);
			if (cand > top)
				top = cand;
		}
		if (cut_metric(n, score, pos, t, metric, positive) != best || best < top)
			ok = 0;
	}
	CHECK(ok, "a tuned threshold scores as well as the best cut at any score, for each metric");
	memset(pos, 1, sizeof pos);
	CHECK(decision_best_threshold(n, score, pos, DM_MACRO_F1, 1, 0.5, &t, &best) == -1,
	      "no threshold when the rows hold one class");
	{
		/* scores 0.9 (p) 0.66 (p) 0.62 (n) 0.25 (n): the cut in (0.62, 0.66] is perfect,
		 * at the shortest decimal there */
		double s2[4] = { 0.9, 0.66, 0.62, 0.25 };
		unsigned char p2[4] = { 1, 1, 0, 0 };

		decision_best_threshold(4, s2, p2, DM_MCC, 1, 0.5, &t, &best);
		CHECK(t == 0.64 && best == 1, "the cut between neighbouring scores is their shortest "
		      "decimal (%g, MCC %g)", t, best);
	}
}

static void test_offsets(void)
{
	struct rng r;
	size_t n = 60, k = 4, i, c, trial;
	double *z = xcalloc(n * k, sizeof *z), o[4], f, g, v, start;
	uint32_t *y = xcalloc(n, sizeof *y);
	int ok_local = 1, ok_value = 1, ok_start = 1, metric;

	rng_seed(&r, 11);
	for (trial = 0; trial < 20; trial++) {
		metric = (int)(trial % DM_F1); /* the multiclass metrics */
		for (i = 0; i < n; i++) {
			y[i] = (uint32_t)(i < 30 ? 0 : i < 45 ? 1 : i < 55 ? 2 : 3);
			for (c = 0; c < k; c++)
				z[i * k + c] = normal(&r) + (c == y[i] ? 1.0 : 0.0);
		}
		memset(o, 0, sizeof o);
		start = offsets_metric(n, k, z, y, o, metric);
		f = decision_tune_offsets(n, k, z, y, metric, o);
		if (f != offsets_metric(n, k, z, y, o, metric))
			ok_value = 0;
		if (f < start)
			ok_start = 0;
		/* moving any one offset over a fine grid does no better */
		for (c = 0; c < k; c++) {
			double keep = o[c];

			for (v = -6; v <= 6; v += 0.01) {
				o[c] = keep + v;
				g = offsets_metric(n, k, z, y, o, metric);
				if (g > f + 1e-12)
					ok_local = 0;
			}
			o[c] = keep;
		}
		if (fabs(o[0] + o[1] + o[2] + o[3]) > 1e-9)
			ok_value = 0;
	}
	CHECK(ok_value, "tuned offsets: the metric returned is that of their decisions; their mean is 0");
	CHECK(ok_start, "tuned offsets score at least as well as the start");
	CHECK(ok_local, "tuned offsets: no single offset moved on a grid of 0.01 does better");
	free(z);
	free(y);
}

static void test_pick(void)
{
	struct decision d;
	double p2[2] = { 0.7, 0.3 }, z3[3] = { 1, 2, 2 };

	decision_argmax(&d, 2, 1);
	d.threshold = 0.3;
	CHECK(decision_pick(&d, p2, NULL) == 1, "two classes: positive at p >= threshold");
	d.threshold = 0.30000000000000004;
	CHECK(decision_pick(&d, p2, NULL) == 0, "two classes: negative just above");
	decision_release(&d);
	decision_argmax(&d, 3, 1);
	CHECK(decision_pick(&d, NULL, z3) == 1, "more: the first of equal largest z + o");
	d.offset[0] = 1.5;
	CHECK(decision_pick(&d, NULL, z3) == 0, "more: an offset moves the decision");
	decision_release(&d);
}

/* Mean log loss of the logits s * z + b (binary: one logit of class 1). */
static double tloss(size_t n, size_t k, const double *z, const uint32_t *y, double s,
                    const double *b)
{
	double sum = 0, u[8], mx, lse;
	size_t i, c;

	for (i = 0; i < n; i++) {
		if (k == 1) {
			double v = s * z[i] + b[0];
			/* -log sigmoid(+-v) */
			double a = y[i] ? -v : v;

			sum += a > 0 ? a + log1p(exp(-a)) : log1p(exp(a));
			continue;
		}
		mx = -INFINITY;
		for (c = 0; c < k; c++) {
			u[c] = s * z[i * k + c] + b[c];
			mx = fmax(mx, u[c]);
		}
		lse = 0;
		for (c = 0; c < k; c++)
			lse += exp(u[c] - mx);
		sum += mx + log(lse) - u[y[i]];
	}
	return sum / (double)n;
}

static void test_temperature(void)
{
	struct rng r;
	struct linmodel m;
	size_t n = 20000, i, c;
	double *z = xcalloc(n * 3, sizeof *z), s, b[3], f0, h = 1e-5, bb[3];
	uint32_t *y = xcalloc(n, sizeof *y);
	int rc;

	/* binary: labels from sigmoid(0.5 z + 0.3) */
	rng_seed(&r, 5);
	memset(&m, 0, sizeof m);
	m.kind = MODEL_LOGISTIC;
	m.nclass = 2;
	m.nout = 1;
	m.positive = 1;
	for (i = 0; i < n; i++) {
		z[i] = 3 * normal(&r);
		y[i] = rng_uniform(&r) < 1 / (1 + exp(-(0.5 * z[i] + 0.3)));
	}
	rc = calib_fit_temperature(&m, n, z, y, &s, b);
	CHECK(rc == 0 && fabs(s - 0.5) < 0.05 && fabs(b[0] - 0.3) < 0.1,
	      "logistic: the temperature recovers scale 0.5 and bias 0.3 (got %g, %g)", s, b[0]);
	f0 = tloss(n, 1, z, y, s, b);
	bb[0] = b[0];
	CHECK(fabs((tloss(n, 1, z, y, s + h, b) - tloss(n, 1, z, y, s - h, b)) / (2 * h)) < 1e-6 &&
	      (bb[0] = b[0] + h, tloss(n, 1, z, y, s, bb) >= f0) &&
	      (bb[0] = b[0] - h, tloss(n, 1, z, y, s, bb) >= f0),
	      "logistic: the log loss is flat at the fitted temperature");

	/* three classes: labels from softmax(2 z + (0, -0.5, 0.5)) */
	m.kind = MODEL_SOFTMAX;
	m.nclass = 3;
	m.nout = 3;
	for (i = 0; i < n; i++) {
		double u[3], mx = -INFINITY, sum = 0, t = rng_uniform(&r), acc = 0;

		for (c = 0; c < 3; c++) {
			z[i * 3 + c] = normal(&r);
			u[c] = 2 * z[i * 3 + c] + (c == 1 ? -0.5 : c == 2 ? 0.5 : 0);
			mx = fmax(mx, u[c]);
		}
		for (c = 0; c < 3; c++)
			sum += exp(u[c] - mx);
		for (c = 0; c < 3; c++) {
			acc += exp(u[c] - mx) / sum;
			if (t < acc || c == 2) {
				y[i] = (uint32_t)c;
				break;
			}
		}
	}
	rc = calib_fit_temperature(&m, n, z, y, &s, b);
	CHECK(rc == 0 && fabs(s - 2) < 0.15 && b[0] == 0 && fabs(b[1] + 0.5) < 0.1 &&
	      fabs(b[2] - 0.5) < 0.1,
	      "softmax: the temperature recovers scale 2 and biases (0, -0.5, 0.5) (got %g, %g, %g)",
	      s, b[1], b[2]);
	f0 = tloss(n, 3, z, y, s, b);
	{
		int flat = fabs((tloss(n, 3, z, y, s + h, b) - tloss(n, 3, z, y, s - h, b)) / (2 * h)) <
		           1e-6;

		for (c = 1; c < 3; c++) {
			memcpy(bb, b, sizeof bb);
			bb[c] += h;
			flat &= tloss(n, 3, z, y, s, bb) >= f0;
			bb[c] -= 2 * h;
			flat &= tloss(n, 3, z, y, s, bb) >= f0;
		}
		CHECK(flat, "softmax: the log loss is flat at the fitted temperature");
	}
	free(z);
	free(y);
}

static void test_prior(void)
{
	size_t before[3] = { 10, 30, 60 }, after[3] = { 60, 60, 60 };
	double w1[3] = { 1, 1, 1 }, w2[3] = { 6, 2, 1 }, d[3];

	CHECK(calib_prior_shift(3, before, after, w1, d) == 1 && close_to(d[0], log(0.3), 1e-15, 0) &&
	      close_to(d[1], log(0.9), 1e-15, 0) && close_to(d[2], log(1.8), 1e-15, 0),
	      "over-sampling: the shift is log(pi / pi') per class");
	CHECK(calib_prior_shift(3, before, before, w1, d) == 0 && d[0] == 0 && d[1] == 0 && d[2] == 0,
	      "the file's own balance: no shift");
	/* weights 6, 2, 1 on 10, 30, 60 rows: every class weighs 60, 60, 60 */
	CHECK(calib_prior_shift(3, before, before, w2, d) == 1 && close_to(d[0], log(0.3), 1e-15, 0),
	      "class weights change the balance as sampling does");
}

int main(void)
{
	test_metric();
	test_threshold();
	test_offsets();
	test_pick();
	test_temperature();
	test_prior();
	TAP_DONE();
}
