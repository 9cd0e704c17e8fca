/*
 * kernel.c: the float kernels of the fast training pass (kernel.h).
 *
 * logits: per row, four classes at a time in four 8-float accumulators over the row's
 * chunks of 8 (the last chunk masked), reduced together; a class left over takes four
 * rows at a time the same way, so the four sums never wait on one another.
 * grad: per chunk of 8 inputs, four classes at a time, each class's sum carried in a
 * register over the tile's rows; a class left over takes four chunks at a time.
 * The portable path computes the same sums in plain C, in an order of its own.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

size_t kernel_pad(size_t dim)
{
	return (dim + 7) / 8 * 8;
}

/* ---- portable C ---- */

static void logits_c(const float *const *rows, size_t nr, size_t dim, const float *w,
                     size_t dp, size_t nout, float *z)
{
	size_t r, c, j;

	for (r = 0; r < nr; r++)
		for (c = 0; c < nout; c++) {
			const float *wc = w + c * dp, *x = rows[r];
			float a = 0;

			for (j = 0; j < dim; j++)
				a += wc[j] * x[j];
			z[r * nout + c] = a;
		}
}

static void grad_c(const float *const *rows, size_t nr, size_t dim, const float *dz,
                   size_t nout, float *g, size_t dp)
{
	size_t r, c, j;

	for (r = 0; r < nr; r++)
		for (c = 0; c < nout; c++) {
			float *gc = g + c * dp, d = dz[r * nout + c];
			const float *x = rows[r];

			for (j = 0; j < dim; j++)
				gc[j] += d * x[j];
		}
}

static const struct kernel kernel_portable = { "portable", logits_c, grad_c };

/* ---- AVX2 and FMA ---- */

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && \
    !defined(FOCAL_PORTABLE_KERNEL)
#include <immintrin.h>
#define HAVE_AVX2_KERNEL 1
#define AVX2 __attribute__((target("avx2,fma")))

/* The mask of the first N (0..8) lanes. */
AVX2 static __m256i lane_mask(size_t n)
{
	static const int32_t m[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

	return _mm256_loadu_si256((const __m256i *)(m + 8 - n));
}

/* Chunk J of row X: 8 floats, or the masked tail. */
AVX2 static __m256 load_x(const float *x, size_t j, size_t dim, __m256i tail)
{
	return j + 8 <= dim ? _mm256_loadu_ps(x + j) : _mm256_maskload_ps(x + j, tail);
}

/* The four sums of A0..A3, in order, into OUT. */
AVX2 static void reduce4(__m256 a0, __m256 a1, __m256 a2, __m256 a3, float *out)
{
	__m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));

	_mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1)));
}

AVX2 static void logits_avx2(const float *const *rows, size_t nr, size_t dim, const float *w,
                             size_t dp, size_t nout, float *z)
{
	__m256i tail = lane_mask(dim % 8);
	size_t r, c, j, c4 = nout / 4 * 4, k;
	float out[4];

	for (r = 0; r < nr; r++) {
		const float *x = rows[r];

		for (c = 0; c < c4; c += 4) {
			const float *w0 = w + c * dp, *w1 = w0 + dp, *w2 = w1 + dp, *w3 = w2 + dp;
			__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, xv;

			for (j = 0; j < dim; j += 8) {
				xv = load_x(x, j, dim, tail);
				a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + j), xv, a0);
				a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + j), xv, a1);
				a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + j), xv, a2);
				a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + j), xv, a3);
			}
			reduce4(a0, a1, a2, a3, z + r * nout + c);
		}
	}
	/* the classes left over, four rows at a time (missing rows repeat the last) */
	for (c = c4; c < nout; c++) {
		const float *wc = w + c * dp;

		for (r = 0; r < nr; r += 4) {
			const float *x0 = rows[r], *x1 = rows[r + 1 < nr ? r + 1 : r];
			const float *x2 = rows[r + 2 < nr ? r + 2 : r], *x3 = rows[r + 3 < nr ? r + 3 : r];
			__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, wv;

			for (j = 0; j < dim; j += 8) {
				wv = _mm256_loadu_ps(wc + j);
				a0 = _mm256_fmadd_ps(wv, load_x(x0, j, dim, tail), a0);
				a1 = _mm256_fmadd_ps(wv, load_x(x1, j, dim, tail), a1);
				a2 = _mm256_fmadd_ps(wv, load_x(x2, j, dim, tail), a2);
				a3 = _mm256_fmadd_ps(wv, load_x(x3, j, dim, tail), a3);
			}
			reduce4(a0, a1, a2, a3, out);
			for (k = 0; k < 4 && r + k < nr; k++)
				z[(r + k) * nout + c] = out[k];
		}
	}
}

AVX2 static void grad_avx2(const float *const *rows, size_t nr, size_t dim, const float *dz,
                           size_t nout, float *g, size_t dp)
{
	__m256i tail = lane_mask(dim % 8);
	size_t r, c, j, c4 = nout / 4 * 4;

	for (j = 0; j < dim; j += 8)
		for (c = 0; c < c4; c += 4) {
			float *g0 = g + c * dp + j, *g1 = g0 + dp, *g2 = g1 + dp, *g3 = g2 + dp;
			__m256 a0 = _mm256_loadu_ps(g0), a1 = _mm256_loadu_ps(g1);
			__m256 a2 = _mm256_loadu_ps(g2), a3 = _mm256_loadu_ps(g3), xv;

			for (r = 0; r < nr; r++) {
				const float *d = dz + r * nout + c;

				xv = load_x(rows[r], j, dim, tail);
				a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(d), xv, a0);
				a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + 1), xv, a1);
				a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + 2), xv, a2);
				a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + 3), xv, a3);
			}
			_mm256_storeu_ps(g0, a0);
			_mm256_storeu_ps(g1, a1);
			_mm256_storeu_ps(g2, a2);
			_mm256_storeu_ps(g3, a3);
		}
	/* the classes left over, four chunks at a time */
	for (c = c4; c < nout; c++)
		for (j = 0; j < dim; j += 32) {
			float *gc = g + c * dp + j;
			size_t nch = (dim - j + 7) / 8, k;
			__m256 a[4];

			if (nch > 4)
				nch = 4;
			for (k = 0; k < nch; k++)
				a[k] = _mm256_loadu_ps(gc + 8 * k);
			for (r = 0; r < nr; r++) {
				__m256 d = _mm256_broadcast_ss(dz + r * nout + c);

				for (k = 0; k < nch; k++)
					a[k] = _mm256_fmadd_ps(d, load_x(rows[r], j + 8 * k, dim, tail), a[k]);
			}
			for (k = 0; k < nch; k++)
				_mm256_storeu_ps(gc + 8 * k, a[k]);
		}
}

static const struct kernel kernel_avx2 = { "avx2-fma", logits_avx2, grad_avx2 };
#endif

static const struct kernel *chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static void choose(void)
{
	const char *env = getenv("FOCAL_KERNEL");

	chosen = &kernel_portable;
	if (env && strcmp(env, "exact") == 0)
		chosen = NULL;
	if (env && (strcmp(env, "portable") == 0 || strcmp(env, "exact") == 0))
		return;
#ifdef HAVE_AVX2_KERNEL
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		chosen = &kernel_avx2;
#endif
}

const struct kernel *kernel_portable_get(void)
{
	return &kernel_portable;
}

const struct kernel *kernel_get(void)
{
	pthread_once(&chosen_once, choose);
	return chosen;
}
