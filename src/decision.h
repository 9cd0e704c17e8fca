/*
 * decision.h: what a model predicts, kept apart from its probabilities (SPEC "Decisions
 * and probabilities").  A decision is the class with the largest log p_c + o_c for
 * per-class offsets o; with two classes that is "the positive class when its probability
 * is at least the threshold".  The offsets come from the calibration (which keeps the
 * decisions of the balanced fit) or are tuned on out-of-fold predictions for a metric.
 */
#ifndef FOCAL_DECISION_H
#define FOCAL_DECISION_H

#include <stddef.h>
#include <stdint.h>

/* The metrics a decision can be tuned for (--tune-decision). */
enum { DM_MACRO_F1, DM_BALANCED_ACCURACY, DM_MCC, DM_GMEAN, DM_F1, DM_N };
extern const char *const decision_metric_key[DM_N];
/* The index of WORD among decision_metric_key, or -1. */
int decision_parse_metric(const char *word);

/* Where a decision comes from. */
enum decision_source {
	DEC_ARGMAX,      /* the most probable class (two classes: threshold 0.5) */
	DEC_CALIBRATION, /* the decisions of the fit before its probabilities were calibrated */
	DEC_TUNED        /* tuned for METRIC on out-of-fold predictions of FOLDS inner folds */
};
extern const char *const decision_source_key[3]; /* "argmax", "calibration", "tuned" */

/*
 * A decision over K classes.  Two classes: THRESHOLD on the probability of POSITIVE, with
 * THRESHOLD_SD its standard deviation over the inner folds (0 when not tuned).  More:
 * OFFSET[c] (their mean is 0) and OFFSET_SD[c].  Owns its arrays (decision_release).
 */
struct decision {
	enum decision_source source;
	int metric;            /* DM_* when tuned, else -1 */
	int folds;             /* inner folds when tuned, else 0 */
	size_t k;
	int positive;          /* two classes: the class the threshold applies to */
	double threshold, threshold_sd;
	double *offset, *offset_sd; /* k each; NULL with two classes */
};

/* D becomes the argmax decision of K classes (two: POSITIVE at 0.5). */
void decision_argmax(struct decision *d, size_t k, int positive);
void decision_release(struct decision *d);
void decision_copy(struct decision *to, const struct decision *from);

/*
 * The class D decides for a row with class probabilities PROB and logits Z (K values
 * in class order; for a logistic model Z may be NULL).  Two classes: POSITIVE iff
 * prob[positive] >= threshold.  More: the largest z_c + o_c, the first on a tie (z_c
 * and log p_c differ by the same constant for every class).
 */
uint32_t decision_pick(const struct decision *d, const double *prob, const double *z);

/*
 * Counts of a confusion matrix over K classes, as a decision metric reads them: TP[c]
 * rows of class c predicted c, NP[c] rows predicted c, NT[c] rows of class c, N rows.
 */
struct confcounts {
	size_t k;
	double n, *tp, *np, *nt;
};

/*
 * METRIC of the counts, defined as metrics_compute defines it (macro F1 over all K
 * classes; balanced accuracy and G-mean over the classes seen; MCC from the margins;
 * DM_F1 the F1 of class POSITIVE).
 */
double decision_metric(int metric, const struct confcounts *cc, int positive);

/* The double of the shortest decimal in (LO, HI] (tried at the midpoint). */
double decision_short_cut(double lo, double hi);

/*
 * Two classes: the threshold on SCORE[i] (the probability of the positive class of row
 * i; POS[i] 1 when row i is of that class) at which METRIC is highest over the N rows
 * (0 puts every row positive; between two neighbouring distinct scores, their shortest
 * decimal), the one nearest PREFER among equals.  *BEST gets the metric there.  Returns
 * 0, or -1 when the rows hold only one of the classes.
 */
int decision_best_threshold(size_t n, const double *score, const unsigned char *pos, int metric,
                            int positive, double prefer, double *threshold, double *best);

/*
 * decision_best_threshold's sweep, fed one row at a time (focal-mpi merges the rows of
 * every process into it): begin with the N rows' count NPOS of positives, add each row's
 * SCORE and whether it is positive (POS) from the highest score down, equal scores
 * together, then end: 0 with *THRESHOLD and *BEST set, or -1 when no row was added.
 * (The caller sees to it that both classes occur.)
 */
struct decision_cut {
	struct confcounts cc;
	double tp[2], np[2], nt[2], prefer, last, threshold, best;
	int metric, p, have, found;
};
void decision_cut_begin(struct decision_cut *dc, size_t n, size_t npos, int metric, int positive,
                        double prefer);
void decision_cut_add(struct decision_cut *dc, double score, int pos);
int decision_cut_end(struct decision_cut *dc, double *threshold, double *best);

/*
 * More classes: the offsets O (K values, in and out: the start, then the result) that
 * raise METRIC of the decisions argmax z_ic + o_c over the N rows (Z n x K, Y the true
 * classes), by coordinate ascent: one class's offset at a time, swept exactly over the
 * values where a row's decision changes, until a round improves nothing.  Returns the
 * metric at the result.
 */
double decision_tune_offsets(size_t n, size_t k, const double *z, const uint32_t *y, int metric,
                             double *o);

/* Shifts the K offsets O so that their mean is 0 (the decisions stay the same). */
void decision_center(double *o, size_t k);

#endif
