/*
 * train.c: the objective J of SPEC "The model and its objective", its gradient, and
 * the solvers (L-BFGS with a strong Wolfe line search; mini-batch SGD and Adam).
 *
 * Determinism: a pass over rows is cut into blocks of BLOCK_ROWS rows, fixed by the
 * row count alone.  Each block's sums go to their own accumulator and the blocks are
 * added in block order, so J and its gradient are bit-identical for any thread count;
 * threads (those of the shared pool, pool.h) only decide who computes which block.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "dist.h"
#include "kernel.h"
#include "pool.h"
#include "train.h"

#include "dist.h"

#define BLOCK_ROWS TRAIN_BLOCK_ROWS
#define PARTIAL_BUDGET ((size_t)1 << 22) /* doubles of block partials held at once */
#define MAX_THREADS 256

#define LBFGS_MEM 20
#define LS_C1 1e-4    /* sufficient decrease */
#define LS_C2 0.9     /* curvature (strong Wolfe) */
#define LS_MAXEVAL 40 /* objective evaluations per line search */
#define LS_NOISE 1e-12 /* relative change of J treated as rounding noise */
#define LS_NOISE_FAST 1e-6 /* the same for the float pass */
/*
 * The float pass hands over to the exact one by this scaled gradient, relative to the
 * test's reference, at the latest: well above the float gradient's own error (about
 * 1e-7 of the reference), so the curvature pairs the exact pass inherits are still
 * sound.  Below the default --tol's 1e-4, so only a tighter --tol reaches it.
 */
#define FAST_FLOOR 1e-5

#define TILE 16        /* rows the fast pass takes at once */
#define FLUSH_ROWS 64  /* rows whose float gradient sums it keeps before adding them up */

#define ADAM_B1 0.9
#define ADAM_B2 0.999
#define ADAM_EPS 1e-8

/*
 * ---- small vector kernels ----
 * A dot product keeps 4 partial sums, lane k taking the terms j = k mod 4 in order,
 * combined as (a0 + a2) + (a1 + a3).  The order is fixed by this code, not by the
 * compiler, and every kernel uses the same one, so training and prediction logits
 * agree bit for bit.  With GCC or Clang the lanes are a vector type (two SSE2 or one
 * AVX register); elsewhere plain arrays compute exactly the same numbers.
 */
#if defined(__GNUC__)
typedef double v2d __attribute__((vector_size(2 * sizeof(double))));

static inline v2d v2_madd(v2d a, v2d b, v2d c)
{
	return a + b * c; /* two roundings: no fused multiply-add under -std=c11 */
}
#else
typedef struct {
	double v[2];
} v2d;

static inline v2d v2_madd(v2d a, v2d b, v2d c)
{
	a.v[0] = a.v[0] + b.v[0] * c.v[0];
	a.v[1] = a.v[1] + b.v[1] * c.v[1];
	return a;
}
#endif

/* Four lanes as two pairs (SSE2 registers; compilers fuse them for AVX). */
typedef struct {
	v2d lo, hi;
} v4d;

static inline v4d v4_splat(double c)
{
	v4d v;
	double t[2] = { c, c };

	memcpy(&v.lo, t, sizeof t);
	v.hi = v.lo;
	return v;
}

static inline v4d v4_zero(void)
{
	return v4_splat(0);
}

static inline v4d v4_madd(v4d a, v4d b, v4d c)
{
	a.lo = v2_madd(a.lo, b.lo, c.lo);
	a.hi = v2_madd(a.hi, b.hi, c.hi);
	return a;
}

static inline v4d v4_load(const double *p)
{
	v4d v;

	memcpy(&v.lo, p, sizeof v.lo);
	memcpy(&v.hi, p + 2, sizeof v.hi);
	return v;
}

static inline void v4_store(double *p, v4d v)
{
	memcpy(p, &v.lo, sizeof v.lo);
	memcpy(p + 2, &v.hi, sizeof v.hi);
}

/* The lanes' sum in the fixed order; the scalar tail j = d4..d-1 goes to lane j - d4. */
static inline double v4_finish(v4d acc, const double *w, const double *x, size_t j, size_t d)
{
	double a[4];
	size_t k;

	v4_store(a, acc);
	for (k = 0; j < d; j++, k++)
		a[k] = a[k] + w[j] * x[j];
	return (a[0] + a[2]) + (a[1] + a[3]);
}

/* w . x over D doubles. */
static double dot_dd(const double *w, const double *x, size_t d)
{
	v4d a = v4_zero();
	size_t j = 0;

	for (; j + 4 <= d; j += 4)
		a = v4_madd(a, v4_load(w + j), v4_load(x + j));
	return v4_finish(a, w, x, j, d);
}

/* The same for a float row: bit-identical to dot_dd on the row widened to double. */
static double dot_df(const double *w, const float *x, size_t d)
{
	v4d a = v4_zero();
	double t[4];
	size_t j = 0, k;

	for (; j + 4 <= d; j += 4) {
		for (k = 0; k < 4; k++)
			t[k] = x[j + k];
		a = v4_madd(a, v4_load(w + j), v4_load(t));
	}
	v4_store(t, a);
	for (k = 0; j < d; j++, k++)
		t[k] = t[k] + w[j] * (double)x[j];
	return (t[0] + t[2]) + (t[1] + t[3]);
}

/* z[c] = w_c . x for the four weight rows w_c = W + c * STRIDE, each exactly as dot_dd. */
static void dot_x4(const double *w, size_t stride, const double *x, size_t d, double *z)
{
	const double *w0 = w, *w1 = w + stride, *w2 = w1 + stride, *w3 = w2 + stride;
	v4d a0 = v4_zero(), a1 = v4_zero(), a2 = v4_zero(), a3 = v4_zero(), xv;
	size_t j = 0;

	for (; j + 4 <= d; j += 4) {
		xv = v4_load(x + j);
		a0 = v4_madd(a0, v4_load(w0 + j), xv);
		a1 = v4_madd(a1, v4_load(w1 + j), xv);
		a2 = v4_madd(a2, v4_load(w2 + j), xv);
		a3 = v4_madd(a3, v4_load(w3 + j), xv);
	}
	z[0] = v4_finish(a0, w0, x, j, d);
	z[1] = v4_finish(a1, w1, x, j, d);
	z[2] = v4_finish(a2, w2, x, j, d);
	z[3] = v4_finish(a3, w3, x, j, d);
}

/* g += c x over D doubles. */
static void axpy(double *g, double c, const double *x, size_t d)
{
	v4d cv = v4_splat(c);
	size_t j = 0;

	for (; j + 4 <= d; j += 4)
		v4_store(g + j, v4_madd(v4_load(g + j), cv, v4_load(x + j)));
	for (; j < d; j++)
		g[j] = g[j] + c * x[j];
}

/* g_c += c[c] x for the four gradient rows g_c = G + c * STRIDE. */
static void axpy_x4(double *g, size_t stride, const double *c, const double *x, size_t d)
{
	double *g0 = g, *g1 = g + stride, *g2 = g1 + stride, *g3 = g2 + stride;
	v4d c0 = v4_splat(c[0]), c1 = v4_splat(c[1]), c2 = v4_splat(c[2]), c3 = v4_splat(c[3]), xv;
	size_t j = 0;

	for (; j + 4 <= d; j += 4) {
		xv = v4_load(x + j);
		v4_store(g0 + j, v4_madd(v4_load(g0 + j), c0, xv));
		v4_store(g1 + j, v4_madd(v4_load(g1 + j), c1, xv));
		v4_store(g2 + j, v4_madd(v4_load(g2 + j), c2, xv));
		v4_store(g3 + j, v4_madd(v4_load(g3 + j), c3, xv));
	}
	for (; j < d; j++) {
		g0[j] = g0[j] + c[0] * x[j];
		g1[j] = g1[j] + c[1] * x[j];
		g2[j] = g2[j] + c[2] * x[j];
		g3[j] = g3[j] + c[3] * x[j];
	}
}

/* Widens a float row to doubles (exact). */
static void widen(double *restrict xd, const float *restrict x, size_t d)
{
	size_t j = 0, k;

	for (; j + 4 <= d; j += 4)
		for (k = 0; k < 4; k++)
			xd[j + k] = x[j + k];
	for (; j < d; j++)
		xd[j] = x[j];
}

static double dot(const double *a, const double *b, size_t n)
{
	return dot_dd(a, b, n);
}

/* max |a_i|; NaN when any a_i is NaN. */
static double norm_inf(const double *a, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (isnan(a[i]))
			return a[i];
		if (fabs(a[i]) > m)
			m = fabs(a[i]);
	}
	return m;
}

static int all_finite(const double *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(a[i]))
			return 0;
	return 1;
}

/* ---- the model ---- */

size_t linmodel_nparams(const struct linmodel *m)
{
	return m->nout * (m->dim + 1);
}

void linmodel_init(struct linmodel *m, enum model_kind kind, size_t nclass, size_t dim,
                   int positive)
{
	m->kind = kind;
	m->nclass = nclass;
	m->dim = dim;
	m->positive = positive;
	m->nout = kind == MODEL_LOGISTIC ? 1 : nclass;
	m->w = xcalloc(linmodel_nparams(m) ? linmodel_nparams(m) : 1, sizeof *m->w);
}

void linmodel_release(struct linmodel *m)
{
	if (!m)
		return;
	free(m->w);
	m->w = NULL;
}

/* Stable sigmoid. */
static double sigmoid(double z)
{
	double t;

	if (z >= 0)
		return 1 / (1 + exp(-z));
	t = exp(z);
	return t / (1 + t);
}

void linmodel_probs(const struct linmodel *m, double *prob)
{
	double z, mx, sum = 0;
	size_t c;

	if (m->kind == MODEL_LOGISTIC) {
		z = prob[0];
		prob[m->positive] = sigmoid(z);
		prob[1 - m->positive] = sigmoid(-z);
		return;
	}
	mx = prob[0];
	for (c = 1; c < m->nclass; c++)
		if (prob[c] > mx)
			mx = prob[c];
	for (c = 0; c < m->nclass; c++) {
		prob[c] = exp(prob[c] - mx);
		sum += prob[c];
	}
	for (c = 0; c < m->nclass; c++)
		prob[c] /= sum;
}

void linmodel_predict(const struct linmodel *m, const double *x, double *prob)
{
	linmodel_logits(m, x, prob);
	linmodel_probs(m, prob);
}

void linmodel_logits(const struct linmodel *m, const double *x, double *z)
{
	size_t c, stride = m->dim + 1;

	for (c = 0; c < m->nout; c++)
		z[c] = m->w[c * stride + m->dim] + dot_dd(m->w + c * stride, x, m->dim);
}

void linmodel_predict_f(const struct linmodel *m, const float *x, double *prob)
{
	size_t c, stride = m->dim + 1;

	for (c = 0; c < m->nout; c++)
		prob[c] = m->w[c * stride + m->dim] + dot_df(m->w + c * stride, x, m->dim);
	linmodel_probs(m, prob);
}

/* ---- one pass over rows: weighted loss sum, weight sum and gradient sums ---- */

/* What a pass reads.  Positions 0..npos-1 map to rows (through idx when not NULL). */
struct pass {
	const struct trainset *s;
	const double *cw;   /* class weights or NULL (all 1) */
	double gamma;       /* 0 for cross-entropy */
	int logistic, positive;
	size_t nout, dim, stride, nparams;
	const double *params;
	const size_t *idx;
	size_t npos;
	int want_grad;
	size_t width;       /* doubles per partial: loss, weight, then the gradient if wanted */
	/* the fast pass (block_eval_fast): its kernel, NULL for the exact pass; the weights
	 * as nout rows of dp floats and the biases, set by run_pass_raw */
	const struct kernel *kern;
	size_t dp;
	const float *wf;
	const double *wb;
	const struct dist *dist; /* focal-mpi: the other processes' rows (run_pass) */
	/*
	 * NULL: block b is the positions [b BLOCK_ROWS, (b + 1) BLOCK_ROWS); else the NBLK
	 * blocks [bstart[b], bstart[b + 1]) (a batch's rows on this process, cut where one
	 * process cuts the whole batch: solve_stochastic).
	 */
	const size_t *bstart;
	size_t nblk;
	/* focal-mpi: the positions are this process's rows of a batch that every process
	 * draws alike from all their rows: its sums go to one dist_sum with the others' */
	int spread;
};

static size_t pass_nblocks(const struct pass *p)
{
	return p->bstart ? p->nblk : (p->npos + BLOCK_ROWS - 1) / BLOCK_ROWS;
}

/* The positions [*LO, *HI) of block B of P. */
static void block_range(const struct pass *p, size_t b, size_t *lo, size_t *hi)
{
	if (p->bstart) {
		*lo = p->bstart[b];
		*hi = p->bstart[b + 1];
		return;
	}
	*lo = b * BLOCK_ROWS;
	*hi = *lo + BLOCK_ROWS;
	if (*hi > p->npos)
		*hi = p->npos;
}

/* Row weight s_i = class_weight[y_i] * roww[i]. */
static double row_weight(const struct pass *p, size_t r)
{
	double w = p->cw ? p->cw[p->s->y[r]] : 1;

	return p->s->roww ? w * p->s->roww[r] : w;
}

/* Z = W x + b for the double row XD (four classes at a time). */
static void row_logits(const struct pass *p, const double *xd, double *z)
{
	size_t o = 0;

	for (; o + 4 <= p->nout; o += 4)
		dot_x4(p->params + o * p->stride, p->stride, xd, p->dim, z + o);
	for (; o < p->nout; o++)
		z[o] = dot_dd(p->params + o * p->stride, xd, p->dim);
	for (o = 0; o < p->nout; o++)
		z[o] = p->params[o * p->stride + p->dim] + z[o];
}

/* GRAD += COEF (x, 1) per output: the row's weighted gradient. */
static void row_gradient(const struct pass *p, const double *xd, const double *coef, double *grad)
{
	size_t o = 0;

	for (; o + 4 <= p->nout; o += 4)
		axpy_x4(grad + o * p->stride, p->stride, coef + o, xd, p->dim);
	for (; o < p->nout; o++)
		axpy(grad + o * p->stride, coef[o], xd, p->dim);
	for (o = 0; o < p->nout; o++)
		grad[o * p->stride + p->dim] += coef[o];
}

/* Doubles of scratch block_eval needs: the sums, a widened row, logits and their slopes. */
static size_t scratch_size(const struct pass *p)
{
	return p->width + p->dim + 2 * p->nout;
}

/*
 * Sums of block B into OUT (width doubles): out[0] = sum s_i loss_i, out[1] = sum s_i,
 * out[2..] = sum s_i dloss_i/dparams.  The sums build up in the caller's thread-private
 * SCRATCH (scratch_size doubles) and are copied out once, so threads writing
 * neighbouring blocks never share a cache line while they work.
 */
static void block_eval(const struct pass *p, size_t b, double *out, double *scratch)
{
	size_t lo, hi, pos, r, o, t;
	double *acc = scratch, *grad = acc + 2, *xd = acc + p->width, *z = xd + p->dim;
	double *dz = z + p->nout, loss = 0, wsum = 0, w, l;
	uint32_t y;

	block_range(p, b, &lo, &hi);
	memset(acc, 0, p->width * sizeof *acc);
	for (pos = lo; pos < hi; pos++) {
		r = p->idx ? p->idx[pos] : pos;
		w = row_weight(p, r);
		if (w == 0)
			continue;
		y = p->s->y[r];
		widen(xd, p->s->x + r * p->dim, p->dim);
		if (p->s->miss_off)
			for (t = p->s->miss_off[r]; t < p->s->miss_off[r + 1]; t++)
				xd[p->s->miss_col[t]] = p->s->col_fill[p->s->miss_col[t]];
		row_logits(p, xd, z);
		if (p->logistic)
			l = focal_binary(z[0], (int)y == p->positive, p->gamma, dz);
		else
			l = focal_softmax(z, p->nout, y, p->gamma, p->want_grad ? dz : NULL);
		loss += w * l;
		wsum += w;
		if (!p->want_grad)
			continue;
		for (o = 0; o < p->nout; o++)
			dz[o] *= w;
		row_gradient(p, xd, dz, grad);
	}
	acc[0] = loss;
	acc[1] = wsum;
	memcpy(out, acc, p->width * sizeof *out);
}

/* A round of blocks for pool_for: index i is block first + i, its partial at buf + i * width. */
struct round {
	const struct pass *p;
	double *buf;          /* partials of the round, block order */
	size_t first;         /* the round's first block */
};

/* GRAD += the float gradient sums GF of the fast pass, which start again from 0. */
static void flush_grad(const struct pass *p, float *gf, double *grad)
{
	size_t c, j;

	for (c = 0; c < p->nout; c++)
		for (j = 0; j < p->dim; j++) {
			grad[c * p->stride + j] += gf[c * p->dp + j];
			gf[c * p->dp + j] = 0;
		}
}

/*
 * The fast pass's sums of block B into OUT, as block_eval's: rows TILE at a time, their
 * logits and gradient sums in float by the kernel (kernel.h), the losses and slopes by
 * the kernel in float when it has them, else in double (focal_rows), the float
 * gradient sums added into double every FLUSH_ROWS rows
 * and the loss, weight and bias sums kept in double throughout.  Rows with missing
 * values go through a copy with the fill in place.
 */
static void block_eval_fast(const struct pass *p, size_t b, double *out)
{
	const struct trainset *s = p->s;
	const struct kernel *kn = p->kern;
	size_t lo, hi, nout = p->nout, dim = p->dim, dp = p->dp;
	size_t pos, r, i, c, t, nr, pending = 0;
	double *acc = xcalloc(p->width, sizeof *acc), *grad = acc + 2, lsum = 0, wsum = 0, d;
	double *z = xreallocarray(NULL, TILE * (2 * nout + 8), sizeof *z);
	double *loss = z + TILE * nout, *wv = loss + TILE, *tmp = wv + TILE;
	float *zf = xreallocarray(NULL, TILE * nout, sizeof *zf);
	float *lf = kn->loss ? xreallocarray(NULL, TILE * nout, sizeof *lf) : NULL;
	float *xbuf = xreallocarray(NULL, TILE * dp, sizeof *xbuf);
	float *gf = p->want_grad ? xcalloc(nout * dp, sizeof *gf) : NULL;
	const float *rows[TILE];
	uint32_t yv[TILE];

	block_range(p, b, &lo, &hi);
	for (pos = lo; pos < hi;) {
		for (nr = 0; pos < hi && nr < TILE; pos++) {
			const float *x;
			double w;

			r = p->idx ? p->idx[pos] : pos;
			w = row_weight(p, r);
			if (w == 0)
				continue;
			x = s->x + r * dim;
			if (s->miss_off && s->miss_off[r] < s->miss_off[r + 1]) {
				float *xb = xbuf + nr * dp;

				memcpy(xb, x, dim * sizeof *xb);
				for (t = s->miss_off[r]; t < s->miss_off[r + 1]; t++)
					xb[s->miss_col[t]] = (float)s->col_fill[s->miss_col[t]];
				x = xb;
			}
			rows[nr] = x;
			yv[nr] = s->y[r];
			wv[nr] = w;
			nr++;
		}
		if (nr == 0)
			break;
		kn->logits(rows, nr, dim, p->wf, dp, nout, zf);
		for (i = 0; i < nr; i++)
			wsum += wv[i];
		if (kn->loss) {
			/* the losses in float too: the slopes come back weighted, in ZF */
			lsum += kn->loss(zf, p->wb, nr, nout, yv, p->positive, p->gamma, wv,
			                 p->want_grad ? grad + dim : NULL, p->stride, lf);
		} else {
			for (i = 0; i < nr; i++)
				for (c = 0; c < nout; c++)
					z[i * nout + c] = (double)zf[i * nout + c] + p->wb[c];
			focal_rows(z, nr, nout, yv, p->positive, p->gamma, loss, tmp);
			for (i = 0; i < nr; i++) {
				lsum += wv[i] * loss[i];
				for (c = 0; c < nout; c++) {
					d = z[i * nout + c] * wv[i];
					grad[c * p->stride + dim] += d;
					zf[i * nout + c] = (float)d;
				}
			}
		}
		if (!p->want_grad)
			continue;
		kn->grad(rows, nr, dim, zf, nout, gf, dp);
		pending += nr;
		if (pending >= FLUSH_ROWS) {
			flush_grad(p, gf, grad);
			pending = 0;
		}
	}
	if (pending)
		flush_grad(p, gf, grad);
	acc[0] = lsum;
	acc[1] = wsum;
	memcpy(out, acc, p->width * sizeof *out);
	free(acc);
	free(z);
	free(zf);
	free(lf);
	free(xbuf);
	free(gf);
}

/* Evaluates one block of the round, with scratch of its own (a block is BLOCK_ROWS rows,
 * so the allocation is small beside the work). */
static void round_block(void *ctx, size_t i)
{
	const struct round *rd = ctx;
	const struct pass *p = rd->p;
	double *scratch;

	if (p->kern) {
		block_eval_fast(p, rd->first + i, rd->buf + i * p->width);
		return;
	}
	scratch = xreallocarray(NULL, scratch_size(p), sizeof *scratch);
	block_eval(p, rd->first + i, rd->buf + i * p->width, scratch);
	free(scratch);
}

/* FN (block_ahead or block_done) on the rows of blocks [b0, b1) of pass P. */
static void pass_rows_advise(const struct pass *p, size_t b0, size_t b1,
                             void (*fn)(const float *, size_t, size_t))
{
	size_t lo, hi, nb = pass_nblocks(p), t;

	if (b0 >= nb)
		return;
	if (b1 > nb)
		b1 = nb;
	block_range(p, b0, &lo, &t);
	block_range(p, b1 - 1, &t, &hi);
	if (lo >= hi)
		return;
	if (p->idx) { /* a pass of many rounds: the rows of weight above 0, in order */
		lo = p->idx[lo];
		hi = p->idx[hi - 1] + 1;
	}
	fn(p->s->x, lo * p->dim, hi * p->dim);
}

/*
 * Runs pass P with THREADS threads; OUT (p->width doubles) gets the sums over all blocks,
 * or with KEEP (not NULL) block b's sums go to KEEP + b * p->width instead.
 */
static void run_pass_raw(const struct pass *pin, int threads, double *out, double *keep)
{
	size_t nblocks = pass_nblocks(pin), round, first, count, nt, b, k, o, j, slice;
	int sliced;
	struct pass q = *pin, *p = &q;
	float *wf = NULL;
	double *buf, *wb = NULL;

	memset(out, 0, p->width * sizeof *out);
	if (nblocks == 0)
		return;
	if (p->kern) {
		p->dp = kernel_pad(p->dim);
		wf = xcalloc(p->nout * p->dp, sizeof *wf);
		wb = xreallocarray(NULL, p->nout, sizeof *wb);
		for (o = 0; o < p->nout; o++) {
			for (j = 0; j < p->dim; j++)
				wf[o * p->dp + j] = (float)p->params[o * p->stride + j];
			wb[o] = p->params[o * p->stride + p->dim];
		}
		p->wf = wf;
		p->wb = wb;
	}
	nt = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : (size_t)threads;
	round = PARTIAL_BUDGET / p->width;
	/* a block in a file: a round is one slice of it, read in while the one before is
	 * computed and handed back after */
	slice = block_slice(p->s->x) / BLOCK_ROWS / (p->dim ? p->dim : 1);
	if (round > slice)
		round = slice;
	if (round < nt)
		round = nt;
	if (round > nblocks)
		round = nblocks;
	sliced = round < nblocks && block_in_file(p->s->x);
	buf = xreallocarray(NULL, round * p->width, sizeof *buf);
	for (first = 0; first < nblocks; first += count) {
		count = nblocks - first < round ? nblocks - first : round;
		if (sliced)
			pass_rows_advise(p, first + count, first + 2 * count, block_ahead);
		{
			struct round rd = { p, buf, first };

			pool_for((int)nt, count, round_block, &rd);
		}
		if (sliced)
			pass_rows_advise(p, first, first + count, block_done);
		/* Block order, whatever the round size or thread count. */
		if (keep)
			memcpy(keep + first * p->width, buf, count * p->width * sizeof *buf);
		else
			for (b = 0; b < count; b++)
				for (k = 0; k < p->width; k++)
					out[k] += buf[b * p->width + k];
	}
	free(buf);
	free(wf);
	free(wb);
}

/*
 * run_pass_raw over the rows of every process (focal-mpi), each holding the next blocks
 * of the table (dist_align_rows): each process sums its blocks, then in rank order each
 * adds its blocks' sums, in block order, to the total of the processes before it, and
 * passes the total on (one broadcast of p->width doubles a process).  So the total is
 * one process's to the last bit: a sum of each process's own total would round
 * otherwise, and the solver's path with it.
 */
static void run_pass_shared(const struct pass *p, int threads, double *out)
{
	size_t nb = pass_nblocks(p), b, k;
	double *mine = xcalloc(nb * p->width + 1, sizeof *mine);
	int r;

	run_pass_raw(p, threads, out, mine);
	memset(out, 0, p->width * sizeof *out);
	for (r = 0; r < p->dist->size; r++) {
		for (b = 0; r == p->dist->rank && b < nb; b++)
			for (k = 0; k < p->width; k++)
				out[k] += mine[b * p->width + k];
		dist_bcast(p->dist, r, out, p->width);
	}
	free(mine);
}

/*
 * run_pass_raw, over every process's rows with focal-mpi: a pass over the table through
 * run_pass_shared; a batch's (p->spread) as the sum, in rank order, of each process's
 * own sums (one dist_sum of p->width doubles), which rounds otherwise than one process
 * adding the batch's rows one after the other (solve_stochastic).
 */
static void run_pass_all(const struct pass *p, int threads, double *out)
{
	if (p->dist && p->dist->size > 1 && p->spread) {
		run_pass_raw(p, threads, out, NULL);
		dist_sum(p->dist, out, p->width);
	} else if (p->dist && p->dist->size > 1) {
		run_pass_shared(p, threads, out);
	} else {
		run_pass_raw(p, threads, out, NULL);
	}
}

void linmodel_affine(const struct linmodel *m, const double *params, const double *scale,
                     const double *shift, double *eff)
{
	size_t o, j, stride = m->dim + 1;

	for (o = 0; o < m->nout; o++) {
		const double *w = params + o * stride;
		double *e = eff + o * stride, b = w[m->dim];

		for (j = 0; j < m->dim; j++) {
			e[j] = w[j] * scale[j];
			b += w[j] * shift[j];
		}
		e[m->dim] = b;
	}
}

/*
 * As run_pass_raw, for a set whose features are transformed (col_scale, col_shift):
 * runs on the raw rows with the equivalent parameters, then takes the gradient back
 * to the transformed features' parameters by the chain rule.
 */
static void run_pass(const struct pass *p, int threads, double *out)
{
	const struct trainset *s = p->s;
	struct pass q;
	double *eff, *g;
	size_t o, j;

	if (!s->col_scale) {
		run_pass_all(p, threads, out);
		return;
	}
	q = *p;
	eff = xreallocarray(NULL, p->nparams, sizeof *eff);
	{
		struct linmodel shape = { p->logistic ? MODEL_LOGISTIC : MODEL_SOFTMAX, 0, p->dim,
		                          p->nout, p->positive, NULL };

		linmodel_affine(&shape, p->params, s->col_scale, s->col_shift, eff);
	}
	q.params = eff;
	run_pass_all(&q, threads, out);
	if (p->want_grad) {
		g = out + 2;
		for (o = 0; o < p->nout; o++) {
			double *go = g + o * p->stride, gb = go[p->dim];

			for (j = 0; j < p->dim; j++)
				go[j] = go[j] * s->col_scale[j] + gb * s->col_shift[j];
		}
	}
	free(eff);
}

/* Fills a pass over the positions [0, npos) (rows through IDX when not NULL). */
static void pass_setup(struct pass *p, const struct trainset *s, const struct trainopts *o,
                       const struct linmodel *shape, const double *params, const size_t *idx,
                       size_t npos, int want_grad)
{
	p->s = s;
	p->cw = o->class_weight;
	p->gamma = o->loss == LOSS_FOCAL ? o->gamma : 0;
	p->logistic = shape->kind == MODEL_LOGISTIC;
	p->positive = shape->positive;
	p->nout = shape->nout;
	p->dim = shape->dim;
	p->stride = shape->dim + 1;
	p->nparams = linmodel_nparams(shape);
	p->params = params;
	p->idx = idx;
	p->npos = npos;
	p->want_grad = want_grad;
	p->width = 2 + (want_grad ? p->nparams : 0);
	p->kern = NULL;
	p->dp = 0;
	p->wf = NULL;
	p->wb = NULL;
	p->dist = o->dist;
	p->bstart = NULL;
	p->nblk = 0;
	p->spread = 0;
}

/* (lambda / 2) ||W||^2, bias excluded; adds lambda W to GRAD when not NULL. */
static double l2_term(const struct pass *p, double lambda, const double *params, double *grad)
{
	double sum = 0;
	size_t o, j, k;

	for (o = 0; o < p->nout; o++) {
		for (j = 0; j < p->dim; j++) {
			k = o * p->stride + j;
			sum += params[k] * params[k];
			if (grad)
				grad[k] += lambda * params[k];
		}
	}
	return lambda / 2 * sum;
}

/* objective_by over the rows IDX[0..npos) (IDX NULL: rows 0..npos-1), the others left
 * out (rows of weight 0, which add nothing). */
static double objective_rows(const struct trainset *s, const struct trainopts *o,
                             const struct linmodel *shape, const double *params, double *grad,
                             const struct kernel *kern, const size_t *idx, size_t npos)
{
	struct pass p;
	double *acc, j;
	size_t k;

	pass_setup(&p, s, o, shape, params, idx, npos, grad != NULL);
	p.kern = kern;
	acc = xreallocarray(NULL, p.width, sizeof *acc);
	run_pass(&p, o->threads, acc); /* with focal-mpi, over every process's rows */
	j = acc[0] / acc[1];
	for (k = 0; grad && k < p.nparams; k++)
		grad[k] = acc[2 + k] / acc[1];
	j += l2_term(&p, o->lambda, params, grad);
	free(acc);
	return j;
}

double objective_by(const struct trainset *s, const struct trainopts *o,
                    const struct linmodel *shape, const double *params, double *grad,
                    const struct kernel *kern)
{
	return objective_rows(s, o, shape, params, grad, kern, NULL, s->n);
}

double objective(const struct trainset *s, const struct trainopts *o, const struct linmodel *shape,
                 const double *params, double *grad)
{
	return objective_by(s, o, shape, params, grad, NULL);
}

/* ---- L-BFGS ---- */

/* What the solvers minimise. */
struct problem {
	const struct trainset *s;
	const struct trainopts *o;
	const struct linmodel *shape;
	size_t np;
	double wtotal; /* sum of the row weights s_i */
	const struct kernel *kern; /* the fast pass's kernel while it is in use, else NULL */
	/* the rows of weight above 0 when some have 0 (cv's test rows), else NULL and n */
	const size_t *idx;
	size_t npos;
};

static double problem_eval(const struct problem *pb, const double *x, double *g)
{
	return objective_rows(pb->s, pb->o, pb->shape, x, g, pb->kern, pb->idx, pb->npos);
}

/* A point on the search line x + a d: phi(a) and phi'(a). */
struct lspoint {
	double a, f, df;
};

/* A line search from X along D.  The accepted point ends up in XT and GT. */
struct linesearch {
	const struct problem *pb;
	const double *x, *d;
	double f0, df0, epsf;
	double *xt, *gt;
	int evals;
	struct lspoint last; /* the last point evaluated: the accepted one on success */
};

static void ls_eval(struct linesearch *ls, double a, struct lspoint *pt)
{
	size_t k;

	for (k = 0; k < ls->pb->np; k++)
		ls->xt[k] = ls->x[k] + a * ls->d[k];
	pt->a = a;
	pt->f = problem_eval(ls->pb, ls->xt, ls->gt);
	pt->df = dot(ls->gt, ls->d, ls->pb->np);
	if (!isfinite(pt->df))
		pt->f = INFINITY; /* treated as a step too long */
	ls->evals++;
	ls->last = *pt;
}

/* Sufficient decrease (Armijo); a non-finite value never passes. */
static int ls_armijo(const struct linesearch *ls, const struct lspoint *pt)
{
	return isfinite(pt->f) && pt->f <= ls->f0 + LS_C1 * pt->a * ls->df0;
}

/* Strong curvature condition. */
static int ls_curvature(const struct linesearch *ls, const struct lspoint *pt)
{
	return fabs(pt->df) <= -LS_C2 * ls->df0;
}

/*
 * Near the optimum the change of J drops below its rounding noise and the Armijo
 * test turns into a coin toss.  There the derivative still speaks: accept a point
 * whose J is within the noise of J(0) and that meets the strong curvature condition
 * (Hager and Zhang's approximate Wolfe conditions; with c2 < 1 - 2 c1 the curvature
 * test implies their derivative form of sufficient decrease).
 */
static int ls_approx_wolfe(const struct linesearch *ls, const struct lspoint *pt)
{
	return isfinite(pt->f) && pt->f <= ls->f0 + ls->epsf && ls_curvature(ls, pt);
}

/* Minimiser of the cubic through LO and HI, kept inside the interval; else the midpoint. */
static double ls_interpolate(const struct lspoint *lo, const struct lspoint *hi)
{
	double w = hi->a - lo->a, d1, disc, d2, a = NAN, lo_b, hi_b;

	d1 = lo->df + hi->df - 3 * (lo->f - hi->f) / (lo->a - hi->a);
	disc = d1 * d1 - lo->df * hi->df;
	if (isfinite(d1) && isfinite(disc) && disc >= 0) {
		d2 = copysign(sqrt(disc), w);
		a = hi->a - w * (hi->df + d2 - d1) / (hi->df - lo->df + 2 * d2);
	}
	lo_b = fmin(lo->a, hi->a) + 0.1 * fabs(w);
	hi_b = fmax(lo->a, hi->a) - 0.1 * fabs(w);
	if (!(a >= lo_b && a <= hi_b))
		a = lo->a + w / 2;
	return a;
}

/* Nocedal & Wright algorithm 3.6: a strong Wolfe point between LO and HI; 0, or -1. */
static int ls_zoom(struct linesearch *ls, struct lspoint lo, struct lspoint hi)
{
	struct lspoint cur;

	while (ls->evals < LS_MAXEVAL) {
		if (fabs(hi.a - lo.a) <= DBL_EPSILON * fmax(fabs(lo.a), fabs(hi.a)))
			return -1;
		ls_eval(ls, ls_interpolate(&lo, &hi), &cur);
		if (!ls_armijo(ls, &cur) || cur.f >= lo.f) {
			if (ls_approx_wolfe(ls, &cur))
				return 0;
			hi = cur;
			continue;
		}
		if (ls_curvature(ls, &cur))
			return 0;
		if (cur.df * (hi.a - lo.a) >= 0)
			hi = lo;
		lo = cur;
	}
	return -1;
}

/* Nocedal & Wright algorithm 3.5 from the trial step A; 0 with XT, GT set, or -1. */
static int line_search(struct linesearch *ls, double a)
{
	struct lspoint prev = { 0, ls->f0, ls->df0 }, cur;

	ls->evals = 0;
	ls->epsf = (ls->pb->kern ? LS_NOISE_FAST : LS_NOISE) * fabs(ls->f0);
	while (ls->evals < LS_MAXEVAL) {
		ls_eval(ls, a, &cur);
		if (!ls_armijo(ls, &cur) || (ls->evals > 1 && cur.f >= prev.f)) {
			if (ls_approx_wolfe(ls, &cur))
				return 0;
			return ls_zoom(ls, prev, cur);
		}
		if (ls_curvature(ls, &cur))
			return 0;
		if (cur.df >= 0)
			return ls_zoom(ls, cur, prev);
		prev = cur;
		a *= 2;
	}
	return -1;
}

/* The L-BFGS memory: up to LBFGS_MEM pairs (s, y) in a ring, newest at head - 1. */
struct lbfgs_mem {
	size_t np;
	int len, head;
	double *s, *y, rho[LBFGS_MEM], alpha[LBFGS_MEM];
};

/* Stores the pair unless its curvature s.y is not safely positive. */
static void mem_push(struct lbfgs_mem *m, const double *x, const double *xn, const double *g,
                     const double *gn)
{
	double *s = m->s + (size_t)m->head * m->np, *y = m->y + (size_t)m->head * m->np, sy, yy;
	size_t k;

	for (k = 0; k < m->np; k++) {
		s[k] = xn[k] - x[k];
		y[k] = gn[k] - g[k];
	}
	sy = dot(s, y, m->np);
	yy = dot(y, y, m->np);
	if (!(sy > DBL_EPSILON * yy) || !isfinite(sy))
		return;
	m->rho[m->head] = 1 / sy;
	m->head = (m->head + 1) % LBFGS_MEM;
	if (m->len < LBFGS_MEM)
		m->len++;
}

/* D = -H G by the two-loop recursion (steepest descent with an empty memory). */
static void mem_direction(struct lbfgs_mem *m, const double *g, double *d)
{
	int i, slot;
	size_t k, np = m->np;
	double *s, *y, beta, gamma = 1;

	for (k = 0; k < np; k++)
		d[k] = -g[k];
	for (i = 0; i < m->len; i++) {
		slot = (m->head - 1 - i + 2 * LBFGS_MEM) % LBFGS_MEM;
		s = m->s + (size_t)slot * np;
		y = m->y + (size_t)slot * np;
		m->alpha[slot] = m->rho[slot] * dot(s, d, np);
		axpy(d, -m->alpha[slot], y, np);
	}
	if (m->len > 0) {
		slot = (m->head - 1 + LBFGS_MEM) % LBFGS_MEM;
		y = m->y + (size_t)slot * np;
		gamma = 1 / (m->rho[slot] * dot(y, y, np)); /* s.y / y.y */
	}
	for (k = 0; k < np; k++)
		d[k] *= gamma;
	for (i = m->len - 1; i >= 0; i--) {
		slot = (m->head - 1 - i + 2 * LBFGS_MEM) % LBFGS_MEM;
		s = m->s + (size_t)slot * np;
		y = m->y + (size_t)slot * np;
		beta = m->rho[slot] * dot(y, d, np);
		axpy(d, m->alpha[slot] - beta, s, np);
	}
}

/* The error for a non-finite objective; WHEN says where, HINT what to try. */
static int diverged(struct ferr *e, const char *when, int epoch, const char *hint)
{
	if (epoch > 0)
		return ferr_set(e, "training diverged: objective is not finite %s %d (%s)", when,
		                epoch, hint);
	return ferr_set(e, "training diverged: objective is not finite %s (%s)", when, hint);
}

static void report(const struct trainopts *o, int iter, double f, double gn)
{
	if (o->progress)
		o->progress(o->progress_ctx, iter, f, gn);
}

/* Allocates an array of N doubles. */
static double *dalloc(size_t n)
{
	return xreallocarray(NULL, n ? n : 1, sizeof(double));
}

/*
 * One L-BFGS iteration from (X, F, G): direction, line search, memory update.
 * Returns 0 with the new point in XT, GT and *FT; -1 when the line search failed.
 */
static int lbfgs_step(const struct problem *pb, struct lbfgs_mem *mem, const double *x, double f,
                      const double *g, double *d, double *xt, double *gt, double *ft)
{
	struct linesearch ls = { pb, x, d, f, 0, 0, xt, gt, 0, { 0, 0, 0 } };
	int steepest = mem->len == 0;
	double a = 1; /* the unit step suits L-BFGS */

	mem_direction(mem, g, d);
	ls.df0 = dot(g, d, pb->np);
	if (!(ls.df0 < 0))
		return -1; /* not a descent direction (or a zero gradient) */
	if (steepest)
		a = fmin(1, 1 / sqrt(-ls.df0)); /* a step of at most unit length */
	if (line_search(&ls, a) < 0)
		return -1;
	*ft = ls.last.f;
	mem_push(mem, x, xt, g, gt);
	return 0;
}

/*
 * The weights the stopping test puts on the gradient's entries (np values, layout of
 * linmodel.w).  A Newton step on weight j alone changes it by g_j / (c m_j + lambda),
 * where m_j is the weighted mean of x_j^2 over the training rows and c <= 1/4 the
 * loss's curvature in the logit; a row whose input j is x then moves its probability
 * by about c x g_j / (c m_j + lambda) <= x g_j / (m_j + 4 lambda).  With x the typical
 * non-zero value t_j = sqrt(m_j / q_j) (q_j: the weighted share of rows where x_j is
 * not 0), the weight is t_j / (m_j + 4 lambda): about 1 for a standardised input that
 * every row uses, 1 / q_j for a one-hot level of a few rows, whose gradient must get
 * that much smaller before the probabilities of its rows settle.  A weight is never
 * below 1, so the test is never looser than on ||grad J||_inf; a bias has 1.
 */
static void stop_weights(const struct problem *pb, double *sw)
{
	const struct trainset *s = pb->s;
	const struct linmodel *m = pb->shape;
	size_t dim = s->dim, stride = dim + 1, width = 2 * dim + 1, i, j, t, o, b, nb, seen = 0;
	double *mom = xcalloc(width, sizeof *mom), *sq = mom, *nz = mom + dim, *blk, *acc;
	double *xd = dalloc(dim), w, wsum, den, lam4 = 4 * pb->o->lambda;
	const struct dist *dist = pb->o->dist;
	int r, nproc = dist ? dist->size : 1, me = dist ? dist->rank : 0;
	struct pass p;

	/* the sums of each block of BLOCK_ROWS rows of weight above 0 (the pass's blocks),
	 * then the blocks' added in order: with focal-mpi every process sums its own blocks
	 * at once, and only the blocks' sums go on rank after rank */
	pass_setup(&p, s, pb->o, m, NULL, NULL, s->n, 0);
	for (i = 0, nb = 0; i < s->n; i++)
		nb += row_weight(&p, i) > 0;
	nb = (nb + BLOCK_ROWS - 1) / BLOCK_ROWS;
	blk = xcalloc(nb * width + 1, sizeof *blk);
	for (i = 0; i < s->n; i++) {
		w = row_weight(&p, i);
		if (!(w > 0))
			continue;
		acc = blk + seen++ / BLOCK_ROWS * width;
		widen(xd, s->x + i * dim, dim);
		if (s->miss_off)
			for (t = s->miss_off[i]; t < s->miss_off[i + 1]; t++)
				xd[s->miss_col[t]] = s->col_fill[s->miss_col[t]];
		for (j = 0; j < dim; j++) {
			double x = s->col_scale ? xd[j] * s->col_scale[j] + s->col_shift[j] : xd[j];

			if (x != 0) {
				acc[j] += w * x * x;
				acc[dim + j] += w;
			}
		}
		acc[2 * dim] += w;
		block_sweep(s->x, i + 1, s->n, dim);
	}
	block_done(s->x, 0, s->n * dim);
	for (r = 0; r < nproc; r++) {
		for (b = 0; r == me && b < nb; b++)
			for (j = 0; j < width; j++)
				mom[j] += blk[b * width + j];
		dist_bcast(dist, r, mom, width);
	}
	free(blk);
	wsum = mom[2 * dim];
	for (j = 0; j < dim; j++) {
		double mj = sq[j] / wsum, wt = 1;

		den = mj + lam4;
		if (nz[j] > 0 && den > 0)
			wt = fmax(1, sqrt(sq[j] / nz[j]) / den);
		for (o = 0; o < m->nout; o++)
			sw[o * stride + j] = wt;
	}
	for (o = 0; o < m->nout; o++)
		sw[o * stride + dim] = 1;
	free(mom);
	free(xd);
}

/* max_k |g_k| sw_k; NaN when any g_k is. */
static double scaled_norm(const double *g, const double *sw, size_t n)
{
	double m = 0, v;
	size_t k;

	for (k = 0; k < n; k++) {
		v = fabs(g[k]) * sw[k];
		if (isnan(v))
			return v;
		if (v > m)
			m = v;
	}
	return m;
}

/*
 * The stopping test: converged when scaled_norm(grad J) <= tol * ref, where ref is the
 * largest scaled entry of the weights' gradient at the start (all weights 0), and 1
 * when that is above 1 or 0 (the test is never looser than ||grad J||_inf <= tol).
 * Relative to the start, the test does not depend on how strong the signal is in
 * the units of the data (LIBLINEAR's rule); the weights sw make it see rare inputs.
 */
struct stoptest {
	double *sw;  /* np weights (stop_weights) */
	double thr;  /* tol * ref */
	double fast_floor; /* FAST_FLOOR * ref: where the float pass hands over at the latest */
};

/* Fills T for problem PB from the gradient G0 at the starting point. */
static void stoptest_init(struct stoptest *t, const struct problem *pb, const double *g0)
{
	const struct linmodel *m = pb->shape;
	size_t o, j, stride = m->dim + 1;
	double ref = 0, v;

	t->sw = dalloc(pb->np);
	stop_weights(pb, t->sw);
	for (o = 0; o < m->nout; o++)
		for (j = 0; j < m->dim; j++) {
			v = fabs(g0[o * stride + j]) * t->sw[o * stride + j];
			if (v > ref)
				ref = v;
		}
	if (!(ref > 0 && ref < 1))
		ref = 1;
	t->thr = pb->o->tol * ref;
	t->fast_floor = FAST_FLOOR * ref;
}

static void stoptest_release(struct stoptest *t)
{
	free(t->sw);
	t->sw = NULL;
}

/*
 * Leaves the fast pass for the exact one: F, G, *GN and *GS anew at X by the exact pass.
 * Returns F.
 */
static double go_exact(struct problem *pb, const struct stoptest *st, const double *x,
                       double *g, double *gn, double *gs)
{
	double f;

	pb->kern = NULL;
	f = problem_eval(pb, x, g);
	*gn = norm_inf(g, pb->np);
	if (st)
		*gs = scaled_norm(g, st->sw, pb->np);
	return f;
}

/*
 * L-BFGS from X (in place); the stopping test is relative to the gradient GREF, or to
 * the one at X when NULL.  Returns 0 with R filled, or -1 with E.
 */
static int solve_lbfgs(const struct problem *pbin, double *x, const double *gref,
                       struct trainresult *r, struct ferr *e)
{
	struct problem fp = *pbin, *pb = &fp;
	size_t np = pb->np;
	struct lbfgs_mem mem = { np, 0, 0, NULL, NULL, { 0 }, { 0 } };
	double *g = dalloc(np), *d = dalloc(np), *xt = dalloc(np), *gt = dalloc(np);
	struct stoptest st = { NULL, 0, 0 };
	double *x0 = x, *tmp, f, ft = 0, gn, gs;
	int iter = 0, rc = -1;

	mem.s = dalloc(LBFGS_MEM * np);
	mem.y = dalloc(LBFGS_MEM * np);
	/*
	 * The float pass while it makes progress; then the exact pass from where it stopped
	 * (the memory kept), so the result is the exact pass's optimum and the objective,
	 * gradient and test reported are exact.
	 */
	fp.kern = kernel_get();
	f = problem_eval(pb, x, g);
	gn = norm_inf(g, np);
	if (fp.kern && (!isfinite(f) || !isfinite(gn)))
		f = go_exact(pb, NULL, x, g, &gn, &gs);
	if (!isfinite(f) || !isfinite(gn)) {
		diverged(e, "at the initial weights", 0, "check the features and row weights");
		goto out;
	}
	stoptest_init(&st, pb, gref ? gref : g);
	gs = scaled_norm(g, st.sw, np);
	for (;;) {
		if ((gs <= st.thr || gs <= st.fast_floor || iter >= pb->o->max_iter) && fp.kern)
			f = go_exact(pb, &st, x, g, &gn, &gs); /* the exact pass takes over */
		if (gs <= st.thr || iter >= pb->o->max_iter)
			break;
		if (lbfgs_step(pb, &mem, x, f, g, d, xt, gt, &ft) < 0) {
			if (fp.kern) { /* past what float resolves: on exactly */
				f = go_exact(pb, &st, x, g, &gn, &gs);
				continue;
			}
			if (mem.len == 0)
				break; /* steepest descent failed too: stop here */
			mem.len = 0; /* forget the curvature, retry with steepest descent */
			continue;
		}
		tmp = x, x = xt, xt = tmp;
		tmp = g, g = gt, gt = tmp;
		f = ft;
		gn = norm_inf(g, np);
		gs = scaled_norm(g, st.sw, np);
		iter++;
		report(pb->o, iter, f, gn);
	}
	r->objective = f;
	r->gnorm = gn;
	r->iterations = iter;
	r->converged = gs <= st.thr;
	rc = 0;
out:
	if (x != x0) {
		memcpy(x0, x, np * sizeof *x);
		tmp = x, x = xt, xt = tmp; /* xt is now the buffer we own */
	}
	stoptest_release(&st);
	free(g);
	free(d);
	free(xt);
	free(gt);
	free(mem.s);
	free(mem.y);
	return rc;
}

/* ---- mini-batch SGD and Adam ---- */

/*
 * The plan of a stochastic run: EPOCHS passes of SPE steps each.  Without --epochs
 * the run takes at least STOCH_STEPS steps and STOCH_EPOCHS epochs, so a small table
 * gets as many updates as a large one.  The rate is --lr for the first half of the
 * steps, then falls linearly towards 0 over the second half, which averages out the
 * noise of the mini-batches (as Polyak averaging would) while the first half makes
 * the progress.
 */
#define STOCH_STEPS 5000
#define STOCH_EPOCHS 10

/*
 * State of the stochastic solvers.  The batches are drawn from the NPOS positions of
 * the rows of the set one process trains on; with focal-mpi those lie on every process,
 * and each draws the same batches over all of them.  This process holds position LO + k
 * (k < SPAN) as its row k, or with LOC as its row loc[k] (SIZE_MAX: a row of weight 0
 * that the copy of the set's rows left out, held by none).
 */
struct stoch {
	const struct problem *pb;
	double *g, *acc, *m, *v; /* m, v: Adam moments */
	long step, nsteps;       /* steps taken, steps planned */
	size_t npos, lo, span, *loc;
	/* the batch's rows held here, in the batch's order, and where its blocks of
	 * BLOCK_ROWS positions (one process's) start among them: NBLK + 1 entries */
	size_t *mine, nmine, *bstart, nblk;
};

/* Fills st->npos, lo, span and loc from the training set's positions (trainset.pos). */
static void stoch_where(struct stoch *st)
{
	const struct trainset *s = st->pb->s;
	size_t i;

	if (!s->pos) { /* the rows of all the processes in rank order */
		st->lo = dist_rows_before(st->pb->o->dist, s->n, &st->npos);
		st->span = s->n;
		return;
	}
	st->npos = s->npos;
	st->lo = s->n ? s->pos[0] : 0;
	st->span = s->n ? s->pos[s->n - 1] - st->lo + 1 : 0;
	st->loc = xreallocarray(NULL, st->span ? st->span : 1, sizeof *st->loc);
	for (i = 0; i < st->span; i++)
		st->loc[i] = SIZE_MAX;
	for (i = 0; i < s->n; i++)
		st->loc[s->pos[i] - st->lo] = i;
}

/* st->mine and its blocks for the batch of the CNT positions P. */
static void batch_rows(struct stoch *st, const size_t *p, size_t cnt)
{
	size_t k, g, r;

	st->nmine = 0;
	st->nblk = (cnt + BLOCK_ROWS - 1) / BLOCK_ROWS;
	for (k = 0; k < cnt; k++) {
		if (k % BLOCK_ROWS == 0)
			st->bstart[k / BLOCK_ROWS] = st->nmine;
		if (p[k] < st->lo || (g = p[k] - st->lo) >= st->span)
			continue;
		r = st->loc ? st->loc[g] : g;
		if (r != SIZE_MAX)
			st->mine[st->nmine++] = r;
	}
	st->bstart[st->nblk] = st->nmine;
}

/*
 * Gradient of J estimated on the rows at the positions P[0..cnt): the batch's weighted
 * gradient scaled by npos / (cnt * sum of all weights), so its expectation is the full
 * gradient, plus lambda W.  Returns the batch's sum of s_i loss_i.  With focal-mpi each
 * process sums the batch's rows it holds, and one dist_sum adds up the processes' sums.
 */
static double batch_gradient(struct stoch *st, const double *x, const size_t *p, size_t cnt)
{
	const struct problem *pb = st->pb;
	struct pass ps;
	double scale;
	size_t k;

	batch_rows(st, p, cnt);
	pass_setup(&ps, pb->s, pb->o, pb->shape, x, st->mine, st->nmine, 1);
	ps.bstart = st->bstart;
	ps.nblk = st->nblk;
	ps.spread = 1;
	run_pass(&ps, pb->o->threads, st->acc);
	scale = (double)st->npos / ((double)cnt * pb->wtotal);
	for (k = 0; k < pb->np; k++)
		st->g[k] = st->acc[2 + k] * scale;
	l2_term(&ps, pb->o->lambda, x, st->g);
	return st->acc[0];
}

/* The rate of step st->step (0-based): --lr, then linearly down over the second half. */
static double stoch_rate(const struct stoch *st)
{
	long half = st->nsteps / 2;

	if (st->step < half)
		return st->pb->o->lr;
	return st->pb->o->lr * (double)(st->nsteps - st->step) / (double)(st->nsteps - half);
}

/* One update of X from the gradient in st->g. */
static void stoch_update(struct stoch *st, double *x)
{
	const struct trainopts *o = st->pb->o;
	double lr = stoch_rate(st), c1, c2, mh, vh;
	size_t k;

	st->step++;
	if (o->solver == SOLVER_SGD) {
		for (k = 0; k < st->pb->np; k++)
			x[k] -= lr * st->g[k];
		return;
	}
	c1 = 1 - pow(ADAM_B1, (double)st->step);
	c2 = 1 - pow(ADAM_B2, (double)st->step);
	for (k = 0; k < st->pb->np; k++) {
		st->m[k] = ADAM_B1 * st->m[k] + (1 - ADAM_B1) * st->g[k];
		st->v[k] = ADAM_B2 * st->v[k] + (1 - ADAM_B2) * st->g[k] * st->g[k];
		mh = st->m[k] / c1;
		vh = st->v[k] / c2;
		x[k] -= lr * mh / (sqrt(vh) + ADAM_EPS);
	}
}

/* The number of epochs of a run over N rows in batches of BS (--epochs, or the plan). */
static int stoch_epochs(const struct trainopts *o, size_t n, size_t bs)
{
	size_t spe = (n + bs - 1) / bs, e;

	if (o->epochs > 0)
		return o->epochs;
	e = (STOCH_STEPS + spe - 1) / spe;
	if (e < STOCH_EPOCHS)
		e = STOCH_EPOCHS;
	return e > 100000000 ? 100000000 : (int)e;
}

/*
 * SGD or Adam from X (in place): epochs of shuffled mini-batches (stoch_epochs).
 * The stopping test of L-BFGS is made once, on the full gradient at the end.  With
 * focal-mpi every process shuffles the positions of all the rows alike, takes the same
 * steps from the summed batch gradients, and evaluates J over all the rows (run_pass).
 */
static int solve_stochastic(const struct problem *pb, double *x, const double *gref,
                            struct trainresult *r, struct ferr *e)
{
	const struct trainopts *o = pb->o;
	size_t n, np = pb->np, bs = o->batch_size ? o->batch_size : 256, i, b, cnt, most;
	size_t *perm;
	struct stoch st;
	struct stoptest stop = { NULL, 0, 0 };
	struct rng rng;
	double f = 0, gn = 0, lsum;
	int ep, epochs, watch, rc = -1;

	memset(&st, 0, sizeof st);
	st.pb = pb;
	st.g = dalloc(np);
	st.acc = dalloc(np + 2);
	stoch_where(&st);
	n = st.npos;
	most = bs < n ? bs : n;
	perm = xreallocarray(NULL, n ? n : 1, sizeof *perm);
	st.mine = xreallocarray(NULL, most + 1, sizeof *st.mine);
	st.bstart = xreallocarray(NULL, (most + BLOCK_ROWS - 1) / BLOCK_ROWS + 1, sizeof *st.bstart);
	epochs = stoch_epochs(o, n, bs);
	/* the objective of each epoch, when any process shows it (every one takes part) */
	watch = !dist_all_ok(o->dist, o->progress == NULL);
	st.nsteps = (long)epochs * (long)((n + bs - 1) / bs);
	f = problem_eval(pb, x, st.g);
	if (!isfinite(f) || !all_finite(st.g, np)) {
		diverged(e, "at the initial weights", 0, "check the features and row weights");
		goto out;
	}
	stoptest_init(&stop, pb, gref ? gref : st.g);
	if (o->solver == SOLVER_ADAM) {
		st.m = xcalloc(np, sizeof *st.m);
		st.v = xcalloc(np, sizeof *st.v);
	}
	for (i = 0; i < n; i++)
		perm[i] = i;
	rng_seed(&rng, o->seed);
	for (ep = 1; ep <= epochs; ep++) {
		rng_shuffle(&rng, perm, n);
		lsum = 0;
		for (b = 0; b < n; b += cnt) {
			cnt = n - b < bs ? n - b : bs;
			lsum += batch_gradient(&st, x, perm + b, cnt);
			stoch_update(&st, x);
		}
		if (!isfinite(lsum) || !all_finite(x, np)) {
			diverged(e, "in epoch", ep, "try a lower --lr");
			goto out;
		}
		if (watch) {
			f = problem_eval(pb, x, st.g);
			report(o, ep, f, norm_inf(st.g, np));
		}
	}
	f = problem_eval(pb, x, st.g);
	gn = norm_inf(st.g, np);
	if (!isfinite(f) || !isfinite(gn)) {
		diverged(e, "at the end of training", 0, "try a lower --lr");
		goto out;
	}
	r->objective = f;
	r->gnorm = gn;
	r->iterations = epochs;
	r->converged = scaled_norm(st.g, stop.sw, np) <= stop.thr;
	rc = 0;
out:
	stoptest_release(&stop);
	free(perm);
	free(st.g);
	free(st.acc);
	free(st.m);
	free(st.v);
	free(st.loc);
	free(st.mine);
	free(st.bstart);
	return rc;
}

/* ---- train ---- */

/* Checks that S, O and M fit together; 0 or -1 with E. */
static int check_inputs(const struct trainset *s, const struct trainopts *o,
                        const struct linmodel *m, struct ferr *e)
{
	size_t i;

	if (s->n == 0 && !o->dist)
		return ferr_set(e, "no training rows");
	if (s->nclass < 2 || m->nclass != s->nclass || m->dim != s->dim || !m->w)
		return ferr_set(e, "internal error: model shape does not match the training set");
	if (m->kind == MODEL_LOGISTIC && (s->nclass != 2 || m->positive < 0 || m->positive > 1))
		return ferr_set(e, "internal error: logistic model needs two classes");
	for (i = 0; i < s->n; i++)
		if (s->y[i] >= s->nclass)
			return ferr_set(e, "internal error: class index out of range at row %zu", i);
	if (s->miss_off && (!s->miss_col || !s->col_fill))
		return ferr_set(e, "internal error: missing values without their fill");
	if (o->solver != SOLVER_LBFGS && !(o->lr > 0))
		return ferr_usage(e, "--lr must be positive");
	return 0;
}

/* Log of the weighted class priors into the biases (softmax: log pi_c; logistic: log odds). */
static void init_bias_prior(const struct problem *pb, double *x, const double *tot, double wsum)
{
	const struct linmodel *m = pb->shape;
	size_t c, stride = m->dim + 1;
	double pi, pn;

	if (m->kind == MODEL_LOGISTIC) {
		pi = fmax(tot[m->positive] / wsum, 1e-12);
		pn = fmax(tot[1 - m->positive] / wsum, 1e-12);
		x[m->dim] = log(pi / pn);
		return;
	}
	for (c = 0; c < m->nclass; c++)
		x[c * stride + m->dim] = log(fmax(tot[c] / wsum, 1e-12)); /* absent class: finite */
}

int train(const struct trainset *s, const struct trainopts *o, struct linmodel *m,
          struct trainresult *r, struct ferr *e)
{
	struct problem pb = { s, o, m, linmodel_nparams(m), 0, NULL, NULL, s->n };
	struct pass p;
	double t0 = now_seconds(), *tot = NULL, *gref = NULL, wsum, w;
	size_t i, nz, *idx = NULL;
	int rc = -1, q, nproc = o->dist ? o->dist->size : 1, me = o->dist ? o->dist->rank : 0;

	memset(r, 0, sizeof *r);
	if (check_inputs(s, o, m, e) < 0)
		goto out;
	tot = xcalloc(s->nclass + 1, sizeof *tot); /* and the weight of all, last */
	pass_setup(&p, s, o, m, NULL, NULL, s->n, 0);
	/* focal-mpi: the class totals of every process's rows, each going on from those of
	 * the processes before it (in rank order, the table's), so that they are one
	 * process's */
	for (q = 0, nz = 0; q < nproc; q++) {
		for (i = 0; q == me && i < s->n; i++) {
			w = row_weight(&p, i);
			tot[s->y[i]] += w;
			tot[s->nclass] += w;
			nz += w != 0;
		}
		dist_bcast(o->dist, q, tot, s->nclass + 1);
	}
	wsum = tot[s->nclass];
	if (!(wsum > 0) || !isfinite(wsum)) {
		ferr_set(e, "total row weight is not positive (check --class-weight and --weight)");
		goto out;
	}
	pb.wtotal = wsum;
	if (nz < s->n) {
		/* passes over the rows that count only: no test at every row of the others */
		idx = xreallocarray(NULL, nz ? nz : 1, sizeof *idx);
		for (i = 0, nz = 0; i < s->n; i++)
			if (row_weight(&p, i) != 0)
				idx[nz++] = i;
		pb.idx = idx;
		pb.npos = nz;
	}
	memset(m->w, 0, pb.np * sizeof *m->w);
	if (o->bias_prior)
		init_bias_prior(&pb, m->w, tot, wsum);
	if (o->init) {
		/* the test's reference from the cold start, then the warm one */
		gref = xcalloc(pb.np, sizeof *gref);
		problem_eval(&pb, m->w, gref);
		memcpy(m->w, o->init, pb.np * sizeof *m->w);
	}
	if (o->solver == SOLVER_LBFGS)
		rc = solve_lbfgs(&pb, m->w, gref, r, e);
	else
		rc = solve_stochastic(&pb, m->w, gref, r, e);
	r->seconds = now_seconds() - t0;
out:
	free(tot);
	free(gref);
	free(idx);
	return rc;
}

void lampath_release(struct lampath *p)
{
	free(p->lambda);
	free(p->log_loss);
	free(p->score);
	memset(p, 0, sizeof *p);
}
