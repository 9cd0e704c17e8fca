/* dist.c: the hooks of a data-parallel run, and how its processes share the input. */
#include "dist.h"

#include "block.h"
#include "data.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct dist *current;

const struct dist *dist_get(void)
{
	return current;
}

void dist_set(const struct dist *d)
{
	current = d;
}

void dist_sum(const struct dist *d, double *v, size_t n)
{
	if (d && d->size > 1)
		d->sum(d->ctx, v, n);
}

void *dist_gather(const struct dist *d, const void *buf, size_t len, size_t *lens)
{
	void *all;

	if (d && d->size > 1)
		return d->gather(d->ctx, buf, len, lens);
	all = xmalloc(len + 1);
	memcpy(all, buf, len);
	lens[0] = len;
	return all;
}

void *dist_gather_root(const struct dist *d, const void *buf, size_t len, size_t *lens)
{
	if (d && d->size > 1)
		return d->gather_root(d->ctx, buf, len, lens);
	return dist_gather(d, buf, len, lens);
}

void *dist_exchange(const struct dist *d, const void *buf, const size_t *sendlen,
                    size_t *recvlen)
{
	if (d && d->size > 1)
		return d->exchange(d->ctx, buf, sendlen, recvlen);
	return dist_gather(d, buf, sendlen[0], recvlen);
}

int dist_all_ok(const struct dist *d, int ok)
{
	return d && d->size > 1 ? d->all_ok(d->ctx, ok) : ok;
}

void dist_bcast(const struct dist *d, int root, double *v, size_t n)
{
	if (!d || d->size <= 1)
		return;
	if (d->rank != root)
		memset(v, 0, n * sizeof *v);
	d->sum(d->ctx, v, n);
}

size_t dist_rows_before(const struct dist *d, size_t n, size_t *total)
{
	size_t *lens, before = 0, q;
	uint64_t mine = n, *all;

	*total = n;
	if (!d || d->size <= 1)
		return 0;
	lens = xcalloc((size_t)d->size, sizeof *lens);
	all = dist_gather(d, &mine, sizeof mine, lens);
	*total = 0;
	for (q = 0; q < (size_t)d->size; q++) {
		if (q == (size_t)d->rank)
			before = *total;
		*total += (size_t)all[q];
	}
	free(all);
	free(lens);
	return before;
}

int dist_elsewhere(struct ferr *e)
{
	e->msg[0] = 0;
	e->status = 1;
	e->local = 0;
	return -1;
}

/* ---- sharing the input ---- */

#define SCAN_SIZE ((size_t)1 << 20)

/* Quotes and newlines of bytes [from, to) of FD. */
struct counts {
	long long quotes, newlines;
};

static int scan_counts(int fd, long long from, long long to, char *buf, struct counts *c)
{
	ssize_t got;
	size_t k;

	c->quotes = c->newlines = 0;
	while (from < to) {
		size_t want = to - from < (long long)SCAN_SIZE ? (size_t)(to - from) : SCAN_SIZE;

		got = pread(fd, buf, want, (off_t)from);
		if (got <= 0)
			return -1;
		for (k = 0; k < (size_t)got; k++) {
			c->quotes += buf[k] == '"';
			c->newlines += buf[k] == '\n';
		}
		from += got;
	}
	return 0;
}

/*
 * The first record boundary at or after FROM in FD (SIZE bytes), given whether an odd
 * number of quotes comes before FROM: the byte after the first newline outside quotes,
 * or SIZE.  *NL gets the newlines in between.
 */
static int next_boundary(int fd, long long from, long long size, int odd, char *buf,
                         long long *at, long long *nl)
{
	ssize_t got;
	size_t k;

	*nl = 0;
	while (from < size) {
		size_t want = size - from < (long long)SCAN_SIZE ? (size_t)(size - from) : SCAN_SIZE;

		got = pread(fd, buf, want, (off_t)from);
		if (got <= 0)
			return -1;
		for (k = 0; k < (size_t)got; k++) {
			if (buf[k] == '"') {
				odd = !odd;
			} else if (buf[k] == '\n') {
				++*nl;
				if (!odd) {
					*at = from + (long long)k + 1;
					return 0;
				}
			}
		}
		from += got;
	}
	*at = size;
	return 0;
}

/* This process's byte range of the one plain file PATH of SIZE bytes. */
static int share_range(const struct dist *d, const char *path, long long size,
                       struct filepart *part, struct ferr *e)
{
	long long lo = size * d->rank / d->size, hi = size * (d->rank + 1) / d->size;
	long long mine[2], *all = NULL, q = 0, l = 0, at = 0, nl = 0;
	size_t *lens = xcalloc((size_t)d->size, sizeof *lens);
	char *buf = xmalloc(SCAN_SIZE);
	struct counts c = { 0, 0 };
	int fd, r, ok = 1, rc = -1;

	fd = open(path, O_RDONLY);
	if (fd < 0 || scan_counts(fd, lo, hi, buf, &c) != 0) {
		ferr_set(e, "%s: %s", path, fd < 0 || errno ? strerror(errno) : "cannot read");
		e->local = 1;
		ok = 0;
	}
	mine[0] = c.quotes;
	mine[1] = c.newlines;
	all = dist_gather(d, mine, sizeof mine, lens);
	if (!dist_all_ok(d, ok))
		goto out;
	for (r = 0; r < d->rank; r++) {
		q += all[2 * r];
		l += all[2 * r + 1];
	}
	free(all);
	all = NULL;
	if (d->rank > 0 && next_boundary(fd, lo, size, (int)(q & 1), buf, &at, &nl) != 0) {
		ferr_set(e, "%s: %s", path, errno ? strerror(errno) : "cannot read");
		e->local = 1;
		ok = 0;
	}
	mine[0] = d->rank > 0 ? at : 0;
	mine[1] = d->rank > 0 ? l + nl : 0;
	all = dist_gather(d, mine, sizeof mine, lens);
	if (!dist_all_ok(d, ok))
		goto out;
	part->kind = PART_RANGE;
	part->begin = mine[0];
	part->begin_line = (unsigned long)mine[1];
	part->end = d->rank + 1 < d->size ? all[2 * (d->rank + 1)] : size;
	rc = 0;
out:
	if (rc != 0 && !e->local)
		dist_elsewhere(e);
	if (fd >= 0)
		close(fd);
	free(all);
	free(lens);
	free(buf);
	return rc;
}

/* 1 when PATH begins as a gzip stream does. */
static int gzipped(const char *path)
{
	unsigned char m[2];
	int fd = open(path, O_RDONLY), gz;

	if (fd < 0)
		return 0;
	gz = read(fd, m, 2) == 2 && m[0] == 0x1f && m[1] == 0x8b;
	close(fd);
	return gz;
}

int dist_share(const struct dist *d, const char *const *paths, size_t npaths,
               struct filepart *part, struct ferr *e)
{
	long long *size = xcalloc(npaths + 1, sizeof *size), total = 0, before = 0;
	struct stat sb;
	size_t i;
	int rc = -1, rank = d ? d->rank : 0, nproc = d ? d->size : 1;

	for (i = 0; i < npaths; i++) {
		part[i].kind = PART_WHOLE;
		part[i].begin = part[i].end = 0;
		part[i].begin_line = 0;
	}
	if (nproc <= 1) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < npaths; i++) {
		if (strcmp(paths[i], "-") == 0) {
			ferr_usage(e, "standard input cannot be shared among the processes of focal-mpi: "
			           "give files");
			goto out;
		}
		if (stat(paths[i], &sb) != 0) {
			ferr_set(e, "%s: %s", paths[i], strerror(errno));
			goto out;
		}
		size[i] = (long long)sb.st_size;
		total += size[i];
	}
	if (npaths == 1 && S_ISREG(sb.st_mode) && !gzipped(paths[0])) {
		rc = share_range(d, paths[0], size[0], &part[0], e);
		goto out;
	}
	/* whole files: the one whose middle byte falls in this rank's share of the bytes */
	for (i = 0; i < npaths; i++) {
		long long mid = before + size[i] / 2;
		int owner = total > 0 ? (int)(mid * nproc / total) : (int)(i * (size_t)nproc / npaths);

		if (owner >= nproc)
			owner = nproc - 1;
		part[i].kind = owner == rank ? PART_WHOLE : PART_NONE;
		before += size[i];
	}
	if (part[0].kind == PART_NONE)
		part[0].kind = PART_RANGE; /* its header, begin = end = 0 */
	rc = 0;
out:
	free(size);
	return rc;
}

/* ---- rows in blocks ---- */

/* The rows [lo, hi) of the table that process Q is to hold, of TOTAL, with OFF[r] rows
 * before process r's now: its start rounded to the nearest multiple of UNIT. */
static size_t aligned_start(const size_t *off, int q, int size, size_t total, size_t unit)
{
	size_t a;

	if (q == 0)
		return 0;
	if (q >= size)
		return total;
	a = (off[q] + unit / 2) / unit * unit;
	return a < total ? a : total;
}

/* The missing columns of row I of D (none without lists). */
static size_t nmissing(const struct dataset *ds, size_t i)
{
	return ds->miss_off ? ds->miss_off[i + 1] - ds->miss_off[i] : 0;
}

/*
 * The missing-value lists of the rows dist_align_rows moves, moved alike in a second
 * exchange (a row: the number of its columns, then the columns): this process held the
 * rows [FIRST, FIRST + MINE) of the table, from OFF, and now holds NBEFORE received rows,
 * then its rows from local row K on (NKEEP), then the rest of the NNEW received.
 */
static void move_missing(const struct dist *d, struct dataset *ds, const size_t *off,
                         size_t total, size_t unit, size_t mine, size_t k, size_t nkeep,
                         size_t nbefore, size_t nnew)
{
	size_t *sendlen = xcalloc((size_t)d->size, sizeof *sendlen);
	size_t *recvlen = xcalloc((size_t)d->size, sizeof *recvlen);
	size_t first = off[d->rank], last = first + mine, words = 0, got = 0, i, at, m = 0;
	size_t *moff = xcalloc(nnew + 1, sizeof *moff);
	uint32_t *send, *p, *recv, *col;
	int q, pass;

	/* pass 0 counts the words to send, pass 1 writes them */
	send = p = NULL;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			send = p = xmalloc((words + 1) * sizeof *send);
		for (q = 0; q < d->size; q++) {
			size_t a = aligned_start(off, q, d->size, total, unit);
			size_t b = aligned_start(off, q + 1, d->size, total, unit);

			a = a > first ? a : first;
			b = b < last ? b : last;
			if (q == d->rank || a >= b)
				continue;
			for (i = a - first; i < b - first; i++) {
				size_t c = nmissing(ds, i);

				if (pass == 0) {
					words += 1 + c;
					continue;
				}
				sendlen[q] += (1 + c) * sizeof *p;
				*p++ = (uint32_t)c;
				if (c)
					memcpy(p, ds->miss_col + ds->miss_off[i], c * sizeof *p);
				p += c;
			}
		}
	}
	recv = dist_exchange(d, send, sendlen, recvlen);
	free(send);
	for (q = 0; q < d->size; q++)
		got += recvlen[q] / sizeof *recv;
	col = xmalloc((got + (ds->miss_off ? ds->miss_off[mine] : 0) + 1) * sizeof *col);
	/* the received rows in rank order: those before this process's, then those after */
	p = recv;
	for (at = 0; at < nnew; at++) {
		size_t c;

		if (at >= nbefore && at < nbefore + nkeep) {
			i = k + (at - nbefore);
			c = nmissing(ds, i);
			if (c)
				memcpy(col + m, ds->miss_col + ds->miss_off[i], c * sizeof *col);
		} else {
			c = *p++;
			memcpy(col + m, p, c * sizeof *col);
			p += c;
		}
		m += c;
		moff[at + 1] = m;
	}
	free(ds->miss_off);
	free(ds->miss_col);
	ds->miss_off = moff;
	ds->miss_col = col;
	free(recv);
	free(sendlen);
	free(recvlen);
}

void dist_align_rows(const struct dist *d, struct dataset *ds, size_t unit)
{
	size_t *lens, *off, *sendlen, *recvlen, total = 0, mine = ds->n, lo, hi, first, last;
	size_t rowbytes, i, nkeep, nbefore = 0, nafter = 0, nnew, k;
	unsigned char *send, *recv, *p;
	int q, size, miss, wts, lines, srcs, poss;

	if (!d || d->size <= 1)
		return;
	{
		/* what any process holds of its rows moves (a process without rows may have
		 * no row weights, lines, files or positions): one sum of the five */
		double has[5];

		has[0] = ds->miss_off != NULL;
		has[1] = ds->roww != NULL;
		has[2] = ds->line != NULL;
		has[3] = ds->src != NULL;
		has[4] = ds->pos != NULL;
		dist_sum(d, has, 5);
		miss = has[0] > 0;
		wts = has[1] > 0;
		lines = has[2] > 0;
		srcs = has[3] > 0;
		poss = has[4] > 0;
	}
	rowbytes = ds->dim * sizeof(float) + sizeof(uint32_t) + (wts ? sizeof(double) : 0) +
	           (lines ? sizeof(unsigned long) : 0) + (srcs ? sizeof(uint32_t) : 0) +
	           (poss ? sizeof(size_t) : 0);
	size = d->size;
	lens = xcalloc((size_t)size, sizeof *lens);
	off = xcalloc((size_t)size + 1, sizeof *off);
	sendlen = xcalloc((size_t)size, sizeof *sendlen);
	recvlen = xcalloc((size_t)size, sizeof *recvlen);
	{
		uint64_t n = mine, *all = dist_gather(d, &n, sizeof n, lens);

		for (q = 0; q < size; q++) {
			off[q] = total;
			total += (size_t)all[q];
		}
		off[size] = total;
		free(all);
	}
	/* this process's rows are [off[rank], off[rank] + n) of the table; it is to hold
	 * [lo, hi) */
	lo = aligned_start(off, d->rank, size, total, unit);
	hi = aligned_start(off, d->rank + 1, size, total, unit);
	first = off[d->rank];
	last = first + mine;
	/* the rows kept: [max(lo, first), min(hi, last)), from local row k */
	{
		size_t a = lo > first ? lo : first, b = hi < last ? hi : last;

		nkeep = a < b ? b - a : 0;
		k = a < b ? a - first : 0;
	}
	/* the others go to their new holder */
	send = xmalloc((mine - nkeep) * rowbytes + 1);
	p = send;
	for (q = 0; q < size; q++) {
		size_t a = aligned_start(off, q, size, total, unit), b = aligned_start(off, q + 1, size,
		           total, unit);

		a = a > first ? a : first;
		b = b < last ? b : last;
		if (q == d->rank || a >= b)
			continue;
		sendlen[q] = (b - a) * rowbytes;
		for (i = a - first; i < b - first; i++) {
			memcpy(p, ds->x + i * ds->dim, ds->dim * sizeof(float));
			p += ds->dim * sizeof(float);
			memcpy(p, &ds->y[i], sizeof(uint32_t));
			p += sizeof(uint32_t);
			if (wts) {
				memcpy(p, &ds->roww[i], sizeof(double));
				p += sizeof(double);
			}
			if (lines) {
				memcpy(p, &ds->line[i], sizeof(unsigned long));
				p += sizeof(unsigned long);
			}
			if (srcs) {
				memcpy(p, &ds->src[i], sizeof(uint32_t));
				p += sizeof(uint32_t);
			}
			if (poss) {
				memcpy(p, &ds->pos[i], sizeof(size_t));
				p += sizeof(size_t);
			}
		}
	}
	recv = dist_exchange(d, send, sendlen, recvlen);
	free(send);
	for (q = 0; q < d->rank; q++)
		nbefore += recvlen[q] / rowbytes;
	for (q = d->rank + 1; q < size; q++)
		nafter += recvlen[q] / rowbytes;
	nnew = nbefore + nkeep + nafter;
	if (nnew > mine)
		ds->x = block_realloc(ds->x, (nnew ? nnew : 1) * ds->dim);
	if (nnew > mine || !ds->y)
		ds->y = xreallocarray(ds->y, nnew + 1, sizeof *ds->y);
	if (wts && (nnew > mine || !ds->roww))
		ds->roww = xreallocarray(ds->roww, nnew + 1, sizeof *ds->roww);
	if (lines && (nnew > mine || !ds->line))
		ds->line = xreallocarray(ds->line, nnew + 1, sizeof *ds->line);
	if (srcs && (nnew > mine || !ds->src))
		ds->src = xreallocarray(ds->src, nnew + 1, sizeof *ds->src);
	if (poss && (nnew > mine || !ds->pos))
		ds->pos = xreallocarray(ds->pos, nnew + 1, sizeof *ds->pos);
	memmove(ds->x + nbefore * ds->dim, ds->x + k * ds->dim, nkeep * ds->dim * sizeof(float));
	memmove(ds->y + nbefore, ds->y + k, nkeep * sizeof *ds->y);
	if (wts)
		memmove(ds->roww + nbefore, ds->roww + k, nkeep * sizeof *ds->roww);
	if (lines)
		memmove(ds->line + nbefore, ds->line + k, nkeep * sizeof *ds->line);
	if (srcs)
		memmove(ds->src + nbefore, ds->src + k, nkeep * sizeof *ds->src);
	if (poss)
		memmove(ds->pos + nbefore, ds->pos + k, nkeep * sizeof *ds->pos);
	p = recv;
	for (i = 0; i < nbefore + nafter; i++) {
		size_t at = i < nbefore ? i : nkeep + i;

		memcpy(ds->x + at * ds->dim, p, ds->dim * sizeof(float));
		p += ds->dim * sizeof(float);
		memcpy(&ds->y[at], p, sizeof(uint32_t));
		p += sizeof(uint32_t);
		if (wts) {
			memcpy(&ds->roww[at], p, sizeof(double));
			p += sizeof(double);
		}
		if (lines) {
			memcpy(&ds->line[at], p, sizeof(unsigned long));
			p += sizeof(unsigned long);
		}
		if (srcs) {
			memcpy(&ds->src[at], p, sizeof(uint32_t));
			p += sizeof(uint32_t);
		}
		if (poss) {
			memcpy(&ds->pos[at], p, sizeof(size_t));
			p += sizeof(size_t);
		}
	}
	if (nnew < mine)
		ds->x = block_realloc(ds->x, (nnew ? nnew : 1) * ds->dim);
	if (miss)
		move_missing(d, ds, off, total, unit, mine, k, nkeep, nbefore, nnew);
	ds->n = nnew;
	free(recv);
	free(lens);
	free(off);
	free(sendlen);
	free(recvlen);
}
