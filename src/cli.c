/* cli.c: helpers shared by the command files. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_quiet;

void cli_message(const char *msg)
{
	/* a message quotes labels, names, values and file names: escaped for the terminal */
	fputs("focal: ", stderr);
	esc_put(stderr, msg);
	fputc('\n', stderr);
}

void cli_warn(const char *msg)
{
	if (!cli_quiet)
		cli_message(msg);
}

void cli_no_effect(const char *option, const char *why)
{
	if (!cli_quiet)
		fprintf(stderr, "focal: %s has no effect %s\n", option, why);
}

int cli_fail(const struct ferr *e)
{
	cli_message(e->msg);
	return e->status ? e->status : 1;
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	msg = xmalloc(len > 0 ? (size_t)len + 1 : 1);
	msg[0] = '\0';
	va_start(ap, fmt);
	if (len > 0)
		vsnprintf(msg, (size_t)len + 1, fmt, ap);
	va_end(ap);
	cli_message(msg);
	free(msg);
	fprintf(stderr, "focal: run 'focal %s -h' for usage\n", command);
	return 2;
}

int cli_bad_option(const char *command, char *const *argv, const struct option *longopts)
{
	const char *a = optind > 0 && argv[optind - 1] ? argv[optind - 1] : "";
	const struct option *o, *hit = NULL;
	size_t n, matches = 0;

	/* getopt moves optind past a long option it refuses; a short one may be inside a
	 * group ("-qZ"), so optopt names it */
	if (strncmp(a, "--", 2) == 0 && a[2]) {
		n = strcspn(a + 2, "=");
		for (o = longopts; o->name; o++) {
			if (strncmp(o->name, a + 2, n) != 0)
				continue;
			if (strlen(o->name) == n) {
				hit = o;
				matches = 1;
				break;
			}
			if (!hit || o->val != hit->val || o->has_arg != hit->has_arg)
				matches++;
			if (!hit)
				hit = o;
		}
		if (matches == 0 && optopt == 0)
			return cli_usage_error(command, "%s: unknown option '%.*s'", command,
			                       (int)(n + 2), a);
		if (matches > 1 && optopt == 0) {
			char list[512];
			size_t len = 0;

			list[0] = '\0';
			for (o = longopts; o->name && len < sizeof list - 1; o++)
				if (strncmp(o->name, a + 2, n) == 0)
					len += (size_t)snprintf(list + len, sizeof list - len, "%s--%s",
					                        len ? ", " : "", o->name);
			return cli_usage_error(command, "%s: option '%.*s' is ambiguous (%s)", command,
			                       (int)(n + 2), a, list);
		}
		if (matches == 1 && optopt == hit->val) {
			if (a[2 + n] == '=' && hit->has_arg == no_argument)
				return cli_usage_error(command, "%s: --%s takes no value", command, hit->name);
			if (a[2 + n] != '=' && hit->has_arg == required_argument && !argv[optind])
				return cli_usage_error(command, "%s: --%s needs a value", command, hit->name);
		}
	}
	if (optopt > 0 && optopt < 256) {
		size_t len = strlen(a);

		/* a short option's value is missing only at the end of the last argument */
		for (o = longopts; o->name; o++)
			if (o->val == optopt && o->has_arg == required_argument && !argv[optind] &&
			    len > 1 && a[0] == '-' && a[1] != '-' && (unsigned char)a[len - 1] == optopt)
				return cli_usage_error(command, "%s: -%c needs a value", command, optopt);
		return cli_usage_error(command, "%s: unknown option '-%c'", command, optopt);
	}
	return cli_usage_error(command, "%s: unknown option '%s'", command, a);
}

int cli_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "focal: cannot write standard output: %s\n", strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

int cli_double(const char *command, const char *opt, const char *arg, double lo, double hi,
               double *out)
{
	double v;

	if (parse_double(arg, &v) != 0 || v < lo || v > hi) {
		cli_usage_error(command, "%s: '%s' is not a number in [%g, %g]", opt, arg, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_long(const char *command, const char *opt, const char *arg, long lo, long hi, long *out)
{
	if (parse_long(arg, lo, hi, out) != 0) {
		cli_usage_error(command, "%s: '%s' is not an integer in [%ld, %ld]", opt, arg, lo, hi);
		return -1;
	}
	return 0;
}

int cli_format(const char *command, const char *arg, enum outfmt *f)
{
	if (outfmt_parse(arg, f) != 0) {
		cli_usage_error(command, "--format: '%s' is not one of table, tsv, json", arg);
		return -1;
	}
	return 0;
}

int cli_read_option(const char *command, int ch, const char *arg, struct readopts *o)
{
	long v;

	switch (ch) {
	case 'y':
		o->target = arg;
		return 1;
	case 'd':
		if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0) {
			o->delim = '\t';
			return 1;
		}
		if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r') {
			cli_usage_error(command, "-d: '%s' is not a single delimiter character", arg);
			return -1;
		}
		o->delim = (unsigned char)arg[0];
		return 1;
	case OPT_DROP:
		o->drop = arg;
		return 1;
	case OPT_CATEGORICAL:
		o->categorical = arg;
		return 1;
	case OPT_NO_HEADER:
		o->header = 0;
		return 1;
	case OPT_NA:
		o->na = arg;
		return 1;
	case OPT_MAX_CATEGORIES:
		if (cli_long(command, "--max-categories", arg, 1, 1000000, &v) != 0)
			return -1;
		o->max_categories = (size_t)v;
		return 1;
	case OPT_WEIGHT:
		o->weight = arg;
		return 1;
	case OPT_NO_STANDARDIZE:
		o->standardize = 0;
		return 1;
	}
	return 0;
}

int cli_solver_option(const char *command, int ch, const char *arg, struct trainopts *t,
                      int *have_lr)
{
	long v;

	switch (ch) {
	case OPT_TOL:
		return cli_double(command, "--tol", arg, 0, 1e6, &t->tol) ? -1 : 1;
	case OPT_MAX_ITER:
		if (cli_long(command, "--max-iter", arg, 0, 100000000, &v) != 0)
			return -1;
		t->max_iter = (int)v;
		return 1;
	case OPT_EPOCHS:
		if (cli_long(command, "--epochs", arg, 1, 100000000, &v) != 0)
			return -1;
		t->epochs = (int)v;
		return 1;
	case OPT_BATCH_SIZE:
		if (cli_long(command, "--batch-size", arg, 1, 1000000000, &v) != 0)
			return -1;
		t->batch_size = (size_t)v;
		return 1;
	case OPT_LR:
		if (cli_double(command, "--lr", arg, 1e-12, 1e6, &t->lr) != 0)
			return -1;
		*have_lr = 1;
		return 1;
	case OPT_SEED:
		if (cli_long(command, "--seed", arg, 0, 0x7fffffffL, &v) != 0)
			return -1;
		t->seed = (uint64_t)v;
		return 1;
	case OPT_THREADS:
		if (cli_long(command, "--threads", arg, 1, 1024, &v) != 0)
			return -1;
		t->threads = (int)v;
		return 1;
	case OPT_SOLVER:
		if (strcmp(arg, "lbfgs") == 0)
			t->solver = SOLVER_LBFGS;
		else if (strcmp(arg, "sgd") == 0)
			t->solver = SOLVER_SGD;
		else if (strcmp(arg, "adam") == 0)
			t->solver = SOLVER_ADAM;
		else
			return cli_usage_error(command, "--solver: '%s' is not one of lbfgs, sgd, adam",
			                       arg), -1;
		return 1;
	case OPT_BIAS_INIT:
		if (strcmp(arg, "prior") == 0 || strcmp(arg, "zero") == 0)
			t->bias_prior = strcmp(arg, "prior") == 0;
		else
			return cli_usage_error(command, "--bias-init: '%s' is not one of prior, zero",
			                       arg), -1;
		return 1;
	}
	return 0;
}

void cli_solver_defaults(struct trainopts *t, int have_lr)
{
	if (!have_lr)
		t->lr = t->solver == SOLVER_SGD ? 0.1 : 0.01;
	if (isnan(t->tol))
		t->tol = t->solver == SOLVER_LBFGS ? 1e-4 : 5e-3;
}

const char *cli_not_converged_hint(const struct trainopts *t)
{
	return t->solver == SOLVER_LBFGS ? "raise --max-iter, or loosen --tol"
	                                 : "raise --epochs, or change --lr or --batch-size";
}

/* Is A --threads, --threads=N or an abbreviation getopt_long takes for them (--th...)? */
static int threads_option(const char *a)
{
	size_t n = strcspn(a, "=");

	return n >= 4 && n <= 9 && strncmp(a, "--threads", n) == 0;
}

char *cli_cmdline(int argc, char **argv)
{
	size_t len = 8, i;
	char *s, *p;
	int options = 1;

	for (i = 0; i < (size_t)argc; i++)
		len += 3 + 4 * strlen(argv[i]);
	s = p = xmalloc(len);
	p = stpcpy(p, "focal");
	for (i = 0; i < (size_t)argc; i++) {
		const char *a = argv[i];

		if (options && strcmp(a, "--") == 0)
			options = 0;
		if (options && i > 0 && threads_option(a)) {
			i += !strchr(a, '='); /* and its value */
			continue;
		}

		*p++ = ' ';
		if (*a && !strpbrk(a, " \t\n'\"\\$`*?;&|<>()")) {
			p = stpcpy(p, a);
			continue;
		}
		*p++ = '\'';
		for (; *a; a++) {
			if (*a == '\'') {
				p = stpcpy(p, "'\\''");
				continue;
			}
			*p++ = *a;
		}
		*p++ = '\'';
		*p = '\0';
	}
	return s;
}

#define READ_HELP                                                                          \
	"  -y, --target COL        label column, by name or 1-based index (default: last)\n"  \
	"      --drop COLS         columns to ignore (comma-separated names or indices)\n"    \
	"      --categorical COLS  read these columns as categories even when numeric\n"     \
	"  -d, --delimiter C       field delimiter (default: comma; tab for .tsv files)\n"    \
	"      --no-header         the first row is data; columns are named 1, 2, ...\n"      \
	"      --na LIST           missing-value tokens (default: empty,NA,N/A,?,NaN,null)\n" \
	"      --max-categories N  most distinct values of a text column (default: 100)\n"    \
	"      --weight COL        multiply each row's weight by this column\n"               \
	"      --no-standardize    do not scale numeric features\n"

const char usage_train[] =
	"usage: focal train [options] FILE\n"
	"Train a linear model on FILE (CSV, '-' for stdin, gzip allowed), report per-class\n"
	"metrics and optionally save the model.\n\n"
	"  -o, --output MODEL      write the model here (gzip when MODEL ends in .gz)\n"
	READ_HELP
	"      --model M           logistic, softmax or auto (default: auto)\n"
	"      --loss L            ce or focal (default: ce)\n"
	"      --gamma G           focal loss gamma, 0 to 20 (default: 2)\n"
	"      --alpha A           two classes: weight A for the positive class, 1-A for the other\n"
	"      --class-weight W    none, balanced or LABEL=W,... (default: none)\n"
	"      --positive LABEL    two classes: the positive class (default: the less frequent)\n"
	"      --lambda L          L2 strength (default: 1/n, n training rows)\n"
	"      --solver S          lbfgs, sgd or adam (default: lbfgs)\n"
	"      --tol T             stop when the gradient, rare inputs weighted up, is T times\n"
	"                          its size at the start (default: 1e-4; sgd/adam: 5e-3)\n"
	"      --max-iter N        lbfgs iterations (default: 1000)\n"
	"      --epochs N          sgd/adam passes over the data (default: enough for 5000\n"
	"                          steps, at least 10)\n"
	"      --batch-size N      sgd/adam rows per step (default: 256)\n"
	"      --lr R              sgd/adam step size (default: 0.01 adam, 0.1 sgd)\n"
	"      --bias-init B       prior (log class priors) or zero (default: prior)\n"
	"      --sample S          none, over, under, smote or over+under (default: none)\n"
	"      --sample-ratio R    after sampling the smallest class has at least R times the\n"
	"                          rows of the largest, 0 < R <= 1 (default: 1)\n"
	"      --smote-k K         neighbours for smote (default: 5)\n"
	"      --seed N            seed of every random choice (default: 1)\n"
	"      --threads N         threads for the gradient pass (default: all cores)\n"
	"      --valid FILE        report on FILE instead of the training data\n"
	"      --format F          table, tsv or json (default: table)\n"
	"      --progress          show progress on stderr even when it is not a terminal\n"
	"  -q, --quiet             no warnings\n"
	"  -h, --help              this help\n";

const char usage_predict[] =
	"usage: focal predict -m MODEL [options] [FILE]\n"
	"Write predictions for FILE (default: stdin) as CSV: 'predicted', then p_<label>\n"
	"for each class.\n\n"
	"  -m, --model MODEL       the model file\n"
	"  -o, --output FILE       write here instead of stdout\n"
	"      --keep COLS         copy these input columns in front (comma-separated)\n"
	"      --threshold T       two classes: positive when its probability >= T (default: 0.5)\n"
	"  -d, --delimiter C       field delimiter of FILE\n"
	"      --no-header         FILE has no header row (columns are named 1, 2, ...)\n"
	"      --na LIST           missing-value tokens (default: the model's)\n"
	"  -q, --quiet             no warnings\n"
	"  -h, --help              this help\n";

const char usage_eval[] =
	"usage: focal eval -m MODEL [options] FILE\n"
	"       focal eval --truth COL [--pred COL] [options] FILE\n"
	"Per-class report for a model on labelled data, or for a predictions CSV.\n\n"
	"  -m, --model MODEL       score FILE with this model (FILE holds the label column)\n"
	"      --truth COL         predictions CSV: column of true labels\n"
	"      --pred COL          predictions CSV: column of predicted labels (default: predicted)\n"
	"      --threshold T       two classes: positive when its probability >= T (default: 0.5)\n"
	"      --positive LABEL    with --truth, two classes: the positive class (default: the\n"
	"                          less frequent true label; -m uses the model's)\n"
	"  -d, --delimiter C       field delimiter of FILE\n"
	"      --no-header         FILE has no header row\n"
	"      --na LIST           missing-value tokens\n"
	"      --format F          table, tsv or json (default: table)\n"
	"  -q, --quiet             no warnings\n"
	"  -h, --help              this help\n";

const char usage_cv[] =
	"usage: focal cv -k K [--repeat R] [--seed N] [options] FILE\n"
	"Stratified K-fold cross-validation: every configuration is trained and scored on the\n"
	"same folds; one row per configuration with the mean and standard deviation over the\n"
	"folds, sorted by --metric.  The options marked [list] take comma-separated values and\n"
	"may be repeated to add more; every meaningful combination is one configuration, and\n"
	"the first value of every list makes the baseline.\n\n"
	"  -k, --folds K           number of folds, 2 to the number of rows\n"
	"      --repeat R          repeat with R different fold splits (default: 1)\n"
	READ_HELP
	"      --model M           [list] logistic, softmax or auto (default: auto)\n"
	"      --loss L            [list] ce or focal (default: ce)\n"
	"      --gamma G           [list] focal loss gamma, 0 to 20 (default: 2)\n"
	"      --alpha A           [list] two classes: weight A for the positive class\n"
	"      --class-weight W    [list] none, balanced or LABEL=W,... (adjacent LABEL=W items\n"
	"                          form one weighting; repeat the option for another)\n"
	"      --positive LABEL    two classes: the class --alpha weighs (default: the less\n"
	"                          frequent)\n"
	"      --lambda L          [list] L2 strength (default: 1/n, n training rows of the fold\n"
	"                          after sampling)\n"
	"      --solver S          lbfgs, sgd or adam (default: lbfgs)\n"
	"      --tol T             stop when the gradient, rare inputs weighted up, is T times\n"
	"                          its size at the start (default: 1e-4; sgd/adam: 5e-3)\n"
	"      --max-iter N        lbfgs iterations (default: 1000)\n"
	"      --epochs N          sgd/adam passes over the data (default: enough for 5000\n"
	"                          steps, at least 10)\n"
	"      --batch-size N      sgd/adam rows per step (default: 256)\n"
	"      --lr R              sgd/adam step size (default: 0.01 adam, 0.1 sgd)\n"
	"      --bias-init B       prior (log class priors) or zero (default: prior)\n"
	"      --sample S          [list] none, over, under, smote or over+under (default: none)\n"
	"      --sample-ratio R    [list] after sampling the smallest class has at least R times\n"
	"                          the rows of the largest, 0 < R <= 1 (default: 1)\n"
	"      --smote-k K         neighbours for smote (default: 5)\n"
	"      --metric M          sort by macro_f1, balanced_accuracy, mcc or gmean\n"
	"                          (default: macro_f1)\n"
	"      --save-folds FILE   write each row's fold as CSV: line,repeat,fold\n"
	"      --seed N            seed of the folds and of every random choice (default: 1)\n"
	"      --threads N         fits run at once (default: all cores)\n"
	"      --format F          table, tsv or json (default: table)\n"
	"      --progress          show progress on stderr even when it is not a terminal\n"
	"  -q, --quiet             no warnings\n"
	"  -h, --help              this help\n";

const char usage_info[] =
	"usage: focal info [--coef] [--format table|tsv|json] MODEL\n"
	"Show what a model file holds: classes, features, how it was trained.\n\n"
	"      --coef              list the weights: class, feature, level, weight (of the\n"
	"                          standardised input) and weight_raw (of the column's own\n"
	"                          units; the (intercept) row holds the bias in those units)\n"
	"      --format F          table, tsv or json (default: table)\n"
	"  -h, --help              this help\n";
