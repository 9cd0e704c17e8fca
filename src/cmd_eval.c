/* cmd_eval.c: focal eval, on a model and labelled data or on a predictions CSV. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvread.h"
#include "model.h"
#include "score.h"

static const char cmd[] = "eval";

/* Rows gathered for the report: labels as indices, scores row-major. */
struct rows {
	size_t n, cap, k;
	uint32_t *ytrue, *ypred;
	double *scores;
	size_t nolabel;
};

static void rows_grow(struct rows *r)
{
	if (r->n < r->cap)
		return;
	r->cap = r->cap ? 2 * r->cap : 1024;
	r->ytrue = xreallocarray(r->ytrue, r->cap, sizeof *r->ytrue);
	r->ypred = xreallocarray(r->ypred, r->cap, sizeof *r->ypred);
	if (r->k)
		r->scores = xreallocarray(r->scores, r->cap, r->k * sizeof *r->scores);
}

static void rows_release(struct rows *r)
{
	free(r->ytrue);
	free(r->ypred);
	free(r->scores);
}

/* ---- with a model ---- */

struct modeleval {
	const struct model *m;
	struct rows r;
	struct decision dec;
	double *z;   /* nclass logits */
};

static int on_model_row(void *ctx, const double *x, long label, const struct csvrow *row,
                        struct ferr *e)
{
	struct modeleval *me = ctx;
	struct rows *r = &me->r;
	double *p;

	(void)row;
	(void)e;
	if (label < 0) {
		r->nolabel++;
		return 0;
	}
	rows_grow(r);
	p = r->scores + r->n * r->k;
	r->ytrue[r->n] = (uint32_t)label;
	r->ypred[r->n] = score_row(&me->m->lm, &me->dec, x, p, me->z);
	r->n++;
	return 0;
}

/* Prints report REP for CLASSES, then draws its pictures with FD when PL asks for them. */
static int finish(const struct plotarg *pl, const char *path, char *const *classes,
                  const struct report *rep, const struct figdata *fd, enum outfmt fmt,
                  struct ferr *e)
{
	char title[512];

	if (report_write(stdout, fmt, classes, rep, NULL) != 0)
		return ferr_set(e, "cannot write standard output");
	if (!pl->path || !cli_stdout_written())
		return 0;
	snprintf(title, sizeof title, "focal eval: %.400s, %zu rows", csv_display_name(path),
	         rep->n);
	return cli_plot_report(pl, title, classes, rep, fd, NULL, NULL, 0, e);
}

static int eval_model(const char *model_path, const char *path, const struct readopts *ro,
                      double threshold, int have_threshold, int argmax, enum outfmt fmt,
                      const struct plotarg *pl, struct ferr *e)
{
	struct model m;
	struct modeleval me;
	struct encode_opts eo;
	struct report rep;
	struct figdata fd;
	int rc = -1;

	if (model_load(model_path, &m, e) != 0)
		return -1;
	memset(&me, 0, sizeof me);
	if (score_decision(&m.dec, argmax, have_threshold, threshold, &me.dec, e) != 0) {
		model_release(&m);
		return -1;
	}
	me.m = &m;
	me.r.k = m.s.nclass;
	me.z = xcalloc(m.s.nclass, sizeof *me.z);
	memset(&eo, 0, sizeof eo);
	eo.delim = ro->delim;
	eo.header = ro->header;
	eo.na = ro->na;
	eo.need_label = 1;
	eo.threads = ncores();
	eo.warn = cli_warn;
	if (data_stream(path, &m.s, &eo, on_model_row, &me, e) != 0)
		goto out;
	warn_skipped_rows(cli_warn, csv_display_name(path), me.r.nolabel, "label");
	if (me.r.n == 0) {
		ferr_set(e, "%s: no data rows with a label", csv_display_name(path));
		goto out;
	}
	metrics_compute_figures(&rep, pl->path ? &fd : NULL, me.r.n, me.r.k, me.r.ytrue,
	                        me.r.ypred, me.r.scores);
	metrics_threshold(&rep, me.r.ytrue, me.r.scores, (uint32_t)m.lm.positive);
	if (m.s.nclass == 2)
		rep.positive = m.lm.positive;
	rc = finish(pl, path, m.s.classes, &rep, &fd, fmt, e);
	report_release(&rep);
	if (pl->path)
		figdata_release(&fd);
out:
	rows_release(&me.r);
	decision_release(&me.dec);
	free(me.z);
	model_release(&m);
	return rc;
}

/* ---- on a predictions CSV ---- */

struct predeval {
	const char *name, *truth, *pred;
	int header;             /* the first record names the columns */
	struct schema na;       /* missing-value tokens */
	long truthcol, predcol;
	long *scorecol;         /* input column of each p_ column */
	char **scorename;       /* and its name */
	size_t nscore, ncol;
	struct strmap labels;   /* every label met -> id; the p_ labels come first */
	struct rows r;          /* ytrue/ypred hold label ids; scores in p_ column order */
	size_t *scoreid;        /* label id of each p_ column */
};

/* Column SPEC (a header name, else a 1-based index); without a header, indices only. */
static long column_index(const struct csvrow *h, const char *spec, int header)
{
	size_t i;
	long v;

	for (i = 0; header && i < h->n; i++)
		if (strcmp(h->f[i], spec) == 0)
			return (long)i;
	if (parse_long(spec, 1, (long)h->n, &v) == 0)
		return v - 1;
	return -1;
}

static int pred_header(struct predeval *pe, const struct csvrow *h, struct ferr *e)
{
	size_t i, seen;

	pe->ncol = h->n;
	pe->truthcol = column_index(h, pe->truth, pe->header);
	if (pe->truthcol < 0)
		return ferr_set(e, "%s:%lu: no column '%s' for --truth", pe->name, h->line, pe->truth);
	pe->predcol = column_index(h, pe->pred, pe->header);
	pe->scorecol = xcalloc(h->n, sizeof *pe->scorecol);
	pe->scoreid = xcalloc(h->n, sizeof *pe->scoreid);
	pe->scorename = xcalloc(h->n, sizeof *pe->scorename);
	for (i = 0; pe->header && i < h->n; i++) {
		if (strncmp(h->f[i], "p_", 2) != 0 || (long)i == pe->truthcol || (long)i == pe->predcol)
			continue;
		if (strmap_get(&pe->labels, h->f[i] + 2, h->len[i] - 2, &seen))
			return ferr_set(e, "%s:%lu: column '%s' is given twice", pe->name, h->line,
			                h->f[i]);
		pe->scorecol[pe->nscore] = (long)i;
		pe->scorename[pe->nscore] = xstrdup(h->f[i]);
		pe->scoreid[pe->nscore] = strmap_put(&pe->labels, h->f[i] + 2, h->len[i] - 2,
		                                     pe->labels.len);
		pe->nscore++;
	}
	if (pe->predcol < 0 && pe->nscore == 0)
		return ferr_set(e, "%s:%lu: no column '%s' of predicted labels and no p_<label> "
		                "columns", pe->name, h->line, pe->pred);
	pe->r.k = pe->nscore;
	return 0;
}

static int on_pred_row(void *ctx, const struct csvrow *row, struct ferr *e)
{
	struct predeval *pe = ctx;
	struct rows *r = &pe->r;
	size_t j, id;
	double best = -1;

	if (row->index == 0) {
		if (pred_header(pe, row, e) != 0)
			return -1;
		if (pe->header)
			return 0;
	}
	if (row->n != pe->ncol)
		return ferr_set(e, "%s:%lu: expected %zu fields, found %zu", pe->name, row->line,
		                pe->ncol, row->n);
	if (schema_is_na(&pe->na, row->f[pe->truthcol], row->len[pe->truthcol])) {
		r->nolabel++;
		return 0;
	}
	rows_grow(r);
	id = strmap_put(&pe->labels, row->f[pe->truthcol], row->len[pe->truthcol], pe->labels.len);
	if (pe->nscore && id >= pe->nscore)
		return ferr_set(e, "%s:%lu: true label '%s' has no p_%s column", pe->name, row->line,
		                row->f[pe->truthcol], row->f[pe->truthcol]);
	r->ytrue[r->n] = (uint32_t)id;
	for (j = 0; j < pe->nscore; j++) {
		const char *v = row->f[pe->scorecol[j]];
		double p;

		if (fast_atod(v, row->len[pe->scorecol[j]], &p) != 0 || !(p >= 0 && p <= 1))
			return ferr_set(e, "%s:%lu: column '%s': '%s' is not a probability", pe->name,
			                row->line, pe->scorename[j], v);
		r->scores[r->n * r->k + j] = p;
		if (p > best) {
			best = p;
			r->ypred[r->n] = (uint32_t)pe->scoreid[j];
		}
	}
	if (pe->predcol >= 0) {
		const char *v = row->f[pe->predcol];

		id = strmap_put(&pe->labels, v, row->len[pe->predcol], pe->labels.len);
		if (pe->nscore && id >= pe->nscore)
			return ferr_set(e, "%s:%lu: predicted label '%s' has no p_%s column", pe->name,
			                row->line, v, v);
		r->ypred[r->n] = (uint32_t)id;
	}
	r->n++;
	return 0;
}

static int eval_predictions(const char *path, const char *truth, const char *pred,
                            const char *positive_label, const struct readopts *ro,
                            double threshold, int have_threshold, enum outfmt fmt,
                            const struct plotarg *pl, struct ferr *e)
{
	struct predeval pe;
	struct report rep;
	struct figdata fd;
	char **classes = NULL;
	size_t *rank = NULL, *count = NULL, i, j, k = 0;
	double *scores = NULL;
	int rc = -1, positive;

	memset(&pe, 0, sizeof pe);
	pe.name = csv_display_name(path);
	pe.truth = truth;
	pe.pred = pred;
	pe.header = ro->header;
	strmap_init(&pe.labels);
	schema_set_na(&pe.na, ro->na);
	if (csv_stream(path, ro->delim, on_pred_row, &pe, e) != 0)
		goto out;
	if (pe.ncol == 0) {
		ferr_set(e, "%s: empty file", pe.name);
		goto out;
	}
	warn_skipped_rows(cli_warn, pe.name, pe.r.nolabel, "true label");
	if (pe.r.n == 0) {
		ferr_set(e, "%s: no data rows with a label", pe.name);
		goto out;
	}
	/* The classes: every label met, in class order; rank maps label id -> class. */
	k = pe.labels.len;
	classes = xcalloc(k, sizeof *classes);
	for (i = 0, j = 0; i < pe.labels.cap; i++)
		if (pe.labels.keys[i])
			classes[j++] = xstrdup(pe.labels.keys[i]);
	sort_labels(classes, k);
	rank = xcalloc(k, sizeof *rank);
	for (i = 0; i < k; i++) {
		size_t id = 0;

		strmap_get(&pe.labels, classes[i], strlen(classes[i]), &id);
		rank[id] = i;
	}
	if (pe.nscore) {
		scores = xcalloc(pe.r.n * k, sizeof *scores);
		for (i = 0; i < pe.r.n; i++)
			for (j = 0; j < pe.nscore; j++)
				scores[i * k + rank[pe.scoreid[j]]] = pe.r.scores[i * pe.nscore + j];
	}
	count = xcalloc(k, sizeof *count);
	for (i = 0; i < pe.r.n; i++) {
		pe.r.ytrue[i] = (uint32_t)rank[pe.r.ytrue[i]];
		pe.r.ypred[i] = (uint32_t)rank[pe.r.ypred[i]];
		count[pe.r.ytrue[i]]++;
	}
	/* The positive class: --positive, or the less frequent true label (as training). */
	positive = positive_class(classes, k, count, positive_label, "the file", e);
	if (positive < 0)
		goto out;
	if (have_threshold && !(scores && k == 2)) {
		ferr_usage(e, "--threshold needs two classes and their p_<label> columns");
		goto out;
	}
	if (positive_label && !scores)
		cli_no_effect("--positive", "without p_<label> columns");
	if (have_threshold) {
		struct decision d;

		decision_argmax(&d, 2, positive);
		d.threshold = threshold;
		for (i = 0; i < pe.r.n; i++)
			pe.r.ypred[i] = decision_pick(&d, scores + i * k, NULL);
		decision_release(&d);
	}
	metrics_compute_figures(&rep, pl->path ? &fd : NULL, pe.r.n, k, pe.r.ytrue, pe.r.ypred,
	                        scores);
	metrics_threshold(&rep, pe.r.ytrue, scores, (uint32_t)positive);
	if (k == 2 && scores)
		rep.positive = positive;
	rc = finish(pl, path, classes, &rep, &fd, fmt, e);
	report_release(&rep);
	if (pl->path)
		figdata_release(&fd);
out:
	strv_free(classes, k);
	strv_free(pe.scorename, pe.nscore);
	free(rank);
	free(count);
	free(scores);
	free(pe.scorecol);
	free(pe.scoreid);
	strmap_release(&pe.labels);
	strv_free(pe.na.na, pe.na.nna);
	rows_release(&pe.r);
	return rc;
}

int cmd_eval(int argc, char **argv)
{
	struct cli_getopt g;
	struct readopts r;
	struct plotarg pl = { NULL, 0 };
	struct ferr e = { "", 1, 0 };
	const char *model_path = NULL, *truth = NULL, *pred = "predicted", *positive = NULL, *path;
	enum outfmt fmt = FMT_TABLE;
	double threshold = 0.5;
	int ch, rc, have_threshold = 0, have_pred = 0, argmax = -1;

	readopts_init(&r);
	cli_getopt_init(&g, &usage_eval);
	while ((ch = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		rc = cli_read_option(cmd, ch, optarg, &r);
		if (rc < 0)
			return 2;
		if (rc > 0)
			continue;
		switch (ch) {
		case 'm':
			model_path = optarg;
			break;
		case OPT_TRUTH:
			truth = optarg;
			break;
		case OPT_PRED:
			pred = optarg;
			have_pred = 1;
			break;
		case OPT_THRESHOLD:
			if (cli_double(cmd, "--threshold", optarg, 0, 1, &threshold) != 0)
				return 2;
			have_threshold = 1;
			break;
		case OPT_DECISION:
			if ((argmax = cli_decision(cmd, optarg)) < 0)
				return 2;
			break;
		case OPT_POSITIVE:
			positive = optarg;
			break;
		case OPT_FORMAT:
			if (cli_format(cmd, optarg, &fmt) != 0)
				return 2;
			break;
		case OPT_PLOT:
			if (cli_plot(cmd, optarg, &pl) != 0)
				return 2;
			break;
		case 'q':
			cli_quiet = 1;
			break;
		case 'h':
			cli_usage_write(stdout, &usage_eval);
			return 0;
		default:
			return cli_bad_option(cmd, argv, g.longopts);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		return cli_usage_error(cmd, argc ? "too many arguments" : "no input FILE");
	path = argv[0];
	if (!model_path == !truth)
		return cli_usage_error(cmd, "give either -m MODEL or --truth COL");
	if (model_path && have_pred)
		return cli_usage_error(cmd, "--pred goes with --truth, not with -m");
	if (model_path && positive)
		return cli_usage_error(cmd, "--positive goes with --truth; with -m the positive class "
		                       "is the model's");
	if (!model_path && argmax >= 0)
		return cli_usage_error(cmd, "--decision goes with -m; a predictions CSV has its "
		                       "decisions in --pred");
	if (model_path)
		rc = eval_model(model_path, path, &r, threshold, have_threshold, argmax > 0, fmt, &pl,
		                &e);
	else
		rc = eval_predictions(path, truth, pred, positive, &r, threshold, have_threshold, fmt,
		                      &pl, &e);
	if (rc != 0)
		return cli_fail(&e);
	return 0;
}
