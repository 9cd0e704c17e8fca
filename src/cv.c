/*
 * cv.c: the cross-validation engine (cv.h).
 *
 * The data are read and encoded once; every (repeat, fold, configuration) is one task,
 * and the tasks share the encoded block.  A task fits its configuration on the fold's
 * training rows with fit_rows, given as multiplicities (0 for the test rows) with the
 * fold's own standardisation and imputation (struct fitprep, computed once per repeat
 * for all its folds), and scores the test rows.  The tasks run on the shared pool, each
 * writing only its own result slot, and each fit runs on one thread.  Every random
 * choice is seeded from --seed and what it is for (the repeat's folds; a fold's sampling
 * kind and ratio; a fold's sgd/adam shuffles), never from the order in which tasks run,
 * so the output is the same for any --threads.  Configurations that sample with SMOTE at
 * one ratio share the fold's SMOTE set (struct smoteshare), made once.  Configurations that sample alike draw
 * the same rows (a sharper paired comparison), and a configuration gets the same
 * figures whatever else is on the command line.
 *
 * focal-mpi (dist.h): each process holds the next rows of the table; the folds are made
 * from every process's classes, the fitpreps summed over all of them, the tasks run one
 * at a time (each fit sums over the processes), each on a copy of the fold's training
 * rows in the blocks one process sums, and rank 0 reports on every process's test rows:
 * the same figures as one process, to the last bit.  But SMOTE: each process makes its
 * share of a fold's new rows from its own training rows (fit_smote_set), so the rows
 * after sampling per class are one process's and the fit is not.
 *
 * Departures from a pipeline refitted on each fold (for the man page):
 * - SMOTE's neighbours are searched in the globally standardised space;
 * - with sgd/adam an epoch walks all rows, those of weight 0 doing nothing, so a
 *   mini-batch holds about (k-1)/k of --batch-size training rows.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "cv.h"
#include "dist.h"
#include "pool.h"
#include "score.h"
#include "stats.h"

const char *const cv_metric_key[CV_NMETRIC] = { "macro_f1", "balanced_accuracy", "mcc",
	                                            "gmean", "average_precision", "roc_auc",
	                                            "log_loss", "brier", "ece" };
const char *const cv_metric_title[CV_NMETRIC] = { "macro F1", "balanced acc", "MCC", "G-mean",
	                                              "macro AP", "macro AUC", "log loss",
	                                              "Brier", "ECE" };

int cv_metric_lower_better(int metric)
{
	return metric == CV_LOG_LOSS || metric == CV_BRIER || metric == CV_ECE;
}

/* ---- the grid ---- */

void numlist_add(struct numlist *l, double v)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = v;
}

int numlist_has(const struct numlist *l, double v)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return 1;
	return 0;
}

struct weighting *cvgrid_add_weighting(struct cvgrid *g, enum weight_kind kind, char *text)
{
	struct weighting *w;

	g->wt = xreallocarray(g->wt, g->nwt + 1, sizeof *g->wt);
	w = &g->wt[g->nwt++];
	memset(w, 0, sizeof *w);
	w->kind = kind;
	w->text = text;
	return w;
}

void cvgrid_defaults(struct cvgrid *g)
{
	if (!g->calib.n)
		numlist_add(&g->calib, CALIB_AUTO);
	if (g->loss.n == 0)
		numlist_add(&g->loss, LOSS_CE);
	if (g->model.n == 0)
		numlist_add(&g->model, CHOOSE_AUTO);
	if (g->sample.n == 0)
		numlist_add(&g->sample, SAMPLE_NONE);
	if (g->gamma.n == 0)
		numlist_add(&g->gamma, 2);
	if (g->ratio.n == 0)
		numlist_add(&g->ratio, 1);
	if (g->nwt == 0)
		cvgrid_add_weighting(g, WEIGHT_NONE, xstrdup("none"));
}

int cvgrid_resolve(struct cvgrid *g, const struct schema *s, struct ferr *e)
{
	size_t i, j;

	for (i = 0; i < g->nwt; i++) {
		if (weighting_resolve(&g->wt[i], s, e) != 0)
			return -1;
		/* the same class weights written in another order are the same weighting */
		for (j = 0; j < i && g->wt[i].kind == WEIGHT_LABELS; j++)
			if (g->wt[j].kind == WEIGHT_LABELS &&
			    memcmp(g->wt[i].w, g->wt[j].w, s->nclass * sizeof *g->wt[i].w) == 0)
				return ferr_usage(e, "--class-weight: '%s' gives the same weights as '%s'",
				                  g->wt[i].text, g->wt[j].text);
	}
	return 0;
}

void cvgrid_release(struct cvgrid *g)
{
	size_t i;

	for (i = 0; i < g->nwt; i++)
		weighting_release(&g->wt[i]);
	free(g->wt);
	free(g->loss.v);
	free(g->model.v);
	free(g->sample.v);
	free(g->gamma.v);
	free(g->ratio.v);
	free(g->lambda.v);
	free(g->calib.v);
	memset(g, 0, sizeof *g);
}

/* ---- configurations ---- */

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

/* The name of configuration C: the loss, then what is not a default or varies.  Caller frees. */
static char *config_name(const struct cvgrid *g, const struct cvconfig *c)
{
	char *s = NULL;
	size_t len = 0;

	append(&s, &len, "%s", fit_loss_name(c->loss));
	if (c->loss == LOSS_FOCAL)
		append(&s, &len, " g=%g", c->gamma);
	if (c->wt->kind != WEIGHT_NONE)
		append(&s, &len, " %s", c->wt->text);
	if (c->sample != SAMPLE_NONE) {
		append(&s, &len, " %s", sample_name(c->sample));
		if (g->ratio.n > 1 || c->ratio != 1)
			append(&s, &len, " r=%g", c->ratio);
	}
	if (c->lambda == CV_LAMBDA_AUTO)
		append(&s, &len, " lambda=auto");
	else if (!isnan(c->lambda))
		append(&s, &len, " lambda=%g", c->lambda);
	if (c->choice != CHOOSE_AUTO)
		append(&s, &len, " %s", fit_choice_name(c->choice));
	if (g->calib.n > 1 || c->calib != CALIB_AUTO)
		append(&s, &len, " cal=%s", calib_key[c->calib]);
	return s;
}

/* Appends the configurations of C's model with every loss, weighting, sampling and lambda. */
static void add_configs(const struct cvgrid *g, struct cvconfig c, struct cvconfig **cfg,
                        size_t *n)
{
	size_t il, ig, iw, is, ir, ix, nlambda = g->lambda.n ? g->lambda.n : 1;
	size_t ncal = g->calib.n ? g->calib.n : 1;

	for (il = 0; il < g->loss.n; il++) {
		c.loss = (enum loss_kind)g->loss.v[il];
		for (ig = 0; ig < (c.loss == LOSS_FOCAL ? g->gamma.n : 1); ig++) {
			c.gamma = c.loss == LOSS_FOCAL ? g->gamma.v[ig] : NAN;
			for (iw = 0; iw < g->nwt; iw++) {
				c.wt = &g->wt[iw];
				for (is = 0; is < g->sample.n; is++) {
					c.sample = (enum sample_kind)g->sample.v[is];
					for (ir = 0; ir < (c.sample != SAMPLE_NONE ? g->ratio.n : 1); ir++) {
						c.ratio = c.sample != SAMPLE_NONE ? g->ratio.v[ir] : NAN;
						for (ix = 0; ix < nlambda * ncal; ix++) {
							c.lambda = g->lambda.n ? g->lambda.v[ix / ncal] : NAN;
							c.calib = g->calib.n ? (enum calib_kind)g->calib.v[ix % ncal]
							                     : CALIB_AUTO;
							*cfg = xreallocarray(*cfg, *n + 1, sizeof **cfg);
							(*cfg)[*n] = c;
							(*cfg)[(*n)++].name = config_name(g, &c);
						}
					}
				}
			}
		}
	}
}

struct cvconfig *cvconfigs_make(const struct cvgrid *g, const struct schema *s, int positive,
                                void (*warn)(const char *msg), size_t *ncfg, struct ferr *e)
{
	struct cvconfig *cfg = NULL, c;
	size_t im, n = 0;
	int seen[2] = { 0, 0 }; /* model kinds already in the list */

	for (im = 0; im < g->model.n; im++) {
		memset(&c, 0, sizeof c);
		c.choice = (enum model_choice)g->model.v[im];
		if (fit_model_kind(c.choice, s->nclass, &c.kind, e) != 0) {
			cvconfigs_free(cfg, n);
			return NULL;
		}
		if (seen[c.kind]) {
			/* auto and softmax (or auto and logistic) would fit the same model twice */
			char msg[160];

			snprintf(msg, sizeof msg, "--model: '%s' fits the same %s model as an earlier "
			         "value; counted once", fit_choice_name(c.choice), fit_model_name(c.kind));
			if (warn)
				warn(msg);
			continue;
		}
		seen[c.kind] = 1;
		c.positive = positive;
		add_configs(g, c, &cfg, &n);
	}
	*ncfg = n;
	return cfg;
}

void cvconfigs_free(struct cvconfig *cfg, size_t ncfg)
{
	size_t i;

	for (i = 0; i < ncfg; i++)
		free(cfg[i].name);
	free(cfg);
}

/* ---- folds ---- */

uint64_t cv_mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

uint64_t cv_derive_seed(uint64_t seed, uint64_t what, uint64_t r, uint64_t f, uint64_t detail)
{
	uint64_t h = cv_mix64(seed);

	h = cv_mix64(h ^ what);
	h = cv_mix64(h ^ r);
	h = cv_mix64(h ^ f);
	return cv_mix64(h ^ detail);
}

void cv_stratify(const uint32_t *y, size_t n, size_t nclass, const double *count, size_t k,
                 uint64_t seed, uint32_t *fold)
{
	size_t *off = xcalloc(nclass + 1, sizeof *off), *fill = xcalloc(nclass, sizeof *fill);
	size_t *idx = xmalloc((n ? n : 1) * sizeof *idx), i, c, t = 0;
	struct rng rng;

	for (i = 0; i < n; i++)
		if (!count || count[i] > 0)
			off[y[i] + 1]++;
	for (c = 0; c < nclass; c++)
		off[c + 1] += off[c];
	for (i = 0; i < n; i++) {
		fold[i] = (uint32_t)k;
		if (!count || count[i] > 0)
			idx[off[y[i]] + fill[y[i]]++] = i;
	}
	rng_seed(&rng, seed);
	for (c = 0; c < nclass; c++)
		rng_shuffle(&rng, idx + off[c], off[c + 1] - off[c]);
	for (i = 0; i < off[nclass]; i++)
		fold[idx[i]] = (uint32_t)(t++ % k);
	free(off);
	free(fill);
	free(idx);
}

/*
 * focal-mpi: the classes of the rows of multiplicity above 0 (COUNT NULL: all) of every
 * process of DIST, in rank order (the table's), as a malloc'd array of *NALL entries,
 * this process's from *FIRST (collective).
 */
static uint32_t *gather_classes(const struct dist *dist, const uint32_t *y, size_t n,
                                const double *count, size_t *first, size_t *nall)
{
	size_t *lens = xcalloc((size_t)dist->size, sizeof *lens), i, m = 0;
	uint32_t *mine = xcalloc(n + 1, sizeof *mine), *all;
	int q;

	for (i = 0; i < n; i++)
		if (!count || count[i] > 0)
			mine[m++] = y[i];
	all = dist_gather(dist, mine, m * sizeof *mine, lens);
	for (q = 0, *first = *nall = 0; q < dist->size; q++) {
		if (q == dist->rank)
			*first = *nall;
		*nall += lens[q] / sizeof *mine;
	}
	free(mine);
	free(lens);
	return all;
}

void cv_stratify_shared(const struct dist *dist, const uint32_t *y, size_t n, size_t nclass,
                        const double *count, size_t k, uint64_t seed, uint32_t *fold)
{
	size_t i, m, first, nall;
	uint32_t *all, *foldall;

	if (!dist || dist->size <= 1) {
		cv_stratify(y, n, nclass, count, k, seed, fold);
		return;
	}
	/* the classes of the rows in the set, every process's */
	all = gather_classes(dist, y, n, count, &first, &nall);
	foldall = xcalloc(nall + 1, sizeof *foldall);
	cv_stratify(all, nall, nclass, NULL, k, seed, foldall);
	for (i = 0, m = 0; i < n; i++)
		fold[i] = !count || count[i] > 0 ? foldall[first + m++] : (uint32_t)k;
	free(all);
	free(foldall);
}

void cv_make_folds(const struct dataset *d, size_t nclass, size_t k, uint64_t seed, size_t r,
                   uint32_t *fold)
{
	cv_stratify(d->y, d->n, nclass, NULL, k, cv_derive_seed(seed, CV_SEED_FOLDS, r, 0, 0), fold);
}

void cv_folds(struct cv *cv)
{
	const struct dataset *d = cv->d;
	const struct dist *dist = cv->o->t.dist;
	size_t k = cv->o->k, nclass = cv->s->nclass, r, f, i, first = 0, nall = d->n;
	double *center = cv->center = fit_column_means(d, cv->s, dist);
	struct fitprep *prep = xcalloc(k, sizeof *prep);
	const uint32_t *yall = d->y;
	uint32_t *gathered = NULL, *foldall = NULL;

	/* focal-mpi: the folds are those of the whole table, made alike on every process
	 * from every row's class; each keeps its own rows' (the table's rows from FIRST) */
	if (dist && dist->size > 1) {
		yall = gathered = gather_classes(dist, d->y, d->n, NULL, &first, &nall);
		foldall = xcalloc(nall + 1, sizeof *foldall);
	}
	cv->nrows = nall;
	cv->nf = cv->o->repeat * k;
	cv->fold = xreallocarray(NULL, cv->o->repeat, (d->n ? d->n : 1) * sizeof *cv->fold);
	cv->fi = xcalloc(cv->nf, sizeof *cv->fi);
	for (r = 0; r < cv->o->repeat; r++) {
		uint32_t *fold = cv->fold + r * d->n, *all = foldall ? foldall : fold;
		struct cvfold *fi = cv->fi + r * k;

		cv_stratify(yall, nall, nclass, NULL, k,
		            cv_derive_seed(cv->o->t.seed, CV_SEED_FOLDS, r, 0, 0), all);
		for (f = 0; f < k; f++)
			fi[f].test_count = xcalloc(nclass, sizeof *fi[f].test_count);
		for (i = 0; i < nall; i++) {
			fi[all[i]].test_count[yall[i]]++;
			fi[all[i]].ntest++;
		}
		if (foldall)
			memcpy(fold, foldall + first, d->n * sizeof *fold);
		fitprep_complements(d, cv->s, fold, k, NULL, cv->o->standardize, center, dist, prep);
		for (f = 0; f < k; f++)
			fi[f].prep = prep[f];
	}
	free(gathered);
	free(foldall);
	free(prep);
}

void cv_warn_small(const struct cv *cv, const char *name, void (*warn)(const char *msg))
{
	const struct schema *s = cv->s;
	const struct dataset *d = cv->d;
	char msg[1024];
	size_t c, i, smote = 0;

	if (!warn)
		return;
	for (c = 0; c < s->nclass; c++)
		if (d->count[c] < cv->o->k) {
			snprintf(msg, sizeof msg, "%s: class '%s' has %zu row%s, fewer than k=%zu folds",
			         name, s->classes[c], d->count[c], d->count[c] == 1 ? "" : "s", cv->o->k);
			warn(msg);
		}
	for (i = 0; i < cv->ncfg; i++)
		smote |= cv->cfg[i].sample == SAMPLE_SMOTE;
	for (c = 0; smote && c < s->nclass; c++) {
		size_t least = d->count[c];

		for (i = 0; i < cv->nf; i++)
			if (d->count[c] - cv->fi[i].test_count[c] < least)
				least = d->count[c] - cv->fi[i].test_count[c];
		if (least >= 1 && least - 1 < (size_t)cv->o->smote_k) {
			snprintf(msg, sizeof msg, "smote: class '%s' has %zu training rows in some folds; "
			         "using %zu neighbours instead of %d there", s->classes[c], least,
			         least - 1, cv->o->smote_k);
			warn(msg);
		}
	}
}

/* ---- one task ---- */

/* The fit of configuration CF on the training rows of (repeat R, fold F). */
static void task_config(const struct cv *cv, const struct cvconfig *cf, size_t r, size_t f,
                        struct fitconfig *c)
{
	uint64_t ratio_bits = 0;

	if (cf->sample != SAMPLE_NONE)
		memcpy(&ratio_bits, &cf->ratio, sizeof ratio_bits);
	memset(c, 0, sizeof *c);
	c->kind = cf->kind;
	c->positive = cf->positive;
	c->loss = cf->loss;
	c->gamma = cf->gamma;
	c->wt = cf->wt;
	c->sample = cf->sample;
	c->ratio = cf->ratio;
	c->smote_k = cv->o->smote_k;
	c->lambda = cf->lambda == CV_LAMBDA_AUTO ? NAN : cf->lambda;
	c->sample_seed = cv_derive_seed(cv->o->t.seed, CV_SEED_SAMPLE, r, f,
	                                cv_mix64((uint64_t)cf->sample) ^ ratio_bits);
	c->solver = cv->o->t;
	c->solver.seed = cv_derive_seed(cv->o->t.seed, CV_SEED_SOLVER, r, f, 0);
	/* focal-mpi runs one task at a time (cv_run), each fit on every thread */
	c->solver.threads = cv->o->t.dist ? cv->o->t.threads : 1;
	c->solver.progress = NULL;
	c->solver.progress_ctx = NULL;
	c->warn = NULL; /* warned once, before the tasks */
}

/*
 * SMOTE sets shared: configurations that sample with SMOTE at the same ratio draw the
 * same rows in a fold (the seed is the fold's, the sampling's and the ratio's), so the
 * first task of the fold to need the set makes it, the others wait for it, and the last
 * to finish frees it.  (The neighbour search is most of a SMOTE fit's time.)
 */
struct smoteshare {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t *key;         /* ncfg: the first configuration sampling as C does, or ncfg */
	size_t *uses;        /* ncfg: configurations whose key is C */
	int *state;          /* nf x ncfg: 0 not made, 1 being made, 2 made, 3 failed */
	size_t *left;        /* nf x ncfg: users yet to finish with it */
	struct dataset *set; /* nf x ncfg */
};

static void share_init(struct smoteshare *sh, const struct cv *cv)
{
	size_t c, b, ncfg = cv->ncfg;

	pthread_mutex_init(&sh->lock, NULL);
	pthread_cond_init(&sh->cond, NULL);
	sh->key = xcalloc(ncfg + 1, sizeof *sh->key);
	sh->uses = xcalloc(ncfg + 1, sizeof *sh->uses);
	sh->state = xcalloc(cv->nf * ncfg + 1, sizeof *sh->state);
	sh->left = xcalloc(cv->nf * ncfg + 1, sizeof *sh->left);
	sh->set = xcalloc(cv->nf * ncfg + 1, sizeof *sh->set);
	for (c = 0; c < ncfg; c++) {
		sh->key[c] = ncfg;
		if (cv->cfg[c].sample != SAMPLE_SMOTE)
			continue;
		for (b = 0; b < c && !(cv->cfg[b].sample == SAMPLE_SMOTE &&
		                       cv->cfg[b].ratio == cv->cfg[c].ratio); b++)
			;
		sh->key[c] = b;
		sh->uses[b]++;
	}
	for (b = 0; b < cv->nf * ncfg; b++)
		sh->left[b] = sh->uses[b % ncfg];
}

static void share_release(struct smoteshare *sh, const struct cv *cv)
{
	size_t i;

	for (i = 0; i < cv->nf * cv->ncfg; i++)
		dataset_release(&sh->set[i]);
	free(sh->key);
	free(sh->uses);
	free(sh->state);
	free(sh->left);
	free(sh->set);
	pthread_cond_destroy(&sh->cond);
	pthread_mutex_destroy(&sh->lock);
}

/* The shared SMOTE set of slot I, of rows ROWS of D, made here when no task has begun
 * it; NULL if making it failed (the fit then samples, and fails, on its own). */
static const struct dataset *share_get(struct smoteshare *sh, size_t i, const struct dataset *d,
                                       const struct schema *s, const struct fitrows *rows,
                                       const struct fitconfig *c)
{
	const struct dataset *got = NULL;
	struct dataset made;
	struct ferr e;
	int rc;

	pthread_mutex_lock(&sh->lock);
	while (sh->state[i] == 1)
		pthread_cond_wait(&sh->cond, &sh->lock);
	if (sh->state[i] == 0) {
		sh->state[i] = 1;
		pthread_mutex_unlock(&sh->lock);
		rc = fit_smote_set(d, s, rows, c, &made, &e);
		pthread_mutex_lock(&sh->lock);
		if (rc == 0)
			sh->set[i] = made;
		else
			dataset_release(&made);
		sh->state[i] = rc == 0 ? 2 : 3;
		pthread_cond_broadcast(&sh->cond);
	}
	if (sh->state[i] == 2)
		got = &sh->set[i];
	pthread_mutex_unlock(&sh->lock);
	return got;
}

/* A user of slot I is done with it; the last frees it. */
static void share_done(struct smoteshare *sh, size_t i)
{
	pthread_mutex_lock(&sh->lock);
	if (--sh->left[i] == 0)
		dataset_release(&sh->set[i]);
	pthread_mutex_unlock(&sh->lock);
}

/* The figures of R into OUT's metrics, recall and f1. */
static void report_figures(const struct report *r, size_t nclass, struct cvresult *out)
{
	size_t i;

	out->metric[CV_MACRO_F1] = r->macro.f1;
	out->metric[CV_BALANCED_ACCURACY] = r->balanced_accuracy;
	out->metric[CV_MCC] = r->mcc;
	out->metric[CV_GMEAN] = r->gmean;
	out->metric[CV_AVERAGE_PRECISION] = r->macro_average_precision;
	out->metric[CV_ROC_AUC] = r->macro_roc_auc;
	out->metric[CV_LOG_LOSS] = r->log_loss;
	out->metric[CV_BRIER] = r->brier;
	out->metric[CV_ECE] = r->ece;
	out->recall = xcalloc(nclass, sizeof *out->recall);
	out->f1 = xcalloc(nclass, sizeof *out->f1);
	for (i = 0; i < nclass; i++) {
		out->recall[i] = r->cls[i].recall;
		out->f1[i] = r->cls[i].f1;
	}
}

/* The figures of the M test rows (classes Y, decisions PRED, probabilities PROB) into OUT. */
static void fold_figures(size_t m, size_t nclass, const uint32_t *y, const uint32_t *pred,
                         const double *prob, struct cvresult *out)
{
	struct report rep;

	metrics_compute(&rep, m, nclass, y, pred, prob);
	report_figures(&rep, nclass, out);
	report_release(&rep);
}

/*
 * focal-mpi: the same over the test rows of every process, each passing its own M: rank
 * 0 makes the report on them all (score_report_shared, for SCORER's classes), and every
 * process gets its figures, so that all sort the configurations (--refit) alike.
 */
static void fold_figures_shared(const struct dist *dist, const struct linmodel *scorer,
                                size_t m, const uint32_t *y, const uint32_t *pred,
                                const double *prob, struct cvresult *out)
{
	size_t nclass = scorer->nclass, i;
	double *v = xcalloc(CV_NMETRIC + 2 * nclass, sizeof *v);
	struct report rep;

	score_report_shared(dist, scorer, m, y, pred, prob, &rep, NULL);
	if (dist->rank == 0) {
		report_figures(&rep, nclass, out);
		memcpy(v, out->metric, sizeof out->metric);
		memcpy(v + CV_NMETRIC, out->recall, nclass * sizeof *v);
		memcpy(v + CV_NMETRIC + nclass, out->f1, nclass * sizeof *v);
	} else {
		out->recall = xcalloc(nclass, sizeof *out->recall);
		out->f1 = xcalloc(nclass, sizeof *out->f1);
	}
	report_release(&rep);
	dist_bcast(dist, 0, v, CV_NMETRIC + 2 * nclass);
	for (i = 0; i < CV_NMETRIC; i++)
		out->metric[i] = v[i];
	memcpy(out->recall, v + CV_NMETRIC, nclass * sizeof *v);
	memcpy(out->f1, v + CV_NMETRIC + nclass, nclass * sizeof *v);
	free(v);
}

/* Fits task T's configuration on its fold's training rows and scores the test rows. */
static int run_task(const struct cv *cv, size_t t, struct smoteshare *sh, struct cvresult *out,
                    struct ferr *e)
{
	const struct dataset *d = cv->d;
	size_t nclass = cv->s->nclass, n = d->n, k = cv->o->k, i, m = 0;
	size_t ci = t % cv->ncfg, f = t / cv->ncfg % k, r = t / cv->ncfg / k;
	const uint32_t *fold = cv->fold + r * n;
	const struct cvfold *fi = &cv->fi[r * k + f];
	struct fitconfig c;
	struct fitrows rows;
	struct fitresult fr;
	struct tuneopts to;
	struct linmodel scorer;
	struct dataset train_rows;
	const struct dataset *fitted = d;
	double *count = xcalloc(n + 1, sizeof *count), *eff = NULL;
	double *prob = xcalloc(nclass, sizeof *prob), *z = xcalloc(nclass, sizeof *z);
	double *xrow = xcalloc(d->dim + 1, sizeof *xrow);
	uint32_t *ytrue = xcalloc(fi->ntest + 1, sizeof *ytrue);
	uint32_t *ypred = xcalloc(fi->ntest + 1, sizeof *ypred);
	double *scores = xcalloc((fi->ntest + 1) * nclass, sizeof *scores);
	size_t slot = SIZE_MAX;
	int rc = -1;

	task_config(cv, &cv->cfg[ci], r, f, &c);
	memset(&train_rows, 0, sizeof train_rows);
	for (i = 0; i < n; i++)
		count[i] = fold[i] != f;
	if (cv->o->t.dist) { /* focal-mpi: a copy of the training rows, each once */
		fit_shared_rows(cv->o->t.dist, d, count, 0, &train_rows);
		fitted = &train_rows;
		count = xreallocarray(count, train_rows.n + 1, sizeof *count);
		for (i = 0; i < train_rows.n; i++)
			count[i] = 1;
	}
	memset(&rows, 0, sizeof rows);
	rows.count = count;
	rows.prep = &fi->prep;
	rows.center = cv->center; /* for the inner folds' fitpreps */
	memset(&to, 0, sizeof to);
	to.calibrate = cv->cfg[ci].calib;
	to.metric = cv->o->tune ? cv->o->tune_metric : -1;
	to.folds = cv->o->tune_folds;
	to.seed = cv_derive_seed(cv->o->t.seed, CV_SEED_INNER, r, f, 0);
	to.standardize = cv->o->standardize;
	to.lambda_auto = cv->cfg[ci].lambda == CV_LAMBDA_AUTO;
	if (sh->key[ci] < cv->ncfg) {
		slot = t / cv->ncfg * cv->ncfg + sh->key[ci];
		rows.sampled = share_get(sh, slot, fitted, cv->s, &rows, &c);
	}
	rc = fit_tuned(fitted, cv->s, &rows, &c, &to, &fr, e);
	dataset_release(&train_rows);
	if (slot != SIZE_MAX)
		share_done(sh, slot);
	if (rc != 0)
		goto out;
	rc = -1;

	/* Score the test rows with the parameters that act on the stored features. */
	scorer = fr.lm;
	eff = xreallocarray(NULL, linmodel_nparams(&fr.lm), sizeof *eff);
	fit_scorer(&fr.lm, &fi->prep, eff);
	scorer.w = eff;
	for (i = 0; i < n; i++) {
		block_sweep(d->x, i, n, d->dim);
		if (fold[i] != f)
			continue;
		fit_row(d, i, fi->prep.fill, xrow);
		ypred[m] = score_row(&scorer, &fr.dec, xrow, prob, z);
		memcpy(scores + m * nclass, prob, nclass * sizeof *prob);
		ytrue[m++] = d->y[i];
	}
	if (cv->o->t.dist)
		fold_figures_shared(cv->o->t.dist, &scorer, m, ytrue, ypred, scores, out);
	else
		fold_figures(m, nclass, ytrue, ypred, scores, out);
	if (cv->o->keep_predictions) {
		out->prob = scores;
		out->pred = ypred;
		scores = NULL;
		ypred = NULL;
	}
	out->objective = fr.tr.objective;
	out->calib = fr.calib;
	out->dec = fr.dec;
	memset(&fr.dec, 0, sizeof fr.dec);
	out->inner_fits = fr.inner_fits;
	out->lambda = fr.lambda;
	out->iterations = fr.tr.iterations;
	out->converged = fr.tr.converged;
	out->train_rows = fr.rows;
	rc = 0;
out:
	fitresult_release(&fr);
	free(scores);
	free(count);
	free(eff);
	free(prob);
	free(z);
	free(xrow);
	free(ytrue);
	free(ypred);
	return rc;
}

/* ---- the tasks on the pool ---- */

struct taskrun {
	struct cv *cv;
	struct smoteshare share;
	size_t *order;       /* task t fills result slot order[t] (share_order) */
	pthread_mutex_t lock;
	size_t done;         /* under lock */
	size_t first_failed; /* under lock: the lowest failed task so far, or ntasks */
};

/*
 * One task.  After a failure, tasks above the lowest failed one are skipped; every task
 * below it runs, so the error reported is that of the first failing task whatever the
 * thread count.
 */
static void task(void *ctx, size_t t)
{
	struct taskrun *tr = ctx;
	struct cv *cv = tr->cv;
	struct ferr e;
	size_t slot;
	int rc, skip;

	pthread_mutex_lock(&tr->lock);
	skip = t > tr->first_failed;
	pthread_mutex_unlock(&tr->lock);
	if (skip)
		return;
	e.msg[0] = '\0';
	e.status = 1;
	slot = tr->order[t];
	rc = run_task(cv, slot, &tr->share, &cv->res[slot], &e);
	pthread_mutex_lock(&tr->lock);
	if (rc != 0) {
		cv->res[slot].error = xstrdup(e.msg);
		cv->res[slot].status = e.status ? e.status : 1;
		if (t < tr->first_failed)
			tr->first_failed = t;
	}
	tr->done++;
	if (cv->o->progress)
		cv->o->progress(cv->o->progress_ctx, tr->done, cv->ntasks);
	pthread_mutex_unlock(&tr->lock);
}

/* ---- summaries ---- */

/* Mean and sample standard deviation (n - 1) of X[0..n). */
static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
	double s = 0, q = 0, m;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i];
	m = n ? s / (double)n : NAN;
	for (i = 0; i < n; i++)
		q += (x[i] - m) * (x[i] - m);
	*mean = m;
	*sd = n > 1 ? sqrt(q / (double)(n - 1)) : NAN;
}

/* Fills cv->sum for each configuration from the results. */
static void summarise(struct cv *cv)
{
	size_t c, f, i, mt, ncfg = cv->ncfg, nf = cv->nf, nclass = cv->s->nclass;
	const struct cvresult *res = cv->res;
	int metric = cv->o->metric;
	double *v = xcalloc(nf + 1, sizeof *v);

	cv->sum = xcalloc(ncfg + 1, sizeof *cv->sum);
	for (c = 0; c < ncfg; c++) {
		struct cvsummary *s = &cv->sum[c];

		for (mt = 0; mt < CV_NMETRIC; mt++) {
			for (f = 0; f < nf; f++)
				v[f] = res[f * ncfg + c].metric[mt];
			mean_sd(v, nf, &s->mean[mt], &s->sd[mt]);
		}
		s->recall_mean = xcalloc(nclass, sizeof *s->recall_mean);
		s->recall_sd = xcalloc(nclass, sizeof *s->recall_sd);
		s->f1_mean = xcalloc(nclass, sizeof *s->f1_mean);
		s->f1_sd = xcalloc(nclass, sizeof *s->f1_sd);
		for (i = 0; i < nclass; i++) {
			for (f = 0; f < nf; f++)
				v[f] = res[f * ncfg + c].recall[i];
			mean_sd(v, nf, &s->recall_mean[i], &s->recall_sd[i]);
			for (f = 0; f < nf; f++)
				v[f] = res[f * ncfg + c].f1[i];
			mean_sd(v, nf, &s->f1_mean[i], &s->f1_sd[i]);
		}
		for (f = 0; f < nf; f++)
			v[f] = res[f * ncfg + c].metric[metric] - res[f * ncfg].metric[metric];
		mean_sd(v, nf, &s->delta_mean, &s->delta_sd);
		/* k-fold: one test row to k - 1 training rows */
		s->delta_p = c == 0 ? NAN : stats_corrected_ttest(v, nf, 1 / (double)(cv->o->k - 1));
	}
	free(v);
}

/* Configuration indices by the sort metric's mean, best first (highest, or lowest for
 * log loss, Brier and ECE), stable, NaN last. */
static void sort_order(struct cv *cv)
{
	size_t *order = xcalloc(cv->ncfg + 1, sizeof *order), i, j;
	int metric = cv->o->metric;
	double sign = cv_metric_lower_better(metric) ? -1 : 1;

	for (i = 0; i < cv->ncfg; i++) {
		double x = sign * cv->sum[i].mean[metric];

		for (j = i; j > 0; j--) {
			double y = sign * cv->sum[order[j - 1]].mean[metric];

			if (!(isnan(y) && !isnan(x)) && !(x > y))
				break;
			order[j] = order[j - 1];
		}
		order[j] = i;
	}
	cv->order = order;
}

/*
 * The order the tasks run in: fold by fold in configuration order, except that the
 * configurations that make a fold's SMOTE sets run one fold ahead of the rest (the makers
 * of fold f + 1 before the others of fold f), so a configuration that shares a set seldom
 * waits for it, and the sets of about two folds are kept at a time.
 */
static size_t *share_order(const struct cv *cv, const struct smoteshare *sh)
{
	size_t *order = xcalloc(cv->ntasks + 1, sizeof *order), m = 0, f, c, ncfg = cv->ncfg;

	for (f = 0; f <= cv->nf; f++) {
		for (c = 0; f < cv->nf && c < ncfg; c++)
			if (sh->key[c] == c)
				order[m++] = f * ncfg + c;
		for (c = 0; f > 0 && c < ncfg; c++)
			if (sh->key[c] != c)
				order[m++] = (f - 1) * ncfg + c;
	}
	return order;
}

int cv_run(struct cv *cv, struct ferr *e)
{
	struct taskrun tr;
	size_t i;

	cv->ntasks = cv->nf * cv->ncfg;
	cv->res = xcalloc(cv->ntasks + 1, sizeof *cv->res);
	cv->threads = cv->o->t.threads < 1 ? 1 : cv->o->t.threads;
	if ((size_t)cv->threads > cv->ntasks)
		cv->threads = (int)cv->ntasks;
	tr.cv = cv;
	tr.done = 0;
	tr.first_failed = cv->ntasks;
	pthread_mutex_init(&tr.lock, NULL);
	share_init(&tr.share, cv);
	tr.order = share_order(cv, &tr.share);
	/* focal-mpi: every task's fit takes collectives, which the processes must call in
	 * the same order: one task at a time, in task order */
	pool_for(cv->o->t.dist ? 1 : cv->threads, cv->ntasks, task, &tr);
	share_release(&tr.share, cv);
	pthread_mutex_destroy(&tr.lock);
	i = tr.first_failed < cv->ntasks ? tr.order[tr.first_failed] : cv->ntasks;
	free(tr.order);
	if (i < cv->ntasks) {
		size_t c = i % cv->ncfg, f = i / cv->ncfg;

		e->status = cv->res[i].status;
		snprintf(e->msg, sizeof e->msg, "repeat %zu, fold %zu, '%s': %s", f / cv->o->k + 1,
		         f % cv->o->k + 1, cv->cfg[c].name, cv->res[i].error);
		return -1;
	}
	summarise(cv);
	sort_order(cv);
	return 0;
}

size_t cv_fits(const struct cv *cv)
{
	size_t t, n = cv->ntasks;

	for (t = 0; t < cv->ntasks; t++)
		n += cv->res[t].inner_fits;
	return n;
}

size_t cv_not_converged(const struct cv *cv)
{
	size_t i, n = 0;

	for (i = 0; i < cv->ntasks; i++)
		n += !cv->res[i].converged;
	return n;
}

void cv_release(struct cv *cv)
{
	size_t i;

	for (i = 0; cv->res && i < cv->ntasks; i++) {
		free(cv->res[i].recall);
		free(cv->res[i].f1);
		free(cv->res[i].error);
		decision_release(&cv->res[i].dec);
		free(cv->res[i].prob);
		free(cv->res[i].pred);
	}
	free(cv->res);
	for (i = 0; cv->sum && i < cv->ncfg; i++) {
		free(cv->sum[i].recall_mean);
		free(cv->sum[i].recall_sd);
		free(cv->sum[i].f1_mean);
		free(cv->sum[i].f1_sd);
	}
	free(cv->sum);
	free(cv->order);
	for (i = 0; cv->fi && i < cv->nf; i++) {
		free(cv->fi[i].test_count);
		fitprep_release(&cv->fi[i].prep);
	}
	free(cv->fi);
	free(cv->center);
	free(cv->fold);
	cv->res = NULL;
	cv->sum = NULL;
	cv->order = NULL;
	cv->fi = NULL;
	cv->fold = NULL;
}
