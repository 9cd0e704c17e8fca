/* cvrefit.c: the focal train command of a cv configuration (cvrefit.h). */
#include "cvrefit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

/* An argument vector being built. */
struct args {
	char **v;
	size_t n;
};

static void push(struct args *a, const char *s)
{
	a->v = xreallocarray(a->v, a->n + 2, sizeof *a->v);
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

/* Pushes OPT and X written as the shortest decimal that reads back as X. */
static void push_number(struct args *a, const char *opt, double x)
{
	char buf[40];

	fmt_roundtrip(buf, sizeof buf, x);
	push(a, opt);
	push(a, buf);
}

/* 1 for the options of cv that train takes as they are. */
static int passed_on(int code, const struct cvconfig *c)
{
	switch (code) {
	case 'y': case 'd': case OPT_DROP: case OPT_CATEGORICAL: case OPT_NO_HEADER: case OPT_NA:
	case OPT_MAX_CATEGORIES: case OPT_WEIGHT: case OPT_NO_STANDARDIZE: case OPT_MEMORY:
	case OPT_CACHE:
	case OPT_SOLVER: case OPT_TOL: case OPT_MAX_ITER: case OPT_EPOCHS: case OPT_BATCH_SIZE:
	case OPT_LR: case OPT_BIAS_INIT: case OPT_SEED: case OPT_POSITIVE:
	case OPT_TUNE_DECISION: case OPT_TUNE_FOLDS:
		return 1;
	case OPT_SMOTE_K:
		return c->sample == SAMPLE_SMOTE;
	}
	return 0;
}

char **cvrefit_argv(int argc, char **argv, const struct cvconfig *c, const char *model,
                    char *const *files, size_t nfiles, size_t *argc_out)
{
	struct cli_getopt g;
	struct args a = { NULL, 0 };
	const struct cli_opt *o;
	size_t i;
	int ch;

	push(&a, "train");
	cli_getopt_init(&g, &usage_cv);
	optind = 0; /* glibc: start over */
	while ((ch = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		if (!passed_on(ch, c))
			continue;
		for (o = usage_cv.opts; o->name && o->code != ch; o++)
			;
		if (!o->name)
			continue;
		if (ch < 256) {
			char s[3] = { '-', (char)ch, '\0' };

			push(&a, s);
		} else {
			char *s = xmalloc(strlen(o->name) + 3);

			sprintf(s, "--%s", o->name);
			push(&a, s);
			free(s);
		}
		if (o->has_arg == required_argument)
			push(&a, optarg);
	}
	if (c->choice != CHOOSE_AUTO) {
		push(&a, "--model");
		push(&a, fit_choice_name(c->choice));
	}
	if (c->loss == LOSS_FOCAL) {
		push(&a, "--loss");
		push(&a, "focal");
		push_number(&a, "--gamma", c->gamma);
	}
	if (c->wt->kind == WEIGHT_ALPHA) {
		push_number(&a, "--alpha", c->wt->alpha);
	} else if (c->wt->kind != WEIGHT_NONE) {
		push(&a, "--class-weight");
		push(&a, c->wt->text);
	}
	if (c->sample != SAMPLE_NONE) {
		push(&a, "--sample");
		push(&a, sample_name(c->sample));
		if (c->ratio != 1)
			push_number(&a, "--sample-ratio", c->ratio);
	}
	if (c->lambda == CV_LAMBDA_AUTO) {
		push(&a, "--lambda");
		push(&a, "auto");
	} else if (!isnan(c->lambda)) {
		push_number(&a, "--lambda", c->lambda);
	}
	if (c->calib != CALIB_AUTO) {
		push(&a, "--calibrate");
		push(&a, calib_key[c->calib]);
	}
	push(&a, "-o");
	push(&a, model);
	for (i = 0; i < nfiles; i++)
		if (files[i][0] == '-')
			break;
	if (i < nfiles)
		push(&a, "--");
	for (i = 0; i < nfiles; i++)
		push(&a, files[i]);
	*argc_out = a.n;
	return a.v;
}
