/*
 * fitcli.h: the command-side half of fitting that focal train and focal cv share: the
 * options both read alike, their defaults and checks, and the warnings about options
 * that have no effect.  Prints; the core's half is fit.h.
 */
#ifndef FOCAL_FITCLI_H
#define FOCAL_FITCLI_H

#include <stdint.h>

#include "cli.h"
#include "fit.h"

/* What train and cv read alike from the command line. */
struct fitargs {
	const char *positive;  /* --positive, or NULL */
	int have_lr, progress;
	int smote_k;           /* --smote-k */
	int tune;              /* --tune-decision: DM_*, or -1 */
	long tune_folds;       /* --tune-folds (default 5) */
	uint64_t given;        /* CLI_OPT_BIT of each long option given */
	enum outfmt fmt;
	struct trainopts t;    /* the solver options (fit_defaults, then the command line) */
	struct readopts r;
};

/* Sets A to the defaults; warnings of the reader go to cli_warn. */
void fitargs_init(struct fitargs *a);

/* 1 when option OPT (one of the long-only codes) was given. */
#define FITARGS_GIVEN(a, opt) (((a)->given & CLI_OPT_BIT(opt)) != 0)

/*
 * The getopt_long loop of a command: each option that train and cv read alike (the
 * data-reading and solver options, --positive, --smote-k, --format, --progress, -q)
 * goes to A, every other to OWN(CTX, ch, optarg), which returns 1 when it took it, 0
 * when it is not one of the command's, -1 after a usage error.  The options are
 * those of U's table; -h prints U; an option no one takes is a usage error
 * (cli_bad_option).  Returns 0, 1 after -h, or -1 after a usage error.
 */
int fitargs_parse(const char *command, int argc, char **argv, const struct cli_usage *u,
                  int (*own)(void *ctx, int ch, const char *arg), void *ctx, struct fitargs *a);

/* Checks what holds across options (--alpha against --class-weight); fills the solver's
 * defaults that follow --solver.  0, or 2 after a usage error. */
int fitargs_check(const char *command, struct fitargs *a);

/*
 * Warns about the options given that the run does not use: --gamma when no fit is
 * FOCAL, --sample-ratio when none is SAMPLED, --smote-k when none uses SMOTE, and the
 * options of the other solvers.
 */
void fitargs_warn_unused(const struct fitargs *a, int focal, int sampled, int smote);

/*
 * Checks --tune-decision against the data's NCLASS classes (f1 needs two); 0, or -1
 * after a usage error.
 */
int fitargs_check_tune(const char *command, const struct fitargs *a, size_t nclass);

/* The tuneopts of the options: CALIBRATE, the inner folds seeded from SEED. */
void fitargs_tuneopts(const struct fitargs *a, enum calib_kind calibrate, uint64_t seed,
                      struct tuneopts *t);

/* Checks the input files of ARGV (ARGC left after the options): at least one, standard
 * input at most once.  0, or the status of a usage error (reported). */
int fitargs_inputs(const char *command, int argc, char **argv);

#endif
