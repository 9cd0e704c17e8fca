/*
 * cvreport.c: the results of a cross-validation as a table, TSV or JSON, and the folds
 * of --save-folds (cv.h).  Writes to the stream it is given; the caller checks it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "cv.h"
#include "dist.h"

/* What the tables and the JSON show. */
struct cvout {
	const struct cvopts *a;
	const struct schema *s;
	const struct cv *run;
	const struct cvsummary *sum;
	const size_t *order;
	size_t nrows, nf;
	double seconds;
	int threads;
};

/* "0.612±0.071", or "-" when undefined. */
static void grid_mean_sd(struct grid *g, size_t row, size_t col, double mean, double sd)
{
	if (!isfinite(mean))
		grid_set(g, row, col, "-");
	else if (!isfinite(sd))
		grid_set(g, row, col, "%.3f", mean);
	else
		grid_set(g, row, col, "%.3f\xc2\xb1%.3f", mean, sd);
}

static void write_table(FILE *fp, const struct cvout *o)
{
	const struct cvopts *a = o->a;
	const struct cvconfig *cfg = o->run->cfg;
	size_t ncfg = o->run->ncfg, nclass = o->s->nclass, i, c, row;
	struct grid g;
	int mt, nshow, show[CV_NDECISION + 1];

	fprintf(fp, "%zu-fold cross-validation, %zu repeat%s, %zu rows, %zu configuration%s, "
	        "%zu fits", a->k, a->repeat, a->repeat == 1 ? "" : "s", o->nrows, ncfg,
	        ncfg == 1 ? "" : "s", cv_fits(o->run));
	/* NAN: no timing, for a page that must not change from run to run */
	if (!isnan(o->seconds))
		fprintf(fp, "; %.2f s wall on %d thread%s", o->seconds, o->threads,
		        o->threads == 1 ? "" : "s");
	fputc('\n', fp);
	if (a->tune)
		fprintf(fp, "decisions tuned for %s on %zu inner folds of each training part\n",
		        decision_metric_key[a->tune_metric], a->tune_folds);
	fputc('\n', fp);
	/* The figures of the decisions, and the sort figure when it is another one. */
	for (nshow = 0; nshow < CV_NDECISION; nshow++)
		show[nshow] = nshow;
	if (a->metric >= CV_NDECISION)
		show[nshow++] = a->metric;
	grid_init(&g, ncfg + 1, (size_t)nshow + 4, 2);
	grid_set(&g, 0, 1, "configuration");
	for (mt = 0; mt < nshow; mt++)
		grid_set(&g, 0, 2 + (size_t)mt, "%s", cv_metric_title[show[mt]]);
	grid_set(&g, 0, (size_t)nshow + 2, "diff");
	grid_set(&g, 0, (size_t)nshow + 3, "p");
	for (i = 0; i < ncfg; i++) {
		const struct cvsummary *s = &o->sum[o->order[i]];

		if (i == 0)
			grid_set(&g, 1, 0, "*");
		grid_label(&g, i + 1, 1, cfg[o->order[i]].name);
		for (mt = 0; mt < nshow; mt++)
			grid_mean_sd(&g, i + 1, 2 + (size_t)mt, s->mean[show[mt]], s->sd[show[mt]]);
		if (o->order[i] == 0) {
			grid_set(&g, i + 1, (size_t)nshow + 2, "-");
			grid_set(&g, i + 1, (size_t)nshow + 3, "-");
		} else {
			grid_mean_sd(&g, i + 1, (size_t)nshow + 2, s->delta_mean, s->delta_sd);
			if (isnan(s->delta_p))
				grid_set(&g, i + 1, (size_t)nshow + 3, "-");
			else
				grid_set(&g, i + 1, (size_t)nshow + 3, "%.3g", s->delta_p);
		}
	}
	grid_print(fp, &g);
	grid_release(&g);
	fprintf(fp, "\nmean\xc2\xb1sd over %zu folds, sorted by %s; *: best; diff: %s minus that of "
	        "the baseline '", o->nf, cv_metric_title[a->metric], cv_metric_title[a->metric]);
	esc_put(fp, cfg[0].name);
	fputs("' on the same folds;\np: two-sided p-value of the diff by the corrected resampled t-test "
	      "(Nadeau and Bengio 2003)\n", fp);
	if (a->have_alpha) {
		fputs("alpha=A weighs the positive class ", fp);
		table_label(fp, o->s->classes[cfg[0].positive]);
		fputs(" by A and the other by 1 - A\n", fp);
	}

	fputs("\nper class\n", fp);
	grid_init(&g, ncfg * nclass + 1, 4, 2);
	grid_set(&g, 0, 0, "configuration");
	grid_set(&g, 0, 1, "class");
	grid_set(&g, 0, 2, "recall");
	grid_set(&g, 0, 3, "F1");
	row = 1;
	for (i = 0; i < ncfg; i++) {
		const struct cvsummary *s = &o->sum[o->order[i]];

		for (c = 0; c < nclass; c++, row++) {
			if (c == 0)
				grid_label(&g, row, 0, cfg[o->order[i]].name);
			grid_label(&g, row, 1, o->s->classes[c]);
			grid_mean_sd(&g, row, 2, s->recall_mean[c], s->recall_sd[c]);
			grid_mean_sd(&g, row, 3, s->f1_mean[c], s->f1_sd[c]);
		}
	}
	grid_print(fp, &g);
	grid_release(&g);
	if (o->run->refit_model) {
		fputs("\nrefit: ", fp);
		esc_put(fp, cfg[o->order[0]].name);
		fputs(" on all rows, saved to ", fp);
		esc_put(fp, o->run->refit_model);
		fputs("; the same model:\n  ", fp);
		esc_put(fp, o->run->refit_command);
		fputc('\n', fp);
	}
}

static void write_tsv(FILE *fp, const struct cvout *o)
{
	size_t ncfg = o->run->ncfg, nclass = o->s->nclass, i, c;
	int mt;

	fputs("config\tloss\tgamma\tweight\tsample\tsample_ratio\tlambda\tmodel\tcalibration", fp);
	for (mt = 0; mt < CV_NMETRIC; mt++)
		fprintf(fp, "\t%s_mean\t%s_sd", cv_metric_key[mt], cv_metric_key[mt]);
	for (c = 0; c < nclass; c++) {
		static const char *const part[] = { "\trecall_", "_mean", "\trecall_", "_sd",
			                                "\tf1_", "_mean", "\tf1_", "_sd" };
		size_t p;

		for (p = 0; p < 8; p += 2) {
			fputs(part[p], fp);
			tsv_label(fp, o->s->classes[c]);
			fputs(part[p + 1], fp);
		}
	}
	fputs("\tdelta_mean\tdelta_sd\tdelta_p\n", fp);
	for (i = 0; i < ncfg; i++) {
		const struct cvconfig *cf = &o->run->cfg[o->order[i]];
		const struct cvsummary *s = &o->sum[o->order[i]];

		tsv_label(fp, cf->name);
		fprintf(fp, "\t%s", fit_loss_name(cf->loss));
		tsv_number(fp, cf->gamma);
		putc('\t', fp);
		tsv_label(fp, cf->wt->text);
		fprintf(fp, "\t%s", sample_name(cf->sample));
		tsv_number(fp, cf->ratio);
		if (cf->lambda == CV_LAMBDA_AUTO)
			fputs("\tauto", fp);
		else
			tsv_number(fp, cf->lambda);
		fprintf(fp, "\t%s\t%s", fit_model_name(cf->kind), calib_key[cf->calib]);
		for (mt = 0; mt < CV_NMETRIC; mt++) {
			tsv_number(fp, s->mean[mt]);
			tsv_number(fp, s->sd[mt]);
		}
		for (c = 0; c < nclass; c++) {
			tsv_number(fp, s->recall_mean[c]);
			tsv_number(fp, s->recall_sd[c]);
			tsv_number(fp, s->f1_mean[c]);
			tsv_number(fp, s->f1_sd[c]);
		}
		tsv_number(fp, s->delta_mean);
		tsv_number(fp, s->delta_sd);
		tsv_number(fp, s->delta_p);
		putc('\n', fp);
	}
}

/* ,"KEY":{label:X[0],...} */
static void json_by_class(FILE *fp, const char *key, char *const *classes, size_t nclass,
                          const double *x)
{
	size_t c;

	fprintf(fp, ",\"%s\":{", key);
	for (c = 0; c < nclass; c++) {
		if (c)
			putc(',', fp);
		json_string(fp, classes[c]);
		putc(':', fp);
		json_number(fp, x[c]);
	}
	putc('}', fp);
}

/* "macro_f1":..,...,"recall":{..},"f1":{..} from METRIC, RECALL and F1 (no braces). */
static void json_figures(FILE *fp, const double *metric, char *const *classes, size_t nclass,
                         const double *recall, const double *f1)
{
	int mt;

	for (mt = 0; mt < CV_NMETRIC; mt++) {
		fprintf(fp, "%s\"%s\":", mt ? "," : "", cv_metric_key[mt]);
		json_number(fp, metric[mt]);
	}
	json_by_class(fp, "recall", classes, nclass, recall);
	json_by_class(fp, "f1", classes, nclass, f1);
}

static void write_json(FILE *fp, const struct cvout *o)
{
	const struct cv *run = o->run;
	char *const *classes = o->s->classes;
	size_t ncfg = run->ncfg, nclass = o->s->nclass, i, f, c;

	fprintf(fp, "{\"k\":%zu,\"repeat\":%zu,\"seed\":%" PRIu64 ",\"rows\":%zu,\"metric\":\"%s\"",
	        o->a->k, o->a->repeat, o->a->t.seed, o->nrows, cv_metric_key[o->a->metric]);
	if (o->a->tune)
		fprintf(fp, ",\"tune_decision\":\"%s\",\"tune_folds\":%zu",
		        decision_metric_key[o->a->tune_metric], o->a->tune_folds);
	fprintf(fp, ",\"fits\":%zu", cv_fits(run));
	fputs(",\"classes\":", fp);
	json_strings(fp, classes, nclass);
	if (o->a->have_alpha) {
		fputs(",\"positive\":", fp);
		json_string(fp, classes[run->cfg[0].positive]);
	}
	fputs(",\"baseline\":", fp);
	json_string(fp, run->cfg[0].name);
	fputs(",\"best\":", fp);
	json_string(fp, run->cfg[o->order[0]].name);
	fputs(",\"configurations\":[", fp);
	for (i = 0; i < ncfg; i++) {
		const struct cvconfig *cf = &run->cfg[o->order[i]];
		const struct cvsummary *s = &o->sum[o->order[i]];

		fputs(i ? ",{\"name\":" : "{\"name\":", fp);
		json_string(fp, cf->name);
		fprintf(fp, ",\"loss\":\"%s\"", fit_loss_name(cf->loss));
		json_field(fp, "gamma", cf->gamma);
		fputs(",\"weight\":", fp);
		json_string(fp, cf->wt->text);
		fprintf(fp, ",\"sample\":\"%s\"", sample_name(cf->sample));
		json_field(fp, "sample_ratio", cf->ratio);
		if (cf->lambda == CV_LAMBDA_AUTO)
			fputs(",\"lambda\":\"auto\"", fp);
		else
			json_field(fp, "lambda", cf->lambda);
		fprintf(fp, ",\"model\":\"%s\",\"calibration\":\"%s\",\"mean\":{",
		        fit_model_name(cf->kind), calib_key[cf->calib]);
		json_figures(fp, s->mean, classes, nclass, s->recall_mean, s->f1_mean);
		fputs("},\"sd\":{", fp);
		json_figures(fp, s->sd, classes, nclass, s->recall_sd, s->f1_sd);
		fputs("},\"delta\":{\"mean\":", fp);
		json_number(fp, s->delta_mean);
		json_field(fp, "sd", s->delta_sd);
		json_field(fp, "p", s->delta_p);
		fputs("},\"folds\":[", fp);
		for (f = 0; f < o->nf; f++) {
			const struct cvresult *rs = &run->res[f * ncfg + o->order[i]];
			const struct cvfold *fi = &run->fi[f];

			fprintf(fp, "%s\"repeat\":%zu,\"fold\":%zu,\"test_counts\":{", f ? ",{" : "{",
			        f / o->a->k + 1, f % o->a->k + 1);
			for (c = 0; c < nclass; c++) {
				if (c)
					putc(',', fp);
				json_string(fp, classes[c]);
				fprintf(fp, ":%zu", fi->test_count[c]);
			}
			fprintf(fp, "},\"train_rows\":%zu", rs->train_rows);
			json_field(fp, "lambda", rs->lambda);
			putc(',', fp);
			json_figures(fp, rs->metric, classes, nclass, rs->recall, rs->f1);
			json_field(fp, "objective", rs->objective);
			fprintf(fp, ",\"iterations\":%d,\"converged\":%s,\"calibration\":\"%s\","
			        "\"decision\":", rs->iterations, rs->converged ? "true" : "false",
			        calib_key[rs->calib]);
			json_decision(fp, &rs->dec, classes);
			putc('}', fp);
		}
		fputs("]}", fp);
	}
	fputc(']', fp);
	if (run->refit_model) {
		fputs(",\"refit\":{\"configuration\":", fp);
		json_string(fp, run->cfg[o->order[0]].name);
		fputs(",\"model\":", fp);
		json_string(fp, run->refit_model);
		fputs(",\"command\":", fp);
		json_string(fp, run->refit_command);
		fputc('}', fp);
	}
	fputs("}\n", fp);
}

void cv_write(FILE *fp, enum outfmt fmt, const struct cv *cv, double seconds)
{
	struct cvout o;

	o.a = cv->o;
	o.s = cv->s;
	o.run = cv;
	o.sum = cv->sum;
	o.order = cv->order;
	o.nrows = cv->nrows;
	o.nf = cv->nf;
	o.seconds = seconds;
	o.threads = cv->threads;
	if (fmt == FMT_JSON)
		write_json(fp, &o);
	else if (fmt == FMT_TSV)
		write_tsv(fp, &o);
	else
		write_table(fp, &o);
}

/* With several input files, row I's file as the first field. */
static void put_source(FILE *fp, const struct dataset *d, size_t i)
{
	if (!d->src)
		return;
	csv_put(fp, d->srcname[d->src[i]], ',');
	fputc(',', fp);
}

/*
 * The rows of a file of every row, sent in chunks of this many rows: with focal-mpi,
 * rank 0 holds one chunk of another process's lines at a time.
 */
#define STREAM_ROWS 4096

/* What writes row I of part P of such a file (P: a repeat, or a repeat and a
 * configuration; rows 0 to n - 1 of a part in order, one part after the other). */
typedef void put_row_fn(FILE *fp, const struct cv *cv, size_t p, size_t i, void *ctx);

/*
 * The NPARTS parts of a file of every row into FP, each row by PUT: each part has the
 * table's rows in order.  With focal-mpi (collective) FP is rank 0's (the others' NULL):
 * rank 0 writes its own rows, then asks each process in rank order for its rows, which
 * that process formats STREAM_ROWS rows at a time and sends, so that rank 0 writes the
 * bytes one process would, holding no more than a chunk of the others' lines.
 */
static void stream_rows(FILE *fp, const struct cv *cv, size_t nparts, put_row_fn *put,
                        void *ctx)
{
	const struct dist *d = cv->o->t.dist;
	const struct dataset *ds = cv->d;
	size_t p, i, from, n, *lens, *sendlen, *recvlen;
	uint64_t mine = ds->n, *rows;
	int q;

	if (!d || d->size <= 1) {
		for (p = 0; p < nparts; p++)
			for (i = 0; i < ds->n; i++)
				put(fp, cv, p, i, ctx);
		return;
	}
	lens = xcalloc((size_t)d->size, sizeof *lens);
	sendlen = xcalloc((size_t)d->size, sizeof *sendlen);
	recvlen = xcalloc((size_t)d->size, sizeof *recvlen);
	rows = dist_gather(d, &mine, sizeof mine, lens);
	for (p = 0; p < nparts; p++) {
		for (i = 0; d->rank == 0 && i < ds->n; i++)
			put(fp, cv, p, i, ctx);
		for (q = 1; q < d->size; q++)
			for (from = 0; from < rows[q]; from += STREAM_ROWS) {
				char *buf = NULL, *got;
				size_t len = 0;

				n = rows[q] - from < STREAM_ROWS ? rows[q] - from : STREAM_ROWS;
				if (d->rank == q) {
					FILE *m = xmemstream(&buf, &len);

					for (i = from; i < from + n; i++)
						put(m, cv, p, i, ctx);
					xmemclose(m);
				}
				sendlen[0] = len;
				got = dist_exchange(d, buf, sendlen, recvlen);
				if (d->rank == 0)
					fwrite(got, 1, recvlen[q], fp);
				free(got);
				free(buf);
			}
	}
	free(rows);
	free(lens);
	free(sendlen);
	free(recvlen);
}

static void put_fold(FILE *fp, const struct cv *cv, size_t r, size_t i, void *ctx)
{
	const struct dataset *d = cv->d;

	(void)ctx;
	put_source(fp, d, i);
	fprintf(fp, "%lu,%zu,%lu\n", d->line[i], r + 1, (unsigned long)cv->fold[r * d->n + i] + 1);
}

void cv_write_folds(FILE *fp, const struct cv *cv)
{
	if (fp)
		fputs(cv->d->src || cv->d->nsrc ? "file,line,repeat,fold\n" : "line,repeat,fold\n", fp);
	stream_rows(fp, cv, cv->o->repeat, put_fold, NULL);
}

/* Row I of part P = repeat x configuration of the predictions; POS (k entries) counts
 * the rows of each test fold before I in the part. */
static void put_prediction(FILE *fp, const struct cv *cv, size_t p, size_t i, void *pos_)
{
	const struct dataset *d = cv->d;
	size_t *pos = pos_, k = cv->o->k, nclass = cv->s->nclass, r = p / cv->ncfg,
	       c = p % cv->ncfg, f, m, j;
	const struct cvresult *rs;
	char *const *classes = cv->s->classes;

	if (i == 0)
		memset(pos, 0, k * sizeof *pos);
	f = cv->fold[r * d->n + i];
	m = pos[f]++;
	rs = &cv->res[(r * k + f) * cv->ncfg + c];
	put_source(fp, d, i);
	fprintf(fp, "%lu,%zu,%zu,", d->line[i], r + 1, f + 1);
	csv_put(fp, cv->cfg[c].name, ',');
	fputc(',', fp);
	csv_put(fp, classes[d->y[i]], ',');
	fputc(',', fp);
	csv_put(fp, classes[rs->pred[m]], ',');
	for (j = 0; j < nclass; j++)
		fprintf(fp, ",%.17g", rs->prob[m * nclass + j]);
	fputc('\n', fp);
}

void cv_write_predictions(FILE *fp, const struct cv *cv)
{
	size_t *pos = xcalloc(cv->o->k, sizeof *pos);

	if (fp) {
		fputs(cv->d->src || cv->d->nsrc ? "file,line,repeat,fold,configuration,truth,predicted"
		      : "line,repeat,fold,configuration,truth,predicted", fp);
		csv_prob_columns(fp, cv->s->classes, cv->s->nclass);
		fputc('\n', fp);
	}
	stream_rows(fp, cv, cv->o->repeat * cv->ncfg, put_prediction, pos);
	free(pos);
}
