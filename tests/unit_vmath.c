/*
 * unit_vmath.c: vmath.c's exp, log and log1p within 2 ulp of the C library's over their
 * domains, the same bits from the portable build (-DFOCAL_PORTABLE_VMATH, included
 * below under other names); focal_rows (loss.c, the fast pass's losses) against
 * focal_binary and focal_softmax, whose values tests/unit_loss.c holds to the golden
 * files; and the float kernels of kernel.c, AVX2 and portable, against sums in double,
 * and their float losses against focal_binary and focal_softmax.
 */
#define FOCAL_PORTABLE_VMATH 1
#define vexp_n portable_vexp_n
#define vlog_n portable_vlog_n
#define vlog1p_n portable_vlog1p_n
#include "../src/vmath.c"
#undef vexp_n
#undef vlog_n
#undef vlog1p_n

#include <stdio.h>
#include <stdlib.h>

#include "kernel.h"
#include "tap.h"
#include "train.h"
#include "util.h"

void vexp_n(double *x, size_t n);
void vlog_n(double *x, size_t n);
void vlog1p_n(double *x, size_t n);

#define N 200003

static double ulps(double got, double want)
{
	double u;

	if (got == want)
		return 0;
	if (!isfinite(got) || !isfinite(want))
		return INFINITY;
	u = nextafter(fabs(want), INFINITY) - fabs(want);
	return fabs(got - want) / u;
}

/* F against REF on X (N values), and the portable copy P against F bit for bit. */
static void check_fn(const char *name, void (*f)(double *, size_t), void (*p)(double *, size_t),
                     double (*ref)(double), const double *x)
{
	double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), worst = 0, u;
	size_t i;

	memcpy(a, x, N * sizeof *a);
	memcpy(b, x, N * sizeof *b);
	f(a, N);
	p(b, N);
	for (i = 0; i < N; i++) {
		u = ulps(a[i], ref(x[i]));
		if (u > worst)
			worst = u;
	}
	CHECK(worst <= 2, "%s: within 2 ulp of the C library's on %d values (worst %g)", name, N,
	      worst);
	CHECK(memcmp(a, b, N * sizeof *a) == 0, "%s: the portable build gives the same bits", name);
	free(a);
	free(b);
}

static double exp_or_0(double x)
{
	return x < -708 ? 0 : exp(x);
}

static void test_vmath(void)
{
	double *x = malloc(N * sizeof *x), t[6] = { NAN, -1000, -708.5, 0, -1e-300, -INFINITY };
	struct rng r;
	size_t i;

	rng_seed(&r, 5);
	for (i = 0; i < N; i++)
		x[i] = i % 3 ? -708 * rng_uniform(&r) : -2 * rng_uniform(&r); /* the domain used */
	check_fn("exp on [-708, 0]", vexp_n, portable_vexp_n, exp_or_0, x);
	for (i = 0; i < N; i++)
		x[i] = exp((rng_uniform(&r) - 0.5) * 1400);
	check_fn("log on [e^-700, e^700]", vlog_n, portable_vlog_n, log, x);
	for (i = 0; i < N; i++)
		x[i] = i % 2 ? rng_uniform(&r) : exp(-700 * rng_uniform(&r));
	check_fn("log1p on [0, 1]", vlog1p_n, portable_vlog1p_n, log1p, x);
	vexp_n(t, 6);
	CHECK(isnan(t[0]) && t[1] == 0 && t[2] == 0 && t[3] == 1 && t[4] == 1 && t[5] == 0,
	      "exp: NaN stays NaN, below -708 is 0, exp(0) and exp(-1e-300) are 1, exp(-inf) 0");
	t[0] = NAN, t[1] = 0, t[2] = -1, t[3] = 1, t[4] = 2;
	vlog_n(t, 5);
	CHECK(isnan(t[0]) && isnan(t[1]) && isnan(t[2]) && t[3] == 0 && t[4] == log(2),
	      "log: NaN for NaN, 0 and -1; log 1 = 0, log 2 exact");
	free(x);
}

/* focal_rows on random rows against the per-row functions. */
static void test_rows(void)
{
	static const size_t ks[] = { 1, 2, 3, 5, 26 };
	static const double gammas[] = { 0, 0.5, 1, 2, 2.5, 5 };
	enum { ROWS = 37 };
	struct rng r;
	size_t a, b, i, j, k, bad = 0, n = 0;
	double z[ROWS * 26], zc[26], loss[ROWS], dz[26], tmp[ROWS * 32], l;
	uint32_t y[ROWS];

	rng_seed(&r, 9);
	for (a = 0; a < sizeof ks / sizeof ks[0]; a++)
		for (b = 0; b < sizeof gammas / sizeof gammas[0]; b++) {
			k = ks[a];
			for (i = 0; i < ROWS * k; i++)
				z[i] = (rng_uniform(&r) - 0.5) * (i % 7 == 0 ? 200 : 8);
			for (i = 0; i < ROWS; i++)
				y[i] = (uint32_t)rng_below(&r, k == 1 ? 2 : k);
			{
				double zs[ROWS * 26];

				memcpy(zs, z, ROWS * k * sizeof *z);
				focal_rows(z, ROWS, k, y, 1, gammas[b], loss, tmp);
				for (i = 0; i < ROWS; i++) {
					if (k == 1) {
						l = focal_binary(zs[i], y[i] == 1, gammas[b], dz);
					} else {
						memcpy(zc, zs + i * k, k * sizeof *zc);
						l = focal_softmax(zc, k, y[i], gammas[b], dz);
					}
					n++;
					bad += !close_to(loss[i], l, 1e-13, 1e-300);
					for (j = 0; j < k; j++)
						bad += !close_to(z[i * k + j], dz[j], 1e-12, 1e-300);
				}
			}
		}
	CHECK(bad == 0, "focal_rows: %zu rows (1 to 26 logits, gamma 0 to 5) within 1e-13 of the "
	      "per-row losses, 1e-12 of their slopes (%zu off)", n, bad);
}

/* One kernel's logits and gradient sums against double sums, to float accuracy. */
static void check_kernel(const struct kernel *kn, const char *what)
{
	static const size_t dims[] = { 1, 7, 8, 13, 40, 77 }, nouts[] = { 1, 3, 4, 5, 9 };
	enum { NR = 16 };
	struct rng r;
	size_t a, b, i, c, j, dim, nout, dp, bad = 0;

	rng_seed(&r, 3);
	for (a = 0; a < sizeof dims / sizeof dims[0]; a++)
		for (b = 0; b < sizeof nouts / sizeof nouts[0]; b++) {
			const float *rows[NR];
			float *x, *w, *z, *dz, *g;
			double s, mag;

			dim = dims[a], nout = nouts[b], dp = kernel_pad(dim);
			x = malloc(NR * dim * sizeof *x);
			w = calloc(nout * dp, sizeof *w);
			g = calloc(nout * dp, sizeof *g);
			z = malloc(NR * nout * sizeof *z);
			dz = malloc(NR * nout * sizeof *dz);
			for (i = 0; i < NR * dim; i++)
				x[i] = (float)(rng_uniform(&r) * 4 - 2);
			for (c = 0; c < nout; c++)
				for (j = 0; j < dim; j++)
					w[c * dp + j] = (float)(rng_uniform(&r) - 0.5);
			for (i = 0; i < NR * nout; i++)
				dz[i] = (float)(rng_uniform(&r) - 0.5);
			for (i = 0; i < NR; i++)
				rows[i] = x + (NR - 1 - i) * dim; /* not in memory order */
			kn->logits(rows, NR - 3, dim, w, dp, nout, z);
			kn->grad(rows, NR - 3, dim, dz, nout, g, dp);
			for (i = 0; i < NR - 3; i++)
				for (c = 0; c < nout; c++) {
					for (s = 0, mag = 0, j = 0; j < dim; j++) {
						s += (double)w[c * dp + j] * rows[i][j];
						mag += fabs((double)w[c * dp + j] * rows[i][j]);
					}
					bad += fabs(z[i * nout + c] - s) > 1e-6 * mag + 1e-30;
				}
			for (c = 0; c < nout; c++)
				for (j = 0; j < dp; j++) {
					for (s = 0, mag = 0, i = 0; i < NR - 3 && j < dim; i++) {
						s += (double)dz[i * nout + c] * rows[i][j];
						mag += fabs((double)dz[i * nout + c] * rows[i][j]);
					}
					bad += fabs(g[c * dp + j] - s) > 1e-6 * mag + 1e-30;
				}
			free(x);
			free(w);
			free(g);
			free(z);
			free(dz);
		}
	CHECK(bad == 0, "kernel %s: logits and gradient sums of 13 rows (1 to 77 inputs, 1 to 9 "
	      "outputs) within 1e-6 of the double sums, padding left 0 (%zu off)", what, bad);
}

/*
 * A kernel's float losses (when it has them) against focal_binary and focal_softmax in
 * double on random tiles: each row's weighted loss and slopes to float accuracy, the
 * bias sums to the slopes' sums.
 */
static void check_loss(const struct kernel *kn)
{
	static const size_t ks[] = { 1, 2, 3, 5, 26 };
	static const double gammas[] = { 0, 0.5, 1, 2, 3, 5 };
	static const size_t nrs[] = { 1, 7, 8, 13, 16 };
	struct rng r;
	size_t a, b, c, i, j, k, nr, bad = 0, n = 0;
	float z[16 * 26], tmp[16 * 26];
	double zd[16 * 26], dz[26], bias[26], w[16], gb[26], gw[26], l, sum, want;
	uint32_t y[16];

	rng_seed(&r, 11);
	for (a = 0; a < sizeof ks / sizeof ks[0]; a++)
		for (b = 0; b < sizeof gammas / sizeof gammas[0]; b++)
			for (c = 0; c < sizeof nrs / sizeof nrs[0]; c++) {
				k = ks[a];
				nr = nrs[c];
				for (j = 0; j < k; j++) {
					bias[j] = rng_uniform(&r) - 0.5;
					gb[j] = gw[j] = 0;
				}
				for (i = 0; i < nr; i++) {
					w[i] = rng_uniform(&r) * 2;
					y[i] = (uint32_t)rng_below(&r, k == 1 ? 2 : k);
					for (j = 0; j < k; j++) {
						z[i * k + j] = (float)((rng_uniform(&r) - 0.5) *
						                       (j % 5 == 0 ? 60 : 8));
						zd[i * k + j] = (double)z[i * k + j] + (double)(float)bias[j];
					}
				}
				sum = kn->loss(z, bias, nr, k, y, 1, gammas[b], w, gb, 1, tmp);
				want = 0;
				for (i = 0; i < nr; i++) {
					l = k == 1 ? focal_binary(zd[i], y[i] == 1, gammas[b], dz)
					           : focal_softmax(zd + i * k, k, y[i], gammas[b], dz);
					want += w[i] * l;
					for (j = 0; j < k; j++) {
						bad += !close_to(z[i * k + j], w[i] * dz[j], 2e-5, 1e-6);
						gw[j] += w[i] * dz[j];
					}
					n++;
				}
				bad += !close_to(sum, want, 2e-5, 1e-6);
				for (j = 0; j < k; j++)
					bad += !close_to(gb[j], gw[j], 2e-5, 1e-5);
			}
	CHECK(bad == 0, "kernel %s: float losses of %zu rows (1 to 26 logits, gamma 0 to 5, tiles "
	      "of 1 to 16 rows) within 2e-5 of the double ones, slopes and bias sums too (%zu off)",
	      kn->name, n, bad);
}

int main(void)
{
	const struct kernel *kn;

	test_vmath();
	test_rows();
	setenv("FOCAL_KERNEL", "", 1);
	kn = kernel_get();
	CHECK(kn != NULL, "a kernel is chosen (%s)", kn ? kn->name : "none");
	if (kn)
		check_kernel(kn, kn->name);
	if (kn && kn->loss)
		check_loss(kn);
	check_kernel(kernel_portable_get(), "portable");
	TAP_DONE();
}
