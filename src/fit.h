/*
 * fit.h: fitting one configuration on a set of rows of a loaded dataset (focal train
 * fits the whole dataset, every fold of focal cv fits its training rows), and the setup
 * that both commands share: solver defaults, the positive class, the model kind, the
 * words of --loss and --model.
 */
#ifndef FOCAL_FIT_H
#define FOCAL_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "calib.h"
#include "data.h"
#include "decision.h"
#include "sample.h"
#include "train.h"
#include "util.h"
#include "weights.h"

/* --model: auto is logistic for two classes and softmax otherwise. */
enum model_choice { CHOOSE_AUTO, CHOOSE_LOGISTIC, CHOOSE_SOFTMAX };

/* Parses a --loss word (ce, focal); -1 if it is neither. */
int fit_parse_loss(const char *word, enum loss_kind *k);
/* Parses a --model word (auto, logistic, softmax); -1 if it is none of them. */
int fit_parse_model(const char *word, enum model_choice *c);
/* The words back ("ce", "auto", "logistic", "lbfgs", ...); static strings. */
const char *fit_loss_name(enum loss_kind k);
const char *fit_choice_name(enum model_choice c);
const char *fit_model_name(enum model_kind k);
const char *fit_solver_name(enum solver_kind k);

/*
 * Sets T to the defaults of the options train and cv share (gamma 2, the solver's own
 * tolerance, 1000 iterations, planned epochs, batches of 256, prior bias, seed 1, one
 * thread per core).  cli_solver_defaults fills what depends on --solver afterwards.
 */
void fit_defaults(struct trainopts *t);

/*
 * The model kind CHOICE gives for NCLASS classes into *K; -1 with E filled (a usage
 * error) for logistic with other than two classes.
 */
int fit_model_kind(enum model_choice choice, size_t nclass, enum model_kind *k, struct ferr *e);

/*
 * The positive class of the data (S's classes, D's counts): LABEL when not NULL,
 * otherwise the less frequent of two classes (positive_class in score.h); -1 with E
 * filled.
 */
int fit_positive(const struct schema *s, const struct dataset *d, const char *label,
                 struct ferr *e);

/*
 * The standardisation and imputation of one set of rows, on top of the dataset's own
 * (which were fitted on all its rows): design column j of a row enters the model as
 * (x_j, or fill[j] where the value was missing) * scale[j] + shift[j].  The dataset
 * stores numeric columns globally standardised; a set's numeric column gets the mean m
 * of its rows' values read from the file as fill, and with their population sd s, scale
 * 1/s and shift -m/s, so that it enters the model imputed and standardised on the set's
 * rows alone (a constant column: scale 1, shift -m, as data.c treats one).  One-hot
 * columns are left as they are.  Owns its arrays.
 */
struct fitprep {
	double *scale, *shift; /* dim each; NULL without standardisation */
	double *fill;          /* dim; NULL when the dataset lists no missing value */
};

void fitprep_release(struct fitprep *p);

/*
 * Means of the numeric design columns over all rows of D, in column order; caller frees.
 * With DIST (focal-mpi; NULL: this process alone), over the rows of every process, each
 * holding the next rows of the table (dist_align_rows): the sums are those one process
 * makes, to the last bit.
 */
struct dist;
double *fit_column_means(const struct dataset *d, const struct schema *s,
                         const struct dist *dist);

/*
 * For each group g of K, PREP[g] gets the fitprep of the rows whose GROUP[i] is not g
 * (the training rows of fold g), each row counted COUNT[i] times (COUNT NULL: once).  The
 * sums are taken per group around CENTER (fit_column_means) in one pass, and a set's sums
 * are the other groups' sums added in group order.  STANDARDIZE 0: only the fill.  With
 * DIST, over the rows of every process, as fit_column_means.
 */
void fitprep_complements(const struct dataset *d, const struct schema *s, const uint32_t *group,
                         size_t k, const double *count, int standardize, const double *center,
                         const struct dist *dist, struct fitprep *prep);

/*
 * PREP gets the fitprep of the rows of D with COUNT[i] > 0, each counted COUNT[i] times,
 * its sums taken around CENTER (NULL: fit_column_means of D).  With DIST, over the rows
 * of every process (fitprep_complements).
 */
void fitprep_rows(const struct dataset *d, const struct schema *s, const double *count,
                  int standardize, const double *center, const struct dist *dist,
                  struct fitprep *prep);

/* One configuration to fit. */
struct fitconfig {
	enum model_kind kind;
	int positive;               /* class index (fit_positive) */
	enum loss_kind loss;
	double gamma;               /* focal only */
	const struct weighting *wt; /* resolved against the schema (weighting_resolve) */
	/*
	 * Or, instead of WT (NULL), a weighting that fit_rows resolves itself after sampling
	 * (train: sampling's warnings come before a --class-weight error, as they always have).
	 */
	struct weighting *unresolved;
	enum sample_kind sample;
	double ratio;               /* with sampling: --sample-ratio */
	int smote_k;
	double lambda;              /* NAN: 1 / the number of rows after sampling */
	uint64_t sample_seed;       /* what sampling draws from */
	/*
	 * The solver and its options (solver, tol, max_iter, epochs, batch_size, lr,
	 * bias_prior, seed, threads, progress); model, loss, gamma, lambda, class_weight and
	 * positive are filled from the fields above.  threads also serves SMOTE.
	 */
	struct trainopts solver;
	void (*warn)(const char *msg); /* sampling's warnings; may be NULL */
};

/*
 * The rows to fit on.  COUNT NULL: every row of the dataset once, as it was read and
 * standardised (train); sampling then makes a sampled copy of the dataset.  Otherwise
 * COUNT[i] (a whole number) is how many times row i is in the set (cv's folds: 0 for the
 * test rows, 1 for the others); the set is standardised and imputed on its own rows
 * with PREP, or with a fitprep computed from the rows when PREP is NULL.  Over- and
 * under-sampling then act on the multiplicities (a row of multiplicity m counts as m
 * rows; train() skips rows of weight 0), SMOTE on a copy of the set's rows.
 */
struct fitrows {
	const double *count;
	const struct fitprep *prep;
	int standardize; /* for a PREP computed here: 0 as the dataset was read with
	                    --no-standardize, so that only the fill is the set's */
	/*
	 * For a PREP computed here: the values its sums are taken around (fit_column_means of
	 * the whole table: cv's folds pass the table's under focal-mpi, where D holds a fold's
	 * training rows alone), or NULL for fit_column_means of D.
	 */
	const double *center;
	/*
	 * With COUNT and PREP, and a configuration that samples with SMOTE: NULL, or the
	 * SMOTE set fit_smote_set made for the same rows, sampling and seed (cv shares one
	 * among the configurations of a fold), used instead of sampling again.
	 */
	const struct dataset *sampled;
};

/*
 * The SMOTE set of the rows R (COUNT and PREP given) under C's sampling, ratio, k and
 * seed into OUT (dataset_release it), as fit_rows would make it.  0, or -1 with E.
 * With C->solver.dist (focal-mpi; collective), this process's share of the set of
 * every process's rows R, made from its own rows (the whole set's targets dealt out by
 * each process's class rows) and moved into the blocks one process would sum;
 * OUT->count then counts this process's rows.
 */
int fit_smote_set(const struct dataset *d, const struct schema *s, const struct fitrows *r,
                  const struct fitconfig *c, struct dataset *out, struct ferr *e);

/* What a fit gives; owns its arrays (fitresult_release). */
struct fitresult {
	struct linmodel lm;       /* weights of the set's standardised features (see scorer) */
	struct trainresult tr;
	size_t *count_before;     /* nclass: the set's rows per class */
	size_t *count_after;      /* nclass: rows per class after sampling */
	double *class_weight;     /* nclass: the class weights the fit used */
	double lambda;            /* the lambda the fit used */
	size_t rows;              /* rows after sampling */
	struct fitprep prep;      /* the fitprep computed for the rows (PREP NULL); else empty */
	/*
	 * What fit_tuned did after the fit (fit_rows: none, and the argmax decision): the
	 * calibration applied to LM, its temperature (1 / s; 1 without), and the decision.
	 */
	enum calib_kind calib;
	double temperature;
	struct decision dec;
	size_t inner_fits;        /* fits of the inner folds */
	struct lampath path;      /* --lambda auto: the path the inner CV tried */
};

/* What happens after the fit: calibration and decision tuning (SPEC). */
struct tuneopts {
	enum calib_kind calibrate; /* CALIB_AUTO: prior when the fit saw another class balance */
	int metric;                /* DM_*: --tune-decision; -1: none */
	size_t folds;              /* inner stratified folds (temperature, tuning) */
	uint64_t seed;             /* of the inner folds */
	int standardize;           /* 0: the data were read with --no-standardize */
	int lambda_auto;           /* --lambda auto: chosen by the inner CV (c->lambda unused) */
};

/*
 * fit_rows, then the calibration of T (the prior correction, and the temperature
 * fitted on the logits of an inner stratified CV of the same configuration on the same
 * rows) folded into OUT's weights, and the decision: that of the uncalibrated fit, or
 * with METRIC the threshold or offsets that maximise it on the inner out-of-fold
 * predictions (their spread: the same tuned on each inner fold's rows alone).  With
 * LAMBDA_AUTO the same inner folds first try a warm-started path of lambdas, and the
 * best out of fold (by log loss, or by METRIC) is the one fitted; OUT->path says how
 * each did.
 */
int fit_tuned(const struct dataset *d, const struct schema *s, const struct fitrows *r,
              const struct fitconfig *c, const struct tuneopts *t, struct fitresult *out,
              struct ferr *e);

/*
 * Fits C on rows R of D (schema S).  Returns 0 with OUT filled (release it even on
 * failure), or -1 with E filled.
 */
int fit_rows(const struct dataset *d, const struct schema *s, const struct fitrows *r,
             const struct fitconfig *c, struct fitresult *out, struct ferr *e);

void fitresult_release(struct fitresult *r);

/*
 * The parameters that score stored rows of the dataset (imputed with PREP's fill) like
 * the fitted model scores the set's standardised features: EFF (linmodel_nparams
 * values) from M's weights and PREP's scale and shift (M's own weights without them).
 */
void fit_scorer(const struct linmodel *m, const struct fitprep *prep, double *eff);

/* Row I of D as doubles into X (d->dim values), its missing values FILL's (when not NULL). */
void fit_row(const struct dataset *d, size_t i, const double *fill, double *x);

/*
 * focal-mpi: the rows i of D with KEEP[i] != 0 as a dataset of their own (x, y, the
 * missing-value lists, and as row weights KEEP[i] with AS_WEIGHT, else D's own), moved
 * between the processes into the blocks one process sums them in.  One process's passes
 * skip the rows of weight 0 (train.c), so that its blocks are those of the others alone,
 * and the processes' must be the same: cv's training rows of a fold, the rows that
 * under-sampling keeps.  OUT->pos gets each row's position among D's rows on all the
 * processes (D->pos's, when D is such a copy itself), OUT->npos their number.
 */
struct dist;
void fit_shared_rows(const struct dist *dist, const struct dataset *d, const double *keep,
                     int as_weight, struct dataset *out);

#endif
