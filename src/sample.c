/* sample.c: over-, under-sampling and SMOTE of training rows. */
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "pool.h"

static const char *const sample_names[] = { "none", "over", "under", "smote", "over+under" };

int sample_parse(const char *s, enum sample_kind *k)
{
	size_t i;

	for (i = 0; i < sizeof sample_names / sizeof sample_names[0]; i++)
		if (strcmp(s, sample_names[i]) == 0) {
			*k = (enum sample_kind)i;
			return 0;
		}
	return -1;
}

const char *sample_name(enum sample_kind k)
{
	return sample_names[k];
}

void sample_targets(const size_t *count, size_t nclass, enum sample_kind kind, double ratio,
                    size_t *target)
{
	size_t c, nmax = 0, nmin = SIZE_MAX, up, down, largest = 0;

	for (c = 0; c < nclass; c++) {
		target[c] = count[c];
		if (count[c] == 0)
			continue;
		nmax = count[c] > nmax ? count[c] : nmax;
		nmin = count[c] < nmin ? count[c] : nmin;
	}
	if (kind == SAMPLE_NONE || nmax == 0)
		return;
	up = (size_t)ceil(ratio * (double)nmax - 1e-9);
	down = (size_t)floor((double)nmin / ratio + 1e-9);
	if (kind == SAMPLE_OVER_UNDER) {
		down = (size_t)floor(sqrt((double)nmin * (double)nmax));
		for (c = 0; c < nclass; c++) {
			if (target[c] > down)
				target[c] = down;
			largest = target[c] > largest ? target[c] : largest;
		}
		up = (size_t)ceil(ratio * (double)largest - 1e-9);
		kind = SAMPLE_OVER;
	}
	for (c = 0; c < nclass; c++) {
		if (count[c] == 0)
			continue;
		if ((kind == SAMPLE_OVER || kind == SAMPLE_SMOTE) && target[c] < up)
			target[c] = up;
		if (kind == SAMPLE_UNDER && target[c] > down)
			target[c] = down;
	}
}

/* ---- exact k nearest neighbours, blocked ---- */

#define QBLOCK 64   /* queries sharing one pass over a candidate block */
#define CBLOCK 256  /* candidates per block, stored transposed */

struct knn {
	const float *x;
	size_t m, dim, k, nblocks;
	float *xt;      /* candidate blocks, transposed: block b, dim j, slot c */
	float *norm;    /* squared norms, padded with +inf */
	uint32_t *nb;
};

/* Inserts candidate (d, idx) into the sorted top-k list of one query. */
static void topk_insert(float *bd, uint32_t *bi, size_t k, float d, uint32_t idx)
{
	size_t i = k - 1;

	if (d > bd[i] || (d == bd[i] && idx >= bi[i]))
		return;
	while (i > 0 && (d < bd[i - 1] || (d == bd[i - 1] && idx < bi[i - 1]))) {
		bd[i] = bd[i - 1];
		bi[i] = bi[i - 1];
		i--;
	}
	bd[i] = d;
	bi[i] = idx;
}

/*
 * Dot products of two queries with the CBLOCK candidates of a transposed block.  Each
 * candidate's sum runs over j = 0..dim-1 in order in one float, with multiplication and
 * addition rounded apart (no fused multiply-add: GCC forms none under -std=c11, Clang
 * none with FP_CONTRACT off; each result is stored, which drops any excess precision),
 * so every path below computes the same sums bit for bit:
 * - with GCC or Clang, 32 candidates at a time in eight vector accumulators (the row of
 *   the block is loaded once for both queries), cloned for AVX2 where the compiler can
 *   pick a clone at load time (target_clones: x86 with the GNU C library's ifunc);
 *   -DFOCAL_NO_TARGET_CLONES leaves the clones out;
 * - elsewhere, or with -DFOCAL_PORTABLE_DOTS, a plain loop.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(__GNUC__) && !defined(FOCAL_PORTABLE_DOTS)
#define DOTS_VECTOR 1
#else
#define DOTS_VECTOR 0
#endif

#if DOTS_VECTOR && !defined(FOCAL_NO_TARGET_CLONES) && defined(__has_attribute) && \
    (defined(__x86_64__) || defined(__i386__)) && defined(__GLIBC__)
#if __has_attribute(target_clones)
#define DOTS_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef DOTS_CLONES
#define DOTS_CLONES
#endif

#if DOTS_VECTOR
typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_u __attribute__((vector_size(32), aligned(4))); /* unaligned access */

DOTS_CLONES
static void block_dots2(const float *q0, const float *q1, const float *blk, size_t dim,
                        float *out0, float *out1)
{
	size_t c, j;

	for (c = 0; c < CBLOCK; c += 32) {
		v8f a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
		v8f b0 = { 0 }, b1 = { 0 }, b2 = { 0 }, b3 = { 0 };

		for (j = 0; j < dim; j++) {
			const float *row = blk + j * CBLOCK + c;
			v8f r0 = *(const v8f_u *)row, r1 = *(const v8f_u *)(row + 8);
			v8f r2 = *(const v8f_u *)(row + 16), r3 = *(const v8f_u *)(row + 24);
			float x = q0[j], y = q1[j];

			a0 += r0 * x;
			a1 += r1 * x;
			a2 += r2 * x;
			a3 += r3 * x;
			b0 += r0 * y;
			b1 += r1 * y;
			b2 += r2 * y;
			b3 += r3 * y;
		}
		*(v8f_u *)(out0 + c) = a0;
		*(v8f_u *)(out0 + c + 8) = a1;
		*(v8f_u *)(out0 + c + 16) = a2;
		*(v8f_u *)(out0 + c + 24) = a3;
		*(v8f_u *)(out1 + c) = b0;
		*(v8f_u *)(out1 + c + 8) = b1;
		*(v8f_u *)(out1 + c + 16) = b2;
		*(v8f_u *)(out1 + c + 24) = b3;
	}
}
#else
static void block_dots2(const float *q0, const float *q1, const float *blk, size_t dim,
                        float *out0, float *out1)
{
	size_t c, j;

	for (c = 0; c < CBLOCK; c++)
		out0[c] = out1[c] = 0;
	for (j = 0; j < dim; j++) {
		const float *row = blk + j * CBLOCK;
		float x = q0[j], y = q1[j], p;

		for (c = 0; c < CBLOCK; c++) {
			p = row[c] * x;
			out0[c] = out0[c] + p;
			p = row[c] * y;
			out1[c] = out1[c] + p;
		}
	}
}
#endif

/* Offers the CBLOCK candidates of block B, with dot products ACC, to query Q's list. */
static void offer_block(const struct knn *kn, size_t q, size_t b, const float *acc, float *qd,
                        uint32_t *qi)
{
	const float *nrm = kn->norm + b * CBLOCK;
	float qn = kn->norm[q];
	size_t c, k = kn->k;

	for (c = 0; c < CBLOCK; c++) {
		size_t idx = b * CBLOCK + c;
		float d = qn + nrm[c] - 2 * acc[c];

		if (idx == q || !(d <= qd[k - 1]))
			continue;
		topk_insert(qd, qi, k, d < 0 ? 0 : d, (uint32_t)idx);
	}
}

static void knn_queries(struct knn *kn, size_t q0, size_t q1, float *bd, uint32_t *bi)
{
	float acc0[CBLOCK], acc1[CBLOCK];
	size_t q, b, c, k = kn->k;

	for (q = q0; q < q1; q++)
		for (c = 0; c < k; c++) {
			bd[(q - q0) * k + c] = INFINITY;
			bi[(q - q0) * k + c] = UINT32_MAX;
		}
	for (b = 0; b < kn->nblocks; b++) {
		const float *blk = kn->xt + b * CBLOCK * kn->dim;

		for (q = q0; q < q1; q += 2) {
			size_t qb = q + 1 < q1 ? q + 1 : q; /* an odd last query pairs with itself */

			block_dots2(kn->x + q * kn->dim, kn->x + qb * kn->dim, blk, kn->dim, acc0, acc1);
			offer_block(kn, q, b, acc0, bd + (q - q0) * k, bi + (q - q0) * k);
			if (qb != q)
				offer_block(kn, qb, b, acc1, bd + (qb - q0) * k, bi + (qb - q0) * k);
		}
	}
	for (q = q0; q < q1; q++)
		memcpy(kn->nb + q * k, bi + (q - q0) * k, k * sizeof *bi);
}

/* Queries of block I (QBLOCK queries from I * QBLOCK) for pool_for, with lists of their own. */
static void knn_block(void *ctx, size_t i)
{
	struct knn *kn = ctx;
	size_t q0 = i * QBLOCK, q1 = q0 + QBLOCK < kn->m ? q0 + QBLOCK : kn->m;
	float *bd = xmalloc(QBLOCK * kn->k * sizeof *bd);
	uint32_t *bi = xmalloc(QBLOCK * kn->k * sizeof *bi);

	knn_queries(kn, q0, q1, bd, bi);
	free(bd);
	free(bi);
}

void knn_within(const float *x, size_t m, size_t dim, size_t k, int threads, uint32_t *nb)
{
	struct knn kn;
	size_t i, j;

	memset(&kn, 0, sizeof kn);
	kn.x = x;
	kn.m = m;
	kn.dim = dim;
	kn.k = k;
	kn.nb = nb;
	kn.nblocks = (m + CBLOCK - 1) / CBLOCK;
	kn.xt = xcalloc(kn.nblocks * CBLOCK * (dim ? dim : 1), sizeof *kn.xt);
	kn.norm = xmalloc(kn.nblocks * CBLOCK * sizeof *kn.norm);
	for (i = 0; i < kn.nblocks * CBLOCK; i++)
		kn.norm[i] = INFINITY;
	for (i = 0; i < m; i++) {
		double s = 0;
		float *blk = kn.xt + (i / CBLOCK) * CBLOCK * dim;

		for (j = 0; j < dim; j++) {
			blk[j * CBLOCK + i % CBLOCK] = x[i * dim + j];
			s += (double)x[i * dim + j] * x[i * dim + j];
		}
		kn.norm[i] = (float)s;
	}
	pool_for(threads, (m + QBLOCK - 1) / QBLOCK, knn_block, &kn);
	free(kn.xt);
	free(kn.norm);
}

/* ---- building the sampled set ---- */

struct builder {
	const struct dataset *in;
	struct dataset *out;
	size_t cap;
};

/* Appends a row (copied from SRC) of class Y and weight W; returns its features. */
static float *add_row(struct builder *b, const float *src, uint32_t y, double w)
{
	struct dataset *o = b->out;
	float *dst;

	if (o->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		o->x = block_realloc(o->x, b->cap * (o->dim ? o->dim : 1));
		o->y = xreallocarray(o->y, b->cap, sizeof *o->y);
		if (b->in->roww)
			o->roww = xreallocarray(o->roww, b->cap, sizeof *o->roww);
	}
	dst = o->x + o->n * o->dim;
	if (src)
		memcpy(dst, src, o->dim * sizeof *dst);
	o->y[o->n] = y;
	if (b->in->roww)
		o->roww[o->n] = w;
	o->count[y]++;
	o->n++;
	return dst;
}

/* Random subset of size `keep` of 0..n-1, returned as flags (partial Fisher-Yates). */
static unsigned char *choose_subset(struct rng *r, size_t n, size_t keep)
{
	size_t *perm = xmalloc((n ? n : 1) * sizeof *perm), i;
	unsigned char *flag = xcalloc(n + 1, 1);

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = 0; i < keep; i++) {
		size_t j = i + (size_t)rng_below(r, n - i), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
		flag[perm[i]] = 1;
	}
	free(perm);
	return flag;
}

/* Is design column j inside a one-hot block?  Fills blk_of[j] = feature index or -1. */
static long *onehot_blocks(const struct schema *s, size_t dim)
{
	long *of = xmalloc((dim ? dim : 1) * sizeof *of);
	size_t i, j;

	for (j = 0; j < dim; j++)
		of[j] = -1;
	if (!s)
		return of;
	for (i = 0; i < s->nfeat; i++)
		if (s->feat[i].categorical)
			for (j = 0; j < s->feat[i].nvocab; j++)
				of[s->feat[i].offset + j] = (long)i;
	return of;
}

/* Appends `need` SMOTE rows of class C, whose rows in IN are rows[0..m). */
static void smote_class(struct builder *b, const struct sampleopts *o, struct rng *r, uint32_t c,
                        const size_t *rows, size_t m, size_t need, const long *blk_of)
{
	const struct dataset *in = b->in;
	size_t dim = in->dim, k = (size_t)o->smote_k, i, j;
	float *xc;
	uint32_t *nb = NULL;
	char msg[512];

	if (m - 1 < k) {
		k = m - 1;
		snprintf(msg, sizeof msg, "smote: class '%s' has %zu rows; using %zu neighbours instead "
		         "of %d", o->s ? o->s->classes[c] : "?", m, k, o->smote_k);
		if (o->warn)
			o->warn(msg);
	}
	if (k == 0) {
		for (i = 0; i < need; i++)
			add_row(b, in->x + rows[0] * dim, c, in->roww ? in->roww[rows[0]] : 1);
		return;
	}
	xc = xmalloc(m * (dim ? dim : 1) * sizeof *xc);
	for (i = 0; i < m; i++)
		memcpy(xc + i * dim, in->x + rows[i] * dim, dim * sizeof *xc);
	nb = xmalloc(m * k * sizeof *nb);
	knn_within(xc, m, dim, k, o->threads, nb);
	for (i = 0; i < need; i++) {
		size_t a = (size_t)rng_below(r, m), bnb = nb[a * k + rng_below(r, k)];
		double u = rng_uniform(r);
		const float *xa = xc + a * dim, *xb = xc + bnb * dim;
		float *dst = add_row(b, NULL, c, in->roww ? in->roww[rows[a]] : 1);

		for (j = 0; j < dim; j++) {
			if (blk_of[j] >= 0)
				dst[j] = u < 0.5 ? xa[j] : xb[j];
			else
				dst[j] = (float)((double)xa[j] + u * ((double)xb[j] - (double)xa[j]));
		}
	}
	free(nb);
	free(xc);
}

int sample_dataset(const struct dataset *in, size_t nclass, const struct sampleopts *o,
                   struct dataset *out, struct ferr *e)
{
	struct builder b;
	struct rng r;
	size_t *target = xcalloc(nclass, sizeof *target), **rows = xcalloc(nclass, sizeof *rows);
	size_t *nrows = xcalloc(nclass, sizeof *nrows), i, c;
	unsigned char **keep = xcalloc(nclass, sizeof *keep);
	long *blk_of = onehot_blocks(o->s, in->dim);
	size_t *seen = xcalloc(nclass, sizeof *seen);

	(void)e;
	memset(out, 0, sizeof *out);
	memset(&b, 0, sizeof b);
	b.in = in;
	b.out = out;
	out->dim = in->dim;
	out->count = xcalloc(nclass, sizeof *out->count);
	rng_seed(&r, o->seed ^ UINT64_C(0x5a4d504c45));
	if (o->target)
		memcpy(target, o->target, nclass * sizeof *target);
	else
		sample_targets(in->count, nclass, o->kind, o->ratio, target);
	for (c = 0; c < nclass; c++)
		rows[c] = xmalloc((in->count[c] ? in->count[c] : 1) * sizeof **rows);
	for (i = 0; i < in->n; i++)
		rows[in->y[i]][nrows[in->y[i]]++] = i;
	/* Under-sampling: which rows of each class stay. */
	for (c = 0; c < nclass; c++)
		if (target[c] < in->count[c])
			keep[c] = choose_subset(&r, in->count[c], target[c]);
	for (i = 0; i < in->n; i++) {
		uint32_t y = in->y[i];
		size_t pos = seen[y]++;

		if (!keep[y] || keep[y][pos])
			add_row(&b, in->x + i * in->dim, y, in->roww ? in->roww[i] : 1);
	}
	/* Over-sampling: copies or synthetic rows, class by class. */
	for (c = 0; c < nclass; c++) {
		size_t need = target[c] > in->count[c] ? target[c] - in->count[c] : 0;

		if (need == 0)
			continue;
		if (o->kind == SAMPLE_SMOTE) {
			smote_class(&b, o, &r, (uint32_t)c, rows[c], nrows[c], need, blk_of);
			continue;
		}
		for (i = 0; i < need; i++) {
			size_t src = rows[c][rng_below(&r, nrows[c])];

			add_row(&b, in->x + src * in->dim, (uint32_t)c, in->roww ? in->roww[src] : 1);
		}
	}
	for (c = 0; c < nclass; c++) {
		free(rows[c]);
		free(keep[c]);
	}
	free(rows);
	free(keep);
	free(nrows);
	free(seen);
	free(target);
	free(blk_of);
	return 0;
}
