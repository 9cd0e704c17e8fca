/*
 * vmath.c: exp, log and log1p over arrays of doubles (vmath.h).
 *
 * exp: x = n ln2 + r with n = round(x / ln2) and |r| <= ln2 / 2 (Cody and Waite's
 * two-part ln2, so n ln2_hi is exact), exp(r) by its Taylor series to r^13 (the first
 * term left out is below 2^-60 of the sum), times 2^n built in the exponent bits.
 * log: x = 2^e m with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact), s = f / (2 + f)
 * and log(1 + f) = 2 atanh(s) = f - s (f - R), R = sum_{i=1..9} 2 s^2i / (2i + 1)
 * (|s| <= 0.172: the first term left out is below 2^-55 of the sum); then e ln2 added
 * in two parts.  log1p(t) = log(u) + (t - (u - 1)) / u with u = 1 + t rounded.
 *
 * Four lanes at a time with GCC or Clang vector types, one at a time elsewhere (or with
 * -DFOCAL_PORTABLE_VMATH); the
 * operations and their order are the same either way, and none is fused (-std=c11),
 * so every path computes the same bits.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "vmath.h"

#define LN2_HI 6.93147180369123816490e-01 /* ln 2 with its low 32 bits zero */
#define LN2_LO 1.90821492927058770002e-10 /* ln 2 - LN2_HI */
#define LOG2E 1.44269504088896338700e+00
#define SHIFTER 6755399441055744.0        /* 1.5 * 2^52: rounds to an integer */
#define EXP_MIN (-708.0)
#define EXP_MAX 709.0
#define SQRT2 1.41421356237309504880
#define MANT_MASK 0x000fffffffffffffLL
#define ONE_BITS 0x3ff0000000000000LL

/* 1/k! for k = 13 down to 2, then the two 1s of Horner's scheme. */
static const double exp_coef[12] = {
	1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
	1.0 / 362880.0,     1.0 / 40320.0,     1.0 / 5040.0,     1.0 / 720.0,
	1.0 / 120.0,        1.0 / 24.0,        1.0 / 6.0,        1.0 / 2.0,
};

/* 2 / (2i + 1) for i = 9 down to 1. */
static const double log_coef[9] = {
	2.0 / 19, 2.0 / 17, 2.0 / 15, 2.0 / 13, 2.0 / 11, 2.0 / 9, 2.0 / 7, 2.0 / 5, 2.0 / 3,
};

#if defined(__GNUC__) && !defined(FOCAL_PORTABLE_VMATH)
#define LANES 4
typedef double vd __attribute__((vector_size(LANES * sizeof(double))));
typedef int64_t vi __attribute__((vector_size(LANES * sizeof(double))));

/* Macros, not functions: no vector crosses a call, whatever each clone's target. */
#define SPLAT(c) ((vd){ (c), (c), (c), (c) })
#define ISPLAT(c) ((vi){ (c), (c), (c), (c) })
#define SELECT(m, a, b) ((vd)(((m) & (vi)(a)) | (~(m) & (vi)(b)))) /* m ? a : b per lane */
#define LOAD(v, p) memcpy(&(v), (p), sizeof(v))
#define STORE(p, v) memcpy((p), &(v), sizeof(v))
#define BITS_OF(v) ((vi)(v))
#define DOUBLES_OF(v) ((vd)(v))
#define TO_DOUBLE(v) __builtin_convertvector((v), vd)
#define LT(a, b) ((a) < (b))
#define GT(a, b) ((a) > (b))
#else
#define LANES 1
typedef double vd;
typedef int64_t vi;

static vi bits_of(double d)
{
	vi b;

	memcpy(&b, &d, sizeof b);
	return b;
}

static double doubles_of(vi b)
{
	double d;

	memcpy(&d, &b, sizeof d);
	return d;
}

#define SPLAT(c) ((double)(c))
#define ISPLAT(c) ((int64_t)(c))
#define SELECT(m, a, b) ((m) ? (a) : (b))
#define LOAD(v, p) ((v) = *(p))
#define STORE(p, v) (*(p) = (v))
#define BITS_OF(v) bits_of(v)
#define DOUBLES_OF(v) doubles_of(v)
#define TO_DOUBLE(v) ((double)(v))
#define LT(a, b) (-(vi)((a) < (b)))
#define GT(a, b) (-(vi)((a) > (b)))
#endif

/* P[0..LANES) = exp(P[...]) */
static inline void v_exp(double *p)
{
	vd x, t, n, r, q;
	vi tiny, ni;
	int k;

	LOAD(x, p);
	tiny = LT(x, SPLAT(EXP_MIN));
	x = SELECT(GT(x, SPLAT(EXP_MAX)), SPLAT(EXP_MAX), x);
	t = x * SPLAT(LOG2E) + SPLAT(SHIFTER);
	n = t - SPLAT(SHIFTER);
	ni = BITS_OF(t) - BITS_OF(SPLAT(SHIFTER));
	r = (x - n * SPLAT(LN2_HI)) - n * SPLAT(LN2_LO);
	q = SPLAT(exp_coef[0]);
	for (k = 1; k < 12; k++)
		q = q * r + SPLAT(exp_coef[k]);
	q = q * r + SPLAT(1);
	q = q * r + SPLAT(1);
	q = q * DOUBLES_OF((ni + ISPLAT(1023)) << 52);
	q = SELECT(tiny, SPLAT(0), q);
	STORE(p, q);
}

/* log of the LANES values U, into *OUT */
#define V_LOG(out, u)                                                                    \
	do {                                                                             \
		vd m_, f_, s_, s2_, rr_, ed_;                                            \
		vi b_ = BITS_OF(u), e_, big_;                                            \
		int k_;                                                                  \
		e_ = ((b_ >> 52) & ISPLAT(0x7ff)) - ISPLAT(1023);                        \
		m_ = DOUBLES_OF((b_ & ISPLAT(MANT_MASK)) | ISPLAT(ONE_BITS));            \
		big_ = GT(m_, SPLAT(SQRT2));                                             \
		m_ = SELECT(big_, m_ * SPLAT(0.5), m_);                                  \
		e_ = e_ - big_; /* big_ is -1 where m_ was halved */                     \
		f_ = m_ - SPLAT(1);                                                      \
		s_ = f_ / (SPLAT(2) + f_);                                               \
		s2_ = s_ * s_;                                                           \
		rr_ = SPLAT(log_coef[0]);                                                \
		for (k_ = 1; k_ < 9; k_++)                                               \
			rr_ = rr_ * s2_ + SPLAT(log_coef[k_]);                           \
		rr_ = rr_ * s2_;                                                         \
		ed_ = TO_DOUBLE(e_);                                                     \
		f_ = f_ - s_ * (f_ - rr_);                                               \
		/* NaN for NaN or u <= 0, which the bit arithmetic would not give */     \
		(out) = SELECT(LT(SPLAT(0), (u)),                                        \
		               ed_ * SPLAT(LN2_HI) + (f_ + ed_ * SPLAT(LN2_LO)), SPLAT(NAN)); \
	} while (0)

static inline void v_log(double *p)
{
	vd x, y;

	LOAD(x, p);
	V_LOG(y, x);
	STORE(p, y);
}

static inline void v_log1p(double *p)
{
	vd t, u, y;

	LOAD(t, p);
	u = SPLAT(1) + t;
	V_LOG(y, u);
	y = y + (t - (u - SPLAT(1))) / u;
	STORE(p, y);
}

/* Applies F to X[0..N) in place, LANES at a time; the tail through a padded copy. */
#define VMAP(f, x, n, pad)                                                                 \
	do {                                                                               \
		size_t i_ = 0, k_;                                                         \
		double t_[LANES];                                                          \
		for (; i_ + LANES <= (n); i_ += LANES)                                     \
			f((x) + i_);                                                       \
		if (i_ < (n)) {                                                            \
			for (k_ = 0; k_ < LANES; k_++)                                     \
				t_[k_] = i_ + k_ < (n) ? (x)[i_ + k_] : (pad);             \
			f(t_);                                                             \
			for (k_ = 0; i_ + k_ < (n); k_++)                                  \
				(x)[i_ + k_] = t_[k_];                                     \
		}                                                                          \
	} while (0)

FOCAL_CLONES
void vexp_n(double *x, size_t n)
{
	VMAP(v_exp, x, n, 0.0);
}

FOCAL_CLONES
void vlog_n(double *x, size_t n)
{
	VMAP(v_log, x, n, 1.0);
}

FOCAL_CLONES
void vlog1p_n(double *x, size_t n)
{
	VMAP(v_log1p, x, n, 0.0);
}
