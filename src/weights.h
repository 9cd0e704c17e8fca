/* weights.h: class weightings (--class-weight, --alpha) and the class weights they give. */
#ifndef FOCAL_WEIGHTS_H
#define FOCAL_WEIGHTS_H

#include <stddef.h>

#include "data.h"
#include "util.h"

enum weight_kind { WEIGHT_NONE, WEIGHT_BALANCED, WEIGHT_ALPHA, WEIGHT_LABELS };

/* One class weighting.  Owns text and w. */
struct weighting {
	enum weight_kind kind;
	double alpha;  /* WEIGHT_ALPHA: weight of the positive class; 1 - alpha for the other */
	char *text;    /* "none", "balanced", "alpha=A" or the LABEL=W,... spec */
	double *w;     /* WEIGHT_LABELS: nclass weights, once weighting_resolve has run */
};

/* Fills W from a --class-weight value (none, balanced or LABEL=W,...); -1 (usage) if malformed. */
int weighting_parse(const char *spec, struct weighting *w, struct ferr *e);
/* Fills W for --alpha A. */
void weighting_alpha(double alpha, struct weighting *w);
/* Checks W against the classes of S: LABEL=W labels must be classes, alpha needs two classes. */
int weighting_resolve(struct weighting *w, const struct schema *s, struct ferr *e);
/* Effective class weights OUT[nclass] for COUNT rows per class; balanced is n / (k n_c). */
void weighting_apply(const struct weighting *w, size_t nclass, const size_t *count, int positive,
                     double *out);
void weighting_release(struct weighting *w);

#endif
