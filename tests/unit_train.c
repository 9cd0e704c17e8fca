/*
 * unit_train.c: the objective and solvers of train.c on synthetic data: gradient
 * against finite differences, gamma 0 against cross-entropy, L-BFGS convergence
 * (CE and focal), bit-identical results for any thread count, SGD/Adam determinism,
 * the divergence guard, and the prediction helpers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "train.h"
#include "util.h"

/* A synthetic training set that owns its arrays. */
struct synth {
	struct trainset ts;
	float *x;
	uint32_t *y;
	double *roww;
	double cw[8];
};

static double gauss(struct rng *r)
{
	double u = rng_uniform(r), v = rng_uniform(r);

	return sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v);
}

/*
 * N rows of DIM standard normal features; labels drawn from a softmax of a random
 * linear model scaled by SEP (large: nearly separable), with class c's bias lowered
 * by c so the classes are imbalanced.  ROWW: random row weights in [0.5, 2).
 */
static void synth_make(struct synth *d, size_t n, size_t dim, size_t nclass, double sep,
                       int roww, uint64_t seed)
{
	struct rng r;
	double wt[8 * 64], z[8], m, sum, u;
	size_t i, j, c;

	rng_seed(&r, seed);
	d->x = xmalloc(n * dim * sizeof *d->x);
	d->y = xmalloc(n * sizeof *d->y);
	d->roww = roww ? xmalloc(n * sizeof *d->roww) : NULL;
	for (i = 0; i < nclass * dim; i++)
		wt[i] = gauss(&r);
	for (c = 0; c < 8; c++)
		d->cw[c] = 1;
	for (i = 0; i < n; i++) {
		m = -INFINITY;
		for (j = 0; j < dim; j++)
			d->x[i * dim + j] = (float)gauss(&r);
		for (c = 0; c < nclass; c++) {
			z[c] = -(double)c;
			for (j = 0; j < dim; j++)
				z[c] += sep * wt[c * dim + j] * d->x[i * dim + j];
			m = z[c] > m ? z[c] : m;
		}
		for (sum = 0, c = 0; c < nclass; c++)
			sum += z[c] = exp(z[c] - m);
		u = rng_uniform(&r) * sum;
		for (c = 0; c + 1 < nclass && u >= z[c]; c++)
			u -= z[c];
		d->y[i] = (uint32_t)c;
		if (roww)
			d->roww[i] = 0.5 + 1.5 * rng_uniform(&r);
	}
	d->ts = (struct trainset){ n, dim, nclass, d->x, d->y, d->roww, NULL, NULL };
}

static void synth_release(struct synth *d)
{
	free(d->x);
	free(d->y);
	free(d->roww);
}

/* Defaults a caller would pass. */
static struct trainopts opts_default(enum model_kind kind, const double *cw)
{
	struct trainopts o;

	memset(&o, 0, sizeof o);
	o.model = kind;
	o.loss = LOSS_CE;
	o.gamma = 2;
	o.lambda = 1e-3;
	o.class_weight = cw;
	o.positive = 1;
	o.solver = SOLVER_LBFGS;
	o.tol = 1e-6;
	o.max_iter = 500;
	o.epochs = 20;
	o.batch_size = 64;
	o.lr = 0.05;
	o.bias_prior = 1;
	o.seed = 42;
	o.threads = 1;
	return o;
}

/* Largest |fd - g| / (|g| + 1e-3) over the parameters at random PARAMS. */
static double fd_error(const struct synth *d, const struct trainopts *o, const struct linmodel *m)
{
	size_t np = linmodel_nparams(m), k;
	double *p = xmalloc(np * sizeof *p), *g = xmalloc(np * sizeof *g), h = 1e-6, worst = 0;
	struct rng r;

	rng_seed(&r, 7);
	for (k = 0; k < np; k++)
		p[k] = 0.7 * gauss(&r);
	objective(&d->ts, o, m, p, g);
	for (k = 0; k < np; k++) {
		double keep = p[k], fp, fm, fd, err;

		p[k] = keep + h;
		fp = objective(&d->ts, o, m, p, NULL);
		p[k] = keep - h;
		fm = objective(&d->ts, o, m, p, NULL);
		p[k] = keep;
		fd = (fp - fm) / (2 * h);
		err = fabs(fd - g[k]) / (fabs(g[k]) + 1e-3);
		if (!(err <= worst))
			worst = err;
	}
	free(p);
	free(g);
	return worst;
}

/* (a) gradient of J against central differences, every model/loss combination. */
static void test_gradient(void)
{
	static const double gammas[] = { 0, 0.5, 2 };
	struct synth d2, d3;
	struct linmodel m2, m3;
	struct trainopts o;
	size_t i;
	double err;

	synth_make(&d2, 150, 4, 2, 1.5, 1, 11);
	synth_make(&d3, 150, 4, 3, 1.5, 1, 12);
	d2.cw[0] = 0.25, d2.cw[1] = 3;
	d3.cw[0] = 0.5, d3.cw[1] = 2, d3.cw[2] = 4;
	linmodel_init(&m2, MODEL_LOGISTIC, 2, 4, 1);
	linmodel_init(&m3, MODEL_SOFTMAX, 3, 4, 0);
	for (i = 0; i < sizeof gammas / sizeof gammas[0]; i++) {
		o = opts_default(MODEL_LOGISTIC, d2.cw);
		o.loss = gammas[i] == 0 ? LOSS_CE : LOSS_FOCAL;
		o.gamma = gammas[i];
		o.lambda = 0.3;
		err = fd_error(&d2, &o, &m2);
		CHECK(err < 1e-6, "logistic %s gamma %g: gradient matches central differences (%.2g)",
		      o.loss == LOSS_CE ? "ce" : "focal", gammas[i], err);
		o.model = MODEL_SOFTMAX;
		o.class_weight = d3.cw;
		err = fd_error(&d3, &o, &m3);
		CHECK(err < 1e-6, "softmax %s gamma %g: gradient matches central differences (%.2g)",
		      o.loss == LOSS_CE ? "ce" : "focal", gammas[i], err);
	}
	/* Positive class 0: the logit is that of class 0. */
	m2.positive = 0;
	o = opts_default(MODEL_LOGISTIC, d2.cw);
	o.loss = LOSS_FOCAL;
	err = fd_error(&d2, &o, &m2);
	CHECK(err < 1e-6, "logistic with positive class 0: gradient matches (%.2g)", err);
	linmodel_release(&m2);
	linmodel_release(&m3);
	synth_release(&d2);
	synth_release(&d3);
}

/* (b) focal with gamma 0 is cross-entropy; J by hand on a tiny set. */
static void test_gamma0(void)
{
	struct synth d;
	struct linmodel m;
	struct trainopts o;
	double p[4] = { 0.3, -0.2, 0.1, 0.05 }, ce, fo, want = 0, sw = 0, z, w;
	size_t i;

	synth_make(&d, 200, 3, 2, 1, 1, 3);
	d.cw[0] = 0.4, d.cw[1] = 1.6;
	linmodel_init(&m, MODEL_LOGISTIC, 2, 3, 1);
	o = opts_default(MODEL_LOGISTIC, d.cw);
	o.lambda = 0.5;
	ce = objective(&d.ts, &o, &m, p, NULL);
	o.loss = LOSS_FOCAL;
	o.gamma = 0;
	fo = objective(&d.ts, &o, &m, p, NULL);
	CHECK(ce == fo, "focal gamma 0 objective equals the cross-entropy objective (%.17g)", ce);
	for (i = 0; i < d.ts.n; i++) {
		z = p[3] + p[0] * d.x[i * 3] + p[1] * d.x[i * 3 + 1] + p[2] * d.x[i * 3 + 2];
		w = d.cw[d.y[i]] * d.roww[i];
		want += w * log1p(exp(d.y[i] ? -z : z));
		sw += w;
	}
	want = want / sw + 0.25 * (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
	CHECK(close_to(ce, want, 1e-12, 0), "J = sum s_i loss_i / sum s_i + lambda/2 |W|^2 "
	      "(%.17g vs %.17g by hand)", ce, want);
	linmodel_release(&m);
	synth_release(&d);
}

/* Trains, failing a check when train() does; returns the result. */
static struct trainresult train_ok(const struct synth *d, const struct trainopts *o,
                                   struct linmodel *m, const char *what)
{
	struct trainresult r;
	struct ferr e = { "", 0, 0 };
	int rc = train(&d->ts, o, m, &r, &e);

	if (rc != 0) /* reported only when it fails: the callers check the result */
		CHECK(0, "%s: train returns 0 (%s)", what, e.msg);
	return r;
}

/* (c) and (f): L-BFGS converges for CE and focal; the optimum is the same from any start. */
static void test_lbfgs(void)
{
	struct synth d;
	struct linmodel m;
	struct trainopts o;
	struct trainresult r, r0;
	double j0, *w1;
	size_t np;

	synth_make(&d, 2000, 6, 3, 3, 1, 5);
	d.cw[2] = 5;
	linmodel_init(&m, MODEL_SOFTMAX, 3, 6, 0);
	np = linmodel_nparams(&m);
	o = opts_default(MODEL_SOFTMAX, d.cw);
	j0 = objective(&d.ts, &o, &m, m.w, NULL);
	r = train_ok(&d, &o, &m, "softmax ce lbfgs");
	CHECK(r.converged == 1 && r.gnorm < o.tol, "softmax ce lbfgs converges (%d iterations, "
	      "gnorm %.2g)", r.iterations, r.gnorm);
	CHECK(r.objective < j0 && r.objective == objective(&d.ts, &o, &m, m.w, NULL),
	      "objective %.6f (from %.6f) is J at the returned weights", r.objective, j0);

	/* Tight tolerance: the unique optimum, from the prior and from zero biases. */
	o.tol = 1e-9;
	r = train_ok(&d, &o, &m, "tol 1e-9, prior bias");
	w1 = xmalloc(np * sizeof *w1);
	memcpy(w1, m.w, np * sizeof *w1);
	o.bias_prior = 0;
	r0 = train_ok(&d, &o, &m, "tol 1e-9, zero bias");
	CHECK(r.converged && r0.converged && close_to(r.objective, r0.objective, 1e-12, 0),
	      "tol 1e-9 reached from both starts; same optimum (%.15g, %.15g; %d, %d iterations)",
	      r.objective, r0.objective, r.iterations, r0.iterations);
	o.bias_prior = 1;

	/* (f) focal gamma 2. */
	o.loss = LOSS_FOCAL;
	o.gamma = 2;
	o.tol = 1e-7;
	r = train_ok(&d, &o, &m, "softmax focal gamma 2 lbfgs");
	CHECK(r.converged == 1 && r.gnorm < o.tol, "softmax focal gamma 2 converges (%d iterations, "
	      "gnorm %.2g)", r.iterations, r.gnorm);
	o.gamma = 0.5;
	r = train_ok(&d, &o, &m, "softmax focal gamma 0.5 lbfgs");
	CHECK(r.converged == 1, "softmax focal gamma 0.5 converges (%d iterations)", r.iterations);
	free(w1);
	linmodel_release(&m);
	synth_release(&d);

	/* Logistic, nearly separable, focal gamma 2, tiny lambda. */
	synth_make(&d, 3000, 5, 2, 6, 0, 6);
	linmodel_init(&m, MODEL_LOGISTIC, 2, 5, 1);
	o = opts_default(MODEL_LOGISTIC, NULL);
	o.loss = LOSS_FOCAL;
	o.lambda = 1e-4;
	o.tol = 1e-8;
	j0 = objective(&d.ts, &o, &m, m.w, NULL);
	r = train_ok(&d, &o, &m, "logistic focal gamma 2");
	CHECK(r.converged == 1 && r.objective < j0, "logistic focal gamma 2, near separable, "
	      "converges (%d iterations, J %.4g from %.4g)", r.iterations, r.objective, j0);
	linmodel_release(&m);
	synth_release(&d);
}

/* (d) bit-identical weights and objective for 1, 2 and 3 threads. */
static void test_threads(void)
{
	struct synth d;
	struct linmodel m;
	struct trainopts o;
	struct trainresult r1, r2, r3;
	double *w1, *w2, *g1, *g2;
	size_t np;
	int same;

	synth_make(&d, 21000, 7, 4, 1, 1, 9);
	linmodel_init(&m, MODEL_SOFTMAX, 4, 7, 0);
	np = linmodel_nparams(&m);
	o = opts_default(MODEL_SOFTMAX, d.cw);
	o.loss = LOSS_FOCAL;
	w1 = xmalloc(np * sizeof *w1);
	w2 = xmalloc(np * sizeof *w2);
	g1 = xmalloc(np * sizeof *g1);
	g2 = xmalloc(np * sizeof *g2);
	r1 = train_ok(&d, &o, &m, "threads 1");
	memcpy(w1, m.w, np * sizeof *w1);
	o.threads = 2;
	r2 = train_ok(&d, &o, &m, "threads 2");
	memcpy(w2, m.w, np * sizeof *w2);
	same = !memcmp(w1, w2, np * sizeof *w1) && r1.objective == r2.objective &&
	       r1.iterations == r2.iterations;
	o.threads = 3;
	r3 = train_ok(&d, &o, &m, "threads 3");
	same &= !memcmp(w1, m.w, np * sizeof *w1) && r1.objective == r3.objective;
	CHECK(same && r1.converged, "lbfgs weights bit-identical for 1, 2, 3 threads (%zu rows)",
	      d.ts.n);
	o.threads = 1;
	objective(&d.ts, &o, &m, w1, g1);
	o.threads = 2;
	objective(&d.ts, &o, &m, w1, g2);
	CHECK(!memcmp(g1, g2, np * sizeof *g1), "gradient bit-identical for 1 and 2 threads");

	o.solver = SOLVER_ADAM;
	o.batch_size = 10000; /* several blocks per batch: the threaded path */
	o.epochs = 3;
	o.lr = 0.01;
	o.threads = 1;
	train_ok(&d, &o, &m, "adam threads 1");
	memcpy(w1, m.w, np * sizeof *w1);
	o.threads = 2;
	train_ok(&d, &o, &m, "adam threads 2");
	CHECK(!memcmp(w1, m.w, np * sizeof *w1), "adam weights bit-identical for 1 and 2 threads");
	free(w1);
	free(w2);
	free(g1);
	free(g2);
	linmodel_release(&m);
	synth_release(&d);
}

static int progress_calls;

static void count_progress(void *ctx, int iter, double objective_, double gnorm)
{
	(void)ctx;
	(void)iter;
	(void)gnorm;
	if (isfinite(objective_))
		progress_calls++;
}

/* (e) SGD and Adam lower J, are deterministic for a seed, and depend on it. */
static void test_stochastic(void)
{
	static const enum solver_kind solvers[] = { SOLVER_SGD, SOLVER_ADAM };
	static const char *names[] = { "sgd", "adam" };
	struct synth d;
	struct linmodel m;
	struct trainopts o;
	struct trainresult r;
	double j0, jb, *w1;
	size_t np, i;

	synth_make(&d, 3000, 5, 3, 2, 1, 21);
	linmodel_init(&m, MODEL_SOFTMAX, 3, 5, 0);
	np = linmodel_nparams(&m);
	w1 = xmalloc(np * sizeof *w1);
	for (i = 0; i < 2; i++) {
		o = opts_default(MODEL_SOFTMAX, d.cw);
		o.loss = LOSS_FOCAL;
		o.solver = solvers[i];
		o.lr = solvers[i] == SOLVER_SGD ? 0.1 : 0.01;
		o.progress = count_progress;
		o.bias_prior = 0; /* start at 0, where j0 is taken */
		memset(m.w, 0, np * sizeof *m.w);
		j0 = objective(&d.ts, &o, &m, m.w, NULL);
		progress_calls = 0;
		r = train_ok(&d, &o, &m, names[i]);
		CHECK(r.objective < 0.8 * j0 && r.iterations == o.epochs && progress_calls == o.epochs,
		      "%s: J %.5f from %.5f in %d epochs, progress called each epoch", names[i],
		      r.objective, j0, r.iterations);
		memcpy(w1, m.w, np * sizeof *w1);
		jb = r.objective;
		o.progress = NULL;
		r = train_ok(&d, &o, &m, names[i]);
		CHECK(!memcmp(w1, m.w, np * sizeof *w1) && r.objective == jb,
		      "%s: same seed, same weights (progress hook or not)", names[i]);
		o.seed = 43;
		train_ok(&d, &o, &m, names[i]);
		CHECK(memcmp(w1, m.w, np * sizeof *w1) != 0, "%s: another seed, other weights",
		      names[i]);
	}
	free(w1);
	linmodel_release(&m);
	synth_release(&d);
}

/*
 * Without --epochs (0) SGD and Adam plan enough epochs for 5000 steps, at least 10,
 * and with their default rates land within 2% of the L-BFGS objective.
 */
static void test_stochastic_plan(void)
{
	static const enum solver_kind solvers[] = { SOLVER_SGD, SOLVER_ADAM };
	static const char *names[] = { "sgd", "adam" };
	struct synth d;
	struct linmodel m;
	struct trainopts o;
	struct trainresult r;
	double jl;
	size_t i;

	synth_make(&d, 3000, 5, 3, 2, 1, 21);
	linmodel_init(&m, MODEL_SOFTMAX, 3, 5, 0);
	o = opts_default(MODEL_SOFTMAX, d.cw);
	o.loss = LOSS_FOCAL;
	jl = train_ok(&d, &o, &m, "lbfgs").objective;
	for (i = 0; i < 2; i++) {
		o.solver = solvers[i];
		o.lr = solvers[i] == SOLVER_SGD ? 0.1 : 0.01;
		o.tol = 5e-3;
		o.epochs = 0;
		o.batch_size = 64; /* 47 steps an epoch: 107 epochs */
		r = train_ok(&d, &o, &m, names[i]);
		CHECK(r.iterations == 107 && r.objective <= 1.02 * jl && r.converged,
		      "%s, planned epochs: %d epochs, J %.6f against lbfgs %.6f, converged %d",
		      names[i], r.iterations, r.objective, jl, r.converged);
		o.batch_size = 1000; /* 3 steps an epoch: 1667 epochs */
		r = train_ok(&d, &o, &m, names[i]);
		CHECK(r.iterations == 1667 && r.objective <= 1.02 * jl,
		      "%s, large batches: %d epochs, J %.6f against lbfgs %.6f", names[i],
		      r.iterations, r.objective, jl);
		o.batch_size = 1; /* 3000 steps an epoch */
		r = train_ok(&d, &o, &m, names[i]);
		CHECK(r.iterations == 10, "%s, small batches: at least 10 epochs (%d)", names[i],
		      r.iterations);
	}
	linmodel_release(&m);
	synth_release(&d);
}

/* Too large a learning rate is reported, not returned as garbage. */
static void test_divergence(void)
{
	struct synth d;
	struct linmodel m;
	struct trainopts o;
	struct trainresult r;
	struct ferr e = { "", 0, 0 };
	int rc;

	synth_make(&d, 500, 4, 2, 1, 0, 4);
	linmodel_init(&m, MODEL_LOGISTIC, 2, 4, 1);
	o = opts_default(MODEL_LOGISTIC, NULL);
	o.solver = SOLVER_SGD;
	o.lambda = 1;
	o.lr = 1e300;
	rc = train(&d.ts, &o, &m, &r, &e);
	CHECK(rc == -1 && strstr(e.msg, "training diverged") && strstr(e.msg, "--lr"),
	      "sgd with lr 1e300 fails: %s", e.msg);
	linmodel_release(&m);
	synth_release(&d);
}

/* Probabilities: sum to 1, float and double rows agree, logistic orientation. */
static void test_predict(void)
{
	struct linmodel m;
	float xf[3] = { 0.5f, -1.25f, 2 };
	double xd[3] = { 0.5, -1.25, 2 }, p[4], q[4], z;
	size_t k;

	linmodel_init(&m, MODEL_SOFTMAX, 4, 3, 0);
	for (k = 0; k < linmodel_nparams(&m); k++)
		m.w[k] = 0.1 * (double)k - 0.6;
	linmodel_predict(&m, xd, p);
	linmodel_predict_f(&m, xf, q);
	CHECK(close_to(p[0] + p[1] + p[2] + p[3], 1, 1e-15, 0) && !memcmp(p, q, sizeof p),
	      "softmax probabilities sum to 1; float and double rows agree");
	for (k = 0; k < linmodel_nparams(&m); k++)
		m.w[k] = k % 2 ? 900 : -900;
	linmodel_predict(&m, xd, p);
	CHECK(isfinite(p[0] + p[1] + p[2] + p[3]), "softmax probabilities finite for huge logits");
	linmodel_release(&m);

	linmodel_init(&m, MODEL_LOGISTIC, 2, 3, 0);
	m.w[0] = 1, m.w[1] = 2, m.w[2] = -0.5, m.w[3] = 0.25;
	z = 0.25 + 0.5 - 2.5 - 1;
	linmodel_predict(&m, xd, p);
	CHECK(close_to(p[0], 1 / (1 + exp(-z)), 1e-15, 0) && close_to(p[1], 1 / (1 + exp(z)), 1e-15, 0),
	      "logistic: the logit is that of the positive class (%g, %g)", p[0], p[1]);
	linmodel_release(&m);
}

/* (g) transformed features (col_scale, col_shift) give the objective and gradient of
 * the explicitly transformed data, and linmodel_affine scores raw rows the same way. */
static void test_affine(void)
{
	struct synth d, t;
	size_t n = 300, dim = 6, j, i, np, k;
	double scale[6], shift[6], *p, *g1, *g2, f1, f2, worst = 0, prob1[3], prob2[3], xd[6], *eff;
	struct trainopts o = opts_default(MODEL_SOFTMAX, NULL);
	struct linmodel m, me;
	struct rng r;

	o.loss = LOSS_FOCAL;
	o.gamma = 1.5;
	synth_make(&d, n, dim, 3, 1.0, 1, 5);
	synth_make(&t, n, dim, 3, 1.0, 1, 5);
	for (j = 0; j < dim; j++) {
		scale[j] = 0.5 + 0.25 * (double)j;
		shift[j] = 0.3 - 0.1 * (double)j;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < dim; j++)
			t.x[i * dim + j] = (float)(d.x[i * dim + j] * scale[j] + shift[j]);
	d.ts.col_scale = scale;
	d.ts.col_shift = shift;
	linmodel_init(&m, MODEL_SOFTMAX, 3, dim, 1);
	np = linmodel_nparams(&m);
	p = xmalloc(np * sizeof *p);
	g1 = xmalloc(np * sizeof *g1);
	g2 = xmalloc(np * sizeof *g2);
	eff = xmalloc(np * sizeof *eff);
	rng_seed(&r, 9);
	for (k = 0; k < np; k++)
		p[k] = gauss(&r);
	f1 = objective(&d.ts, &o, &m, p, g1);
	f2 = objective(&t.ts, &o, &m, p, g2);
	for (k = 0; k < np; k++)
		if (fabs(g1[k] - g2[k]) > worst)
			worst = fabs(g1[k] - g2[k]);
	CHECK(close_to(f1, f2, 1e-6, 0) && worst < 1e-6,
	      "col_scale/col_shift: J %.12g vs %.12g on transformed rows, gradient within %.2g", f1, f2,
	      worst);
	linmodel_affine(&m, p, scale, shift, eff);
	memcpy(m.w, p, np * sizeof *p);
	linmodel_init(&me, MODEL_SOFTMAX, 3, dim, 1);
	memcpy(me.w, eff, np * sizeof *eff);
	for (j = 0; j < dim; j++)
		xd[j] = t.x[j];
	linmodel_predict(&m, xd, prob1);
	for (j = 0; j < dim; j++)
		xd[j] = d.x[j];
	linmodel_predict(&me, xd, prob2);
	CHECK(close_to(prob1[0], prob2[0], 1e-5, 1e-7) && close_to(prob1[2], prob2[2], 1e-5, 1e-7),
	      "linmodel_affine scores raw rows as the model scores transformed ones");
	linmodel_release(&m);
	linmodel_release(&me);
	free(p);
	free(g1);
	free(g2);
	free(eff);
	synth_release(&d);
	synth_release(&t);
}

/* A warm start (from the optimum at a larger lambda) reaches the cold start's optimum. */
static void test_warm_start(void)
{
	struct synth d;
	struct linmodel m, w;
	struct trainopts o;
	struct trainresult cold, warm, big;
	double *init;
	size_t np;

	synth_make(&d, 3000, 8, 4, 2, 0, 9);
	linmodel_init(&m, MODEL_SOFTMAX, 4, 8, 0);
	linmodel_init(&w, MODEL_SOFTMAX, 4, 8, 0);
	np = linmodel_nparams(&m);
	o = opts_default(MODEL_SOFTMAX, NULL);
	o.tol = 1e-4;
	o.lambda = 0.1;
	big = train_ok(&d, &o, &w, "lambda 0.1");
	init = xmalloc(np * sizeof *init);
	memcpy(init, w.w, np * sizeof *init);
	o.lambda = 0.0316;
	cold = train_ok(&d, &o, &m, "cold at 0.0316");
	o.init = init;
	warm = train_ok(&d, &o, &w, "warm at 0.0316");
	CHECK(big.converged && cold.converged && warm.converged &&
	      close_to(warm.objective, cold.objective, 1e-7, 0) && warm.iterations < cold.iterations,
	      "a warm start from lambda 0.1 reaches the cold optimum at 0.0316 (J %.12g vs %.12g) "
	      "in fewer iterations (%d vs %d)", warm.objective, cold.objective, warm.iterations,
	      cold.iterations);
	free(init);
	linmodel_release(&m);
	linmodel_release(&w);
	synth_release(&d);
}

int main(void)
{
	test_warm_start();
	test_affine();
	test_gradient();
	test_gamma0();
	test_lbfgs();
	test_threads();
	test_stochastic();
	test_stochastic_plan();
	test_divergence();
	test_predict();
	TAP_DONE();
}
