/*
 * loss.c: per-row cross-entropy and focal losses with their derivatives.
 *
 * Everything is computed in log space from the logits: log p from log-sigmoid /
 * log-softmax, log(1 - p) the same way, and (1 - p)^gamma as exp(gamma log(1 - p)),
 * so nothing overflows, underflows to NaN or loses digits for logits up to +-1000.
 */
#include <math.h>
#include <stddef.h>

#include "train.h"

/*
 * q^gamma from q and log q: 1 for gamma 0 (cross-entropy exactly), products for a
 * small integer gamma (the common 1 and 2; cheaper and as accurate), else
 * exp(gamma log q), which cannot overflow and gives 0, not NaN, when q underflows.
 */
static double q_pow(double q, double logq, double gamma)
{
	switch ((int)gamma == gamma ? (int)gamma : -1) {
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

/*
 * Focal loss of the signed margin S (logit of the true outcome against the rest):
 * p = sigmoid(s) is the probability of the truth and q = 1 - p = sigmoid(-s).
 * Returns -q^gamma log p and sets *dlds (may be NULL) to its derivative in s,
 * q^gamma (gamma p log p - q).  Both terms of that sum are <= 0: no cancellation.
 */
static double focal_margin(double s, double gamma, double *dlds)
{
	double t = exp(-fabs(s)); /* in (0, 1]: never overflows */
	double l = log1p(t);      /* softplus(-|s|) */
	double logp, logq, p, q, qg;

	if (s >= 0) {
		logp = -l;
		logq = -s - l;
		p = 1 / (1 + t);
		q = t / (1 + t);
	} else {
		logp = s - l;
		logq = -l;
		p = t / (1 + t);
		q = 1 / (1 + t);
	}
	qg = q_pow(q, logq, gamma);
	if (dlds)
		*dlds = qg * (gamma * p * logp - q);
	return -qg * logp;
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
