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
	unsigned long line; /* physical line where the record starts (1-based) */
	size_t index;       /* record number, 0 for the first record of the file */
};

/* Called for every record; a nonzero return stops the stream (E filled by the callee). */
typedef int (*csv_row_fn)(void *ctx, const struct csvrow *row, struct ferr *e);

/*
 * Reads PATH ("-": standard input; gzip recognised by content), skipping a UTF-8
 * byte-order mark, and calls FN for every record in order.  DELIM 0 picks tab for
 * names ending in .tsv or .tsv.gz and comma otherwise.  Returns 0, or -1 with E
 * filled ("file:line: ...").
 */
int csv_stream(const char *path, int delim, csv_row_fn fn, void *ctx, struct ferr *e);

/* The name used for PATH in messages ("stdin" for "-"). */
const char *csv_display_name(const char *path);

/* The delimiter csv_stream would pick for PATH when DELIM is 0. */
int csv_default_delim(const char *path);

#endif
