/*
 * options.h: every command's options, declared once.  A command's table gives, for each
 * option, its long name, its short letter if any, whether it takes a value, the code
 * getopt_long returns for it and its line in the -h text; getopt_long's tables and the
 * usage that -h and `focal help COMMAND` print are both made from it.
 */
#ifndef FOCAL_OPTIONS_H
#define FOCAL_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

/* One option of a command. */
struct cli_opt {
	const char *name; /* the long name; NULL ends a table */
	int code;         /* what getopt_long returns: a letter (then also the short option) or
	                   * an OPT_ code of cli.h for a long-only option */
	int has_arg;      /* no_argument or required_argument */
	const char *arg;  /* the value's name in the usage ("COL"), NULL without a value */
	const char *help; /* the usage text; each '\n' in it starts an indented line */
};

/* A command's usage: the lines above the options, then the options in table order. */
struct cli_usage {
	const char *head;           /* "usage: ..." and the description, with their newlines */
	const struct cli_opt *opts; /* ended by an entry whose name is NULL */
};

extern const struct cli_usage usage_train, usage_predict, usage_eval, usage_info, usage_cv;

/* The most options a table may hold. */
#define CLI_MAX_OPTS 63

/* getopt_long's view of a table, filled by cli_getopt_init; needs no release. */
struct cli_getopt {
	struct option longopts[CLI_MAX_OPTS + 1];
	char shortopts[2 * CLI_MAX_OPTS + 1];
};

/* Fills G with the long options and the short-option string of U's table. */
void cli_getopt_init(struct cli_getopt *g, const struct cli_usage *u);

/* Writes U's usage to F: the head, then one line (or more) per option. */
void cli_usage_write(FILE *f, const struct cli_usage *u);

#endif
