/* weights.c: class weightings. */
#include "weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int weighting_parse(const char *spec, struct weighting *w, struct ferr *e)
{
	memset(w, 0, sizeof *w);
	if (strcmp(spec, "none") == 0)
		w->kind = WEIGHT_NONE;
	else if (strcmp(spec, "balanced") == 0)
		w->kind = WEIGHT_BALANCED;
	else if (strchr(spec, '='))
		w->kind = WEIGHT_LABELS;
	else
		return ferr_usage(e, "--class-weight: '%s' is not none, balanced or LABEL=W,...", spec);
	w->text = xstrdup(spec);
	return 0;
}

void weighting_alpha(double alpha, struct weighting *w)
{
	char buf[64];

	memset(w, 0, sizeof *w);
	w->kind = WEIGHT_ALPHA;
	w->alpha = alpha;
	snprintf(buf, sizeof buf, "alpha=%g", alpha);
	w->text = xstrdup(buf);
}

int weighting_resolve(struct weighting *w, const struct schema *s, struct ferr *e)
{
	size_t j, n, c;
	char **items;
	int rc = 0;

	if (w->kind == WEIGHT_ALPHA && s->nclass != 2)
		return ferr_usage(e, "--alpha needs two classes; the data has %zu (use --class-weight)",
		                  s->nclass);
	if (w->kind != WEIGHT_LABELS)
		return 0;
	free(w->w);
	w->w = xcalloc(s->nclass, sizeof *w->w);
	for (c = 0; c < s->nclass; c++)
		w->w[c] = 1;
	items = split_list(w->text, &n);
	for (j = 0; j < n && rc == 0; j++) {
		char *eq = strrchr(items[j], '=');
		long cls;
		double v;

		if (!eq) {
			rc = ferr_usage(e, "--class-weight: '%s' is not LABEL=W", items[j]);
			break;
		}
		*eq = '\0';
		cls = schema_class(s, items[j]);
		if (cls < 0)
			rc = ferr_usage(e, "--class-weight: no class '%s' in the data", items[j]);
		else if (parse_double(eq + 1, &v) != 0 || v < 0)
			rc = ferr_usage(e, "--class-weight: '%s' is not a non-negative weight", eq + 1);
		else
			w->w[cls] = v;
	}
	strv_free(items, n);
	return rc;
}

void weighting_apply(const struct weighting *w, size_t nclass, const size_t *count, int positive,
                     double *out)
{
	size_t c, n = 0;

	for (c = 0; c < nclass; c++) {
		out[c] = 1;
		n += count[c];
	}
	switch (w->kind) {
	case WEIGHT_NONE:
		break;
	case WEIGHT_BALANCED:
		for (c = 0; c < nclass; c++)
			out[c] = count[c] ? (double)n / ((double)nclass * (double)count[c]) : 0;
		break;
	case WEIGHT_ALPHA:
		out[positive] = w->alpha;
		out[1 - positive] = 1 - w->alpha;
		break;
	case WEIGHT_LABELS:
		memcpy(out, w->w, nclass * sizeof *out);
		break;
	}
}

void weighting_release(struct weighting *w)
{
	if (!w)
		return;
	free(w->text);
	free(w->w);
	memset(w, 0, sizeof *w);
}
