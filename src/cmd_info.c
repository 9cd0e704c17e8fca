/* cmd_info.c: focal info. */
#include <string.h>

#include "cli.h"
#include "model.h"

static const char cmd[] = "info";

int cmd_info(int argc, char **argv)
{
	struct cli_getopt g;
	struct model m;
	struct ferr e = { "", 1, 0 };
	enum outfmt fmt = FMT_TABLE;
	int ch, coef = 0;

	cli_getopt_init(&g, &usage_info);
	while ((ch = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_FORMAT:
			if (cli_format(cmd, optarg, &fmt) != 0)
				return 2;
			break;
		case OPT_COEF:
			coef = 1;
			break;
		case 'h':
			cli_usage_write(stdout, &usage_info);
			return 0;
		default:
			return cli_bad_option(cmd, argv, g.longopts);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		return cli_usage_error(cmd, argc ? "too many arguments" : "no MODEL");
	if (model_load(argv[0], &m, &e) != 0)
		return cli_fail(&e);
	if (coef)
		model_coef(stdout, &m, (int)fmt);
	else
		model_describe(stdout, &m, (int)fmt);
	model_release(&m);
	return 0;
}
