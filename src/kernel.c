/*
 * kernel.c: the float kernels of the fast training pass (kernel.h).
 *
 * logits: per row, four classes at a time in four 8-float accumulators over the row's
 * chunks of 8 (the last chunk masked), reduced together; a class left over takes four
 * rows at a time the same way, so the four sums never wait on one another.
 * grad: per chunk of 8 inputs, four classes at a time, each class's sum carried in a
 * register over the tile's rows; a class left over takes four chunks at a time.
 * loss (AVX2 only): the softmax or logistic focal loss of eight rows at a time, a row to
 * a lane, classes one after another, with float exp and log of its own.
 * The portable path computes the same sums in plain C, in an order of its own.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
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

static const struct kernel kernel_portable = { "portable", logits_c, grad_c, NULL };

/* ---- AVX2 and FMA ---- */

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && \
    !defined(FOCAL_PORTABLE_KERNEL)
#include <immintrin.h>
#define HAVE_AVX2_KERNEL 1
#define AVX2 __attribute__((target("avx2,fma")))
#define AVX2_INLINE __attribute__((target("avx2,fma"), always_inline))

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

	/* two rows at a time: each weight chunk loaded once serves both (a last odd row
	 * pairs with itself, its twin's sums unused) */
	for (r = 0; r < nr; r += 2) {
		const float *x = rows[r], *x1 = rows[r + 1 < nr ? r + 1 : r];

		for (c = 0; c < c4; c += 4) {
			const float *w0 = w + c * dp, *w1 = w0 + dp, *w2 = w1 + dp, *w3 = w2 + dp;
			__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, xv;
			__m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0, xu, wv;

			for (j = 0; j < dim; j += 8) {
				xv = load_x(x, j, dim, tail);
				xu = load_x(x1, j, dim, tail);
				wv = _mm256_loadu_ps(w0 + j);
				a0 = _mm256_fmadd_ps(wv, xv, a0);
				b0 = _mm256_fmadd_ps(wv, xu, b0);
				wv = _mm256_loadu_ps(w1 + j);
				a1 = _mm256_fmadd_ps(wv, xv, a1);
				b1 = _mm256_fmadd_ps(wv, xu, b1);
				wv = _mm256_loadu_ps(w2 + j);
				a2 = _mm256_fmadd_ps(wv, xv, a2);
				b2 = _mm256_fmadd_ps(wv, xu, b2);
				wv = _mm256_loadu_ps(w3 + j);
				a3 = _mm256_fmadd_ps(wv, xv, a3);
				b3 = _mm256_fmadd_ps(wv, xu, b3);
			}
			reduce4(a0, a1, a2, a3, z + r * nout + c);
			if (r + 1 < nr)
				reduce4(b0, b1, b2, b3, z + (r + 1) * nout + c);
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

	/* two chunks at a time: each slope broadcast once serves both */
	for (j = 0; j + 8 < dim; j += 16)
		for (c = 0; c < c4; c += 4) {
			float *g0 = g + c * dp + j, *g1 = g0 + dp, *g2 = g1 + dp, *g3 = g2 + dp;
			__m256 a0 = _mm256_loadu_ps(g0), a1 = _mm256_loadu_ps(g1);
			__m256 a2 = _mm256_loadu_ps(g2), a3 = _mm256_loadu_ps(g3), xv, xu, d;
			__m256 b0 = _mm256_loadu_ps(g0 + 8), b1 = _mm256_loadu_ps(g1 + 8);
			__m256 b2 = _mm256_loadu_ps(g2 + 8), b3 = _mm256_loadu_ps(g3 + 8);

			for (r = 0; r < nr; r++) {
				const float *dr = dz + r * nout + c;

				xv = _mm256_loadu_ps(rows[r] + j);
				xu = load_x(rows[r], j + 8, dim, tail);
				d = _mm256_broadcast_ss(dr);
				a0 = _mm256_fmadd_ps(d, xv, a0);
				b0 = _mm256_fmadd_ps(d, xu, b0);
				d = _mm256_broadcast_ss(dr + 1);
				a1 = _mm256_fmadd_ps(d, xv, a1);
				b1 = _mm256_fmadd_ps(d, xu, b1);
				d = _mm256_broadcast_ss(dr + 2);
				a2 = _mm256_fmadd_ps(d, xv, a2);
				b2 = _mm256_fmadd_ps(d, xu, b2);
				d = _mm256_broadcast_ss(dr + 3);
				a3 = _mm256_fmadd_ps(d, xv, a3);
				b3 = _mm256_fmadd_ps(d, xu, b3);
			}
			_mm256_storeu_ps(g0, a0);
			_mm256_storeu_ps(g1, a1);
			_mm256_storeu_ps(g2, a2);
			_mm256_storeu_ps(g3, a3);
			_mm256_storeu_ps(g0 + 8, b0);
			_mm256_storeu_ps(g1 + 8, b1);
			_mm256_storeu_ps(g2 + 8, b2);
			_mm256_storeu_ps(g3 + 8, b3);
		}
	for (; j < dim; j += 8)
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

/*
 * The losses in float, eight rows to a vector.  exp: x = n ln2 + r with |r| <= ln2 / 2
 * (ln2 in two parts, Cephes's), exp(r) by its Taylor series to r^7 (the first term left
 * out is below 2^-27 of the sum), times 2^n in the exponent bits; below -87, 0 (so
 * exp(-inf) is 0).  log: x = 2^e m with m in [sqrt(1/2), sqrt(2)), f = m - 1,
 * s = f / (2 + f), log(1 + f) = f - s (f - R) with R = sum_{i=1..5} 2 s^2i / (2i + 1).
 * Both within a few float ulps: the float logits are no more exact than that.
 */
AVX2_INLINE static inline __m256 exp8(__m256 x)
{
	static const float c[8] = { 1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24,
		                    1.0f / 6,    1.0f / 2,   1.0f,       1.0f };
	__m256 lo = _mm256_set1_ps(-87.0f), tiny = _mm256_cmp_ps(x, lo, _CMP_LT_OQ), n, r, q;
	__m256i e;
	int k;

	x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.0f)), lo);
	n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
	                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
	r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
	q = _mm256_set1_ps(c[0]);
	for (k = 1; k < 8; k++)
		q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(c[k]));
	e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
	return _mm256_andnot_ps(tiny, _mm256_mul_ps(q, _mm256_castsi256_ps(e)));
}

/* log of 8 positive normal floats */
AVX2_INLINE static inline __m256 log8(__m256 x)
{
	static const float c[5] = { 2.0f / 11, 2.0f / 9, 2.0f / 7, 2.0f / 5, 2.0f / 3 };
	__m256i b = _mm256_castps_si256(x), e;
	__m256 m, big, f, s, s2, rr, ef;
	int k;

	e = _mm256_sub_epi32(_mm256_srli_epi32(b, 23), _mm256_set1_epi32(127));
	m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(b, _mm256_set1_epi32(0x007fffff)),
	                                        _mm256_set1_epi32(0x3f800000)));
	big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356f), _CMP_GT_OQ);
	m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
	e = _mm256_sub_epi32(e, _mm256_castps_si256(big)); /* big is -1 where m was halved */
	f = _mm256_sub_ps(m, _mm256_set1_ps(1.0f));
	s = _mm256_div_ps(f, _mm256_add_ps(_mm256_set1_ps(2.0f), f));
	s2 = _mm256_mul_ps(s, s);
	rr = _mm256_set1_ps(c[0]);
	for (k = 1; k < 5; k++)
		rr = _mm256_fmadd_ps(rr, s2, _mm256_set1_ps(c[k]));
	rr = _mm256_mul_ps(rr, s2);
	f = _mm256_fnmadd_ps(s, _mm256_sub_ps(f, rr), f);
	ef = _mm256_cvtepi32_ps(e);
	return _mm256_fmadd_ps(ef, _mm256_set1_ps(0.693359375f),
	                       _mm256_fmadd_ps(ef, _mm256_set1_ps(-2.12194440e-4f), f));
}

/* log1p of 8 floats T in [0, 1]: log(u) + (t - (u - 1)) / u with u = 1 + t rounded */
AVX2_INLINE static inline __m256 log1p8(__m256 t)
{
	__m256 u = _mm256_add_ps(_mm256_set1_ps(1.0f), t);
	__m256 c = _mm256_sub_ps(t, _mm256_sub_ps(u, _mm256_set1_ps(1.0f)));

	return _mm256_add_ps(log8(u), _mm256_div_ps(c, u));
}

/*
 * The focal loss of 8 signed margins S (loss.c's margin_finish in float): *LOSS and
 * *DLDS.  GAMMA 0 to 3 whole: products; else exp(gamma log q).
 */
AVX2_INLINE static inline void margin8(__m256 s, float gamma, __m256 *loss, __m256 *dlds)
{
	__m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
	__m256 abs = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), s);
	__m256 t = exp8(_mm256_sub_ps(zero, abs)), l = log1p8(t);
	__m256 pos = _mm256_cmp_ps(s, zero, _CMP_GE_OQ), inv = _mm256_div_ps(one, _mm256_add_ps(one, t));
	__m256 ti = _mm256_mul_ps(t, inv);
	__m256 logp = _mm256_blendv_ps(_mm256_sub_ps(s, l), _mm256_sub_ps(zero, l), pos);
	__m256 p = _mm256_blendv_ps(ti, inv, pos), q = _mm256_blendv_ps(inv, ti, pos), qg;
	int gi = gamma >= 0 && gamma <= 3 && (int)gamma == gamma ? (int)gamma : -1;

	if (gi == 0) {
		*loss = _mm256_sub_ps(zero, logp);
		*dlds = _mm256_sub_ps(zero, q);
		return;
	}
	if (gi == 1)
		qg = q;
	else if (gi == 2)
		qg = _mm256_mul_ps(q, q);
	else if (gi == 3)
		qg = _mm256_mul_ps(_mm256_mul_ps(q, q), q);
	else /* log q = -s - l for s >= 0, -l below */
		qg = exp8(_mm256_mul_ps(_mm256_set1_ps(gamma),
		                        _mm256_blendv_ps(_mm256_sub_ps(zero, l),
		                                         _mm256_sub_ps(_mm256_sub_ps(zero, s), l), pos)));
	*loss = _mm256_sub_ps(zero, _mm256_mul_ps(qg, logp));
	*dlds = _mm256_mul_ps(qg, _mm256_fmsub_ps(_mm256_mul_ps(_mm256_set1_ps(gamma), p), logp, q));
}

AVX2 static double loss_avx2(float *z, const double *bias, size_t nr, size_t nout,
                             const uint32_t *y, int positive, double gamma, const double *w,
                             double *gbias, size_t gstride, float *tmp)
{
	float *zt = tmp, *et = zt + 8 * nout, lv[8], dv[8];
	float gf = (float)gamma;
	double lsum = 0;
	size_t h, l, c, nv;

	for (h = 0; h < nr; h += 8) {
		__m256 m = _mm256_set1_ps(-INFINITY), zy = _mm256_setzero_ps(), sum, sv, lossv, dl;
		__m256 wv, ninf = _mm256_set1_ps(-INFINITY);
		__m256i yv;
		int32_t yl[8];

		nv = nr - h < 8 ? nr - h : 8;
		for (l = 0; l < 8; l++) {
			yl[l] = l < nv ? (int32_t)y[h + l] : 0;
			dv[l] = l < nv ? (float)w[h + l] : 0;
		}
		yv = _mm256_loadu_si256((const __m256i *)yl);
		wv = _mm256_loadu_ps(dv);
		for (c = 0; c < nout; c++) {
			float bc = (float)bias[c];

			for (l = 0; l < 8; l++)
				zt[c * 8 + l] = l < nv ? z[(h + l) * nout + c] + bc : 0;
		}
		if (nout == 1) {
			__m256 zc = _mm256_loadu_ps(zt);
			__m256 isp = _mm256_castsi256_ps(_mm256_cmpeq_epi32(yv, _mm256_set1_epi32(positive)));

			sv = _mm256_blendv_ps(_mm256_sub_ps(_mm256_setzero_ps(), zc), zc, isp);
			margin8(sv, gf, &lossv, &dl);
			dl = _mm256_mul_ps(dl, wv);
			dl = _mm256_blendv_ps(_mm256_sub_ps(_mm256_setzero_ps(), dl), dl, isp);
			_mm256_storeu_ps(et, dl);
		} else {
			for (c = 0; c < nout; c++) {
				__m256 zc = _mm256_loadu_ps(zt + c * 8);
				__m256 isy = _mm256_castsi256_ps(_mm256_cmpeq_epi32(yv, _mm256_set1_epi32((int)c)));

				m = _mm256_max_ps(m, _mm256_blendv_ps(zc, ninf, isy));
				zy = _mm256_blendv_ps(zy, zc, isy);
			}
			sum = _mm256_setzero_ps();
			for (c = 0; c < nout; c++) {
				__m256 zc = _mm256_loadu_ps(zt + c * 8);
				__m256 isy = _mm256_castsi256_ps(_mm256_cmpeq_epi32(yv, _mm256_set1_epi32((int)c)));
				__m256 ec = exp8(_mm256_blendv_ps(_mm256_sub_ps(zc, m), ninf, isy));

				_mm256_storeu_ps(et + c * 8, ec);
				sum = _mm256_add_ps(sum, ec);
			}
			sv = _mm256_sub_ps(zy, _mm256_add_ps(m, log8(sum)));
			margin8(sv, gf, &lossv, &dl);
			dl = _mm256_mul_ps(dl, wv);
			{
				__m256 coef = _mm256_div_ps(_mm256_sub_ps(_mm256_setzero_ps(), dl), sum);

				for (c = 0; c < nout; c++) {
					__m256 isy = _mm256_castsi256_ps(
						_mm256_cmpeq_epi32(yv, _mm256_set1_epi32((int)c)));
					__m256 ec = _mm256_loadu_ps(et + c * 8);

					_mm256_storeu_ps(et + c * 8,
					                 _mm256_blendv_ps(_mm256_mul_ps(ec, coef), dl, isy));
				}
			}
		}
		_mm256_storeu_ps(lv, lossv);
		for (l = 0; l < nv; l++)
			lsum += w[h + l] * (double)lv[l];
		for (c = 0; c < nout; c++) {
			double gs = 0; /* in a register: not a chain through memory */

			for (l = 0; l < nv; l++) {
				float d = et[c * 8 + l];

				z[(h + l) * nout + c] = d;
				gs += (double)d;
			}
			if (gbias)
				gbias[c * gstride] += gs;
		}
	}
	return lsum;
}

static const struct kernel kernel_avx2 = { "avx2-fma", logits_avx2, grad_avx2, loss_avx2 };
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
