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
	int have_alpha, have_class_weight;
	uint64_t given;        /* CLI_OPT_BIT of each long option given */
	enum outfmt fmt;
	struct trainopts t;    /* the solver options (fit_defaults, then the command line) */
	struct readopts r;
};

/* Sets A to the defaults; warnings of the reader go to cli_warn. */
void fitargs_init(struct fitargs *a);

/*
 * Applies option CH with ARG when it is one that train and cv read alike (the
 * data-reading and solver options, --positive, --format, --progress, -q) and notes that
 * it was given.  Returns 1 when it was one of them, 0 when not, -1 after a usage error.
 */
int fitargs_option(const char *command, int ch, const char *arg, struct fitargs *a);

/*
 * The end of a command's option switch: -h prints USAGE and exits; anything else is a
 * usage error (cli_bad_option).  Returns -1.
 */
int fitargs_other(const char *command, int ch, char *const *argv, const struct option *longopts,
                  const char *usage);

/* Checks what holds across options (--alpha against --class-weight); fills the solver's
 * defaults that follow --solver.  0, or 2 after a usage error. */
int fitargs_check(const char *command, struct fitargs *a);

/*
 * Warns about the options given that the run does not use: --gamma when no fit is
 * FOCAL, --sample-ratio when none is SAMPLED, --smote-k when none uses SMOTE, and the
 * options of the other solvers.
 */
void fitargs_warn_unused(const struct fitargs *a, int focal, int sampled, int smote);

/* The one input file of ARGV (ARGC left after the options), or NULL after a usage error. */
const char *fitargs_input(const char *command, int argc, char **argv);

#endif
