/*
 * unit_stats: Student's t and the incomplete beta function against SciPy 1.10.1
 * (2 * scipy.stats.t.sf(|t|, df), scipy.stats.beta.cdf(x, a, b)), and the corrected
 * resampled t-test against the formula evaluated there with NumPy.
 */
#include <math.h>

#include "stats.h"
#include "tap.h"

int main(void)
{
	static const struct {
		double t, df, p;
	} tt[] = {
		{ 0.5, 4, 0.6433299631818633 },    { 2.0, 9, 0.07655282377070093 },
		{ -3.1, 24, 0.004887523470758114 }, { 10, 2, 0.009852457023325692 },
		{ 0.01, 1, 0.9936340144701835 },   { 1.96, 1000, 0.05027318495574871 },
		{ 4.5, 7, 0.0027983300778426294 },
	};
	static const struct {
		double a, b, x, p;
	} bt[] = {
		{ 0.5, 0.5, 0.3, 0.36901011956554536 }, { 2, 3, 0.4, 0.5247999999999999 },
		{ 10, 0.5, 0.95, 0.31715157546554495 }, { 1.5, 20, 0.01, 0.06120371478345899 },
		{ 30, 30, 0.55, 0.7803328155473745 },
	};
	/* ten folds of 4-fold cv: one test row to three training rows */
	static const double d[10] = { 0.01, 0.03, -0.005, 0.02, 0.015, 0.0, 0.025, 0.01, 0.012,
		                          0.018 };
	static const double zero[4] = { 0, 0, 0, 0 }, same[3] = { 0.25, 0.25, 0.25 };
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof tt / sizeof tt[0]; i++)
		if (!close_to(stats_t_pvalue(tt[i].t, tt[i].df), tt[i].p, 1e-12, 0)) {
			ok = 0;
			printf("# t %g df %g: %.17g, want %.17g\n", tt[i].t, tt[i].df,
			       stats_t_pvalue(tt[i].t, tt[i].df), tt[i].p);
		}
	CHECK(ok, "Student's t: two-sided p-values to 1e-12 of SciPy's");
	ok = 1;
	for (i = 0; i < sizeof bt / sizeof bt[0]; i++)
		if (!close_to(stats_incbeta(bt[i].a, bt[i].b, bt[i].x), bt[i].p, 1e-12, 0))
			ok = 0;
	CHECK(ok, "the regularised incomplete beta function to 1e-12 of SciPy's");
	CHECK(stats_incbeta(2, 3, 0) == 0 && stats_incbeta(2, 3, 1) == 1 &&
	      stats_t_pvalue(INFINITY, 3) == 0 && isnan(stats_t_pvalue(NAN, 3)),
	      "the ends: I_0 = 0, I_1 = 1, p(inf) = 0, p(nan) is nan");
	CHECK(close_to(stats_corrected_ttest(d, 10, 1.0 / 3), 0.08623510851795986, 1e-12, 0),
	      "the corrected resampled t-test of ten differences");
	CHECK(stats_corrected_ttest(zero, 4, 0.25) == 1 && stats_corrected_ttest(same, 3, 0.25) == 0 &&
	      isnan(stats_corrected_ttest(d, 1, 0.25)),
	      "no difference: p 1; the same non-zero difference in every fold: p 0; one fold: nan");
	TAP_DONE();
}
