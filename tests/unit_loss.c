/*
 * unit_loss.c: the per-row losses of loss.c against the golden values of
 * tests/golden/focal_binary.tsv and focal_softmax.tsv (mpmath, 100 digits), every row
 * at a relative 1e-9, plus a few properties (gamma 0 is cross-entropy, no NaN at
 * saturation).
 * Run from the repository root, or set FOCAL_SRCDIR to it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "train.h"

#define REL 1e-9
#define ABS 1e-300
#define MAXK 64
#define SHOW 5 /* failures printed in detail per file */

/* Opens tests/golden/NAME under $FOCAL_SRCDIR (default: the current directory). */
static FILE *open_golden(const char *name, char *path, size_t size)
{
	const char *dir = getenv("FOCAL_SRCDIR");

	snprintf(path, size, "%s/tests/golden/%s", dir && *dir ? dir : ".", name);
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

/* Parses a comma-separated list of numbers into V (at most MAX); returns the count or -1. */
static int parse_list(const char *s, double *v, int max)
{
	int n = 0;
	char *end;

	for (;;) {
		if (n == max)
			return -1;
		v[n++] = strtod(s, &end);
		if (end == s)
			return -1;
		if (*end == '\0')
			return n;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

static double num(const char *s)
{
	return strtod(s, NULL);
}

/* Checks every row of focal_binary.tsv. */
static void test_binary_golden(void)
{
	char path[4096], *line = NULL, *f[8];
	size_t cap = 0;
	int n = 0, nbad = 0, nf;
	FILE *fp = open_golden("focal_binary.tsv", path, sizeof path);

	if (!fp) {
		CHECK(0, "focal_binary.tsv: cannot open %s", path);
		return;
	}
	if (getline(&line, &cap, fp) < 0) /* header */
		nbad++;
	while (getline(&line, &cap, fp) > 0) {
		double z, gamma, alpha, wloss, wdz, a, loss, dz;
		int t;

		nf = split_tabs(line, f, 8);
		if (nf != 6) {
			nbad++;
			continue;
		}
		z = num(f[0]);
		t = atoi(f[1]);
		gamma = num(f[2]);
		alpha = num(f[3]);
		wloss = num(f[4]);
		wdz = num(f[5]);
		a = alpha == -1 ? 1 : t ? alpha : 1 - alpha;
		loss = a * focal_binary(z, t, gamma, &dz);
		dz *= a;
		n++;
		if (!close_to(loss, wloss, REL, ABS) || !close_to(dz, wdz, REL, ABS)) {
			if (nbad++ < SHOW)
				printf("# binary z=%g t=%d gamma=%g alpha=%g: loss %.17g want %.17g, "
				       "dz %.17g want %.17g\n", z, t, gamma, alpha, loss, wloss, dz, wdz);
		}
	}
	free(line);
	fclose(fp);
	CHECK(nbad == 0 && n > 800, "focal_binary.tsv: %d rows within 1e-9 (%d bad)", n, nbad);
}

/* Compares one softmax row; returns 1 when it matches. */
static int softmax_row(char **f, int *k_out)
{
	double z[MAXK], al[MAXK], want[MAXK], dz[MAXK], gamma, wloss, loss, a;
	int k, y, j, ok;

	k = atoi(f[0]);
	*k_out = k;
	y = atoi(f[2]);
	gamma = num(f[3]);
	wloss = num(f[5]);
	if (k < 2 || k > MAXK || y < 0 || y >= k || parse_list(f[1], z, MAXK) != k ||
	    parse_list(f[6], want, MAXK) != k)
		return 0;
	a = 1;
	if (strcmp(f[4], "none") != 0) {
		if (parse_list(f[4], al, MAXK) != k)
			return 0;
		a = al[y];
	}
	loss = a * focal_softmax(z, (size_t)k, (size_t)y, gamma, dz);
	ok = close_to(loss, wloss, REL, ABS);
	for (j = 0; j < k; j++)
		ok &= close_to(a * dz[j], want[j], REL, ABS);
	if (!ok) {
		printf("# softmax k=%d logits=%s y=%d gamma=%g: loss %.17g want %.17g\n", k, f[1], y,
		       gamma, loss, wloss);
		for (j = 0; j < k; j++)
			printf("#   dz[%d] %.17g want %.17g\n", j, a * dz[j], want[j]);
	}
	return ok;
}

static void test_softmax_golden(void)
{
	char path[4096], *line = NULL, *f[8];
	size_t cap = 0;
	int n = 0, nbad = 0, k, seen[MAXK + 1] = {0};
	FILE *fp = open_golden("focal_softmax.tsv", path, sizeof path);

	if (!fp) {
		CHECK(0, "focal_softmax.tsv: cannot open %s", path);
		return;
	}
	if (getline(&line, &cap, fp) < 0)
		nbad++;
	while (getline(&line, &cap, fp) > 0) {
		n++;
		k = 0;
		if (split_tabs(line, f, 8) != 7 || !softmax_row(f, &k)) {
			nbad++;
			continue;
		}
		seen[k]++;
	}
	free(line);
	fclose(fp);
	CHECK(nbad == 0 && n > 900, "focal_softmax.tsv: %d rows within 1e-9 (%d bad)", n, nbad);
	CHECK(seen[2] && seen[3] && seen[5], "focal_softmax.tsv covers k = 2, 3 and 5");
}

/* Saturated rows (1 - p_y ~ 1e-52), against values computed apart with mpmath at 100 digits. */
static void test_softmax_saturated(void)
{
	static const struct {
		int k;
		double gamma, loss;
	} c[] = {
		{ 2, 0, 7.6676480737219996324e-53 },
		{ 2, 2, 4.5080270656067418434e-157 },
		{ 3, 0, 1.5335296147443999265e-52 },
		{ 3, 1, 2.3517130792981077e-104 },
		{ 5, 0.5, 5.3713474305692746e-78 },
	};
	double z[5] = { 60, -60, -60, -60, -60 }, dz[5];
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		double l = focal_softmax(z, (size_t)c[i].k, 0, c[i].gamma, dz);

		if (!close_to(l, c[i].loss, 1e-14, 0)) {
			bad++;
			printf("# k=%d gamma=%g: loss %.17g want %.17g\n", c[i].k, c[i].gamma, l, c[i].loss);
		}
	}
	CHECK(bad == 0, "softmax loss at margin ~120 within 1e-14 of mpmath (100 digits)");
}

/* Gamma 0 is cross-entropy exactly; the softmax with k = 2 is the binary loss. */
static void test_gamma0_is_ce(void)
{
	static const double zs[] = { -1000, -40, -3.5, -1e-3, 0, 2e-8, 0.7, 19, 745, 1000 };
	size_t i;
	int bad = 0, bad2 = 0;

	for (i = 0; i < sizeof zs / sizeof zs[0]; i++) {
		double z = zs[i], dz, dzs[2], zz[2] = { 0, z };
		double ce = z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z));
		double l = focal_binary(z, 1, 0, &dz);
		double ls = focal_softmax(zz, 2, 1, 0, dzs);

		bad += !close_to(l, ce, 1e-15, 1e-300);
		bad2 += !close_to(ls, l, 1e-15, 1e-300) || !close_to(dzs[1], dz, 1e-15, 1e-300);
	}
	CHECK(bad == 0, "focal_binary with gamma 0 is cross-entropy");
	CHECK(bad2 == 0, "focal_softmax with k 2 is focal_binary");
}

/* Saturated logits, fractional gamma: everything finite, softmax gradients sum to 0. */
static void test_saturation(void)
{
	static const double gammas[] = { 0, 0.1, 0.5, 1, 2, 5 };
	double z[3] = { 1000, -1000, 0 }, dz[3], d;
	size_t g, y;
	int bad = 0;

	for (g = 0; g < sizeof gammas / sizeof gammas[0]; g++) {
		for (y = 0; y < 3; y++) {
			double l = focal_softmax(z, 3, y, gammas[g], dz);

			bad += !isfinite(l) || !isfinite(dz[0]) || !isfinite(dz[1]) || !isfinite(dz[2]);
			bad += fabs(dz[0] + dz[1] + dz[2]) > 1e-15;
		}
		bad += !isfinite(focal_binary(1000, 1, gammas[g], &d)) || !isfinite(d);
		bad += !isfinite(focal_binary(1000, 0, gammas[g], &d)) || !isfinite(d);
		bad += !isfinite(focal_binary(-1000, 1, gammas[g], &d)) || !isfinite(d);
	}
	CHECK(bad == 0, "losses and gradients finite at |logit| 1000 for gamma 0..5");
	CHECK(focal_binary(-1000, 1, 2, &d) == 1000 && d == -1, "confident wrong: loss 1000, slope -1");
}

int main(void)
{
	test_binary_golden();
	test_softmax_golden();
	test_softmax_saturated();
	test_gamma0_is_ce();
	test_saturation();
	TAP_DONE();
}
