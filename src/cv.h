/*
 * cv.h: stratified k-fold cross-validation of several configurations on the same folds
 * (SPEC "Cross-validation and comparing losses"): the grid of configurations, the
 * folds, one task per (repeat, fold, configuration) fitted by fit_rows on the shared
 * thread pool, and the summaries.  cvreport.c writes the results.
 */
#ifndef FOCAL_CV_H
#define FOCAL_CV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "data.h"
#include "fit.h"
#include "metrics.h"
#include "output.h"
#include "util.h"
#include "weights.h"

/*
 * The figures of a fold, in output order: those of the decisions at 0.5 (argmax), then
 * those of the probabilities alone (the macro one-vs-rest average precision and ROC AUC,
 * log loss, Brier score and ECE, as metrics.h computes them).
 */
enum {
	CV_MACRO_F1, CV_BALANCED_ACCURACY, CV_MCC, CV_GMEAN, CV_NDECISION,
	CV_AVERAGE_PRECISION = CV_NDECISION, CV_ROC_AUC, CV_LOG_LOSS, CV_BRIER, CV_ECE, CV_NMETRIC
};
/* Their --metric words ("macro_f1", ...) and their titles in tables ("macro F1", ...). */
extern const char *const cv_metric_key[CV_NMETRIC], *const cv_metric_title[CV_NMETRIC];
/* 1 for the figures where lower is better (log loss, Brier score, ECE), else 0. */
int cv_metric_lower_better(int metric);

/* The --lambda value auto, in the lambda list and in a configuration. */
#define CV_LAMBDA_AUTO (-1.0)

/* Values of a list option, in command-line order. */
struct numlist {
	double *v;
	size_t n;
};

void numlist_add(struct numlist *l, double v);
/* 1 when V is in L. */
int numlist_has(const struct numlist *l, double v);

/*
 * The values of the list options (enum values for loss, model and sample); the grid is
 * every configuration that means something among them.  Owns everything
 * (cvgrid_release).
 */
struct cvgrid {
	struct numlist loss, model, sample, calib;
	struct numlist gamma, ratio, lambda; /* lambda empty: 1/n */
	struct weighting *wt;
	size_t nwt;
};

/* Appends a weighting of KIND, owning TEXT; returns it for the caller to finish. */
struct weighting *cvgrid_add_weighting(struct cvgrid *g, enum weight_kind kind, char *text);
/* Gives each empty list its default: ce, auto, none, gamma 2, ratio 1, no weighting. */
void cvgrid_defaults(struct cvgrid *g);
/*
 * Checks the weightings against the classes of S (weighting_resolve); the same class
 * weights written twice are a usage error.
 */
int cvgrid_resolve(struct cvgrid *g, const struct schema *s, struct ferr *e);
void cvgrid_release(struct cvgrid *g);

/* One configuration: a point of the grid. */
struct cvconfig {
	enum model_choice choice;
	enum model_kind kind;
	int positive;
	enum loss_kind loss;
	double gamma;       /* NAN for ce */
	const struct weighting *wt;
	enum sample_kind sample;
	double ratio;       /* NAN without sampling */
	double lambda;      /* NAN: 1 / training rows after sampling; CV_LAMBDA_AUTO: auto */
	enum calib_kind calib;
	char *name;         /* e.g. "focal g=2 balanced over r=0.5 lambda=0.01 softmax" */
};

/*
 * Every configuration of G that means something, for the classes of S with positive
 * class POSITIVE: model x loss x gamma (focal only) x weighting x sample x ratio
 * (sampling only) x lambda x calibration, the first values first; a model value that fits the same
 * model kind as an earlier one is counted once, with a warning to WARN (may be NULL).
 * Returns the array (*NCFG entries; cvconfigs_free), or NULL with E filled.
 */
struct cvconfig *cvconfigs_make(const struct cvgrid *g, const struct schema *s, int positive,
                                void (*warn)(const char *msg), size_t *ncfg, struct ferr *e);
void cvconfigs_free(struct cvconfig *cfg, size_t ncfg);

/* How to cross-validate. */
struct cvopts {
	size_t k, repeat;
	int metric;        /* CV_*: what the summaries are sorted by */
	int smote_k;
	int standardize;   /* 0: the data were read with --no-standardize */
	int have_alpha;    /* some weighting is --alpha: the output names the positive class */
	int tune;          /* 1: tune the decision (--tune-decision) for TUNE_METRIC */
	int tune_metric;   /* DM_* */
	int keep_predictions; /* keep every test row's probabilities and decision */
	size_t tune_folds; /* inner folds */
	/* The solver options of every fit; seed is --seed, threads the tasks' threads. */
	struct trainopts t;
	/* Called after each task, one call at a time; may be NULL. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

/* One fold of one repeat: its test rows per class and the fitprep of its training rows. */
struct cvfold {
	size_t *test_count; /* nclass */
	size_t ntest;
	struct fitprep prep;
};

/* What one task (repeat, fold, configuration) found. */
struct cvresult {
	double metric[CV_NMETRIC];
	double *recall, *f1;   /* nclass each */
	double objective, lambda;
	size_t train_rows;     /* rows of the training part after sampling */
	int iterations, converged;
	enum calib_kind calib; /* the calibration done (auto resolved) */
	struct decision dec;   /* the decision the test rows got */
	size_t inner_fits;     /* fits of the inner CV */
	/* With keep_predictions: the test rows' probabilities (ntest x nclass) and decisions,
	 * rows in file order. */
	double *prob;
	uint32_t *pred;
	char *error;           /* set when the task failed */
	int status;
};

/* Means and standard deviations over the folds of one configuration. */
struct cvsummary {
	double mean[CV_NMETRIC], sd[CV_NMETRIC];
	double *recall_mean, *recall_sd, *f1_mean, *f1_sd; /* nclass each */
	double delta_mean, delta_sd; /* sort metric minus the baseline's, fold by fold */
	double delta_p;              /* its corrected resampled t-test p-value (stats.h) */
};

/*
 * A cross-validation: the inputs (set by the caller, owned elsewhere) and what
 * cv_folds and cv_run fill (owned; cv_release).
 */
struct cv {
	const struct cvopts *o;
	const struct schema *s;
	const struct dataset *d;
	const struct cvconfig *cfg; /* cfg[0] is the baseline */
	size_t ncfg;

	size_t nrows;          /* rows of the table (focal-mpi: of every process) */
	size_t nf;             /* folds in all: repeat x k */
	uint32_t *fold;        /* repeat r: fold[r * n + i] is row i's test fold */
	double *center;        /* the table's column means (fit_column_means), which the
	                          fitpreps of the folds and of their inner folds are summed around */
	struct cvfold *fi;     /* repeat r, fold f: fi[r * k + f] */
	size_t ntasks;         /* task t = (r * k + f) * ncfg + c */
	struct cvresult *res;  /* ntasks */
	int threads;           /* threads the tasks ran on */
	struct cvsummary *sum; /* ncfg */
	size_t *order;         /* configurations by the sort metric, best first */
	/* --refit: set by the caller for the writers (the caller's strings) */
	const char *refit_model;
	char *refit_command;
};

/*
 * splitmix64's finaliser, and the seed of use WHAT in repeat R, fold F with DETAIL
 * derived from SEED: every random choice of cv is seeded from --seed and what it is for,
 * never from the order in which tasks run.
 */
uint64_t cv_mix64(uint64_t x);
enum { CV_SEED_FOLDS = 1, CV_SEED_SAMPLE, CV_SEED_SOLVER, CV_SEED_INNER };
uint64_t cv_derive_seed(uint64_t seed, uint64_t what, uint64_t r, uint64_t f, uint64_t detail);

/*
 * Stratified folds of repeat R into FOLD (n entries): each class's rows shuffled, then
 * dealt with one counter running through the classes in class order (fold = t++ % k),
 * so each class splits as evenly as it can across the folds, and so do the fold sizes.
 */
void cv_make_folds(const struct dataset *d, size_t nclass, size_t k, uint64_t seed, size_t r,
                   uint32_t *fold);

/*
 * The same for the N rows of classes Y that COUNT (NULL: all) gives a multiplicity above
 * 0, shuffled by a generator seeded with SEED itself; the other rows get fold K.
 */
void cv_stratify(const uint32_t *y, size_t n, size_t nclass, const double *count, size_t k,
                 uint64_t seed, uint32_t *fold);

/*
 * cv_stratify for a table whose rows DIST's processes share, each holding the next rows
 * (N of them here, classes Y, multiplicities COUNT): the folds of the whole table's rows,
 * made alike on every process from the classes of every process's rows of multiplicity
 * above 0 (gathered, 4 bytes a row); FOLD gets those of this process's rows.  DIST NULL:
 * cv_stratify.
 */
struct dist;
void cv_stratify_shared(const struct dist *dist, const uint32_t *y, size_t n, size_t nclass,
                        const double *count, size_t k, uint64_t seed, uint32_t *fold);

/* Fills cv->fold, cv->fi, cv->center and cv->nrows for every repeat; with o->t.dist (focal-mpi), the
 * folds of the whole table, each process keeping its rows' (collective). */
void cv_folds(struct cv *cv);

/*
 * Warns (to WARN) about classes with fewer rows than folds, and about SMOTE short of
 * neighbours in some fold; NAME names the data.  After cv_folds.
 */
void cv_warn_small(const struct cv *cv, const char *name, void (*warn)(const char *msg));

/*
 * Runs every task on the pool (o->t.threads threads, at most one a task; with o->t.dist,
 * one task at a time, each fit on o->t.threads threads), then fills the summaries and
 * the order.  Returns 0, or -1 with E naming the first failing task (the same for any
 * thread count).  After cv_folds.
 */
int cv_run(struct cv *cv, struct ferr *e);

/* How many fits there were in all: the tasks' and those of their inner CVs. */
size_t cv_fits(const struct cv *cv);

/* How many fits did not converge. */
size_t cv_not_converged(const struct cv *cv);

void cv_release(struct cv *cv);

/*
 * The writers (cvreport.c): the results of CV in FMT (SECONDS: the wall time the table
 * states; NAN leaves it out), and --save-folds' "line,repeat,fold" for every row of every
 * repeat.
 *
 * With o->t.dist (focal-mpi), the files of every row are written by rank 0 into its FP
 * (the others pass NULL), from the lines, folds and predictions each process holds of
 * its own rows, which it sends rank 0 a chunk at a time: the bytes one process writes
 * (collective).
 */
void cv_write(FILE *fp, enum outfmt fmt, const struct cv *cv, double seconds);
void cv_write_folds(FILE *fp, const struct cv *cv);
/*
 * --save-predictions: "line,repeat,fold,configuration,truth,predicted,p_<label>..." for
 * every row, repeat and configuration (configurations in command-line order, rows in
 * file order); needs keep_predictions and the dataset's lines.
 */
void cv_write_predictions(FILE *fp, const struct cv *cv);

#endif
