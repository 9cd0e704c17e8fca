/*
 * unit_sample_portable.c: sample.c built with -DFOCAL_PORTABLE_DOTS (the plain-C dot
 * products a compiler without GNU C vectors or target_clones gets) finds the same
 * neighbours, bit for bit, as the library's vector (and, on x86, AVX2-cloned) build.
 */
#define FOCAL_PORTABLE_DOTS 1
#define sample_parse portable_sample_parse
#define sample_name portable_sample_name
#define sample_targets portable_sample_targets
#define sample_dataset portable_sample_dataset
#define knn_within portable_knn_within
#include "../src/sample.c"
#undef sample_parse
#undef sample_name
#undef sample_targets
#undef sample_dataset
#undef knn_within

#include "tap.h"

void knn_within(const float *x, size_t m, size_t dim, size_t k, int threads, uint32_t *nb);

int main(void)
{
	static const size_t dims[] = { 1, 7, 13, 40 };
	struct rng r;
	size_t m = 1300, k = 5, i, d, dim, bad;
	float *x = malloc(m * 40 * sizeof *x);
	uint32_t *nb = malloc(m * k * sizeof *nb), *pnb = malloc(m * k * sizeof *pnb);

	CHECK(DOTS_VECTOR == 0, "this file builds the portable dot products");
	rng_seed(&r, 11);
	for (d = 0; d < sizeof dims / sizeof dims[0]; d++) {
		dim = dims[d];
		/* values of every size, so that rounding differences would show up as ties broken
		 * otherwise; one row in eight repeats another exactly */
		for (i = 0; i < m * dim; i++)
			x[i] = (float)((rng_uniform(&r) - 0.5) * pow(10, (double)rng_below(&r, 4) - 1));
		for (i = 8; i < m; i += 8)
			memcpy(x + i * dim, x + (i - 7) * dim, dim * sizeof *x);
		knn_within(x, m, dim, k, 2, nb);
		portable_knn_within(x, m, dim, k, 1, pnb);
		for (bad = 0, i = 0; i < m * k; i++)
			bad += nb[i] != pnb[i];
		CHECK(bad == 0, "dim %zu: portable and vector neighbour search agree on %zu rows "
		      "(%zu differ)", dim, m, bad);
	}
	free(x);
	free(nb);
	free(pnb);
	TAP_DONE();
}
