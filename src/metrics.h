/* metrics.h: the per-class report of SPEC "Outputs", computed the way scikit-learn and
 * imbalanced-learn compute it (zero-division conventions: 0). */
#ifndef FOCAL_METRICS_H
#define FOCAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

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

/* The bins of the expected calibration error and of the reliability diagram. */
#define METRICS_ECE_BINS 15
/* The grid, in cells per unit, on which the curves of struct figdata are thinned. */
#define METRICS_CURVE_CELLS 2048

/* A curve: N points (X[i], Y[i]). */
struct curve {
	size_t n, cap;
	double *x, *y;
};

/*
 * What the pictures of a report draw besides the report itself, computed in the same
 * pass as its figures (so that a curve and the AUC or AP beside it cannot disagree):
 * for each class, one-vs-rest, the ROC curve (false positive rate, true positive rate)
 * from (0, 0) through every distinct threshold, and the precision-recall curve as the
 * steps whose area is the average precision (recall, precision); both thinned to the
 * thresholds where the true or false positives enter another cell of
 * METRICS_CURVE_CELLS per unit (and the thresholds just before), and empty for a class without
 * positives or negatives.  Then the reliability bins of the ECE: the sum of the largest
 * probabilities, the rows whose argmax is right, and the rows, per bin.  All of it empty
 * without scores (scores 0).
 */
struct figdata {
	size_t k;
	int scores;
	struct curve *roc, *pr; /* k each */
	double bin_conf[METRICS_ECE_BINS], bin_hits[METRICS_ECE_BINS], bin_rows[METRICS_ECE_BINS];
};

/*
 * Fills R from n rows: true and predicted class indices in [0, k), and
 * scores (n x k class probabilities, row-major) or NULL.  R owns its arrays;
 * free with report_release.
 */
void metrics_compute(struct report *r, size_t n, size_t k, const uint32_t *ytrue,
                     const uint32_t *ypred, const double *scores);
void report_release(struct report *r);
/* metrics_compute that also fills FD (NULL: none; release with figdata_release). */
void metrics_compute_figures(struct report *r, struct figdata *fd, size_t n, size_t k,
                             const uint32_t *ytrue, const uint32_t *ypred, const double *scores);
void figdata_release(struct figdata *fd);

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

/*
 * The report in parts, for rows spread over processes (score.c's focal-mpi report):
 * metrics_accumulate adds N rows' sums (metrics_acc_len(K) doubles: the confusion
 * counts, the log-loss and Brier terms, the reliability bins) to ACC; summed over every
 * process, metrics_finish makes the report on all their N rows from them (the ROC AUC
 * and average precision NAN, and FD's curves empty).  Each class's ranking is then fed
 * to a metrics_rank, from the highest score down: metrics_rank_keys gives one process's
 * rows sorted (KEY ascending is score descending; POS whether the row is of class C),
 * metrics_key_score the score back from a key.  metrics_averages ends with the macro
 * means of AUC and AP.  metrics_compute_figures is these steps on one process's rows.
 */
size_t metrics_acc_len(size_t k);
void metrics_accumulate(double *acc, size_t n, size_t k, const uint32_t *ytrue,
                        const uint32_t *ypred, const double *scores);
void metrics_finish(struct report *r, struct figdata *fd, size_t n, size_t k, const double *acc,
                    int scores);
void metrics_rank_keys(size_t n, size_t k, const uint32_t *ytrue, const double *scores,
                       uint32_t c, uint64_t *key, unsigned char *pos);
double metrics_key_score(uint64_t key);
void metrics_averages(struct report *r);

/* One class against the rest: NPOS rows of it, NNEG of the others, the curves (thinned)
 * into ROC and PR when not NULL; the end gives its ROC AUC and average precision. */
struct metrics_rank {
	double npos, nneg, tps, fps, prev_tps, prev_fps, area, apsum, tstep, fstep, tnext, fnext;
	uint64_t key;
	int have, skipped;
	struct curve *roc, *pr;
};
void metrics_rank_begin(struct metrics_rank *rk, double npos, double nneg, struct curve *roc,
                        struct curve *pr);
void metrics_rank_add(struct metrics_rank *rk, uint64_t key, int pos);
void metrics_rank_end(struct metrics_rank *rk, double *auc, double *ap);

#endif
