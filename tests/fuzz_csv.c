/*
 * fuzz_csv.c: libFuzzer target for the CSV reader and the training load (make fuzz).
 *
 * The input is written to a temporary file, which goes through data_load_train with
 * the defaults, then once more with options chosen by the input's last two bytes.
 * When a load succeeds, the same file is streamed through data_stream with the schema
 * it made.  Errors are expected; crashes, leaks, hangs, undefined behaviour and a
 * design matrix with non-finite values are not.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "data.h"
#include "fuzz/tempfile.h"

#define MAX_BYTES 65536

/* The option bits of the last byte. */
enum {
	V_THREADS = 1 << 0,   /* two tokenising threads */
	V_TAB = 1 << 1,       /* tab delimiter */
	V_NO_HEADER = 1 << 2, /* --no-header */
	V_FEW_CATS = 1 << 3,  /* --max-categories 2 */
	V_MISSING = 1 << 4,   /* keep_missing */
	V_LINES = 1 << 5,     /* keep_lines */
	V_TARGET = 1 << 6,    /* -y 1 */
	V_NA = 1 << 7,        /* --na -999,x */
};

/* And those of the byte before it. */
enum {
	V2_RAW = 1 << 0,      /* --no-standardize */
	V2_DROP = 1 << 1,     /* --drop 2 */
	V2_WEIGHT = 1 << 2,   /* --weight 3 */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ignore_row(void *ctx, const double *x, long label, const struct csvrow *row,
                      struct ferr *e)
{
	(void)ctx;
	(void)x;
	(void)label;
	(void)row;
	(void)e;
	return 0;
}

static int ignore_header(void *ctx, const struct csvrow *header, struct ferr *e)
{
	(void)ctx;
	(void)header;
	(void)e;
	return 0;
}

/*
 * What a successful load promises: finite design values (numeric features imputed
 * and standardised, one-hot columns 0 or 1), labels that are classes, a count per
 * class that adds up, missing places within the row, lines in increasing order.
 * Training relies on it, so a breach is a crash here.
 */
static void check_design(const struct schema *s, const struct dataset *d)
{
	size_t i, total = 0;

	if (d->dim != s->dim || s->nclass < 2)
		abort();
	for (i = 0; i < d->n * d->dim; i++)
		if (!isfinite(d->x[i]))
			abort();
	for (i = 0; i < d->n; i++)
		if (d->y[i] >= s->nclass)
			abort();
	for (i = 0; i < s->nclass; i++)
		total += d->count[i];
	if (total != d->n)
		abort();
	for (i = 0; d->miss_off && i < d->n; i++) {
		size_t k;

		if (d->miss_off[i + 1] < d->miss_off[i])
			abort();
		for (k = d->miss_off[i]; k < d->miss_off[i + 1]; k++)
			if (d->miss_col[k] >= d->dim)
				abort();
	}
	for (i = 0; d->line && i < d->n; i++)
		if (d->line[i] < 1 || (i > 0 && d->line[i] <= d->line[i - 1]))
			abort();
}

/* Loads PATH with O; on success streams it through the schema, twice when WITH_SCHEMA. */
static void load(const char *path, const struct readopts *o, int with_schema)
{
	struct schema s;
	struct dataset d, v;
	struct encode_opts eo;
	struct ferr e = { "", 1, 0 };

	if (data_load_train(&path, 1, o, &s, &d, &e) != 0)
		return;
	check_design(&s, &d);
	memset(&eo, 0, sizeof eo);
	eo.delim = o->delim;
	eo.header = o->header;
	eo.na = o->na;
	eo.threads = o->threads;
	eo.on_header = with_schema ? ignore_header : NULL;
	data_stream(path, &s, &eo, ignore_row, NULL, &e);
	if (with_schema) {
		eo.need_label = 1;
		if (data_load_with_schema(path, &s, &eo, &v, &e) == 0) {
			check_design(&s, &v);
			dataset_release(&v);
		}
	}
	dataset_release(&d);
	schema_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct readopts o;
	struct tempfile tf;
	const char *path;
	unsigned sel, sel2;

	if (size > MAX_BYTES)
		return 0;
	if (temp_open(&tf, "fuzz_csv", data, size, NULL, 0) != 0)
		return 0;
	path = tf.path;

	readopts_init(&o);
	load(path, &o, 0);

	sel = size ? data[size - 1] : 0;
	if (sel & V_THREADS)
		o.threads = 2;
	if (sel & V_TAB)
		o.delim = '\t';
	if (sel & V_NO_HEADER)
		o.header = 0;
	if (sel & V_FEW_CATS)
		o.max_categories = 2;
	o.keep_missing = !!(sel & V_MISSING);
	o.keep_lines = !!(sel & V_LINES);
	if (sel & V_TARGET)
		o.target = "1";
	if (sel & V_NA)
		o.na = "-999,x";
	sel2 = size > 1 ? data[size - 2] : 0;
	if (sel2 & V2_RAW)
		o.standardize = 0;
	if (sel2 & V2_DROP)
		o.drop = "2";
	if (sel2 & V2_WEIGHT)
		o.weight = "3";
	load(path, &o, 1);

	temp_close(&tf);
	return 0;
}
