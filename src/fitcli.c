/* fitcli.c: the options and warnings that focal train and focal cv share (fitcli.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitcli.h"

void fitargs_init(struct fitargs *a)
{
	memset(a, 0, sizeof *a);
	readopts_init(&a->r);
	a->r.warn = cli_warn;
	fit_defaults(&a->t);
	a->smote_k = 5;
	a->tune = -1;
	a->tune_folds = 5;
}

/* One option of those train and cv read alike: 1 when CH is one, 0 when not, -1 after an error. */
static int fitargs_option(const char *command, int ch, const char *arg, struct fitargs *a)
{
	long v;
	int r;

	if (ch >= OPT_DROP && ch < OPT_COEF)
		a->given |= CLI_OPT_BIT(ch);
	r = cli_read_option(command, ch, arg, &a->r);
	if (r == 0)
		r = cli_solver_option(command, ch, arg, &a->t, &a->have_lr);
	if (r != 0)
		return r;
	switch (ch) {
	case OPT_POSITIVE:
		a->positive = arg;
		return 1;
	case OPT_FORMAT:
		return cli_format(command, arg, &a->fmt) != 0 ? -1 : 1;
	case OPT_PROGRESS:
		a->progress = 1;
		return 1;
	case OPT_SMOTE_K:
		if (cli_long(command, "--smote-k", arg, 1, 1000, &v) != 0)
			return -1;
		a->smote_k = (int)v;
		return 1;
	case OPT_TUNE_DECISION:
		a->tune = decision_parse_metric(arg);
		if (a->tune < 0)
			return cli_usage_error(command, "--tune-decision: '%s' is not one of macro_f1, "
			                       "balanced_accuracy, mcc, gmean, f1", arg), -1;
		return 1;
	case OPT_TUNE_FOLDS:
		return cli_long(command, "--tune-folds", arg, 2, 100, &a->tune_folds) != 0 ? -1 : 1;
	case 'q':
		cli_quiet = 1;
		return 1;
	}
	return 0;
}

int fitargs_parse(const char *command, int argc, char **argv, const struct cli_usage *u,
                  int (*own)(void *ctx, int ch, const char *arg), void *ctx, struct fitargs *a)
{
	struct cli_getopt g;
	int ch, r;

	cli_getopt_init(&g, u);
	while ((ch = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		r = fitargs_option(command, ch, optarg, a);
		if (r == 0)
			r = own(ctx, ch, optarg);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (ch == 'h') {
			cli_usage_write(stdout, u);
			return 1;
		}
		cli_bad_option(command, argv, g.longopts);
		return -1;
	}
	return 0;
}

int fitargs_check(const char *command, struct fitargs *a)
{
	if (FITARGS_GIVEN(a, OPT_ALPHA) && FITARGS_GIVEN(a, OPT_CLASS_WEIGHT))
		return cli_usage_error(command, "--alpha and --class-weight cannot be used together");
	cli_solver_defaults(&a->t, a->have_lr);
	return 0;
}

void fitargs_warn_unused(const struct fitargs *a, int focal, int sampled, int smote)
{
	static const struct {
		int opt;
		const char *name;
	} stochastic[] = {
		{ OPT_EPOCHS, "--epochs" }, { OPT_BATCH_SIZE, "--batch-size" }, { OPT_LR, "--lr" },
	};
	size_t i;

	if ((a->given & CLI_OPT_BIT(OPT_GAMMA)) && !focal)
		cli_no_effect("--gamma", "with --loss ce");
	if ((a->given & CLI_OPT_BIT(OPT_SAMPLE_RATIO)) && !sampled)
		cli_no_effect("--sample-ratio", "with --sample none");
	if ((a->given & CLI_OPT_BIT(OPT_SMOTE_K)) && !smote)
		cli_no_effect("--smote-k", "without --sample smote");
	for (i = 0; i < sizeof stochastic / sizeof stochastic[0]; i++)
		if ((a->given & CLI_OPT_BIT(stochastic[i].opt)) && a->t.solver == SOLVER_LBFGS)
			cli_no_effect(stochastic[i].name, "with --solver lbfgs");
	if ((a->given & CLI_OPT_BIT(OPT_MAX_ITER)) && a->t.solver != SOLVER_LBFGS)
		cli_no_effect("--max-iter", a->t.solver == SOLVER_SGD ? "with --solver sgd (see --epochs)"
		                                                     : "with --solver adam (see --epochs)");
}

int fitargs_check_tune(const char *command, const struct fitargs *a, size_t nclass)
{
	if (a->tune == DM_F1 && nclass != 2)
		return cli_usage_error(command, "--tune-decision f1 needs two classes; the data have "
		                       "%zu (try macro_f1)", nclass), -1;
	return 0;
}

void fitargs_tuneopts(const struct fitargs *a, enum calib_kind calibrate, uint64_t seed,
                      struct tuneopts *t)
{
	memset(t, 0, sizeof *t);
	t->calibrate = calibrate;
	t->metric = a->tune;
	t->folds = (size_t)a->tune_folds;
	t->seed = seed;
	t->standardize = a->r.standardize;
}

int fitargs_inputs(const char *command, int argc, char **argv)
{
	int i, stdin_seen = 0;

	if (argc < 1)
		return cli_usage_error(command, "no input FILE");
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && stdin_seen++)
			return cli_usage_error(command, "standard input ('-') is given twice");
	return 0;
}
