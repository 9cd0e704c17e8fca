/* tap.h: the few macros the C unit tests use.  Each check prints "ok - WHAT" or
 * "not ok - WHAT (details)"; tests/run counts those lines. */
#ifndef FOCAL_TAP_H
#define FOCAL_TAP_H

#include <math.h>
#include <stdio.h>

static int tap_failed;

/* Records one check: COND true passes.  The remaining arguments describe it (printf). */
#define CHECK(cond, ...)                                                   \
	do {                                                                   \
		int tap_ok_ = (cond) ? 1 : 0;                                      \
		printf("%s - ", tap_ok_ ? "ok" : "not ok");                        \
		printf(__VA_ARGS__);                                               \
		printf("\n");                                                      \
		if (!tap_ok_)                                                      \
			tap_failed++;                                                  \
	} while (0)

/* |got - want| <= rel * |want| + abs, and both finite (or both equal). */
static inline int close_to(double got, double want, double rel, double abs_)
{
	if (isnan(got) || isnan(want))
		return isnan(got) && isnan(want);
	if (got == want)
		return 1;
	return fabs(got - want) <= rel * fabs(want) + abs_;
}

/* Exit status of a test program: 1 when any check failed. */
#define TAP_DONE() return tap_failed ? 1 : 0

#endif
