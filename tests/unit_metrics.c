/*
 * unit_metrics.c: metrics.c against tests/golden/metrics_expected.tsv (scikit-learn 1.2.1,
 * imbalanced-learn 0.10.0) on the cases of metrics_inputs.tsv, every expected value, one
 * check per case and metric; then the three output formats of report.c (exact output of
 * a small report, JSON escaping and numbers, undefined values, write errors).
 * Run from the repository root, or set FOCAL_SRCDIR to it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "report.h"
#include "tap.h"

#define REL 1e-9
#define ABS 1e-300 /* relative only: the golden log loss of "perfect" is 3.3e-15 */
#define MAXCASES 32
#define MAXK 64
#define MAXGROUPS 1024
#define SHOW 3 /* failures printed in detail per group */

struct gcase {
	char name[64];
	size_t k, n, cap;
	char *classes[MAXK];
	uint32_t *ytrue, *ypred;
	double *scores;
	int listed[MAXK]; /* the class has a roc_auc_ovr row in the expected file */
	struct report rep;
};

/* The checks of one case and metric: how many values, how many off. */
struct group {
	char key[160];
	int n, bad;
};

static struct gcase cases[MAXCASES];
static size_t ncases;
static struct group groups[MAXGROUPS];
static size_t ngroups;

/* Opens tests/NAME under $FOCAL_SRCDIR (default: the current directory). */
static FILE *open_golden(const char *name, char *path, size_t size)
{
	const char *dir = getenv("FOCAL_SRCDIR");

	snprintf(path, size, "%s/tests/%s", dir && *dir ? dir : ".", name);
	return fopen(path, "r");
}

/* Splits LINE in place at tabs into at most MAX fields; returns the count. */
static int split_tabs(char *line, char **field, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		field[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static struct gcase *find_case(const char *name)
{
	size_t i;

	for (i = 0; i < ncases; i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	return NULL;
}

static long find_class(const struct gcase *g, const char *label)
{
	size_t c;

	for (c = 0; c < g->k; c++)
		if (strcmp(g->classes[c], label) == 0)
			return (long)c;
	return -1;
}

/* Adds one row (labels and comma-separated scores) to G; -1 when malformed. */
static int add_row(struct gcase *g, const char *yt, const char *yp, const char *sc)
{
	long t = find_class(g, yt), p = find_class(g, yp);
	size_t j;
	char *end;

	if (t < 0 || p < 0)
		return -1;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->ytrue = realloc(g->ytrue, g->cap * sizeof *g->ytrue);
		g->ypred = realloc(g->ypred, g->cap * sizeof *g->ypred);
		g->scores = realloc(g->scores, g->cap * g->k * sizeof *g->scores);
		if (!g->ytrue || !g->ypred || !g->scores)
			abort();
	}
	for (j = 0; j < g->k; j++) {
		g->scores[g->n * g->k + j] = strtod(sc, &end);
		if (end == sc || *end != (j + 1 < g->k ? ',' : '\0'))
			return -1;
		sc = end + 1;
	}
	g->ytrue[g->n] = (uint32_t)t;
	g->ypred[g->n] = (uint32_t)p;
	g->n++;
	return 0;
}

/* Reads metrics_inputs.tsv into CASES; returns the number of malformed lines, or -1. */
static int load_inputs(void)
{
	char path[4096], *line = NULL, *f[8], *s, *comma;
	size_t cap = 0;
	int bad = 0;
	FILE *fp = open_golden("golden/metrics_inputs.tsv", path, sizeof path);

	if (!fp) {
		printf("# cannot open %s\n", path);
		return -1;
	}
	if (getline(&line, &cap, fp) < 0)
		bad++;
	while (getline(&line, &cap, fp) > 0) {
		struct gcase *g;

		if (split_tabs(line, f, 8) != 5) {
			bad++;
			continue;
		}
		if (strcmp(f[1], "-1") == 0) {
			if (ncases == MAXCASES || find_case(f[0])) {
				bad++;
				continue;
			}
			g = &cases[ncases++];
			snprintf(g->name, sizeof g->name, "%s", f[0]);
			for (s = f[2]; g->k < MAXK; s = comma + 1) {
				comma = strchr(s, ',');
				if (comma)
					*comma = '\0';
				g->classes[g->k++] = strdup(s);
				if (!comma)
					break;
			}
			continue;
		}
		g = find_case(f[0]);
		if (!g || add_row(g, f[2], f[3], f[4]) != 0) {
			if (bad++ < SHOW)
				printf("# bad input line: case %s row %s\n", f[0], f[1]);
		}
	}
	free(line);
	fclose(fp);
	return bad;
}

static struct group *find_group(const char *cname, const char *metric)
{
	char key[160];
	size_t i;

	snprintf(key, sizeof key, "%s %s", cname, metric);
	for (i = 0; i < ngroups; i++)
		if (strcmp(groups[i].key, key) == 0)
			return &groups[i];
	if (ngroups == MAXGROUPS)
		abort();
	snprintf(groups[ngroups].key, sizeof groups[ngroups].key, "%s", key);
	return &groups[ngroups++];
}

/* roc_auc_ovr_macro (WEIGHTED 0) or _weighted (1) from the per-class AUCs, as sklearn. */
static double auc_average(const struct report *r, int weighted)
{
	double sum = 0, wsum = 0;
	size_t c;

	for (c = 0; c < r->k; c++) {
		double w = weighted ? (double)r->cls[c].support : 1;

		sum += w * r->cls[c].roc_auc;
		wsum += w;
	}
	return sum / wsum;
}

/*
 * Our value of METRIC for class CLS ("-" for whole-set metrics, "T>P" for confusion) of
 * case G; 0 on success, -1 when the metric or class is unknown.
 */
static int our_value(struct gcase *g, const char *metric, const char *cls, double *out)
{
	const struct report *r = &g->rep;
	const struct classmetrics *m = NULL;
	long c = -1;

	if (strcmp(metric, "confusion") == 0) {
		char buf[256], *gt;
		long t, p;

		snprintf(buf, sizeof buf, "%s", cls);
		gt = strchr(buf, '>');
		if (!gt)
			return -1;
		*gt = '\0';
		t = find_class(g, buf);
		p = find_class(g, gt + 1);
		if (t < 0 || p < 0)
			return -1;
		*out = (double)r->confusion[(size_t)t * r->k + (size_t)p];
		return 0;
	}
	if (strcmp(cls, "-") != 0) {
		c = find_class(g, cls);
		if (c < 0)
			return -1;
		m = &r->cls[c];
		if (strcmp(metric, "precision") == 0)
			*out = m->precision;
		else if (strcmp(metric, "recall") == 0)
			*out = m->recall;
		else if (strcmp(metric, "f1") == 0)
			*out = m->f1;
		else if (strcmp(metric, "support") == 0)
			*out = (double)m->support;
		else if (strcmp(metric, "specificity") == 0)
			*out = m->specificity;
		else if (strcmp(metric, "gmean") == 0)
			*out = m->gmean;
		else if (strcmp(metric, "roc_auc_ovr") == 0) {
			*out = m->roc_auc;
			g->listed[c] = 1;
		} else if (strcmp(metric, "average_precision_ovr") == 0)
			*out = m->average_precision;
		else
			return -1;
		return 0;
	}
	if (strcmp(metric, "precision_macro") == 0)
		*out = r->macro.precision;
	else if (strcmp(metric, "recall_macro") == 0)
		*out = r->macro.recall;
	else if (strcmp(metric, "f1_macro") == 0)
		*out = r->macro.f1;
	else if (strcmp(metric, "precision_weighted") == 0)
		*out = r->weighted.precision;
	else if (strcmp(metric, "recall_weighted") == 0)
		*out = r->weighted.recall;
	else if (strcmp(metric, "f1_weighted") == 0)
		*out = r->weighted.f1;
	else if (strcmp(metric, "precision_micro") == 0)
		*out = r->micro.precision;
	else if (strcmp(metric, "recall_micro") == 0)
		*out = r->micro.recall;
	else if (strcmp(metric, "f1_micro") == 0)
		*out = r->micro.f1;
	else if (strcmp(metric, "accuracy") == 0)
		*out = r->accuracy;
	else if (strcmp(metric, "balanced_accuracy") == 0)
		*out = r->balanced_accuracy;
	else if (strcmp(metric, "mcc") == 0)
		*out = r->mcc;
	else if (strcmp(metric, "cohen_kappa") == 0)
		*out = r->cohen_kappa;
	else if (strcmp(metric, "gmean_multiclass") == 0)
		*out = r->gmean;
	else if (strcmp(metric, "log_loss") == 0)
		*out = r->log_loss;
	else if (strcmp(metric, "roc_auc") == 0 && r->k == 2) /* binary: the second class */
		*out = r->cls[1].roc_auc;
	else if (strcmp(metric, "average_precision") == 0 && r->k == 2)
		*out = r->cls[1].average_precision;
	else if (strcmp(metric, "brier") == 0)
		*out = r->brier;
	else if (strcmp(metric, "ece") == 0)
		*out = r->ece;
	else if (strcmp(metric, "average_precision_macro") == 0)
		*out = r->macro_average_precision;
	else if (strcmp(metric, "roc_auc_macro") == 0)
		*out = r->macro_roc_auc;
	else if (strcmp(metric, "roc_auc_ovr_macro") == 0)
		*out = auc_average(r, 0);
	else if (strcmp(metric, "roc_auc_ovr_weighted") == 0)
		*out = auc_average(r, 1);
	else
		return -1;
	return 0;
}

/*
 * Compares every value of tests/NAME (case metric class value) with ours, counting the
 * misses per case and metric in groups[]; checks that the file has WANT_LINES values,
 * all of them understood.
 */
static void compare_expected(const char *name, int want_lines)
{
	char path[4096], *line = NULL, *f[8];
	size_t cap = 0;
	int nlines = 0, unknown = 0;
	FILE *fp;

	fp = open_golden(name, path, sizeof path);
	if (!fp) {
		CHECK(0, "%s: cannot open %s", name, path);
		return;
	}
	if (getline(&line, &cap, fp) < 0)
		unknown++;
	while (getline(&line, &cap, fp) > 0) {
		struct gcase *g;
		struct group *gr;
		double want, got;

		nlines++;
		if (split_tabs(line, f, 8) != 4 || !(g = find_case(f[0]))) {
			unknown++;
			continue;
		}
		want = strtod(f[3], NULL);
		gr = find_group(f[0], f[1]);
		gr->n++;
		if (our_value(g, f[1], f[2], &got) != 0) {
			gr->bad++;
			unknown++;
			printf("# %s %s %s: metric or class unknown\n", f[0], f[1], f[2]);
			continue;
		}
		if (!close_to(got, want, REL, ABS)) {
			if (gr->bad++ < SHOW)
				printf("# %s %s %s: got %.17g want %.17g\n", f[0], f[1], f[2], got, want);
		}
	}
	free(line);
	fclose(fp);
	CHECK(unknown == 0 && nlines == want_lines, "%s: %d values, all understood", name, nlines);
}

static void test_golden(void)
{
	size_t i, c;
	int bad_in;

	bad_in = load_inputs();
	CHECK(bad_in == 0 && ncases == 7, "metrics_inputs.tsv: %zu cases read (%d bad lines)",
	      ncases, bad_in);
	if (bad_in < 0)
		return;
	for (i = 0; i < ncases; i++)
		metrics_compute(&cases[i].rep, cases[i].n, cases[i].k, cases[i].ytrue, cases[i].ypred,
		                cases[i].scores);

	compare_expected("golden/metrics_expected.tsv", 388);
	compare_expected("ref/metrics_calib.tsv", 28);
	for (i = 0; i < ngroups; i++)
		CHECK(groups[i].bad == 0, "%s: %d value%s within 1e-9 (%d off)", groups[i].key,
		      groups[i].n, groups[i].n == 1 ? "" : "s", groups[i].bad);

	/* A class without an expected AUC (no positives in the truth) must be undefined. */
	for (i = 0; i < ncases; i++) {
		struct gcase *g = &cases[i];
		int ok = 1;

		for (c = 0; c < g->k; c++)
			if (!g->listed[c] && !(isnan(g->rep.cls[c].roc_auc) &&
			                       isnan(g->rep.cls[c].average_precision))) {
				ok = 0;
				printf("# %s class %s: auc %g ap %g, want undefined\n", g->name,
				       g->classes[c], g->rep.cls[c].roc_auc, g->rep.cls[c].average_precision);
			}
		CHECK(ok, "%s: roc_auc/average_precision undefined exactly where sklearn has none",
		      g->name);
	}
}

/* Small cases with known answers that the golden file does not cover. */
static void test_edges(void)
{
	struct report r;
	static const uint32_t one[4] = { 1, 1, 1, 1 };
	static const uint32_t yt[4] = { 0, 0, 1, 1 }, yp[4] = { 0, 1, 1, 1 };
	static const double sc[8] = { 0.9, 0.1, 0.6, 0.4, 0.4, 0.6, 0.0, 1.0 };
	static const double sc_tied[8] = { 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 };

	/* One class only, everywhere: kappa is 0/0 (sklearn: nan), MCC 0, AUC undefined. */
	metrics_compute(&r, 4, 3, one, one, NULL);
	CHECK(r.accuracy == 1 && r.mcc == 0 && isnan(r.cohen_kappa) && r.gmean == 1 &&
	      r.balanced_accuracy == 1 && isnan(r.log_loss) && isnan(r.cls[1].roc_auc) &&
	      r.cls[1].specificity == 0 && r.cls[0].precision == 0 && r.macro.f1 == 1.0 / 3,
	      "single class: accuracy 1, mcc 0, kappa undefined, gmean 1, macro f1 1/3");
	report_release(&r);

	/* No rows: nothing to divide by, and no crash. */
	metrics_compute(&r, 0, 2, NULL, NULL, NULL);
	CHECK(r.n == 0 && isnan(r.accuracy) && r.macro.precision == 0 && r.confusion[0] == 0 &&
	      isnan(r.log_loss), "no rows: accuracy undefined, averages 0");
	report_release(&r);

	metrics_compute(&r, 4, 2, yt, yp, sc);
	CHECK(close_to(r.cls[1].roc_auc, 1.0, 0, 0) && close_to(r.cls[0].roc_auc, 1.0, 0, 0) &&
	      r.cls[1].average_precision == 1 && r.confusion[1] == 1 && r.confusion[2] == 0,
	      "separable scores: AUC 1, AP 1");
	report_release(&r);

	/* True class at probability 0: clipped to 1e-15, the row renormalised. */
	metrics_compute(&r, 1, 2, yt, yt, sc + 6);
	CHECK(close_to(r.log_loss, -log(1e-15 / (1e-15 + 1)), 1e-15, 0),
	      "log loss clips a probability of 0 to 1e-15 (%.17g)", r.log_loss);
	report_release(&r);

	/* All scores tied: one threshold, AUC 0.5, AP = prevalence. */
	metrics_compute(&r, 4, 2, yt, yp, sc_tied);
	CHECK(r.cls[0].roc_auc == 0.5 && r.cls[1].average_precision == 0.5 &&
	      close_to(r.log_loss, log(2), 1e-15, 0), "tied scores: AUC 0.5, AP 0.5, log loss log 2");
	report_release(&r);
}

/* Writes R in FMT to a string (caller frees). */
static char *render(enum outfmt fmt, char *const *classes, const struct report *r,
                    const struct trainsummary *t, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	*rc = report_write(f, fmt, classes, r, t);
	fclose(f);
	return buf;
}

/* Shows where GOT and WANT part. */
static void show_diff(const char *got, const char *want)
{
	size_t i = 0;

	while (got[i] && got[i] == want[i])
		i++;
	printf("# differs at byte %zu\n# got:\n%s# want:\n%s", i, got, want);
}

static char *json_of_number(double x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_number(f, x);
	fclose(f);
	return buf;
}

static void test_json_helpers(void)
{
	static const double vals[] = { 0.1, 1.0 / 3, 0.78, 2.0 / 3, 1e-300, 5e-324, 1.7976931348623157e308,
		                           -0.0, 123456789012345678.0, 0.9873304182083193 };
	char *buf = NULL, *s;
	size_t len = 0, i;
	FILE *f;
	int ok = 1;

	s = json_of_number(NAN);
	CHECK(strcmp(s, "null") == 0, "json_number(NAN) is null (%s)", s);
	free(s);
	s = json_of_number(-INFINITY);
	CHECK(strcmp(s, "null") == 0, "json_number(-inf) is null (%s)", s);
	free(s);
	s = json_of_number(0.78);
	CHECK(strcmp(s, "0.78") == 0, "json_number(0.78) is 0.78 (%s)", s);
	free(s);
	s = json_of_number(97);
	CHECK(strcmp(s, "97") == 0, "json_number(97) is 97 (%s)", s);
	free(s);
	for (i = 0; i < sizeof vals / sizeof *vals; i++) {
		s = json_of_number(vals[i]);
		if (strtod(s, NULL) != vals[i] || strchr(s, 'n') || strchr(s, 'i')) {
			ok = 0;
			printf("# json_number(%.17g) gave %s\n", vals[i], s);
		}
		free(s);
	}
	CHECK(ok, "json_number round-trips");

	f = open_memstream(&buf, &len);
	json_string(f, "a\"b\\c\td\ne\x01\x1f/\xc3\xa9\xff\xe2\x82\xac");
	fclose(f);
	CHECK(strcmp(buf, "\"a\\\"b\\\\c\\td\\ne\\u0001\\u001f/\xc3\xa9\\ufffd\xe2\x82\xac\"") == 0,
	      "json_string escapes quotes, backslashes, control characters, invalid UTF-8 (%s)", buf);
	free(buf);
}

static void test_formats(void)
{
	/* Three classes, one never true (its AUC undefined), one label that needs escaping. */
	static const uint32_t yt[6] = { 0, 0, 0, 1, 1, 0 }, yp[6] = { 0, 0, 1, 1, 2, 0 };
	static const double sc[18] = { 0.8, 0.1, 0.1, 0.6, 0.3, 0.1, 0.4, 0.5, 0.1,
		                           0.2, 0.7, 0.1, 0.1, 0.4, 0.5, 0.5, 0.25, 0.25 };
	static const size_t before[3] = { 40, 15, 5 }, after[3] = { 40, 40, 40 };
	static const double weight[3] = { 1, 1, 1 };
	char *classes[3] = { "no", "yes\t\"really\"", "maybe" };
	struct trainsummary t;
	struct decision dec;
	struct report r;
	enum outfmt fmt;
	char *out, *p;
	int rc, ok;
	FILE *full;

	CHECK(outfmt_parse("table", &fmt) == 0 && fmt == FMT_TABLE &&
	      outfmt_parse("tsv", &fmt) == 0 && fmt == FMT_TSV &&
	      outfmt_parse("json", &fmt) == 0 && fmt == FMT_JSON && outfmt_parse("JSON", &fmt) == -1 &&
	      outfmt_parse("", &fmt) == -1 && outfmt_parse("csv", &fmt) == -1,
	      "outfmt_parse: table, tsv, json and nothing else");

	memset(&t, 0, sizeof t);
	t.model = "softmax";
	t.loss = "focal";
	t.solver = "lbfgs";
	t.sample = "over";
	t.gamma = 2;
	t.lambda = 1.0 / 60;
	t.objective = 0.53125;
	t.gnorm = 3.5e-7;
	t.seconds = 0.25;
	t.iterations = 42;
	t.converged = 1;
	t.count_before = before;
	t.count_after = after;
	t.class_weight = weight;
	t.evaluated_on = "training data (before sampling)";
	t.calibrate = "prior";
	t.temperature = 1;
	decision_argmax(&dec, 3, 1);
	dec.source = DEC_TUNED;
	dec.metric = DM_MACRO_F1;
	dec.folds = 5;
	dec.offset[0] = 0.5;
	dec.offset[1] = dec.offset[2] = -0.25;
	dec.offset_sd[0] = 0.125;
	dec.offset_sd[1] = 0.0625;
	dec.offset_sd[2] = 0.5;
	t.dec = &dec;
	t.inner_fits = 5;

	metrics_compute(&r, 6, 3, yt, yp, sc);

	out = render(FMT_JSON, classes, &r, &t, &rc);
	{
		static const char want[] =
			"{\"classes\":[\"no\",\"yes\\t\\\"really\\\"\",\"maybe\"],"
			"\"per_class\":{"
			"\"no\":{\"precision\":1,\"recall\":0.75,\"specificity\":1,\"f1\":0.8571428571428571,"
			"\"gmean\":0.8660254037844386,\"support\":4,\"roc_auc\":1,\"average_precision\":1},"
			"\"yes\\t\\\"really\\\"\":{\"precision\":0.5,\"recall\":0.5,\"specificity\":0.75,"
			"\"f1\":0.5,\"gmean\":0.6123724356957945,\"support\":2,\"roc_auc\":0.875,"
			"\"average_precision\":0.8333333333333333},"
			"\"maybe\":{\"precision\":0,\"recall\":0,\"specificity\":0.8333333333333334,\"f1\":0,"
			"\"gmean\":0,\"support\":0,\"roc_auc\":null,\"average_precision\":null}},"
			"\"macro\":{\"precision\":0.5,\"recall\":0.4166666666666667,\"f1\":0.4523809523809524,"
			"\"average_precision\":0.9166666666666666,\"roc_auc\":0.9375},"
			"\"weighted\":{\"precision\":0.8333333333333334,\"recall\":0.6666666666666666,"
			"\"f1\":0.7380952380952381},"
			"\"micro\":{\"precision\":0.6666666666666666,\"recall\":0.6666666666666666,"
			"\"f1\":0.6666666666666666},"
			"\"accuracy\":0.6666666666666666,\"balanced_accuracy\":0.625,"
			"\"mcc\":0.42640143271122083,\"cohen_kappa\":0.4,\"gmean\":0,"
			"\"log_loss\":0.6027287938878647,\"brier\":0.3458333333333334,"
			"\"ece\":0.23333333333333334,\"confusion\":[[3,1,0],[0,1,1],[0,0,0]],\"n\":6,"
			"\"training\":{\"model\":\"softmax\",\"loss\":\"focal\",\"gamma\":2,"
			"\"lambda\":0.016666666666666666,\"solver\":\"lbfgs\",\"sample\":\"over\","
			"\"objective\":0.53125,\"gradient_norm\":3.5e-07,\"iterations\":42,\"converged\":true,"
			"\"seconds\":0.25,\"evaluated_on\":\"training data (before sampling)\","
			"\"calibration\":\"prior\",\"temperature\":1,\"decision\":{\"source\":\"tuned\","
			"\"tuned_for\":\"macro_f1\",\"tune_folds\":5,"
			"\"offsets\":{\"no\":0.5,\"yes\\t\\\"really\\\"\":-0.25,\"maybe\":-0.25},"
			"\"offsets_sd\":{\"no\":0.125,\"yes\\t\\\"really\\\"\":0.0625,\"maybe\":0.5}},"
			"\"inner_fits\":5,"
			"\"class_counts\":{\"no\":{\"before\":40,\"after\":40},"
			"\"yes\\t\\\"really\\\"\":{\"before\":15,\"after\":40},"
			"\"maybe\":{\"before\":5,\"after\":40}},"
			"\"class_weights\":{\"no\":1,\"yes\\t\\\"really\\\"\":1,\"maybe\":1}}}\n";

		ok = rc == 0 && strcmp(out, want) == 0;
		CHECK(ok, "json: the whole report as one object on one line, undefined values null");
		if (!ok)
			show_diff(out, want);
	}
	free(out);

	out = render(FMT_TSV, classes, &r, NULL, &rc);
	{
		static const char want[] =
			"class\tprecision\trecall\tspecificity\tf1\tgmean\tsupport\troc_auc\taverage_precision\n"
			"no\t1\t0.75\t1\t0.8571428571428571\t0.8660254037844386\t4\t1\t1\n"
			"yes \"really\"\t0.5\t0.5\t0.75\t0.5\t0.6123724356957945\t2\t0.875\t0.8333333333333333\n"
			"maybe\t0\t0\t0.8333333333333334\t0\t0\t0\t-\t-\n"
			"macro avg\t0.5\t0.4166666666666667\t-\t0.4523809523809524\t-\t6\t0.9375\t0.9166666666666666\n"
			"weighted avg\t0.8333333333333334\t0.6666666666666666\t-\t0.7380952380952381\t-\t6\t-\t-\n"
			"micro avg\t0.6666666666666666\t0.6666666666666666\t-\t0.6666666666666666\t-\t6\t-\t-\n";

		ok = rc == 0 && strcmp(out, want) == 0;
		CHECK(ok, "tsv: header, one row per class, three average rows, '-' when undefined");
		if (!ok)
			show_diff(out, want);
	}
	free(out);

	out = render(FMT_TABLE, classes, &r, &t, &rc);
	{
		static const char want[] =
			"model          softmax\n"
			"loss           focal\n"
			"gamma          2\n"
			"lambda         0.0166667\n"
			"solver         lbfgs\n"
			"sample         over\n"
			"objective      0.53125\n"
			"gradient norm  3.5e-07\n"
			"iterations     42\n"
			"converged      yes\n"
			"seconds        0.250\n"
			"calibration    prior\n"
			"decision       tuned for macro_f1 on 5 inner folds (offsets below)\n"
			"\n"
			"class            rows  after sampling  weight  offset      sd\n"
			"no                 40              40       1     0.5   0.125\n"
			"yes\\x09\"really\"    15              40       1   -0.25  0.0625\n"
			"maybe               5              40       1   -0.25     0.5\n"
			"\n"
			"evaluated on training data (before sampling): 6 rows\n"
			"\n"
			"class            precision  recall   spec     f1  gmean    auc     ap  support\n"
			"no                   1.000   0.750  1.000  0.857  0.866  1.000  1.000        4\n"
			"yes\\x09\"really\"      0.500   0.500  0.750  0.500  0.612  0.875  0.833        2\n"
			"maybe                0.000   0.000  0.833  0.000  0.000      -      -        0\n"
			"macro avg            0.500   0.417         0.452         0.938  0.917        6\n"
			"weighted avg         0.833   0.667         0.738                             6\n"
			"micro avg            0.667   0.667         0.667                             6\n"
			"\n"
			"accuracy           0.667\n"
			"balanced accuracy  0.625\n"
			"MCC                0.426\n"
			"Cohen's kappa      0.400\n"
			"G-mean             0.000\n"
			"log loss           0.603\n"
			"Brier score        0.346\n"
			"ECE                0.233\n"
			"\n"
			"confusion matrix (rows: true class, columns: predicted class)\n"
			"                 no  yes\\x09\"really\"  maybe\n"
			"no                3                1      0\n"
			"yes\\x09\"really\"   0                1      1\n"
			"maybe             0                0      0\n";

		ok = rc == 0 && strcmp(out, want) == 0;
		CHECK(ok, "table: training block, per-class table, figures, confusion matrix");
		if (!ok)
			show_diff(out, want);
	}
	for (ok = 1, p = out; (p = strchr(p, '\n')) != NULL; p++)
		if (p > out && p[-1] == ' ')
			ok = 0;
	CHECK(ok && !strchr(out, '\t'), "table: no trailing spaces, no tabs");
	free(out);
	report_release(&r);
	decision_release(&dec);

	/* Without scores: AUC, AP and log loss are undefined. */
	metrics_compute(&r, 6, 3, yt, yp, NULL);
	out = render(FMT_JSON, classes, &r, NULL, &rc);
	CHECK(rc == 0 && strstr(out, "\"log_loss\":null") && strstr(out, "\"roc_auc\":null") &&
	      !strstr(out, "\"roc_auc\":1") && !strstr(out, "training") &&
	      out[strlen(out) - 1] == '\n', "json without scores: log_loss and roc_auc null");
	free(out);
	out = render(FMT_TABLE, classes, &r, NULL, &rc);
	p = strstr(out, "\nlog loss ");
	p = p ? p + strspn(p + 9, " ") + 9 : NULL;
	CHECK(rc == 0 && strncmp(out, "6 rows\n\nclass ", 14) == 0 && p && strncmp(p, "-\n", 2) == 0,
	      "table without training: title '6 rows', log loss '-'");
	free(out);

	full = fopen("/dev/full", "w");
	if (full) {
		CHECK(report_write(full, FMT_JSON, classes, &r, NULL) == -1,
		      "report_write returns -1 when writing fails (/dev/full)");
		fclose(full);
	}
	report_release(&r);
}

int main(void)
{
	size_t i, c;

	test_golden();
	test_edges();
	test_json_helpers();
	test_formats();
	for (i = 0; i < ncases; i++) {
		report_release(&cases[i].rep);
		for (c = 0; c < cases[i].k; c++)
			free(cases[i].classes[c]);
		free(cases[i].ytrue);
		free(cases[i].ypred);
		free(cases[i].scores);
	}
	TAP_DONE();
}
