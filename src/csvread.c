/* csvread.c: streaming CSV reader.  libcsv tokenises; this file feeds it one
 * physical line at a time so that every record knows the line it started on. */
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (1 << 20)

struct reader {
	const char *name;
	char *buf;          /* the current record's fields, each NUL-terminated */
	size_t buflen, bufcap;
	size_t *off, *len;  /* per field: offset in buf, length */
	char **ptr;
	size_t nf, fcap;
	unsigned long line;      /* physical line being fed to libcsv */
	unsigned long row_line;  /* line where the current record started, 0 before its first field */
	size_t index;
	csv_row_fn fn;
	void *ctx;
	struct ferr *e;
	int stop;
};

static void on_field(void *s, size_t n, void *data)
{
	struct reader *r = data;

	if (r->stop)
		return;
	if (r->row_line == 0)
		r->row_line = r->line;
	if (r->nf == r->fcap) {
		r->fcap = r->fcap ? 2 * r->fcap : 64;
		r->off = xreallocarray(r->off, r->fcap, sizeof *r->off);
		r->len = xreallocarray(r->len, r->fcap, sizeof *r->len);
		r->ptr = xreallocarray(r->ptr, r->fcap, sizeof *r->ptr);
	}
	if (r->buflen + n + 1 > r->bufcap) {
		while (r->buflen + n + 1 > r->bufcap)
			r->bufcap = r->bufcap ? 2 * r->bufcap : 4096;
		r->buf = xrealloc(r->buf, r->bufcap);
	}
	if (n)
		memcpy(r->buf + r->buflen, s, n);
	r->buf[r->buflen + n] = '\0';
	r->off[r->nf] = r->buflen;
	r->len[r->nf] = n;
	r->buflen += n + 1;
	r->nf++;
}

static void on_row(int c, void *data)
{
	struct reader *r = data;
	struct csvrow row;
	size_t i;

	(void)c;
	if (r->stop)
		return;
	for (i = 0; i < r->nf; i++)
		r->ptr[i] = r->buf + r->off[i];
	row.n = r->nf;
	row.f = r->ptr;
	row.len = r->len;
	row.line = r->row_line ? r->row_line : r->line;
	row.index = r->index++;
	if (r->fn(r->ctx, &row, r->e) != 0)
		r->stop = 1;
	r->nf = 0;
	r->buflen = 0;
	r->row_line = 0;
}

const char *csv_display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int csv_default_delim(const char *path)
{
	return ends_with(path, ".tsv") || ends_with(path, ".tsv.gz") ? '\t' : ',';
}

static int space_only(unsigned char c)
{
	return c == ' ';
}

/* Feeds DATA[0..n) to libcsv line by line.  Returns 0, or -1 on a parse error. */
static int feed(struct csv_parser *p, struct reader *r, const char *data, size_t n)
{
	while (n > 0 && !r->stop) {
		const char *nl = memchr(data, '\n', n);
		size_t seg = nl ? (size_t)(nl - data) + 1 : n;

		if (csv_parse(p, data, seg, on_field, on_row, r) != seg)
			return ferr_set(r->e, "%s:%lu: malformed CSV: %s", r->name, r->line,
			                csv_strerror(csv_error(p)));
		if (nl)
			r->line++;
		data += seg;
		n -= seg;
	}
	return 0;
}

int csv_stream(const char *path, int delim, csv_row_fn fn, void *ctx, struct ferr *e)
{
	struct csv_parser p;
	struct reader r;
	gzFile gz = NULL;
	char *chunk = NULL;
	int rc = -1, fd, first = 1, zerr;
	int parser_ready = 0;

	memset(&r, 0, sizeof r);
	r.name = csv_display_name(path);
	r.line = 1;
	r.fn = fn;
	r.ctx = ctx;
	r.e = e;
	if (delim == 0)
		delim = csv_default_delim(path);

	if (strcmp(path, "-") == 0)
		fd = dup(STDIN_FILENO);
	else
		fd = open(path, O_RDONLY);
	if (fd < 0) {
		ferr_set(e, "%s: %s", r.name, strerror(errno));
		goto out;
	}
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		ferr_set(e, "%s: cannot read", r.name);
		goto out;
	}
	gzbuffer(gz, 256 * 1024);
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		ferr_set(e, "%s: cannot set up the CSV parser", r.name);
		goto out;
	}
	parser_ready = 1;
	csv_set_delim(&p, (unsigned char)delim);
	if (delim == '\t')
		csv_set_space_func(&p, space_only);
	chunk = xmalloc(CHUNK);
	for (;;) {
		int got = gzread(gz, chunk, CHUNK);
		const char *data = chunk;
		size_t n;

		if (got < 0) {
			const char *msg = gzerror(gz, &zerr);

			ferr_set(e, "%s:%lu: cannot read: %s", r.name, r.line,
			         zerr == Z_ERRNO ? strerror(errno) : msg);
			goto out;
		}
		if (got == 0)
			break;
		n = (size_t)got;
		if (first) {
			first = 0;
			if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
				data += 3;
				n -= 3;
			}
		}
		if (feed(&p, &r, data, n) != 0 || r.stop)
			goto out;
	}
	/* zlib reports a truncated gzip member only here, after the last read. */
	gzerror(gz, &zerr);
	if (zerr != Z_OK && zerr != Z_STREAM_END) {
		ferr_set(e, "%s:%lu: truncated or corrupt gzip data", r.name, r.line);
		goto out;
	}
	if (csv_fini(&p, on_field, on_row, &r) != 0) {
		ferr_set(e, "%s:%lu: malformed CSV: unterminated quoted field", r.name, r.line);
		goto out;
	}
	if (r.stop)
		goto out;
	rc = 0;
out:
	if (parser_ready)
		csv_free(&p);
	if (gz)
		gzclose(gz);
	free(chunk);
	free(r.buf);
	free(r.off);
	free(r.len);
	free(r.ptr);
	return rc;
}
