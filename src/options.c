/* options.c: the option table of each command, getopt_long's tables and the -h text made
 * from them. */
#include "options.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The columns an option's letter, name and value take in the usage, after the two-space
 * indent; its help starts two columns further on (column 26). */
#define NAME_WIDTH 22

/* The data-reading options of train and cv (cli_read_option applies them). */
#define READ_OPTS                                                                          \
	{ "target", 'y', required_argument, "COL",                                             \
	  "label column, by name or 1-based index (default: last)" },                          \
	{ "drop", OPT_DROP, required_argument, "COLS",                                         \
	  "columns to ignore (comma-separated names or indices)" },                            \
	{ "categorical", OPT_CATEGORICAL, required_argument, "COLS",                           \
	  "read these columns as categories even when numeric" },                              \
	{ "delimiter", 'd', required_argument, "C",                                            \
	  "field delimiter (default: comma; tab for .tsv files)" },                            \
	{ "no-header", OPT_NO_HEADER, no_argument, NULL,                                       \
	  "the first row is data; columns are named 1, 2, ..." },                              \
	{ "na", OPT_NA, required_argument, "LIST",                                             \
	  "missing-value tokens (default: empty,NA,N/A,?,NaN,null)" },                         \
	{ "max-categories", OPT_MAX_CATEGORIES, required_argument, "N",                        \
	  "most distinct values of a text column (default: 100)" },                            \
	{ "weight", OPT_WEIGHT, required_argument, "COL",                                      \
	  "multiply each row's weight by this column" },                                       \
	{ "no-standardize", OPT_NO_STANDARDIZE, no_argument, NULL,                             \
	  "do not scale numeric features" },                                                   \
	{ "memory", OPT_MEMORY, required_argument, "SIZE",                                     \
	  "hold feature blocks in memory up to SIZE (e.g. 512M, 8G;\n"                          \
	  "default: half of memory), past it in a temporary file" },                           \
	{ "cache", OPT_CACHE, required_argument, "FILE",                                       \
	  "keep the data read in FILE; later runs with the same inputs\n"                      \
	  "and reading options read FILE instead" }

/* The solver options of train and cv (cli_solver_option applies them; --seed and
 * --threads mean more to cv, so each command words those itself). */
#define SOLVER_OPTS                                                                        \
	{ "solver", OPT_SOLVER, required_argument, "S",                                        \
	  "lbfgs, sgd or adam (default: lbfgs)" },                                             \
	{ "tol", OPT_TOL, required_argument, "T",                                              \
	  "stop when the gradient, rare inputs weighted up, is T times\n"                      \
	  "its size at the start (default: 1e-4; sgd/adam: 5e-3)" },                           \
	{ "max-iter", OPT_MAX_ITER, required_argument, "N",                                    \
	  "lbfgs iterations (default: 1000)" },                                                \
	{ "epochs", OPT_EPOCHS, required_argument, "N",                                        \
	  "sgd/adam passes over the data (default: enough for 5000\n"                          \
	  "steps, at least 10)" },                                                             \
	{ "batch-size", OPT_BATCH_SIZE, required_argument, "N",                                \
	  "sgd/adam rows per step (default: 256)" },                                           \
	{ "lr", OPT_LR, required_argument, "R",                                                \
	  "sgd/adam step size (default: 0.01 adam, 0.1 sgd)" },                                \
	{ "bias-init", OPT_BIAS_INIT, required_argument, "B",                                  \
	  "prior (log class priors) or zero (default: prior)" }

/* predict's and eval's: the delimiter of the one input, the threshold of two classes */
#define FILE_DELIMITER_OPT \
	{ "delimiter", 'd', required_argument, "C", "field delimiter of FILE" }
#define THRESHOLD_OPT                                    \
	{ "threshold", OPT_THRESHOLD, required_argument, "T", \
	  "two classes: positive when its probability >= T (default:\n" \
	  "the model's threshold, 0.5 unless tuned or calibrated)" }

/* train's and cv's calibration and decision tuning */
#define TUNE_OPTS                                                                          \
	{ "tune-decision", OPT_TUNE_DECISION, required_argument, "M",                          \
	  "tune the threshold (two classes) or class offsets for M:\n"                         \
	  "macro_f1, balanced_accuracy, mcc, gmean or f1 (two classes),\n"                     \
	  "on out-of-fold predictions of an inner CV" },                                       \
	{ "tune-folds", OPT_TUNE_FOLDS, required_argument, "K",                                \
	  "inner folds of --tune-decision and --calibrate temperature\n"                       \
	  "(default: 5)" }
/* predict's and eval -m's: the model's decision or the most probable class */
#define DECISION_OPT                                                                       \
	{ "decision", OPT_DECISION, required_argument, "D",                                    \
	  "model (its tuned or calibrated decision) or argmax (the\n"                          \
	  "most probable class) (default: model)" }

#define FORMAT_OPT \
	{ "format", OPT_FORMAT, required_argument, "F", "table, tsv or json (default: table)" }
#define PROGRESS_OPT                                  \
	{ "progress", OPT_PROGRESS, no_argument, NULL, \
	  "show progress on stderr even when it is not a terminal" }
#define PLOT_OPT                                                             \
	{ "plot", OPT_PLOT, required_argument, "FILE",                        \
	  "draw the report's figures into FILE.svg, or FILE.html: one\n"    \
	  "page with the tables and the figures" }
#define QUIET_OPT { "quiet", 'q', no_argument, NULL, "no warnings" }
#define HELP_OPT { "help", 'h', no_argument, NULL, "this help" }
#define END_OPTS { NULL, 0, 0, NULL, NULL }

static const struct cli_opt train_opts[] = {
	{ "output", 'o', required_argument, "MODEL",
	  "write the model here (gzip when MODEL ends in .gz)" },
	READ_OPTS,
	{ "model", OPT_MODEL, required_argument, "M", "logistic, softmax or auto (default: auto)" },
	{ "loss", OPT_LOSS, required_argument, "L", "ce or focal (default: ce)" },
	{ "gamma", OPT_GAMMA, required_argument, "G", "focal loss gamma, 0 to 20 (default: 2)" },
	{ "alpha", OPT_ALPHA, required_argument, "A",
	  "two classes: weight A for the positive class, 1-A for the other" },
	{ "class-weight", OPT_CLASS_WEIGHT, required_argument, "W",
	  "none, balanced or LABEL=W,... (default: none)" },
	{ "positive", OPT_POSITIVE, required_argument, "LABEL",
	  "two classes: the positive class (default: the less frequent)" },
	{ "lambda", OPT_LAMBDA, required_argument, "L",
	  "L2 strength, or auto: chosen by an inner CV (default: 1/n,\n"
	  "n training rows)" },
	SOLVER_OPTS,
	{ "sample", OPT_SAMPLE, required_argument, "S",
	  "none, over, under, smote or over+under (default: none)" },
	{ "sample-ratio", OPT_SAMPLE_RATIO, required_argument, "R",
	  "after sampling the smallest class has at least R times the\n"
	  "rows of the largest, 0 < R <= 1 (default: 1)" },
	{ "smote-k", OPT_SMOTE_K, required_argument, "K", "neighbours for smote (default: 5)" },
	{ "calibrate", OPT_CALIBRATE, required_argument, "C",
	  "none, prior or temperature (default: prior when weights or\n"
	  "sampling change the class balance the fit sees, else none)" },
	TUNE_OPTS,
	{ "seed", OPT_SEED, required_argument, "N", "seed of every random choice (default: 1)" },
	{ "threads", OPT_THREADS, required_argument, "N",
	  "threads for the gradient pass (default: all cores)" },
	{ "valid", OPT_VALID, required_argument, "FILE",
	  "report on FILE instead of the training data" },
	PLOT_OPT,
	FORMAT_OPT,
	PROGRESS_OPT,
	QUIET_OPT,
	HELP_OPT,
	END_OPTS
};

const struct cli_usage usage_train = {
	"usage: focal train [options] FILE...\n"
	"Train a linear model on FILE (CSV, '-' for stdin, gzip allowed; several files are\n"
	"read as one table), report per-class metrics and optionally save the model.\n\n",
	train_opts
};

static const struct cli_opt predict_opts[] = {
	{ "model", 'm', required_argument, "MODEL", "the model file" },
	{ "output", 'o', required_argument, "FILE", "write here instead of stdout" },
	{ "keep", OPT_KEEP, required_argument, "COLS",
	  "copy these input columns in front (comma-separated)" },
	THRESHOLD_OPT,
	DECISION_OPT,
	FILE_DELIMITER_OPT,
	{ "no-header", OPT_NO_HEADER, no_argument, NULL,
	  "FILE has no header row (columns are named 1, 2, ...)" },
	{ "na", OPT_NA, required_argument, "LIST", "missing-value tokens (default: the model's)" },
	QUIET_OPT,
	HELP_OPT,
	END_OPTS
};

const struct cli_usage usage_predict = {
	"usage: focal predict -m MODEL [options] [FILE]\n"
	"Write predictions for FILE (default: stdin) as CSV: 'predicted', then p_<label>\n"
	"for each class.\n\n",
	predict_opts
};

static const struct cli_opt eval_opts[] = {
	{ "model", 'm', required_argument, "MODEL",
	  "score FILE with this model (FILE holds the label column)" },
	{ "truth", OPT_TRUTH, required_argument, "COL", "predictions CSV: column of true labels" },
	{ "pred", OPT_PRED, required_argument, "COL",
	  "predictions CSV: column of predicted labels (default: predicted)" },
	THRESHOLD_OPT,
	DECISION_OPT,
	{ "positive", OPT_POSITIVE, required_argument, "LABEL",
	  "with --truth, two classes: the positive class (default: the\n"
	  "less frequent true label; -m uses the model's)" },
	FILE_DELIMITER_OPT,
	{ "no-header", OPT_NO_HEADER, no_argument, NULL, "FILE has no header row" },
	{ "na", OPT_NA, required_argument, "LIST", "missing-value tokens" },
	PLOT_OPT,
	FORMAT_OPT,
	QUIET_OPT,
	HELP_OPT,
	END_OPTS
};

const struct cli_usage usage_eval = {
	"usage: focal eval -m MODEL [options] FILE\n"
	"       focal eval --truth COL [--pred COL] [options] FILE\n"
	"Per-class report for a model on labelled data, or for a predictions CSV.\n\n",
	eval_opts
};

static const struct cli_opt cv_opts[] = {
	{ "folds", 'k', required_argument, "K", "number of folds, 2 to the number of rows" },
	{ "repeat", OPT_REPEAT, required_argument, "R",
	  "repeat with R different fold splits (default: 1)" },
	READ_OPTS,
	{ "model", OPT_MODEL, required_argument, "M",
	  "[list] logistic, softmax or auto (default: auto)" },
	{ "loss", OPT_LOSS, required_argument, "L", "[list] ce or focal (default: ce)" },
	{ "gamma", OPT_GAMMA, required_argument, "G",
	  "[list] focal loss gamma, 0 to 20 (default: 2)" },
	{ "alpha", OPT_ALPHA, required_argument, "A",
	  "[list] two classes: weight A for the positive class" },
	{ "class-weight", OPT_CLASS_WEIGHT, required_argument, "W",
	  "[list] none, balanced or LABEL=W,... (adjacent LABEL=W items\n"
	  "form one weighting; repeat the option for another)" },
	{ "positive", OPT_POSITIVE, required_argument, "LABEL",
	  "two classes: the class --alpha weighs (default: the less\n"
	  "frequent)" },
	{ "lambda", OPT_LAMBDA, required_argument, "L",
	  "[list] L2 strength, or auto: chosen by an inner CV in each\n"
	  "fold (default: 1/n, n training rows of the fold after sampling)" },
	SOLVER_OPTS,
	{ "sample", OPT_SAMPLE, required_argument, "S",
	  "[list] none, over, under, smote or over+under (default: none)" },
	{ "sample-ratio", OPT_SAMPLE_RATIO, required_argument, "R",
	  "[list] after sampling the smallest class has at least R times\n"
	  "the rows of the largest, 0 < R <= 1 (default: 1)" },
	{ "smote-k", OPT_SMOTE_K, required_argument, "K", "neighbours for smote (default: 5)" },
	{ "calibrate", OPT_CALIBRATE, required_argument, "C",
	  "[list] none, prior, temperature or auto: prior when weights\n"
	  "or sampling change the class balance (default: auto)" },
	TUNE_OPTS,
	{ "metric", OPT_METRIC, required_argument, "M",
	  "sort by macro_f1, balanced_accuracy, mcc, gmean,\n"
	  "average_precision, roc_auc, log_loss, brier or ece\n"
	  "(default: macro_f1)" },
	{ "save-folds", OPT_SAVE_FOLDS, required_argument, "FILE",
	  "write each row's fold as CSV: line,repeat,fold" },
	{ "refit", OPT_REFIT, no_argument, NULL,
	  "fit the best configuration on all rows, save it to -o MODEL\n"
	  "and print the focal train command that gives the same model" },
	{ "output", 'o', required_argument, "MODEL", "with --refit: the model file" },
	{ "save-predictions", OPT_SAVE_PREDICTIONS, required_argument, "FILE",
	  "write every row's out-of-fold probabilities and\n"
	  "decision, per configuration and repeat, as CSV" },
	{ "seed", OPT_SEED, required_argument, "N",
	  "seed of the folds and of every random choice (default: 1)" },
	{ "threads", OPT_THREADS, required_argument, "N", "fits run at once (default: all cores)" },
	PLOT_OPT,
	FORMAT_OPT,
	PROGRESS_OPT,
	QUIET_OPT,
	HELP_OPT,
	END_OPTS
};

const struct cli_usage usage_cv = {
	"usage: focal cv -k K [--repeat R] [--seed N] [options] FILE...\n"
	"Stratified K-fold cross-validation: every configuration is trained and scored on the\n"
	"same folds; one row per configuration with the mean and standard deviation over the\n"
	"folds, sorted by --metric.  The options marked [list] take comma-separated values and\n"
	"may be repeated to add more; every meaningful combination is one configuration, and\n"
	"the first value of every list makes the baseline.\n\n",
	cv_opts
};

static const struct cli_opt info_opts[] = {
	{ "coef", OPT_COEF, no_argument, NULL,
	  "list the weights: class, feature, level, weight (of the\n"
	  "standardised input) and weight_raw (of the column's own\n"
	  "units; the (intercept) row holds the bias in those units)" },
	FORMAT_OPT,
	HELP_OPT,
	END_OPTS
};

const struct cli_usage usage_info = {
	"usage: focal info [--coef] [--format table|tsv|json] MODEL\n"
	"Show what a model file holds: classes, features, how it was trained.\n\n",
	info_opts
};

void cli_getopt_init(struct cli_getopt *g, const struct cli_usage *u)
{
	const struct cli_opt *o;
	size_t n = 0;
	char *s = g->shortopts;

	for (o = u->opts; o->name; o++) {
		const struct cli_opt *p;

		if (n == CLI_MAX_OPTS)
			abort(); /* a table longer than CLI_MAX_OPTS: raise it */
		for (p = u->opts; p < o; p++)
			if (p->code == o->code || strcmp(p->name, o->name) == 0)
				abort(); /* an option twice in a table, or two with one code */
		g->longopts[n].name = o->name;
		g->longopts[n].has_arg = o->has_arg;
		g->longopts[n].flag = NULL;
		g->longopts[n].val = o->code;
		n++;
		if (o->code < 256) {
			*s++ = (char)o->code;
			if (o->has_arg == required_argument)
				*s++ = ':';
		}
	}
	memset(&g->longopts[n], 0, sizeof g->longopts[n]);
	*s = '\0';
}

void cli_usage_write(FILE *f, const struct cli_usage *u)
{
	const struct cli_opt *o;

	fputs(u->head, f);
	for (o = u->opts; o->name; o++) {
		const char *h = o->help;
		int len;

		if (o->code < 256)
			len = fprintf(f, "  -%c, --%s", o->code, o->name);
		else
			len = fprintf(f, "      --%s", o->name);
		if (o->arg)
			len += fprintf(f, " %s", o->arg);
		/* the help starts two columns after the widest name, or two after a longer one */
		fprintf(f, "%*s", len < NAME_WIDTH + 2 ? NAME_WIDTH + 4 - len : 2, "");
		for (;;) {
			size_t n = strcspn(h, "\n");

			fprintf(f, "%.*s\n", (int)n, h);
			if (!h[n])
				break;
			h += n + 1;
			fprintf(f, "%*s", NAME_WIDTH + 4, "");
		}
	}
}
