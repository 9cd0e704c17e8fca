/* stats.c: Student's t from the incomplete beta function, and the corrected resampled
 * t-test (stats.h). */
#include "stats.h"

#include <math.h>

/* The continued fraction of I_x(a, b), evaluated by the modified Lentz method. */
static double incbeta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h, num, delta;
	int m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 500; m++) {
		/* the even step, then the odd one */
		num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1) < 1e-16)
			break;
	}
	return h;
}

double stats_incbeta(double a, double b, double x)
{
	double front;

	if (!(x > 0))
		return 0;
	if (!(x < 1))
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	/* the fraction converges fast below the mean; use the symmetry above it */
	if (x < (a + 1) / (a + b + 2))
		return front * incbeta_cf(a, b, x) / a;
	return 1 - front * incbeta_cf(b, a, 1 - x) / b;
}

double stats_t_pvalue(double t, double df)
{
	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return 0;
	return stats_incbeta(df / 2, 0.5, df / (df + t * t));
}

double stats_corrected_ttest(const double *d, size_t n, double test_over_train)
{
	double mean = 0, ss = 0, var;
	size_t i;

	if (n < 2)
		return NAN;
	for (i = 0; i < n; i++)
		mean += d[i];
	mean /= (double)n;
	for (i = 0; i < n; i++)
		ss += (d[i] - mean) * (d[i] - mean);
	var = (1 / (double)n + test_over_train) * ss / (double)(n - 1);
	if (var == 0)
		return mean == 0 ? 1 : 0;
	return stats_t_pvalue(mean / sqrt(var), (double)(n - 1));
}

double stats_t_quantile(double p, double df)
{
	double lo = 0, hi = 1, alpha;
	int i;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	alpha = 2 * (1 - p);
	if (p <= 0.5)
		return p == 0.5 ? 0 : -stats_t_quantile(1 - p, df);
	/* P(|T| >= t) falls as t grows: widen, then halve the bracket */
	while (stats_t_pvalue(hi, df) > alpha && hi < 1e12)
		hi *= 2;
	for (i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (stats_t_pvalue(mid, df) > alpha)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}
