/* gen.c: writes a synthetic imbalanced classification CSV to stdout, deterministically.
 *
 * usage: gen ROWS FEATURES CLASSES [SEED]
 * Class priors fall geometrically (largest ~ 65x the smallest for 5 classes); each class
 * has a random centre in the first half of the features, the rest are noise; values are
 * written with six significant digits, the label column `label` comes last (c0, c1, ...).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static double gauss(struct rng *r)
{
	double u = rng_uniform(r), v = rng_uniform(r);

	return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

int main(int argc, char **argv)
{
	long rows, feats, classes, seed = 14, i, j, c;
	double *prior, *centre, tot = 0;
	struct rng r;

	if (argc < 4 || parse_long(argv[1], 1, 1000000000L, &rows) ||
	    parse_long(argv[2], 1, 100000, &feats) || parse_long(argv[3], 2, 1000, &classes) ||
	    (argc > 4 && parse_long(argv[4], 0, 1000000000L, &seed))) {
		fputs("usage: gen ROWS FEATURES CLASSES [SEED]\n", stderr);
		return 2;
	}
	rng_seed(&r, (uint64_t)seed);
	prior = xcalloc((size_t)classes, sizeof *prior);
	centre = xcalloc((size_t)(classes * feats), sizeof *centre);
	for (c = 0; c < classes; c++) {
		prior[c] = classes > 2 ? pow(0.35, 4.0 * c / (classes - 1)) : (c ? 0.03 : 0.97);
		tot += prior[c];
		for (j = 0; j < feats / 2; j++)
			centre[c * feats + j] = 0.8 * gauss(&r);
	}
	for (j = 0; j < feats; j++)
		printf("f%ld,", j);
	puts("label");
	for (i = 0; i < rows; i++) {
		double u = rng_uniform(&r) * tot;

		for (c = 0; c < classes - 1 && u >= prior[c]; c++)
			u -= prior[c];
		for (j = 0; j < feats; j++)
			printf("%.6g,", centre[c * feats + j] + gauss(&r));
		printf("c%ld\n", c);
	}
	free(prior);
	free(centre);
	return fflush(stdout) != 0 || ferror(stdout);
}
