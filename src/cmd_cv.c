/*
 * cmd_cv.c: focal cv: stratified k-fold cross-validation of several configurations on
 * the same folds (SPEC "Cross-validation and comparing losses").
 *
 * The data are read and encoded once by data_load_train.  Every (repeat, fold,
 * configuration) is one task, and the tasks share the encoded block:
 *
 * - folds: per repeat, each class's rows are shuffled and dealt round-robin with one
 *   counter running through the classes in class order, so each class splits as evenly
 *   as it can across the folds, and so do the fold sizes;
 * - imputation per fold without a copy: the reader lists where numeric values were
 *   missing (dataset.miss_*), and the fit (trainset.miss_*, col_fill) and the scoring put
 *   the mean of the fold's training rows in at those places as they read the rows;
 * - standardisation per fold without a copy: the trainset gets col_scale/col_shift that
 *   turn the globally standardised numeric columns into columns standardised with the
 *   mean and population sd of the fold's training rows (one-hot columns untouched); the
 *   test rows are scored with the equivalent raw-row parameters (linmodel_affine);
 * - sampling without a copy: over, under and over+under become per-row multiplicities
 *   in the row weights (0 for test rows and for rows under-sampling leaves out; train()
 *   skips rows of weight 0), which gives the objective of the duplicated rows exactly;
 *   SMOTE has to make new rows, so it alone copies the fold's training rows;
 * - the tasks run on a pool of --threads threads taking them from a shared counter,
 *   each writing only its own result slot, and each fit runs on one thread.  Every
 *   random choice is seeded from --seed and what it is for (the repeat's folds; a
 *   fold's sampling kind and ratio; a fold's sgd/adam shuffles), never from the order
 *   in which tasks run, so the output is the same for any --threads.  Configurations
 *   that sample alike draw the same rows (a sharper paired comparison), and a
 *   configuration gets the same figures whatever else is on the command line.
 *
 * Departures from a pipeline refitted on each fold (for the man page):
 * - SMOTE's neighbours are searched in the globally standardised space;
 * - with sgd/adam an epoch walks all rows, those of weight 0 doing nothing, so a
 *   mini-batch holds about (k-1)/k of --batch-size training rows.
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sample.h"
#include "score.h"
#include "weights.h"
#include "train.h"

static const char cmd[] = "cv";

/* The figures of a fold, in output order. */
enum { MET_MACRO_F1, MET_BALANCED_ACCURACY, MET_MCC, MET_GMEAN, NMETRIC };
static const char *const metric_key[NMETRIC] = { "macro_f1", "balanced_accuracy", "mcc",
	                                             "gmean" };
static const char *const metric_title[NMETRIC] = { "macro F1", "balanced acc", "MCC",
	                                               "G-mean" };

enum model_choice { CHOOSE_AUTO, CHOOSE_LOGISTIC, CHOOSE_SOFTMAX };
static const char *const model_words[] = { "auto", "logistic", "softmax" };

/* What a seed is derived for. */
enum { SEED_FOLDS = 1, SEED_SAMPLE, SEED_SOLVER };


/* Values of a list option, in command-line order. */
struct numlist {
	double *v;
	size_t n;
};

struct cvargs {
	long k, repeat;
	const char *positive;
	const char *save_folds; /* --save-folds FILE, or NULL */
	int have_lr, progress, metric, smote_k;
	int have_alpha, have_class_weight;
	uint64_t given;                     /* CLI_OPT_BIT of each long option given */
	struct numlist loss, model, sample; /* enum values */
	struct numlist gamma, ratio, lambda;
	struct weighting *wt;
	size_t nwt;
	enum outfmt fmt;
	struct trainopts t;
	struct readopts r;
};

/* One configuration: a point of the grid of the list options. */
struct config {
	enum model_choice choice;
	enum model_kind kind;
	int positive;
	enum loss_kind loss;
	double gamma;       /* NAN for ce */
	const struct weighting *wt;
	enum sample_kind sample;
	double ratio;       /* NAN without sampling */
	double lambda;      /* NAN: 1 / training rows after sampling */
	char *name;
};

/* One fold of one repeat: its test rows per class and its re-standardisation. */
struct foldinfo {
	size_t *test_count; /* nclass */
	size_t ntest;
	double *scale, *shift; /* dim each; NULL with --no-standardize */
	double *fill;          /* dim: a missing value's stand-in; NULL when none is missing */
};

/* What one task (repeat, fold, configuration) found. */
struct result {
	double metric[NMETRIC];
	double *recall, *f1;   /* nclass each */
	double objective, lambda;
	size_t train_rows;     /* rows of the training part after sampling */
	int iterations, converged;
	char *error;           /* set when the task failed */
	int status;
};

/* Means and standard deviations over the folds of one configuration. */
struct summary {
	double mean[NMETRIC], sd[NMETRIC];
	double *recall_mean, *recall_sd, *f1_mean, *f1_sd; /* nclass each */
	double delta_mean, delta_sd; /* sort metric minus the baseline's, fold by fold */
};

/* Everything the tasks read, and the pool's counter. */
struct cvrun {
	const struct cvargs *a;
	const struct schema *s;
	const struct dataset *d;
	const struct config *cfg;
	size_t ncfg, nfold;
	const uint32_t *fold;       /* repeat r: fold[r * n + i] is row i's test fold */
	const struct foldinfo *fi;  /* repeat r, fold f: fi[r * nfold + f] */
	struct result *res;         /* task t = (r * nfold + f) * ncfg + c */
	size_t ntasks;
	pthread_mutex_t lock;
	size_t next, done;          /* under lock */
	int stop, progress;         /* stop: a task failed, take no more */
};

/* ---- options ---- */

static void numlist_add(struct numlist *l, double v)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = v;
}

static int numlist_has(const struct numlist *l, double v)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return 1;
	return 0;
}

/*
 * Adds the comma-separated numbers of ARG to L: each in [lo, hi], above LO when
 * OPEN_LO, below HI when OPEN_HI, and not given before.  0, or -1 after a usage error.
 */
static int add_numbers(struct numlist *l, const char *opt, const char *arg, double lo, double hi,
                       int open_lo, int open_hi)
{
	size_t i, n;
	char **items = split_list(arg, &n);
	double v;
	int rc = -1;

	for (i = 0; i < n; i++) {
		if (cli_double(cmd, opt, items[i], lo, hi, &v) != 0)
			goto out;
		if (open_lo && open_hi && (v <= lo || v >= hi)) {
			cli_usage_error(cmd, "%s: '%s' must lie strictly between %g and %g", opt,
			                items[i], lo, hi);
			goto out;
		}
		if (open_lo && v <= lo) {
			cli_usage_error(cmd, "%s: '%s' must be above %g", opt, items[i], lo);
			goto out;
		}
		if (numlist_has(l, v)) {
			cli_usage_error(cmd, "%s: '%s' is given twice", opt, items[i]);
			goto out;
		}
		numlist_add(l, v);
	}
	rc = 0;
out:
	strv_free(items, n);
	return rc;
}

/* The value of WORD for the word-valued list option OPT, or -1. */
static int choice_value(int opt, const char *word)
{
	enum sample_kind k;
	size_t i;

	switch (opt) {
	case OPT_LOSS:
		return strcmp(word, "ce") == 0 ? LOSS_CE : strcmp(word, "focal") == 0 ? LOSS_FOCAL : -1;
	case OPT_MODEL:
		for (i = 0; i < sizeof model_words / sizeof model_words[0]; i++)
			if (strcmp(word, model_words[i]) == 0)
				return (int)i;
		return -1;
	case OPT_SAMPLE:
		return sample_parse(word, &k) == 0 ? (int)k : -1;
	}
	return -1;
}

/* Adds the comma-separated words of ARG (option OPT) to L. */
static int add_choices(struct numlist *l, int opt, const char *arg)
{
	static const struct {
		int opt;
		const char *name, *choices;
	} info[] = {
		{ OPT_LOSS, "--loss", "ce, focal" },
		{ OPT_MODEL, "--model", "logistic, softmax, auto" },
		{ OPT_SAMPLE, "--sample", "none, over, under, smote, over+under" },
	};
	size_t i, n, which = 0;
	char **items = split_list(arg, &n);
	int v, rc = -1;

	while (info[which].opt != opt)
		which++;
	for (i = 0; i < n; i++) {
		v = choice_value(opt, items[i]);
		if (v < 0) {
			cli_usage_error(cmd, "%s: '%s' is not one of %s", info[which].name, items[i],
			                info[which].choices);
			goto out;
		}
		if (numlist_has(l, v)) {
			cli_usage_error(cmd, "%s: '%s' is given twice", info[which].name, items[i]);
			goto out;
		}
		numlist_add(l, v);
	}
	rc = 0;
out:
	strv_free(items, n);
	return rc;
}

static struct weighting *add_weighting(struct cvargs *a, enum weight_kind kind, char *text)
{
	struct weighting *w;

	a->wt = xreallocarray(a->wt, a->nwt + 1, sizeof *a->wt);
	w = &a->wt[a->nwt++];
	memset(w, 0, sizeof *w);
	w->kind = kind;
	w->text = text;
	return w;
}

/*
 * --class-weight ARG: none, balanced, or LABEL=W items; adjacent LABEL=W items make one
 * weighting.  The labels and weights are checked once the data are read.
 */
static int add_class_weights(struct cvargs *a, const char *arg)
{
	size_t i, j, n, first = a->nwt;
	char **items = split_list(arg, &n);
	int in_spec = 0, rc = -1;

	for (i = 0; i < n; i++) {
		const char *it = items[i];

		if (strchr(it, '=')) {
			if (in_spec) {
				struct weighting *w = &a->wt[a->nwt - 1];
				size_t len = strlen(w->text);

				w->text = xrealloc(w->text, len + strlen(it) + 2);
				w->text[len] = ',';
				strcpy(w->text + len + 1, it);
			} else {
				add_weighting(a, WEIGHT_LABELS, xstrdup(it));
			}
			in_spec = 1;
			continue;
		}
		in_spec = 0;
		if (strcmp(it, "none") == 0)
			add_weighting(a, WEIGHT_NONE, xstrdup(it));
		else if (strcmp(it, "balanced") == 0)
			add_weighting(a, WEIGHT_BALANCED, xstrdup(it));
		else {
			cli_usage_error(cmd, "--class-weight: '%s' is not none, balanced or LABEL=W", it);
			goto out;
		}
	}
	for (i = first; i < a->nwt; i++)
		for (j = 0; j < i; j++)
			if (strcmp(a->wt[i].text, a->wt[j].text) == 0) {
				cli_usage_error(cmd, "--class-weight: '%s' is given twice", a->wt[i].text);
				goto out;
			}
	rc = 0;
out:
	strv_free(items, n);
	return rc;
}

static int add_alphas(struct cvargs *a, const char *arg)
{
	struct numlist l = { NULL, 0 };
	size_t i;
	char buf[64];

	for (i = 0; i < a->nwt; i++)
		numlist_add(&l, a->wt[i].alpha);
	i = l.n;
	if (add_numbers(&l, "--alpha", arg, 0, 1, 1, 1) != 0) {
		free(l.v);
		return -1;
	}
	for (; i < l.n; i++) {
		snprintf(buf, sizeof buf, "alpha=%g", l.v[i]);
		add_weighting(a, WEIGHT_ALPHA, xstrdup(buf))->alpha = l.v[i];
	}
	free(l.v);
	return 0;
}

/* Reads the options into A; returns 0, 1 after printing the usage (-h), or -1 after a
 * usage error. */
static int parse_args(int argc, char **argv, struct cvargs *a)
{
	struct cli_getopt g;
	int ch, r, m;
	long v;

	cli_getopt_init(&g, &usage_cv);
	while ((ch = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		if (ch >= OPT_DROP && ch <= OPT_SAVE_FOLDS)
			a->given |= CLI_OPT_BIT(ch);
		r = cli_read_option(cmd, ch, optarg, &a->r);
		if (r == 0)
			r = cli_solver_option(cmd, ch, optarg, &a->t, &a->have_lr);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (ch) {
		case 'k':
			if (cli_long(cmd, "-k", optarg, 2, 1000000000, &a->k) != 0)
				return -1;
			break;
		case OPT_REPEAT:
			if (cli_long(cmd, "--repeat", optarg, 1, 10000, &a->repeat) != 0)
				return -1;
			break;
		case OPT_MODEL:
		case OPT_LOSS:
		case OPT_SAMPLE:
			if (add_choices(ch == OPT_MODEL ? &a->model : ch == OPT_LOSS ? &a->loss : &a->sample,
			                ch, optarg) != 0)
				return -1;
			break;
		case OPT_GAMMA:
			if (add_numbers(&a->gamma, "--gamma", optarg, 0, 20, 0, 0) != 0)
				return -1;
			break;
		case OPT_ALPHA:
			a->have_alpha = 1;
			if (add_alphas(a, optarg) != 0)
				return -1;
			break;
		case OPT_CLASS_WEIGHT:
			a->have_class_weight = 1;
			if (add_class_weights(a, optarg) != 0)
				return -1;
			break;
		case OPT_POSITIVE:
			a->positive = optarg;
			break;
		case OPT_LAMBDA:
			if (add_numbers(&a->lambda, "--lambda", optarg, 0, 1e6, 0, 0) != 0)
				return -1;
			break;
		case OPT_SAMPLE_RATIO:
			if (add_numbers(&a->ratio, "--sample-ratio", optarg, 0, 1, 1, 0) != 0)
				return -1;
			break;
		case OPT_SMOTE_K:
			if (cli_long(cmd, "--smote-k", optarg, 1, 1000, &v) != 0)
				return -1;
			a->smote_k = (int)v;
			break;
		case OPT_SAVE_FOLDS:
			a->save_folds = optarg;
			break;
		case OPT_METRIC:
			for (m = 0; m < NMETRIC && strcmp(optarg, metric_key[m]) != 0; m++)
				continue;
			if (m == NMETRIC)
				return cli_usage_error(cmd, "--metric: '%s' is not one of macro_f1, "
				                       "balanced_accuracy, mcc, gmean", optarg), -1;
			a->metric = m;
			break;
		case OPT_FORMAT:
			if (cli_format(cmd, optarg, &a->fmt) != 0)
				return -1;
			break;
		case OPT_PROGRESS:
			a->progress = 1;
			break;
		case 'q':
			cli_quiet = 1;
			break;
		case 'h':
			cli_usage_write(stdout, &usage_cv);
			return 1;
		default:
			cli_bad_option(cmd, argv, g.longopts);
			return -1;
		}
	}
	return 0;
}

/* Checks the single-valued words and fills the lists' defaults. */
static int check_choices(struct cvargs *a)
{
	if (a->k == 0)
		return cli_usage_error(cmd, "-k K (the number of folds) is required");
	if (a->have_alpha && a->have_class_weight)
		return cli_usage_error(cmd, "--alpha and --class-weight cannot be used together");
	cli_solver_defaults(&a->t, a->have_lr);
	if (a->loss.n == 0)
		numlist_add(&a->loss, LOSS_CE);
	if (a->model.n == 0)
		numlist_add(&a->model, CHOOSE_AUTO);
	if (a->sample.n == 0)
		numlist_add(&a->sample, SAMPLE_NONE);
	if (a->gamma.n == 0)
		numlist_add(&a->gamma, 2);
	if (a->ratio.n == 0)
		numlist_add(&a->ratio, 1);
	if (a->nwt == 0)
		add_weighting(a, WEIGHT_NONE, xstrdup("none"));
	return 0;
}

/*
 * Warns about each option given that no configuration of the grid uses (after
 * check_choices has filled the lists).
 */
static void warn_no_effect(const struct cvargs *a)
{
	static const struct {
		int opt;
		const char *name;
	} stochastic[] = {
		{ OPT_EPOCHS, "--epochs" }, { OPT_BATCH_SIZE, "--batch-size" }, { OPT_LR, "--lr" },
	};
	size_t i;
	int sampled = 0;

	for (i = 0; i < a->sample.n; i++)
		sampled |= a->sample.v[i] != SAMPLE_NONE;
	if ((a->given & CLI_OPT_BIT(OPT_GAMMA)) && !numlist_has(&a->loss, LOSS_FOCAL))
		cli_no_effect("--gamma", "with --loss ce");
	if ((a->given & CLI_OPT_BIT(OPT_SAMPLE_RATIO)) && !sampled)
		cli_no_effect("--sample-ratio", "with --sample none");
	if ((a->given & CLI_OPT_BIT(OPT_SMOTE_K)) && !numlist_has(&a->sample, SAMPLE_SMOTE))
		cli_no_effect("--smote-k", "without --sample smote");
	for (i = 0; i < sizeof stochastic / sizeof stochastic[0]; i++)
		if ((a->given & CLI_OPT_BIT(stochastic[i].opt)) && a->t.solver == SOLVER_LBFGS)
			cli_no_effect(stochastic[i].name, "with --solver lbfgs");
	if ((a->given & CLI_OPT_BIT(OPT_MAX_ITER)) && a->t.solver != SOLVER_LBFGS)
		cli_no_effect("--max-iter", a->t.solver == SOLVER_SGD ? "with --solver sgd (see --epochs)"
		                                                     : "with --solver adam (see --epochs)");
	/* cv reports every class alike: the positive class matters only to --alpha */
	if ((a->given & CLI_OPT_BIT(OPT_POSITIVE)) && !a->have_alpha)
		cli_no_effect("--positive", "without --alpha");
}

static void cvargs_release(struct cvargs *a)
{
	size_t i;

	for (i = 0; i < a->nwt; i++)
		weighting_release(&a->wt[i]);
	free(a->wt);
	free(a->loss.v);
	free(a->model.v);
	free(a->sample.v);
	free(a->gamma.v);
	free(a->ratio.v);
	free(a->lambda.v);
}

/* ---- configurations ---- */

/* Checks the weightings against the classes of S (as train does). */
static int resolve_weights(struct cvargs *a, const struct schema *s, struct ferr *e)
{
	size_t i, j;

	for (i = 0; i < a->nwt; i++) {
		if (weighting_resolve(&a->wt[i], s, e) != 0)
			return -1;
		/* the same class weights written in another order are the same weighting */
		for (j = 0; j < i && a->wt[i].kind == WEIGHT_LABELS; j++)
			if (a->wt[j].kind == WEIGHT_LABELS &&
			    memcmp(a->wt[i].w, a->wt[j].w, s->nclass * sizeof *a->wt[i].w) == 0)
				return ferr_usage(e, "--class-weight: '%s' gives the same weights as '%s'",
				                  a->wt[i].text, a->wt[j].text);
	}
	return 0;
}

/* Appends the printf-formatted text to *S (a string of *LEN bytes, or NULL). */
static void append(char **s, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*s = xrealloc(*s, *len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(*s + *len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
}

/*
 * The name of configuration C: the loss, then what is not a default or varies, e.g.
 * "focal g=2 balanced over r=0.5 lambda=0.01 softmax".  Caller frees.
 */
static char *config_name(const struct cvargs *a, const struct config *c)
{
	char *s = NULL;
	size_t len = 0;

	append(&s, &len, "%s", c->loss == LOSS_FOCAL ? "focal" : "ce");
	if (c->loss == LOSS_FOCAL)
		append(&s, &len, " g=%g", c->gamma);
	if (c->wt->kind != WEIGHT_NONE)
		append(&s, &len, " %s", c->wt->text);
	if (c->sample != SAMPLE_NONE) {
		append(&s, &len, " %s", sample_name(c->sample));
		if (a->ratio.n > 1 || c->ratio != 1)
			append(&s, &len, " r=%g", c->ratio);
	}
	if (!isnan(c->lambda))
		append(&s, &len, " lambda=%g", c->lambda);
	if (c->choice != CHOOSE_AUTO)
		append(&s, &len, " %s", model_words[c->choice]);
	return s;
}

/*
 * Every configuration that means something: model x loss x gamma (focal only) x
 * weighting x sample x ratio (sampling only) x lambda, the first values first.
 */
static struct config *make_configs(const struct cvargs *a, const struct schema *s, int positive,
                                   size_t *ncfg, struct ferr *e)
{
	struct config *cfg = NULL, c;
	size_t im, il, ig, iw, is, ir, ix, n = 0;
	size_t nlambda = a->lambda.n ? a->lambda.n : 1;
	int seen[2] = { 0, 0 }; /* model kinds already in the list */

	for (im = 0; im < a->model.n; im++) {
		memset(&c, 0, sizeof c);
		c.choice = (enum model_choice)a->model.v[im];
		c.kind = s->nclass == 2 ? MODEL_LOGISTIC : MODEL_SOFTMAX;
		if (c.choice == CHOOSE_SOFTMAX)
			c.kind = MODEL_SOFTMAX;
		if (c.choice == CHOOSE_LOGISTIC) {
			if (s->nclass != 2) {
				ferr_usage(e, "--model logistic needs two classes; the data has %zu",
				           s->nclass);
				goto fail;
			}
			c.kind = MODEL_LOGISTIC;
		}
		if (seen[c.kind]) {
			/* auto and softmax (or auto and logistic) would fit the same model twice */
			char msg[160];

			snprintf(msg, sizeof msg, "--model: '%s' fits the same %s model as an earlier "
			         "value; counted once", model_words[c.choice],
			         c.kind == MODEL_LOGISTIC ? "logistic" : "softmax");
			cli_warn(msg);
			continue;
		}
		seen[c.kind] = 1;
		c.positive = positive;
		for (il = 0; il < a->loss.n; il++) {
			c.loss = (enum loss_kind)a->loss.v[il];
			for (ig = 0; ig < (c.loss == LOSS_FOCAL ? a->gamma.n : 1); ig++) {
				c.gamma = c.loss == LOSS_FOCAL ? a->gamma.v[ig] : NAN;
				for (iw = 0; iw < a->nwt; iw++) {
					c.wt = &a->wt[iw];
					for (is = 0; is < a->sample.n; is++) {
						c.sample = (enum sample_kind)a->sample.v[is];
						for (ir = 0; ir < (c.sample != SAMPLE_NONE ? a->ratio.n : 1); ir++) {
							c.ratio = c.sample != SAMPLE_NONE ? a->ratio.v[ir] : NAN;
							for (ix = 0; ix < nlambda; ix++) {
								c.lambda = a->lambda.n ? a->lambda.v[ix] : NAN;
								cfg = xreallocarray(cfg, n + 1, sizeof *cfg);
								cfg[n] = c;
								cfg[n++].name = config_name(a, &c);
							}
						}
					}
				}
			}
		}
	}
	*ncfg = n;
	return cfg;
fail:
	for (im = 0; im < n; im++)
		free(cfg[im].name);
	free(cfg);
	return NULL;
}

/* ---- folds ---- */

/* splitmix64's finaliser: a well-mixed 64-bit hash of X. */
static uint64_t mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* The seed of use WHAT (SEED_*) in repeat R, fold F, with DETAIL, from --seed. */
static uint64_t derive_seed(uint64_t seed, uint64_t what, uint64_t r, uint64_t f, uint64_t detail)
{
	uint64_t h = mix64(seed);

	h = mix64(h ^ what);
	h = mix64(h ^ r);
	h = mix64(h ^ f);
	return mix64(h ^ detail);
}


/*
 * Stratified folds of repeat R: each class's rows shuffled, then dealt with one counter
 * running through the classes in class order (fold = t++ % k).  FOLD gets n entries.
 */
static void make_folds(const struct dataset *d, size_t nclass, size_t k, uint64_t seed, size_t r,
                       uint32_t *fold)
{
	size_t *off = xcalloc(nclass + 1, sizeof *off), *fill = xcalloc(nclass, sizeof *fill);
	size_t *idx = xmalloc((d->n ? d->n : 1) * sizeof *idx), i, c, t = 0;
	struct rng rng;

	for (c = 0; c < nclass; c++)
		off[c + 1] = off[c] + d->count[c];
	for (i = 0; i < d->n; i++)
		idx[off[d->y[i]] + fill[d->y[i]]++] = i;
	rng_seed(&rng, derive_seed(seed, SEED_FOLDS, r, 0, 0));
	for (c = 0; c < nclass; c++)
		rng_shuffle(&rng, idx + off[c], d->count[c]);
	for (i = 0; i < d->n; i++)
		fold[idx[i]] = (uint32_t)(t++ % k);
	free(off);
	free(fill);
	free(idx);
}

/*
 * Test counts of the K folds of one repeat, and each fold's imputation and
 * re-standardisation, as data.c fits them on a training file.  For a numeric design
 * column, the mean m of the training rows' values read from the file (stored already
 * globally standardised) is the fold's fill for the missing ones, and with their
 * population sd s gives scale 1/s and shift -m/s, so the column enters the model
 * imputed and standardised on the training rows alone.  A column (nearly) constant on
 * the training rows gets scale 1 and shift -m, as data.c treats a constant column.  The
 * sums are taken per fold around CENTER (the whole column's mean), once per repeat; a
 * fold's training sums are the other folds' sums added in fold order.
 */
static void fold_infos(const struct dataset *d, const struct schema *s, const uint32_t *fold,
                       size_t k, int standardize, const double *center, struct foldinfo *fi)
{
	size_t nclass = s->nclass, dim = d->dim, i, j, f, g, t, ncol = 0;
	size_t *col = xmalloc((s->nfeat ? s->nfeat : 1) * sizeof *col);
	size_t *num = xmalloc((dim ? dim : 1) * sizeof *num), *cnt;
	double *s1, *s2;

	for (f = 0; f < k; f++) {
		fi[f].test_count = xcalloc(nclass, sizeof *fi[f].test_count);
		fi[f].ntest = 0;
	}
	for (i = 0; i < d->n; i++) {
		fi[fold[i]].test_count[d->y[i]]++;
		fi[fold[i]].ntest++;
	}
	if (!standardize && !d->miss_off) {
		free(col);
		free(num);
		return;
	}
	for (j = 0; j < s->nfeat; j++)
		if (!s->feat[j].categorical) {
			num[s->feat[j].offset] = ncol;
			col[ncol++] = s->feat[j].offset;
		}
	s1 = xcalloc(k * ncol + 1, sizeof *s1);
	s2 = xcalloc(k * ncol + 1, sizeof *s2);
	cnt = xcalloc(k * ncol + 1, sizeof *cnt);
	for (i = 0; i < d->n; i++) {
		const float *row = d->x + i * dim;
		double *a1 = s1 + fold[i] * ncol, *a2 = s2 + fold[i] * ncol, v;
		size_t *c = cnt + fold[i] * ncol;

		for (j = 0; j < ncol; j++) {
			v = (double)row[col[j]] - center[j];
			a1[j] += v;
			a2[j] += v * v;
			c[j]++;
		}
		if (d->miss_off) /* take the imputed values out again */
			for (t = d->miss_off[i]; t < d->miss_off[i + 1]; t++) {
				j = num[d->miss_col[t]];
				v = (double)row[col[j]] - center[j];
				a1[j] -= v;
				a2[j] -= v * v;
				c[j]--;
			}
	}
	for (f = 0; f < k; f++) {
		if (standardize) {
			fi[f].scale = xmalloc((dim ? dim : 1) * sizeof *fi[f].scale);
			fi[f].shift = xmalloc((dim ? dim : 1) * sizeof *fi[f].shift);
			for (j = 0; j < dim; j++) {
				fi[f].scale[j] = 1;
				fi[f].shift[j] = 0;
			}
		}
		if (d->miss_off)
			fi[f].fill = xcalloc(dim ? dim : 1, sizeof *fi[f].fill);
		for (j = 0; j < ncol; j++) {
			double t1 = 0, t2 = 0, dev, var, m, sd;
			size_t ntr = 0;

			for (g = 0; g < k; g++)
				if (g != f) {
					t1 += s1[g * ncol + j];
					t2 += s2[g * ncol + j];
					ntr += cnt[g * ncol + j];
				}
			dev = ntr ? t1 / (double)ntr : 0;
			var = ntr ? t2 / (double)ntr - dev * dev : 0;
			m = center[j] + dev;
			sd = var > 0 ? sqrt(var) : 0;
			if (fi[f].fill)
				fi[f].fill[col[j]] = m;
			if (!standardize)
				continue;
			/* Rounding leaves a constant column an sd of ~1e-11 |m|, not 0. */
			if (sd > 1e-9 * fabs(m)) {
				fi[f].scale[col[j]] = 1 / sd;
				fi[f].shift[col[j]] = -m / sd;
			} else {
				fi[f].shift[col[j]] = -m;
			}
		}
	}
	free(s1);
	free(s2);
	free(cnt);
	free(col);
	free(num);
}

/* --save-folds: "line,repeat,fold" for every row of every repeat, rows in file order. */
static void write_folds(FILE *fp, const struct dataset *d, const uint32_t *fold, size_t repeat)
{
	size_t r, i;

	fputs("line,repeat,fold\n", fp);
	for (r = 0; r < repeat; r++)
		for (i = 0; i < d->n; i++)
			fprintf(fp, "%lu,%zu,%lu\n", d->line[i], r + 1,
			        (unsigned long)fold[r * d->n + i] + 1);
}

/* Means of the numeric design columns over all rows (the centre of fold_infos' sums). */
static double *column_means(const struct dataset *d, const struct schema *s)
{
	double *center = xcalloc(s->nfeat + 1, sizeof *center);
	size_t i, j, ncol;

	for (i = 0; i < d->n; i++)
		for (j = 0, ncol = 0; j < s->nfeat; j++)
			if (!s->feat[j].categorical)
				center[ncol++] += d->x[i * d->dim + s->feat[j].offset];
	for (j = 0, ncol = 0; j < s->nfeat; j++)
		if (!s->feat[j].categorical) {
			center[ncol] = d->n ? center[ncol] / (double)d->n : 0;
			ncol++;
		}
	return center;
}

/* ---- one task ---- */

/*
 * Row weights of the training part of fold F after sampling with KIND and RATIO, as
 * multiplicities: 0 for the test rows and the rows under-sampling leaves out (a uniform
 * subset of each class is kept), 1 plus the extra copies over-sampling draws (uniformly,
 * with replacement, among the class's kept rows); times the --weight row weight.  AFTER
 * gets the rows per class after sampling (sample_targets of the training counts), *TOTAL
 * the sum of the multiplicities (the same number of rows, counted from the weights).
 */
static double *multiplicities(const struct dataset *d, size_t nclass, const uint32_t *fold,
                              uint32_t f, enum sample_kind kind, double ratio, uint64_t seed,
                              size_t *after, size_t *total)
{
	double *mult = xcalloc(d->n + 1, sizeof *mult);
	size_t *count = xcalloc(nclass, sizeof *count), *off = xcalloc(nclass + 1, sizeof *off);
	size_t *fill = xcalloc(nclass, sizeof *fill), *rows, i, c, keep;
	struct rng rng;

	for (i = 0; i < d->n; i++)
		if (fold[i] != f)
			count[d->y[i]]++;
	sample_targets(count, nclass, kind, ratio, after);
	for (c = 0; c < nclass; c++)
		off[c + 1] = off[c] + count[c];
	rows = xmalloc((off[nclass] ? off[nclass] : 1) * sizeof *rows);
	for (i = 0; i < d->n; i++)
		if (fold[i] != f)
			rows[off[d->y[i]] + fill[d->y[i]]++] = i;
	rng_seed(&rng, seed);
	for (c = 0; c < nclass; c++) {
		size_t *rc = rows + off[c], m = count[c];

		keep = m;
		if (after[c] < m) {
			/* under: a uniform subset of after[c] rows (partial Fisher-Yates) */
			for (i = 0; i < after[c]; i++) {
				size_t j = i + (size_t)rng_below(&rng, m - i), t = rc[i];

				rc[i] = rc[j];
				rc[j] = t;
			}
			keep = after[c];
		}
		for (i = 0; i < keep; i++)
			mult[rc[i]] = 1;
		for (i = keep; i < after[c]; i++) /* over: extra copies */
			mult[rc[rng_below(&rng, keep)]] += 1;
	}
	*total = 0;
	for (i = 0; i < d->n; i++) {
		*total += (size_t)mult[i];
		if (d->roww)
			mult[i] *= d->roww[i];
	}
	free(count);
	free(off);
	free(fill);
	free(rows);
	return mult;
}

/* Row I of D as doubles into X, its missing values replaced with FILL (when not NULL). */
static void fold_row(const struct dataset *d, size_t i, const double *fill, double *x)
{
	size_t j;

	for (j = 0; j < d->dim; j++)
		x[j] = d->x[i * d->dim + j];
	if (fill && d->miss_off)
		for (j = d->miss_off[i]; j < d->miss_off[i + 1]; j++)
			x[d->miss_col[j]] = fill[d->miss_col[j]];
}

/*
 * The training rows of fold F copied into PART (for SMOTE: the only copy cv makes),
 * their missing values replaced with FILL.
 */
static void training_copy(const struct dataset *d, size_t nclass, const uint32_t *fold,
                          uint32_t f, size_t ntest, const double *fill, struct dataset *part)
{
	size_t i, j, m = 0, ntr = d->n - ntest;
	double *xd = xcalloc(d->dim + 1, sizeof *xd);

	memset(part, 0, sizeof *part);
	part->dim = d->dim;
	part->x = xreallocarray(NULL, ntr ? ntr : 1, (d->dim ? d->dim : 1) * sizeof *part->x);
	part->y = xcalloc(ntr + 1, sizeof *part->y);
	part->roww = d->roww ? xcalloc(ntr + 1, sizeof *part->roww) : NULL;
	part->count = xcalloc(nclass, sizeof *part->count);
	for (i = 0; i < d->n; i++) {
		if (fold[i] == f)
			continue;
		fold_row(d, i, fill, xd);
		for (j = 0; j < d->dim; j++)
			part->x[m * d->dim + j] = (float)xd[j];
		part->y[m] = d->y[i];
		if (d->roww)
			part->roww[m] = d->roww[i];
		part->count[d->y[i]]++;
		m++;
	}
	part->n = m;
	free(xd);
}


/* Trains configuration c on the training part of (repeat r, fold f) and scores its test part. */
static int run_task(const struct cvrun *run, size_t t, struct result *out, struct ferr *e)
{
	const struct cvargs *a = run->a;
	const struct dataset *d = run->d;
	size_t nclass = run->s->nclass, n = d->n, k = run->nfold, i, m = 0, ntrain = 0;
	size_t ci = t % run->ncfg, f = t / run->ncfg % k, r = t / run->ncfg / k;
	const struct config *cf = &run->cfg[ci];
	const uint32_t *fold = run->fold + r * n;
	const struct foldinfo *fi = &run->fi[r * k + f];
	struct dataset part, sampled;
	struct trainset ts;
	struct trainopts o;
	struct trainresult tr;
	struct linmodel lm, scorer;
	struct report rep;
	double *mult = NULL, *eff = NULL, *cw = xcalloc(nclass, sizeof *cw);
	double *prob = xcalloc(nclass, sizeof *prob);
	double *xrow = xcalloc(d->dim + 1, sizeof *xrow);
	size_t *after = xcalloc(nclass, sizeof *after);
	uint32_t *ytrue = xcalloc(fi->ntest + 1, sizeof *ytrue);
	uint32_t *ypred = xcalloc(fi->ntest + 1, sizeof *ypred);
	uint64_t ratio_bits = 0, sample_seed;
	int rc = -1;

	memset(&part, 0, sizeof part);
	memset(&sampled, 0, sizeof sampled);
	memset(&ts, 0, sizeof ts);
	memset(&lm, 0, sizeof lm);
	if (cf->sample != SAMPLE_NONE)
		memcpy(&ratio_bits, &cf->ratio, sizeof ratio_bits);
	sample_seed = derive_seed(a->t.seed, SEED_SAMPLE, r, f,
	                          mix64((uint64_t)cf->sample) ^ ratio_bits);
	ts.dim = d->dim;
	ts.nclass = nclass;
	ts.col_scale = fi->scale;
	ts.col_shift = fi->shift;
	if (cf->sample == SAMPLE_SMOTE) {
		struct sampleopts so;

		memset(&so, 0, sizeof so);
		so.kind = cf->sample;
		so.ratio = cf->ratio;
		so.smote_k = a->smote_k;
		so.seed = sample_seed;
		so.threads = 1;
		so.s = run->s;
		so.warn = NULL; /* warned once, before the tasks */
		training_copy(d, nclass, fold, (uint32_t)f, fi->ntest, fi->fill, &part);
		if (sample_dataset(&part, nclass, &so, &sampled, e) != 0)
			goto out;
		dataset_release(&part);
		ts.n = sampled.n;
		ts.x = sampled.x;
		ts.y = sampled.y;
		ts.roww = sampled.roww;
		memcpy(after, sampled.count, nclass * sizeof *after);
		ntrain = sampled.n;
	} else {
		mult = multiplicities(d, nclass, fold, (uint32_t)f, cf->sample,
		                      cf->sample != SAMPLE_NONE ? cf->ratio : 1, sample_seed, after,
		                      &ntrain);
		ts.n = n;
		ts.x = d->x;
		ts.y = d->y;
		ts.roww = mult;
		if (fi->fill) {
			ts.miss_off = d->miss_off;
			ts.miss_col = d->miss_col;
			ts.col_fill = fi->fill;
		}
	}
	weighting_apply(cf->wt, nclass, after, cf->positive, cw);

	o = a->t;
	o.model = cf->kind;
	o.loss = cf->loss;
	o.gamma = cf->loss == LOSS_FOCAL ? cf->gamma : 0;
	o.lambda = isnan(cf->lambda) ? 1.0 / (double)(ntrain ? ntrain : 1) : cf->lambda;
	o.class_weight = cw;
	o.positive = cf->positive;
	o.seed = derive_seed(a->t.seed, SEED_SOLVER, r, f, 0);
	o.threads = 1;
	o.progress = NULL;
	o.progress_ctx = NULL;
	linmodel_init(&lm, cf->kind, nclass, d->dim, cf->positive);
	if (train(&ts, &o, &lm, &tr, e) != 0)
		goto out;

	/* Score the test rows with the parameters that act on the stored features. */
	scorer = lm;
	if (fi->scale) {
		eff = xreallocarray(NULL, linmodel_nparams(&lm), sizeof *eff);
		linmodel_affine(&lm, lm.w, fi->scale, fi->shift, eff);
		scorer.w = eff;
	}
	for (i = 0; i < n; i++) {
		if (fold[i] != f)
			continue;
		fold_row(d, i, fi->fill, xrow);
		linmodel_predict(&scorer, xrow, prob);
		ytrue[m] = d->y[i];
		ypred[m++] = decide(prob, nclass, scorer.positive, 0.5);
	}
	metrics_compute(&rep, m, nclass, ytrue, ypred, NULL);
	out->metric[MET_MACRO_F1] = rep.macro.f1;
	out->metric[MET_BALANCED_ACCURACY] = rep.balanced_accuracy;
	out->metric[MET_MCC] = rep.mcc;
	out->metric[MET_GMEAN] = rep.gmean;
	out->recall = xcalloc(nclass, sizeof *out->recall);
	out->f1 = xcalloc(nclass, sizeof *out->f1);
	for (i = 0; i < nclass; i++) {
		out->recall[i] = rep.cls[i].recall;
		out->f1[i] = rep.cls[i].f1;
	}
	report_release(&rep);
	out->objective = tr.objective;
	out->lambda = o.lambda;
	out->iterations = tr.iterations;
	out->converged = tr.converged;
	out->train_rows = ntrain;
	rc = 0;
out:
	linmodel_release(&lm);
	dataset_release(&part);
	dataset_release(&sampled);
	free(mult);
	free(eff);
	free(cw);
	free(prob);
	free(xrow);
	free(after);
	free(ytrue);
	free(ypred);
	return rc;
}

/* ---- the pool ---- */

static void *worker(void *arg)
{
	struct cvrun *run = arg;
	struct ferr e;
	size_t t;
	int rc;

	for (;;) {
		pthread_mutex_lock(&run->lock);
		t = run->stop ? run->ntasks : run->next++;
		pthread_mutex_unlock(&run->lock);
		if (t >= run->ntasks)
			break;
		e.msg[0] = '\0';
		e.status = 1;
		rc = run_task(run, t, &run->res[t], &e);
		pthread_mutex_lock(&run->lock);
		if (rc != 0) {
			run->res[t].error = xstrdup(e.msg);
			run->res[t].status = e.status ? e.status : 1;
			run->stop = 1;
		}
		run->done++;
		if (run->progress)
			fprintf(stderr, "\rfocal: cv: %zu of %zu fits   ", run->done, run->ntasks);
		pthread_mutex_unlock(&run->lock);
	}
	return NULL;
}

/*
 * Runs every task on THREADS threads (the caller's one of them).  A failure stops the
 * hand-out; tasks are handed out in order, so every task before the first failing one
 * has run, and the error reported is that of the first failing task whatever the
 * thread count.
 */
static void run_pool(struct cvrun *run, int threads)
{
	pthread_t *tid;
	size_t nt = (size_t)(threads < 1 ? 1 : threads), i, started = 0;

	if (nt > run->ntasks)
		nt = run->ntasks ? run->ntasks : 1;
	tid = xcalloc(nt, sizeof *tid);
	pthread_mutex_init(&run->lock, NULL);
	for (i = 1; i < nt; i++)
		if (pthread_create(&tid[started], NULL, worker, run) == 0)
			started++;
	worker(run);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&run->lock);
	free(tid);
}

/* ---- summaries ---- */

/* Mean and sample standard deviation (n - 1) of X[0], X[stride], ... (n values). */
static void mean_sd(const double *x, size_t n, size_t stride, double *mean, double *sd)
{
	double s = 0, q = 0, m;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i * stride];
	m = n ? s / (double)n : NAN;
	for (i = 0; i < n; i++)
		q += (x[i * stride] - m) * (x[i * stride] - m);
	*mean = m;
	*sd = n > 1 ? sqrt(q / (double)(n - 1)) : NAN;
}

/* Fills SUM for each configuration from the results; NF folds in all (repeats x k). */
static void summarise(const struct cvrun *run, size_t nf, size_t nclass, int metric,
                      struct summary *sum)
{
	size_t c, f, i, mt, ncfg = run->ncfg;
	double *v = xcalloc(nf, sizeof *v);

	for (c = 0; c < ncfg; c++) {
		struct summary *s = &sum[c];

		for (mt = 0; mt < NMETRIC; mt++) {
			for (f = 0; f < nf; f++)
				v[f] = run->res[f * ncfg + c].metric[mt];
			mean_sd(v, nf, 1, &s->mean[mt], &s->sd[mt]);
		}
		s->recall_mean = xcalloc(nclass, sizeof *s->recall_mean);
		s->recall_sd = xcalloc(nclass, sizeof *s->recall_sd);
		s->f1_mean = xcalloc(nclass, sizeof *s->f1_mean);
		s->f1_sd = xcalloc(nclass, sizeof *s->f1_sd);
		for (i = 0; i < nclass; i++) {
			for (f = 0; f < nf; f++)
				v[f] = run->res[f * ncfg + c].recall[i];
			mean_sd(v, nf, 1, &s->recall_mean[i], &s->recall_sd[i]);
			for (f = 0; f < nf; f++)
				v[f] = run->res[f * ncfg + c].f1[i];
			mean_sd(v, nf, 1, &s->f1_mean[i], &s->f1_sd[i]);
		}
		for (f = 0; f < nf; f++)
			v[f] = run->res[f * ncfg + c].metric[metric] - run->res[f * ncfg].metric[metric];
		mean_sd(v, nf, 1, &s->delta_mean, &s->delta_sd);
	}
	free(v);
}

/* Configuration indices by the sort metric's mean, highest first, stable, NaN last. */
static size_t *sort_order(const struct summary *sum, size_t ncfg, int metric)
{
	size_t *order = xcalloc(ncfg + 1, sizeof *order), i, j;

	for (i = 0; i < ncfg; i++) {
		double x = sum[i].mean[metric];

		for (j = i; j > 0; j--) {
			double y = sum[order[j - 1]].mean[metric];

			if (!(isnan(y) && !isnan(x)) && !(x > y))
				break;
			order[j] = order[j - 1];
		}
		order[j] = i;
	}
	return order;
}

/* ---- output ---- */

/* What the tables and the JSON show. */
struct cvout {
	const struct cvargs *a;
	const struct schema *s;
	const struct cvrun *run;
	const struct summary *sum;
	const size_t *order;
	size_t nrows, nf;
	double seconds;
	int threads;
};

/* "0.612±0.071", or "-" when undefined. */
static void grid_mean_sd(struct grid *g, size_t row, size_t col, double mean, double sd)
{
	if (!isfinite(mean))
		grid_set(g, row, col, "-");
	else if (!isfinite(sd))
		grid_set(g, row, col, "%.3f", mean);
	else
		grid_set(g, row, col, "%.3f\xc2\xb1%.3f", mean, sd);
}

static void write_table(FILE *fp, const struct cvout *o)
{
	const struct cvargs *a = o->a;
	const struct config *cfg = o->run->cfg;
	size_t ncfg = o->run->ncfg, nclass = o->s->nclass, i, c, row;
	struct grid g;
	int mt;

	fprintf(fp, "%ld-fold cross-validation, %ld repeat%s, %zu rows, %zu configuration%s, "
	        "%zu fits; %.2f s wall on %d thread%s\n\n", a->k, a->repeat, a->repeat == 1 ? "" : "s",
	        o->nrows, ncfg, ncfg == 1 ? "" : "s", o->run->ntasks, o->seconds, o->threads,
	        o->threads == 1 ? "" : "s");
	grid_init(&g, ncfg + 1, NMETRIC + 3, 2);
	grid_set(&g, 0, 1, "configuration");
	for (mt = 0; mt < NMETRIC; mt++)
		grid_set(&g, 0, 2 + (size_t)mt, "%s", metric_title[mt]);
	grid_set(&g, 0, NMETRIC + 2, "diff");
	for (i = 0; i < ncfg; i++) {
		const struct summary *s = &o->sum[o->order[i]];

		if (i == 0)
			grid_set(&g, 1, 0, "*");
		grid_label(&g, i + 1, 1, cfg[o->order[i]].name);
		for (mt = 0; mt < NMETRIC; mt++)
			grid_mean_sd(&g, i + 1, 2 + (size_t)mt, s->mean[mt], s->sd[mt]);
		if (o->order[i] == 0)
			grid_set(&g, i + 1, NMETRIC + 2, "-");
		else
			grid_mean_sd(&g, i + 1, NMETRIC + 2, s->delta_mean, s->delta_sd);
	}
	grid_print(fp, &g);
	grid_release(&g);
	fprintf(fp, "\nmean\xc2\xb1sd over %zu folds, sorted by %s; *: best; diff: %s minus that of "
	        "the baseline '", o->nf, metric_title[a->metric], metric_title[a->metric]);
	esc_put(fp, cfg[0].name);
	fputs("' on the same folds\n", fp);
	if (a->have_alpha) {
		fputs("alpha=A weighs the positive class ", fp);
		table_label(fp, o->s->classes[cfg[0].positive]);
		fputs(" by A and the other by 1 - A\n", fp);
	}

	fputs("\nper class\n", fp);
	grid_init(&g, ncfg * nclass + 1, 4, 2);
	grid_set(&g, 0, 0, "configuration");
	grid_set(&g, 0, 1, "class");
	grid_set(&g, 0, 2, "recall");
	grid_set(&g, 0, 3, "F1");
	row = 1;
	for (i = 0; i < ncfg; i++) {
		const struct summary *s = &o->sum[o->order[i]];

		for (c = 0; c < nclass; c++, row++) {
			if (c == 0)
				grid_label(&g, row, 0, cfg[o->order[i]].name);
			grid_label(&g, row, 1, o->s->classes[c]);
			grid_mean_sd(&g, row, 2, s->recall_mean[c], s->recall_sd[c]);
			grid_mean_sd(&g, row, 3, s->f1_mean[c], s->f1_sd[c]);
		}
	}
	grid_print(fp, &g);
	grid_release(&g);
}

static const char *model_name(enum model_kind k)
{
	return k == MODEL_LOGISTIC ? "logistic" : "softmax";
}

static void write_tsv(FILE *fp, const struct cvout *o)
{
	size_t ncfg = o->run->ncfg, nclass = o->s->nclass, i, c;
	int mt;

	fputs("config\tloss\tgamma\tweight\tsample\tsample_ratio\tlambda\tmodel", fp);
	for (mt = 0; mt < NMETRIC; mt++)
		fprintf(fp, "\t%s_mean\t%s_sd", metric_key[mt], metric_key[mt]);
	for (c = 0; c < nclass; c++) {
		static const char *const part[] = { "\trecall_", "_mean", "\trecall_", "_sd",
			                                "\tf1_", "_mean", "\tf1_", "_sd" };
		size_t p;

		for (p = 0; p < 8; p += 2) {
			fputs(part[p], fp);
			tsv_label(fp, o->s->classes[c]);
			fputs(part[p + 1], fp);
		}
	}
	fputs("\tdelta_mean\tdelta_sd\n", fp);
	for (i = 0; i < ncfg; i++) {
		const struct config *cf = &o->run->cfg[o->order[i]];
		const struct summary *s = &o->sum[o->order[i]];

		tsv_label(fp, cf->name);
		fprintf(fp, "\t%s", cf->loss == LOSS_FOCAL ? "focal" : "ce");
		tsv_number(fp, cf->gamma);
		putc('\t', fp);
		tsv_label(fp, cf->wt->text);
		fprintf(fp, "\t%s", sample_name(cf->sample));
		tsv_number(fp, cf->ratio);
		tsv_number(fp, cf->lambda);
		fprintf(fp, "\t%s", model_name(cf->kind));
		for (mt = 0; mt < NMETRIC; mt++) {
			tsv_number(fp, s->mean[mt]);
			tsv_number(fp, s->sd[mt]);
		}
		for (c = 0; c < nclass; c++) {
			tsv_number(fp, s->recall_mean[c]);
			tsv_number(fp, s->recall_sd[c]);
			tsv_number(fp, s->f1_mean[c]);
			tsv_number(fp, s->f1_sd[c]);
		}
		tsv_number(fp, s->delta_mean);
		tsv_number(fp, s->delta_sd);
		putc('\n', fp);
	}
}

/* ,"KEY":X */
static void json_field(FILE *fp, const char *key, double x)
{
	fprintf(fp, ",\"%s\":", key);
	json_number(fp, x);
}

/* ,"KEY":{label:X[0],...} */
static void json_by_class(FILE *fp, const char *key, char *const *classes, size_t nclass,
                          const double *x)
{
	size_t c;

	fprintf(fp, ",\"%s\":{", key);
	for (c = 0; c < nclass; c++) {
		if (c)
			putc(',', fp);
		json_string(fp, classes[c]);
		putc(':', fp);
		json_number(fp, x[c]);
	}
	putc('}', fp);
}

/* "macro_f1":..,...,"recall":{..},"f1":{..} from METRIC, RECALL and F1 (no braces). */
static void json_figures(FILE *fp, const double *metric, char *const *classes, size_t nclass,
                         const double *recall, const double *f1)
{
	int mt;

	for (mt = 0; mt < NMETRIC; mt++) {
		fprintf(fp, "%s\"%s\":", mt ? "," : "", metric_key[mt]);
		json_number(fp, metric[mt]);
	}
	json_by_class(fp, "recall", classes, nclass, recall);
	json_by_class(fp, "f1", classes, nclass, f1);
}

static void write_json(FILE *fp, const struct cvout *o)
{
	const struct cvrun *run = o->run;
	char *const *classes = o->s->classes;
	size_t ncfg = run->ncfg, nclass = o->s->nclass, i, f, c;

	fprintf(fp, "{\"k\":%ld,\"repeat\":%ld,\"seed\":%" PRIu64 ",\"rows\":%zu,\"metric\":\"%s\"",
	        o->a->k, o->a->repeat, o->a->t.seed, o->nrows, metric_key[o->a->metric]);
	fputs(",\"classes\":[", fp);
	for (c = 0; c < nclass; c++) {
		if (c)
			putc(',', fp);
		json_string(fp, classes[c]);
	}
	putc(']', fp);
	if (o->a->have_alpha) {
		fputs(",\"positive\":", fp);
		json_string(fp, classes[run->cfg[0].positive]);
	}
	fputs(",\"baseline\":", fp);
	json_string(fp, run->cfg[0].name);
	fputs(",\"best\":", fp);
	json_string(fp, run->cfg[o->order[0]].name);
	fputs(",\"configurations\":[", fp);
	for (i = 0; i < ncfg; i++) {
		const struct config *cf = &run->cfg[o->order[i]];
		const struct summary *s = &o->sum[o->order[i]];

		fputs(i ? ",{\"name\":" : "{\"name\":", fp);
		json_string(fp, cf->name);
		fprintf(fp, ",\"loss\":\"%s\"", cf->loss == LOSS_FOCAL ? "focal" : "ce");
		json_field(fp, "gamma", cf->gamma);
		fputs(",\"weight\":", fp);
		json_string(fp, cf->wt->text);
		fprintf(fp, ",\"sample\":\"%s\"", sample_name(cf->sample));
		json_field(fp, "sample_ratio", cf->ratio);
		json_field(fp, "lambda", cf->lambda);
		fprintf(fp, ",\"model\":\"%s\",\"mean\":{", model_name(cf->kind));
		json_figures(fp, s->mean, classes, nclass, s->recall_mean, s->f1_mean);
		fputs("},\"sd\":{", fp);
		json_figures(fp, s->sd, classes, nclass, s->recall_sd, s->f1_sd);
		fputs("},\"delta\":{\"mean\":", fp);
		json_number(fp, s->delta_mean);
		json_field(fp, "sd", s->delta_sd);
		fputs("},\"folds\":[", fp);
		for (f = 0; f < o->nf; f++) {
			const struct result *rs = &run->res[f * ncfg + o->order[i]];
			const struct foldinfo *fi = &run->fi[f];

			fprintf(fp, "%s\"repeat\":%zu,\"fold\":%zu,\"test_counts\":{", f ? ",{" : "{",
			        f / run->nfold + 1, f % run->nfold + 1);
			for (c = 0; c < nclass; c++) {
				if (c)
					putc(',', fp);
				json_string(fp, classes[c]);
				fprintf(fp, ":%zu", fi->test_count[c]);
			}
			fprintf(fp, "},\"train_rows\":%zu", rs->train_rows);
			json_field(fp, "lambda", rs->lambda);
			putc(',', fp);
			json_figures(fp, rs->metric, classes, nclass, rs->recall, rs->f1);
			json_field(fp, "objective", rs->objective);
			fprintf(fp, ",\"iterations\":%d,\"converged\":%s}", rs->iterations,
			        rs->converged ? "true" : "false");
		}
		fputs("]}", fp);
	}
	fputs("]}\n", fp);
}

/* ---- the command ---- */

/* Warns about classes with fewer rows than folds, and about SMOTE short of neighbours. */
static void warn_small(const struct cvargs *a, const char *path, const struct schema *s,
                       const struct dataset *d, const struct foldinfo *fi, size_t nfi)
{
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	char msg[1024];
	size_t c, i, smote = 0;

	for (c = 0; c < s->nclass; c++)
		if (d->count[c] < (size_t)a->k) {
			snprintf(msg, sizeof msg, "%s: class '%s' has %zu row%s, fewer than k=%ld folds",
			         name, s->classes[c], d->count[c], d->count[c] == 1 ? "" : "s", a->k);
			cli_warn(msg);
		}
	for (i = 0; i < a->sample.n; i++)
		smote |= a->sample.v[i] == SAMPLE_SMOTE;
	for (c = 0; smote && c < s->nclass; c++) {
		size_t least = d->count[c];

		for (i = 0; i < nfi; i++)
			if (d->count[c] - fi[i].test_count[c] < least)
				least = d->count[c] - fi[i].test_count[c];
		if (least >= 1 && least - 1 < (size_t)a->smote_k) {
			snprintf(msg, sizeof msg, "smote: class '%s' has %zu training rows in some folds; "
			         "using %zu neighbours instead of %d there", s->classes[c], least,
			         least - 1, a->smote_k);
			cli_warn(msg);
		}
	}
}

int cmd_cv(int argc, char **argv)
{
	struct cvargs a;
	struct ferr e = { "", 1 };
	struct schema s;
	struct dataset d;
	struct cvrun run;
	struct cvout out;
	struct config *cfg = NULL;
	struct foldinfo *fi = NULL;
	struct summary *sum = NULL;
	uint32_t *fold = NULL;
	size_t *order = NULL, ncfg = 0, nf = 0, i, r;
	double t0 = now_seconds(), *center = NULL;
	const char *path;
	int status = 1, positive, threads;
	struct outfile folds_out = { NULL, NULL, NULL };

	memset(&a, 0, sizeof a);
	memset(&s, 0, sizeof s);
	memset(&d, 0, sizeof d);
	memset(&run, 0, sizeof run);
	readopts_init(&a.r);
	a.r.warn = cli_warn;
	a.r.keep_missing = 1;
	a.repeat = 1;
	a.smote_k = 5;
	a.metric = MET_MACRO_F1;
	a.t.tol = NAN; /* the solver's default */
	a.t.max_iter = 1000;
	a.t.epochs = 0; /* the solver plans them */
	a.t.batch_size = 256;
	a.t.bias_prior = 1;
	a.t.seed = 1;
	a.t.threads = ncores();
	status = parse_args(argc, argv, &a);
	if (status != 0 || check_choices(&a) != 0) {
		cvargs_release(&a);
		return status > 0 ? 0 : 2;
	}
	warn_no_effect(&a);
	argc -= optind;
	argv += optind;
	if (argc != 1) {
		cvargs_release(&a);
		return cli_usage_error(cmd, argc ? "too many arguments" : "no input FILE");
	}
	path = argv[0];
	a.r.keep_lines = a.save_folds != NULL;

	if (data_load_train(path, &a.r, &s, &d, &e) != 0)
		goto fail;
	if ((size_t)a.k > d.n) {
		ferr_usage(&e, "-k: %ld folds for %zu rows (k must be at most the number of rows)",
		           a.k, d.n);
		goto fail;
	}
	/* from the whole file's class counts, so that every fold has the same positive class */
	positive = positive_class(s.classes, s.nclass, d.count, a.positive, "the data", &e);
	if (positive < 0)
		goto fail;
	if (resolve_weights(&a, &s, &e) != 0)
		goto fail;
	cfg = make_configs(&a, &s, positive, &ncfg, &e);
	if (!cfg)
		goto fail;

	nf = (size_t)a.repeat * (size_t)a.k;
	fold = xreallocarray(NULL, (size_t)a.repeat, (d.n ? d.n : 1) * sizeof *fold);
	fi = xcalloc(nf, sizeof *fi);
	center = column_means(&d, &s);
	for (r = 0; r < (size_t)a.repeat; r++) {
		make_folds(&d, s.nclass, (size_t)a.k, a.t.seed, r, fold + r * d.n);
		fold_infos(&d, &s, fold + r * d.n, (size_t)a.k, a.r.standardize, center,
		           fi + r * (size_t)a.k);
	}
	warn_small(&a, path, &s, &d, fi, nf);
	if (a.save_folds) {
		if (outfile_open(&folds_out, a.save_folds, &e) != 0)
			goto fail;
		write_folds(folds_out.f, &d, fold, (size_t)a.repeat);
	}

	run.a = &a;
	run.s = &s;
	run.d = &d;
	run.cfg = cfg;
	run.ncfg = ncfg;
	run.nfold = (size_t)a.k;
	run.fold = fold;
	run.fi = fi;
	run.ntasks = nf * ncfg;
	run.res = xcalloc(run.ntasks, sizeof *run.res);
	run.progress = a.progress || isatty(STDERR_FILENO);
	threads = a.t.threads < 1 ? 1 : a.t.threads;
	if ((size_t)threads > run.ntasks)
		threads = (int)run.ntasks;
	run_pool(&run, threads);
	if (run.progress)
		fputc('\n', stderr);
	for (i = 0; i < run.ntasks; i++)
		if (run.res[i].error) {
			size_t c = i % ncfg, f = i / ncfg;

			e.status = run.res[i].status;
			snprintf(e.msg, sizeof e.msg, "repeat %zu, fold %zu, '%s': %s",
			         f / (size_t)a.k + 1, f % (size_t)a.k + 1, cfg[c].name, run.res[i].error);
			goto fail;
		}
	{
		size_t nconv = 0;
		char msg[256];

		for (i = 0; i < run.ntasks; i++)
			nconv += !run.res[i].converged;
		if (nconv) {
			snprintf(msg, sizeof msg, "%zu of %zu fits did not converge (%s)", nconv,
			         run.ntasks, cli_not_converged_hint(&a.t));
			cli_warn(msg);
		}
	}

	sum = xcalloc(ncfg, sizeof *sum);
	summarise(&run, nf, s.nclass, a.metric, sum);
	order = sort_order(sum, ncfg, a.metric);
	memset(&out, 0, sizeof out);
	out.a = &a;
	out.s = &s;
	out.run = &run;
	out.sum = sum;
	out.order = order;
	out.nrows = d.n;
	out.nf = nf;
	out.seconds = now_seconds() - t0;
	out.threads = threads;
	if (a.fmt == FMT_JSON)
		write_json(stdout, &out);
	else if (a.fmt == FMT_TSV)
		write_tsv(stdout, &out);
	else
		write_table(stdout, &out);
	/* the folds file appears only with the report: when stdout failed, main says so */
	status = 0;
	if (a.save_folds && cli_stdout_written() && outfile_commit(&folds_out, &e) != 0)
		goto fail;
	goto out;
fail:
	status = cli_fail(&e);
out:
	outfile_abort(&folds_out);
	for (i = 0; run.res && i < run.ntasks; i++) {
		free(run.res[i].recall);
		free(run.res[i].f1);
		free(run.res[i].error);
	}
	free(run.res);
	for (i = 0; sum && i < ncfg; i++) {
		free(sum[i].recall_mean);
		free(sum[i].recall_sd);
		free(sum[i].f1_mean);
		free(sum[i].f1_sd);
	}
	free(sum);
	free(order);
	for (i = 0; fi && i < nf; i++) {
		free(fi[i].test_count);
		free(fi[i].scale);
		free(fi[i].shift);
		free(fi[i].fill);
	}
	free(fi);
	free(fold);
	free(center);
	for (i = 0; i < ncfg; i++)
		free(cfg[i].name);
	free(cfg);
	dataset_release(&d);
	schema_release(&s);
	cvargs_release(&a);
	return status;
}
