/* focal.c: the focal command: dispatches argv[1] to a subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const struct cli_usage *usage;
	const char *summary;
};

static const struct command commands[] = {
	{ "train", cmd_train, &usage_train, "train a model, save it, report metrics" },
	{ "predict", cmd_predict, &usage_predict, "write predictions as CSV" },
	{ "eval", cmd_eval, &usage_eval, "per-class report for a model or a predictions CSV" },
	{ "cv", cmd_cv, &usage_cv, "cross-validate configurations side by side on the same folds" },
	{ "info", cmd_info, &usage_info, "show what a model file holds" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: focal COMMAND [options] [FILE]\n"
	      "Linear models with cross-entropy or focal loss for imbalanced tabular data.\n\n"
	      "commands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("  help      show this help, or a command's: focal help COMMAND\n\n"
	      "Run 'focal COMMAND -h' for a command's options; see focal(1).\n", f);
}

static void no_command(const char *name)
{
	char *msg = xmalloc(strlen(name) + 16);

	sprintf(msg, "no command '%s'", name);
	cli_message(msg);
	free(msg);
}

static const struct command *find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/*
 * Runs the command named by ARGV[1], or the help, and returns its exit status; what it
 * wrote to stdout is checked by main.
 */
static int run(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		fputs("focal: no command given\n", stderr);
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("focal %s\n", FOCAL_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			c = find(argv[2]);
			if (!c) {
				no_command(argv[2]);
				usage(stderr);
				return 2;
			}
			cli_usage_write(stdout, c->usage);
		} else {
			usage(stdout);
		}
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		no_command(argv[1]);
		usage(stderr);
		return 2;
	}
	return c->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	int status;

	opterr = 0; /* the commands name a bad option themselves (cli_bad_option) */
	status = run(argc, argv);
	/* the one place stdout is checked: a run that succeeded fails after all when its
	 * output did not get through (a full disk, a closed descriptor); a failed run has
	 * said why already */
	return status == 0 ? cli_close_stdout() : status;
}
