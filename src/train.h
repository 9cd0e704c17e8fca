/* train.h: the linear model, its objective J (SPEC "The model and its objective") and solvers. */
#ifndef FOCAL_TRAIN_H
#define FOCAL_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The passes over the rows sum them in blocks of this many, in block order. */
#define TRAIN_BLOCK_ROWS 4096

enum model_kind { MODEL_LOGISTIC, MODEL_SOFTMAX };
enum loss_kind { LOSS_CE, LOSS_FOCAL };
enum solver_kind { SOLVER_LBFGS, SOLVER_SGD, SOLVER_ADAM };

/*
 * Training rows: features as one contiguous n x dim block of floats (row-major,
 * already imputed and standardised), a class index per row, and optional row
 * weights (NULL: all 1).  The caller owns everything.
 */
struct trainset {
	size_t n, dim, nclass;
	const float *x;
	const uint32_t *y;
	const double *roww; /* NULL or n per-row weights (from --weight) */
	/*
	 * NULL, or dim values each: feature j enters the model as x_j * col_scale[j] +
	 * col_shift[j] (cross-validation re-standardises each fold this way without
	 * copying the block).  The weights are those of the transformed features.
	 */
	const double *col_scale, *col_shift;
	/*
	 * NULL, or (as dataset.miss_off/miss_col) where row i's values were missing: those
	 * enter the model as col_fill[j] instead of the stored value, before col_scale and
	 * col_shift (cross-validation imputes each fold with its training rows' means).
	 */
	const size_t *miss_off;
	const uint32_t *miss_col;
	const double *col_fill;
	/*
	 * focal-mpi, NULL: the rows of every process, in rank order, are the set one process
	 * trains on.  Else row i is position pos[i] (increasing) of the npos rows of that set
	 * on all the processes, those of weight 0 that are on none included (dataset.pos):
	 * the stochastic solvers draw their batches from all npos, as one process does.
	 */
	const size_t *pos;
	size_t npos;
};

struct dist;

struct trainopts {
	enum model_kind model;
	enum loss_kind loss;
	double gamma;               /* focal gamma (ignored for CE) */
	double lambda;              /* L2 strength on W (bias not penalised) */
	const double *class_weight; /* nclass weights, multiplied into the row weights */
	int positive;               /* logistic: index of the positive class */
	enum solver_kind solver;
	double tol;                 /* stop when the scaled gradient is tol times its start's
	                               (train.c, stoptest) */
	int max_iter;               /* L-BFGS iterations */
	int epochs;                 /* sgd/adam */
	size_t batch_size;          /* sgd/adam */
	double lr;                  /* sgd/adam */
	int bias_prior;             /* 1: bias starts at log class priors; 0: zero */
	uint64_t seed;
	int threads;                /* >= 1 */
	/*
	 * NULL, or nparams values to start from (a warm start: the solution of a neighbouring
	 * problem); the stopping test keeps its reference from the cold start.
	 */
	const double *init;
	/*
	 * focal-mpi: the other processes, whose rows (theirs in their trainset) are part of
	 * the set: the sums over rows (objective, gradient, class totals) are summed over
	 * all of them, and every process takes the same steps.  NULL: this process alone.
	 */
	const struct dist *dist;
	/* Optional progress hook, called once per iteration/epoch; may be NULL. */
	void (*progress)(void *ctx, int iter, double objective, double gnorm);
	void *progress_ctx;
};

/*
 * A trained linear model.  nout = 1 for logistic, nclass for softmax.
 * w holds nout rows of dim + 1 doubles: dim weights then the bias.
 * Logistic: z = w.x + b is the logit of class `positive` against `1 - positive`
 * (nclass is 2).
 */
struct linmodel {
	enum model_kind kind;
	size_t nclass, dim, nout;
	int positive;
	double *w;
};

/*
 * --lambda auto: the L2 strengths an inner CV tried, largest first, and what each gave
 * out of fold.  Owns its arrays (lampath_release).
 */
struct lampath {
	size_t n;          /* 0: lambda was given */
	int metric;        /* the decision metric (decision.h) it was chosen by, or -1: log loss */
	double *lambda, *log_loss, *score; /* n each; score: the metric, or the log loss */
	size_t chosen;
};

void lampath_release(struct lampath *p);

struct trainresult {
	double objective;  /* J at the returned weights */
	double gnorm;      /* ||grad J||_inf there */
	double seconds;
	int iterations;
	int converged;     /* 1 only when the stopping test on the gradient was met */
};

/*
 * The parameters that act on untransformed features: EFF (nparams values) gets
 * w_j * scale_j and b + sum_j w_j * shift_j, so that a model trained with col_scale
 * and col_shift scores raw rows.
 */
void linmodel_affine(const struct linmodel *m, const double *params, const double *scale,
                     const double *shift, double *eff);

/* Number of parameters (nout * (dim + 1)). */
size_t linmodel_nparams(const struct linmodel *m);
/* Allocates m->w (zeroed) for the given shape. */
void linmodel_init(struct linmodel *m, enum model_kind kind, size_t nclass, size_t dim, int positive);
void linmodel_release(struct linmodel *m);

/* Class probabilities (nclass values, class order) for one encoded row x[dim]. */
void linmodel_predict(const struct linmodel *m, const double *x, double *prob);
/* The same for a float row. */
void linmodel_predict_f(const struct linmodel *m, const float *x, double *prob);
/* The nout logits of row x (logistic: the one logit of class `positive`). */
void linmodel_logits(const struct linmodel *m, const double *x, double *z);
/*
 * Turns the nout logits at the start of PROB (nclass values) into the class
 * probabilities, in place.
 */
void linmodel_probs(const struct linmodel *m, double *prob);

/*
 * J and its gradient at params (layout of linmodel.w), for set S under options O;
 * grad may be NULL.  Used by the solvers and by the tests.
 */
double objective(const struct trainset *s, const struct trainopts *o, const struct linmodel *shape,
                 const double *params, double *grad);

/* The same by the fast float pass with kernel KERN (kernel.h), or exactly when NULL. */
struct kernel;
double objective_by(const struct trainset *s, const struct trainopts *o,
                    const struct linmodel *shape, const double *params, double *grad,
                    const struct kernel *kern);

/* Trains M (already shaped by linmodel_init) on S.  Returns 0, or -1 with E filled. */
int train(const struct trainset *s, const struct trainopts *o, struct linmodel *m,
          struct trainresult *r, struct ferr *e);

/*
 * Per-row losses (loss.c).  Binary: logit z, target t in {0,1}, weight a applied as is;
 * returns the loss and sets *dz to d loss / d z.  Stable for |z| up to 1e3 and gamma in [0, 5].
 */
double focal_binary(double z, int t, double gamma, double *dz);
/* Softmax: k logits z, true class y; returns the loss, fills dz[k] (may be NULL). */
double focal_softmax(const double *z, size_t k, size_t y, double gamma, double *dz);

/*
 * The same for N rows at once, with vmath's exp and log over the whole set (the fast
 * pass): Z holds n rows of K logits (K = 1: logistic, the logit of class POSITIVE) and
 * gets d loss / d z in their place; LOSS gets the n losses; TMP holds n (k + 6) doubles.
 */
void focal_rows(double *z, size_t n, size_t k, const uint32_t *y, int positive, double gamma,
                double *loss, double *tmp);

#endif
