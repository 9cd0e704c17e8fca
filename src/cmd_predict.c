/* cmd_predict.c: focal predict. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "csvread.h"
#include "model.h"
#include "outfile.h"
#include "score.h"

static const char cmd[] = "predict";

struct predictor {
	const struct model *m;
	const char *keep;
	const char *name;
	int header;
	long *keepcol;
	size_t nkeep;
	struct decision dec;
	double *prob, *z;
	FILE *out;
};

static int on_header(void *ctx, const struct csvrow *h, struct ferr *e)
{
	struct predictor *p = ctx;
	char **cols = NULL;
	size_t i, j, ncols = 0;
	long idx;

	if (p->keep) {
		cols = split_list(p->keep, &ncols);
		p->keepcol = xcalloc(ncols, sizeof *p->keepcol);
		p->nkeep = ncols;
	}
	for (i = 0; i < ncols; i++) {
		p->keepcol[i] = -1;
		for (j = 0; p->header && j < h->n; j++)
			if (strcmp(cols[i], h->f[j]) == 0) {
				p->keepcol[i] = (long)j;
				break;
			}
		if (p->keepcol[i] < 0 && parse_long(cols[i], 1, (long)h->n, &idx) == 0)
			p->keepcol[i] = idx - 1;
		if (p->keepcol[i] < 0) {
			ferr_usage(e, "%s:%lu: --keep: no column '%s'", p->name, h->line, cols[i]);
			strv_free(cols, ncols);
			return -1;
		}
	}
	for (i = 0; i < ncols; i++) {
		char num[32];

		snprintf(num, sizeof num, "%ld", p->keepcol[i] + 1);
		csv_put(p->out, p->header ? h->f[p->keepcol[i]] : num, ',');
		fputc(',', p->out);
	}
	fputs("predicted", p->out);
	csv_prob_columns(p->out, p->m->s.classes, p->m->s.nclass);
	fputc('\n', p->out);
	strv_free(cols, ncols);
	return 0;
}

static int on_row(void *ctx, const double *x, long label, const struct csvrow *row, struct ferr *e)
{
	struct predictor *p = ctx;
	const struct model *m = p->m;
	size_t i;
	uint32_t c;

	(void)label;
	c = score_row(&m->lm, &p->dec, x, p->prob, p->z);
	for (i = 0; i < p->nkeep; i++) {
		csv_put(p->out, row->f[p->keepcol[i]], ',');
		fputc(',', p->out);
	}
	csv_put(p->out, m->s.classes[c], ',');
	for (i = 0; i < m->s.nclass; i++)
		fprintf(p->out, ",%.17g", p->prob[i]);
	if (fputc('\n', p->out) == EOF)
		return ferr_set(e, "cannot write the predictions: %s", strerror(errno));
	return 0;
}

int cmd_predict(int argc, char **argv)
{
	struct cli_getopt g;
	struct readopts r;
	struct encode_opts eo;
	struct predictor p;
	struct model m;
	struct ferr e = { "", 1, 0 };
	const char *model_path = NULL, *output = NULL, *path = "-";
	struct outfile of = { NULL, NULL, NULL, 0 };
	int ch, rc, status = 1, have_threshold = 0, argmax = 0;
	double threshold = 0.5;

	memset(&p, 0, sizeof p);
	memset(&m, 0, sizeof m);
	readopts_init(&r);
	cli_getopt_init(&g, &usage_predict);
	while ((ch = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
		rc = cli_read_option(cmd, ch, optarg, &r);
		if (rc < 0)
			return 2;
		if (rc > 0)
			continue;
		switch (ch) {
		case 'm':
			model_path = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_KEEP:
			p.keep = optarg;
			break;
		case OPT_THRESHOLD:
			if (cli_double(cmd, "--threshold", optarg, 0, 1, &threshold) != 0)
				return 2;
			have_threshold = 1;
			break;
		case OPT_DECISION:
			if ((argmax = cli_decision(cmd, optarg)) < 0)
				return 2;
			break;
		case 'q':
			cli_quiet = 1;
			break;
		case 'h':
			cli_usage_write(stdout, &usage_predict);
			return 0;
		default:
			return cli_bad_option(cmd, argv, g.longopts);
		}
	}
	argc -= optind;
	argv += optind;
	if (!model_path)
		return cli_usage_error(cmd, "no model: give -m MODEL");
	if (argc > 1)
		return cli_usage_error(cmd, "too many arguments");
	if (argc == 1)
		path = argv[0];
	if (model_load(model_path, &m, &e) != 0)
		return cli_fail(&e);

	p.m = &m;
	p.name = csv_display_name(path);
	p.header = r.header;
	if (score_decision(&m.dec, argmax, have_threshold, threshold, &p.dec, &e) != 0)
		goto fail;
	p.prob = xcalloc(m.s.nclass, sizeof *p.prob);
	p.z = xcalloc(m.s.nclass, sizeof *p.z);
	p.out = stdout;
	if (output) {
		if (outfile_open(&of, output, &e) != 0)
			goto fail;
		p.out = of.f;
	}
	memset(&eo, 0, sizeof eo);
	eo.delim = r.delim;
	eo.header = r.header;
	eo.na = r.na;
	eo.warn = cli_warn;
	eo.threads = ncores();
	eo.on_header = on_header;
	if (data_stream(path, &m.s, &eo, on_row, &p, &e) != 0)
		goto fail;
	if (output && outfile_commit(&of, &e) != 0)
		goto fail;
	status = 0;
	goto out;
fail:
	status = cli_fail(&e);
out:
	outfile_abort(&of);
	free(p.keepcol);
	free(p.prob);
	free(p.z);
	decision_release(&p.dec);
	model_release(&m);
	return status;
}
