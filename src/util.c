/* util.c: errors, allocation, number parsing, string map, random numbers. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int ferr_vset(struct ferr *e, int status, const char *fmt, va_list ap)
{
	if (e) {
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		e->status = status;
		e->local = 0;
	}
	return -1;
}

int ferr_set(struct ferr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ferr_vset(e, 1, fmt, ap);
	va_end(ap);
	return -1;
}

int ferr_usage(struct ferr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ferr_vset(e, 2, fmt, ap);
	va_end(ap);
	return -1;
}

static void oom(void)
{
	static int dying;

	/* one thread says it and exits (exit's handlers remove temporary files); another
	 * that runs out at the same time waits for the end */
	if (__atomic_exchange_n(&dying, 1, __ATOMIC_SEQ_CST))
		for (;;)
			pause();
	fputs("focal: out of memory\n", stderr);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

FILE *xmemstream(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f)
		oom();
	return f;
}

void xmemclose(FILE *f)
{
	if (fclose(f) != 0)
		oom();
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom();
	return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Exact powers of ten representable in a double. */
const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * strtod on a bounded string: copies it so the parse cannot run past LEN.  Only
 * decimal spellings and inf/infinity are numbers here; hexadecimal and nan(...)
 * forms, which strtod also takes, are not.
 */
static int slow_atod(const char *s, size_t len, double *out)
{
	char buf[128], *p = buf, *end;
	int rc = 0;
	size_t i, j = (len > 0 && (*s == '-' || *s == '+')) ? 1 : 0;

	if (j >= len)
		return -1;
	if (s[j] == 'i' || s[j] == 'I') {
		if (!eq_nocase(s + j, len - j, "inf") && !eq_nocase(s + j, len - j, "infinity"))
			return -1;
	} else {
		for (i = j; i < len; i++)
			if (!(isdigit((unsigned char)s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
			      s[i] == '-' || s[i] == '+'))
				return -1;
	}

	if (len >= sizeof buf)
		p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	errno = 0;
	*out = strtod(p, &end);
	if (end == p || *end != '\0')
		rc = -1;
	if (p != buf)
		free(p);
	return rc;
}

/*
 * Clinger's fast path: a decimal with at most 19 significant digits whose value
 * m * 10^e has m < 2^53 and |e| <= 22 is m and 10^|e| both exact, so one IEEE
 * multiplication or division rounds correctly, as strtod does.  Anything else
 * (long mantissas, big exponents, inf/nan/hex spellings) goes to strtod.
 */
int fast_atod(const char *s, size_t len, double *out)
{
	const char *p, *end, *q;
	uint64_t m = 0;
	int neg = 0;
	long e = 0, nsig, dexp = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	if (len == 0)
		return -1;
	p = s;
	end = s + len;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	/* integer digits: leading zeros, then the significant ones into m */
	q = p;
	while (p < end && *p == '0')
		p++;
	{
		const char *d = p;

		while (p < end && (unsigned)(*p - '0') < 10)
			m = m * 10 + (uint64_t)(*p++ - '0');
		nsig = p - d;
	}
	if (p < end && *p == '.') {
		const char *f = ++p, *d;

		if (nsig == 0)
			while (p < end && *p == '0')
				p++;
		d = p;
		while (p < end && (unsigned)(*p - '0') < 10)
			m = m * 10 + (uint64_t)(*p++ - '0');
		nsig += p - d;
		dexp = -(p - f);
		if (p == f && p - 1 == q) /* "." alone, or a sign and "." */
			return slow_atod(s, len, out);
	} else if (p == q) {
		return slow_atod(s, len, out); /* no digits: inf, infinity, or not a number */
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0;

		q = p + 1;
		if (q < end && (*q == '-' || *q == '+'))
			eneg = *q++ == '-';
		if (q >= end || (unsigned)(*q - '0') >= 10)
			return slow_atod(s, len, out);
		for (; q < end && (unsigned)(*q - '0') < 10; q++)
			if (e < 100000)
				e = e * 10 + (*q - '0');
		if (eneg)
			e = -e;
		p = q;
	}
	/* m holds the significant digits exactly only when there are at most 19 */
	if (p != end || nsig > 19)
		return slow_atod(s, len, out);
	if (m == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	e += dexp;
	if (m > (UINT64_C(1) << 53) || e < -22 || e > 22)
		return slow_atod(s, len, out);
	{
		double v = (double)m;

		v = e < 0 ? v / pow10_exact[-e] : v * pow10_exact[e];
		*out = neg ? -v : v;
	}
	return 0;
}

int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int eq_nocase(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (word[i] == '\0' || tolower((unsigned char)s[i]) != tolower((unsigned char)word[i]))
			return 0;
	}
	return word[len] == '\0';
}

char **split_list(const char *list, size_t *n)
{
	char **v = NULL;
	size_t cnt = 0;
	const char *p = list, *q;

	for (;;) {
		q = strchr(p, ',');
		if (!q)
			q = p + strlen(p);
		v = xreallocarray(v, cnt + 1, sizeof *v);
		v[cnt++] = xstrndup(p, (size_t)(q - p));
		if (*q == '\0')
			break;
		p = q + 1;
	}
	*n = cnt;
	return v;
}

void strv_free(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = UINT64_C(1469598103934665603);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

void strmap_init(struct strmap *m)
{
	m->keys = NULL;
	m->klen = NULL;
	m->vals = NULL;
	m->cap = 0;
	m->len = 0;
}

void strmap_release(struct strmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->klen);
	free(m->vals);
	strmap_init(m);
}

static size_t strmap_slot(const struct strmap *m, const char *key, size_t len)
{
	size_t i = (size_t)hash_bytes(key, len) & (m->cap - 1);

	while (m->keys[i] && !(m->klen[i] == len && memcmp(m->keys[i], key, len) == 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

int strmap_get(const struct strmap *m, const char *key, size_t len, size_t *val)
{
	size_t i;

	if (m->cap == 0)
		return 0;
	i = strmap_slot(m, key, len);
	if (!m->keys[i])
		return 0;
	*val = m->vals[i];
	return 1;
}

static void strmap_grow(struct strmap *m)
{
	struct strmap n;
	size_t i, j;

	n.cap = m->cap ? m->cap * 2 : 16;
	n.len = m->len;
	n.keys = xcalloc(n.cap, sizeof *n.keys);
	n.klen = xcalloc(n.cap, sizeof *n.klen);
	n.vals = xcalloc(n.cap, sizeof *n.vals);
	for (i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		j = strmap_slot(&n, m->keys[i], m->klen[i]);
		n.keys[j] = m->keys[i];
		n.klen[j] = m->klen[i];
		n.vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->klen);
	free(m->vals);
	*m = n;
}

size_t strmap_put(struct strmap *m, const char *key, size_t len, size_t val)
{
	size_t i;

	if (2 * (m->len + 1) > m->cap)
		strmap_grow(m);
	i = strmap_slot(m, key, len);
	if (m->keys[i])
		return m->vals[i];
	m->keys[i] = xstrndup(key, len);
	m->klen[i] = len;
	m->vals[i] = val;
	m->len++;
	return val;
}

int cmp_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	uint64_t x, lim;

	if (n <= 1)
		return 0;
	lim = UINT64_MAX - UINT64_MAX % n;
	do
		x = rng_next(r);
	while (x >= lim);
	return x % n;
}

void rng_shuffle(struct rng *r, size_t *p, size_t n)
{
	size_t i, j, t;

	for (i = n; i > 1; i--) {
		j = (size_t)rng_below(r, i);
		t = p[i - 1];
		p[i - 1] = p[j];
		p[j] = t;
	}
}

double rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

int ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}
