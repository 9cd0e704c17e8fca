/* metrics.h: the per-class report of SPEC "Outputs", computed the way scikit-learn and
 * imbalanced-learn compute it (zero-division conventions: 0). */
#ifndef FOCAL_METRICS_H
#define FOCAL_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* An undefined value (e.g. AUC of a class without positives) is NAN here,
 * printed as null in JSON and "-" in tables. */
struct classmetrics {
	double precision, recall, specificity, f1, gmean;
	size_t support;
	double roc_auc, average_precision; /* one-vs-rest; NAN when undefined or no scores */
};

struct avgmetrics {
	double precision, recall, f1;
};

struct report {
	size_t k;                   /* number of classes */
	size_t n;                   /* rows scored */
	struct classmetrics *cls;   /* k entries, class order */
	struct avgmetrics macro, weighted, micro;
	double accuracy, balanced_accuracy, mcc, cohen_kappa, gmean, log_loss; /* log_loss NAN without scores */
	/*
	 * From the scores alone (NAN without them): the Brier score (two classes: the mean
	 * squared error of the second class's probability, as scikit-learn's
	 * brier_score_loss; more: the mean squared distance between the probability vector
	 * and the one-hot truth), the expected calibration error (15 equal-width bins
	 * (lo, hi] of each row's largest probability, the first bin holding 0: the
	 * row-weighted mean of |accuracy - mean probability| over the bins, accuracy being
	 * whether that class, the first of equal largest, is the true one), and the means of
	 * the one-vs-rest average precision and ROC AUC over the classes where they are
	 * defined (NAN when none is).
	 */
	double brier, ece, macro_average_precision, macro_roc_auc;
	size_t *confusion;          /* k x k, rows true class, columns predicted */
	/* Two classes: the class a threshold applies to, which the report names; -1 (as
	 * metrics_compute leaves it) when there is none to name. */
	int positive;
	/*
	 * Set by metrics_threshold (two classes with scores): predicting class `positive`
	 * when its probability is at least `threshold` gives the best macro F1 on these
	 * rows, `macro_f1`; valid is 0 when it was not computed.
	 */
	struct {
		int valid;
		uint32_t positive;
		double threshold, macro_f1;
	} best;
};

/*
 * Fills R from n rows: true and predicted class indices in [0, k), and
 * scores (n x k class probabilities, row-major) or NULL.  R owns its arrays;
 * free with report_release.
 */
void metrics_compute(struct report *r, size_t n, size_t k, const uint32_t *ytrue,
                     const uint32_t *ypred, const double *scores);
void report_release(struct report *r);

/*
 * For two classes, fills R->best from the same rows: the threshold on the probability of
 * class POSITIVE (column POSITIVE of the n x 2 SCORES) at which macro F1 is highest: the
 * shortest decimal between two neighbouring distinct probabilities (0 for all rows
 * positive; of equal macro F1s, the threshold nearest 0.5).  Call after metrics_compute
 * on the same rows.  Leaves R->best invalid for other k, no scores, or a class absent
 * from YTRUE.
 */
void metrics_threshold(struct report *r, const uint32_t *ytrue, const double *scores,
                       uint32_t positive);

enum outfmt { FMT_TABLE, FMT_TSV, FMT_JSON };

/* What `focal train` adds to the report (JSON key "training"). */
struct trainsummary {
	const char *model, *loss, *solver, *sample;
	double gamma, lambda;
	double objective, gnorm, seconds;
	int iterations, converged;
	const size_t *count_before, *count_after; /* nclass rows per class, before/after sampling */
	const double *class_weight;               /* nclass effective class weights */
	const char *evaluated_on;                 /* "training data" or the --valid file name */
};

/* Parses "table", "tsv" or "json"; -1 if none. */
int outfmt_parse(const char *s, enum outfmt *f);

/*
 * Writes report R for classes (k labels, class order) to F in format FMT; T is NULL
 * except for `focal train`.  Returns 0, or -1 when writing failed.
 */
int report_write(FILE *f, enum outfmt fmt, char *const *classes, const struct report *r,
                 const struct trainsummary *t);

/* Writes S as a JSON string literal (quoted, escaped). */
void json_string(FILE *f, const char *s);
/* Writes X as a JSON number that round-trips, or null when X is not finite. */
void json_number(FILE *f, double x);

/* Writes a label for TSV: tabs, newlines and carriage returns become spaces. */
void tsv_label(FILE *f, const char *s);
/* Writes a tab and then X for TSV (as in JSON, "-" when undefined). */
void tsv_number(FILE *f, double x);
/* Writes LABEL within a line of a table, escaped for the terminal (as grid_label). */
void table_label(FILE *f, const char *label);

/*
 * A grid of table cells for people, printed with columns just as wide as their widest
 * cell (a UTF-8 sequence counts as one character), two spaces apart; the first NLEFT
 * columns are aligned left, the others right.  No trailing spaces.  The grid owns its
 * cells; grid_release frees them.
 */
struct grid {
	size_t rows, cols, nleft;
	char **cell; /* rows x cols, NULL for an empty cell */
};

void grid_init(struct grid *g, size_t rows, size_t cols, size_t nleft);
void grid_release(struct grid *g);
/* Sets cell (ROW, COL) to the printf-formatted text. */
void grid_set(struct grid *g, size_t row, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sets a cell to LABEL escaped for the terminal (esc_put in util.h). */
void grid_label(struct grid *g, size_t row, size_t col, const char *label);
/* Sets a cell to X with 3 decimals, or "-" when undefined. */
void grid_num(struct grid *g, size_t row, size_t col, double x);
void grid_print(FILE *f, const struct grid *g);

#endif
