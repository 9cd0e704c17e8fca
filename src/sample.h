/* sample.h: re-sampling of training rows (SPEC "Re-sampling"). */
#ifndef FOCAL_SAMPLE_H
#define FOCAL_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "util.h"

enum sample_kind { SAMPLE_NONE, SAMPLE_OVER, SAMPLE_UNDER, SAMPLE_SMOTE, SAMPLE_OVER_UNDER };

/* Parses none|over|under|smote|over+under; -1 if none of them. */
int sample_parse(const char *s, enum sample_kind *k);
const char *sample_name(enum sample_kind k);

struct sampleopts {
	enum sample_kind kind;
	double ratio;                 /* 0 < ratio <= 1 */
	int smote_k;                  /* neighbours for SMOTE */
	uint64_t seed;
	int threads;                  /* for SMOTE's neighbour search */
	const struct schema *s;       /* one-hot blocks (SMOTE) and class names (warnings) */
	const size_t *target;         /* rows per class to reach; NULL: sample_targets' */
	void (*warn)(const char *msg);
};

/*
 * Rows per class after sampling COUNT (nclass classes) with KIND and RATIO, into TARGET:
 *   over:       max(n_c, ceil(R * n_max))
 *   under:      min(n_c, floor(n_min / R))
 *   smote:      as over
 *   over+under: classes above M = floor(sqrt(n_min * n_max)) are under-sampled to M, then
 *               classes below ceil(R * L) over-sampled to it (L: the largest count left).
 * Classes with no rows stay empty.
 */
void sample_targets(const size_t *count, size_t nclass, enum sample_kind kind, double ratio,
                    size_t *target);

/*
 * Builds OUT (owned by the caller, release with dataset_release) from IN's rows after
 * sampling per O.  Over-sampling appends random copies (with replacement), under-sampling
 * keeps a random subset (without replacement), SMOTE appends rows on the segment between a
 * row and one of its k nearest same-class neighbours.  Rows keep their class order: all
 * kept original rows first, in their original order, then the new ones.
 */
int sample_dataset(const struct dataset *in, size_t nclass, const struct sampleopts *o,
                   struct dataset *out, struct ferr *e);

/*
 * The k nearest neighbours (squared Euclidean distance, ties to the lower index) of each of
 * the m rows of X (m x dim, row-major) among the others; fills nb (m x k indices into X).
 * k must be < m.  Exact, blocked, on THREADS threads.
 */
void knn_within(const float *x, size_t m, size_t dim, size_t k, int threads, uint32_t *nb);

#endif
