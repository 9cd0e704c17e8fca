/*
 * tests/failalloc.c: an LD_PRELOAD library for t_faults.sh.  With FOCAL_FAIL_AFTER=N in
 * the environment, malloc, calloc and realloc succeed N times and then fail (NULL, errno
 * ENOMEM) for good; without it they never fail.  glibc's own entry points do the work.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static long limit = -2, count;

static int fail(void)
{
	if (limit == -2) {
		const char *s = getenv("FOCAL_FAIL_AFTER");

		limit = s ? atol(s) : -1;
	}
	if (limit >= 0 && __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED) >= limit) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *malloc(size_t n)
{
	return fail() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	return fail() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return fail() ? NULL : __libc_realloc(p, n);
}
