/* stats.h: the few statistical tests focal reports (cv's paired comparison). */
#ifndef FOCAL_STATS_H
#define FOCAL_STATS_H

#include <stddef.h>

/* The regularised incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1]. */
double stats_incbeta(double a, double b, double x);

/* The two-sided p-value of Student's t with DF degrees of freedom: P(|T| >= |t|). */
double stats_t_pvalue(double t, double df);

/*
 * Nadeau and Bengio's corrected resampled t-test (Machine Learning 52, 2003) of the N
 * paired differences D, from N train/test splits with TEST_OVER_TRAIN test rows per
 * training row: t = mean / sqrt((1 / N + TEST_OVER_TRAIN) * s^2), s^2 the sample
 * variance, on N - 1 degrees of freedom.  Returns the two-sided p-value (1 when every
 * difference is 0, NAN for fewer than two).
 */
double stats_corrected_ttest(const double *d, size_t n, double test_over_train);

/* The P quantile (0 < P < 1) of Student's t with DF degrees of freedom; NAN outside. */
double stats_t_quantile(double p, double df);

#endif
