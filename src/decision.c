/* decision.c: decisions from probabilities, and tuning them for a metric (decision.h). */
#include "decision.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const decision_metric_key[DM_N] = {
	"macro_f1", "balanced_accuracy", "mcc", "gmean", "f1"
};
const char *const decision_source_key[3] = { "argmax", "calibration", "tuned" };

int decision_parse_metric(const char *word)
{
	int i;

	for (i = 0; i < DM_N; i++)
		if (strcmp(word, decision_metric_key[i]) == 0)
			return i;
	return -1;
}

void decision_argmax(struct decision *d, size_t k, int positive)
{
	memset(d, 0, sizeof *d);
	d->source = DEC_ARGMAX;
	d->metric = -1;
	d->k = k;
	d->positive = positive;
	d->threshold = 0.5;
	if (k != 2) {
		d->offset = xcalloc(k ? k : 1, sizeof *d->offset);
		d->offset_sd = xcalloc(k ? k : 1, sizeof *d->offset_sd);
	}
}

void decision_release(struct decision *d)
{
	free(d->offset);
	free(d->offset_sd);
	d->offset = d->offset_sd = NULL;
}

void decision_copy(struct decision *to, const struct decision *from)
{
	*to = *from;
	if (from->offset) {
		to->offset = xmalloc(from->k * sizeof *to->offset);
		to->offset_sd = xmalloc(from->k * sizeof *to->offset_sd);
		memcpy(to->offset, from->offset, from->k * sizeof *to->offset);
		memcpy(to->offset_sd, from->offset_sd, from->k * sizeof *to->offset_sd);
	}
}

/* The first of the largest z_c + o_c over the K classes. */
static uint32_t argmax_offset(const double *z, const double *o, size_t k)
{
	size_t c, best = 0;
	double bv = z[0] + o[0];

	for (c = 1; c < k; c++)
		if (z[c] + o[c] > bv) {
			bv = z[c] + o[c];
			best = c;
		}
	return (uint32_t)best;
}

uint32_t decision_pick(const struct decision *d, const double *prob, const double *z)
{
	if (d->k == 2)
		return prob[d->positive] >= d->threshold ? (uint32_t)d->positive :
		       (uint32_t)(1 - d->positive);
	return argmax_offset(z, d->offset, d->k);
}

static double ratio0(double a, double b)
{
	return b == 0 ? 0 : a / b;
}

/* Class C's F1 from its precision and recall, as metrics_compute has it. */
static double f1_class(const struct confcounts *cc, size_t c)
{
	double p = ratio0(cc->tp[c], cc->np[c]), r = ratio0(cc->tp[c], cc->nt[c]);

	return p + r == 0 ? 0 : 2 * p * r / (p + r);
}

double decision_metric(int metric, const struct confcounts *cc, int positive)
{
	size_t c, k = cc->k, seen = 0;
	double sum = 0, logsum = 0, correct = 0, pp = 0, tt = 0, tp = 0, n = cc->n;
	int zero = 0;

	switch (metric) {
	case DM_F1:
		return f1_class(cc, (size_t)positive);
	case DM_MACRO_F1:
		for (c = 0; c < k; c++)
			sum += f1_class(cc, c);
		return k ? sum / (double)k : 0;
	case DM_BALANCED_ACCURACY:
		for (c = 0; c < k; c++)
			if (cc->nt[c] > 0) {
				sum += cc->tp[c] / cc->nt[c];
				seen++;
			}
		return seen ? sum / (double)seen : 0;
	case DM_GMEAN:
		for (c = 0; c < k; c++)
			if (cc->nt[c] > 0 || cc->np[c] > 0) {
				double r = ratio0(cc->tp[c], cc->nt[c]);

				seen++;
				if (r == 0)
					zero = 1;
				else
					logsum += log(r);
			}
		return seen == 0 || zero ? 0 : exp(logsum / (double)seen);
	default: /* DM_MCC, as sklearn's matthews_corrcoef */
		for (c = 0; c < k; c++) {
			correct += cc->tp[c];
			pp += cc->np[c] * cc->np[c];
			tt += cc->nt[c] * cc->nt[c];
			tp += cc->nt[c] * cc->np[c];
		}
		pp = n * n - pp;
		tt = n * n - tt;
		return pp * tt == 0 ? 0 : (correct * n - tp) / sqrt(pp * tt);
	}
}

double decision_short_cut(double lo, double hi)
{
	char buf[40];
	double v;
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, lo / 2 + hi / 2);
		v = strtod(buf, NULL);
		if (v > lo && v <= hi)
			return v;
	}
	return hi;
}

struct scored {
	double score;
	unsigned char pos;
};

static int by_score_desc(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->score, y = ((const struct scored *)b)->score;

	return x > y ? -1 : x < y;
}

void decision_cut_begin(struct decision_cut *dc, size_t n, size_t npos, int metric, int positive,
                        double prefer)
{
	int p = positive, q = 1 - positive;

	memset(dc, 0, sizeof *dc);
	dc->metric = metric;
	dc->p = p;
	dc->prefer = prefer;
	dc->cc.k = 2;
	dc->cc.n = (double)n;
	dc->cc.tp = dc->tp;
	dc->cc.np = dc->np;
	dc->cc.nt = dc->nt;
	dc->nt[p] = (double)npos;
	dc->nt[q] = (double)(n - npos);
	/* every row negative: the true negatives are all the negatives */
	dc->tp[q] = dc->nt[q];
	dc->np[q] = (double)n;
}

/* The rows so far are predicted positive: the cut T below them, if it is the best yet. */
static void cut_close(struct decision_cut *dc, double t)
{
	double f = decision_metric(dc->metric, &dc->cc, dc->p);

	if (!dc->found || f > dc->best ||
	    (f == dc->best && fabs(t - dc->prefer) < fabs(dc->threshold - dc->prefer))) {
		dc->found = 1;
		dc->best = f;
		dc->threshold = t;
	}
}

void decision_cut_add(struct decision_cut *dc, double score, int pos)
{
	int p = dc->p, q = 1 - p;

	/* a threshold ends where the score changes: cut between the two */
	if (dc->have && score != dc->last)
		cut_close(dc, decision_short_cut(score, dc->last));
	/* the row becomes positive */
	dc->np[p]++;
	dc->np[q]--;
	if (pos)
		dc->tp[p]++;
	else
		dc->tp[q]--;
	dc->last = score;
	dc->have = 1;
}

int decision_cut_end(struct decision_cut *dc, double *threshold, double *best)
{
	if (dc->have)
		cut_close(dc, 0);
	if (!dc->found)
		return -1;
	*threshold = dc->threshold;
	*best = dc->best;
	return 0;
}

int decision_best_threshold(size_t n, const double *score, const unsigned char *pos, int metric,
                            int positive, double prefer, double *threshold, double *best)
{
	struct scored *buf = xcalloc(n ? n : 1, sizeof *buf);
	struct decision_cut dc;
	size_t i, npos = 0;
	int rc;

	for (i = 0; i < n; i++) {
		buf[i].score = score[i];
		buf[i].pos = pos[i] != 0;
		npos += buf[i].pos;
	}
	if (npos == 0 || npos == n) {
		free(buf);
		return -1;
	}
	qsort(buf, n, sizeof *buf, by_score_desc);
	decision_cut_begin(&dc, n, npos, metric, positive, prefer);
	for (i = 0; i < n; i++)
		decision_cut_add(&dc, buf[i].score, buf[i].pos);
	rc = decision_cut_end(&dc, threshold, best);
	free(buf);
	return rc;
}

void decision_center(double *o, size_t k)
{
	double mean = 0;
	size_t c;

	for (c = 0; c < k; c++)
		mean += o[c];
	mean /= (double)(k ? k : 1);
	for (c = 0; c < k; c++)
		o[c] -= mean;
}

/* The counts of the decisions argmax z_ic + o_c into CC (its arrays zeroed first). */
static void count_decisions(size_t n, size_t k, const double *z, const uint32_t *y,
                            const double *o, struct confcounts *cc)
{
	size_t i, c;

	for (c = 0; c < k; c++)
		cc->tp[c] = cc->np[c] = cc->nt[c] = 0;
	for (i = 0; i < n; i++) {
		uint32_t pr = argmax_offset(z + i * k, o, k);

		cc->np[pr]++;
		cc->nt[y[i]]++;
		cc->tp[pr] += pr == y[i];
	}
	cc->n = (double)n;
}

struct crit {
	double v;     /* class c is predicted once its offset exceeds v */
	uint32_t alt; /* the class predicted below it */
	uint32_t y;
};

static int by_v(const void *a, const void *b)
{
	double x = ((const struct crit *)a)->v, y = ((const struct crit *)b)->v;

	return x < y ? -1 : x > y;
}

/*
 * A metric of counts CC kept up to date as rows change their predicted class: each
 * class's share of it is added to running sums, so that a move costs the shares of the
 * two classes it touches, not a pass over all of them.
 */
struct mstate {
	int metric;
	struct confcounts *cc;
	double sum;        /* macro F1: the F1s; balanced accuracy: the recalls */
	double logsum;     /* G-mean: the log recalls of the classes seen */
	size_t seen, zero; /* G-mean: classes seen, of them with recall 0; balanced: present */
	double correct, pp, tn; /* MCC: sum of tp, of np^2, of nt * np */
};

/* Adds (SIGN 1) or takes away (-1) class C's share. */
static void mstate_share(struct mstate *m, size_t c, int sign)
{
	const struct confcounts *cc = m->cc;
	double r;

	switch (m->metric) {
	case DM_MACRO_F1:
		m->sum += sign * f1_class(cc, c);
		break;
	case DM_BALANCED_ACCURACY:
		if (cc->nt[c] > 0)
			m->sum += sign * (cc->tp[c] / cc->nt[c]);
		break;
	case DM_GMEAN:
		if (!(cc->nt[c] > 0 || cc->np[c] > 0))
			break;
		r = ratio0(cc->tp[c], cc->nt[c]);
		m->seen += (size_t)(long)sign;
		if (r == 0)
			m->zero += (size_t)(long)sign;
		else
			m->logsum += sign * log(r);
		break;
	case DM_MCC:
		m->correct += sign * cc->tp[c];
		m->pp += sign * cc->np[c] * cc->np[c];
		m->tn += sign * cc->nt[c] * cc->np[c];
		break;
	}
}

static void mstate_init(struct mstate *m, int metric, struct confcounts *cc)
{
	size_t c;

	memset(m, 0, sizeof *m);
	m->metric = metric;
	m->cc = cc;
	for (c = 0; c < cc->k; c++) {
		mstate_share(m, c, 1);
		m->seen += metric == DM_BALANCED_ACCURACY && cc->nt[c] > 0;
	}
}

static double mstate_value(const struct mstate *m)
{
	double n = m->cc->n, pp, tt = 0;
	size_t c;

	switch (m->metric) {
	case DM_MACRO_F1:
		return m->cc->k ? m->sum / (double)m->cc->k : 0;
	case DM_BALANCED_ACCURACY:
		return m->seen ? m->sum / (double)m->seen : 0;
	case DM_GMEAN:
		return m->seen == 0 || m->zero ? 0 : exp(m->logsum / (double)m->seen);
	default:
		/* sum of nt^2 does not change as rows move */
		for (c = 0; c < m->cc->k; c++)
			tt += m->cc->nt[c] * m->cc->nt[c];
		pp = n * n - m->pp;
		tt = n * n - tt;
		return pp * tt == 0 ? 0 : (m->correct * n - m->tn) / sqrt(pp * tt);
	}
}

/* Row of class Y moves from predicted class A to B. */
static void mstate_move(struct mstate *m, uint32_t y, uint32_t a, uint32_t b)
{
	struct confcounts *cc = m->cc;

	mstate_share(m, a, -1);
	mstate_share(m, b, -1);
	cc->np[a]--;
	cc->np[b]++;
	if (y == a)
		cc->tp[a]--;
	if (y == b)
		cc->tp[b]++;
	mstate_share(m, a, 1);
	mstate_share(m, b, 1);
}

/*
 * The offset of class C that gives the highest METRIC with the other offsets of O held,
 * into *TO, and that metric (as kept up to date along the sweep) as the return value.
 * Row i predicts c when o_c is above v_i = max over j != c of (z_ij + o_j) less z_ic,
 * and its other class below.
 */
static double sweep_class(size_t n, size_t k, const double *z, const uint32_t *y, int metric,
                          const double *o, size_t c, struct crit *cr, struct confcounts *cc,
                          double *to)
{
	size_t i, j, g;
	double best, f, cand;
	struct mstate ms;

	for (j = 0; j < k; j++)
		cc->tp[j] = cc->np[j] = cc->nt[j] = 0;
	cc->n = (double)n;
	for (i = 0; i < n; i++) {
		const double *zi = z + i * k;
		size_t alt = c == 0 ? 1 : 0;
		double m = zi[alt] + o[alt];

		for (j = alt + 1; j < k; j++)
			if (j != c && zi[j] + o[j] > m) {
				m = zi[j] + o[j];
				alt = j;
			}
		cr[i].v = m - zi[c];
		cr[i].alt = (uint32_t)alt;
		cr[i].y = y[i];
		cc->np[alt]++;
		cc->nt[y[i]]++;
		cc->tp[alt] += alt == y[i];
	}
	*to = o[c];
	if (metric == DM_F1 || n == 0)
		return decision_metric(metric, cc, 0);
	qsort(cr, n, sizeof *cr, by_v);
	mstate_init(&ms, metric, cc);
	/* below every v: no row predicts c */
	best = mstate_value(&ms);
	*to = cr[0].v - 1;
	for (i = 0; i < n; i = g) {
		for (g = i; g < n && cr[g].v == cr[i].v; g++)
			mstate_move(&ms, cr[g].y, cr[g].alt, (uint32_t)c);
		cand = g < n ? cr[i].v / 2 + cr[g].v / 2 : cr[i].v + 1;
		f = mstate_value(&ms);
		if (f > best || (f == best && fabs(cand - o[c]) < fabs(*to - o[c]))) {
			best = f;
			*to = cand;
		}
	}
	return best;
}

double decision_tune_offsets(size_t n, size_t k, const double *z, const uint32_t *y, int metric,
                             double *o)
{
	struct crit *cr = xcalloc(n ? n : 1, sizeof *cr);
	double *buf = xcalloc(3 * k, sizeof *buf), cur, f, to;
	struct confcounts cc;
	size_t c;
	int round, improved = 1;

	cc.k = k;
	cc.tp = buf;
	cc.np = buf + k;
	cc.nt = buf + 2 * k;
	count_decisions(n, k, z, y, o, &cc);
	cur = decision_metric(metric, &cc, 0);
	for (round = 0; round < 50 && improved; round++) {
		improved = 0;
		for (c = 0; c < k; c++) {
			double keep = o[c];

			f = sweep_class(n, k, z, y, metric, o, c, cr, &cc, &to);
			if (!(f > cur + 1e-12))
				continue;
			/* the sums of the sweep drift in the last bits: count the move afresh */
			o[c] = to;
			count_decisions(n, k, z, y, o, &cc);
			f = decision_metric(metric, &cc, 0);
			if (f > cur + 1e-12) {
				cur = f;
				improved = 1;
			} else {
				o[c] = keep;
			}
		}
	}
	decision_center(o, k);
	count_decisions(n, k, z, y, o, &cc);
	cur = decision_metric(metric, &cc, 0);
	free(cr);
	free(buf);
	return cur;
}
