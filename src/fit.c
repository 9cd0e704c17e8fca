/*
 * fit.c: one configuration fitted on a set of rows (fit.h).
 *
 * focal train fits the whole dataset as it was read; focal cv fits each fold's
 * training rows of the one dataset it read, without copying it:
 *
 * - imputation per set: the reader lists where numeric values were missing
 *   (dataset.miss_*), and the fit (trainset.miss_*, col_fill) and the scoring put the
 *   set's mean in at those places as they read the rows;
 * - standardisation per set: the trainset gets col_scale/col_shift that turn the
 *   globally standardised numeric columns into columns standardised on the set's rows;
 *   rows are scored with the equivalent parameters on the stored rows (fit_scorer);
 * - sampling: over, under and over+under become per-row multiplicities in the row
 *   weights (0 for rows outside the set and rows under-sampling leaves out), which gives
 *   the objective of the duplicated rows exactly; SMOTE makes new rows, so it alone
 *   copies the set's rows.  A whole-dataset fit samples a copy, as it always has.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "dist.h"
#include "fit.h"
#include "score.h"

static const char *const loss_words[] = { "ce", "focal" };
static const char *const choice_words[] = { "auto", "logistic", "softmax" };

/* The index of WORD among the N WORDS, or -1. */
static int word_index(const char *const *words, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(word, words[i]) == 0)
			return (int)i;
	return -1;
}

int fit_parse_loss(const char *word, enum loss_kind *k)
{
	int i = word_index(loss_words, sizeof loss_words / sizeof loss_words[0], word);

	if (i >= 0)
		*k = (enum loss_kind)i;
	return i < 0 ? -1 : 0;
}

int fit_parse_model(const char *word, enum model_choice *c)
{
	int i = word_index(choice_words, sizeof choice_words / sizeof choice_words[0], word);

	if (i >= 0)
		*c = (enum model_choice)i;
	return i < 0 ? -1 : 0;
}

const char *fit_loss_name(enum loss_kind k)
{
	return k == LOSS_FOCAL ? "focal" : "ce";
}

const char *fit_choice_name(enum model_choice c)
{
	return choice_words[c];
}

const char *fit_model_name(enum model_kind k)
{
	return k == MODEL_LOGISTIC ? "logistic" : "softmax";
}

const char *fit_solver_name(enum solver_kind k)
{
	return k == SOLVER_SGD ? "sgd" : k == SOLVER_ADAM ? "adam" : "lbfgs";
}

void fit_defaults(struct trainopts *t)
{
	memset(t, 0, sizeof *t);
	t->gamma = 2;
	t->tol = NAN; /* the solver's default */
	t->max_iter = 1000;
	t->epochs = 0; /* the solver plans them */
	t->batch_size = 256;
	t->bias_prior = 1;
	t->seed = 1;
	t->threads = ncores();
}

int fit_model_kind(enum model_choice choice, size_t nclass, enum model_kind *k, struct ferr *e)
{
	*k = nclass == 2 ? MODEL_LOGISTIC : MODEL_SOFTMAX;
	if (choice == CHOOSE_SOFTMAX)
		*k = MODEL_SOFTMAX;
	if (choice == CHOOSE_LOGISTIC) {
		if (nclass != 2)
			return ferr_usage(e, "--model logistic needs two classes; the data has %zu",
			                  nclass);
		*k = MODEL_LOGISTIC;
	}
	return 0;
}

int fit_positive(const struct schema *s, const struct dataset *d, const char *label,
                 struct ferr *e)
{
	return positive_class(s->classes, s->nclass, d->count, label, "the data", e);
}

/* ---- per-set standardisation and imputation ---- */

void fitprep_release(struct fitprep *p)
{
	free(p->scale);
	free(p->shift);
	free(p->fill);
	memset(p, 0, sizeof *p);
}

double *fit_column_means(const struct dataset *d, const struct schema *s,
                         const struct dist *dist)
{
	double *center = xcalloc(s->nfeat + 1, sizeof *center), n = (double)d->n;
	size_t i, j, ncol;
	int r, nproc = dist ? dist->size : 1, me = dist ? dist->rank : 0;

	/* focal-mpi: each process adds its rows to the sums of the processes before it, in
	 * rank order (the table's), so that the sums are those of one process */
	for (r = 0; r < nproc; r++) {
		if (r == me) {
			for (i = 0; i < d->n; i++) {
				block_sweep(d->x, i, d->n, d->dim);
				for (j = 0, ncol = 0; j < s->nfeat; j++)
					if (!s->feat[j].categorical)
						center[ncol++] += d->x[i * d->dim + s->feat[j].offset];
			}
			block_done(d->x, 0, d->n * d->dim);
		}
		dist_bcast(dist, r, center, s->nfeat);
	}
	dist_sum(dist, &n, 1);
	for (j = 0, ncol = 0; j < s->nfeat; j++)
		if (!s->feat[j].categorical) {
			center[ncol] = n > 0 ? center[ncol] / n : 0;
			ncol++;
		}
	return center;
}

/* The fitprep of numeric columns COL[0..ncol) from the sums T1, T2 and count NTR around CENTER. */
static void prep_from_sums(struct fitprep *p, size_t dim, const size_t *col, size_t ncol,
                           const double *t1, const double *t2, const double *ntr,
                           int standardize, const double *center)
{
	size_t j;

	if (standardize) {
		p->scale = xmalloc((dim ? dim : 1) * sizeof *p->scale);
		p->shift = xmalloc((dim ? dim : 1) * sizeof *p->shift);
		for (j = 0; j < dim; j++) {
			p->scale[j] = 1;
			p->shift[j] = 0;
		}
	}
	for (j = 0; j < ncol; j++) {
		double dev = ntr[j] ? t1[j] / ntr[j] : 0;
		double var = ntr[j] ? t2[j] / ntr[j] - dev * dev : 0;
		double m = center[j] + dev, sd = var > 0 ? sqrt(var) : 0;

		if (p->fill)
			p->fill[col[j]] = m;
		if (!standardize)
			continue;
		/* Rounding leaves a constant column an sd of ~1e-11 |m|, not 0. */
		if (sd > 1e-9 * fabs(m)) {
			p->scale[col[j]] = 1 / sd;
			p->shift[col[j]] = -m / sd;
		} else {
			p->shift[col[j]] = -m;
		}
	}
}

void fitprep_complements(const struct dataset *d, const struct schema *s, const uint32_t *group,
                         size_t k, const double *count, int standardize, const double *center,
                         const struct dist *dist, struct fitprep *prep)
{
	size_t dim = d->dim, i, j, f, g, t, ncol = 0;
	size_t *col = xmalloc((s->nfeat ? s->nfeat : 1) * sizeof *col);
	size_t *num = xmalloc((dim ? dim : 1) * sizeof *num);
	double *s1, *s2, *cnt, *t1, *t2, *tn;
	int r, nproc = dist ? dist->size : 1, me = dist ? dist->rank : 0;

	for (f = 0; f < k; f++)
		memset(&prep[f], 0, sizeof prep[f]);
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
	/* the three sums of each group, one block (focal-mpi passes it on) */
	s1 = xcalloc(3 * k * ncol + 1, sizeof *s1);
	s2 = s1 + k * ncol;
	cnt = s2 + k * ncol;
	t1 = xcalloc(ncol + 1, sizeof *t1);
	t2 = xcalloc(ncol + 1, sizeof *t2);
	tn = xcalloc(ncol + 1, sizeof *tn);
	/* focal-mpi: in rank order, each process going on from the sums of those before it */
	for (r = 0; r < nproc; r++) {
		for (i = 0; r == me && i < d->n; i++) {
			const float *row = d->x + i * dim;
			double *a1 = s1 + group[i] * ncol, *a2 = s2 + group[i] * ncol;
			double *c = cnt + group[i] * ncol, m = count ? count[i] : 1, v;

			block_sweep(d->x, i, d->n, dim);
			if (m == 0)
				continue;
			for (j = 0; j < ncol; j++) {
				v = m * ((double)row[col[j]] - center[j]);
				a1[j] += v;
				a2[j] += v * ((double)row[col[j]] - center[j]);
				c[j] += m;
			}
			if (d->miss_off) /* take the imputed values out again */
				for (t = d->miss_off[i]; t < d->miss_off[i + 1]; t++) {
					j = num[d->miss_col[t]];
					v = m * ((double)row[col[j]] - center[j]);
					a1[j] -= v;
					a2[j] -= v * ((double)row[col[j]] - center[j]);
					c[j] -= m;
				}
		}
		dist_bcast(dist, r, s1, 3 * k * ncol);
	}
	for (f = 0; f < k; f++) {
		for (j = 0; j < ncol; j++) {
			t1[j] = t2[j] = tn[j] = 0;
			for (g = 0; g < k; g++)
				if (g != f) {
					t1[j] += s1[g * ncol + j];
					t2[j] += s2[g * ncol + j];
					tn[j] += cnt[g * ncol + j];
				}
		}
		if (d->miss_off)
			prep[f].fill = xcalloc(dim ? dim : 1, sizeof *prep[f].fill);
		prep_from_sums(&prep[f], dim, col, ncol, t1, t2, tn, standardize, center);
	}
	free(s1);
	free(t1);
	free(t2);
	free(tn);
	free(col);
	free(num);
}

void fitprep_rows(const struct dataset *d, const struct schema *s, const double *count,
                  int standardize, const double *center, const struct dist *dist,
                  struct fitprep *prep)
{
	uint32_t *group = xcalloc(d->n + 1, sizeof *group);
	double *own = center ? NULL : fit_column_means(d, s, dist);
	struct fitprep both[2];
	size_t i;

	/* group 1 holds the set's rows; the complement of group 0 is the set */
	for (i = 0; i < d->n; i++)
		group[i] = count[i] > 0;
	fitprep_complements(d, s, group, 2, count, standardize, center ? center : own, dist, both);
	*prep = both[0];
	fitprep_release(&both[1]);
	free(group);
	free(own);
}

void fit_row(const struct dataset *d, size_t i, const double *fill, double *x)
{
	size_t j;

	for (j = 0; j < d->dim; j++)
		x[j] = d->x[i * d->dim + j];
	if (fill && d->miss_off)
		for (j = d->miss_off[i]; j < d->miss_off[i + 1]; j++)
			x[d->miss_col[j]] = fill[d->miss_col[j]];
}

void fit_scorer(const struct linmodel *m, const struct fitprep *prep, double *eff)
{
	size_t np = linmodel_nparams(m);

	if (prep && prep->scale)
		linmodel_affine(m, m->w, prep->scale, prep->shift, eff);
	else
		memcpy(eff, m->w, np * sizeof *eff);
}

/* ---- the fit ---- */

/*
 * Where this process's COUNT[c] rows of each class lie among the class's rows of every
 * process in rank order (the table's): from FIRST[c], of GLOBAL[c] in all.  Without DIST
 * (or alone), from 0 of COUNT[c].
 */
static void class_positions(const struct dist *dist, size_t nclass, const size_t *count,
                            size_t *first, size_t *global)
{
	size_t *lens, q, c;
	uint64_t *mine, *all;

	memset(first, 0, nclass * sizeof *first);
	memcpy(global, count, nclass * sizeof *count);
	if (!dist || dist->size <= 1)
		return;
	lens = xcalloc((size_t)dist->size, sizeof *lens);
	mine = xcalloc(nclass + 1, sizeof *mine);
	for (c = 0; c < nclass; c++)
		mine[c] = count[c];
	all = dist_gather(dist, mine, nclass * sizeof *mine, lens);
	for (c = 0; c < nclass; c++) {
		global[c] = 0;
		for (q = 0; q < (size_t)dist->size; q++) {
			if (q == (size_t)dist->rank)
				first[c] = global[c];
			global[c] += (size_t)all[q * nclass + c];
		}
	}
	free(all);
	free(mine);
	free(lens);
}

/*
 * Row weights of the set IN (a multiplicity a row; NULL: every row once) after sampling
 * with KIND and RATIO, as multiplicities: 0 for rows outside the set and the rows
 * under-sampling leaves out (a uniform subset of each class's rows is kept, a row of
 * multiplicity m counting as m rows), one for each kept row plus the extra copies
 * over-sampling draws (uniformly, with replacement, among the class's kept rows); times
 * the --weight row weight.  AFTER gets the rows per class after sampling (sample_targets
 * of the set's counts), *TOTAL the sum of the multiplicities.
 *
 * With DIST (focal-mpi), the set is the rows of every process in rank order: the counts
 * are those of all, and every process draws the same numbers, for positions in each
 * class's rows of the whole table, keeping those of its own rows; so each row gets the
 * multiplicity one process gives it (AFTER and *TOTAL are then of all the processes).
 */
static double *multiplicities(const struct dist *dist, const struct dataset *d, size_t nclass,
                              const double *in, enum sample_kind kind, double ratio,
                              uint64_t seed, size_t *after, size_t *total)
{
	double *mult = xcalloc(d->n + 1, sizeof *mult);
	size_t *count = xcalloc(nclass, sizeof *count), *off = xcalloc(nclass + 1, sizeof *off);
	size_t *fill = xcalloc(nclass, sizeof *fill), *first = xcalloc(nclass, sizeof *first);
	size_t *global = xcalloc(nclass, sizeof *global), *rows, *pos = NULL, i, c, keep, r, m;
	struct rng rng;

	for (i = 0; i < d->n; i++)
		count[d->y[i]] += in ? (size_t)in[i] : 1;
	class_positions(dist, nclass, count, first, global);
	sample_targets(global, nclass, kind, ratio, after);
	for (c = 0; c < nclass; c++)
		off[c + 1] = off[c] + count[c];
	rows = xmalloc((off[nclass] ? off[nclass] : 1) * sizeof *rows);
	for (i = 0; i < d->n; i++)
		for (r = 0; r < (in ? (size_t)in[i] : 1); r++)
			rows[off[d->y[i]] + fill[d->y[i]]++] = i;
	rng_seed(&rng, seed);
	for (c = 0; c < nclass; c++) {
		size_t *rc = rows + off[c], lo = first[c], hi = first[c] + count[c];

		m = global[c];
		keep = m;
		free(pos);
		pos = NULL;
		if (after[c] < m) {
			/* under: a uniform subset of after[c] positions (partial Fisher-Yates) */
			pos = xmalloc(m * sizeof *pos);
			for (i = 0; i < m; i++)
				pos[i] = i;
			for (i = 0; i < after[c]; i++) {
				size_t j = i + (size_t)rng_below(&rng, m - i), t = pos[i];

				pos[i] = pos[j];
				pos[j] = t;
			}
			keep = after[c];
		}
		/* position p (the p-th kept, or of the class) is row rc[p - lo] when it is here */
		for (i = 0; i < keep; i++) {
			size_t p = pos ? pos[i] : i;

			if (p >= lo && p < hi)
				mult[rc[p - lo]] += 1;
		}
		for (i = keep; i < after[c]; i++) { /* over: extra copies */
			size_t k = (size_t)rng_below(&rng, keep), p = pos ? pos[k] : k;

			if (p >= lo && p < hi)
				mult[rc[p - lo]] += 1;
		}
	}
	*total = 0;
	for (c = 0; c < nclass; c++)
		*total += after[c];
	for (i = 0; i < d->n; i++)
		if (d->roww)
			mult[i] *= d->roww[i];
	free(pos);
	free(count);
	free(off);
	free(fill);
	free(first);
	free(global);
	free(rows);
	return mult;
}

void fit_shared_rows(const struct dist *dist, const struct dataset *d, const double *keep,
                     int as_weight, struct dataset *out)
{
	size_t dim = d->dim, i, t, m = 0, nmiss = 0, before, total;
	int weighted = as_weight || d->roww;

	memset(out, 0, sizeof *out);
	before = dist_rows_before(dist, d->n, &total);
	for (i = 0; i < d->n; i++)
		if (keep[i] != 0) {
			m++;
			nmiss += d->miss_off ? d->miss_off[i + 1] - d->miss_off[i] : 0;
		}
	out->dim = dim;
	out->x = block_alloc((m ? m : 1) * dim);
	out->y = xcalloc(m + 1, sizeof *out->y);
	if (weighted)
		out->roww = xcalloc(m + 1, sizeof *out->roww);
	if (d->miss_off) {
		out->miss_off = xcalloc(m + 1, sizeof *out->miss_off);
		out->miss_col = xcalloc(nmiss + 1, sizeof *out->miss_col);
	}
	/* where each row is among the set's rows on all the processes (stochastic solvers) */
	out->pos = xcalloc(m + 1, sizeof *out->pos);
	out->npos = d->pos ? d->npos : total;
	for (i = 0; i < d->n; i++) {
		block_sweep(d->x, i, d->n, dim);
		if (keep[i] == 0)
			continue;
		memcpy(out->x + out->n * dim, d->x + i * dim, dim * sizeof *out->x);
		out->y[out->n] = d->y[i];
		out->pos[out->n] = d->pos ? d->pos[i] : before + i;
		if (weighted)
			out->roww[out->n] = as_weight ? keep[i] : d->roww[i];
		if (d->miss_off) {
			size_t at = out->miss_off[out->n];

			for (t = d->miss_off[i]; t < d->miss_off[i + 1]; t++)
				out->miss_col[at++] = d->miss_col[t];
			out->miss_off[out->n + 1] = at;
		}
		out->n++;
	}
	block_done(d->x, 0, d->n * dim);
	dist_align_rows(dist, out, TRAIN_BLOCK_ROWS);
}

/* The rows of the set COUNT copied into PART (for SMOTE), their missing values FILL's. */
static void set_copy(const struct dataset *d, size_t nclass, const double *count,
                     const double *fill, struct dataset *part)
{
	size_t i, j, r, m = 0, ntr = 0;
	double *xd = xcalloc(d->dim + 1, sizeof *xd);

	for (i = 0; i < d->n; i++)
		ntr += (size_t)count[i];
	memset(part, 0, sizeof *part);
	part->dim = d->dim;
	part->x = block_alloc((ntr ? ntr : 1) * (d->dim ? d->dim : 1));
	part->y = xcalloc(ntr + 1, sizeof *part->y);
	part->roww = d->roww ? xcalloc(ntr + 1, sizeof *part->roww) : NULL;
	part->count = xcalloc(nclass, sizeof *part->count);
	for (i = 0; i < d->n; i++) {
		if (count[i] <= 0)
			continue;
		fit_row(d, i, fill, xd);
		for (r = 0; r < (size_t)count[i]; r++, m++) {
			for (j = 0; j < d->dim; j++)
				part->x[m * d->dim + j] = (float)xd[j];
			part->y[m] = d->y[i];
			if (d->roww)
				part->roww[m] = d->roww[i];
			part->count[d->y[i]]++;
		}
	}
	part->n = m;
	free(xd);
}

/* SMOTE (or any sampling) of IN into OUT under C, with SEED, to TARGET rows per class
 * (NULL: sample_targets of IN's counts). */
static int sample_copy(const struct dataset *in, const struct schema *s,
                       const struct fitconfig *c, const size_t *target, uint64_t seed,
                       struct dataset *out, struct ferr *e)
{
	struct sampleopts so;

	memset(&so, 0, sizeof so);
	so.kind = c->sample;
	so.ratio = c->ratio;
	so.smote_k = c->smote_k;
	so.seed = seed;
	so.threads = c->solver.threads;
	so.s = s;
	so.warn = c->warn;
	so.target = target;
	return sample_dataset(in, s->nclass, &so, out, e);
}

/*
 * focal-mpi: SMOTE on every process's rows D, each making its share of the new rows from
 * its own rows and their neighbours among them.  The targets are those of the whole
 * table's classes; a class's new rows are dealt out in proportion to its rows on each
 * process (the shares of its positions, so they add up exactly).  OUT gets this
 * process's rows after sampling, OUT->count their classes (collective).
 */
static int smote_local(const struct dist *dist, const struct dataset *d, const struct schema *s,
                       const struct fitconfig *c, struct dataset *out, struct ferr *e)
{
	size_t nclass = s->nclass, i, k;
	size_t *count = xcalloc(nclass, sizeof *count), *first = xcalloc(nclass, sizeof *first);
	size_t *global = xcalloc(nclass, sizeof *global), *target = xcalloc(nclass, sizeof *target);
	size_t *mine = xcalloc(nclass, sizeof *mine);
	struct dataset view;
	int rc;

	for (i = 0; i < d->n; i++)
		count[d->y[i]]++;
	class_positions(dist, nclass, count, first, global);
	sample_targets(global, nclass, SAMPLE_SMOTE, c->ratio, target);
	for (k = 0; k < nclass; k++) {
		unsigned __int128 need = target[k] - global[k], m = global[k] ? global[k] : 1;

		mine[k] = count[k] + (size_t)(need * (first[k] + count[k]) / m - need * first[k] / m);
	}
	view = *d;
	view.count = count;
	rc = sample_copy(&view, s, c, mine,
	                 c->sample_seed ^ (uint64_t)dist->rank * UINT64_C(0x9e3779b97f4a7c15), out, e);
	/* (sampling does not fail; were it to on one process, all stop) */
	if (!dist_all_ok(dist, rc == 0) && rc == 0)
		rc = dist_elsewhere(e);
	free(count);
	free(first);
	free(global);
	free(target);
	free(mine);
	return rc;
}

/* focal-mpi train: smote_local, AFTER getting the rows per class after sampling on all
 * the processes. */
static int smote_shared(const struct dist *dist, const struct dataset *d, const struct schema *s,
                        const struct fitconfig *c, struct dataset *out, size_t *after,
                        struct ferr *e)
{
	size_t nclass = s->nclass, k;
	double *v = xcalloc(nclass + 1, sizeof *v);
	int rc = smote_local(dist, d, s, c, out, e);

	for (k = 0; rc == 0 && k < nclass; k++)
		v[k] = (double)out->count[k];
	dist_sum(dist, v, nclass);
	for (k = 0; k < nclass; k++)
		after[k] = (size_t)v[k];
	free(v);
	return rc;
}

/*
 * The SMOTE set of the rows of D that COUNT gives (their missing values FILL's) into
 * OUT, OUT->count its rows per class.  With focal-mpi, each process's share of the set
 * of every process's rows (smote_local), moved into the blocks one process would sum
 * them in (OUT->count then of this process's rows).  0, or -1 with E filled.
 */
static int smote_set(const struct dataset *d, const struct schema *s, const double *count,
                     const double *fill, const struct fitconfig *c, struct dataset *out,
                     struct ferr *e)
{
	const struct dist *dist = c->solver.dist;
	struct dataset part;
	size_t i;
	int rc;

	set_copy(d, s->nclass, count, fill, &part);
	if (!dist || dist->size <= 1) {
		rc = sample_copy(&part, s, c, NULL, c->sample_seed, out, e);
		dataset_release(&part);
		return rc;
	}
	rc = smote_local(dist, &part, s, c, out, e);
	dataset_release(&part);
	if (rc != 0)
		return rc;
	dist_align_rows(dist, out, TRAIN_BLOCK_ROWS);
	memset(out->count, 0, s->nclass * sizeof *out->count);
	for (i = 0; i < out->n; i++)
		out->count[out->y[i]]++;
	return 0;
}

int fit_smote_set(const struct dataset *d, const struct schema *s, const struct fitrows *r,
                  const struct fitconfig *c, struct dataset *out, struct ferr *e)
{
	return smote_set(d, s, r->count, r->prep->fill, c, out, e);
}

/* OUT's rows per class before and after sampling, and its rows, summed over the
 * processes of DIST. */
static void shared_counts(const struct dist *dist, size_t nclass, struct fitresult *out,
                          int after_shared)
{
	double *v = xcalloc(2 * nclass + 1, sizeof *v);
	size_t i;

	for (i = 0; i < nclass; i++) {
		v[i] = (double)out->count_before[i];
		/* (multiplicities counts every process's rows after sampling already) */
		v[nclass + i] = after_shared && dist->rank > 0 ? 0 : (double)out->count_after[i];
	}
	dist_sum(dist, v, 2 * nclass);
	out->rows = 0;
	for (i = 0; i < nclass; i++) {
		out->count_before[i] = (size_t)v[i];
		out->count_after[i] = (size_t)v[nclass + i];
		out->rows += out->count_after[i];
	}
	free(v);
}

static void use_rows(struct trainset *ts, const struct dataset *d)
{
	ts->n = d->n;
	ts->x = d->x;
	ts->y = d->y;
	ts->roww = d->roww;
	ts->pos = d->pos;
	ts->npos = d->npos;
}

/*
 * TS reads the rows of D weighing MULT: D's own; or with focal-mpi, when some row weighs
 * 0 (one process's passes skip those, which moves its blocks), a copy of the others in
 * PART in the blocks one process sums them in (fit_shared_rows; every process takes the
 * same way).  Returns the dataset TS reads.
 */
static const struct dataset *weighted_rows(const struct dist *dist, const struct dataset *d,
                                           double *mult, struct dataset *part,
                                           struct trainset *ts)
{
	size_t i;

	if (dist && dist->size > 1) {
		for (i = 0; i < d->n && mult[i] != 0; i++)
			;
		if (!dist_all_ok(dist, i == d->n)) {
			fit_shared_rows(dist, d, mult, 1, part);
			use_rows(ts, part);
			return part;
		}
	}
	use_rows(ts, d);
	ts->roww = mult;
	return d;
}

int fit_rows(const struct dataset *d, const struct schema *s, const struct fitrows *r,
             const struct fitconfig *c, struct fitresult *out, struct ferr *e)
{
	size_t nclass = s->nclass, i;
	const struct fitprep *prep = r->prep;
	struct dataset part, sampled;
	struct trainset ts;
	struct trainopts o;
	double *mult = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	memset(&part, 0, sizeof part);
	memset(&sampled, 0, sizeof sampled);
	memset(&ts, 0, sizeof ts);
	out->count_before = xcalloc(nclass, sizeof *out->count_before);
	out->count_after = xcalloc(nclass, sizeof *out->count_after);
	out->class_weight = xcalloc(nclass, sizeof *out->class_weight);
	ts.dim = d->dim;
	ts.nclass = nclass;
	if (!r->count) {
		memcpy(out->count_before, d->count, nclass * sizeof *d->count);
		use_rows(&ts, d);
		memcpy(out->count_after, d->count, nclass * sizeof *d->count);
		if (c->sample == SAMPLE_SMOTE && c->solver.dist && c->solver.dist->size > 1) {
			if (smote_shared(c->solver.dist, d, s, c, &sampled, out->count_after, e) != 0)
				goto out;
			use_rows(&ts, &sampled);
		} else if (c->sample == SAMPLE_SMOTE) {
			if (sample_copy(d, s, c, NULL, c->sample_seed, &sampled, e) != 0)
				goto out;
			use_rows(&ts, &sampled);
			memcpy(out->count_after, sampled.count, nclass * sizeof *d->count);
		} else if (c->sample != SAMPLE_NONE) {
			/* copies and leaving out as row multiplicities: no rows copied, and with
			 * focal-mpi the draws of one process over the rows of all */
			mult = multiplicities(c->solver.dist, d, nclass, NULL, c->sample, c->ratio,
			                      c->sample_seed, out->count_after, &out->rows);
			weighted_rows(c->solver.dist, d, mult, &part, &ts);
		} else if (d->roww && c->solver.dist && c->solver.dist->size > 1) {
			/* focal-mpi: a --weight column's rows of weight 0 are left out of the
			 * blocks, as one process's passes leave them out */
			mult = xmalloc((d->n + 1) * sizeof *mult);
			memcpy(mult, d->roww, d->n * sizeof *mult);
			weighted_rows(c->solver.dist, d, mult, &part, &ts);
		}
		/* the rows of the set: ts.n, or with focal-mpi the rows of all the processes */
		out->rows = 0;
		for (i = 0; i < nclass; i++)
			out->rows += out->count_after[i];
	} else {
		for (i = 0; i < d->n; i++)
			out->count_before[d->y[i]] += (size_t)r->count[i];
		if (!prep) {
			fitprep_rows(d, s, r->count, r->standardize, r->center, c->solver.dist,
			             &out->prep);
			prep = &out->prep;
		}
		ts.col_scale = prep->scale;
		ts.col_shift = prep->shift;
		if (c->sample == SAMPLE_SMOTE && r->sampled) {
			use_rows(&ts, r->sampled);
			memcpy(out->count_after, r->sampled->count, nclass * sizeof *r->sampled->count);
			out->rows = r->sampled->n;
		} else if (c->sample == SAMPLE_SMOTE) {
			if (smote_set(d, s, r->count, prep->fill, c, &sampled, e) != 0)
				goto out;
			use_rows(&ts, &sampled);
			memcpy(out->count_after, sampled.count, nclass * sizeof *sampled.count);
			out->rows = sampled.n;
		} else {
			const struct dist *dist = c->solver.dist;
			const struct dataset *src;

			/* with focal-mpi, the draws of one process over every process's rows */
			mult = multiplicities(dist, d, nclass, r->count, c->sample,
			                      c->sample != SAMPLE_NONE ? c->ratio : 1, c->sample_seed,
			                      out->count_after, &out->rows);
			src = weighted_rows(dist, d, mult, &part, &ts);
			if (prep->fill) {
				ts.miss_off = src->miss_off;
				ts.miss_col = src->miss_col;
				ts.col_fill = prep->fill;
			}
		}
		if (c->solver.dist) /* focal-mpi: the set's rows on all processes */
			shared_counts(c->solver.dist, nclass, out, c->sample != SAMPLE_SMOTE);
	}
	if (c->unresolved && weighting_resolve(c->unresolved, s, e) != 0)
		goto out;
	weighting_apply(c->unresolved ? c->unresolved : c->wt, nclass, out->count_after, c->positive,
	                out->class_weight);

	o = c->solver;
	o.model = c->kind;
	o.loss = c->loss;
	o.gamma = c->loss == LOSS_FOCAL ? c->gamma : 0;
	o.lambda = isnan(c->lambda) ? 1.0 / (double)(out->rows ? out->rows : 1) : c->lambda;
	o.class_weight = out->class_weight;
	o.positive = c->positive;
	out->lambda = o.lambda;
	linmodel_init(&out->lm, c->kind, nclass, d->dim, c->positive);
	out->calib = CALIB_NONE;
	out->temperature = 1;
	decision_argmax(&out->dec, nclass, c->positive);
	if (train(&ts, &o, &out->lm, &out->tr, e) != 0)
		goto out;
	rc = 0;
out:
	free(mult);
	dataset_release(&part);
	dataset_release(&sampled);
	return rc;
}

void fitresult_release(struct fitresult *r)
{
	linmodel_release(&r->lm);
	free(r->count_before);
	free(r->count_after);
	free(r->class_weight);
	fitprep_release(&r->prep);
	decision_release(&r->dec);
	lampath_release(&r->path);
	memset(r, 0, sizeof *r);
}
