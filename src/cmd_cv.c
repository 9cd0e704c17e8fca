/*
 * cmd_cv.c: focal cv: reads the list options into a grid of configurations, runs the
 * cross-validation engine (cv.c) on the data and prints its results (cvreport.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cv.h"
#include "csvread.h"
#include "cvrefit.h"
#include "dist.h"
#include "fitcli.h"
#include "outfile.h"
#include "plot.h"

static const char cmd[] = "cv";

struct cvargs {
	long k, repeat;
	const char *save_folds; /* --save-folds FILE, or NULL */
	const char *save_pred;  /* --save-predictions FILE, or NULL */
	const char *output;     /* -o MODEL (--refit) */
	int refit;
	int metric;
	struct cvgrid g;        /* the list options */
	struct fitargs f;       /* what train reads alike */
	struct plotarg plot;    /* --plot */
};

/* The tables and the figures of a cv page (plot_save). */
static void cv_page_tables(FILE *f, void *ctx)
{
	cv_write(f, FMT_TABLE, ctx, NAN); /* no wall time: the same page for the same run */
}

static void cv_page_figures(FILE *f, void *ctx, int heading)
{
	plot_cv_svg(f, ctx, heading);
}


/* ---- options ---- */

/*
 * Adds the comma-separated numbers of ARG to L: each in [lo, hi], above LO when
 * OPEN_LO, below HI when OPEN_HI, and not given before.  0, or -1 after a usage error.
 */
static int add_numbers(struct numlist *l, const char *opt, const char *arg, double lo, double hi,
                       int open_lo, int open_hi)
{
	size_t i, n;
	char **items = split_list(arg, &n);
	double v;
	int rc = -1;

	for (i = 0; i < n; i++) {
		if (cli_double(cmd, opt, items[i], lo, hi, &v) != 0)
			goto out;
		if (open_lo && open_hi && (v <= lo || v >= hi)) {
			cli_usage_error(cmd, "%s: '%s' must lie strictly between %g and %g", opt,
			                items[i], lo, hi);
			goto out;
		}
		if (open_lo && v <= lo) {
			cli_usage_error(cmd, "%s: '%s' must be above %g", opt, items[i], lo);
			goto out;
		}
		if (numlist_has(l, v)) {
			cli_usage_error(cmd, "%s: '%s' is given twice", opt, items[i]);
			goto out;
		}
		numlist_add(l, v);
	}
	rc = 0;
out:
	strv_free(items, n);
	return rc;
}

/* --lambda ARG: numbers, or auto (CV_LAMBDA_AUTO); 0, or -1 after a usage error. */
static int add_lambdas(struct numlist *l, const char *arg)
{
	size_t i, n;
	char **items = split_list(arg, &n);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (strcmp(items[i], "auto") != 0) {
			rc = add_numbers(l, "--lambda", items[i], 0, 1e6, 0, 0);
		} else if (numlist_has(l, CV_LAMBDA_AUTO)) {
			cli_usage_error(cmd, "--lambda: 'auto' is given twice");
			rc = -1;
		} else {
			numlist_add(l, CV_LAMBDA_AUTO);
		}
	}
	strv_free(items, n);
	return rc;
}

/* The value of WORD for the word-valued list option OPT, or -1. */
static int choice_value(int opt, const char *word)
{
	enum loss_kind l;
	enum model_choice m;
	enum sample_kind k;

	switch (opt) {
	case OPT_LOSS:
		return fit_parse_loss(word, &l) == 0 ? (int)l : -1;
	case OPT_MODEL:
		return fit_parse_model(word, &m) == 0 ? (int)m : -1;
	case OPT_SAMPLE:
		return sample_parse(word, &k) == 0 ? (int)k : -1;
	case OPT_CALIBRATE:
		return calib_parse(word);
	}
	return -1;
}

/* Adds the comma-separated words of ARG (option OPT) to L. */
static int add_choices(struct numlist *l, int opt, const char *arg)
{
	static const struct {
		int opt;
		const char *name, *choices;
	} info[] = {
		{ OPT_LOSS, "--loss", "ce, focal" },
		{ OPT_MODEL, "--model", "logistic, softmax, auto" },
		{ OPT_SAMPLE, "--sample", "none, over, under, smote, over+under" },
		{ OPT_CALIBRATE, "--calibrate", "auto, none, prior, temperature" },
	};
	size_t i, n, which = 0;
	char **items = split_list(arg, &n);
	int v, rc = -1;

	while (info[which].opt != opt)
		which++;
	for (i = 0; i < n; i++) {
		v = choice_value(opt, items[i]);
		if (v < 0) {
			cli_usage_error(cmd, "%s: '%s' is not one of %s", info[which].name, items[i],
			                info[which].choices);
			goto out;
		}
		if (numlist_has(l, v)) {
			cli_usage_error(cmd, "%s: '%s' is given twice", info[which].name, items[i]);
			goto out;
		}
		numlist_add(l, v);
	}
	rc = 0;
out:
	strv_free(items, n);
	return rc;
}

/*
 * --class-weight ARG: none, balanced, or LABEL=W items; adjacent LABEL=W items make one
 * weighting.  The labels and weights are checked once the data are read.
 */
static int add_class_weights(struct cvargs *a, const char *arg)
{
	size_t i, j, n, first = a->g.nwt;
	char **items = split_list(arg, &n);
	int in_spec = 0, rc = -1;

	for (i = 0; i < n; i++) {
		const char *it = items[i];

		if (strchr(it, '=')) {
			if (in_spec) {
				struct weighting *w = &a->g.wt[a->g.nwt - 1];
				size_t len = strlen(w->text);

				w->text = xrealloc(w->text, len + strlen(it) + 2);
				w->text[len] = ',';
				strcpy(w->text + len + 1, it);
			} else {
				cvgrid_add_weighting(&a->g, WEIGHT_LABELS, xstrdup(it));
			}
			in_spec = 1;
			continue;
		}
		in_spec = 0;
		if (strcmp(it, "none") == 0)
			cvgrid_add_weighting(&a->g, WEIGHT_NONE, xstrdup(it));
		else if (strcmp(it, "balanced") == 0)
			cvgrid_add_weighting(&a->g, WEIGHT_BALANCED, xstrdup(it));
		else {
			cli_usage_error(cmd, "--class-weight: '%s' is not none, balanced or LABEL=W", it);
			goto out;
		}
	}
	for (i = first; i < a->g.nwt; i++)
		for (j = 0; j < i; j++)
			if (strcmp(a->g.wt[i].text, a->g.wt[j].text) == 0) {
				cli_usage_error(cmd, "--class-weight: '%s' is given twice", a->g.wt[i].text);
				goto out;
			}
	rc = 0;
out:
	strv_free(items, n);
	return rc;
}

static int add_alphas(struct cvargs *a, const char *arg)
{
	struct numlist l = { NULL, 0 };
	size_t i;
	char buf[64];

	for (i = 0; i < a->g.nwt; i++)
		numlist_add(&l, a->g.wt[i].alpha);
	i = l.n;
	if (add_numbers(&l, "--alpha", arg, 0, 1, 1, 1) != 0) {
		free(l.v);
		return -1;
	}
	for (; i < l.n; i++) {
		snprintf(buf, sizeof buf, "alpha=%g", l.v[i]);
		cvgrid_add_weighting(&a->g, WEIGHT_ALPHA, xstrdup(buf))->alpha = l.v[i];
	}
	free(l.v);
	return 0;
}

/* --metric WORD: 1, or -1 after a usage error. */
static int metric_option(struct cvargs *a, const char *arg)
{
	int m;

	for (m = 0; m < CV_NMETRIC && strcmp(arg, cv_metric_key[m]) != 0; m++)
		continue;
	if (m == CV_NMETRIC)
		return cli_usage_error(cmd, "--metric: '%s' is not one of macro_f1, "
		                       "balanced_accuracy, mcc, gmean, average_precision, roc_auc, "
		                       "log_loss, brier, ece", arg), -1;
	a->metric = m;
	return 1;
}

/* One of the command's own options: 1 when CH is one, 0 when not, -1 after a usage error. */
static int cv_option(void *ctx, int ch, const char *arg)
{
	struct cvargs *a = ctx;

	switch (ch) {
	case 'k':
		return cli_long(cmd, "-k", arg, 2, 1000000000, &a->k) != 0 ? -1 : 1;
	case OPT_REPEAT:
		return cli_long(cmd, "--repeat", arg, 1, 10000, &a->repeat) != 0 ? -1 : 1;
	case OPT_MODEL:
	case OPT_LOSS:
	case OPT_SAMPLE:
		return add_choices(ch == OPT_MODEL ? &a->g.model : ch == OPT_LOSS ? &a->g.loss
		                                                              : &a->g.sample,
		                   ch, arg) != 0 ? -1 : 1;
	case OPT_CALIBRATE:
		return add_choices(&a->g.calib, ch, arg) != 0 ? -1 : 1;
	case OPT_GAMMA:
		return add_numbers(&a->g.gamma, "--gamma", arg, 0, 20, 0, 0) != 0 ? -1 : 1;
	case OPT_ALPHA:
		return add_alphas(a, arg) != 0 ? -1 : 1;
	case OPT_CLASS_WEIGHT:
		return add_class_weights(a, arg) != 0 ? -1 : 1;
	case OPT_LAMBDA:
		return add_lambdas(&a->g.lambda, arg) != 0 ? -1 : 1;
	case OPT_SAMPLE_RATIO:
		return add_numbers(&a->g.ratio, "--sample-ratio", arg, 0, 1, 1, 0) != 0 ? -1 : 1;
	case OPT_SAVE_FOLDS:
		a->save_folds = arg;
		return 1;
	case OPT_SAVE_PREDICTIONS:
		a->save_pred = arg;
		return 1;
	case OPT_PLOT:
		return cli_plot(cmd, arg, &a->plot) != 0 ? -1 : 1;
	case OPT_REFIT:
		a->refit = 1;
		return 1;
	case 'o':
		a->output = arg;
		return 1;
	case OPT_METRIC:
		return metric_option(a, arg);
	}
	return 0;
}

/* Checks the single-valued words and fills the lists' defaults. */
static int check_choices(struct cvargs *a)
{
	if (a->k == 0)
		return cli_usage_error(cmd, "-k K (the number of folds) is required");
	if (a->refit != (a->output != NULL))
		return cli_usage_error(cmd, a->refit ? "--refit needs -o MODEL, the file to save "
		                       "the model in" : "-o MODEL goes with --refit");
	if (fitargs_check(cmd, &a->f) != 0)
		return 2;
	cvgrid_defaults(&a->g);
	return 0;
}

/*
 * Warns about each option given that no configuration of the grid uses (after
 * check_choices has filled the lists).
 */
static void warn_no_effect(const struct cvargs *a)
{
	size_t i;
	int sampled = 0;

	for (i = 0; i < a->g.sample.n; i++)
		sampled |= a->g.sample.v[i] != SAMPLE_NONE;
	fitargs_warn_unused(&a->f, numlist_has(&a->g.loss, LOSS_FOCAL), sampled,
	                    numlist_has(&a->g.sample, SAMPLE_SMOTE));
	/* cv reports every class alike: the positive class matters only to --alpha */
	if (FITARGS_GIVEN(&a->f, OPT_POSITIVE) && !FITARGS_GIVEN(&a->f, OPT_ALPHA))
		cli_no_effect("--positive", "without --alpha");
	if (FITARGS_GIVEN(&a->f, OPT_TUNE_FOLDS) && a->f.tune < 0 &&
	    !numlist_has(&a->g.calib, CALIB_TEMPERATURE) && !numlist_has(&a->g.lambda, CV_LAMBDA_AUTO))
		cli_no_effect("--tune-folds", "without --tune-decision, --calibrate temperature or "
		              "--lambda auto");
}

static void show_progress(void *ctx, size_t done, size_t total)
{
	(void)ctx;
	fprintf(stderr, "\rfocal: cv: %zu of %zu fits   ", done, total);
}

/* The engine's options from the command line's. */
static void engine_options(const struct cvargs *a, struct cvopts *o)
{
	memset(o, 0, sizeof *o);
	o->k = (size_t)a->k;
	o->repeat = (size_t)a->repeat;
	o->metric = a->metric;
	o->smote_k = a->f.smote_k;
	o->standardize = a->f.r.standardize;
	o->have_alpha = FITARGS_GIVEN(&a->f, OPT_ALPHA);
	o->tune = a->f.tune >= 0;
	o->tune_metric = a->f.tune;
	o->keep_predictions = a->save_pred != NULL;
	o->tune_folds = (size_t)a->f.tune_folds;
	o->t = a->f.t;
	if (cli_rank == 0 && (a->f.progress || isatty(STDERR_FILENO)))
		o->progress = show_progress;
}

static int has_stdin(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			return 1;
	return 0;
}

int cmd_cv(int argc, char **argv)
{
	struct cvargs a;
	struct ferr e = { "", 1, 0 };
	struct schema s;
	struct dataset d;
	struct cvopts o;
	struct cv cv;
	struct cvconfig *cfg = NULL;
	size_t ncfg = 0, nconv, nrows, i;
	double t0 = now_seconds();
	int status = 1, positive, argc0 = argc, ok, written;
	char **argv0 = argv, **targv = NULL;
	size_t targc = 0;
	struct outfile folds_out = { NULL, NULL, NULL, 0 }, pred_out = { NULL, NULL, NULL, 0 };

	memset(&a, 0, sizeof a);
	memset(&s, 0, sizeof s);
	memset(&d, 0, sizeof d);
	memset(&cv, 0, sizeof cv);
	fitargs_init(&a.f);
	a.f.r.keep_missing = 1;
	a.repeat = 1;
	a.metric = CV_MACRO_F1;
	status = fitargs_parse(cmd, argc, argv, &usage_cv, cv_option, &a, &a.f);
	if (status != 0 || check_choices(&a) != 0) {
		cvgrid_release(&a.g);
		return status > 0 ? 0 : 2;
	}
	warn_no_effect(&a);
	argc -= optind;
	argv += optind;
	if (fitargs_inputs(cmd, argc, argv) != 0) {
		cvgrid_release(&a.g);
		return 2;
	}
	if (a.refit && has_stdin(argc, argv)) {
		cvgrid_release(&a.g);
		return cli_usage_error(cmd, "--refit reads the file again, so it needs a file, not "
		                       "standard input");
	}
	if (dist_get()) /* focal-mpi */
		a.f.r.dist = a.f.t.dist = dist_get();
	a.f.r.keep_lines = a.save_folds || a.save_pred;

	if (data_load_train((const char *const *)argv, (size_t)argc, &a.f.r, &s, &d, &e) != 0)
		goto fail;
	/* the rows of the table: focal-mpi's class counts are those of every process */
	for (i = 0, nrows = 0; i < s.nclass; i++)
		nrows += d.count[i];
	if ((size_t)a.k > nrows) {
		ferr_usage(&e, "-k: %ld folds for %zu rows (k must be at most the number of rows)",
		           a.k, nrows);
		goto fail;
	}
	/* from the whole file's class counts, so that every fold has the same positive class */
	positive = fit_positive(&s, &d, a.f.positive, &e);
	if (positive < 0)
		goto fail;
	if (fitargs_check_tune(cmd, &a.f, s.nclass) != 0) {
		status = 2;
		goto out;
	}
	if (cvgrid_resolve(&a.g, &s, &e) != 0)
		goto fail;
	cfg = cvconfigs_make(&a.g, &s, positive, cli_warn, &ncfg, &e);
	if (!cfg)
		goto fail;

	engine_options(&a, &o);
	cv.o = &o;
	cv.s = &s;
	cv.d = &d;
	cv.cfg = cfg;
	cv.ncfg = ncfg;
	cv_folds(&cv);
	cv_warn_small(&cv, csv_display_name(argv[0]), cli_warn);
	/* focal-mpi: rank 0 opens the files; every process sends it its rows' lines */
	ok = 1;
	if (cli_rank == 0 && a.save_folds)
		ok = outfile_open(&folds_out, a.save_folds, &e) == 0;
	if (ok && cli_rank == 0 && a.save_pred)
		ok = outfile_open(&pred_out, a.save_pred, &e) == 0;
	if (!dist_all_ok(a.f.r.dist, ok)) {
		if (ok)
			dist_elsewhere(&e);
		goto fail;
	}
	if (a.save_folds)
		cv_write_folds(folds_out.f, &cv);
	if (cv_run(&cv, &e) != 0) {
		if (o.progress)
			fputc('\n', stderr);
		goto fail;
	}
	if (o.progress)
		fputc('\n', stderr);
	nconv = cv_not_converged(&cv);
	if (nconv) {
		char msg[256];

		snprintf(msg, sizeof msg, "%zu of %zu fits did not converge (%s)", nconv, cv.ntasks,
		         cli_not_converged_hint(&o.t));
		cli_warn(msg);
	}
	if (a.refit) {
		targv = cvrefit_argv(argc0, argv0, &cfg[cv.order[0]], a.output, argv, (size_t)argc,
		                     &targc);
		status = cmd_train_refit((int)targc, targv);
		if (status != 0)
			goto out;
		cv.refit_model = a.output;
		cv.refit_command = cli_cmdline((int)targc, targv);
		if (a.f.fmt == FMT_TSV && !cli_quiet)
			fprintf(stderr, "focal: refit: saved %s; the same model: %s\n", a.output,
			        cv.refit_command);
	}
	/* focal-mpi: rank 0 writes the report and the files (the others' standard output
	 * is /dev/null) */
	if (cli_rank == 0)
		cv_write(stdout, a.f.fmt, &cv, now_seconds() - t0);
	/* the folds file appears only with the report: when stdout failed, main says so */
	status = 0;
	written = cli_rank == 0 && cli_stdout_written();
	if (a.f.r.dist) { /* the others learn it from rank 0 */
		double w = written;

		dist_bcast(a.f.r.dist, 0, &w, 1);
		written = w != 0;
	}
	/* both files written before either is renamed into place */
	if (written && a.save_pred)
		cv_write_predictions(pred_out.f, &cv);
	if (written && cli_rank == 0) {
		if ((a.save_folds && outfile_commit(&folds_out, &e) != 0) ||
		    (a.save_pred && outfile_commit(&pred_out, &e) != 0))
			goto fail;
		if (a.plot.path) {
			char title[160];

			plot_cv_title(title, sizeof title, &cv);
			if (plot_save(a.plot.path, (enum plotfmt)a.plot.fmt, title, cv_page_tables,
			              cv_page_figures, &cv, &e) != 0)
				goto fail;
		}
	}
	goto out;
fail:
	status = cli_fail(&e);
out:
	outfile_abort(&folds_out);
	outfile_abort(&pred_out);
	strv_free(targv, targc);
	free(cv.refit_command);
	cv_release(&cv);
	cvconfigs_free(cfg, ncfg);
	dataset_release(&d);
	schema_release(&s);
	cvgrid_release(&a.g);
	return status;
}
