/*
 * plot.h: the pictures of SPEC "Pictures", built on svg.h: the figures of a report (eval
 * and train) and those of a cross-validation, as one SVG document or inside a
 * self-contained HTML page with the report's tables.  The figures are drawn from the
 * numbers the report prints (metrics.h, cv.h), never recomputed another way.
 */
#ifndef FOCAL_PLOT_H
#define FOCAL_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "cv.h"
#include "metrics.h"
#include "util.h"

/* The formats of --plot, told by the file name's extension. */
enum plotfmt { PLOT_SVG, PLOT_HTML };

/* The format of PATH (".svg" or ".html", any case), or -1 for any other name. */
int plot_format(const char *path);

/* What the figures of a report draw. */
struct plot_report {
	char *const *classes;     /* k labels, class order */
	const struct report *r;   /* the report, whose AP and AUC the legends show */
	const struct figdata *fd; /* its curves and reliability bins */
	const double *objective;  /* train: the objective at each iteration, or NULL */
	size_t niter;
	const char *title;        /* the figures' heading */
};

/*
 * Writes the figures of P as one <svg> element: the precision-recall and ROC curves per
 * class (when there are scores), the reliability diagram, the confusion matrix and, with
 * an objective, its values per iteration; under P's title when HEADING is not 0 (a page
 * shows the title once, as its own heading).
 */
void plot_report_svg(FILE *f, const struct plot_report *p, int heading);

/*
 * Writes the figures of cross-validation CV as one <svg> element: each configuration's
 * sort figure with its spread over the folds, in the order of the table, the baseline
 * marked; the paired differences from the baseline with their 95% intervals (of the
 * corrected resampled t-test); per-class recall per configuration as a heat map.
 */
void plot_cv_svg(FILE *f, const struct cv *cv, int heading);

/* The title of cross-validation CV's figures into BUF of SIZE bytes: "focal cv: 8
 * configurations, 5-fold, 1 repeat". */
void plot_cv_title(char *buf, size_t size, const struct cv *cv);

/*
 * Writes the picture file PATH in format FMT, whole or not at all (outfile.h): the
 * figures that FIGURES(F, CTX, HEADING) writes, under their own title (HEADING 1) in an
 * SVG file; for HTML a page titled TITLE, shown once as its heading, holding first the
 * tables that TABLES(F, CTX) writes as text, then the figures without a title of their
 * own (HEADING 0).  0, or -1 with E filled.
 */
int plot_save(const char *path, enum plotfmt fmt, const char *title,
              void (*tables)(FILE *f, void *ctx),
              void (*figures)(FILE *f, void *ctx, int heading), void *ctx, struct ferr *e);

#endif
