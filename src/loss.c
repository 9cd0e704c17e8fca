/*
 * loss.c: per-row cross-entropy and focal losses with their derivatives.
 *
 * Everything is computed in log space from the logits: log p from log-sigmoid /
 * log-softmax, log(1 - p) the same way, and (1 - p)^gamma as exp(gamma log(1 - p)),
 * so nothing overflows, underflows to NaN or loses digits for logits up to +-1000.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "train.h"
#include "vmath.h"

/* Gamma 0, 1, 2 or 3: q^gamma by products. */
static int gamma_small(double gamma)
{
	return gamma >= 0 && gamma <= 3 && (int)gamma == gamma;
}

/*
 * q^gamma from q and log q: 1 for gamma 0 (cross-entropy exactly), products for a
 * small integer gamma (the common 1 and 2; cheaper and as accurate), else
 * exp(gamma log q), which cannot overflow and gives 0, not NaN, when q underflows.
 */

static double q_pow(double q, double logq, double gamma)
{
	switch (gamma_small(gamma) ? (int)gamma : -1) {
	case 0:
		return 1;
	case 1:
		return q;
	case 2:
		return q * q;
	case 3:
		return q * q * q;
	default:
		return exp(gamma * logq);
	}
}

/* log q = log sigmoid(-s) from L = softplus(-|s|). */
static double margin_logq(double s, double l)
{
	return s >= 0 ? -s - l : -l;
}

/*
 * The focal loss of the signed margin S (logit of the true outcome against the rest)
 * from T = exp(-|s|) and L = log1p(t): p = sigmoid(s) is the probability of the truth
 * and q = 1 - p = sigmoid(-s).  QG: q^gamma, or NAN to compute it here.  Returns
 * -q^gamma log p and sets *dlds (may be NULL) to its derivative in s,
 * q^gamma (gamma p log p - q).  Both terms of that sum are <= 0: no cancellation.
 */
static double margin_finish(double s, double t, double l, double gamma, double qg, double *dlds)
{
	double logp, p, q;

	if (s >= 0) {
		logp = -l;
		p = 1 / (1 + t);
		q = t / (1 + t);
	} else {
		logp = s - l;
		p = t / (1 + t);
		q = 1 / (1 + t);
	}
	if (isnan(qg))
		qg = q_pow(q, margin_logq(s, l), gamma);
	if (dlds)
		*dlds = qg * (gamma * p * logp - q);
	return -qg * logp;
}

static double focal_margin(double s, double gamma, double *dlds)
{
	double t = exp(-fabs(s)); /* in (0, 1]: never overflows */

	return margin_finish(s, t, log1p(t), gamma, NAN, dlds);
}

double focal_binary(double z, int t, double gamma, double *dz)
{
	double dlds, loss;

	loss = focal_margin(t ? z : -z, gamma, &dlds);
	if (dz)
		*dz = t ? dlds : -dlds;
	return loss;
}

/*
 * Softmax focal loss.  With a = logsumexp over j != y, the margin s = z_y - a gives
 * p_y = sigmoid(s) and q = 1 - p_y = sigmoid(-s) exactly as in the binary case, so
 * dL/dz_y = dL/ds and dL/dz_j = -dL/ds * r_j for j != y, where r_j = exp(z_j - a)
 * is the softmax restricted to the other classes (p_j = q r_j).
 */
double focal_softmax(const double *z, size_t k, size_t y, double gamma, double *dz)
{
	double m = -INFINITY, sum = 0, dlds, loss, e;
	size_t j;

	if (k < 2 || y >= k) {
		for (j = 0; dz && j < k; j++)
			dz[j] = 0;
		return 0;
	}
	for (j = 0; j < k; j++)
		if (j != y && z[j] > m)
			m = z[j];
	for (j = 0; j < k; j++) {
		if (j == y)
			continue;
		e = z[j] == m ? 1 : exp(z[j] - m);
		sum += e;
		if (dz)
			dz[j] = e;
	}
	loss = focal_margin(z[y] - (m + log(sum)), gamma, &dlds);
	if (dz) {
		for (j = 0; j < k; j++)
			if (j != y)
				dz[j] = -dlds * (dz[j] / sum);
		dz[y] = dlds;
	}
	return loss;
}

/*
 * The margins S[0..n) of n rows through margin_finish, the exponentials and logarithms
 * over all of them at once (vmath): LOSS and DLDS get n values each; TMP: 3 n doubles.
 */
static void margin_rows(const double *s, size_t n, double gamma, double *loss, double *dlds,
                        double *tmp)
{
	double *t = tmp, *l = t + n, *qg = l + n;
	size_t r;

	for (r = 0; r < n; r++)
		t[r] = -fabs(s[r]);
	vexp_n(t, n);
	memcpy(l, t, n * sizeof *l);
	vlog1p_n(l, n);
	if (gamma_small(gamma)) {
		for (r = 0; r < n; r++)
			qg[r] = NAN;
	} else {
		for (r = 0; r < n; r++)
			qg[r] = gamma * margin_logq(s[r], l[r]);
		vexp_n(qg, n);
	}
	for (r = 0; r < n; r++)
		loss[r] = margin_finish(s[r], t[r], l[r], gamma, qg[r], &dlds[r]);
}

void focal_rows(double *z, size_t n, size_t k, const uint32_t *y, int positive, double gamma,
                double *loss, double *tmp)
{
	double *s = tmp, *dlds = s + n, *mt = dlds + n, *e = mt + 4 * n, m, sum;
	size_t r, j;

	if (k == 1) {
		for (r = 0; r < n; r++)
			s[r] = (int)y[r] == positive ? z[r] : -z[r];
		margin_rows(s, n, gamma, loss, dlds, mt);
		for (r = 0; r < n; r++)
			z[r] = (int)y[r] == positive ? dlds[r] : -dlds[r];
		return;
	}
	/* focal_softmax's steps, row by row, with exp and log over the whole tile */
	for (r = 0; r < n; r++) {
		const double *zr = z + r * k;

		m = -INFINITY;
		for (j = 0; j < k; j++)
			if (j != y[r] && zr[j] > m)
				m = zr[j];
		for (j = 0; j < k; j++)
			e[r * k + j] = j == y[r] ? -INFINITY : zr[j] - m;
		s[r] = m;
	}
	vexp_n(e, n * k);
	for (r = 0; r < n; r++) {
		sum = 0;
		for (j = 0; j < k; j++)
			if (j != y[r])
				sum += e[r * k + j];
		mt[r] = sum;
		dlds[r] = sum;
	}
	vlog_n(dlds, n);
	for (r = 0; r < n; r++)
		s[r] = z[r * k + y[r]] - (s[r] + dlds[r]);
	margin_rows(s, n, gamma, loss, dlds, mt + n);
	for (r = 0; r < n; r++) {
		double *zr = z + r * k;

		for (j = 0; j < k; j++)
			zr[j] = j == y[r] ? dlds[r] : -dlds[r] * (e[r * k + j] / mt[r]);
	}
}
