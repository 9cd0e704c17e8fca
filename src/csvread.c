/* csvread.c: streaming CSV reader.
 *
 * The input is read in chunks cut at record boundaries (a newline after an even number
 * of quote characters).  Each chunk is tokenised on its own: a line without quote
 * characters is split in place, a line with quotes (and any line of a record that spans
 * lines) goes through libcsv.  When the caller wants numbers, a field of the common shape
 * (plain_number) is converted while the splitter looks for its end, in one pass over its
 * bytes; other fields go through fast_atod.  Chunks are tokenised on threads of the
 * shared pool (pool.h) while the callback consumes the chunks before them, in order.
 */
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pool.h"

#define CHUNK_SIZE ((size_t)1 << 20)
#define READ_SIZE ((size_t)256 << 10)

enum { SLOT_EMPTY, SLOT_FILLED, SLOT_PARSING, SLOT_PARSED };

/* One chunk of input and the records tokenised from it. */
struct batch {
	char *buf;              /* input bytes (+1 spare); fields are cut in place */
	size_t len, cap;
	int last;               /* the final chunk of the input */
	size_t nrec, reccap;
	size_t *rec_first, *rec_n;
	unsigned long *rec_line; /* line where the record starts, from 0 at the chunk's start */
	size_t nfield, fieldcap;
	char **f;
	size_t *flen;
	double *fnum;
	size_t *foff;           /* arena fields: offset until the chunk is done */
	unsigned char *farena;  /* 1 when the field lives in the arena */
	char *arena;            /* copies of fields that came through libcsv */
	size_t alen, acap;
	unsigned long nlines;   /* newlines in the chunk */
	int err;
	unsigned long err_line;
	char errmsg[128];
	int state;
	void *prep;             /* csvopts.prepare's block for this chunk */
};

/* A tokeniser's state: one per thread. */
struct tokeniser {
	struct csv_parser p;
	int ready;
	struct batch *b;
	unsigned long line;     /* current line within the chunk */
	unsigned long rec_line; /* line where the record being built started */
	int in_rec;             /* libcsv has begun a record */
	size_t first;           /* its first field */
	int delim, numbers, force;
	int plain;              /* numbers, and plain_number can tell the delimiter apart */
	const struct csvopts *o;
};

struct stream {
	const char *name;
	const struct csvopts *o;
	int delim;
	gzFile gz;
	char *carry;            /* bytes after the last cut, waiting for the next chunk */
	size_t carry_len, carry_cap;
	int eof, first_read;
	long long left;         /* bytes still to read (a part of a file), or -1: all */
	struct batch *slot;
	size_t nslot, next_fill, next_parse, next_use;
	int nthreads, stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ferr *e;
};

const char *csv_display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

int csv_default_delim(const char *path)
{
	return ends_with(path, ".tsv") || ends_with(path, ".tsv.gz") ? '\t' : ',';
}

static int space_only(unsigned char c)
{
	return c == ' ';
}

/* ---- a chunk's records ---- */

static void batch_reset(struct batch *b)
{
	free(b->prep);
	b->prep = NULL;
	b->len = 0;
	b->last = 0;
	b->nrec = 0;
	b->nfield = 0;
	b->alen = 0;
	b->nlines = 0;
	b->err = 0;
}

static void batch_free(struct batch *b)
{
	free(b->prep);
	free(b->buf);
	free(b->rec_first);
	free(b->rec_n);
	free(b->rec_line);
	free(b->f);
	free(b->flen);
	free(b->fnum);
	free(b->foff);
	free(b->farena);
	free(b->arena);
}

static size_t add_field(struct batch *b)
{
	if (b->nfield == b->fieldcap) {
		b->fieldcap = b->fieldcap ? 2 * b->fieldcap : 4096;
		b->f = xreallocarray(b->f, b->fieldcap, sizeof *b->f);
		b->flen = xreallocarray(b->flen, b->fieldcap, sizeof *b->flen);
		b->fnum = xreallocarray(b->fnum, b->fieldcap, sizeof *b->fnum);
		b->foff = xreallocarray(b->foff, b->fieldcap, sizeof *b->foff);
		b->farena = xreallocarray(b->farena, b->fieldcap, sizeof *b->farena);
	}
	return b->nfield++;
}

static void add_record(struct batch *b, size_t first, unsigned long line)
{
	if (b->nrec == b->reccap) {
		b->reccap = b->reccap ? 2 * b->reccap : 1024;
		b->rec_first = xreallocarray(b->rec_first, b->reccap, sizeof *b->rec_first);
		b->rec_n = xreallocarray(b->rec_n, b->reccap, sizeof *b->rec_n);
		b->rec_line = xreallocarray(b->rec_line, b->reccap, sizeof *b->rec_line);
	}
	b->rec_first[b->nrec] = first;
	b->rec_n[b->nrec] = b->nfield - first;
	b->rec_line[b->nrec] = line;
	b->nrec++;
}

static void set_number(const struct tokeniser *t, size_t k)
{
	struct batch *b = t->b;
	double v;

	if (t->numbers)
		b->fnum[k] = fast_atod(b->f[k], b->flen[k], &v) == 0 ? v : NAN;
}

/* libcsv's callbacks: fields are copied into the arena. */
static void on_field(void *s, size_t n, void *data)
{
	struct tokeniser *t = data;
	struct batch *b = t->b;
	size_t k;

	if (!t->in_rec) {
		t->in_rec = 1;
		t->first = b->nfield;
	}
	if (b->alen + n + 1 > b->acap) {
		while (b->alen + n + 1 > b->acap)
			b->acap = b->acap ? 2 * b->acap : 65536;
		b->arena = xrealloc(b->arena, b->acap);
	}
	if (n)
		memcpy(b->arena + b->alen, s, n);
	b->arena[b->alen + n] = '\0';
	k = add_field(b);
	b->foff[k] = b->alen;
	b->farena[k] = 1;
	b->flen[k] = n;
	b->alen += n + 1;
}

static void on_row(int c, void *data)
{
	struct tokeniser *t = data;

	(void)c;
	if (!t->in_rec)
		t->first = t->b->nfield;
	add_record(t->b, t->first, t->rec_line);
	t->in_rec = 0;
	t->rec_line = t->line;
}

static int is_trim(const struct tokeniser *t, char c)
{
	return c == ' ' || (c == '\t' && t->delim != '\t');
}

/* Marks the chunk as ending in an error at the current line. */
static void batch_error(struct tokeniser *t, const char *msg)
{
	struct batch *b = t->b;

	b->err = 1;
	b->err_line = t->line;
	snprintf(b->errmsg, sizeof b->errmsg, "%s", msg);
}

#define NUL_MSG "a field holds a NUL byte"

/* Splits the quote-free line [p, end) in place: one record.  Returns 0, or -1 with the
 * error in the batch (a NUL byte). */
static int split_line(struct tokeniser *t, char *p, char *end)
{
	struct batch *b = t->b;
	size_t first = b->nfield, k;
	char *q = p, *s, *fe;
	const char *ne;
	double v = NAN;

	for (;;) {
		s = q;
		if (t->plain && (ne = plain_number(q, end, t->delim, &v)) != NULL) {
			q = fe = s + (ne - s); /* read the number while finding the field's end */
		} else {
			/* fields are short: a plain loop beats a call to memchr */
			for (fe = q; fe < end && *fe != t->delim; fe++)
				;
			q = fe;
			while (s < q && is_trim(t, *s))
				s++;
			while (q > s && is_trim(t, q[-1]))
				q--;
			/* a plain number holds none: only the other fields can */
			if (memchr(s, '\0', (size_t)(q - s))) {
				batch_error(t, NUL_MSG);
				b->nfield = first;
				return -1;
			}
			if (t->numbers && fast_atod(s, (size_t)(q - s), &v) != 0)
				v = NAN;
		}
		*q = '\0';
		k = add_field(b);
		b->f[k] = s;
		b->flen[k] = (size_t)(q - s);
		b->farena[k] = 0;
		b->fnum[k] = v;
		if (fe == end)
			break;
		q = fe + 1;
	}
	add_record(b, first, t->line);
	return 0;
}

static size_t count_quotes(const char *p, const char *end)
{
	size_t n = 0;

	while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/*
 * Hands the line [p, next) to libcsv.  A CR that no LF follows ends a record for libcsv
 * and a line for us, as LF and CRLF do, so the text goes in up to each such CR and the
 * line count moves on after it.  *PARITY: quote characters so far, modulo 2.
 * Returns 0, or -1 with the error in the batch.
 */
static int parse_line(struct tokeniser *t, char *p, char *next, size_t *parity)
{
	struct batch *b = t->b;

	while (p < next) {
		char *r = memchr(p, '\r', (size_t)(next - p));
		int lone = r && !(r + 1 < next && r[1] == '\n');
		char *pe = lone ? r + 1 : next;
		size_t seg = (size_t)(pe - p);

		if (*parity == 0 && !t->in_rec)
			t->rec_line = t->line;
		if (memchr(p, '\0', seg)) {
			batch_error(t, NUL_MSG);
			return -1;
		}
		*parity = (*parity + count_quotes(p, pe)) & 1;
		if (csv_parse(&t->p, p, seg, on_field, on_row, t) != seg) {
			b->err = 1;
			b->err_line = t->line;
			snprintf(b->errmsg, sizeof b->errmsg, "malformed CSV: %s",
			         csv_strerror(csv_error(&t->p)));
			return -1;
		}
		if (lone)
			t->line++;
		p = pe;
	}
	return 0;
}

/* Tokenises batch B: fills its records and fields. */
static void tokenise(struct tokeniser *t, struct batch *b)
{
	char *p = b->buf, *end = b->buf + b->len;
	size_t parity = 0, k;

	t->b = b;
	t->line = 0;
	t->in_rec = 0;
	if (b->err)
		return;
	*end = '\0'; /* the spare byte: number parsing stops at the end of the last line */
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end, *cr;
		char *next = nl ? nl + 1 : end;

		cr = le > p && le[-1] == '\r' ? le - 1 : le;
		if (parity == 0 && !t->force && !memchr(p, '"', (size_t)(cr - p)) &&
		    !memchr(p, '\r', (size_t)(cr - p))) {
			char *s = p;

			while (s < cr && is_trim(t, *s))
				s++;
			if (s < cr && split_line(t, p, cr) != 0) /* libcsv skips lines of spaces */
				break;
		} else if (parse_line(t, p, next, &parity) != 0) {
			break;
		}
		if (nl)
			t->line++;
		p = next;
	}
	if (!b->err && b->last && csv_fini(&t->p, on_field, on_row, t) != 0) {
		b->err = 1;
		b->err_line = t->line;
		snprintf(b->errmsg, sizeof b->errmsg, "malformed CSV: unterminated quoted field");
	}
	/* The arena no longer moves: point its fields at it. */
	for (k = 0; k < b->nfield; k++)
		if (b->farena[k]) {
			b->f[k] = b->arena + b->foff[k];
			set_number(t, k);
		}
	b->nlines = t->line;
	if (t->o->prepare && !b->err) {
		struct csvchunk c;

		c.nrec = b->nrec;
		c.first = b->rec_first;
		c.n = b->rec_n;
		c.f = b->f;
		c.len = b->flen;
		c.num = t->numbers ? b->fnum : NULL;
		b->prep = t->o->prepare(t->o->prepare_ctx, &c);
	}
}

static void tokeniser_init(struct tokeniser *t, const struct stream *st)
{
	memset(t, 0, sizeof *t);
	t->delim = st->delim;
	t->numbers = st->o->numbers;
	t->force = st->o->force_libcsv;
	t->plain = t->numbers && !strchr("0123456789+-.", t->delim);
	t->o = st->o;
	csv_init(&t->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_delim(&t->p, (unsigned char)t->delim);
	if (t->delim == '\t')
		csv_set_space_func(&t->p, space_only);
	t->ready = 1;
}

static void tokeniser_release(struct tokeniser *t)
{
	if (t->ready)
		csv_free(&t->p);
	t->ready = 0;
}

/* ---- reading chunks ---- */

/* End of the last record boundary in [buf, buf + len): just after a newline preceded by
 * an even number of quotes; 0 when there is none. */
static const char *last_newline(const char *p, const char *end)
{
	while (end > p)
		if (*--end == '\n')
			return end;
	return NULL;
}

static size_t last_boundary(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *q, *nl;
	size_t cut = 0;
	int odd = 0;

	for (;;) {
		q = memchr(p, '"', (size_t)(end - p));
		if (!q)
			q = end;
		if (!odd && q > p && (nl = last_newline(p, q)) != NULL)
			cut = (size_t)(nl - buf) + 1;
		if (q == end)
			return cut;
		odd = !odd;
		p = q + 1;
	}
}

/* Marks B as the last chunk, holding a read error instead of data. */
static void read_error(struct stream *st, struct batch *b, const char *msg)
{
	b->len = 0;
	b->last = 1;
	b->err = 1;
	b->err_line = 0;
	snprintf(b->errmsg, sizeof b->errmsg, "%s", msg);
	st->eof = 1;
}

/*
 * Fills B with the next chunk, whole records only; the bytes after the last record
 * boundary wait in st->carry.  A read error leaves B empty with the error in it, to be
 * reported once the chunks before it have been consumed.
 */
static void fill_batch(struct stream *st, struct batch *b)
{
	size_t cut, want = CHUNK_SIZE;
	int got, zerr;

	batch_reset(b);
	if (b->cap < st->carry_len + READ_SIZE) {
		b->cap = st->carry_len + CHUNK_SIZE + READ_SIZE;
		b->buf = xrealloc(b->buf, b->cap + 1);
	}
	if (st->carry_len)
		memcpy(b->buf, st->carry, st->carry_len);
	b->len = st->carry_len;
	st->carry_len = 0;
	for (;;) {
		while (!st->eof && b->len < want) {
			if (b->cap - b->len < READ_SIZE) {
				b->cap = 2 * b->cap;
				b->buf = xrealloc(b->buf, b->cap + 1);
			}
			got = st->left == 0 ? 0 : gzread(st->gz, b->buf + b->len,
			      (unsigned)(st->left >= 0 && st->left < (long long)READ_SIZE ?
			                 (size_t)st->left : READ_SIZE));
			if (got > 0 && st->left > 0)
				st->left -= got;
			if (got < 0) {
				const char *msg = gzerror(st->gz, &zerr);

				read_error(st, b, zerr == Z_ERRNO ? strerror(errno) :
				           zerr == Z_BUF_ERROR || zerr == Z_DATA_ERROR ?
				           "truncated or corrupt gzip data" : msg);
				return;
			}
			if (got == 0) {
				st->eof = 1;
				/* zlib reports a truncated gzip member only after the last read. */
				gzerror(st->gz, &zerr);
				if (zerr != Z_OK && zerr != Z_STREAM_END) {
					read_error(st, b, "truncated or corrupt gzip data");
					return;
				}
				break;
			}
			if (st->first_read) {
				st->first_read = 0;
				if (got >= 3 && memcmp(b->buf + b->len, "\xEF\xBB\xBF", 3) == 0) {
					memmove(b->buf + b->len, b->buf + b->len + 3, (size_t)got - 3);
					got -= 3;
				}
			}
			b->len += (size_t)got;
		}
		if (st->eof) {
			b->last = 1;
			return;
		}
		cut = last_boundary(b->buf, b->len);
		if (cut > 0)
			break;
		want *= 2; /* a record longer than the chunk: read on */
	}
	st->carry_len = b->len - cut;
	if (st->carry_len > st->carry_cap) {
		st->carry_cap = st->carry_len;
		st->carry = xrealloc(st->carry, st->carry_cap);
	}
	memcpy(st->carry, b->buf + cut, st->carry_len);
	b->len = cut;
}

/* ---- consuming ---- */

struct consumer {
	csv_row_fn fn;
	void *ctx;
	unsigned long base_line; /* lines before the current chunk */
	size_t index;
};

/* Calls the callback for B's records; -1 when it stops or B holds an error. */
static int consume(struct stream *st, struct consumer *c, struct batch *b)
{
	struct csvrow row;
	size_t r;

	for (r = 0; r < b->nrec; r++) {
		row.n = b->rec_n[r];
		row.f = b->f + b->rec_first[r];
		row.len = b->flen + b->rec_first[r];
		row.num = st->o->numbers ? b->fnum + b->rec_first[r] : NULL;
		row.line = c->base_line + b->rec_line[r] + 1;
		row.index = c->index++;
		row.prep = b->prep;
		row.prep_row = r;
		if (c->fn(c->ctx, &row, st->e) != 0)
			return -1;
	}
	if (b->err)
		return ferr_set(st->e, "%s:%lu: %s", st->name, c->base_line + b->err_line + 1,
		                b->errmsg);
	c->base_line += b->nlines;
	return 0;
}

/* ---- threads ---- */

/* Tokenises filled slots, in order of filling, until the filler says stop. */
static void tokenise_slots(struct stream *st)
{
	struct tokeniser t;
	struct batch *b;

	tokeniser_init(&t, st);
	pthread_mutex_lock(&st->lock);
	for (;;) {
		while (!st->stop && st->next_parse == st->next_fill)
			pthread_cond_wait(&st->cond, &st->lock);
		if (st->stop && st->next_parse == st->next_fill)
			break;
		b = &st->slot[st->next_parse % st->nslot];
		st->next_parse++;
		b->state = SLOT_PARSING;
		pthread_mutex_unlock(&st->lock);
		tokenise(&t, b);
		pthread_mutex_lock(&st->lock);
		b->state = SLOT_PARSED;
		pthread_cond_broadcast(&st->cond);
	}
	pthread_mutex_unlock(&st->lock);
	tokeniser_release(&t);
}

/*
 * Fills slots while the input lasts and hands their records to the callback in order;
 * then tells the tokenisers to stop.  0, or -1 when the callback stopped or a chunk held
 * an error.
 */
static int fill_and_consume(struct stream *st, struct consumer *c)
{
	int rc = 0, done_filling = 0;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		/* Fill every free slot while the input lasts. */
		while (!done_filling && st->next_fill - st->next_use < st->nslot) {
			struct batch *b = &st->slot[st->next_fill % st->nslot];

			pthread_mutex_unlock(&st->lock);
			fill_batch(st, b);
			pthread_mutex_lock(&st->lock);
			b->state = SLOT_FILLED;
			st->next_fill++;
			done_filling = b->last;
			pthread_cond_broadcast(&st->cond);
		}
		if (st->next_use == st->next_fill)
			break;
		{
			struct batch *b = &st->slot[st->next_use % st->nslot];

			while (b->state != SLOT_PARSED)
				pthread_cond_wait(&st->cond, &st->lock);
			pthread_mutex_unlock(&st->lock);
			if (consume(st, c, b) != 0)
				rc = -1;
			pthread_mutex_lock(&st->lock);
			b->state = SLOT_EMPTY;
			st->next_use++;
			if (rc != 0)
				break;
		}
	}
	st->stop = 1;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* The reader's pipeline on the pool: index 0 fills and consumes, the others tokenise. */
struct pipeline {
	struct stream *st;
	struct consumer *c;
	int rc;
};

static void pipeline_part(void *ctx, size_t i)
{
	struct pipeline *pl = ctx;

	if (i == 0)
		pl->rc = fill_and_consume(pl->st, pl->c);
	else
		tokenise_slots(pl->st);
}

/*
 * Chunks go through the slots in order: the filler fills slot next_fill, a tokeniser
 * tokenises slot next_parse, the filler consumes slot next_use.  A chunk is never
 * tokenised by two tokenisers at once since each takes the next index under the lock,
 * and the libcsv state a record needs never crosses a chunk: chunks end at record
 * boundaries.  The filler and st->nthreads tokenisers wait for one another, so they run
 * as one pool_for of that many calls, which pool_reserve has made sure can all run at
 * once.
 */
static int run_threaded(struct stream *st, struct consumer *c)
{
	struct pipeline pl = { st, c, 0 };

	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	pool_for(st->nthreads + 1, (size_t)st->nthreads + 1, pipeline_part, &pl);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->cond);
	return pl.rc < 0 ? -1 : 0;
}

static int run_inline(struct stream *st, struct consumer *c)
{
	struct tokeniser t;
	struct batch *b = &st->slot[0];
	int rc = 0;

	tokeniser_init(&t, st);
	do {
		fill_batch(st, b);
		tokenise(&t, b);
		if (consume(st, c, b) != 0) {
			rc = -1;
			break;
		}
	} while (!b->last);
	tokeniser_release(&t);
	return rc;
}

/* What a part's first stream passes on: the header, then a stop. */
struct header_only {
	csv_row_fn fn;
	void *ctx;
	int stopped;
};

static int header_then_stop(void *ctx, const struct csvrow *row, struct ferr *e)
{
	struct header_only *h = ctx;

	if (h->fn(h->ctx, row, e) != 0)
		return -1;
	h->stopped = 1;
	return -1;
}

/* Streams PATH from byte BEGIN (LEFT bytes of it, -1: all) into consumer C. */
static int stream_from(const char *path, const struct csvopts *o, long long begin, long long left,
                       struct consumer *c, struct ferr *e)
{
	struct stream st;
	size_t i;
	int fd, rc = -1;

	memset(&st, 0, sizeof st);
	st.name = csv_display_name(path);
	st.o = o;
	st.e = e;
	st.delim = o->delim ? o->delim : csv_default_delim(path);
	st.first_read = begin == 0;
	st.left = left;
	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY);
	if (fd < 0)
		return ferr_set(e, "%s: %s", st.name, strerror(errno));
	if (begin > 0 && lseek(fd, (off_t)begin, SEEK_SET) < 0) {
		ferr_set(e, "%s: %s", st.name, strerror(errno));
		close(fd);
		return -1;
	}
	st.gz = gzdopen(fd, "rb");
	if (!st.gz) {
		close(fd);
		return ferr_set(e, "%s: cannot read", st.name);
	}
	gzbuffer(st.gz, 256 * 1024);
	/* o->threads tokenisers beside the filler, as many of them as the pool can run at
	 * once; none (inline) when it cannot run two */
	st.nthreads = o->threads > 1 ? pool_reserve(o->threads + 1) - 1 : 0;
	st.nslot = st.nthreads ? (size_t)st.nthreads + 2 : 1;
	st.slot = xcalloc(st.nslot, sizeof *st.slot);
	rc = st.nthreads ? run_threaded(&st, c) : run_inline(&st, c);
	for (i = 0; i < st.nslot; i++)
		batch_free(&st.slot[i]);
	free(st.slot);
	free(st.carry);
	gzclose(st.gz);
	return rc;
}

int csv_stream_ex(const char *path, const struct csvopts *o, csv_row_fn fn, void *ctx,
                  struct ferr *e)
{
	struct consumer c;
	struct header_only h;

	memset(&c, 0, sizeof c);
	c.fn = fn;
	c.ctx = ctx;
	if (!o->ranged)
		return stream_from(path, o, 0, -1, &c, e);
	if (o->begin == 0 && o->end > 0)
		return stream_from(path, o, 0, o->end, &c, e);
	/* the header from the start of the file (the whole of it for an empty part at 0,
	 * which may be compressed), then the part */
	h.fn = fn;
	h.ctx = ctx;
	h.stopped = 0;
	c.fn = header_then_stop;
	c.ctx = &h;
	if (stream_from(path, o, 0, o->begin > 0 ? o->begin : -1, &c, e) != 0 && !h.stopped)
		return -1;
	if (!h.stopped && o->begin == 0)
		return 0; /* an empty file */
	if (!h.stopped) /* no record before the part: it cannot start after the header */
		return ferr_set(e, "%s: no header before byte %lld", csv_display_name(path), o->begin);
	memset(&c, 0, sizeof c);
	c.fn = fn;
	c.ctx = ctx;
	c.index = 1;
	c.base_line = o->begin_line;
	if (o->end <= o->begin)
		return 0;
	return stream_from(path, o, o->begin, o->end - o->begin, &c, e);
}

int csv_stream(const char *path, int delim, csv_row_fn fn, void *ctx, struct ferr *e)
{
	struct csvopts o;

	memset(&o, 0, sizeof o);
	o.delim = delim;
	o.threads = 1;
	return csv_stream_ex(path, &o, fn, ctx, e);
}
