/* report.h: the per-class report (metrics.h) written as a table, TSV or JSON (SPEC
 * "Outputs"). */
#ifndef FOCAL_REPORT_H
#define FOCAL_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "metrics.h"
#include "output.h"

/* What `focal train` adds to the report (JSON key "training"). */
struct trainsummary {
	const char *model, *loss, *solver, *sample;
	double gamma, lambda;
	double objective, gnorm, seconds;         /* seconds NAN: left out of the table */
	int iterations, converged;
	const size_t *count_before, *count_after; /* nclass rows per class, before/after sampling */
	const double *class_weight;               /* nclass effective class weights */
	const char *evaluated_on;                 /* "training data" or the --valid file name */
	const char *calibrate;                    /* "none", "prior" or "temperature" */
	double temperature;
	const struct decision *dec;               /* the decision the report's rows were given */
	size_t inner_fits;                        /* fits of the inner CV (tuning, temperature) */
	const struct lampath *path;               /* --lambda auto's, or NULL */
};

/*
 * Writes report R for classes (k labels, class order) to F in format FMT; T is NULL
 * except for `focal train`.  Returns 0, or -1 when writing failed.
 */
int report_write(FILE *f, enum outfmt fmt, char *const *classes, const struct report *r,
                 const struct trainsummary *t);

#endif
