/*
 * unit_cv.c: the fit of one configuration on a set of rows (fit.c) and the
 * cross-validation engine (cv.c) on the bundled datasets: the words of --loss and
 * --model, stratified folds, a fold's fit against a fit on a file holding just its
 * training rows, multiplicities against repeated rows, the grid of configurations, and
 * cv results identical on 1 and 2 threads.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cv.h"
#include "fit.h"
#include "tap.h"

/* datasets/NAME under $FOCAL_SRCDIR (default: the current directory). */
static void dataset_path(const char *name, char *path, size_t size)
{
	const char *dir = getenv("FOCAL_SRCDIR");

	snprintf(path, size, "%s/datasets/%s", dir && *dir ? dir : ".", name);
}

/* Loads datasets/NAME as cv does (missing values listed, lines kept). */
static int load(const char *name, const char *target, const char *drop, struct schema *s,
                struct dataset *d)
{
	struct readopts o;
	struct ferr e = { "", 1, 0 };
	char path[4096];

	dataset_path(name, path, sizeof path);
	readopts_init(&o);
	o.target = target;
	o.drop = drop;
	o.keep_missing = 1;
	o.keep_lines = 1;
	o.threads = 1;
	memset(s, 0, sizeof *s);
	memset(d, 0, sizeof *d);
	if (data_load_train((const char *const[]){ path }, 1, &o, s, d, &e) != 0) {
		printf("# %s: %s\n", path, e.msg);
		return -1;
	}
	return 0;
}

static void test_words(void)
{
	enum loss_kind l = LOSS_CE;
	enum model_choice c = CHOOSE_AUTO;
	enum model_kind k;
	struct ferr e = { "", 1, 0 };

	CHECK(fit_parse_loss("focal", &l) == 0 && l == LOSS_FOCAL, "--loss focal");
	CHECK(fit_parse_loss("ce", &l) == 0 && l == LOSS_CE, "--loss ce");
	CHECK(fit_parse_loss("Focal", &l) != 0, "--loss words are case-sensitive");
	CHECK(fit_parse_model("softmax", &c) == 0 && c == CHOOSE_SOFTMAX, "--model softmax");
	CHECK(fit_parse_model("auto", &c) == 0 && c == CHOOSE_AUTO, "--model auto");
	CHECK(fit_parse_model("linear", &c) != 0, "--model linear is refused");
	CHECK(strcmp(fit_choice_name(CHOOSE_LOGISTIC), "logistic") == 0, "the words read back");
	CHECK(fit_model_kind(CHOOSE_AUTO, 2, &k, &e) == 0 && k == MODEL_LOGISTIC,
	      "auto is logistic on two classes");
	CHECK(fit_model_kind(CHOOSE_AUTO, 3, &k, &e) == 0 && k == MODEL_SOFTMAX,
	      "auto is softmax on three");
	CHECK(fit_model_kind(CHOOSE_LOGISTIC, 3, &k, &e) != 0 && e.status == 2 &&
	      strstr(e.msg, "needs two classes"), "logistic on three classes is a usage error");
}

/* Each class splits within one row of even across the K folds of repeat R, and so do the folds. */
static void test_stratified(const char *name, const struct schema *s, const struct dataset *d,
                            size_t k, size_t r)
{
	uint32_t *fold = xcalloc(d->n + 1, sizeof *fold), *again = xcalloc(d->n + 1, sizeof *again);
	size_t *cnt = xcalloc(k * s->nclass, sizeof *cnt), *size = xcalloc(k, sizeof *size);
	size_t i, c, f, lo, hi, slo = (size_t)-1, shi = 0;
	int even = 1, inrange = 1;

	cv_make_folds(d, s->nclass, k, 7, r, fold);
	cv_make_folds(d, s->nclass, k, 7, r, again);
	for (i = 0; i < d->n; i++) {
		inrange &= fold[i] < k;
		if (fold[i] < k) {
			cnt[fold[i] * s->nclass + d->y[i]]++;
			size[fold[i]]++;
		}
	}
	for (c = 0; c < s->nclass; c++) {
		lo = (size_t)-1;
		hi = 0;
		for (f = 0; f < k; f++) {
			lo = cnt[f * s->nclass + c] < lo ? cnt[f * s->nclass + c] : lo;
			hi = cnt[f * s->nclass + c] > hi ? cnt[f * s->nclass + c] : hi;
		}
		even &= hi - lo <= 1 && lo == d->count[c] / k;
	}
	for (f = 0; f < k; f++) {
		slo = size[f] < slo ? size[f] : slo;
		shi = size[f] > shi ? size[f] : shi;
	}
	CHECK(inrange, "%s, k=%zu, repeat %zu: every row has a fold", name, k, r + 1);
	CHECK(even, "%s, k=%zu, repeat %zu: each class's count in each fold is within 1 of even",
	      name, k, r + 1);
	CHECK(shi - slo <= 1, "%s, k=%zu, repeat %zu: fold sizes within 1 (%zu..%zu)", name, k,
	      r + 1, slo, shi);
	CHECK(memcmp(fold, again, d->n * sizeof *fold) == 0,
	      "%s, k=%zu, repeat %zu: the same seed deals the same folds", name, k, r + 1);
	free(fold);
	free(again);
	free(cnt);
	free(size);
}

static void test_folds(void)
{
	static const size_t ks[] = { 2, 3, 5, 10 };
	struct schema s;
	struct dataset d;
	uint32_t *a, *b;
	size_t i;

	if (load("glass.csv", NULL, NULL, &s, &d) != 0) {
		CHECK(0, "glass.csv loads");
		return;
	}
	for (i = 0; i < sizeof ks / sizeof ks[0]; i++)
		test_stratified("glass", &s, &d, ks[i], 0);
	test_stratified("glass", &s, &d, 5, 1);
	a = xcalloc(d.n, sizeof *a);
	b = xcalloc(d.n, sizeof *b);
	cv_make_folds(&d, s.nclass, 5, 1, 0, a);
	cv_make_folds(&d, s.nclass, 5, 1, 1, b);
	CHECK(memcmp(a, b, d.n * sizeof *a) != 0, "glass: two repeats deal different folds");
	CHECK(cv_derive_seed(1, CV_SEED_SAMPLE, 0, 1, 0) != cv_derive_seed(1, CV_SEED_SAMPLE, 1, 0, 0),
	      "derived seeds tell repeat from fold");
	free(a);
	free(b);
	dataset_release(&d);
	schema_release(&s);
}

/* The plain configuration of a dataset: ce (or focal), no weighting, no sampling. */
static void plain_config(const struct schema *s, const struct dataset *d, enum loss_kind loss,
                         const struct weighting *none, struct fitconfig *c)
{
	struct ferr e = { "", 1, 0 };

	memset(c, 0, sizeof *c);
	fit_model_kind(CHOOSE_AUTO, s->nclass, &c->kind, &e);
	c->positive = fit_positive(s, d, NULL, &e);
	c->loss = loss;
	c->gamma = 2;
	c->wt = none;
	c->sample = SAMPLE_NONE;
	c->ratio = 1;
	c->smote_k = 5;
	c->lambda = NAN;
	fit_defaults(&c->solver);
	c->solver.tol = 1e-10; /* converge far, so that rounding alone tells the fits apart */
	c->solver.max_iter = 5000;
	c->solver.threads = 1;
}

/*
 * Copies SRC to OUT line by line, the header once and line NO TIMES(CTX, NO) times
 * (lines numbered from 1, as dataset.line).
 */
static int copy_lines(const char *src, const char *out, size_t (*times)(void *ctx, unsigned long no),
                      void *ctx)
{
	FILE *in = fopen(src, "r"), *fp = fopen(out, "w");
	char line[8192];
	unsigned long no = 0;
	size_t t;

	if (!in || !fp) {
		if (in)
			fclose(in);
		if (fp)
			fclose(fp);
		return -1;
	}
	while (fgets(line, sizeof line, in))
		for (t = ++no == 1 ? 1 : times(ctx, no); t > 0; t--)
			fputs(line, fp);
	fclose(in);
	return fclose(fp);
}

/* The rows of D with COUNT[i] > 0, once each (the lines of copy_lines, in order). */
struct rowset {
	const struct dataset *d;
	const double *count;
	size_t i;
};

static size_t rowset_times(void *ctx, unsigned long no)
{
	struct rowset *r = ctx;

	while (r->i < r->d->n && r->d->line[r->i] < no)
		r->i++;
	return r->i < r->d->n && r->d->line[r->i] == no && r->count[r->i] > 0;
}

static size_t twice(void *ctx, unsigned long no)
{
	(void)ctx;
	(void)no;
	return 2;
}

/* max |a_i - b_i| / max |b_i| */
static double rel_diff(const double *a, const double *b, size_t n)
{
	double m = 0, big = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		m = fabs(a[i] - b[i]) > m ? fabs(a[i] - b[i]) : m;
		big = fabs(b[i]) > big ? fabs(b[i]) : big;
	}
	return big > 0 ? m / big : m;
}

/*
 * Fits LOSS on a file of SRC's lines (copy_lines with TIMES and CTX) as focal train
 * does, into OUT; 0, or -1.
 */
static int fit_copy(const char *src, const char *target, const char *drop,
                    size_t (*times)(void *ctx, unsigned long no), void *ctx, enum loss_kind loss,
                    struct fitresult *out)
{
	char tmp[] = "/tmp/focal-unit-cv-XXXXXX";
	struct schema s;
	struct dataset d;
	struct readopts o;
	struct weighting none;
	struct fitconfig c;
	struct fitrows whole;
	struct ferr e = { "", 1, 0 };
	int fd = mkstemp(tmp), ok;

	memset(&s, 0, sizeof s);
	memset(&d, 0, sizeof d);
	memset(&none, 0, sizeof none);
	memset(&whole, 0, sizeof whole);
	memset(out, 0, sizeof *out);
	none.kind = WEIGHT_NONE;
	if (fd >= 0)
		close(fd);
	readopts_init(&o);
	o.target = target;
	o.drop = drop;
	o.threads = 1;
	ok = fd >= 0 && copy_lines(src, tmp, times, ctx) == 0 &&
	     data_load_train((const char *const[]){ tmp }, 1, &o, &s, &d, &e) == 0;
	if (ok) {
		plain_config(&s, &d, loss, &none, &c);
		ok = fit_rows(&d, &s, &whole, &c, out, &e) == 0;
	}
	if (!ok)
		printf("# %s: %s\n", tmp, e.msg);
	unlink(tmp);
	dataset_release(&d);
	schema_release(&s);
	return ok ? 0 : -1;
}

/*
 * A fold's fit (its training rows as multiplicities, standardised and imputed on those
 * rows) against train's fit of a file holding just those rows.  They agree to rounding
 * only: the fold reads globally standardised floats and re-standardises them, the file
 * is standardised once, so the features differ in the last float bits.
 */
static void test_fold_equals_train(const char *name, const char *target, const char *drop,
                                   enum loss_kind loss)
{
	struct schema s;
	struct dataset d;
	struct weighting none = { WEIGHT_NONE, 0, NULL, NULL };
	struct fitconfig c;
	struct fitrows rows;
	struct fitresult a, b, viacv;
	struct fitprep prep[4];
	struct rowset set;
	struct ferr e = { "", 1, 0 };
	uint32_t *fold;
	double *count, *center, ra, rb;
	char src[4096];
	size_t i, np, total, ntrain;
	int ok;

	if (load(name, target, drop, &s, &d) != 0) {
		CHECK(0, "%s loads", name);
		return;
	}
	dataset_path(name, src, sizeof src);
	fold = xcalloc(d.n + 1, sizeof *fold);
	count = xcalloc(d.n + 1, sizeof *count);
	cv_make_folds(&d, s.nclass, 4, 3, 0, fold);
	for (i = 0, ntrain = 0; i < d.n; i++) {
		count[i] = fold[i] != 1;
		ntrain += fold[i] != 1;
	}
	plain_config(&s, &d, loss, &none, &c);
	memset(&rows, 0, sizeof rows);
	rows.count = count;
	rows.standardize = 1;
	ok = fit_rows(&d, &s, &rows, &c, &a, &e) == 0;
	CHECK(ok, "%s: fit on fold 2's training rows (%s)", name, e.msg);
	for (i = 0, total = 0; ok && i < s.nclass; i++)
		total += a.count_before[i];
	CHECK(ok && total == ntrain && a.rows == ntrain,
	      "%s: the set has the fold's %zu training rows, counted per class", name, ntrain);

	/* the same fit with the fold's fitprep as cv computes it, for all folds at once */
	center = fit_column_means(&d, &s, NULL);
	fitprep_complements(&d, &s, fold, 4, NULL, 1, center, NULL, prep);
	rows.prep = &prep[1];
	ok &= fit_rows(&d, &s, &rows, &c, &viacv, &e) == 0;
	np = linmodel_nparams(&a.lm);
	/* 1e-8: the fast pass rounds the two equal forms of the rows apart, in float, so the
	 * exact pass takes over from two points and stops at two within the --tol ball */
	CHECK(ok && rel_diff(viacv.lm.w, a.lm.w, np) < 1e-8,
	      "%s: cv's fold fitprep gives the fit of the rows' own (rel diff %.3g)", name,
	      ok ? rel_diff(viacv.lm.w, a.lm.w, np) : NAN);

	/* a file of the training rows only, read and fitted as focal train does */
	set.d = &d;
	set.count = count;
	set.i = 0;
	ok &= fit_copy(src, target, drop, rowset_times, &set, loss, &b) == 0;
	CHECK(ok && b.rows == a.rows && linmodel_nparams(&b.lm) == np,
	      "%s: the fold's training rows as a file fit as train does (%zu rows)", name, b.rows);
	if (ok) {
		ra = rel_diff(a.lm.w, b.lm.w, np);
		rb = fabs(a.tr.objective - b.tr.objective) / fabs(b.tr.objective);
		printf("# %s: weights differ by %.3g (relative), objectives by %.3g\n", name, ra, rb);
		CHECK(ra < 1e-6, "%s, %s: the fold's weights are the file's to 1e-6 (%.3g)", name,
		      fit_loss_name(loss), ra);
		CHECK(rb < 1e-8, "%s, %s: the fold's objective is the file's to 1e-8 (%.3g)", name,
		      fit_loss_name(loss), rb);
		CHECK(a.lambda == b.lambda && a.lambda == 1.0 / (double)a.rows,
		      "%s: lambda is 1/n of the same n", name);
	}
	for (i = 0; i < 4; i++)
		fitprep_release(&prep[i]);
	free(center);
	fitresult_release(&a);
	fitresult_release(&b);
	fitresult_release(&viacv);
	free(fold);
	free(count);
	dataset_release(&d);
	schema_release(&s);
}

/* Every row of multiplicity 2 fits as a file holding every row twice (to rounding). */
static void test_multiplicity(void)
{
	struct schema s;
	struct dataset d;
	struct weighting none = { WEIGHT_NONE, 0, NULL, NULL };
	struct fitconfig c;
	struct fitrows rows;
	struct fitresult a, b;
	struct ferr e = { "", 1, 0 };
	char src[4096];
	double *count, r;
	size_t i;
	int ok;

	if (load("wdbc.csv", NULL, NULL, &s, &d) != 0) {
		CHECK(0, "wdbc.csv loads");
		return;
	}
	dataset_path("wdbc.csv", src, sizeof src);
	count = xcalloc(d.n, sizeof *count);
	for (i = 0; i < d.n; i++)
		count[i] = 2;
	plain_config(&s, &d, LOSS_FOCAL, &none, &c);
	memset(&rows, 0, sizeof rows);
	rows.count = count;
	rows.standardize = 1;
	ok = fit_rows(&d, &s, &rows, &c, &a, &e) == 0;
	ok &= fit_copy(src, NULL, NULL, twice, NULL, LOSS_FOCAL, &b) == 0;
	CHECK(ok && a.rows == 2 * d.n && b.rows == a.rows && a.lambda == b.lambda,
	      "wdbc: multiplicity 2 counts every row twice (%zu rows, lambda 1/%zu)", a.rows, a.rows);
	r = ok ? rel_diff(a.lm.w, b.lm.w, linmodel_nparams(&a.lm)) : NAN;
	CHECK(ok && r < 1e-6, "wdbc: and fits as the file of every row twice (rel diff %.3g)", r);
	fitresult_release(&a);
	fitresult_release(&b);
	free(count);
	dataset_release(&d);
	schema_release(&s);
}

/* A grid of configurations on DATA: ce and focal x none and balanced x none, over, smote. */
static void make_grid(struct cvgrid *g)
{
	memset(g, 0, sizeof *g);
	numlist_add(&g->loss, LOSS_CE);
	numlist_add(&g->loss, LOSS_FOCAL);
	numlist_add(&g->sample, SAMPLE_NONE);
	numlist_add(&g->sample, SAMPLE_OVER);
	numlist_add(&g->sample, SAMPLE_SMOTE);
	cvgrid_add_weighting(g, WEIGHT_NONE, xstrdup("none"));
	cvgrid_add_weighting(g, WEIGHT_BALANCED, xstrdup("balanced"));
	cvgrid_defaults(g);
}

static void test_grid(void)
{
	struct schema s;
	struct dataset d;
	struct cvgrid g;
	struct cvconfig *cfg;
	struct ferr e = { "", 1, 0 };
	size_t n = 0;
	char *names = NULL;
	size_t len = 0, i;

	if (load("glass.csv", NULL, NULL, &s, &d) != 0) {
		CHECK(0, "glass.csv loads");
		return;
	}
	make_grid(&g);
	numlist_add(&g.model, CHOOSE_AUTO);
	numlist_add(&g.model, CHOOSE_SOFTMAX); /* the same model as auto on six classes */
	CHECK(cvgrid_resolve(&g, &s, &e) == 0, "the grid's weightings resolve");
	cfg = cvconfigs_make(&g, &s, 1, NULL, &n, &e);
	CHECK(cfg && n == 12, "2 losses x 2 weightings x 3 samplings, softmax counted once (%zu)", n);
	for (i = 0; cfg && i < n; i++) {
		size_t l = strlen(cfg[i].name);

		names = xrealloc(names, len + l + 2);
		memcpy(names + len, cfg[i].name, l);
		names[len + l] = '|';
		len += l + 1;
		names[len] = '\0';
	}
	CHECK(names && strcmp(names, "ce|ce over|ce smote|ce balanced|ce balanced over|"
	                             "ce balanced smote|focal g=2|focal g=2 over|focal g=2 smote|"
	                             "focal g=2 balanced|focal g=2 balanced over|"
	                             "focal g=2 balanced smote|") == 0,
	      "the configurations in grid order, named (%s)", names ? names : "");
	free(names);
	cvconfigs_free(cfg, n);
	cvgrid_release(&g);
	numlist_add(&g.model, CHOOSE_LOGISTIC);
	cvgrid_defaults(&g);
	cfg = cvconfigs_make(&g, &s, 1, NULL, &n, &e);
	CHECK(!cfg && e.status == 2, "--model logistic on six classes is refused");
	cvgrid_release(&g);
	dataset_release(&d);
	schema_release(&s);
}

/* Runs cv of the grid on D with THREADS threads into CV. */
static int run_cv(const struct schema *s, const struct dataset *d, const struct cvconfig *cfg,
                  size_t ncfg, const struct cvopts *o, struct cv *cv)
{
	struct ferr e = { "", 1, 0 };

	memset(cv, 0, sizeof *cv);
	cv->o = o;
	cv->s = s;
	cv->d = d;
	cv->cfg = cfg;
	cv->ncfg = ncfg;
	cv_folds(cv);
	if (cv_run(cv, &e) != 0) {
		printf("# cv: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* The figures of two runs are the same to the bit. */
static int same_results(const struct cv *a, const struct cv *b, size_t nclass)
{
	size_t t, c;

	if (a->ntasks != b->ntasks)
		return 0;
	for (t = 0; t < a->ntasks; t++) {
		const struct cvresult *x = &a->res[t], *y = &b->res[t];

		if (memcmp(x->metric, y->metric, sizeof x->metric) != 0 ||
		    memcmp(&x->objective, &y->objective, sizeof x->objective) != 0 ||
		    x->iterations != y->iterations || x->train_rows != y->train_rows)
			return 0;
		for (c = 0; c < nclass; c++)
			if (memcmp(&x->recall[c], &y->recall[c], sizeof x->recall[c]) != 0 ||
			    memcmp(&x->f1[c], &y->f1[c], sizeof x->f1[c]) != 0)
				return 0;
	}
	for (c = 0; c < a->ncfg; c++)
		if (a->order[c] != b->order[c] ||
		    memcmp(a->sum[c].mean, b->sum[c].mean, sizeof a->sum[c].mean) != 0)
			return 0;
	return 1;
}

static void test_threads(const char *name, const char *target, const char *drop, int solver)
{
	struct schema s;
	struct dataset d;
	struct cvgrid g;
	struct cvconfig *cfg;
	struct cvopts o;
	struct cv one, two;
	struct ferr e = { "", 1, 0 };
	size_t n = 0;
	int ok;

	if (load(name, target, drop, &s, &d) != 0) {
		CHECK(0, "%s loads", name);
		return;
	}
	make_grid(&g);
	cvgrid_resolve(&g, &s, &e);
	cfg = cvconfigs_make(&g, &s, fit_positive(&s, &d, NULL, &e), NULL, &n, &e);
	memset(&o, 0, sizeof o);
	o.k = 3;
	o.repeat = 2;
	o.metric = CV_MCC;
	o.smote_k = 5;
	o.standardize = 1;
	fit_defaults(&o.t);
	o.t.solver = (enum solver_kind)solver;
	o.t.epochs = 3;
	o.t.lr = 0.01;
	o.t.tol = solver == SOLVER_LBFGS ? 1e-4 : 5e-3;
	o.t.threads = 1;
	ok = run_cv(&s, &d, cfg, n, &o, &one) == 0;
	o.t.threads = 2;
	ok &= run_cv(&s, &d, cfg, n, &o, &two) == 0;
	CHECK(ok && two.threads == 2 && one.threads == 1, "%s: cv runs on 1 and on 2 threads", name);
	CHECK(ok && one.ntasks == 2 * 3 * n, "%s: a task per repeat, fold and configuration (%zu)",
	      name, one.ntasks);
	CHECK(ok && same_results(&one, &two, s.nclass),
	      "%s, %s: every fold's figures, the summaries and the order are the same on 1 and 2 "
	      "threads", name, fit_solver_name((enum solver_kind)solver));
	cv_release(&one);
	cv_release(&two);
	cvconfigs_free(cfg, n);
	cvgrid_release(&g);
	dataset_release(&d);
	schema_release(&s);
}

int main(void)
{
	test_words();
	test_folds();
	test_fold_equals_train("breast-cancer-wisconsin.csv", "class", "id", LOSS_CE);
	test_fold_equals_train("breast-cancer-wisconsin.csv", "class", "id", LOSS_FOCAL);
	test_fold_equals_train("wdbc.csv", NULL, NULL, LOSS_CE);
	test_fold_equals_train("glass.csv", NULL, NULL, LOSS_FOCAL);
	test_multiplicity();
	test_grid();
	test_threads("breast-cancer-wisconsin.csv", "class", "id", SOLVER_LBFGS);
	test_threads("glass.csv", NULL, NULL, SOLVER_ADAM);
	TAP_DONE();
}
