/* cli.h: what the command files share: messages, option values, the data-reading options. */
#ifndef FOCAL_CLI_H
#define FOCAL_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "data.h"
#include "output.h"
#include "report.h"
#include "train.h"
#include "util.h"
#include "options.h"

/* Set by -q: warnings are not printed. */
extern int cli_quiet;
/*
 * focal-mpi: this process's rank (0 in focal).  Only rank 0 gives the usage errors and
 * the errors every rank meets alike; an error one rank met alone (ferr.local) is given
 * by that rank.
 */
extern int cli_rank;

/* Prints "focal: MSG" to stderr (a warning or an error). */
void cli_message(const char *msg);
/* Prints a warning unless -q; usable as a readopts.warn hook. */
void cli_warn(const char *msg);
/* Warns (unless -q) "OPTION has no effect WHY", for an option the run does not use. */
void cli_no_effect(const char *option, const char *why);
/* Prints E (but see cli_rank; an empty message: nothing) and returns its exit status. */
int cli_fail(const struct ferr *e);
/* Prints "focal: MSG" and the hint to run COMMAND -h; returns 2. */
int cli_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * For a command's getopt_long loop (run with opterr 0, as main sets it) when it returns
 * '?': prints one usage error that names the option, "COMMAND: --lambda needs a value",
 * "COMMAND: unknown option '--foo'", "COMMAND: unknown option '-Z'" (also "... takes no
 * value" and "... is ambiguous", listing the candidates in the order of their codes), and
 * the hint; returns 2.  ARGV and LONGOPTS are the loop's.
 */
int cli_bad_option(const char *command, char *const *argv, const struct option *longopts);

/*
 * Flushes stdout and says whether all written to it so far got through (1) or not (0),
 * printing nothing: for a command that must not leave a file behind when its output
 * failed; cli_close_stdout reports the failure.
 */
int cli_stdout_written(void);
/*
 * Flushes and checks stdout once the command has run (main calls it, and nothing else
 * does); returns 0, or prints an error and returns 1.
 */
int cli_close_stdout(void);

/* Long-only option codes shared by the commands. */
/* (An ambiguous abbreviation lists its candidates in the order of their codes, the short
 * letters first and then these in the order written here, whatever order a command's
 * table gives them for -h.) */
enum {
	OPT_DROP = 256, OPT_CATEGORICAL, OPT_NO_HEADER, OPT_NA, OPT_MAX_CATEGORIES, OPT_WEIGHT,
	OPT_NO_STANDARDIZE, OPT_MODEL, OPT_LOSS, OPT_GAMMA, OPT_ALPHA, OPT_CLASS_WEIGHT,
	OPT_LAMBDA, OPT_SOLVER, OPT_TOL, OPT_MAX_ITER, OPT_EPOCHS, OPT_BATCH_SIZE, OPT_LR,
	OPT_BIAS_INIT, OPT_SEED, OPT_THREADS, OPT_TRUTH, OPT_PRED, OPT_POSITIVE, OPT_VALID,
	OPT_FORMAT, OPT_PROGRESS, OPT_KEEP, OPT_THRESHOLD, OPT_SAMPLE, OPT_SAMPLE_RATIO,
	OPT_SMOTE_K, OPT_CALIBRATE, OPT_TUNE_DECISION, OPT_TUNE_FOLDS, OPT_REPEAT, OPT_METRIC,
	OPT_SAVE_FOLDS, OPT_DECISION, OPT_SAVE_PREDICTIONS, OPT_REFIT, OPT_MEMORY, OPT_CACHE,
	OPT_COEF, OPT_PLOT
};
/* A bit for each of those codes, to note which options a command line gave. */
#define CLI_OPT_BIT(opt) ((uint64_t)1 << ((opt) - OPT_DROP))

/*
 * Applies data-reading option CH with ARG to O.  Returns 1 when CH is one of them,
 * 0 when it is not, -1 for a bad value (message printed).
 */
int cli_read_option(const char *command, int ch, const char *arg, struct readopts *o);

/*
 * Applies solver option CH (--solver --tol --max-iter --epochs --batch-size --lr
 * --bias-init --seed --threads) to T, setting *have_lr for --lr.  Returns 1 when CH is
 * one of them, 0 when it is not, -1 for a bad value (message printed).
 */
int cli_solver_option(const char *command, int ch, const char *arg, struct trainopts *t,
                      int *have_lr);
/*
 * Fills what depends on the options as a whole: the defaults of --lr and of --tol (NaN
 * until given) follow --solver.
 */
void cli_solver_defaults(struct trainopts *t, int have_lr);
/* What to try when training under T did not converge (a static string). */
const char *cli_not_converged_hint(const struct trainopts *t);

/* Parses a number option: prints a usage error naming OPT and returns -1 when ARG is bad. */
int cli_double(const char *command, const char *opt, const char *arg, double lo, double hi,
               double *out);
int cli_long(const char *command, const char *opt, const char *arg, long lo, long hi, long *out);

/* --decision: 1 for argmax, 0 for model, or -1 after a usage error. */
int cli_decision(const char *command, const char *arg);

/* --plot FILE: where the pictures go and in what format (plot.h); path NULL when none. */
struct plotarg {
	const char *path;
	int fmt;
};

/* --plot: PATH into P by its extension (.svg or .html); 0, or -1 after a usage error. */
int cli_plot(const char *command, const char *path, struct plotarg *p);

/*
 * Writes the pictures of a report to P's file (cli_plot): the figures of R and FD for
 * CLASSES (with T's objective per iteration OBJECTIVE, NITER values, when OBJECTIVE is
 * not NULL) under TITLE; an HTML page holds the report's table too, as report_write
 * prints it (T as for it, NULL outside train), without the seconds.  0, or -1 with E.
 */
int cli_plot_report(const struct plotarg *p, const char *title, char *const *classes,
                    const struct report *r, const struct figdata *fd,
                    const struct trainsummary *t, const double *objective, size_t niter,
                    struct ferr *e);

/* --format: returns 0 or prints a usage error and returns -1. */
int cli_format(const char *command, const char *arg, enum outfmt *f);

/* "focal" and the command's arguments (ARGV[0] is the command name), quoted where
 * needed, for the model file; without --threads, which does not change the model, so
 * that the file is the same for any thread count.  Caller frees. */
char *cli_cmdline(int argc, char **argv);

int cmd_train(int argc, char **argv);
/*
 * focal train with the arguments ARGV (ARGV[0] "train"), saving the model that -o names
 * and printing no report and no warning: what focal cv --refit runs.  The exit status.
 */
int cmd_train_refit(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_cv(int argc, char **argv);

#endif
