/* cache.c: the --cache file (cache.h). */
#include "cache.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "block.h"
#include "csvread.h"
#include "outfile.h"

static const char magic[12] = "focal-cache\n";
#define BYTE_ORDER_MARK 0x01020304u
#define KEY_MAX ((uint64_t)1 << 20)

/* ---- the key ---- */

static void key_add(char **k, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void key_add(char **k, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*k = xrealloc(*k, *len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(*k + *len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
}

/* An option's text, or WHEN_NULL. */
static const char *opt(const char *s, const char *when_null)
{
	return s ? s : when_null;
}

char *cache_key(const char *const *paths, size_t npaths, const struct readopts *o,
                struct ferr *e)
{
	char *k = NULL, real[PATH_MAX];
	size_t len = 0, i;

	key_add(&k, &len, "focal cache %d\n", CACHE_VERSION);
	for (i = 0; i < npaths; i++) {
		struct stat st;

		if (strcmp(paths[i], "-") == 0) {
			free(k);
			ferr_usage(e, "--cache: standard input cannot be cached (it cannot be read "
			           "again to tell whether it changed); give a file");
			return NULL;
		}
		if (stat(paths[i], &st) != 0) {
			free(k);
			ferr_set(e, "%s: %s", paths[i], strerror(errno));
			return NULL;
		}
		key_add(&k, &len, "input %lld %lld.%09ld %llu %s\n", (long long)st.st_size,
		        (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
		        (unsigned long long)st.st_ino, realpath(paths[i], real) ? real : paths[i]);
	}
	key_add(&k, &len, "delimiter %d\nheader %d\ntarget %s\ndrop %s\ncategorical %s\n"
	        "na %s\nweight %s\nmax-categories %zu\nstandardize %d\n", o->delim, o->header,
	        opt(o->target, "(last)"), opt(o->drop, ""), opt(o->categorical, ""),
	        opt(o->na, "(default)"), opt(o->weight, ""), o->max_categories, o->standardize);
	return k;
}

/* ---- writing ---- */

struct writer {
	FILE *f;
	uLong crc;
};

static void put(struct writer *w, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n) { /* crc32 takes a uInt */
		uInt step = n > (1u << 30) ? 1u << 30 : (uInt)n;

		w->crc = crc32(w->crc, b, step);
		fwrite(b, 1, step, w->f);
		b += step;
		n -= step;
	}
}

static void put_u64(struct writer *w, uint64_t v)
{
	put(w, &v, sizeof v);
}

static void put_str(struct writer *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_u64(w, n);
	put(w, s ? s : "", n);
}

static void put_strv(struct writer *w, char *const *v, size_t n)
{
	size_t i;

	put_u64(w, n);
	for (i = 0; i < n; i++)
		put_str(w, v[i]);
}

/* An optional array: a flag, then N elements of SIZE bytes when present. */
static void put_opt(struct writer *w, const void *p, size_t n, size_t size)
{
	put_u64(w, p != NULL);
	if (p)
		put(w, p, n * size);
}

int cache_save(const char *path, const char *key, const struct schema *s,
               const struct dataset *d, char *const *warns, size_t nwarn, struct ferr *e)
{
	struct outfile of = { NULL, NULL, NULL, 0 };
	struct writer w;
	uint32_t u;
	uint64_t nmiss = d->miss_off ? d->miss_off[d->n] : 0;
	size_t i;

	if (outfile_open(&of, path, e) != 0)
		return -1;
	w.f = of.f;
	w.crc = crc32(0, NULL, 0);
	put(&w, magic, sizeof magic);
	u = CACHE_VERSION;
	put(&w, &u, sizeof u);
	u = BYTE_ORDER_MARK;
	put(&w, &u, sizeof u);
	put_str(&w, key);
	u = (uint32_t)w.crc;
	put(&w, &u, sizeof u);
	/* the schema */
	put_u64(&w, s->nfeat);
	for (i = 0; i < s->nfeat; i++) {
		const struct feature *f = &s->feat[i];

		put_str(&w, f->name);
		put_u64(&w, (uint64_t)f->categorical);
		put(&w, &f->impute, sizeof f->impute);
		put(&w, &f->center, sizeof f->center);
		put(&w, &f->scale, sizeof f->scale);
		put_u64(&w, f->offset);
		put_strv(&w, f->vocab, f->nvocab);
	}
	put_u64(&w, s->dim);
	put_strv(&w, s->classes, s->nclass);
	put_str(&w, s->target);
	put_strv(&w, s->na, s->nna);
	put_u64(&w, (uint64_t)s->na_numeric);
	/* the rows */
	put_u64(&w, d->n);
	put_u64(&w, d->dim);
	for (i = 0; i < d->n; i += BLOCK_SWEEP_ROWS) {
		size_t rows = d->n - i < BLOCK_SWEEP_ROWS ? d->n - i : BLOCK_SWEEP_ROWS;

		put(&w, d->x + i * d->dim, rows * d->dim * sizeof *d->x);
		block_done(d->x, i * d->dim, (i + rows) * d->dim);
	}
	put(&w, d->y, d->n * sizeof *d->y);
	for (i = 0; i < s->nclass; i++)
		put_u64(&w, d->count[i]);
	put_opt(&w, d->roww, d->n, sizeof *d->roww);
	put_u64(&w, nmiss);
	put_opt(&w, d->miss_off, d->n + 1, sizeof *d->miss_off);
	if (d->miss_off)
		put(&w, d->miss_col, nmiss * sizeof *d->miss_col);
	put_opt(&w, d->line, d->n, sizeof *d->line);
	put_opt(&w, d->src, d->n, sizeof *d->src);
	put_strv(&w, d->srcname, d->nsrc);
	put_strv(&w, warns, nwarn);
	u = (uint32_t)w.crc;
	fwrite(&u, sizeof u, 1, of.f);
	if (ferror(of.f)) {
		ferr_set(e, "%s: cannot write the cache: %s", path, strerror(errno));
		outfile_abort(&of);
		return -1;
	}
	if (outfile_commit(&of, e) != 0) {
		outfile_abort(&of);
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

struct reader {
	FILE *f;
	const char *path;
	uLong crc;
	uint64_t left; /* bytes of the file not read yet */
	int bad;       /* short read or a size past the end */
};

static int get(struct reader *r, void *p, size_t n)
{
	unsigned char *b = p;

	if (r->bad || n > r->left) {
		r->bad = 1;
		return -1;
	}
	if (n && fread(b, 1, n, r->f) != n) {
		r->bad = 1;
		return -1;
	}
	r->left -= n;
	while (n) {
		uInt step = n > (1u << 30) ? 1u << 30 : (uInt)n;

		r->crc = crc32(r->crc, b, step);
		b += step;
		n -= step;
	}
	return 0;
}

static uint64_t get_u64(struct reader *r)
{
	uint64_t v = 0;

	get(r, &v, sizeof v);
	return v;
}

/* A count of elements of SIZE bytes that the rest of the file can hold, else 0 (bad). */
static size_t get_count(struct reader *r, size_t size)
{
	uint64_t n = get_u64(r);

	if (r->bad || (size && n > r->left / size)) {
		r->bad = 1;
		return 0;
	}
	return (size_t)n;
}

static char *get_str(struct reader *r)
{
	size_t n = get_count(r, 1);
	char *s;

	if (r->bad)
		return NULL;
	s = xmalloc(n + 1);
	if (get(r, s, n) != 0) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	if (strlen(s) != n) /* a NUL inside: not ours */
		r->bad = 1;
	return s;
}

static char **get_strv(struct reader *r, size_t *n)
{
	size_t i, k = get_count(r, sizeof(uint64_t));
	char **v = xcalloc(k + 1, sizeof *v);

	for (i = 0; i < k && !r->bad; i++)
		v[i] = get_str(r);
	*n = r->bad ? 0 : k;
	if (r->bad) {
		strv_free(v, i);
		return NULL;
	}
	return v;
}

static void *get_opt(struct reader *r, size_t n, size_t size)
{
	uint64_t flag = get_u64(r);
	void *p;

	if (r->bad || flag > 1 || (flag && n > r->left / size)) {
		r->bad = 1;
		return NULL;
	}
	if (!flag)
		return NULL;
	p = xmalloc(n * size);
	if (get(r, p, n * size) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

static int corrupt(struct reader *r, struct ferr *e, const char *what)
{
	return ferr_set(e, "%s: corrupt cache file (%s); remove it and it is made again",
	                r->path, what);
}

/* 1 when the N floats at X are all finite. */
static int all_finite(const float *x, size_t n)
{
	size_t i;
	int ok = 1;

	for (i = 0; i < n; i++)
		ok &= isfinite(x[i]) != 0;
	return ok;
}

/* 1 when every label of Y[0..n) is a class below NCLASS and COUNT[c] counts class c's
 * (of which there is at least one unless SHARE). */
static int counts_agree(const uint32_t *y, size_t n, const size_t *count, size_t nclass,
                        int share)
{
	size_t *seen = xcalloc(nclass, sizeof *seen), i;
	int ok = 1;

	for (i = 0; i < n && ok; i++)
		if (y[i] >= nclass)
			ok = 0;
		else
			seen[y[i]]++;
	for (i = 0; i < nclass && ok; i++) /* every class was read from some row */
		ok = seen[i] == count[i] && (count[i] > 0 || share);
	free(seen);
	return ok;
}

/* The schema and the rows after the header; 0, or -1 (r->bad).  Everything a later
 * step indexes by (labels, columns, files) or computes with (numbers) is checked.  A
 * SHARE of the table (focal-mpi) may hold no rows, or none of a class. */
static int get_payload(struct reader *r, struct schema *s, struct dataset *d, int share)
{
	size_t i, nmiss, end;

	s->nfeat = get_count(r, 5 * sizeof(uint64_t));
	s->feat = xcalloc(s->nfeat + 1, sizeof *s->feat);
	for (i = 0; i < s->nfeat && !r->bad; i++) {
		struct feature *f = &s->feat[i];

		f->name = get_str(r);
		f->categorical = get_u64(r) != 0;
		get(r, &f->impute, sizeof f->impute);
		get(r, &f->center, sizeof f->center);
		get(r, &f->scale, sizeof f->scale);
		f->offset = (size_t)get_u64(r);
		f->vocab = get_strv(r, &f->nvocab);
		if (!f->name || !isfinite(f->impute) || !isfinite(f->center) ||
		    (f->categorical ? !f->nvocab : !(isfinite(f->scale) && f->scale > 0)))
			r->bad = 1;
	}
	if (r->bad) {
		s->nfeat = i;
		return -1;
	}
	s->dim = (size_t)get_u64(r);
	s->classes = get_strv(r, &s->nclass);
	s->target = get_str(r);
	s->na = get_strv(r, &s->nna);
	s->na_numeric = get_u64(r) != 0;
	d->n = get_count(r, 1);
	d->dim = (size_t)get_u64(r);
	if (r->bad || d->dim != s->dim || s->nclass < 2 || !s->target || (d->n == 0 && !share) ||
	    (d->dim && d->n > r->left / d->dim / sizeof(float)))
		return r->bad = 1, -1;
	/* the features tile the design columns in order, as data.c lays them out (so that
	 * the width is that of the features read, even for a share without rows) */
	for (i = 0, end = 0; i < s->nfeat; i++) {
		if (s->feat[i].offset != end)
			return r->bad = 1, -1;
		end += s->feat[i].categorical ? s->feat[i].nvocab : 1;
	}
	if (end != s->dim)
		return r->bad = 1, -1;
	d->x = block_alloc((d->n ? d->n : 1) * (d->dim ? d->dim : 1));
	for (i = 0; i < d->n && !r->bad; i += BLOCK_SWEEP_ROWS) {
		size_t rows = d->n - i < BLOCK_SWEEP_ROWS ? d->n - i : BLOCK_SWEEP_ROWS;

		if (get(r, d->x + i * d->dim, rows * d->dim * sizeof *d->x) == 0 &&
		    !all_finite(d->x + i * d->dim, rows * d->dim))
			r->bad = 1;
		block_done(d->x, i * d->dim, (i + rows) * d->dim);
	}
	if (r->bad || d->n > r->left / sizeof *d->y)
		return r->bad = 1, -1;
	d->y = xreallocarray(NULL, d->n ? d->n : 1, sizeof *d->y);
	get(r, d->y, d->n * sizeof *d->y);
	d->count = xcalloc(s->nclass, sizeof *d->count);
	for (i = 0; i < s->nclass; i++)
		d->count[i] = (size_t)get_u64(r);
	if (!r->bad && !counts_agree(d->y, d->n, d->count, s->nclass, share))
		r->bad = 1;
	d->roww = get_opt(r, d->n, sizeof *d->roww);
	for (i = 0; d->roww && i < d->n && !r->bad; i++)
		if (!(isfinite(d->roww[i]) && d->roww[i] >= 0))
			r->bad = 1;
	nmiss = get_count(r, sizeof *d->miss_col);
	d->miss_off = get_opt(r, d->n + 1, sizeof *d->miss_off);
	if (d->miss_off && !r->bad) {
		if (d->miss_off[0] != 0 || d->miss_off[d->n] != nmiss)
			return r->bad = 1, -1;
		for (i = 0; i < d->n; i++)
			if (d->miss_off[i] > d->miss_off[i + 1])
				return r->bad = 1, -1;
		d->miss_col = xreallocarray(NULL, nmiss ? nmiss : 1, sizeof *d->miss_col);
		get(r, d->miss_col, nmiss * sizeof *d->miss_col);
		for (i = 0; i < nmiss && !r->bad; i++)
			if (d->miss_col[i] >= d->dim)
				r->bad = 1;
	}
	d->line = get_opt(r, d->n, sizeof *d->line);
	d->src = get_opt(r, d->n, sizeof *d->src);
	d->srcname = get_strv(r, &d->nsrc);
	for (i = 0; d->src && i < d->n && !r->bad; i++)
		if (d->src[i] >= d->nsrc)
			r->bad = 1;
	return r->bad ? -1 : 0;
}

/* cache_load, and with REST cache_load_share. */
static int load(const char *path, const char *key, char **rest, struct schema *s,
                struct dataset *d, void (*warn)(const char *msg), struct ferr *e)
{
	struct reader r;
	struct stat st;
	char m[sizeof magic], *k = NULL, **warns = NULL;
	uint32_t version = 0, bom = 0, crc, stored = 0;
	size_t nwarn = 0, i;
	int rc = -1;

	memset(s, 0, sizeof *s);
	memset(d, 0, sizeof *d);
	memset(&r, 0, sizeof r);
	r.path = path;
	r.f = fopen(path, "rb");
	if (!r.f) {
		if (errno == ENOENT)
			return 1;
		return ferr_set(e, "%s: cannot read the cache: %s", path, strerror(errno));
	}
	if (fstat(fileno(r.f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(r.f);
		return ferr_set(e, "%s: --cache needs a regular file", path);
	}
	r.left = (uint64_t)st.st_size;
	r.crc = crc32(0, NULL, 0);
	if (get(&r, m, sizeof m) != 0 || memcmp(m, magic, sizeof m) != 0) {
		ferr_set(e, "%s: not a focal cache file (refusing to use or overwrite it); name "
		         "another --cache file", path);
		goto out;
	}
	get(&r, &version, sizeof version);
	get(&r, &bom, sizeof bom);
	if (r.bad) {
		corrupt(&r, e, "truncated");
		goto out;
	}
	if (version != CACHE_VERSION || bom != BYTE_ORDER_MARK) {
		rc = 1; /* another version's or machine's layout: stale, made again */
		goto out;
	}
	k = get_str(&r);
	crc = (uint32_t)r.crc;
	if (get(&r, &stored, sizeof stored) != 0 || stored != crc) {
		corrupt(&r, e, "its header's checksum does not match");
		goto out;
	}
	if (rest ? strncmp(k, key, strlen(key)) != 0 : strcmp(k, key) != 0) {
		rc = 1; /* other inputs or reading options: stale */
		goto out;
	}
	if (get_payload(&r, s, d, rest != NULL) == 0)
		warns = get_strv(&r, &nwarn);
	crc = (uint32_t)r.crc;
	if (r.bad || fread(&stored, sizeof stored, 1, r.f) != 1 || r.left != sizeof stored) {
		corrupt(&r, e, r.left < sizeof stored ? "truncated" : "truncated, or its contents do not add up");
		goto out;
	}
	if (stored != crc) {
		corrupt(&r, e, "its checksum does not match");
		goto out;
	}
	for (i = 0; warn && i < nwarn; i++)
		warn(warns[i]);
	if (rest)
		*rest = xstrdup(k + strlen(key));
	rc = 0;
out:
	fclose(r.f);
	free(k);
	strv_free(warns, nwarn);
	if (rc != 0) {
		schema_release(s);
		dataset_release(d);
	}
	return rc;
}

int cache_load(const char *path, const char *key, struct schema *s, struct dataset *d,
               void (*warn)(const char *msg), struct ferr *e)
{
	return load(path, key, NULL, s, d, warn, e);
}

int cache_load_share(const char *path, const char *key, char **rest, struct schema *s,
                     struct dataset *d, void (*warn)(const char *msg), struct ferr *e)
{
	*rest = NULL;
	return load(path, key, rest, s, d, warn, e);
}
