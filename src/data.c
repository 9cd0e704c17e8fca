/* data.c: reading training and scoring files into design rows (SPEC "Reading data"). */
#include "data.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "cache.h"
#include "csvread.h"
#include "dist.h"
#include "output.h"
#include "train.h"

static const char *const default_na[] = { "", "NA", "N/A", "?", "NaN", "null" };

/*
 * The largest magnitude of a numeric feature value in a training file.  The raw block
 * holds value - shift as a float, and shift (the column's first value) is within the
 * same bound, so the difference stays below FLT_MAX (3.4e38) instead of becoming inf.
 */
#define FEATURE_MAX 1e38

void readopts_init(struct readopts *o)
{
	memset(o, 0, sizeof *o);
	o->header = 1;
	o->max_categories = 100;
	o->standardize = 1;
	o->threads = 1;
}

static void warnf(void (*warn)(const char *), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warnf(void (*warn)(const char *), const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn(msg);
}

void schema_set_na(struct schema *s, const char *list)
{
	size_t i;

	strv_free(s->na, s->nna);
	if (list) {
		s->na = split_list(list, &s->nna);
	} else {
		s->nna = sizeof default_na / sizeof default_na[0];
		s->na = xcalloc(s->nna, sizeof *s->na);
		for (i = 0; i < s->nna; i++)
			s->na[i] = xstrdup(default_na[i]);
	}
	schema_na_update(s);
}

void schema_na_update(struct schema *s)
{
	size_t i;
	double v;

	s->na_numeric = 0;
	for (i = 0; i < s->nna; i++)
		if (fast_atod(s->na[i], strlen(s->na[i]), &v) == 0)
			s->na_numeric = 1;
}

/* Is field I of ROW missing?  A field that reads as a number is not, unless some
 * missing-value token is itself a number. */
static int field_is_na(const struct schema *s, const struct csvrow *row, size_t i)
{
	if (row->num && !isnan(row->num[i]) && !s->na_numeric)
		return 0;
	return schema_is_na(s, row->f[i], row->len[i]);
}

/* The value of field I of ROW: 0 and *v when it reads as a number, -1 otherwise. */
static int field_number(const struct csvrow *row, size_t i, double *v)
{
	if (row->num) {
		*v = row->num[i];
		return isnan(*v) ? -1 : 0;
	}
	return fast_atod(row->f[i], row->len[i], v);
}

int schema_is_na(const struct schema *s, const char *field, size_t len)
{
	size_t i;

	if (len == 0) /* whatever the tokens */
		return 1;
	for (i = 0; i < s->nna; i++)
		if (eq_nocase(field, len, s->na[i]))
			return 1;
	return 0;
}

long schema_class(const struct schema *s, const char *label)
{
	size_t i;

	for (i = 0; i < s->nclass; i++)
		if (strcmp(s->classes[i], label) == 0)
			return (long)i;
	return -1;
}

void schema_release(struct schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nfeat; i++) {
		free(s->feat[i].name);
		strv_free(s->feat[i].vocab, s->feat[i].nvocab);
	}
	free(s->feat);
	strv_free(s->classes, s->nclass);
	free(s->target);
	strv_free(s->na, s->nna);
	memset(s, 0, sizeof *s);
}

void dataset_release(struct dataset *d)
{
	if (!d)
		return;
	block_free(d->x);
	free(d->y);
	free(d->roww);
	free(d->count);
	free(d->miss_off);
	free(d->miss_col);
	free(d->line);
	free(d->src);
	strv_free(d->srcname, d->nsrc);
	free(d->pos);
	memset(d, 0, sizeof *d);
}

/* Finds column SPEC (a name, else a 1-based index) among NAMES; -1 if absent. */
static long find_column(char *const *names, size_t n, const char *spec)
{
	size_t i;
	long idx;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], spec) == 0)
			return (long)i;
	if (parse_long(spec, 1, (long)n, &idx) == 0)
		return idx - 1;
	return -1;
}

/* ---- training load ---- */

enum role { ROLE_FEATURE, ROLE_TARGET, ROLE_DROP, ROLE_WEIGHT };

/*
 * Distinct spellings of a column that is numeric so far, remembered (up to the category
 * limit) in case a text value later turns it categorical, where `1` and `1.0` are two
 * categories.  While a column is tracked its cells in the raw block hold each value's
 * spelling code (codes in order of appearance), and val[code] the float the cell would
 * hold as a number; untrack puts those back once the column cannot become categorical.
 */
struct numtrack {
	struct strmap code;   /* spelling -> code */
	float *val;           /* code -> value - shift */
	size_t n;
	int overflow;         /* more spellings than the limit: no longer tracked */
};

/*
 * A sum that does not depend on the order of its terms (to the last bit, but for sums
 * within about 1e-32 of a rounding boundary): each addition's rounding error is kept
 * in lo, so a table read in other chunks, or as several files, has the same column
 * statistics as one read whole.
 */
struct xsum {
	double hi, lo;
};

static inline void xsum_add(struct xsum *s, double v)
{
	double t = s->hi + v, bv = t - s->hi;

	s->lo += (s->hi - (t - bv)) + (v - bv);
	s->hi = t;
}

static inline void xsum_merge(struct xsum *s, const struct xsum *a)
{
	xsum_add(s, a->hi);
	s->lo += a->lo;
}

static inline double xsum_value(const struct xsum *s)
{
	return s->hi + s->lo;
}

struct column {
	char *name;
	enum role role;
	size_t fidx;          /* column in the raw block (features only) */
	int categorical;
	int have_shift;
	double shift;         /* first value seen; values are stored as value - shift */
	struct xsum sum, sumsq; /* of value - shift, over non-missing values */
	size_t cnt;
	struct xsum csum, csumsq; /* the same over the current chunk, added at its end */
	size_t ccnt;
	int use_prep;         /* the current chunk's values come prepared (see prepare_chunk) */
	struct numtrack track;
	struct strmap vocab;  /* categorical: value -> code in order of appearance */
	size_t nvocab;
	int forced;           /* categorical by --categorical */
	int unnamed;          /* the header names it by nothing (named by its index instead) */
	int from0, from1;     /* unnamed: every value so far is its row's number from 0, from 1 */
	int lfrom0, lfrom1;   /* the same, counting rows in each file from its start */
	double base;          /* focal-mpi: the first value less its row's number in the share */
	int based;            /* base is set (from0: every value so far is base + the number) */
	int index;            /* found to be an index: left out of the features */
};

struct trainload {
	const char *name;     /* the file being read, for messages */
	size_t file;          /* its number among the inputs, from 0 */
	size_t nfiles;
	const char *first;    /* the first file's name: the one whose header the others match */
	size_t before;        /* data records in the files before this one */
	size_t records;       /* data records so far in this one */
	size_t seen;          /* records of any kind so far in this one */
	uint32_t *src;        /* with keep_lines and several files: each row's file */
	const struct readopts *o;
	struct schema *s;
	struct column *col;
	size_t ncol, nf;
	long target, weight;
	float *x;             /* raw block: n x nf, NaN = missing */
	uint32_t *y;
	double *roww;
	unsigned long *line;  /* with readopts.keep_lines: each row's line */
	size_t n, cap;
	size_t handed;        /* rows handed back (block_done) while reading */
	struct strmap labels; /* label -> id in order of appearance */
	size_t nolabel;
	size_t *unnamed;      /* unnamed feature columns, which may be an index */
	size_t nunnamed;
	/*
	 * Chunks: each numeric column's statistics are summed per chunk, in row order, then
	 * added in chunk order, whether the tokenising thread did it (prepare_chunk) or the
	 * callback did, so the figures do not depend on threads or timing.  Once the first
	 * chunk is done, the shifts are published for prepare_chunk to use.
	 */
	const struct prepared *prep; /* the current chunk's prepared block, or NULL */
	int all_prep;                /* every feature column of the chunk comes prepared */
	size_t chunks;               /* chunks started */
	size_t *fcol;                /* feature index -> input column */
	double *pub_shift;           /* published shifts, by feature index */
	unsigned char *pub_known;    /* 1 when the column had a shift and was numeric */
	atomic_int published;
	/*
	 * focal-mpi.  PART: what of each file this process reads (NULL: everything).  A
	 * probe reads only until every feature column has its first number (or is
	 * categorical), then stops (probe_done).  PRESET: by feature index, the shift each
	 * numeric column takes from the start, where have_preset is 1.
	 */
	const struct filepart *part;
	int probe, probe_done;
	const double *preset;
	const unsigned char *have_preset;
	size_t ntotal;               /* rows on all the processes (after merge_shares) */
};

/* What prepare_chunk makes of a chunk: per feature column, each row's stored value and the
 * chunk's sums, or dirty when some value needs the callback (text, inf or out of range,
 * no shift yet). */
struct prepared {
	size_t nrec, nf;
	float *val;           /* nrec x nf: value - shift, NaN when missing */
	unsigned char *dirty; /* nf */
	unsigned char *nolabel; /* nrec: 1 when the row's label is missing */
	struct xsum *sum, *sumsq; /* nf */
	size_t *cnt;          /* nf */
};

static void track_release(struct numtrack *k)
{
	strmap_release(&k->code);
	free(k->val);
	k->val = NULL;
	k->n = 0;
}

/* Ends the tracking of the columns that are still tracked and numeric (NULL: all such
 * columns; else C alone): their cells in the rows stored so far get their values back. */
static void untrack(struct trainload *t, struct column *only)
{
	size_t i, j, nt = 0;
	struct column **c = xcalloc(t->ncol + 1, sizeof *c);

	for (j = 0; j < t->ncol; j++)
		if (only ? &t->col[j] == only : t->col[j].role == ROLE_FEATURE &&
		    !t->col[j].categorical && !t->col[j].track.overflow)
			c[nt++] = &t->col[j];
	for (i = 0; nt && i < t->n; i++) {
		for (j = 0; j < nt; j++) {
			float *v = &t->x[i * t->nf + c[j]->fidx];

			if (!isnan(*v))
				*v = c[j]->track.val[(size_t)*v];
		}
		block_sweep(t->x, i + 1, t->n, t->nf);
	}
	for (j = 0; j < nt; j++) {
		track_release(&c[j]->track);
		c[j]->track.overflow = 1;
	}
	free(c);
}

/*
 * The code of spelling RAW[0..len) (stored value V) in column C's tracking, given a new
 * code when it is new; -1 when it is one spelling more than the category limit, which
 * ends the tracking (the column can no longer become categorical).
 */
static long track_code(struct trainload *t, struct column *c, float v, const char *raw,
                       size_t len)
{
	struct numtrack *k = &c->track;
	size_t code, cap;

	if (strmap_get(&k->code, raw, len, &code))
		return (long)code;
	if (k->n == t->o->max_categories) {
		untrack(t, c);
		return -1;
	}
	if ((k->n & (k->n - 1)) == 0) { /* 0, 1, 2, 4, ...: room for twice as many */
		cap = k->n ? 2 * k->n : 8;
		k->val = xreallocarray(k->val, cap, sizeof *k->val);
	}
	k->val[k->n] = v;
	strmap_put(&k->code, raw, len, k->n);
	return (long)k->n++;
}

/* Numeric column C becomes categorical: its spellings so far become its vocabulary,
 * with the codes its cells already hold. */
static void to_categorical(struct column *c)
{
	strmap_release(&c->vocab);
	c->vocab = c->track.code;
	c->nvocab = c->track.n;
	strmap_init(&c->track.code);
	track_release(&c->track);
	c->categorical = 1;
	c->have_shift = 0;
}

/*
 * Turns numeric column C into a categorical one (to_categorical), or fails when its
 * spellings are no longer known.
 */
static int make_categorical(struct trainload *t, struct column *c, unsigned long line,
                            const char *value, struct ferr *e)
{
	if (c->track.overflow)
		return ferr_set(e, "%s:%lu: column '%s' mixes numbers and text ('%s') and has more than "
		                "%zu distinct values; drop it with --drop '%s' or raise --max-categories",
		                t->name, line, c->name, value, t->o->max_categories, c->name);
	if (c->cnt + c->ccnt > 0) /* numbers came first: say why the column is not numeric */
		warnf(t->o->warn, "%s:%lu: column '%s' is categorical: '%s' is not a number", t->name,
		      line, c->name, value);
	to_categorical(c);
	return 0;
}

static int set_roles(struct trainload *t, const struct csvrow *row, struct ferr *e)
{
	const struct readopts *o = t->o;
	char **names = xcalloc(row->n, sizeof *names);
	size_t i, j;
	int rc = -1;

	t->ncol = row->n;
	t->col = xcalloc(row->n, sizeof *t->col);
	for (i = 0; i < row->n; i++) {
		char num[32];

		if (o->header && row->len[i] > 0) {
			t->col[i].name = xstrdup(row->f[i]);
		} else {
			snprintf(num, sizeof num, "%zu", i + 1);
			t->col[i].name = xstrdup(num);
			t->col[i].unnamed = o->header;
		}
		names[i] = t->col[i].name;
		strmap_init(&t->col[i].vocab);
		strmap_init(&t->col[i].track.code);
	}
	if (o->header)
		for (i = 0; i < row->n; i++)
			for (j = 0; j < i; j++)
				if (strcmp(names[i], names[j]) == 0) {
					ferr_set(e, "%s:%lu: column name '%s' appears twice", t->name, row->line,
					         names[i]);
					goto out;
				}
	t->target = o->target ? find_column(names, row->n, o->target) : (long)row->n - 1;
	if (t->target < 0) {
		ferr_set(e, "%s:%lu: no column '%s' for the target", t->name, row->line, o->target);
		goto out;
	}
	t->col[t->target].role = ROLE_TARGET;
	t->weight = -1;
	if (o->weight) {
		t->weight = find_column(names, row->n, o->weight);
		if (t->weight < 0) {
			ferr_set(e, "%s:%lu: no column '%s' for --weight", t->name, row->line, o->weight);
			goto out;
		}
		if (t->weight == t->target) {
			ferr_usage(e, "--weight: column '%s' is the target", o->weight);
			goto out;
		}
		t->col[t->weight].role = ROLE_WEIGHT;
	}
	if (o->drop) {
		size_t nd;
		char **d = split_list(o->drop, &nd);

		for (i = 0; i < nd; i++) {
			long c = find_column(names, row->n, d[i]);

			if (c < 0) {
				ferr_set(e, "%s:%lu: no column '%s' to drop", t->name, row->line, d[i]);
				strv_free(d, nd);
				goto out;
			}
			if (t->col[c].role != ROLE_FEATURE && t->col[c].role != ROLE_DROP) {
				ferr_usage(e, "--drop: column '%s' is the target or the weight", d[i]);
				strv_free(d, nd);
				goto out;
			}
			t->col[c].role = ROLE_DROP;
		}
		strv_free(d, nd);
	}
	if (o->categorical) {
		size_t nc;
		char **d = split_list(o->categorical, &nc);

		for (i = 0; i < nc; i++) {
			long c = find_column(names, row->n, d[i]);

			if (c < 0)
				ferr_usage(e, "--categorical: no column '%s'", d[i]);
			else if (t->col[c].role != ROLE_FEATURE)
				ferr_usage(e, "--categorical: column '%s' is the target, the weight or "
				           "dropped", d[i]);
			if (c < 0 || t->col[c].role != ROLE_FEATURE) {
				strv_free(d, nc);
				goto out;
			}
			t->col[c].categorical = t->col[c].forced = 1;
		}
		strv_free(d, nc);
	}
	t->unnamed = xcalloc(row->n, sizeof *t->unnamed);
	for (i = 0; i < row->n; i++) {
		struct column *c = &t->col[i];

		if (c->role != ROLE_FEATURE)
			continue;
		c->fidx = t->nf++;
		if (c->unnamed && !c->forced) {
			c->from0 = c->from1 = c->lfrom0 = c->lfrom1 = 1;
			t->unnamed[t->nunnamed++] = i;
		}
	}
	if (t->nf == 0) {
		ferr_set(e, "%s:%lu: no feature columns left (every column is the target, the weight "
		         "or dropped)", t->name, row->line);
		goto out;
	}
	t->fcol = xcalloc(t->nf + 1, sizeof *t->fcol);
	t->pub_shift = xcalloc(t->nf + 1, sizeof *t->pub_shift);
	t->pub_known = xcalloc(t->nf + 1, sizeof *t->pub_known);
	for (i = 0; i < row->n; i++) {
		struct column *c = &t->col[i];

		if (c->role != ROLE_FEATURE)
			continue;
		t->fcol[c->fidx] = i;
		if (t->preset && t->have_preset[c->fidx] && !c->categorical) {
			c->have_shift = 1;
			c->shift = t->preset[c->fidx];
		}
	}
	rc = 0;
out:
	free(names);
	return rc;
}

static int store_feature(struct trainload *t, struct column *c, float *dst,
                         const struct csvrow *row, size_t i, struct ferr *e)
{
	const char *f = row->f[i];
	size_t len = row->len[i], code;
	unsigned long line = row->line;
	double v;

	if (field_is_na(t->s, row, i)) {
		*dst = NAN;
		return 0;
	}
	if (!c->categorical) {
		if (field_number(row, i, &v) == 0) {
			if (!isfinite(v))
				return ferr_set(e, "%s:%lu: column '%s': '%s' is not a finite number",
				                t->name, line, c->name, f);
			if (fabs(v) > FEATURE_MAX)
				return ferr_set(e, "%s:%lu: column '%s': '%s' is out of range (numeric "
				                "features are held as 32-bit floats, within +-1e38)",
				                t->name, line, c->name, f);
			if (!c->have_shift) {
				c->have_shift = 1;
				c->shift = v;
			}
			v -= c->shift;
			xsum_add(&c->csum, v);
			xsum_add(&c->csumsq, v * v);
			c->ccnt++;
			*dst = (float)v;
			if (!c->track.overflow) {
				long k = track_code(t, c, *dst, f, len);

				if (k >= 0)
					*dst = (float)k;
			}
			return 0;
		}
		if (make_categorical(t, c, line, f, e) != 0)
			return -1;
	}
	if (!strmap_get(&c->vocab, f, len, &code)) {
		if (c->nvocab >= t->o->max_categories)
			return ferr_set(e, "%s:%lu: column '%s' has more than %zu distinct values; drop it "
			                "with --drop '%s' or raise --max-categories", t->name, line,
			                c->name, t->o->max_categories, c->name);
		code = strmap_put(&c->vocab, f, len, c->nvocab++);
	}
	*dst = (float)code;
	return 0;
}

/*
 * On a tokenising thread: the stored values and sums of a chunk's numeric feature
 * columns, computed as the callback would, once the shifts are published.  Reads only
 * what stays fixed while the file streams: the roles, the tokens and the published shifts.
 */
static void *prepare_chunk(void *ctx, const struct csvchunk *c)
{
	struct trainload *t = ctx;
	struct prepared *p;
	size_t r, j, nf;
	char *mem;

	if (!c->num || !atomic_load_explicit(&t->published, memory_order_acquire))
		return NULL;
	nf = t->nf; /* set by the header row, before the shifts are published */
	mem = xmalloc(sizeof *p + c->nrec * nf * sizeof(float) + nf * (2 * sizeof(struct xsum) +
	              sizeof(size_t) + 1) + c->nrec + 16);
	p = (struct prepared *)mem;
	p->nrec = c->nrec;
	p->nf = nf;
	p->sum = (struct xsum *)(p + 1);
	p->sumsq = p->sum + nf;
	p->cnt = (size_t *)(p->sumsq + nf);
	p->val = (float *)(p->cnt + nf);
	p->dirty = (unsigned char *)(p->val + c->nrec * nf);
	p->nolabel = p->dirty + nf;
	for (j = 0; j < nf; j++) {
		p->sum[j] = p->sumsq[j] = (struct xsum){ 0, 0 };
		p->cnt[j] = 0;
		p->dirty[j] = !t->pub_known[j];
	}
	for (r = 0; r < c->nrec; r++) {
		size_t k0 = c->first[r];
		float *val = p->val + r * nf;

		if (c->n[r] != t->ncol) { /* the callback will refuse the row */
			free(mem);
			return NULL;
		}
		p->nolabel[r] = (unsigned char)schema_is_na(t->s, c->f[k0 + t->target],
		                                            c->len[k0 + t->target]);
		if (p->nolabel[r])
			continue; /* skipped by the callback too */
		for (j = 0; j < nf; j++) {
			size_t k = k0 + t->fcol[j];
			double v = c->num[k];

			if ((isnan(v) || t->s->na_numeric) && schema_is_na(t->s, c->f[k], c->len[k])) {
				val[j] = NAN;
				continue;
			}
			if (!(fabs(v) <= FEATURE_MAX)) { /* text, inf or out of range */
				p->dirty[j] = 1;
				continue;
			}
			v -= t->pub_shift[j];
			val[j] = (float)v;
			xsum_add(&p->sum[j], v);
			xsum_add(&p->sumsq[j], v * v);
			p->cnt[j]++;
		}
	}
	return p;
}

/* Adds the sums the callback made of the chunk into the columns', and publishes the
 * shifts after the first chunk. */
static void finish_chunk(struct trainload *t)
{
	size_t i;

	for (i = 0; i < t->ncol; i++) {
		struct column *c = &t->col[i];

		if (c->role != ROLE_FEATURE)
			continue;
		/* nothing for a prepared column: start_chunk added its sums */
		xsum_merge(&c->sum, &c->csum);
		xsum_merge(&c->sumsq, &c->csumsq);
		c->cnt += c->ccnt;
		c->csum = c->csumsq = (struct xsum){ 0, 0 };
		c->ccnt = 0;
		c->use_prep = 0;
	}
	if (t->chunks == 1 && t->nf && !atomic_load_explicit(&t->published, memory_order_relaxed)) {
		for (i = 0; i < t->ncol; i++) {
			struct column *c = &t->col[i];

			if (c->role != ROLE_FEATURE)
				continue;
			t->pub_shift[c->fidx] = c->shift;
			t->pub_known[c->fidx] = c->have_shift && !c->categorical;
		}
		atomic_store_explicit(&t->published, 1, memory_order_release);
	}
}

/*
 * Starts a chunk: the columns whose values all came prepared take them for the whole
 * chunk, and their sums now (the prepared block goes away with the chunk); the others
 * go through store_feature row by row.
 */
static void start_chunk(struct trainload *t, const struct prepared *p)
{
	size_t i;

	t->chunks++;
	t->prep = p;
	t->all_prep = p != NULL;
	for (i = 0; p && i < t->ncol; i++) {
		struct column *c = &t->col[i];

		if (c->role != ROLE_FEATURE)
			continue;
		c->use_prep = !c->categorical && c->have_shift && c->track.overflow &&
		              !p->dirty[c->fidx];
		if (!c->use_prep) {
			t->all_prep = 0;
			continue;
		}
		xsum_merge(&c->sum, &p->sum[c->fidx]);
		xsum_merge(&c->sumsq, &p->sumsq[c->fidx]);
		c->cnt += p->cnt[c->fidx];
	}
}

/*
 * Is field I of ROW (a data row) its row number, from 0 and from 1, counted over the
 * whole table (G) and within its file?  Clears C's flags when not.  SHARED (focal-mpi,
 * G counted in this process's share): is it the share's first value plus G?  Where
 * the share starts in the table, merge_index finds out.
 */
static void check_index(struct column *c, const struct csvrow *row, size_t i, size_t g,
                        int shared)
{
	double v, r = (double)(row->index - 1);

	if (field_number(row, i, &v) != 0) {
		c->from0 = c->from1 = c->lfrom0 = c->lfrom1 = 0;
		return;
	}
	if (shared) {
		if (!c->based) {
			c->base = v - (double)g;
			c->based = 1;
		}
		c->from0 &= v == c->base + (double)g;
		c->from1 = c->from0;
	} else {
		c->from0 &= v == (double)g;
		c->from1 &= v == (double)g + 1;
	}
	c->lfrom0 &= v == r;
	c->lfrom1 &= v == r + 1;
}

/* A later file's header: the same columns as the first file's, in the same order. */
static int check_header(struct trainload *t, const struct csvrow *row, struct ferr *e)
{
	size_t i;

	if (row->n != t->ncol)
		return ferr_set(e, "%s:%lu: %zu columns, but %s has %zu (the files are read as one "
		                "table: the same columns in the same order)", t->name, row->line, row->n,
		                t->first, t->ncol);
	if (!t->o->header)
		return 0;
	for (i = 0; i < row->n; i++) {
		const struct column *c = &t->col[i];
		int same = c->unnamed ? row->len[i] == 0 :
		           row->len[i] == strlen(c->name) && memcmp(row->f[i], c->name, row->len[i]) == 0;

		if (!same)
			return ferr_set(e, "%s:%lu: column %zu is '%s', but in %s it is '%s' (the files "
			                "are read as one table: the same columns in the same order)", t->name,
			                row->line, i + 1, row->f[i], t->first, c->unnamed ? "" : c->name);
	}
	return 0;
}

static int on_train_row(void *ctx, const struct csvrow *row, struct ferr *e)
{
	struct trainload *t = ctx;
	size_t i, id;
	float *dst;

	t->seen++;
	if (row->index == 0 && (t->ncol ? check_header(t, row, e) : set_roles(t, row, e)) != 0)
		return -1;
	if (row->prep_row == 0) {
		if (t->chunks)
			finish_chunk(t);
		start_chunk(t, row->prep);
		/* a block in a file: the rows stored so far go back */
		block_done(t->x, t->handed * t->nf, t->n * t->nf);
		t->handed = t->n;
	}
	if (row->index == 0 && t->o->header)
		return 0;
	if (row->n != t->ncol)
		return ferr_set(e, "%s:%lu: expected %zu fields, found %zu", t->name, row->line, t->ncol,
		                row->n);
	t->records++;
	for (i = 0; i < t->nunnamed; i++) {
		struct column *c = &t->col[t->unnamed[i]];

		if (c->from0 || c->from1 || c->lfrom0 || c->lfrom1)
			check_index(c, row, t->unnamed[i], t->before + t->records - 1, t->o->dist != NULL);
	}
	if (t->prep ? t->prep->nolabel[row->prep_row] :
	              schema_is_na(t->s, row->f[t->target], row->len[t->target])) {
		t->nolabel++;
		return 0;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->x = block_realloc(t->x, t->cap * (t->nf ? t->nf : 1));
		t->y = xreallocarray(t->y, t->cap, sizeof *t->y);
		if (t->weight >= 0)
			t->roww = xreallocarray(t->roww, t->cap, sizeof *t->roww);
		if (t->o->keep_lines)
			t->line = xreallocarray(t->line, t->cap, sizeof *t->line);
		if (t->o->keep_lines && t->nfiles > 1)
			t->src = xreallocarray(t->src, t->cap, sizeof *t->src);
	}
	if (t->o->keep_lines)
		t->line[t->n] = row->line;
	if (t->src)
		t->src[t->n] = (uint32_t)t->file;
	if (t->weight >= 0) {
		double w;

		if (field_number(row, (size_t)t->weight, &w) != 0 || !isfinite(w) || w < 0)
			return ferr_set(e, "%s:%lu: column '%s': weight '%s' is not a non-negative number",
			                t->name, row->line, t->col[t->weight].name, row->f[t->weight]);
		t->roww[t->n] = w;
	}
	dst = t->x + t->n * t->nf;
	if (t->all_prep)
		memcpy(dst, t->prep->val + row->prep_row * t->nf, t->nf * sizeof *dst);
	for (i = 0; !t->all_prep && i < t->ncol; i++) {
		struct column *c = &t->col[i];

		if (c->role != ROLE_FEATURE)
			continue;
		if (c->use_prep) {
			dst[c->fidx] = t->prep->val[row->prep_row * t->nf + c->fidx];
			continue;
		}
		if (store_feature(t, c, dst + c->fidx, row, i, e) != 0)
			return -1;
	}
	id = strmap_put(&t->labels, row->f[t->target], row->len[t->target], t->labels.len);
	t->y[t->n++] = (uint32_t)id;
	if (t->probe) {
		for (i = 0; i < t->ncol; i++)
			if (t->col[i].role == ROLE_FEATURE && !t->col[i].have_shift &&
			    !t->col[i].categorical)
				return 0;
		t->probe_done = 1;
		return -1; /* every column's first number is known */
	}
	return 0;
}

struct labelsort {
	char *label;
	double value;
};

static int cmp_label_num(const void *a, const void *b)
{
	const struct labelsort *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(x->label, y->label);
}

void sort_labels(char **labels, size_t n)
{
	struct labelsort *ls;
	size_t i;

	for (i = 0; i < n; i++) {
		double v;

		if (fast_atod(labels[i], strlen(labels[i]), &v) != 0 || !isfinite(v))
			break;
	}
	if (i < n) {
		qsort(labels, n, sizeof *labels, cmp_bytes);
		return;
	}
	ls = xcalloc(n + 1, sizeof *ls);
	for (i = 0; i < n; i++) {
		ls[i].label = labels[i];
		fast_atod(labels[i], strlen(labels[i]), &ls[i].value);
	}
	qsort(ls, n, sizeof *ls, cmp_label_num);
	for (i = 0; i < n; i++)
		labels[i] = ls[i].label;
	free(ls);
}

/* Orders the classes and re-codes y. */
static void order_classes(struct trainload *t, struct dataset *d)
{
	size_t *newid = xcalloc(t->labels.len, sizeof *newid);
	size_t i, k = 0;

	t->s->classes = xcalloc(t->labels.len, sizeof *t->s->classes);
	for (i = 0; i < t->labels.cap; i++)
		if (t->labels.keys[i])
			t->s->classes[k++] = xstrdup(t->labels.keys[i]);
	sort_labels(t->s->classes, k);
	t->s->nclass = k;
	d->count = xcalloc(k, sizeof *d->count);
	for (i = 0; i < k; i++) {
		size_t id = 0;

		strmap_get(&t->labels, t->s->classes[i], strlen(t->s->classes[i]), &id);
		newid[id] = i;
	}
	for (i = 0; i < t->n; i++) {
		t->y[i] = (uint32_t)newid[t->y[i]];
		d->count[t->y[i]]++;
	}
	free(newid);
}

/* Sorts column C's vocabulary into F and returns old code -> new code. */
static uint32_t *order_vocab(struct column *c, struct feature *f)
{
	uint32_t *newcode = xcalloc(c->nvocab + 1, sizeof *newcode);
	size_t i, k = 0;

	f->nvocab = c->nvocab;
	f->vocab = xcalloc(c->nvocab + 1, sizeof *f->vocab);
	for (i = 0; i < c->vocab.cap; i++)
		if (c->vocab.keys[i])
			f->vocab[k++] = xstrdup(c->vocab.keys[i]);
	qsort(f->vocab, k, sizeof *f->vocab, cmp_bytes);
	for (i = 0; i < k; i++) {
		size_t old = 0;

		strmap_get(&c->vocab, f->vocab[i], strlen(f->vocab[i]), &old);
		newcode[old] = (uint32_t)i;
	}
	return newcode;
}

/* Lists the missing numeric values of the raw block (before build_design) into D; FOF
 * gives each raw column's feature (NULL: left out). */
static void list_missing(const struct trainload *t, struct feature *const *fof,
                         struct dataset *d)
{
	size_t i, j, m = 0, cap = 0;

	d->miss_off = xcalloc(t->n + 1, sizeof *d->miss_off);
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->nf; j++)
			if (isnan(t->x[i * t->nf + j]) && fof[j] && !fof[j]->categorical) {
				if (m == cap) {
					cap = cap ? 2 * cap : 64;
					d->miss_col = xreallocarray(d->miss_col, cap, sizeof *d->miss_col);
				}
				d->miss_col[m++] = (uint32_t)fof[j]->offset;
			}
		d->miss_off[i + 1] = m;
		block_sweep(t->x, i + 1, t->n, t->nf);
	}
	if (m == 0) {
		free(d->miss_off);
		d->miss_off = NULL;
	}
}

/* Builds the schema's features and turns the raw block into design rows, in place; an
 * index column is left out. */
static void build_design(struct trainload *t, struct dataset *d)
{
	struct schema *s = t->s;
	uint32_t **newcode = xcalloc(t->nf + 1, sizeof *newcode);
	double *off = xcalloc(t->nf + 1, sizeof *off), *fill = xcalloc(t->nf + 1, sizeof *fill);
	float *tmp = xcalloc(t->nf + 1, sizeof *tmp);
	struct feature **fof = xcalloc(t->nf + 1, sizeof *fof); /* raw column -> feature */
	size_t i, j, r, dim = 0;

	s->feat = xcalloc(t->nf + 1, sizeof *s->feat);
	for (i = 0; i < t->ncol; i++) {
		struct column *c = &t->col[i];
		struct feature *f;

		if (c->role != ROLE_FEATURE || c->index)
			continue;
		f = fof[c->fidx] = &s->feat[s->nfeat++];
		f->name = xstrdup(c->name);
		f->offset = dim;
		f->categorical = c->categorical;
		if (c->categorical) {
			newcode[c->fidx] = order_vocab(c, f);
			dim += f->nvocab;
			continue;
		}
		{
			double mean = c->cnt ? xsum_value(&c->sum) / (double)c->cnt : 0;
			double var = c->cnt ? xsum_value(&c->sumsq) / (double)c->cnt - mean * mean : 0;
			double sd = var > 0 ? sqrt(var) : 0;

			f->impute = c->shift + mean;
			f->center = t->o->standardize ? f->impute : 0;
			f->scale = t->o->standardize && sd > 0 ? sd : 1;
			/* stored value v - shift becomes (v - center) / scale */
			off[c->fidx] = f->center - c->shift;
			fill[c->fidx] = (f->impute - f->center) / f->scale;
		}
		dim++;
	}
	s->dim = dim;
	if (t->o->keep_missing)
		list_missing(t, fof, d);
	if (dim > t->nf)
		t->x = block_realloc(t->x, (t->n ? t->n : 1) * dim);
	for (r = 0; r < t->n; r++) {
		/* Rows that grow are rewritten from the last, rows that shrink from the first. */
		float *dst;

		i = dim >= t->nf ? t->n - 1 - r : r;
		dst = t->x + i * dim;
		memcpy(tmp, t->x + i * t->nf, t->nf * sizeof *tmp);
		for (j = 0; j < t->nf; j++) {
			struct feature *f = fof[j];
			float v = tmp[j];

			if (!f)
				continue;
			if (f->categorical) {
				float *blk = dst + f->offset;
				size_t k;

				for (k = 0; k < f->nvocab; k++)
					blk[k] = 0;
				if (!isnan(v))
					blk[newcode[j][(size_t)v]] = 1;
			} else {
				dst[f->offset] = isnan(v) ? (float)fill[j] :
				                 (float)(((double)v - off[j]) / f->scale);
			}
		}
		if ((r + 1) % BLOCK_SWEEP_ROWS == 0) /* a block in a file: the rows done go back */
			block_done(t->x, (dim >= t->nf ? i : i + 1 - BLOCK_SWEEP_ROWS) * dim,
			           (dim >= t->nf ? i + BLOCK_SWEEP_ROWS : i + 1) * dim);
	}
	block_done(t->x, 0, t->n * dim);
	d->n = t->n;
	d->dim = dim;
	d->x = t->x;
	d->y = t->y;
	d->roww = t->roww;
	d->line = t->line;
	d->src = t->src;
	t->line = NULL;
	t->src = NULL;
	t->x = NULL;
	t->y = NULL;
	t->roww = NULL;
	for (i = 0; i < t->nf; i++)
		free(newcode[i]);
	free(newcode);
	free(off);
	free(fill);
	free(tmp);
	free(fof);
}

static void trainload_release(struct trainload *t)
{
	size_t i;

	for (i = 0; i < t->ncol; i++) {
		free(t->col[i].name);
		track_release(&t->col[i].track);
		strmap_release(&t->col[i].vocab);
	}
	free(t->col);
	free(t->unnamed);
	free(t->fcol);
	free(t->pub_shift);
	free(t->pub_known);
	block_free(t->x);
	free(t->y);
	free(t->roww);
	free(t->line);
	free(t->src);
	strmap_release(&t->labels);
}

/* Leaves out the unnamed columns that hold the row numbers, with a warning each; an error
 * when no feature is left. */
static int left_out_index(struct trainload *t, struct ferr *e)
{
	size_t i, left = t->nf;

	for (i = 0; i < t->nunnamed; i++) {
		struct column *c = &t->col[t->unnamed[i]];

		if (!c->from0 && !c->from1 && !c->lfrom0 && !c->lfrom1)
			continue;
		c->index = 1;
		left--;
		warnf(t->o->warn, "%s: column %zu has no name and holds the row numbers (from %d%s): "
		      "left out as an index", t->name, t->unnamed[i] + 1,
		      c->from0 || c->lfrom0 ? 0 : 1,
		      t->nfiles > 1 && !c->from0 && !c->from1 ? " in each file" : "");
	}
	if (left == 0)
		return ferr_set(e, "%s: no feature columns left (column %s is an index)", t->name,
		                t->col[t->unnamed[0]].name);
	return 0;
}

/* ---- focal-mpi: merging what the processes read ---- */

/* A message of bytes to gather. */
struct msgbuf {
	unsigned char *p;
	size_t len, cap;
};

static void msg_put(struct msgbuf *m, const void *v, size_t n)
{
	if (m->len + n > m->cap) {
		m->cap = 2 * (m->len + n) + 256;
		m->p = xrealloc(m->p, m->cap);
	}
	memcpy(m->p + m->len, v, n);
	m->len += n;
}

static void msg_size(struct msgbuf *m, size_t v)
{
	uint64_t u = v;

	msg_put(m, &u, sizeof u);
}

static void msg_double(struct msgbuf *m, double v)
{
	msg_put(m, &v, sizeof v);
}

/* The keys of map M in the order of their values 0..n-1 (borrowed). */
static const char **keys_in_order(const struct strmap *m, size_t n, size_t **len)
{
	const char **k = xcalloc(n + 1, sizeof *k);
	size_t i;

	*len = xcalloc(n + 1, sizeof **len);
	for (i = 0; i < m->cap; i++)
		if (m->keys[i] && m->vals[i] < n) {
			k[m->vals[i]] = m->keys[i];
			(*len)[m->vals[i]] = m->klen[i];
		}
	return k;
}

static void msg_strings(struct msgbuf *m, const struct strmap *map, size_t n)
{
	size_t *len, i;
	const char **k = keys_in_order(map, n, &len);

	msg_size(m, n);
	for (i = 0; i < n; i++) {
		msg_size(m, len[i]);
		msg_put(m, k[i], len[i]);
	}
	free(k);
	free(len);
}

/* Reading a gathered message back, in the order it was written. */
struct msgread {
	const unsigned char *p;
};

static size_t msg_get_size(struct msgread *r)
{
	uint64_t u;

	memcpy(&u, r->p, sizeof u);
	r->p += sizeof u;
	return (size_t)u;
}

static double msg_get_double(struct msgread *r)
{
	double v;

	memcpy(&v, r->p, sizeof v);
	r->p += sizeof v;
	return v;
}

/* The next string: its bytes (not terminated) and *LEN. */
static const char *msg_get_string(struct msgread *r, size_t *len)
{
	const char *s;

	*len = msg_get_size(r);
	s = (const char *)r->p;
	r->p += *len;
	return s;
}

/* What one process read of feature column J, as its message says. */
struct colshare {
	int categorical, overflow;
	size_t cnt;
	struct xsum sum, sumsq;
	size_t nspell;
	struct msgread spell; /* where its spellings begin */
};

static void read_colshare(struct msgread *r, struct colshare *c)
{
	size_t k, len;

	c->categorical = (int)msg_get_size(r);
	c->overflow = (int)msg_get_size(r);
	c->cnt = msg_get_size(r);
	c->sum.hi = msg_get_double(r);
	c->sum.lo = msg_get_double(r);
	c->sumsq.hi = msg_get_double(r);
	c->sumsq.lo = msg_get_double(r);
	c->nspell = msg_get_size(r);
	c->spell = *r;
	for (k = 0; k < c->nspell; k++)
		msg_get_string(r, &len);
}

/*
 * focal-mpi: whether each unnamed column holds the row numbers, as one process reading
 * the whole table finds it.  Of the whole table: on every process with rows, its share's
 * values are its first value plus the row's number in the share, and that first value
 * is the number of rows of the processes before it (from 0), or one more (from 1).  Of
 * each file: every process's flags, a file being read whole by one process; a single
 * file cut into ranges is the table.
 */
static void merge_index(struct trainload *t)
{
	const struct dist *dist = t->o->dist;
	size_t nu = t->nunnamed, per = 1 + 5 * nu, i, *lens = xcalloc((size_t)dist->size, sizeof *lens);
	double *mine = xcalloc(per, sizeof *mine), *all, off;
	int r;

	mine[0] = (double)(t->before + t->records);
	for (i = 0; i < nu; i++) {
		const struct column *c = &t->col[t->unnamed[i]];
		double *v = mine + 1 + 5 * i;

		v[0] = c->from0;
		v[1] = c->lfrom0;
		v[2] = c->lfrom1;
		v[3] = c->based;
		v[4] = c->based ? c->base : 0;
	}
	all = dist_gather(dist, mine, per * sizeof *mine, lens);
	for (i = 0; i < nu; i++) {
		struct column *c = &t->col[t->unnamed[i]];
		int f0 = 1, f1 = 1, l0 = 1, l1 = 1;

		for (r = 0, off = 0; r < dist->size; r++) {
			const double *v = all + (size_t)r * per, *w = v + 1 + 5 * i;

			if (v[0] > 0) {
				f0 &= w[0] != 0 && w[3] != 0 && w[4] == off;
				f1 &= w[0] != 0 && w[3] != 0 && w[4] == off + 1;
				l0 &= w[1] != 0;
				l1 &= w[2] != 0;
			}
			off += v[0];
		}
		c->from0 = f0;
		c->from1 = f1;
		c->lfrom0 = t->nfiles > 1 ? l0 : f0;
		c->lfrom1 = t->nfiles > 1 ? l1 : f1;
	}
	free(all);
	free(mine);
	free(lens);
}

/*
 * After every process has read its share: the labels, the rows without one, the rows,
 * and each feature column's type, vocabulary and sums become those of the whole table,
 * on every process alike (they all see the same messages, taken in rank order); the
 * class ids in t->y and the codes of categorical cells are renumbered to match.
 */
static int merge_shares(struct trainload *t, struct ferr *e)
{
	const struct dist *dist = t->o->dist;
	struct msgbuf m = { NULL, 0, 0 };
	struct msgread *rd;
	struct strmap labels;
	size_t *lens = xcalloc((size_t)dist->size, sizeof *lens), i, j, k, len, *idmap = NULL;
	size_t nolabel = 0, ntotal = 0, nfix = 0;
	uint32_t **newcode = xcalloc(t->nf + 1, sizeof *newcode);
	size_t *fix = xcalloc(t->nf + 1, sizeof *fix);
	struct colshare *cs = xcalloc((size_t)dist->size + 1, sizeof *cs);
	unsigned char *all;
	int r, rc = -1;

	if (t->nunnamed > 0)
		merge_index(t);
	msg_size(&m, t->n);
	msg_size(&m, t->nolabel);
	msg_strings(&m, &t->labels, t->labels.len);
	for (i = 0; i < t->ncol; i++) {
		const struct column *c = &t->col[i];

		if (c->role != ROLE_FEATURE)
			continue;
		msg_size(&m, (size_t)c->categorical);
		msg_size(&m, (size_t)(!c->categorical && c->track.overflow));
		msg_size(&m, c->cnt);
		msg_double(&m, c->sum.hi);
		msg_double(&m, c->sum.lo);
		msg_double(&m, c->sumsq.hi);
		msg_double(&m, c->sumsq.lo);
		if (c->categorical)
			msg_strings(&m, &c->vocab, c->nvocab);
		else if (!c->track.overflow)
			msg_strings(&m, &c->track.code, c->track.n);
		else
			msg_size(&m, 0);
	}
	all = dist_gather(dist, m.p, m.len, lens);
	rd = xcalloc((size_t)dist->size, sizeof *rd);
	for (r = 0, len = 0; r < dist->size; r++) {
		rd[r].p = all + len;
		len += lens[r];
	}
	/* rows and labels: the labels in order of appearance over the table */
	strmap_init(&labels);
	for (r = 0; r < dist->size; r++) {
		size_t nl;

		ntotal += msg_get_size(&rd[r]);
		nolabel += msg_get_size(&rd[r]);
		nl = msg_get_size(&rd[r]);
		if (r == dist->rank)
			idmap = xcalloc(nl + 1, sizeof *idmap);
		for (k = 0; k < nl; k++) {
			const char *v = msg_get_string(&rd[r], &len);
			size_t id = strmap_put(&labels, v, len, labels.len);

			if (r == dist->rank)
				idmap[k] = id;
		}
	}
	for (i = 0; i < t->n; i++)
		t->y[i] = (uint32_t)idmap[t->y[i]];
	strmap_release(&t->labels);
	t->labels = labels;
	t->nolabel = nolabel;
	t->ntotal = ntotal;
	/* the columns */
	for (i = 0; i < t->ncol; i++) {
		struct column *c = &t->col[i];
		struct strmap vocab;
		int categorical = 0, overflow = 0;

		if (c->role != ROLE_FEATURE)
			continue;
		for (r = 0; r < dist->size; r++) {
			read_colshare(&rd[r], &cs[r]);
			categorical |= cs[r].categorical;
			overflow |= cs[r].overflow;
		}
		if (!categorical) {
			/* the sums in rank order, as the chunks of one reading are added */
			c->sum = c->sumsq = (struct xsum){ 0, 0 };
			c->cnt = 0;
			for (r = 0; r < dist->size; r++) {
				xsum_merge(&c->sum, &cs[r].sum);
				xsum_merge(&c->sumsq, &cs[r].sumsq);
				c->cnt += cs[r].cnt;
			}
			continue;
		}
		if (overflow) {
			ferr_set(e, "%s: column '%s' mixes numbers and text and has more than %zu distinct "
			         "values; drop it with --drop '%s' or raise --max-categories", t->name,
			         c->name, t->o->max_categories, c->name);
			goto out;
		}
		/* the vocabulary: every process's values, in order of appearance */
		strmap_init(&vocab);
		for (r = 0; r < dist->size; r++) {
			struct msgread sp = cs[r].spell;

			for (k = 0; k < cs[r].nspell; k++) {
				const char *v = msg_get_string(&sp, &len);

				strmap_put(&vocab, v, len, vocab.len);
			}
		}
		if (vocab.len > t->o->max_categories) {
			strmap_release(&vocab);
			ferr_set(e, "%s: column '%s' has more than %zu distinct values; drop it with "
			         "--drop '%s' or raise --max-categories", t->name, c->name,
			         t->o->max_categories, c->name);
			goto out;
		}
		if (!c->categorical)
			to_categorical(c); /* text on another process: its spellings are its codes */
		newcode[c->fidx] = xcalloc(c->nvocab + 1, sizeof **newcode);
		for (k = 0; k < c->vocab.cap; k++)
			if (c->vocab.keys[k]) {
				size_t code = 0;

				strmap_get(&vocab, c->vocab.keys[k], c->vocab.klen[k], &code);
				newcode[c->fidx][c->vocab.vals[k]] = (uint32_t)code;
			}
		fix[nfix++] = c->fidx;
		strmap_release(&c->vocab);
		c->vocab = vocab;
		c->nvocab = vocab.len;
	}
	for (i = 0; nfix && i < t->n; i++) {
		for (j = 0; j < nfix; j++) {
			float *v = &t->x[i * t->nf + fix[j]];

			if (!isnan(*v))
				*v = (float)newcode[fix[j]][(size_t)*v];
		}
		block_sweep(t->x, i + 1, t->n, t->nf);
	}
	rc = 0;
out:
	for (j = 0; j < t->nf; j++)
		free(newcode[j]);
	free(newcode);
	free(fix);
	free(cs);
	free(rd);
	free(all);
	free(idmap);
	free(m.p);
	free(lens);
	return rc;
}

/* Reads the files (the parts of them in t->part) into T. */
static int read_files(struct trainload *t, const char *const *paths, size_t npaths,
                      struct ferr *e)
{
	const struct readopts *o = t->o;
	struct csvopts co;

	memset(&co, 0, sizeof co);
	co.delim = o->delim;
	co.threads = o->threads;
	co.numbers = 1;
	co.prepare = prepare_chunk;
	co.prepare_ctx = t;
	for (t->file = 0; t->file < npaths; t->file++) {
		const struct filepart *p = t->part ? &t->part[t->file] : NULL;

		if (p && p->kind == PART_NONE)
			continue;
		co.ranged = p && p->kind == PART_RANGE;
		co.begin = p ? p->begin : 0;
		co.end = p ? p->end : 0;
		co.begin_line = p ? p->begin_line : 0;
		t->name = csv_display_name(paths[t->file]);
		t->before += t->records;
		t->records = t->seen = 0;
		if (csv_stream_ex(paths[t->file], &co, on_train_row, t, e) != 0) {
			if (t->probe_done)
				return 0;
			return -1;
		}
		if (t->chunks)
			finish_chunk(t);
		if (npaths > 1 && t->seen == 0)
			warnf(o->warn, "%s: empty file", t->name);
	}
	return 0;
}

/* The first number of each feature column (by feature index) where HAVE is 1. */
struct presets {
	double *shift;
	unsigned char *have;
	size_t n;
};

/*
 * Reads the table into S and D.  With PART, only those parts of the files (and, with
 * o->dist, the processes then merge what they read); with PROBE, only until the first
 * number of each column, which go into PRE (allocated here), S and D left empty.
 * Otherwise PRE (or NULL) gives the numeric columns' shifts.
 */
static int read_table_part(const char *const *paths, size_t npaths, const struct readopts *o,
                           const struct filepart *part, int probe, struct presets *pre,
                           struct schema *s, struct dataset *d, struct ferr *e)
{
	struct trainload t;
	char name[512];
	size_t i;
	int rc = -1, ok;

	memset(&t, 0, sizeof t);
	atomic_init(&t.published, 0);
	if (!probe && pre) {
		t.preset = pre->shift;
		t.have_preset = pre->have;
	}
	memset(s, 0, sizeof *s);
	memset(d, 0, sizeof *d);
	t.o = o;
	t.s = s;
	t.nfiles = npaths;
	t.first = csv_display_name(paths[0]);
	strmap_init(&t.labels);
	schema_set_na(s, o->na);
	t.part = part;
	t.probe = probe;
	ok = read_files(&t, paths, npaths, e) == 0;
	if (o->dist && !probe) {
		/* every process has read its share: all go on, or all stop */
		if (!ok)
			e->local = 1;
		if (!dist_all_ok(o->dist, ok)) {
			if (ok)
				dist_elsewhere(e);
			goto out;
		}
	} else if (!ok) {
		goto out;
	}
	if (probe) {
		pre->n = t.nf;
		pre->shift = xcalloc(t.nf + 1, sizeof *pre->shift);
		pre->have = xcalloc(t.nf + 1, sizeof *pre->have);
		for (i = 0; i < t.ncol; i++) {
			const struct column *c = &t.col[i];

			if (c->role != ROLE_FEATURE)
				continue;
			pre->have[c->fidx] = c->have_shift && !c->categorical;
			pre->shift[c->fidx] = c->shift;
		}
		rc = 0;
		goto out;
	}
	/* messages about the whole table name its first file (and how many follow) */
	if (npaths > 1)
		snprintf(name, sizeof name, "%s (and %zu more file%s)", t.first, npaths - 1,
		         npaths > 2 ? "s" : "");
	else
		snprintf(name, sizeof name, "%s", t.first);
	t.name = name;
	if (o->dist && !dist_all_ok(o->dist, t.ncol != 0)) { /* every rank has a header */
		if (t.ncol != 0) {
			dist_elsewhere(e);
			goto out;
		}
	}
	if (t.ncol == 0) {
		ferr_set(e, "%s: empty file%s", t.name, npaths > 1 ? "s" : "");
		e->local = o->dist != NULL;
		goto out;
	}
	t.ntotal = t.n;
	if (o->dist && merge_shares(&t, e) != 0)
		goto out;
	untrack(&t, NULL);
	warn_skipped_rows(o->warn, t.name, t.nolabel, "label");
	if (t.ntotal == 0) {
		ferr_set(e, "%s: no data rows%s", t.name, t.nolabel ? " with a label" : "");
		goto out;
	}
	if (left_out_index(&t, e) != 0)
		goto out;
	s->target = xstrdup(t.col[t.target].name);
	order_classes(&t, d);
	if (o->dist) { /* the classes' rows on all the processes */
		double *cnt = xcalloc(s->nclass + 1, sizeof *cnt);

		for (i = 0; i < s->nclass; i++)
			cnt[i] = (double)d->count[i];
		dist_sum(o->dist, cnt, s->nclass);
		for (i = 0; i < s->nclass; i++)
			d->count[i] = (size_t)cnt[i];
		free(cnt);
	}
	if (s->nclass < 2) {
		ferr_set(e, "%s: column '%s' has a single class ('%s'); need at least two", t.name,
		         s->target, s->classes[0]);
		goto out;
	}
	build_design(&t, d);
	/* (focal-mpi: on every process, for the rows dist_align_rows brings it) */
	if (o->keep_lines && npaths > 1) {
		d->nsrc = npaths;
		d->srcname = xcalloc(npaths, sizeof *d->srcname);
		for (i = 0; i < npaths; i++)
			d->srcname[i] = xstrdup(csv_display_name(paths[i]));
	}
	rc = 0;
out:
	trainload_release(&t);
	if (rc != 0 || probe) {
		schema_release(s);
		dataset_release(d);
	}
	return rc;
}

/*
 * focal-mpi's reading: the share of each process, a first look at it for the first
 * numbers, then the share with the table's first numbers as shifts, and the merge.
 */
static int read_shared(const char *const *paths, size_t npaths, const struct readopts *o,
                       struct schema *s, struct dataset *d, struct ferr *e)
{
	const struct dist *dist = o->dist;
	struct filepart *part = xcalloc(npaths, sizeof *part);
	struct readopts po = *o;
	struct presets mine = { NULL, NULL, 0 }, table = { NULL, NULL, 0 };
	size_t *lens = xcalloc((size_t)dist->size, sizeof *lens), j, len;
	unsigned char *buf = NULL, *all = NULL;
	int r, rc = -1, ok;

	memset(s, 0, sizeof *s);
	memset(d, 0, sizeof *d);
	if (dist_share(dist, paths, npaths, part, e) != 0)
		goto out;
	po.warn = NULL; /* the reading proper gives them */
	po.threads = 1;
	po.keep_lines = po.keep_missing = 0;
	ok = read_table_part(paths, npaths, &po, part, 1, &mine, s, d, e) == 0;
	if (!ok)
		e->local = 1;
	if (!dist_all_ok(dist, ok)) {
		if (ok)
			dist_elsewhere(e);
		goto out;
	}
	/* each column's first number: that of the first process that has one (every
	 * process has read the same header, so the same columns) */
	len = mine.n * (sizeof(double) + 1);
	buf = xmalloc(len + 1);
	for (j = 0; j < mine.n; j++) {
		memcpy(buf + j * sizeof(double), &mine.shift[j], sizeof(double));
		buf[mine.n * sizeof(double) + j] = mine.have[j];
	}
	all = dist_gather(dist, buf, len, lens);
	table.n = mine.n;
	table.shift = xcalloc(mine.n + 1, sizeof *table.shift);
	table.have = xcalloc(mine.n + 1, sizeof *table.have);
	for (r = dist->size - 1; r >= 0; r--) {
		const unsigned char *p = all;
		int q;

		for (q = 0; q < r; q++)
			p += lens[q];
		if (lens[r] != len)
			continue; /* cannot be: the same header */
		for (j = 0; j < mine.n; j++)
			if (p[mine.n * sizeof(double) + j]) {
				memcpy(&table.shift[j], p + j * sizeof(double), sizeof(double));
				table.have[j] = 1;
			}
	}
	rc = read_table_part(paths, npaths, o, part, 0, &table, s, d, e);
out:
	free(part);
	free(mine.shift);
	free(mine.have);
	free(table.shift);
	free(table.have);
	free(buf);
	free(all);
	free(lens);
	return rc;
}

static int read_table(const char *const *paths, size_t npaths, const struct readopts *o,
                      struct schema *s, struct dataset *d, struct ferr *e)
{
	return read_table_part(paths, npaths, o, NULL, 0, NULL, s, d, e);
}

/* The warnings of a reading that goes into a cache, kept to be given again by the
 * runs that read the cache instead; the reading's own go on to RELAY. */
static struct {
	pthread_mutex_t lock;
	char **msg;
	size_t n;
	void (*relay)(const char *msg);
} kept = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL };

static void keep_warning(const char *msg)
{
	pthread_mutex_lock(&kept.lock);
	kept.msg = xreallocarray(kept.msg, kept.n + 1, sizeof *kept.msg);
	kept.msg[kept.n++] = xstrdup(msg);
	pthread_mutex_unlock(&kept.lock);
	if (kept.relay)
		kept.relay(msg);
}

/* What a cache holds and the caller did not ask for goes. */
static void trim_to(const struct readopts *o, struct dataset *d)
{
	if (!o->keep_missing) {
		free(d->miss_off);
		free(d->miss_col);
		d->miss_off = NULL;
		d->miss_col = NULL;
	}
	if (!o->keep_lines) {
		free(d->line);
		free(d->src);
		strv_free(d->srcname, d->nsrc);
		d->line = NULL;
		d->src = NULL;
		d->srcname = NULL;
		d->nsrc = 0;
	}
}

/* Forgets the warnings keep_warning kept. */
static void kept_release(void)
{
	strv_free(kept.msg, kept.n);
	kept.msg = NULL;
	kept.n = 0;
	kept.relay = NULL;
}

/* focal-mpi's reading without a cache: the shares read and merged, then the rows moved
 * into the blocks one process would sum them in (dist_align_rows). */
static int read_aligned(const char *const *paths, size_t npaths, const struct readopts *o,
                        struct schema *s, struct dataset *d, struct ferr *e)
{
	if (read_shared(paths, npaths, o, s, d, e) != 0)
		return -1;
	dist_align_rows(o->dist, d, TRAIN_BLOCK_ROWS);
	return 0;
}

/* The line of a share's key after the run's: its rows [FIRST, FIRST + N) of TOTAL. */
static char *share_line(size_t first, size_t n, size_t total)
{
	char buf[128];

	snprintf(buf, sizeof buf, "rows %zu %zu of %zu\n", first, n, total);
	return xstrdup(buf);
}

/* D's rows per class, on this process alone (into COUNT, NCLASS entries). */
static void local_counts(const struct dataset *d, size_t nclass, size_t *count)
{
	size_t i;

	memset(count, 0, nclass * sizeof *count);
	for (i = 0; i < d->n; i++)
		count[d->y[i]]++;
}

/*
 * focal-mpi --cache: each process keeps its share of the table, as it is after the merge
 * and dist_align_rows (the rows it fits on), in FILE.RANK-of-SIZE, its key that of one
 * process's cache followed by the number of processes, the rank, and the rows of the
 * table the share holds.  When every process has a cache of the run's key and the
 * shares tile the table, every one reads its own and none reads the CSV; when any is
 * missing or stale, every one reads its share of the CSV again and writes its cache; a
 * damaged one fails every process (its message from the process that met it).
 */
static int load_shared_cached(const char *const *paths, size_t npaths, const struct readopts *o,
                              struct schema *s, struct dataset *d, struct ferr *e)
{
	const struct dist *dist = o->dist;
	struct readopts ro;
	char *key, *full = NULL, *rest = NULL, *name, *line;
	size_t len = strlen(o->cache) + 64, first = 0, total = 0, n = 0, i, *count;
	int rc, ok;

	memset(s, 0, sizeof *s);
	memset(d, 0, sizeof *d);
	name = xmalloc(len);
	snprintf(name, len, "%s.%d-of-%d", o->cache, dist->rank, dist->size);
	key = cache_key(paths, npaths, o, e);
	if (!dist_all_ok(dist, key != NULL)) {
		/* an input some process cannot look at: its message, or rank 0's when every
		 * process failed (the same input, or standard input) */
		int everywhere = dist_all_ok(dist, key == NULL);

		if (key)
			dist_elsewhere(e);
		else
			e->local = !everywhere;
		rc = -1;
		goto out;
	}
	len = strlen(key) + 64;
	full = xmalloc(len);
	snprintf(full, len, "%sprocesses %d\nrank %d\n", key, dist->size, dist->rank);
	/* the warnings the reading gave are given once every process has its cache */
	kept.relay = NULL;
	rc = cache_load_share(name, full, &rest, s, d, keep_warning, e);
	if (rc == 0) {
		char *again = NULL;

		/* the share's rows, as written by the run that made the file */
		if (sscanf(rest, "rows %zu %zu of %zu", &first, &n, &total) != 3 ||
		    strcmp((again = share_line(first, n, total)), rest) != 0 || n != d->n) {
			ferr_set(e, "%s: corrupt cache file (its share of the table does not add up); "
			         "remove it and it is made again", name);
			schema_release(s);
			dataset_release(d);
			rc = -1;
		}
		free(again);
	}
	if (rc < 0)
		e->local = 1;
	ok = dist_all_ok(dist, rc >= 0);
	if (!ok) {
		if (rc >= 0)
			dist_elsewhere(e);
		schema_release(s);
		dataset_release(d);
		rc = -1;
		goto drop;
	}
	if (dist_all_ok(dist, rc == 0)) {
		/* every process has its share: do they make the table, in order? */
		size_t at, all;

		at = dist_rows_before(dist, d->n, &all);
		if (dist_all_ok(dist, at == first && all == total)) {
			double *cnt = xcalloc(s->nclass + 1, sizeof *cnt);

			for (i = 0; i < s->nclass; i++)
				cnt[i] = (double)d->count[i];
			dist_sum(dist, cnt, s->nclass);
			for (i = 0; i < s->nclass; i++)
				d->count[i] = (size_t)cnt[i];
			free(cnt);
			for (i = 0; o->warn && i < kept.n; i++)
				o->warn(kept.msg[i]);
			trim_to(o, d);
			rc = 0;
			goto drop;
		}
	}
	/* missing or stale somewhere: every process reads its share again and keeps it */
	schema_release(s);
	dataset_release(d);
	kept_release();
	ro = *o;
	ro.keep_missing = 1;
	ro.keep_lines = 1; /* dist_align_rows moves them with the rows */
	ro.warn = keep_warning;
	kept.relay = o->warn;
	rc = read_aligned(paths, npaths, &ro, s, d, e);
	if (rc != 0)
		goto drop;
	first = dist_rows_before(dist, d->n, &total);
	line = share_line(first, d->n, total);
	free(full);
	len = strlen(key) + strlen(line) + 64;
	full = xmalloc(len);
	snprintf(full, len, "%sprocesses %d\nrank %d\n%s", key, dist->size, dist->rank, line);
	free(line);
	/* the file holds this process's rows per class, which agree with its labels */
	count = xcalloc(s->nclass + 1, sizeof *count);
	local_counts(d, s->nclass, count);
	{
		size_t *all = d->count;

		d->count = count;
		ok = cache_save(name, full, s, d, kept.msg, kept.n, e) == 0;
		d->count = all;
	}
	free(count);
	if (!ok)
		e->local = 1;
	if (!dist_all_ok(dist, ok)) {
		if (ok)
			dist_elsewhere(e);
		schema_release(s);
		dataset_release(d);
		rc = -1;
		goto drop;
	}
	trim_to(o, d);
	rc = 0;
drop:
	kept_release();
out:
	free(rest);
	free(full);
	free(key);
	free(name);
	return rc;
}

int data_load_train(const char *const *paths, size_t npaths, const struct readopts *o,
                    struct schema *s, struct dataset *d, struct ferr *e)
{
	struct readopts ro;
	char *key;
	int rc;

	if (o->dist && o->cache)
		return load_shared_cached(paths, npaths, o, s, d, e);
	if (o->dist)
		return read_aligned(paths, npaths, o, s, d, e);
	if (!o->cache)
		return read_table(paths, npaths, o, s, d, e);
	if (!(key = cache_key(paths, npaths, o, e)))
		return -1;
	rc = cache_load(o->cache, key, s, d, o->warn, e);
	if (rc <= 0) {
		free(key);
		if (rc == 0)
			trim_to(o, d);
		return rc;
	}
	/* absent or stale: read the files, with all that a cache keeps, and write it */
	ro = *o;
	ro.keep_missing = ro.keep_lines = 1;
	ro.warn = keep_warning;
	kept.relay = o->warn;
	rc = read_table(paths, npaths, &ro, s, d, e);
	if (rc == 0 && cache_save(o->cache, key, s, d, kept.msg, kept.n, e) != 0) {
		schema_release(s);
		dataset_release(d);
		rc = -1;
	}
	if (rc == 0)
		trim_to(o, d);
	kept_release();
	free(key);
	return rc;
}

/* ---- scoring through an existing schema ---- */

struct streamload {
	const struct schema *s;
	const struct encode_opts *o;
	struct schema na;      /* only its missing-value tokens are used */
	const char *name;
	size_t ncol;
	long *featcol;         /* input column of each feature */
	long target;
	struct strmap *vocab;  /* categorical features: value -> index */
	double *x;
	encoded_row_fn fn;
	void *ctx;
	size_t unseen;
	long unseen_feat;
};

static int stream_header(struct streamload *t, const struct csvrow *row, struct ferr *e)
{
	char **names = xcalloc(row->n + 1, sizeof *names);
	struct strmap seen;
	size_t i, j;
	int rc = -1;

	t->ncol = row->n;
	strmap_init(&seen);
	for (i = 0; i < row->n; i++) {
		char num[32];

		snprintf(num, sizeof num, "%zu", i + 1);
		names[i] = xstrdup(t->o->header && row->len[i] > 0 ? row->f[i] : num);
		if (strmap_put(&seen, names[i], strlen(names[i]), i) != i) {
			ferr_set(e, "%s:%lu: column name '%s' appears twice", t->name, row->line,
			         names[i]);
			goto out;
		}
	}
	for (j = 0; j < t->s->nfeat; j++) {
		t->featcol[j] = -1;
		for (i = 0; i < row->n; i++)
			if (strcmp(names[i], t->s->feat[j].name) == 0)
				t->featcol[j] = (long)i;
		if (t->featcol[j] < 0) {
			ferr_set(e, "%s:%lu: column '%s' of the model is missing", t->name, row->line,
			         t->s->feat[j].name);
			goto out;
		}
	}
	t->target = -1;
	for (i = 0; i < row->n; i++)
		if (strcmp(names[i], t->s->target) == 0)
			t->target = (long)i;
	if (t->target < 0 && t->o->need_label) {
		ferr_set(e, "%s:%lu: no label column '%s'", t->name, row->line, t->s->target);
		goto out;
	}
	rc = 0;
out:
	strmap_release(&seen);
	strv_free(names, row->n);
	return rc;
}

static int on_stream_row(void *ctx, const struct csvrow *row, struct ferr *e)
{
	struct streamload *t = ctx;
	const struct schema *s = t->s;
	long label = -1;
	size_t j, k;

	if (row->index == 0) {
		if (stream_header(t, row, e) != 0)
			return -1;
		if (t->o->on_header && t->o->on_header(t->ctx, row, e) != 0)
			return -1;
		if (t->o->header)
			return 0;
	}
	if (row->n != t->ncol)
		return ferr_set(e, "%s:%lu: expected %zu fields, found %zu", t->name, row->line, t->ncol,
		                row->n);
	for (j = 0; j < s->nfeat; j++) {
		const struct feature *f = &s->feat[j];
		size_t col = (size_t)t->featcol[j], len = row->len[col], code;
		const char *v = row->f[col];
		double num;

		if (f->categorical) {
			for (k = 0; k < f->nvocab; k++)
				t->x[f->offset + k] = 0;
			if (field_is_na(&t->na, row, col))
				continue;
			if (strmap_get(&t->vocab[j], v, len, &code)) {
				t->x[f->offset + code] = 1;
			} else {
				if (t->unseen++ == 0)
					t->unseen_feat = (long)j;
			}
			continue;
		}
		if (field_is_na(&t->na, row, col)) {
			num = f->impute;
		} else if (field_number(row, col, &num) != 0) {
			return ferr_set(e, "%s:%lu: column '%s': '%s' is not a number (the model holds "
			                "'%s' as numeric)", t->name, row->line, f->name, v, f->name);
		} else if (!isfinite(num)) {
			return ferr_set(e, "%s:%lu: column '%s': '%s' is not a finite number", t->name,
			                row->line, f->name, v);
		}
		/* Far outside a narrow training column, (num - center) / scale can pass any
		 * bound: hold it at the float range (the probabilities saturate either way),
		 * which the model's logits and a float block for --valid both take. */
		t->x[f->offset] = fmax(-FLT_MAX, fmin(FLT_MAX, (num - f->center) / f->scale));
	}
	if (t->target >= 0) {
		const char *v = row->f[t->target];

		if (!schema_is_na(&t->na, v, row->len[t->target])) {
			label = schema_class(s, v);
			if (label < 0 && t->o->need_label)
				return ferr_set(e, "%s:%lu: label '%s' is not one of the model's classes",
				                t->name, row->line, v);
		}
	}
	return t->fn(t->ctx, t->x, label, row, e);
}

int data_stream(const char *path, const struct schema *s, const struct encode_opts *o,
                encoded_row_fn fn, void *ctx, struct ferr *e)
{
	struct csvopts co;
	struct streamload t;
	size_t j, k;
	int rc = -1;

	memset(&t, 0, sizeof t);
	t.s = s;
	t.o = o;
	t.name = csv_display_name(path);
	t.fn = fn;
	t.ctx = ctx;
	schema_set_na(&t.na, o->na ? o->na : NULL);
	if (!o->na) {
		strv_free(t.na.na, t.na.nna);
		t.na.nna = s->nna;
		t.na.na = xcalloc(s->nna + 1, sizeof *t.na.na);
		for (k = 0; k < s->nna; k++)
			t.na.na[k] = xstrdup(s->na[k]);
		schema_na_update(&t.na);
	}
	t.featcol = xcalloc(s->nfeat + 1, sizeof *t.featcol);
	t.vocab = xcalloc(s->nfeat + 1, sizeof *t.vocab);
	for (j = 0; j < s->nfeat; j++) {
		strmap_init(&t.vocab[j]);
		for (k = 0; k < s->feat[j].nvocab; k++)
			strmap_put(&t.vocab[j], s->feat[j].vocab[k], strlen(s->feat[j].vocab[k]), k);
	}
	t.x = xcalloc(s->dim + 1, sizeof *t.x);
	memset(&co, 0, sizeof co);
	co.delim = o->delim;
	co.threads = o->threads;
	co.numbers = 1;
	if (csv_stream_ex(path, &co, on_stream_row, &t, e) != 0)
		goto out;
	if (t.ncol == 0) {
		ferr_set(e, "%s: empty file", t.name);
		goto out;
	}
	if (t.unseen)
		warnf(o->warn, "%s: %zu values unseen in training encoded as zeros (first in column '%s')",
		      t.name, t.unseen, s->feat[t.unseen_feat].name);
	rc = 0;
out:
	for (j = 0; j < s->nfeat; j++)
		strmap_release(&t.vocab[j]);
	free(t.vocab);
	free(t.featcol);
	free(t.x);
	strv_free(t.na.na, t.na.nna);
	return rc;
}

struct collect {
	const struct schema *s;
	struct dataset *d;
	size_t cap, nolabel;
};

static int collect_row(void *ctx, const double *x, long label, const struct csvrow *row,
                       struct ferr *e)
{
	struct collect *c = ctx;
	struct dataset *d = c->d;
	size_t j;

	(void)row;
	(void)e;
	if (label < 0) {
		c->nolabel++;
		return 0;
	}
	if (d->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		d->x = block_realloc(d->x, c->cap * (d->dim ? d->dim : 1));
		d->y = xreallocarray(d->y, c->cap, sizeof *d->y);
	}
	for (j = 0; j < d->dim; j++)
		d->x[d->n * d->dim + j] = (float)x[j];
	d->y[d->n] = (uint32_t)label;
	d->count[label]++;
	d->n++;
	return 0;
}

int data_load_with_schema(const char *path, const struct schema *s, const struct encode_opts *o,
                          struct dataset *d, struct ferr *e)
{
	struct collect c;

	memset(d, 0, sizeof *d);
	memset(&c, 0, sizeof c);
	c.s = s;
	c.d = d;
	d->dim = s->dim;
	d->count = xcalloc(s->nclass, sizeof *d->count);
	if (data_stream(path, s, o, collect_row, &c, e) != 0) {
		dataset_release(d);
		return -1;
	}
	warn_skipped_rows(o->warn, csv_display_name(path), c.nolabel, "label");
	if (d->n == 0) {
		dataset_release(d);
		return ferr_set(e, "%s: no data rows with a label", csv_display_name(path));
	}
	return 0;
}
