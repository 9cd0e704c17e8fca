/*
 * kernel.h: the float arithmetic of the fast training pass (train.c): logits of a tile
 * of rows, their losses and the gradient sums of a tile, with AVX2 and fused
 * multiply-add when the CPU has them (chosen once, at the first call), else portable C
 * (whose losses are loss.c's, in double).
 *
 * Weights and gradient sums are NOUT rows of DP floats (DP: dim rounded up to 8, the
 * padding zero).  ROWS points at NR rows of DIM floats each.  Within one process every
 * call computes its results in a fixed order, whatever the thread: the same inputs give
 * the same bits.
 */
#ifndef FOCAL_KERNEL_H
#define FOCAL_KERNEL_H

#include <stddef.h>
#include <stdint.h>

struct kernel {
	const char *name; /* "avx2-fma" or "portable" */
	/* Z[r * nout + c] = W_c . row_r (no bias) */
	void (*logits)(const float *const *rows, size_t nr, size_t dim, const float *w,
	               size_t dp, size_t nout, float *z);
	/* G_c += sum_r DZ[r * nout + c] row_r */
	void (*grad)(const float *const *rows, size_t nr, size_t dim, const float *dz,
	             size_t nout, float *g, size_t dp);
	/*
	 * NULL (the losses in double, loss.c's focal_rows), or the focal losses of NR rows
	 * in float (NR <= 16): Z (nr x nout, row-major; no bias) plus BIAS gives the logits;
	 * returns sum_r W_r loss_r, sets Z[r * nout + c] to W_r d loss_r / d z_rc (the
	 * weighted slopes the gradient takes) and adds them up into GBIAS[c * gstride]
	 * (GBIAS may be NULL).  Classes Y, POSITIVE and GAMMA as in focal_rows; TMP holds
	 * 16 nout floats.
	 */
	double (*loss)(float *z, const double *bias, size_t nr, size_t nout, const uint32_t *y,
	               int positive, double gamma, const double *w, double *gbias,
	               size_t gstride, float *tmp);
};

/*
 * The kernel for this CPU.  FOCAL_KERNEL in the environment: "portable" forces portable
 * C, "exact" gives NULL (no fast pass: the solvers use the exact double pass only).
 */
const struct kernel *kernel_get(void);

/* The portable kernel, whatever the CPU (the tests compare it with the chosen one). */
const struct kernel *kernel_portable_get(void);

/* The padded row length DIM rounded up to 8. */
size_t kernel_pad(size_t dim);

#endif
