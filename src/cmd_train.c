/* cmd_train.c: focal train. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dist.h"
#include "fitcli.h"
#include "model.h"
#include "outfile.h"
#include "sample.h"
#include "score.h"
#include "weights.h"

static const char cmd[] = "train";

struct trainargs {
	const char *output, *valid, *class_weight, *model, *loss;
	double alpha;          /* NAN when not given */
	double lambda;         /* NAN: 1/n */
	int lambda_auto;       /* --lambda auto */
	enum model_choice choice;
	enum calib_kind calib; /* --calibrate */
	struct sampleopts so;
	struct weighting wt;   /* from --alpha or --class-weight, checked against the data later */
	struct fitargs f;      /* what cv reads alike */
	struct plotarg plot;   /* --plot */
};

/* The objective at each iteration of the last fit, for --plot; whether to show progress. */
struct history {
	double *v;
	size_t n, cap;
	int last, show;
};



/* One of the command's own options: 1 when CH is one, 0 when not, -1 after a usage error. */
static int train_option(void *ctx, int ch, const char *arg)
{
	struct trainargs *a = ctx;

	switch (ch) {
	case 'o':
		a->output = arg;
		return 1;
	case OPT_MODEL:
		a->model = arg;
		return 1;
	case OPT_LOSS:
		a->loss = arg;
		return 1;
	case OPT_CLASS_WEIGHT:
		a->class_weight = arg;
		return 1;
	case OPT_VALID:
		a->valid = arg;
		return 1;
	case OPT_PLOT:
		return cli_plot(cmd, arg, &a->plot) != 0 ? -1 : 1;
	case OPT_CALIBRATE:
		if (calib_parse(arg) < 0)
			return cli_usage_error(cmd, "--calibrate: '%s' is not one of none, prior, "
			                       "temperature, auto", arg), -1;
		a->calib = (enum calib_kind)calib_parse(arg);
		return 1;
	case OPT_GAMMA:
		return cli_double(cmd, "--gamma", arg, 0, 20, &a->f.t.gamma) != 0 ? -1 : 1;
	case OPT_LAMBDA:
		if (strcmp(arg, "auto") == 0) {
			a->lambda_auto = 1;
			return 1;
		}
		a->lambda_auto = 0;
		return cli_double(cmd, "--lambda", arg, 0, 1e6, &a->lambda) != 0 ? -1 : 1;
	case OPT_ALPHA:
		if (cli_double(cmd, "--alpha", arg, 0, 1, &a->alpha) != 0)
			return -1;
		if (a->alpha <= 0 || a->alpha >= 1)
			return cli_usage_error(cmd, "--alpha: '%s' must lie strictly between 0 and 1",
			                       arg), -1;
		return 1;
	case OPT_SAMPLE:
		if (sample_parse(arg, &a->so.kind) != 0)
			return cli_usage_error(cmd, "--sample: '%s' is not one of none, over, "
			                       "under, smote, over+under", arg), -1;
		return 1;
	case OPT_SAMPLE_RATIO:
		if (cli_double(cmd, "--sample-ratio", arg, 0, 1, &a->so.ratio) != 0)
			return -1;
		if (a->so.ratio <= 0)
			return cli_usage_error(cmd, "--sample-ratio: '%s' must be above 0", arg),
			       -1;
		return 1;
	}
	return 0;
}

/* Checks the word-valued options against their choices. */
static int check_choices(struct trainargs *a)
{
	enum loss_kind loss;

	if (a->loss) {
		if (fit_parse_loss(a->loss, &loss) != 0)
			return cli_usage_error(cmd, "--loss: '%s' is not one of ce, focal", a->loss);
		a->f.t.loss = loss;
	}
	if (a->model && fit_parse_model(a->model, &a->choice) != 0)
		return cli_usage_error(cmd, "--model: '%s' is not one of logistic, softmax, auto",
		                       a->model);
	return fitargs_check(cmd, &a->f);
}

/* Warns about each option given that has no effect on this run. */
static void warn_no_effect(const struct trainargs *a)
{
	fitargs_warn_unused(&a->f, a->f.t.loss == LOSS_FOCAL, a->so.kind != SAMPLE_NONE,
	                    a->so.kind == SAMPLE_SMOTE);
	if ((a->f.given & CLI_OPT_BIT(OPT_SEED)) && a->f.t.solver == SOLVER_LBFGS &&
	    a->so.kind == SAMPLE_NONE && a->f.tune < 0 && a->calib != CALIB_TEMPERATURE &&
	    !a->lambda_auto)
		cli_no_effect("--seed", "with --solver lbfgs and --sample none: nothing is drawn at "
		              "random");
	if (FITARGS_GIVEN(&a->f, OPT_TUNE_FOLDS) && a->f.tune < 0 && a->calib != CALIB_TEMPERATURE &&
	    !a->lambda_auto)
		cli_no_effect("--tune-folds", "without --tune-decision, --calibrate temperature or "
		              "--lambda auto");
}

static void show_progress(void *ctx, int iter, double objective, double gnorm)
{
	struct history *h = ctx;

	if (h->cap) {
		/* an iteration number that does not go up starts another fit: the final fit,
		 * after those of an inner CV, is the one kept */
		if (h->n > 0 && iter <= h->last)
			h->n = 0;
		if (h->n == h->cap) {
			h->cap *= 2;
			h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
		}
		h->v[h->n++] = objective;
		h->last = iter;
	}
	if (!h->show)
		return;
	fprintf(stderr, "\rfocal: iteration %d, objective %.10g, gradient %.3g   ", iter, objective,
	        gnorm);
}

/* The configuration the options give, for the data of schema S and D. */
static int make_config(struct trainargs *a, const struct schema *s, const struct dataset *d,
                       struct fitconfig *c, struct history *h, struct ferr *e)
{
	memset(c, 0, sizeof *c);
	c->positive = fit_positive(s, d, a->f.positive, e);
	if (c->positive < 0 || fit_model_kind(a->choice, s->nclass, &c->kind, e) != 0)
		return -1;
	c->loss = a->f.t.loss;
	c->gamma = a->f.t.gamma;
	c->unresolved = &a->wt; /* checked after sampling */
	c->sample = a->so.kind;
	c->ratio = a->so.ratio;
	c->smote_k = a->f.smote_k;
	c->lambda = a->lambda;
	c->sample_seed = a->f.t.seed;
	c->solver = a->f.t;
	h->show = cli_rank == 0 &&
	          (a->f.progress > 0 || (a->f.progress == 0 && isatty(STDERR_FILENO)));
	if (a->plot.path) {
		h->cap = 256;
		h->v = xcalloc(h->cap, sizeof *h->v);
	}
	if (h->show || h->cap) {
		c->solver.progress = show_progress;
		c->solver.progress_ctx = h;
	}
	c->warn = cli_warn;
	return 0;
}

/* The model file's record of the fit; takes the class counts and weights from FR. */
static void describe(struct model *m, const struct fitconfig *c, struct fitresult *fr)
{
	m->info.count_before = fr->count_before;
	m->info.count_after = fr->count_after;
	m->info.class_weight = fr->class_weight;
	fr->count_before = fr->count_after = NULL;
	fr->class_weight = NULL;
	m->info.loss = xstrdup(fit_loss_name(c->loss));
	m->info.gamma = c->loss == LOSS_FOCAL ? c->gamma : 0;
	m->info.lambda = fr->lambda;
	m->info.solver = xstrdup(fit_solver_name(c->solver.solver));
	m->info.bias_init = xstrdup(c->solver.bias_prior ? "prior" : "zero");
	m->info.sample = xstrdup(sample_name(c->sample));
	m->info.sample_ratio = c->ratio;
	m->info.smote_k = c->smote_k;
	m->info.seed = c->solver.seed;
	m->info.objective = fr->tr.objective;
	m->info.iterations = fr->tr.iterations;
	m->info.converged = fr->tr.converged;
	m->info.calibrate = xstrdup(calib_key[fr->calib]);
	m->info.temperature = fr->temperature;
	m->dec = fr->dec;
	memset(&fr->dec, 0, sizeof fr->dec);
	m->info.path = fr->path;
	memset(&fr->path, 0, sizeof fr->path);
}

/* Scores the model on --valid, or on the training data, into REP (and FD, when not
 * NULL). */
static int score(const struct trainargs *a, const struct model *m, struct dataset *d,
                 struct dataset *valid, struct report *rep, struct figdata *fd, struct ferr *e)
{
	const struct dist *dist = a->f.r.dist;
	struct encode_opts eo;
	int ok = 1;

	if (!a->valid) {
		score_shared(dist, &m->lm, &m->dec, d, a->f.t.threads, rep, fd);
		return 0;
	}
	dataset_release(d); /* the training rows are done with: room for the others */
	memset(&eo, 0, sizeof eo);
	eo.delim = a->f.r.delim;
	eo.header = a->f.r.header;
	eo.na = a->f.r.na;
	eo.need_label = 1;
	eo.threads = a->f.t.threads;
	eo.warn = cli_warn;
	/* focal-mpi: rank 0 reads the validation file, the others score none of its rows */
	if (!dist || dist->rank == 0)
		ok = data_load_with_schema(a->valid, &m->s, &eo, valid, e) == 0;
	else
		memset(valid, 0, sizeof *valid);
	if (dist && !dist_all_ok(dist, ok)) {
		if (ok)
			dist_elsewhere(e);
		return -1;
	}
	if (!ok)
		return -1;
	score_shared(dist, &m->lm, &m->dec, valid, a->f.t.threads, rep, fd);
	return 0;
}

/* Prints the report on REP and the fit's summary to stdout; 0, or -1 with E filled. */
static int print_report(const struct trainargs *a, const struct model *m,
                        const struct fitresult *fr, const struct report *rep,
                        const struct figdata *fd, const struct history *h, struct ferr *e)
{
	char title[512];
	struct trainsummary sum;

	memset(&sum, 0, sizeof sum);
	sum.model = fit_model_name(m->lm.kind);
	sum.loss = m->info.loss;
	sum.solver = m->info.solver;
	sum.sample = m->info.sample;
	sum.gamma = m->info.gamma;
	sum.lambda = m->info.lambda;
	sum.objective = fr->tr.objective;
	sum.gnorm = fr->tr.gnorm;
	sum.seconds = fr->tr.seconds;
	sum.iterations = fr->tr.iterations;
	sum.converged = fr->tr.converged;
	sum.count_before = m->info.count_before;
	sum.count_after = m->info.count_after;
	sum.class_weight = m->info.class_weight;
	sum.calibrate = m->info.calibrate;
	sum.temperature = m->info.temperature;
	sum.dec = &m->dec;
	sum.inner_fits = fr->inner_fits;
	sum.path = &m->info.path;
	sum.evaluated_on = a->valid ? a->valid : a->so.kind != SAMPLE_NONE ?
	                   "training data (before sampling)" : "training data";
	if (report_write(stdout, a->f.fmt, m->s.classes, rep, &sum) != 0)
		return ferr_set(e, "cannot write standard output");
	if (!a->plot.path || !cli_stdout_written())
		return 0;
	snprintf(title, sizeof title, "focal train: %s loss, %s, report on %.300s",
	         m->info.loss, sum.model, sum.evaluated_on);
	return cli_plot_report(&a->plot, title, m->s.classes, rep, fd, &sum, h->v, h->n, e);
}

/*
 * focal train; with REFIT (cv --refit), the same run without the report, the warnings
 * about options or the progress, on an argument vector that getopt has not seen.
 */
static int train_main(int argc, char **argv, int refit)
{
	struct trainargs a;
	struct ferr e = { "", 1, 0 };
	struct model m;
	struct dataset d, valid;
	struct report rep;
	struct fitconfig c;
	struct fitrows rows;
	struct fitresult fr;
	struct tuneopts to;
	struct figdata fd;
	struct history hist;
	int status = 1, have_report = 0;

	memset(&a, 0, sizeof a);
	memset(&m, 0, sizeof m);
	memset(&d, 0, sizeof d);
	memset(&valid, 0, sizeof valid);
	memset(&fr, 0, sizeof fr);
	memset(&fd, 0, sizeof fd);
	memset(&hist, 0, sizeof hist);
	fitargs_init(&a.f);
	a.alpha = NAN;
	a.lambda = NAN;
	a.so.kind = SAMPLE_NONE;
	a.so.ratio = 1;
	if (refit)
		optind = 0; /* glibc: start over, as for a new vector */
	status = fitargs_parse(cmd, argc, argv, &usage_train, train_option, &a, &a.f);
	if (status != 0 || check_choices(&a) != 0)
		return status > 0 ? 0 : 2;
	if (refit)
		a.f.progress = -1;
	else
		warn_no_effect(&a);
	argc -= optind;
	argv += optind;
	if (fitargs_inputs(cmd, argc, argv) != 0)
		return 2;
	if (dist_get()) /* focal-mpi */
		a.f.r.dist = a.f.t.dist = dist_get();
	if (!isnan(a.alpha))
		weighting_alpha(a.alpha, &a.wt);
	else if (weighting_parse(a.class_weight ? a.class_weight : "none", &a.wt, &e) != 0)
		goto fail;
	a.f.r.threads = a.f.t.threads;
	if (data_load_train((const char *const *)argv, (size_t)argc, &a.f.r, &m.s, &d, &e) != 0)
		goto fail;
	if (refit)
		a.plot.path = NULL;
	if (make_config(&a, &m.s, &d, &c, &hist, &e) != 0)
		goto fail;
	if (fitargs_check_tune(cmd, &a.f, m.s.nclass) != 0) {
		status = 2;
		goto out;
	}
	memset(&rows, 0, sizeof rows);
	fitargs_tuneopts(&a.f, a.calib, a.f.t.seed, &to);
	to.lambda_auto = a.lambda_auto;
	if (fit_tuned(&d, &m.s, &rows, &c, &to, &fr, &e) != 0)
		goto fail;
	/* the fitted model, moved into the model file's */
	m.lm = fr.lm;
	memset(&fr.lm, 0, sizeof fr.lm);
	if (hist.show)
		fputc('\n', stderr);
	if (!fr.tr.converged) {
		char msg[128];

		snprintf(msg, sizeof msg, "training did not converge (%s)", cli_not_converged_hint(&c.solver));
		cli_warn(msg);
	}
	describe(&m, &c, &fr);
	m.info.cmdline = cli_cmdline(argc + optind, argv - optind);
	if (!refit) {
		/* the model file appears only once everything the run reports has succeeded */
		if (score(&a, &m, &d, &valid, &rep, a.plot.path ? &fd : NULL, &e) != 0)
			goto fail;
		have_report = 1;
		/* the figure is in place before the model: it goes if the run fails after it
		 * (a model that cannot be written, memory that runs out) */
		if (a.output)
			outfile_hold();
		if (cli_rank == 0 && print_report(&a, &m, &fr, &rep, &fd, &hist, &e) != 0)
			goto fail;
	}
	/* focal-mpi: every rank holds the model, rank 0 writes it */
	if (a.output && cli_rank == 0 && model_save(a.output, &m, &e) != 0)
		goto fail;
	outfile_settle();
	status = 0;
	goto out;
fail:
	outfile_withdraw();
	status = cli_fail(&e);
out:
	if (have_report)
		report_release(&rep);
	figdata_release(&fd);
	free(hist.v);
	fitresult_release(&fr);
	dataset_release(&valid);
	weighting_release(&a.wt);
	dataset_release(&d);
	model_release(&m);
	return status;
}

int cmd_train(int argc, char **argv)
{
	return train_main(argc, argv, 0);
}

int cmd_train_refit(int argc, char **argv)
{
	int quiet = cli_quiet, status;

	cli_quiet = 1; /* cv has given the warnings about the data */
	status = train_main(argc, argv, 1);
	cli_quiet = quiet;
	return status;
}
