/* data.h: from CSV to a numeric design matrix (SPEC "Reading data"). */
#ifndef FOCAL_DATA_H
#define FOCAL_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct dist;

/* How to read a file; filled from the command line. */
struct readopts {
	int delim;             /* 0: by file name (tab for .tsv, comma otherwise) */
	int header;            /* 1: the first row names the columns */
	const char *target;    /* label column, name or 1-based index; NULL: last column */
	const char *drop;      /* comma-separated columns to ignore, or NULL */
	const char *categorical; /* comma-separated columns read as categories, or NULL */
	const char *na;        /* comma-separated missing-value tokens, or NULL for the defaults */
	const char *weight;    /* per-row weight column, or NULL */
	size_t max_categories; /* categorical columns with more distinct values are an error */
	int standardize;       /* 1: scale numeric features to unit variance */
	int threads;           /* threads that tokenise the input (1: none) */
	int keep_missing;      /* 1: list where numeric values were missing (dataset.miss_*) */
	int keep_lines;        /* 1: keep each row's line in the file (dataset.line) */
	const char *cache;     /* --cache: the file that keeps what was read, or NULL */
	/* focal-mpi: the other processes (dist.h), each reading its share of the files and
	 * all of them the same schema; NULL: this process reads everything. */
	const struct dist *dist;
	/* Receives each warning ("file: ..."), or NULL to drop them. */
	void (*warn)(const char *msg);
};

/* Sets O to the defaults. */
void readopts_init(struct readopts *o);

/* One input column used as features. */
struct feature {
	char *name;
	int categorical;
	double impute;    /* numeric: value that replaces a missing one (training mean) */
	double center;    /* numeric: x' = (x - center) / scale */
	double scale;
	char **vocab;     /* categorical: sorted values, one design column each */
	size_t nvocab;
	size_t offset;    /* first design column */
};

/* What a model needs to turn a CSV row into a design row; owned by whoever holds it. */
struct schema {
	struct feature *feat;
	size_t nfeat;
	size_t dim;          /* design width: numeric features plus one-hot columns */
	char **classes;      /* class labels in class order */
	size_t nclass;
	char *target;        /* name of the label column */
	char **na;           /* missing-value tokens */
	size_t nna;
	int na_numeric;      /* some token reads as a number (e.g. -999) */
};

void schema_release(struct schema *s);
/* Sets the missing-value tokens from LIST (comma-separated) or the defaults when NULL. */
void schema_set_na(struct schema *s, const char *list);
/* Sets s->na_numeric from s->na (after the tokens change). */
void schema_na_update(struct schema *s);
/* 1 when FIELD[0..len) is empty (always missing) or a missing-value token of S. */
int schema_is_na(const struct schema *s, const char *field, size_t len);
/* Sorts LABELS into class order: numeric when every label is a finite number, byte order
 * otherwise. */
void sort_labels(char **labels, size_t n);
/* Index of the class named LABEL, or -1. */
long schema_class(const struct schema *s, const char *label);

/* Training rows: features n x dim as floats (imputed, standardised), labels, weights. */
struct dataset {
	size_t n, dim;
	float *x;
	uint32_t *y;
	double *roww;        /* NULL unless --weight */
	size_t *count;       /* rows per class (with readopts.dist: on all the processes) */
	/*
	 * With readopts.keep_missing, when some numeric value was missing: row i's design
	 * columns miss_col[miss_off[i] .. miss_off[i + 1]) hold the imputed value, not one
	 * read from the file.  Else both NULL.
	 */
	size_t *miss_off;
	uint32_t *miss_col;
	unsigned long *line; /* with readopts.keep_lines: the line each row starts on; else NULL */
	/* With keep_lines and several input files: row i is from file srcname[src[i]];
	 * else both NULL (nsrc 0). */
	uint32_t *src;
	char **srcname;
	size_t nsrc;
	/*
	 * focal-mpi, a copy of some of the table's rows (fit_shared_rows): row i is position
	 * pos[i] of the npos rows of the set one process would train on (the rows of weight 0
	 * among them, which the copy leaves out, included: the stochastic solvers draw their
	 * batches from all npos); else NULL, the rows in rank order being that set's.
	 */
	size_t *pos;
	size_t npos;
};

void dataset_release(struct dataset *d);

/*
 * Reads a training table from NPATHS files (at least one), read as one in the order
 * given, each with the first one's header: infers column types, builds the
 * vocabularies and the class list, encodes every row.  S and D are filled (release
 * both); warnings go to o->warn.  Returns 0, or -1 with E filled.
 *
 * With o->dist, each process reads its share (dist_share) and they agree on the schema
 * one process reading all the files would make: column types, vocabularies, means,
 * scales and classes.  Each numeric column is stored relative to the table's first
 * value in it, which a first look at each share finds, so the stored floats are those
 * of one process.  D holds this process's rows, moved so that they sit in the blocks of
 * TRAIN_BLOCK_ROWS rows one process would use (dist_align_rows), D->count the classes'
 * rows on all.  With o->cache too, each process keeps its share in o->cache.RANK-of-SIZE
 * (data.c, load_shared_cached), which a later run on as many processes reads.
 * An error on any process stops all of them (E->local 1 on the one that met it; the
 * others get dist_elsewhere's empty message).  An unnamed column, which one process
 * would test for row numbers over the whole table, is refused.
 */
int data_load_train(const char *const *paths, size_t npaths, const struct readopts *o,
                    struct schema *s, struct dataset *d, struct ferr *e);

/*
 * Streams a file through an existing schema (predict, eval, --valid): for each row,
 * calls fn with the encoded design row, the class index of its label (-1 when the
 * file has no label column or the label is missing) and the raw record.
 */
struct csvrow;
typedef int (*encoded_row_fn)(void *ctx, const double *x, long label, const struct csvrow *row,
                              struct ferr *e);

struct encode_opts {
	int delim, header;
	const char *na;      /* NULL: the schema's tokens */
	int need_label;      /* 1: the label column must be present (eval, --valid) */
	int threads;         /* as in struct readopts */
	void (*warn)(const char *msg); /* as in struct readopts */
	/* Called once with the header (names of all columns) before the first row; may be NULL. */
	int (*on_header)(void *ctx, const struct csvrow *header, struct ferr *e);
};

/*
 * Reads PATH with schema S, calling FN per data row.  Column names are matched by
 * name (any order; a column with an empty name is named by its 1-based index); two
 * columns of one name, a feature column missing from the file, a text value in a
 * numeric column and a non-finite number are errors; unseen categories encode as
 * zeros and are counted in one warning.  Returns 0 or -1 with E filled.
 */
int data_stream(const char *path, const struct schema *s, const struct encode_opts *o,
                encoded_row_fn fn, void *ctx, struct ferr *e);

/* Reads a whole labelled file through schema S (for --valid): rows n x dim, labels. */
int data_load_with_schema(const char *path, const struct schema *s, const struct encode_opts *o,
                          struct dataset *d, struct ferr *e);

#endif
