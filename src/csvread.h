/* csvread.h: streaming RFC 4180 reader over libcsv and zlib. */
#ifndef FOCAL_CSVREAD_H
#define FOCAL_CSVREAD_H

#include <stddef.h>

#include "util.h"

/* One record.  Fields are NUL-terminated and valid only during the callback. */
struct csvrow {
	size_t n;           /* number of fields */
	char **f;           /* f[i]: field i */
	size_t *len;        /* len[i]: its length in bytes */
	const double *num;  /* NULL, or num[i]: field i's value when it reads as a number
	                       (fast_atod, possibly +-inf), NAN when it does not */
	unsigned long line; /* physical line where the record starts (1-based) */
	size_t index;       /* record number, 0 for the first record of the file */
	const void *prep;   /* what csvopts.prepare made of this record's chunk, or NULL */
	size_t prep_row;    /* the record's position in that chunk, from 0 */
};

/* A tokenised chunk as the prepare hook sees it: records r = 0..nrec-1 hold the
 * fields first[r] .. first[r] + n[r] - 1. */
struct csvchunk {
	size_t nrec;
	const size_t *first, *n;
	char *const *f;
	const size_t *len;
	const double *num;  /* NULL unless csvopts.numbers */
};

/* Called for every record, in file order; a nonzero return stops the stream (E filled). */
typedef int (*csv_row_fn)(void *ctx, const struct csvrow *row, struct ferr *e);

struct csvopts {
	int delim;        /* 0: tab for names ending in .tsv or .tsv.gz, comma otherwise */
	int threads;      /* threads that tokenise (and convert numbers) ahead of the callback */
	int numbers;      /* 1: fill csvrow.num */
	int force_libcsv; /* 1: every record through libcsv (tests compare the two paths) */
	/*
	 * Optional: called on the tokenising thread for every chunk, in no particular order
	 * and concurrently; returns a malloc'd block (or NULL) that the records of the chunk
	 * carry as csvrow.prep and that is freed once the chunk has been consumed.  It must
	 * read only what does not change while the stream runs.
	 */
	void *(*prepare)(void *ctx, const struct csvchunk *c);
	void *prepare_ctx;
	/*
	 * A part of a plain (not compressed) file, as each process of focal-mpi reads one:
	 * with RANGED, the file's first record (its header) and then the records in bytes
	 * [begin, end), where BEGIN is 0 or just past a record's last newline and BEGIN_LINE
	 * newlines come before it (the records' line numbers are the file's own).
	 */
	int ranged;
	long long begin, end;
	unsigned long begin_line;
};

/*
 * Reads PATH ("-": standard input; gzip recognised by content), skipping a UTF-8
 * byte-order mark, and calls FN for every record in order.  Records without quote
 * characters are split in place; the others go through libcsv; both follow libcsv's
 * rules (spaces and tabs around unquoted fields trimmed, empty lines skipped, CR, LF
 * or CRLF ending a record).  With o->threads > 1 the input is cut at record boundaries
 * into chunks that worker threads tokenise while FN consumes earlier ones.
 * Returns 0, or -1 with E filled ("file:line: ...").
 */
int csv_stream_ex(const char *path, const struct csvopts *o, csv_row_fn fn, void *ctx,
                  struct ferr *e);

/* csv_stream_ex on one thread, without numbers. */
int csv_stream(const char *path, int delim, csv_row_fn fn, void *ctx, struct ferr *e);

/* The name used for PATH in messages ("stdin" for "-"). */
const char *csv_display_name(const char *path);

/* The delimiter csv_stream would pick for PATH when DELIM is 0. */
int csv_default_delim(const char *path);

#endif
