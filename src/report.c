/*
 * report.c: writes a struct report as a table for people, or as TSV or JSON for programs
 * (SPEC "Outputs").
 *
 * json   one object on one line: classes, positive (when the report has a positive
 *        class), per_class, macro, weighted, micro, accuracy, balanced_accuracy, mcc,
 *        cohen_kappa, gmean, log_loss, brier, ece, confusion, n, and "training" for
 *        `focal train`; macro also holds average_precision and roc_auc.
 *        Numbers are the shortest of %.15g/%.16g/%.17g that reads back exactly; undefined
 *        values are null.
 * tsv    one header row (class precision recall specificity f1 gmean support roc_auc
 *        average_precision, and positive when the report has a positive class), one row
 *        per class in class order (positive: 1 or 0), then the rows "macro avg",
 *        "weighted avg" and "micro avg" (precision, recall, f1, and the row count as
 *        support; the macro row also roc_auc and average_precision; "-" in the other
 *        columns).  Undefined values are "-"; numbers as in
 *        JSON; tabs, newlines and carriage returns in labels become spaces.
 * table  an optional training block, a title line (and a line naming the positive
 *        class), the per-class table (3 decimals), the whole-set figures and the
 *        confusion matrix; "-" for undefined values; labels escaped for the terminal
 *        (esc_put).
 */
#include <math.h>
#include <string.h>

#include "report.h"
#include "util.h"

/* ,"KEY":{"precision":..,"recall":..,"f1":.. left open for more fields. */
static void json_avg(FILE *f, const char *key, const struct avgmetrics *a)
{
	fprintf(f, ",\"%s\":{\"precision\":", key);
	json_number(f, a->precision);
	fputs(",\"recall\":", f);
	json_number(f, a->recall);
	fputs(",\"f1\":", f);
	json_number(f, a->f1);
}

static void json_training(FILE *f, char *const *classes, size_t k, const struct trainsummary *t)
{
	size_t c;

	fputs(",\"training\":{\"model\":", f);
	json_string_or_null(f, t->model);
	fputs(",\"loss\":", f);
	json_string_or_null(f, t->loss);
	if (t->loss && strcmp(t->loss, "focal") == 0)
		json_field(f, "gamma", t->gamma);
	json_field(f, "lambda", t->lambda);
	fputs(",\"solver\":", f);
	json_string_or_null(f, t->solver);
	fputs(",\"sample\":", f);
	json_string_or_null(f, t->sample);
	json_field(f, "objective", t->objective);
	json_field(f, "gradient_norm", t->gnorm);
	fprintf(f, ",\"iterations\":%d,\"converged\":%s", t->iterations,
	        t->converged ? "true" : "false");
	json_field(f, "seconds", t->seconds);
	fputs(",\"evaluated_on\":", f);
	json_string_or_null(f, t->evaluated_on);
	fputs(",\"calibration\":", f);
	json_string_or_null(f, t->calibrate);
	json_field(f, "temperature", t->temperature);
	if (t->dec) {
		fputs(",\"decision\":", f);
		json_decision(f, t->dec, classes);
	}
	fprintf(f, ",\"inner_fits\":%zu", t->inner_fits);
	if (t->path && t->path->n) {
		fputs(",\"lambda_path\":", f);
		json_lampath(f, t->path);
	}
	fputs(",\"class_counts\":{", f);
	for (c = 0; c < k; c++) {
		if (c)
			putc(',', f);
		json_string(f, classes[c]);
		fputs(":{\"before\":", f);
		if (t->count_before)
			fprintf(f, "%zu", t->count_before[c]);
		else
			fputs("null", f);
		fputs(",\"after\":", f);
		if (t->count_after)
			fprintf(f, "%zu", t->count_after[c]);
		else
			fputs("null", f);
		putc('}', f);
	}
	fputs("},\"class_weights\":{", f);
	for (c = 0; c < k; c++) {
		if (c)
			putc(',', f);
		json_string(f, classes[c]);
		putc(':', f);
		json_number(f, t->class_weight ? t->class_weight[c] : NAN);
	}
	fputs("}}", f);
}

static void write_json(FILE *f, char *const *classes, const struct report *r,
                       const struct trainsummary *t)
{
	size_t c, j, k = r->k;

	fputs("{\"classes\":", f);
	json_strings(f, classes, k);
	if (r->positive >= 0) {
		fputs(",\"positive\":", f);
		json_string(f, classes[r->positive]);
	}
	fputs(",\"per_class\":{", f);
	for (c = 0; c < k; c++) {
		const struct classmetrics *m = &r->cls[c];

		if (c)
			putc(',', f);
		json_string(f, classes[c]);
		fputs(":{\"precision\":", f);
		json_number(f, m->precision);
		json_field(f, "recall", m->recall);
		json_field(f, "specificity", m->specificity);
		json_field(f, "f1", m->f1);
		json_field(f, "gmean", m->gmean);
		fprintf(f, ",\"support\":%zu", m->support);
		json_field(f, "roc_auc", m->roc_auc);
		json_field(f, "average_precision", m->average_precision);
		putc('}', f);
	}
	putc('}', f);
	json_avg(f, "macro", &r->macro);
	json_field(f, "average_precision", r->macro_average_precision);
	json_field(f, "roc_auc", r->macro_roc_auc);
	putc('}', f);
	json_avg(f, "weighted", &r->weighted);
	putc('}', f);
	json_avg(f, "micro", &r->micro);
	putc('}', f);
	json_field(f, "accuracy", r->accuracy);
	json_field(f, "balanced_accuracy", r->balanced_accuracy);
	json_field(f, "mcc", r->mcc);
	json_field(f, "cohen_kappa", r->cohen_kappa);
	json_field(f, "gmean", r->gmean);
	json_field(f, "log_loss", r->log_loss);
	json_field(f, "brier", r->brier);
	json_field(f, "ece", r->ece);
	fputs(",\"confusion\":[", f);
	for (c = 0; c < k; c++) {
		fputs(c ? ",[" : "[", f);
		for (j = 0; j < k; j++)
			fprintf(f, j ? ",%zu" : "%zu", r->confusion[c * k + j]);
		putc(']', f);
	}
	fprintf(f, "],\"n\":%zu", r->n);
	if (r->best.valid) {
		fputs(",\"best_threshold\":{\"class\":", f);
		json_string(f, classes[r->best.positive]);
		json_field(f, "threshold", r->best.threshold);
		json_field(f, "macro_f1", r->best.macro_f1);
		putc('}', f);
	}
	if (t)
		json_training(f, classes, k, t);
	fputs("}\n", f);
}

static void write_tsv(FILE *f, char *const *classes, const struct report *r)
{
	static const char *const avgname[] = { "macro avg", "weighted avg", "micro avg" };
	const struct avgmetrics *avg[3];
	size_t c;
	int a;

	avg[0] = &r->macro;
	avg[1] = &r->weighted;
	avg[2] = &r->micro;
	fputs("class\tprecision\trecall\tspecificity\tf1\tgmean\tsupport\troc_auc\t"
	      "average_precision", f);
	fputs(r->positive >= 0 ? "\tpositive\n" : "\n", f);
	for (c = 0; c < r->k; c++) {
		const struct classmetrics *m = &r->cls[c];

		tsv_label(f, classes[c]);
		tsv_number(f, m->precision);
		tsv_number(f, m->recall);
		tsv_number(f, m->specificity);
		tsv_number(f, m->f1);
		tsv_number(f, m->gmean);
		fprintf(f, "\t%zu", m->support);
		tsv_number(f, m->roc_auc);
		tsv_number(f, m->average_precision);
		if (r->positive >= 0)
			fputs((int)c == r->positive ? "\t1" : "\t0", f);
		putc('\n', f);
	}
	for (a = 0; a < 3; a++) {
		fputs(avgname[a], f);
		tsv_number(f, avg[a]->precision);
		tsv_number(f, avg[a]->recall);
		fputs("\t-", f);
		tsv_number(f, avg[a]->f1);
		fprintf(f, "\t-\t%zu", r->n);
		if (a == 0) {
			tsv_number(f, r->macro_roc_auc);
			tsv_number(f, r->macro_average_precision);
		} else {
			fputs("\t-\t-", f);
		}
		fputs(r->positive >= 0 ? "\t-\n" : "\n", f);
	}
}

static void table_training(FILE *f, char *const *classes, size_t k, const struct trainsummary *t)
{
	struct grid g;
	size_t c, row = 0;
	int focal = t->loss && strcmp(t->loss, "focal") == 0, offs;

	grid_init(&g, 13, 2, 2);
	grid_set(&g, row, 0, "model");
	grid_set(&g, row++, 1, "%s", t->model ? t->model : "-");
	grid_set(&g, row, 0, "loss");
	grid_set(&g, row++, 1, "%s", t->loss ? t->loss : "-");
	if (focal) {
		grid_set(&g, row, 0, "gamma");
		grid_set(&g, row++, 1, "%g", t->gamma);
	}
	grid_set(&g, row, 0, "lambda");
	if (t->path && t->path->n)
		grid_set(&g, row++, 1, "%g, chosen by %s out of fold from %zu values, %g to %g", t->lambda,
		         t->path->metric >= 0 ? decision_metric_key[t->path->metric] : "log loss",
		         t->path->n, t->path->lambda[0], t->path->lambda[t->path->n - 1]);
	else
		grid_set(&g, row++, 1, "%g", t->lambda);
	grid_set(&g, row, 0, "solver");
	grid_set(&g, row++, 1, "%s", t->solver ? t->solver : "-");
	grid_set(&g, row, 0, "sample");
	grid_set(&g, row++, 1, "%s", t->sample ? t->sample : "-");
	grid_set(&g, row, 0, "objective");
	grid_set(&g, row++, 1, "%.10g", t->objective);
	grid_set(&g, row, 0, "gradient norm");
	grid_set(&g, row++, 1, "%.3g", t->gnorm);
	grid_set(&g, row, 0, "iterations");
	grid_set(&g, row++, 1, "%d", t->iterations);
	grid_set(&g, row, 0, "converged");
	grid_set(&g, row++, 1, "%s", t->converged ? "yes" : "no");
	if (!isnan(t->seconds)) { /* NAN: a page that must not change from run to run */
		grid_set(&g, row, 0, "seconds");
		grid_set(&g, row++, 1, "%.3f", t->seconds);
	}
	grid_set(&g, row, 0, "calibration");
	if (t->calibrate && strcmp(t->calibrate, "temperature") == 0)
		grid_set(&g, row++, 1, "temperature %.4g, after the prior correction", t->temperature);
	else
		grid_set(&g, row++, 1, "%s", t->calibrate ? t->calibrate : "none");
	if (t->dec) {
		const struct decision *d = t->dec;
		char what[160];

		if (d->source == DEC_TUNED)
			snprintf(what, sizeof what, "tuned for %s on %d inner folds", decision_metric_key[d->metric],
			         d->folds);
		else
			snprintf(what, sizeof what, "%s", d->source == DEC_CALIBRATION ?
			         "the fit's own, before calibration" : "the most probable class");
		grid_set(&g, row, 0, "decision");
		if (d->k == 2 && d->source == DEC_TUNED)
			grid_set(&g, row++, 1, "threshold %.6g (sd %.3g), %s", d->threshold,
			         d->threshold_sd, what);
		else if (d->k == 2)
			grid_set(&g, row++, 1, "threshold %.6g, %s", d->threshold, what);
		else
			grid_set(&g, row++, 1, "%s%s", what, d->source == DEC_ARGMAX ? "" :
			         " (offsets below)");
	}
	g.rows = row; /* the cells past ROW are empty */
	grid_print(f, &g);
	grid_release(&g);

	putc('\n', f);
	offs = t->dec && k != 2 && t->dec->source != DEC_ARGMAX;
	grid_init(&g, k + 1, offs ? 6 : 4, 1);
	grid_set(&g, 0, 0, "class");
	grid_set(&g, 0, 1, "rows");
	grid_set(&g, 0, 2, "after sampling");
	grid_set(&g, 0, 3, "weight");
	if (offs) {
		grid_set(&g, 0, 4, "offset");
		grid_set(&g, 0, 5, "sd");
		for (c = 0; c < k; c++) {
			grid_set(&g, c + 1, 4, "%.4g", t->dec->offset[c]);
			grid_set(&g, c + 1, 5, "%.3g", t->dec->offset_sd[c]);
		}
	}
	for (c = 0; c < k; c++) {
		grid_label(&g, c + 1, 0, classes[c]);
		if (t->count_before)
			grid_set(&g, c + 1, 1, "%zu", t->count_before[c]);
		if (t->count_after)
			grid_set(&g, c + 1, 2, "%zu", t->count_after[c]);
		if (t->class_weight)
			grid_set(&g, c + 1, 3, "%.6g", t->class_weight[c]);
	}
	grid_print(f, &g);
	grid_release(&g);
	putc('\n', f);
}

static void write_table(FILE *f, char *const *classes, const struct report *r,
                        const struct trainsummary *t)
{
	static const char *const avgname[] = { "macro avg", "weighted avg", "micro avg" };
	const struct avgmetrics *avg[3];
	struct grid g;
	size_t c, j, k = r->k;
	int a;

	if (t) {
		table_training(f, classes, k, t);
		fputs("evaluated on ", f);
		esc_put(f, t->evaluated_on ? t->evaluated_on : "-");
		fprintf(f, ": %zu rows\n", r->n);
	} else {
		fprintf(f, "%zu rows\n", r->n);
	}
	if (r->positive >= 0) {
		fputs("positive class: ", f);
		table_label(f, classes[r->positive]);
		putc('\n', f);
	}
	putc('\n', f);

	avg[0] = &r->macro;
	avg[1] = &r->weighted;
	avg[2] = &r->micro;
	grid_init(&g, k + 4, 9, 1);
	grid_set(&g, 0, 0, "class");
	grid_set(&g, 0, 1, "precision");
	grid_set(&g, 0, 2, "recall");
	grid_set(&g, 0, 3, "spec");
	grid_set(&g, 0, 4, "f1");
	grid_set(&g, 0, 5, "gmean");
	grid_set(&g, 0, 6, "auc");
	grid_set(&g, 0, 7, "ap");
	grid_set(&g, 0, 8, "support");
	for (c = 0; c < k; c++) {
		const struct classmetrics *m = &r->cls[c];

		grid_label(&g, c + 1, 0, classes[c]);
		grid_num(&g, c + 1, 1, m->precision);
		grid_num(&g, c + 1, 2, m->recall);
		grid_num(&g, c + 1, 3, m->specificity);
		grid_num(&g, c + 1, 4, m->f1);
		grid_num(&g, c + 1, 5, m->gmean);
		grid_num(&g, c + 1, 6, m->roc_auc);
		grid_num(&g, c + 1, 7, m->average_precision);
		grid_set(&g, c + 1, 8, "%zu", m->support);
	}
	for (a = 0; a < 3; a++) {
		size_t row = k + 1 + (size_t)a;

		grid_set(&g, row, 0, "%s", avgname[a]);
		grid_num(&g, row, 1, avg[a]->precision);
		grid_num(&g, row, 2, avg[a]->recall);
		grid_num(&g, row, 4, avg[a]->f1);
		if (a == 0) {
			grid_num(&g, row, 6, r->macro_roc_auc);
			grid_num(&g, row, 7, r->macro_average_precision);
		}
		grid_set(&g, row, 8, "%zu", r->n);
	}
	grid_print(f, &g);
	grid_release(&g);

	putc('\n', f);
	grid_init(&g, 8, 2, 1);
	grid_set(&g, 0, 0, "accuracy");
	grid_num(&g, 0, 1, r->accuracy);
	grid_set(&g, 1, 0, "balanced accuracy");
	grid_num(&g, 1, 1, r->balanced_accuracy);
	grid_set(&g, 2, 0, "MCC");
	grid_num(&g, 2, 1, r->mcc);
	grid_set(&g, 3, 0, "Cohen's kappa");
	grid_num(&g, 3, 1, r->cohen_kappa);
	grid_set(&g, 4, 0, "G-mean");
	grid_num(&g, 4, 1, r->gmean);
	grid_set(&g, 5, 0, "log loss");
	grid_num(&g, 5, 1, r->log_loss);
	grid_set(&g, 6, 0, "Brier score");
	grid_num(&g, 6, 1, r->brier);
	grid_set(&g, 7, 0, "ECE");
	grid_num(&g, 7, 1, r->ece);
	grid_print(f, &g);
	grid_release(&g);
	if (r->best.valid) {
		char cut[40];

		fmt_roundtrip(cut, sizeof cut, r->best.threshold);
		fputs("\nbest threshold on these rows: ", f);
		fputs("predicting ", f);
		table_label(f, classes[r->best.positive]);
		fprintf(f, " when its probability is >= %s gives macro F1 %.3f\n", cut, r->best.macro_f1);
	}

	fputs("\nconfusion matrix (rows: true class, columns: predicted class)\n", f);
	grid_init(&g, k + 1, k + 1, 1);
	for (c = 0; c < k; c++) {
		grid_label(&g, 0, c + 1, classes[c]);
		grid_label(&g, c + 1, 0, classes[c]);
		for (j = 0; j < k; j++)
			grid_set(&g, c + 1, j + 1, "%zu", r->confusion[c * k + j]);
	}
	grid_print(f, &g);
	grid_release(&g);
}

int report_write(FILE *f, enum outfmt fmt, char *const *classes, const struct report *r,
                 const struct trainsummary *t)
{
	switch (fmt) {
	case FMT_JSON:
		write_json(f, classes, r, t);
		break;
	case FMT_TSV:
		write_tsv(f, classes, r);
		break;
	case FMT_TABLE:
	default:
		write_table(f, classes, r, t);
		break;
	}
	if (fflush(f) != 0 || ferror(f))
		return -1;
	return 0;
}
