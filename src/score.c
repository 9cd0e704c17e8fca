/* score.c: predicted classes and whole-dataset reports. */
#include "score.h"

#include "block.h"
#include "dist.h"
#include "pool.h"

#include <stdlib.h>
#include <string.h>

int positive_class(char *const *classes, size_t k, const size_t *count, const char *label,
                   const char *what, struct ferr *e)
{
	size_t c;

	if (!label)
		return k == 2 && count[0] < count[1] ? 0 : 1;
	if (k != 2)
		return ferr_usage(e, "--positive needs two classes; %s has %zu", what, k);
	for (c = 0; c < k; c++)
		if (strcmp(classes[c], label) == 0)
			return (int)c;
	return ferr_usage(e, "--positive: no class '%s' in %s", label, what);
}

uint32_t score_row(const struct linmodel *m, const struct decision *dec, const double *x,
                   double *prob, double *z)
{
	linmodel_logits(m, x, z);
	memcpy(prob, z, m->nout * sizeof *z);
	linmodel_probs(m, prob);
	return decision_pick(dec, prob, z);
}

int score_decision(const struct decision *dec, int argmax, int have_threshold, double threshold,
                   struct decision *out, struct ferr *e)
{
	if (have_threshold && dec->k != 2)
		return ferr_usage(e, "--threshold needs two classes; the model has %zu", dec->k);
	if (argmax)
		decision_argmax(out, dec->k, dec->positive);
	else
		decision_copy(out, dec);
	if (have_threshold) {
		out->threshold = threshold;
		out->threshold_sd = 0;
		out->source = DEC_ARGMAX;
		out->metric = -1;
	}
	return 0;
}

/* Rows [i * SCORE_BLOCK, (i + 1) * SCORE_BLOCK) of a score_dataset, for pool_for. */
#define SCORE_BLOCK 4096
struct scorejob {
	const struct linmodel *m;
	const struct decision *dec;
	const struct dataset *d;
	double *prob;
	uint32_t *pred;
	size_t first; /* the block of the first row to score */
};

static void score_block(void *ctx, size_t b)
{
	const struct scorejob *sj = ctx;
	const struct dataset *d = sj->d;
	size_t i, j, k = sj->m->nclass, hi;
	double *z = xcalloc(k, sizeof *z), *x = xcalloc(d->dim + 1, sizeof *x);

	b += sj->first;
	hi = (b + 1) * SCORE_BLOCK;
	if (hi > d->n)
		hi = d->n;
	for (i = b * SCORE_BLOCK; i < hi; i++) {
		for (j = 0; j < d->dim; j++)
			x[j] = d->x[i * d->dim + j];
		sj->pred[i] = score_row(sj->m, sj->dec, x, sj->prob + i * k, z);
	}
	free(z);
	free(x);
}

/* Scores every row of SJ's dataset: in one go, or for a block in a file one slice at a
 * time, the next read in while one is scored. */
static void score_rows(int threads, struct scorejob *sj)
{
	const struct dataset *d = sj->d;
	size_t nb = (d->n + SCORE_BLOCK - 1) / SCORE_BLOCK, per, b, rows;

	per = block_slice(d->x) / SCORE_BLOCK / (d->dim ? d->dim : 1);
	if (per == 0)
		per = 1;
	if (per >= nb) {
		pool_for(threads, nb, score_block, sj);
		return;
	}
	rows = per * SCORE_BLOCK;
	for (b = 0; b < nb; b += per) {
		struct scorejob part = *sj;
		size_t lo = b * SCORE_BLOCK, n = d->n - lo < rows ? d->n - lo : rows;

		block_ahead(d->x, (lo + n) * d->dim, (lo + n + rows) * d->dim);
		part.first = b;
		pool_for(threads, (n + SCORE_BLOCK - 1) / SCORE_BLOCK, score_block, &part);
		block_done(d->x, lo * d->dim, (lo + n) * d->dim);
	}
}

void score_predict(const struct linmodel *m, const struct decision *dec, const struct dataset *d,
                   int threads, double *prob, uint32_t *pred)
{
	struct scorejob sj;

	sj.m = m;
	sj.dec = dec;
	sj.d = d;
	sj.first = 0;
	sj.prob = prob;
	sj.pred = pred;
	score_rows(threads, &sj);
}

void score_report(const struct linmodel *m, size_t n, const uint32_t *y, const uint32_t *pred,
                  const double *prob, struct report *r, struct figdata *fd)
{
	metrics_compute_figures(r, fd, n, m->nclass, y, pred, prob);
	metrics_threshold(r, y, prob, (uint32_t)m->positive);
	if (m->nclass == 2)
		r->positive = m->positive;
}

void score_dataset(const struct linmodel *m, const struct decision *dec, struct dataset *d,
                   int threads, struct report *r, struct figdata *fd)
{
	score_shared(NULL, m, dec, d, threads, r, fd);
}

void score_shared(const struct dist *dist, const struct linmodel *m, const struct decision *dec,
                  struct dataset *d, int threads, struct report *r, struct figdata *fd)
{
	size_t k = m->nclass;
	double *prob = xreallocarray(NULL, d->n ? d->n : 1, k * sizeof *prob);
	uint32_t *pred = xcalloc(d->n + 1, sizeof *pred);

	score_predict(m, dec, d, threads, prob, pred);
	block_free(d->x);
	d->x = NULL;
	if (dist)
		score_report_shared(dist, m, d->n, d->y, pred, prob, r, fd);
	else
		score_report(m, d->n, d->y, pred, prob, r, fd);
	free(prob);
	free(pred);
}

/* Rows of one class's ranking a process sends rank 0 at a time (9 bytes each). */
#define MERGE_CHUNK 65536

/*
 * Rank 0's side of a merge: the rows each process sent and it has yet to take, and a
 * heap of the processes holding some, by their next key (the smallest first).
 */
struct merge {
	size_t size;
	uint64_t *key;        /* size x MERGE_CHUNK */
	unsigned char *pos;   /* the same */
	size_t *head, *fill;  /* size each: the next row to take, the rows held */
	size_t *heap, nheap;
};

static uint64_t heap_key(const struct merge *mg, size_t i)
{
	size_t r = mg->heap[i];

	return mg->key[r * MERGE_CHUNK + mg->head[r]];
}

static void heap_down(struct merge *mg, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i, t;

		if (l < mg->nheap && heap_key(mg, l) < heap_key(mg, m))
			m = l;
		if (l + 1 < mg->nheap && heap_key(mg, l + 1) < heap_key(mg, m))
			m = l + 1;
		if (m == i)
			return;
		t = mg->heap[i];
		mg->heap[i] = mg->heap[m];
		mg->heap[m] = t;
		i = m;
	}
}

static void heap_push(struct merge *mg, size_t r)
{
	size_t i = mg->nheap++, t;

	mg->heap[i] = r;
	while (i > 0 && heap_key(mg, i) < heap_key(mg, (i - 1) / 2)) {
		t = mg->heap[i];
		mg->heap[i] = mg->heap[(i - 1) / 2];
		mg->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

/* What a merge feeds: the class's ROC and PR, and the best threshold of two classes. */
struct mergefeed {
	struct metrics_rank *rk;
	struct decision_cut *cut;
};

/*
 * Takes rows in key order while every process that has rows left to send has some
 * here: stops when one runs out (it must send more first), or when all are taken.
 */
static void merge_take(struct merge *mg, const size_t *sent, const size_t *count,
                       const struct mergefeed *feed)
{
	while (mg->nheap > 0) {
		size_t r = mg->heap[0], at = r * MERGE_CHUNK + mg->head[r];

		metrics_rank_add(feed->rk, mg->key[at], mg->pos[at]);
		if (feed->cut)
			decision_cut_add(feed->cut, metrics_key_score(mg->key[at]), mg->pos[at]);
		if (++mg->head[r] < mg->fill[r]) {
			heap_down(mg, 0);
			continue;
		}
		mg->heap[0] = mg->heap[--mg->nheap];
		heap_down(mg, 0);
		if (sent[r] < count[r])
			return;
	}
}

/*
 * One class's ranking over every process (collective): each passes its N rows' keys
 * KEY and POS, sorted (metrics_rank_keys), and COUNT[q] the rows of each process q.
 * Rank 0 merges them into FEED in key order, taking MERGE_CHUNK rows of a process at a
 * time as it needs them: it says how many it wants from each (a sum to which only it
 * adds), the processes send them, and so on until every row is taken.  Rank 0 holds a
 * chunk per process, not the rows.
 */
static void merge_ranked(const struct dist *dist, const uint64_t *key, const unsigned char *pos,
                         const size_t *count, const struct mergefeed *feed)
{
	size_t size = dist ? (size_t)dist->size : 1, me = dist ? (size_t)dist->rank : 0;
	size_t r, *sent = xcalloc(size, sizeof *sent), *lens = xcalloc(size, sizeof *lens);
	double *want = xcalloc(size, sizeof *want);
	struct merge mg;

	memset(&mg, 0, sizeof mg);
	if (me == 0) {
		mg.size = size;
		mg.key = xreallocarray(NULL, size, MERGE_CHUNK * sizeof *mg.key);
		mg.pos = xreallocarray(NULL, size, MERGE_CHUNK);
		mg.head = xcalloc(size, sizeof *mg.head);
		mg.fill = xcalloc(size, sizeof *mg.fill);
		mg.heap = xcalloc(size, sizeof *mg.heap);
	}
	for (;;) {
		size_t mine, len, total = 0;
		unsigned char *buf, *all;

		for (r = 0; r < size; r++) {
			want[r] = 0;
			/* a process none of whose rows are held here, with rows left */
			if (me == 0 && mg.head[r] == mg.fill[r] && sent[r] < count[r])
				want[r] = (double)(count[r] - sent[r] < MERGE_CHUNK ? count[r] - sent[r] :
				                   MERGE_CHUNK);
		}
		dist_sum(dist, want, size);
		for (r = 0; r < size; r++)
			total += (size_t)want[r];
		if (total == 0)
			break;
		/* the keys, then the classes padded to 8 bytes */
		mine = (size_t)want[me];
		len = mine * sizeof *key + (mine + 7) / 8 * 8;
		buf = xcalloc(len + 1, 1);
		memcpy(buf, key + sent[me], mine * sizeof *key);
		memcpy(buf + mine * sizeof *key, pos + sent[me], mine);
		all = dist_gather_root(dist, buf, len, lens);
		free(buf);
		if (me == 0) {
			const unsigned char *at = all;

			for (r = 0; r < size; r++) {
				size_t m = (size_t)want[r];

				if (m == 0)
					continue;
				memcpy(mg.key + r * MERGE_CHUNK, at, m * sizeof *key);
				memcpy(mg.pos + r * MERGE_CHUNK, at + m * sizeof *key, m);
				at += lens[r];
				mg.head[r] = 0;
				mg.fill[r] = m;
			}
		}
		free(all);
		for (r = 0; r < size; r++)
			sent[r] += (size_t)want[r];
		if (me == 0) {
			for (r = 0; r < size; r++)
				if (want[r] > 0)
					heap_push(&mg, r);
			merge_take(&mg, sent, count, feed);
		}
	}
	free(mg.key);
	free(mg.pos);
	free(mg.head);
	free(mg.fill);
	free(mg.heap);
	free(sent);
	free(lens);
	free(want);
}

void score_report_shared(const struct dist *dist, const struct linmodel *m, size_t n,
                         const uint32_t *y, const uint32_t *pred, const double *prob,
                         struct report *r, struct figdata *fd)
{
	size_t k = m->nclass, len = metrics_acc_len(k), size = dist ? (size_t)dist->size : 1;
	size_t c, q, nall, *count, *lens = xcalloc(size, sizeof *lens);
	int root = !dist || dist->rank == 0;
	unsigned long long mine = n, *counts;
	double *acc = xcalloc(len + 1, sizeof *acc);
	uint64_t *key = xcalloc(n ? n : 1, sizeof *key);
	unsigned char *pos = xcalloc(n ? n : 1, 1);

	/* the counts and sums, then each class's ranking merged on rank 0 */
	metrics_accumulate(acc, n, k, y, pred, prob);
	acc[len] = (double)n;
	dist_sum(dist, acc, len + 1);
	nall = (size_t)acc[len];
	memset(r, 0, sizeof *r);
	if (fd)
		memset(fd, 0, sizeof *fd);
	if (root)
		metrics_finish(r, fd, nall, k, acc, 1);
	counts = dist_gather(dist, &mine, sizeof mine, lens);
	count = xcalloc(size, sizeof *count);
	for (q = 0; q < size; q++)
		count[q] = (size_t)counts[q];
	for (c = 0; c < k; c++) {
		struct metrics_rank rk;
		struct decision_cut cut;
		struct mergefeed feed;
		double npos = 0;

		for (q = 0; q < k; q++)
			npos += acc[c * k + q];
		/* NAN when the class has no positives or no negatives */
		if (npos == 0 || npos == (double)nall)
			continue;
		metrics_rank_keys(n, k, y, prob, (uint32_t)c, key, pos);
		feed.rk = &rk;
		feed.cut = NULL;
		if (root) {
			metrics_rank_begin(&rk, npos, (double)nall - npos, fd ? &fd->roc[c] : NULL,
			                   fd ? &fd->pr[c] : NULL);
			/* the best threshold of two classes sweeps the positive class's ranking */
			if (k == 2 && c == (size_t)m->positive) {
				decision_cut_begin(&cut, nall, (size_t)npos, DM_MACRO_F1, m->positive, 0.5);
				feed.cut = &cut;
			}
		}
		merge_ranked(dist, key, pos, count, &feed);
		if (!root)
			continue;
		metrics_rank_end(&rk, &r->cls[c].roc_auc, &r->cls[c].average_precision);
		if (feed.cut && decision_cut_end(&cut, &r->best.threshold, &r->best.macro_f1) == 0) {
			r->best.valid = 1;
			r->best.positive = (uint32_t)m->positive;
		}
	}
	if (root) {
		metrics_averages(r);
		if (k == 2)
			r->positive = m->positive;
	}
	free(counts);
	free(count);
	free(lens);
	free(acc);
	free(key);
	free(pos);
}
