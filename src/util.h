/* util.h: error reporting, allocation and small helpers shared by every module. */
#ifndef FOCAL_UTIL_H
#define FOCAL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FOCAL_VERSION "0.1.0"

/*
 * An error filled in by the core and printed by the commands as "focal: MSG".
 * MSG has the shape "file:line: what is wrong" (or "file: ..." without a line),
 * lowercase, no full stop.  The core never prints or exits; it returns -1 and
 * fills a struct ferr.
 */
struct ferr {
	char msg[1024];
	int status; /* exit status the command should use: 1 data/I-O, 2 usage */
	/*
	 * focal-mpi: 1 when this process alone met the error (its share of the input), so
	 * that it gives the message whatever its rank; 0 when every process met the same
	 * one (rank 0 gives it).  An empty MSG: another process failed and said why.
	 */
	int local;
};

/* Formats MSG into E (status 1); returns -1 so callers can "return ferr_set(...)". */
int ferr_set(struct ferr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As ferr_set but with exit status 2 (a usage error). */
int ferr_usage(struct ferr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Allocation that cannot fail quietly: on exhaustion prints "focal: out of memory" and exits 1. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Array allocation with overflow check (n * size). */
void *xreallocarray(void *p, size_t n, size_t size);
/* open_memstream(BUF, LEN), and its fclose; each fails only for want of memory, which
 * they treat as xmalloc does. */
FILE *xmemstream(char **buf, size_t *len);
void xmemclose(FILE *f);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Parses all of S as a finite double; 0 on success, -1 otherwise. */
int parse_double(const char *s, double *out);
/* Parses all of S as a long in [lo, hi]; 0 on success, -1 otherwise. */
int parse_long(const char *s, long lo, long hi, long *out);

/*
 * Fast exact decimal-to-double conversion of S[0..len): bit-identical to strtod
 * for every input strtod accepts in full (falls back to strtod when the fast path
 * cannot guarantee correct rounding).  Returns 0 and sets *out when all of S is a
 * number (leading/trailing spaces allowed), -1 when it is not a number.
 * A number that overflows gives +-inf (callers decide what to do with it).
 */
int fast_atod(const char *s, size_t len, double *out);

/* 10^0 .. 10^22: the powers of ten a double holds exactly. */
extern const double pow10_exact[23];

/*
 * The common spelling of a number in a data file, read in one pass while looking for
 * the end of its field: [-+]digits[.digits] with 1 to 19 digits in all (so at most 19
 * after the point) and the digits as an integer at most 2^53.  Such a number is that
 * integer divided by an exact power of ten, one correctly rounded operation, so
 * *OUT is strtod's value bit for bit.  P must reach a byte that is not a digit, a point
 * or a sign at END or before it.  Returns the byte after the number when that byte is
 * END or DELIM, else NULL (the field needs fast_atod: spaces, an exponent, more digits,
 * or not a number), leaving *OUT alone.
 */
static inline const char *plain_number(const char *p, const char *end, int delim, double *out)
{
	const char *d, *f;
	uint64_t m = 0;
	unsigned c;
	size_t nfrac = 0, ndig;
	int neg = *p == '-';
	double v;

	p += *p == '-' || *p == '+';
	d = p;
	while ((c = (unsigned)(unsigned char)*p - '0') < 10) {
		m = m * 10 + c;
		p++;
	}
	ndig = (size_t)(p - d);
	if (*p == '.') {
		f = ++p;
		while ((c = (unsigned)(unsigned char)*p - '0') < 10) {
			m = m * 10 + c;
			p++;
		}
		nfrac = (size_t)(p - f);
		ndig += nfrac;
	}
	if ((p != end && *p != delim) || ndig - 1 > 18 || m > ((uint64_t)1 << 53))
		return NULL;
	v = (double)m;
	if (nfrac)
		v /= pow10_exact[nfrac];
	*out = neg ? -v : v;
	return p;
}

/* Does S end with SUFFIX? */
int ends_with(const char *s, const char *suffix);

/* Case-insensitive comparison of S[0..len) with the NUL-terminated WORD. */
int eq_nocase(const char *s, size_t len, const char *word);

/* Splits a comma-separated LIST into a newly allocated array of strings; *n gets the count.
 * Free with strv_free. */
char **split_list(const char *list, size_t *n);
void strv_free(char **v, size_t n);

/* A string-to-index hash map (open addressing).  Keys are copied. */
struct strmap {
	char **keys;
	size_t *klen;  /* length of each key */
	size_t *vals;
	size_t cap, len;
};
void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);
/* Looks KEY[0..len) up; returns 1 and sets *val when present, 0 otherwise. */
int strmap_get(const struct strmap *m, const char *key, size_t len, size_t *val);
/* Inserts KEY with VAL unless present; returns the stored value. */
size_t strmap_put(struct strmap *m, const char *key, size_t len, size_t val);

/* Compares two class labels / vocabulary strings the way SPEC orders them. */
int cmp_bytes(const void *a, const void *b);

/* Monotonic wall clock in seconds. */
double now_seconds(void);

/* 64-bit pseudo-random generator (splitmix64 seeding xoshiro256**). */
struct rng {
	uint64_t s[4];
};
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform integer in [0, n). */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform random permutation of P[0..n) (Fisher-Yates). */
void rng_shuffle(struct rng *r, size_t *p, size_t n);
/* Uniform double in [0, 1). */
double rng_uniform(struct rng *r);

/* Number of online processors (at least 1). */
int ncores(void);

#endif
