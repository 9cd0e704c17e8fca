/* csvbench.c: ingestion throughput of a CSV file.
 *
 * usage: csvbench FILE
 * Prints, for FILE, the time of a libcsv pass that only tokenises (no-op callbacks) and
 * of focal's full ingestion (tokenise, parse numbers, infer types, encode, standardise)
 * on one and on two threads, as seconds, MB/s and rows/s, and the ratios; each figure is
 * the best of three interleaved runs.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "data.h"
#include "util.h"

#define REPS 3

static size_t nrows;

static void on_field(void *s, size_t n, void *data)
{
	(void)s;
	(void)n;
	(void)data;
}

static void on_row(int c, void *data)
{
	(void)c;
	(void)data;
	nrows++;
}

static double tokenise_only(const char *path)
{
	struct csv_parser p;
	char *buf = xmalloc(1 << 20);
	gzFile gz = gzopen(path, "rb");
	double t0 = now_seconds();
	int got;

	if (!gz) {
		perror(path);
		exit(1);
	}
	gzbuffer(gz, 256 * 1024);
	csv_init(&p, CSV_APPEND_NULL);
	while ((got = gzread(gz, buf, 1 << 20)) > 0)
		csv_parse(&p, buf, (size_t)got, on_field, on_row, NULL);
	csv_fini(&p, on_field, on_row, NULL);
	csv_free(&p);
	gzclose(gz);
	free(buf);
	return now_seconds() - t0;
}

int main(int argc, char **argv)
{
	struct readopts o;
	struct schema s;
	struct dataset d;
	struct ferr e;
	struct stat st;
	double mb, best_tok = 1e300, best[2] = { 1e300, 1e300 }, t;
	size_t rows = 0, dim = 0;
	int th, rep;

	if (argc != 2 || stat(argv[1], &st) != 0) {
		fputs("usage: csvbench FILE\n", stderr);
		return 2;
	}
	mb = (double)st.st_size / 1e6;
	readopts_init(&o);
	/* Interleaved repetitions, best of REPS each: the machine is shared and noisy. */
	for (rep = 0; rep < REPS; rep++) {
		nrows = 0;
		t = tokenise_only(argv[1]);
		best_tok = t < best_tok ? t : best_tok;
		for (th = 1; th <= 2; th++) {
			o.threads = th;
			t = now_seconds();
			if (data_load_train((const char *const *)argv + 1, 1, &o, &s, &d, &e) != 0) {
				fprintf(stderr, "csvbench: %s\n", e.msg);
				return 1;
			}
			t = now_seconds() - t;
			best[th - 1] = t < best[th - 1] ? t : best[th - 1];
			rows = d.n;
			dim = d.dim;
			schema_release(&s);
			dataset_release(&d);
		}
	}
	printf("file              %s: %.0f MB, %zu rows, %zu features; best of %d runs\n", argv[1],
	       mb, rows, dim, REPS);
	printf("tokenise only     %6.2f s  %7.1f MB/s  %9.0f rows/s\n", best_tok, mb / best_tok,
	       (double)nrows / best_tok);
	for (th = 1; th <= 2; th++)
		printf("focal, %d thread%s  %6.2f s  %7.1f MB/s  %9.0f rows/s  %.2f of tokenise only\n",
		       th, th > 1 ? "s" : " ", best[th - 1], mb / best[th - 1],
		       (double)rows / best[th - 1], best_tok / best[th - 1]);
	return 0;
}
