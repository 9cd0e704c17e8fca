/* cmd_train.c: focal train. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "model.h"
#include "sample.h"
#include "score.h"
#include "weights.h"

static const char cmd[] = "train";

struct trainargs {
	const char *output, *valid, *positive, *class_weight, *model, *loss;
	double alpha;          /* NAN when not given */
	double lambda;         /* NAN: 1/n */
	int have_lr, progress;
	uint64_t given;        /* CLI_OPT_BIT of each long option given */
	struct sampleopts so;
	struct weighting wt;       /* from --alpha or --class-weight, checked against the data later */
	enum outfmt fmt;
	struct trainopts t;
	struct readopts r;
};

/* Reads the options into A; returns 0, 1 after printing the usage (-h), or -1 after a
 * usage error. */
static int parse_args(int argc, char **argv, struct trainargs *a)
{
	struct cli_getopt g;
	int ch, r;
	long v;

	cli_getopt_init(&g, &usage_train);
	while ((ch = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		if (ch >= OPT_DROP && ch <= OPT_SAVE_FOLDS)
			a->given |= CLI_OPT_BIT(ch);
		r = cli_read_option(cmd, ch, optarg, &a->r);
		if (r == 0)
			r = cli_solver_option(cmd, ch, optarg, &a->t, &a->have_lr);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (ch) {
		case 'o':
			a->output = optarg;
			break;
		case OPT_MODEL:
			a->model = optarg;
			break;
		case OPT_LOSS:
			a->loss = optarg;
			break;
		case OPT_GAMMA:
			if (cli_double(cmd, "--gamma", optarg, 0, 20, &a->t.gamma) != 0)
				return -1;
			break;
		case OPT_ALPHA:
			if (cli_double(cmd, "--alpha", optarg, 0, 1, &a->alpha) != 0)
				return -1;
			if (a->alpha <= 0 || a->alpha >= 1)
				return cli_usage_error(cmd, "--alpha: '%s' must lie strictly between 0 and 1",
				                       optarg), -1;
			break;
		case OPT_CLASS_WEIGHT:
			a->class_weight = optarg;
			break;
		case OPT_POSITIVE:
			a->positive = optarg;
			break;
		case OPT_LAMBDA:
			if (cli_double(cmd, "--lambda", optarg, 0, 1e6, &a->lambda) != 0)
				return -1;
			break;
		case OPT_SAMPLE:
			if (sample_parse(optarg, &a->so.kind) != 0)
				return cli_usage_error(cmd, "--sample: '%s' is not one of none, over, "
				                       "under, smote, over+under", optarg), -1;
			break;
		case OPT_SAMPLE_RATIO:
			if (cli_double(cmd, "--sample-ratio", optarg, 0, 1, &a->so.ratio) != 0)
				return -1;
			if (a->so.ratio <= 0)
				return cli_usage_error(cmd, "--sample-ratio: '%s' must be above 0", optarg),
				       -1;
			break;
		case OPT_SMOTE_K:
			if (cli_long(cmd, "--smote-k", optarg, 1, 1000, &v) != 0)
				return -1;
			a->so.smote_k = (int)v;
			break;
		case OPT_VALID:
			a->valid = optarg;
			break;
		case OPT_FORMAT:
			if (cli_format(cmd, optarg, &a->fmt) != 0)
				return -1;
			break;
		case OPT_PROGRESS:
			a->progress = 1;
			break;
		case 'q':
			cli_quiet = 1;
			break;
		case 'h':
			cli_usage_write(stdout, &usage_train);
			return 1;
		default:
			cli_bad_option(cmd, argv, g.longopts);
			return -1;
		}
	}
	return 0;
}

/* Checks the word-valued options against their choices. */
static int check_choices(struct trainargs *a)
{
	if (a->loss) {
		if (strcmp(a->loss, "ce") == 0)
			a->t.loss = LOSS_CE;
		else if (strcmp(a->loss, "focal") == 0)
			a->t.loss = LOSS_FOCAL;
		else
			return cli_usage_error(cmd, "--loss: '%s' is not one of ce, focal", a->loss);
	}
	if (a->model && strcmp(a->model, "auto") != 0 && strcmp(a->model, "logistic") != 0 &&
	    strcmp(a->model, "softmax") != 0)
		return cli_usage_error(cmd, "--model: '%s' is not one of logistic, softmax, auto",
		                       a->model);
	if (!isnan(a->alpha) && a->class_weight)
		return cli_usage_error(cmd, "--alpha and --class-weight cannot be used together");
	cli_solver_defaults(&a->t, a->have_lr);
	return 0;
}

/* Warns about each option given that has no effect on this run. */
static void warn_no_effect(const struct trainargs *a)
{
	static const struct {
		int opt;
		const char *name;
	} stochastic[] = {
		{ OPT_EPOCHS, "--epochs" }, { OPT_BATCH_SIZE, "--batch-size" }, { OPT_LR, "--lr" },
	};
	size_t i;

	if ((a->given & CLI_OPT_BIT(OPT_GAMMA)) && a->t.loss != LOSS_FOCAL)
		cli_no_effect("--gamma", "with --loss ce");
	if ((a->given & CLI_OPT_BIT(OPT_SAMPLE_RATIO)) && a->so.kind == SAMPLE_NONE)
		cli_no_effect("--sample-ratio", "with --sample none");
	if ((a->given & CLI_OPT_BIT(OPT_SMOTE_K)) && a->so.kind != SAMPLE_SMOTE)
		cli_no_effect("--smote-k", "without --sample smote");
	for (i = 0; i < sizeof stochastic / sizeof stochastic[0]; i++)
		if ((a->given & CLI_OPT_BIT(stochastic[i].opt)) && a->t.solver == SOLVER_LBFGS)
			cli_no_effect(stochastic[i].name, "with --solver lbfgs");
	if ((a->given & CLI_OPT_BIT(OPT_MAX_ITER)) && a->t.solver != SOLVER_LBFGS)
		cli_no_effect("--max-iter", a->t.solver == SOLVER_SGD ? "with --solver sgd (see --epochs)"
		                                                     : "with --solver adam (see --epochs)");
	if ((a->given & CLI_OPT_BIT(OPT_SEED)) && a->t.solver == SOLVER_LBFGS &&
	    a->so.kind == SAMPLE_NONE)
		cli_no_effect("--seed", "with --solver lbfgs and --sample none: nothing is drawn at "
		              "random");
}


static void show_progress(void *ctx, int iter, double objective, double gnorm)
{
	(void)ctx;
	fprintf(stderr, "\rfocal: iteration %d, objective %.10g, gradient %.3g   ", iter, objective,
	        gnorm);
}

static const char *loss_name(enum loss_kind k)
{
	return k == LOSS_FOCAL ? "focal" : "ce";
}

static const char *solver_name(enum solver_kind k)
{
	return k == SOLVER_SGD ? "sgd" : k == SOLVER_ADAM ? "adam" : "lbfgs";
}

int cmd_train(int argc, char **argv)
{
	struct trainargs a;
	struct ferr e = { "", 1 };
	struct model m;
	struct dataset d, valid, sampled, *fit;
	struct report rep;
	struct trainresult res;
	struct trainset ts;
	struct trainsummary sum;
	const char *path;
	int status = 1, positive, have_report = 0;
	enum model_kind kind;

	memset(&a, 0, sizeof a);
	memset(&m, 0, sizeof m);
	memset(&d, 0, sizeof d);
	memset(&valid, 0, sizeof valid);
	memset(&sampled, 0, sizeof sampled);
	memset(&res, 0, sizeof res);
	readopts_init(&a.r);
	a.r.warn = cli_warn;
	a.alpha = NAN;
	a.lambda = NAN;
	a.t.gamma = 2;
	a.t.tol = NAN; /* the solver's default */
	a.t.max_iter = 1000;
	a.t.epochs = 0; /* the solver plans them */
	a.t.batch_size = 256;
	a.t.bias_prior = 1;
	a.t.seed = 1;
	a.t.threads = ncores();
	a.so.kind = SAMPLE_NONE;
	a.so.ratio = 1;
	a.so.smote_k = 5;
	status = parse_args(argc, argv, &a);
	if (status != 0 || check_choices(&a) != 0)
		return status > 0 ? 0 : 2;
	warn_no_effect(&a);
	argc -= optind;
	argv += optind;
	if (argc != 1)
		return cli_usage_error(cmd, argc ? "too many arguments" : "no input FILE");
	path = argv[0];
	if (!isnan(a.alpha))
		weighting_alpha(a.alpha, &a.wt);
	else if (weighting_parse(a.class_weight ? a.class_weight : "none", &a.wt, &e) != 0)
		goto fail;
	a.r.threads = a.t.threads;
	if (data_load_train(path, &a.r, &m.s, &d, &e) != 0)
		goto fail;
	positive = positive_class(m.s.classes, m.s.nclass, d.count, a.positive, "the data", &e);
	if (positive < 0)
		goto fail;
	kind = m.s.nclass == 2 ? MODEL_LOGISTIC : MODEL_SOFTMAX;
	if (a.model && strcmp(a.model, "softmax") == 0)
		kind = MODEL_SOFTMAX;
	if (a.model && strcmp(a.model, "logistic") == 0) {
		if (m.s.nclass != 2) {
			ferr_usage(&e, "--model logistic needs two classes; the data has %zu", m.s.nclass);
			goto fail;
		}
		kind = MODEL_LOGISTIC;
	}

	a.so.seed = a.t.seed;
	a.so.threads = a.t.threads;
	a.so.s = &m.s;
	a.so.warn = cli_warn;
	fit = &d;
	if (a.so.kind != SAMPLE_NONE) {
		if (sample_dataset(&d, m.s.nclass, &a.so, &sampled, &e) != 0)
			goto fail;
		fit = &sampled;
	}
	m.info.count_before = xcalloc(m.s.nclass, sizeof *m.info.count_before);
	m.info.count_after = xcalloc(m.s.nclass, sizeof *m.info.count_after);
	m.info.class_weight = xcalloc(m.s.nclass, sizeof *m.info.class_weight);
	memcpy(m.info.count_before, d.count, m.s.nclass * sizeof *d.count);
	memcpy(m.info.count_after, fit->count, m.s.nclass * sizeof *d.count);
	if (weighting_resolve(&a.wt, &m.s, &e) != 0)
		goto fail;
	weighting_apply(&a.wt, m.s.nclass, m.info.count_after, positive, m.info.class_weight);

	a.t.model = kind;
	a.t.positive = positive;
	a.t.lambda = isnan(a.lambda) ? 1.0 / (double)fit->n : a.lambda;
	a.t.class_weight = m.info.class_weight;
	if (a.progress || isatty(STDERR_FILENO)) {
		a.t.progress = show_progress;
		a.t.progress_ctx = NULL;
	}
	memset(&ts, 0, sizeof ts);
	ts.n = fit->n;
	ts.dim = fit->dim;
	ts.nclass = m.s.nclass;
	ts.x = fit->x;
	ts.y = fit->y;
	ts.roww = fit->roww;
	linmodel_init(&m.lm, kind, m.s.nclass, d.dim, positive);
	if (train(&ts, &a.t, &m.lm, &res, &e) != 0)
		goto fail;
	if (a.t.progress)
		fputc('\n', stderr);
	if (!res.converged) {
		char msg[128];

		snprintf(msg, sizeof msg, "training did not converge (%s)", cli_not_converged_hint(&a.t));
		cli_warn(msg);
	}

	m.info.loss = xstrdup(loss_name(a.t.loss));
	m.info.gamma = a.t.loss == LOSS_FOCAL ? a.t.gamma : 0;
	m.info.lambda = a.t.lambda;
	m.info.solver = xstrdup(solver_name(a.t.solver));
	m.info.bias_init = xstrdup(a.t.bias_prior ? "prior" : "zero");
	m.info.sample = xstrdup(sample_name(a.so.kind));
	m.info.sample_ratio = a.so.ratio;
	m.info.smote_k = a.so.smote_k;
	m.info.seed = a.t.seed;
	m.info.objective = res.objective;
	m.info.iterations = res.iterations;
	m.info.converged = res.converged;
	m.info.cmdline = cli_cmdline(argc + optind, argv - optind);
	if (a.output && model_save(a.output, &m, &e) != 0)
		goto fail;

	if (a.valid) {
		struct encode_opts eo;

		memset(&eo, 0, sizeof eo);
		eo.delim = a.r.delim;
		eo.header = a.r.header;
		eo.na = a.r.na;
		eo.need_label = 1;
		eo.threads = a.t.threads;
		eo.warn = cli_warn;
		if (data_load_with_schema(a.valid, &m.s, &eo, &valid, &e) != 0)
			goto fail;
		score_dataset(&m.lm, &valid, &rep);
	} else {
		score_dataset(&m.lm, &d, &rep);
	}
	have_report = 1;
	memset(&sum, 0, sizeof sum);
	sum.model = kind == MODEL_LOGISTIC ? "logistic" : "softmax";
	sum.loss = m.info.loss;
	sum.solver = m.info.solver;
	sum.sample = m.info.sample;
	sum.gamma = m.info.gamma;
	sum.lambda = m.info.lambda;
	sum.objective = res.objective;
	sum.gnorm = res.gnorm;
	sum.seconds = res.seconds;
	sum.iterations = res.iterations;
	sum.converged = res.converged;
	sum.count_before = m.info.count_before;
	sum.count_after = m.info.count_after;
	sum.class_weight = m.info.class_weight;
	sum.evaluated_on = a.valid ? a.valid : a.so.kind != SAMPLE_NONE ?
	                   "training data (before sampling)" : "training data";
	if (report_write(stdout, a.fmt, m.s.classes, &rep, &sum) != 0) {
		ferr_set(&e, "cannot write standard output");
		goto fail;
	}
	status = 0;
	goto out;
fail:
	status = cli_fail(&e);
out:
	if (have_report)
		report_release(&rep);
	dataset_release(&valid);
	dataset_release(&sampled);
	weighting_release(&a.wt);
	dataset_release(&d);
	model_release(&m);
	return status;
}
