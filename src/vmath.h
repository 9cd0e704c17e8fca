/*
 * vmath.h: exp, log and log1p over arrays of doubles, for the fast training pass
 * (train.c).  Within 2 ulp of the C library's functions on the domains below, the
 * same bits on every path (vector or not, any CPU), and no branch per element.
 */
#ifndef FOCAL_VMATH_H
#define FOCAL_VMATH_H

#include <stddef.h>

/* x[i] = exp(x[i]) in place.  Results below 2^-1021 (x < -708) are 0; x above 709 is
 * taken as 709; NaN stays NaN. */
void vexp_n(double *x, size_t n);
/* x[i] = log(x[i]) for positive normal x; NaN stays NaN. */
void vlog_n(double *x, size_t n);
/* x[i] = log1p(x[i]) for x in [0, 2^1000]. */
void vlog1p_n(double *x, size_t n);

/*
 * The clone attribute for code worth an AVX2 copy picked at load time (GCC or Clang on
 * x86 with the GNU C library's ifunc), empty elsewhere or with -DFOCAL_NO_TARGET_CLONES
 * (ThreadSanitizer cannot follow ifuncs).  Only for code without fused multiply-add, so
 * that both copies compute the same bits.
 */
#if defined(__GNUC__) && !defined(FOCAL_NO_TARGET_CLONES) && defined(__has_attribute) && \
    (defined(__x86_64__) || defined(__i386__)) && defined(__GLIBC__)
#if __has_attribute(target_clones)
#define FOCAL_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef FOCAL_CLONES
#define FOCAL_CLONES
#endif

#endif
