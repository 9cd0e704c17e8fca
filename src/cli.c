/* cli.c: helpers shared by the command files. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block.h"
#include "plot.h"

int cli_quiet;
int cli_rank;

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
	if (e->msg[0] && (cli_rank == 0 || e->local))
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
	if (cli_rank == 0) {
		cli_message(msg);
		fprintf(stderr, "focal: run 'focal %s -h' for usage\n", command);
	}
	free(msg);
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
			int last = -1;
			const struct option *next;

			/* in the order of their codes, the smallest after the last one listed */
			list[0] = '\0';
			while (len < sizeof list - 1) {
				next = NULL;
				for (o = longopts; o->name; o++)
					if (strncmp(o->name, a + 2, n) == 0 && o->val > last &&
					    (!next || o->val < next->val))
						next = o;
				if (!next)
					break;
				len += (size_t)snprintf(list + len, sizeof list - len, "%s--%s",
				                        len ? ", " : "", next->name);
				last = next->val;
			}
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

int cli_stdout_written(void)
{
	return fflush(stdout) == 0 && !ferror(stdout);
}

int cli_close_stdout(void)
{
	/* flushed and checked, not fclose'd: when focal starts with descriptor 1 closed, an
	 * output file may be using it, and closing it would fail for nothing */
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

int cli_plot(const char *command, const char *path, struct plotarg *p)
{
	int fmt = plot_format(path);

	if (fmt < 0) {
		cli_usage_error(command, "--plot: '%s' needs the extension .svg or .html", path);
		return -1;
	}
	p->path = path;
	p->fmt = fmt;
	return 0;
}

/* What the writers of a report's page need. */
struct plotpage {
	const struct plot_report *pr;
	const struct trainsummary *t;
};

static void page_tables(FILE *f, void *ctx)
{
	const struct plotpage *pp = ctx;

	report_write(f, FMT_TABLE, pp->pr->classes, pp->pr->r, pp->t);
}

static void page_figures(FILE *f, void *ctx, int heading)
{
	const struct plotpage *pp = ctx;

	plot_report_svg(f, pp->pr, heading);
}

int cli_plot_report(const struct plotarg *p, const char *title, char *const *classes,
                    const struct report *r, const struct figdata *fd,
                    const struct trainsummary *t, const double *objective, size_t niter,
                    struct ferr *e)
{
	struct plot_report pr;
	struct plotpage pp;
	struct trainsummary ts;

	memset(&pr, 0, sizeof pr);
	pr.classes = classes;
	pr.r = r;
	pr.fd = fd;
	pr.objective = objective;
	pr.niter = niter;
	pr.title = title;
	pp.pr = &pr;
	pp.t = NULL;
	if (t) {
		ts = *t;
		ts.seconds = NAN; /* the same page for the same run */
		pp.t = &ts;
	}
	return plot_save(p->path, (enum plotfmt)p->fmt, title, page_tables, page_figures, &pp, e);
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
	case OPT_MEMORY: {
		size_t bytes;

		if (block_parse_size(arg, &bytes) != 0) {
			cli_usage_error(command, "--memory: '%s' is not a size (a number of bytes, or with "
			                "K, M, G or T, e.g. 512M)", arg);
			return -1;
		}
		block_set_budget(bytes);
		return 1;
	}
	case OPT_CACHE:
		if (strcmp(arg, "-") == 0) {
			cli_usage_error(command, "--cache: needs a file name, not '-'");
			return -1;
		}
		o->cache = arg;
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

int cli_decision(const char *command, const char *arg)
{
	if (strcmp(arg, "argmax") == 0)
		return 1;
	if (strcmp(arg, "model") == 0)
		return 0;
	return cli_usage_error(command, "--decision: '%s' is not one of model, argmax", arg), -1;
}
