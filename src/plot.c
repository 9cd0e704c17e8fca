/*
 * plot.c: the figures of a report and of a cross-validation (plot.h).  A figure is a
 * grid of panels, each drawn in its own coordinates (a translated group) and laid out
 * left to right in rows no wider than PAGE_W.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#include "outfile.h"
#include "stats.h"
#include "svg.h"

#define PAGE_W 1280.0 /* the widest row of panels: two of curves with one legend column */
#define PW 300.0      /* a plot area's width and height */
#define PH 300.0
#define ML 64.0       /* its left and top margins in a panel */
#define MT 44.0
#define LEG_ROW 15.0  /* a legend's row, column and label */
#define LEG_COL 240.0
#define LEG_CHARS 20
#define LEG_ROWS 20   /* rows of a legend column: PH / LEG_ROW */

int plot_format(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	char ext[8];
	size_t i;

	if (!dot || (slash && dot < slash) || strlen(dot) >= sizeof ext)
		return -1;
	for (i = 0; dot[i]; i++)
		ext[i] = (char)tolower((unsigned char)dot[i]);
	ext[i] = '\0';
	if (strcmp(ext, ".svg") == 0)
		return PLOT_SVG;
	if (strcmp(ext, ".html") == 0 || strcmp(ext, ".htm") == 0)
		return PLOT_HTML;
	return -1;
}

/* ---- panels and their layout ---- */

/* One panel: its size and how to draw it at the origin. */
struct panel {
	double w, h;
	void (*draw)(FILE *f, const void *ctx);
};

/* The total size of the panels laid out in rows of at most PAGE_W; their origins into X
 * and Y. */
static void layout(const struct panel *p, size_t n, double *x, double *y, double *w, double *h)
{
	double cx = 0, cy = 0, rowh = 0;
	size_t i;

	*w = 0;
	for (i = 0; i < n; i++) {
		if (cx > 0 && cx + p[i].w > PAGE_W) {
			cy += rowh;
			cx = 0;
			rowh = 0;
		}
		x[i] = cx;
		y[i] = cy;
		cx += p[i].w;
		if (cx > *w)
			*w = cx;
		if (p[i].h > rowh)
			rowh = p[i].h;
	}
	*h = cy + rowh;
}

/* Writes the figure: TITLE (NULL: none, as on a page with a heading of its own), then
 * the N panels. */
static void draw_panels(FILE *f, const char *title, const struct panel *p, size_t n,
                        const void *ctx)
{
	double x[8], y[8], w, h, top = title ? 36 : 4;
	size_t i;

	layout(p, n, x, y, &w, &h);
	svg_open(f, w + 10, h + top + 4);
	if (title)
		svg_text(f, 12, 24, SVG_START, "title", 0, 90, title);
	for (i = 0; i < n; i++) {
		fputs("<g transform=\"translate(", f);
		svg_num(f, x[i], 1);
		fputc(',', f);
		svg_num(f, y[i] + top, 1);
		fputs(")\">\n", f);
		p[i].draw(f, ctx);
		fputs("</g>\n", f);
	}
	svg_close(f);
}

/* The line sample of class C in a legend at (X, Y). */
static void legend_swatch(FILE *f, double x, double y, size_t c)
{
	svg_line(f, x, y - 4, x + 18, y - 4, svg_colour(c), 2.5, svg_dash(c));
}

/* The columns a legend of K rows needs. */
static size_t legend_cols(size_t k)
{
	return k == 0 ? 1 : (k + LEG_ROWS - 1) / LEG_ROWS;
}

/* Where row I of a legend starts: its column's x and its baseline. */
static void legend_pos(size_t i, double *x, double *y)
{
	*x = ML + PW + 18 + (double)(i / LEG_ROWS) * LEG_COL;
	*y = MT + 10 + (double)(i % LEG_ROWS) * LEG_ROW;
}

/* "AP 0.912" as the report's tables print it (three decimals), or WHY it is missing. */
static void legend_value(char *buf, size_t size, const char *key, double v, const char *why)
{
	if (isfinite(v))
		snprintf(buf, size, "%s %.3f", key, v);
	else
		snprintf(buf, size, "%s", why);
}

static const struct svg_axis unit_x = { 0, 1, ML, ML + PW, 0 };
static const struct svg_axis unit_y = { 0, 1, MT + PH, MT, 0 };

/* ---- the figures of a report ---- */

/* Why class C of P has no curve. */
static const char *no_curve(const struct plot_report *p, size_t c)
{
	if (p->r->cls[c].support == 0)
		return "no rows";
	return p->r->cls[c].support == p->r->n ? "no other rows" : "no curve";
}

static double curve_panel_w(const struct plot_report *p)
{
	return ML + PW + 18 + (double)legend_cols(p->r->k) * LEG_COL + 8;
}

/* The precision-recall (ROC 0) or ROC (ROC 1) panel. */
static void draw_curves(FILE *f, const struct plot_report *p, int roc)
{
	const struct report *r = p->r;
	size_t c;
	double lx, ly;
	char val[64];

	svg_text(f, ML, 22, SVG_START, "title", 0, 0,
	         roc ? "ROC, one class against the rest" :
	         "precision-recall, one class against the rest");
	svg_axes(f, &unit_x, &unit_y, roc ? "false positive rate" : "recall",
	         roc ? "true positive rate" : "precision");
	if (roc) {
		svg_line(f, ML, MT + PH, ML + PW, MT, "#888", 1, "4 4");
		/* under the diagonal, clear of it */
		svg_text(f, ML + PW - 6, MT + 60, SVG_END, "note", 0, 0, "chance");
	} else {
		/* chance: a classifier that ranks at random has the class's share as precision */
		for (c = 0; c < r->k; c++) {
			double prev = r->n ? (double)r->cls[c].support / (double)r->n : 0;
			double py = svg_map(&unit_y, prev);

			if (p->fd->pr[c].n == 0)
				continue;
			svg_line(f, ML, py, ML + PW, py, svg_colour(c), 0.8, "1 3");
		}
		svg_text(f, ML + PW - 6, MT + PH - 6, SVG_END, "note", 0, 0,
		         "dotted: chance (class share)");
	}
	for (c = 0; c < r->k; c++) {
		const struct curve *cu = roc ? &p->fd->roc[c] : &p->fd->pr[c];

		svg_polyline(f, &unit_x, &unit_y, cu->x, cu->y, cu->n, "curve", svg_colour(c),
		             svg_dash(c), 1.8);
	}
	for (c = 0; c < r->k; c++) {
		legend_pos(c, &lx, &ly);
		if (p->fd->pr[c].n)
			legend_swatch(f, lx, ly, c);
		svg_text(f, lx + 24, ly, SVG_START, "leg", 0, LEG_CHARS, p->classes[c]);
		if (roc)
			legend_value(val, sizeof val, "AUC", r->cls[c].roc_auc, no_curve(p, c));
		else
			legend_value(val, sizeof val, "AP", r->cls[c].average_precision, no_curve(p, c));
		svg_text(f, lx + LEG_COL - 10, ly, SVG_END, "leg", 0, 0, val);
	}
	legend_pos(r->k, &lx, &ly);
	if (r->k < LEG_ROWS && isfinite(roc ? r->macro_roc_auc : r->macro_average_precision)) {
		legend_value(val, sizeof val, roc ? "AUC" : "AP",
		             roc ? r->macro_roc_auc : r->macro_average_precision, "");
		svg_text(f, lx + 24, ly + 4, SVG_START, "leg", 0, 0, "macro");
		svg_text(f, lx + LEG_COL - 10, ly + 4, SVG_END, "leg", 0, 0, val);
	}
}

static void draw_pr(FILE *f, const void *ctx)
{
	draw_curves(f, ctx, 0);
}

static void draw_roc(FILE *f, const void *ctx)
{
	draw_curves(f, ctx, 1);
}

#define REL_STRIP 60.0       /* the tallest bar of rows per bin under the reliability diagram */
#define REL_TOP (MT + PH + 24) /* the top of their strip: below the x axis's tick labels */

/*
 * The room above the strip's bars for their counts, each written upright from the top of
 * its bar: the widest count and a gap, so that the count of the tallest bar stays below
 * REL_TOP and clear of the tick labels, however many rows and classes there are.
 */
static double rel_count_room(const struct figdata *fd)
{
	double w = 0;
	char buf[32];
	size_t b;

	for (b = 0; b < METRICS_ECE_BINS; b++)
		if (fd->bin_rows[b] > 0) {
			snprintf(buf, sizeof buf, "%.0f", fd->bin_rows[b]);
			w = fmax(w, svg_text_width(buf, 0, 8));
		}
	return w + 5;
}

/* The baseline of the strip of rows per bin. */
static double rel_strip_base(const struct figdata *fd)
{
	return REL_TOP + rel_count_room(fd) + REL_STRIP;
}

static void draw_reliability(FILE *f, const void *ctx)
{
	const struct plot_report *p = ctx;
	const struct figdata *fd = p->fd;
	double px[METRICS_ECE_BINS], py[METRICS_ECE_BINS], most = 0, lx, ly, sy;
	size_t b, m = 0;
	char val[64], tip[160];

	svg_text(f, ML, 22, SVG_START, "title", 0, 0, "reliability: accuracy against confidence");
	svg_axes(f, &unit_x, &unit_y, NULL, "accuracy of the predicted class");
	for (b = 0; b < METRICS_ECE_BINS; b++)
		if (fd->bin_rows[b] > most)
			most = fd->bin_rows[b];
	sy = rel_strip_base(fd);
	for (b = 0; b < METRICS_ECE_BINS; b++) {
		double lo = (double)b / METRICS_ECE_BINS, hi = (double)(b + 1) / METRICS_ECE_BINS;
		double x0 = svg_map(&unit_x, lo), x1 = svg_map(&unit_x, hi), acc, h;

		if (fd->bin_rows[b] == 0)
			continue;
		acc = fd->bin_hits[b] / fd->bin_rows[b];
		px[m] = fd->bin_conf[b] / fd->bin_rows[b];
		py[m++] = acc;
		snprintf(tip, sizeof tip, "confidence (%.3f, %.3f]: %.0f rows, accuracy %.3f, mean "
		         "confidence %.3f", lo, hi, fd->bin_rows[b], acc, px[m - 1]);
		svg_rect(f, x0 + 1, svg_map(&unit_y, acc), x1 - x0 - 2, MT + PH - svg_map(&unit_y, acc),
		         "#cfe3f1", "#56B4E9", tip);
		/* the bin's rows in the strip below, with their count above */
		h = REL_STRIP * fd->bin_rows[b] / most;
		svg_rect(f, x0 + 1, sy - h, x1 - x0 - 2, h, "#999", NULL, tip);
		fputs("<text x=\"", f);
		svg_num(f, (x0 + x1) / 2 + 3, 1);
		fputs("\" y=\"", f);
		svg_num(f, sy - h - 3, 1);
		fputs("\" class=\"small\" transform=\"rotate(-90 ", f);
		svg_num(f, (x0 + x1) / 2 + 3, 1);
		fputc(' ', f);
		svg_num(f, sy - h - 3, 1);
		fprintf(f, ")\">%.0f</text>\n", fd->bin_rows[b]);
	}
	svg_line(f, ML, MT + PH, ML + PW, MT, "#888", 1, "4 4");
	svg_polyline(f, &unit_x, &unit_y, px, py, m, "rel", "#D55E00", NULL, 1.8);
	for (b = 0; b < m; b++) {
		fputs("<circle cx=\"", f);
		svg_num(f, svg_map(&unit_x, px[b]), 1);
		fputs("\" cy=\"", f);
		svg_num(f, svg_map(&unit_y, py[b]), 1);
		fputs("\" r=\"3\" fill=\"#D55E00\"/>\n", f);
	}
	svg_line(f, ML, sy, ML + PW, sy, "#333", 1, NULL);
	svg_text(f, ML - 7, sy - REL_STRIP / 2, SVG_END, "note", 0, 0, "rows");
	svg_text(f, ML + PW / 2, sy + 18, SVG_MIDDLE, "atitle", 0, 0,
	         "confidence (largest probability), 15 bins");
	legend_pos(0, &lx, &ly);
	svg_rect(f, lx, ly - 9, 18, 9, "#cfe3f1", "#56B4E9", NULL);
	svg_text(f, lx + 24, ly, SVG_START, "leg", 0, 0, "accuracy per bin");
	legend_pos(1, &lx, &ly);
	svg_line(f, lx, ly - 4, lx + 18, ly - 4, "#D55E00", 2, NULL);
	svg_text(f, lx + 24, ly, SVG_START, "leg", 0, 0, "at the bin's mean confidence");
	legend_pos(2, &lx, &ly);
	svg_line(f, lx, ly - 4, lx + 18, ly - 4, "#888", 1, "4 4");
	svg_text(f, lx + 24, ly, SVG_START, "leg", 0, 0, "perfectly calibrated");
	legend_pos(4, &lx, &ly);
	legend_value(val, sizeof val, "ECE", p->r->ece, "ECE -");
	svg_text(f, lx, ly, SVG_START, "leg", 0, 0, val);
	legend_pos(5, &lx, &ly);
	svg_text(f, lx, ly, SVG_START, "note", 0, 0, "grey: rows per bin");
}

/* The side of a confusion-matrix cell for K classes. */
static double cell_side(size_t k)
{
	double s = k ? floor(360.0 / (double)k) : 72;

	return s < 14 ? 14 : s > 72 ? 72 : s;
}

#define CM_LEFT 120.0 /* room for the row labels */
#define CM_CHARS 14   /* the characters of a class label shown */
#define CM_LAB 8.0    /* the gap between the grid and the column labels */

static const char cm_title[] = "confusion matrix: counts, shaded by the share of the true class";

static double confusion_w(const struct plot_report *p)
{
	double w = CM_LEFT + cell_side(p->r->k) * (double)p->r->k + 90;
	double tw = 12 + svg_text_width(cm_title, 0, 14) + 8; /* the title */

	return w > tw ? w : tw;
}

/*
 * How far below the grid the column labels reach, from the widest label shown: slanted
 * at 45 degrees, the width's share and the descent; upright in narrow columns, the width.
 */
static double cm_label_drop(const struct plot_report *p)
{
	double w = 0;
	size_t j;

	for (j = 0; j < p->r->k; j++)
		w = fmax(w, svg_text_width(p->classes[j], CM_CHARS, 11));
	return CM_LAB + (cell_side(p->r->k) < 24 ? w : 0.7072 * (w + 3));
}

/* The baseline of the axis title "predicted class": under the column labels. */
static double cm_xtitle_y(const struct plot_report *p)
{
	return MT + cell_side(p->r->k) * (double)p->r->k + cm_label_drop(p) + 18;
}

static double confusion_h(const struct plot_report *p)
{
	double h = cm_xtitle_y(p) + 8, scale = MT + 136;

	return h > scale ? h : scale;
}

static void draw_confusion(FILE *f, const void *ctx)
{
	const struct plot_report *p = ctx;
	const struct report *r = p->r;
	size_t k = r->k, i, j;
	double s = cell_side(k), g = s * (double)k, fs = s >= 30 ? 11 : s >= 20 ? 9 : 7;
	char shade[8], tip[512];

	svg_text(f, 12, 22, SVG_START, "title", 0, 0, cm_title);
	for (i = 0; i < k; i++) {
		size_t row = 0;

		for (j = 0; j < k; j++)
			row += r->confusion[i * k + j];
		svg_text(f, CM_LEFT - 6, MT + ((double)i + 0.5) * s + 4, SVG_END, "leg", 0,
		         CM_CHARS, p->classes[i]);
		for (j = 0; j < k; j++) {
			size_t n = r->confusion[i * k + j];
			double share = row ? (double)n / (double)row : 0;
			double x = CM_LEFT + (double)j * s, y = MT + (double)i * s;

			svg_shade(shade, share);
			snprintf(tip, sizeof tip, "true %.200s, predicted %.200s: %zu (%.1f%% of the "
			         "row)", p->classes[i], p->classes[j], n, 100 * share);
			svg_rect(f, x, y, s, s, shade, "#fff", tip);
			fputs("<text x=\"", f);
			svg_num(f, x + s / 2, 1);
			fputs("\" y=\"", f);
			svg_num(f, y + s / 2 + (s >= 34 ? -1 : fs / 2 - 1), 1);
			fputs("\" text-anchor=\"middle\" font-size=\"", f);
			svg_num(f, fs, 0);
			fprintf(f, "\"%s>%zu</text>\n", svg_dark(share) ? " class=\"white\"" : "", n);
			if (s >= 34 && row) {
				fputs("<text x=\"", f);
				svg_num(f, x + s / 2, 1);
				fputs("\" y=\"", f);
				svg_num(f, y + s / 2 + 11, 1);
				fprintf(f, "\" text-anchor=\"middle\" font-size=\"9\"%s>%.0f%%</text>\n",
				        svg_dark(share) ? " class=\"white\"" : "", 100 * share);
			}
		}
	}
	for (j = 0; j < k; j++)
		/* upright when the columns are too narrow for slanted labels */
		svg_text(f, CM_LEFT + ((double)j + 0.5) * s + 4, MT + g + CM_LAB, SVG_END, "leg",
		         s < 24 ? -90 : -45, CM_CHARS, p->classes[j]);
	svg_text(f, CM_LEFT + g / 2, cm_xtitle_y(p), SVG_MIDDLE, "atitle", 0, 0,
	         "predicted class");
	svg_text(f, 16, MT + g / 2, SVG_MIDDLE, "atitle", -90, 0, "true class");
	/* the scale of the shares */
	for (i = 0; i <= 4; i++) {
		double y = MT + (double)(4 - i) * 22;

		svg_shade(shade, (double)i / 4);
		svg_rect(f, CM_LEFT + g + 16, y, 16, 22, shade, "#ccc", NULL);
		svg_textf(f, CM_LEFT + g + 36, y + 15, SVG_START, "note", "%zu%%", i * 25);
	}
	svg_text(f, CM_LEFT + g + 16, MT + 126, SVG_START, "note", 0, 0, "of the row");
}

static void draw_objective(FILE *f, const void *ctx)
{
	const struct plot_report *p = ctx;
	struct svg_axis ax = { 0, 1, ML, ML + PW, 0 }, ay = { 0, 1, MT + PH, MT, 1 };
	double *x, lo = INFINITY, hi = 0, lx, ly;
	size_t i, n = 0;
	char val[64];

	svg_text(f, ML, 22, SVG_START, "title", 0, 0, "training objective per iteration");
	x = xcalloc(p->niter ? p->niter : 1, sizeof *x);
	for (i = 0; i < p->niter; i++) {
		x[i] = (double)(i + 1);
		if (isfinite(p->objective[i]) && p->objective[i] > 0) {
			if (p->objective[i] < lo)
				lo = p->objective[i];
			if (p->objective[i] > hi)
				hi = p->objective[i];
			n++;
		}
	}
	if (n == 0) {
		svg_axes(f, &ax, &ay, "iteration", "objective (log scale)");
		svg_text(f, ML + PW / 2, MT + PH / 2, SVG_MIDDLE, "note", 0, 0,
		         "no iterations recorded");
		free(x);
		return;
	}
	if (hi <= lo * 1.2) {
		lo /= 1.1;
		hi *= 1.1;
	} else {
		/* a twentieth of the span either side, so the flat end of the curve stays off
		 * the frame */
		double pad = pow(hi / lo, 0.05);

		lo /= pad;
		hi *= pad;
	}
	ay.lo = lo;
	ay.hi = hi;
	ax.lo = 1;
	ax.hi = p->niter > 1 ? (double)p->niter : 2;
	svg_axes(f, &ax, &ay, "iteration", "objective (log scale)");
	svg_polyline(f, &ax, &ay, x, p->objective, p->niter, "obj", "#0072B2", NULL, 1.8);
	if (p->niter == 1) {
		fputs("<circle cx=\"", f);
		svg_num(f, svg_map(&ax, 1), 1);
		fputs("\" cy=\"", f);
		svg_num(f, svg_map(&ay, p->objective[0]), 1);
		fputs("\" r=\"3\" fill=\"#0072B2\"/>\n", f);
	}
	legend_pos(0, &lx, &ly);
	svg_line(f, lx, ly - 4, lx + 18, ly - 4, "#0072B2", 2, NULL);
	svg_text(f, lx + 24, ly, SVG_START, "leg", 0, 0, "objective J");
	legend_pos(1, &lx, &ly);
	snprintf(val, sizeof val, "last %.6g", p->objective[p->niter - 1]);
	svg_text(f, lx + 24, ly, SVG_START, "leg", 0, 0, val);
	legend_pos(2, &lx, &ly);
	snprintf(val, sizeof val, "%zu iterations", p->niter);
	svg_text(f, lx + 24, ly, SVG_START, "leg", 0, 0, val);
	free(x);
}

void plot_report_svg(FILE *f, const struct plot_report *p, int heading)
{
	struct panel pn[5];
	size_t n = 0;
	double cw = curve_panel_w(p), rw = ML + PW + 18 + LEG_COL + 8;

	if (p->fd->scores) {
		pn[n++] = (struct panel){ cw, MT + PH + 56, draw_pr };
		pn[n++] = (struct panel){ cw, MT + PH + 56, draw_roc };
		pn[n++] = (struct panel){ rw, rel_strip_base(p->fd) + 28, draw_reliability };
	}
	pn[n++] = (struct panel){ confusion_w(p), confusion_h(p), draw_confusion };
	if (p->objective)
		pn[n++] = (struct panel){ rw, MT + PH + 56, draw_objective };
	draw_panels(f, !heading ? NULL : p->title ? p->title : "focal", pn, n, p);
}

/* ---- the figures of a cross-validation ---- */

#define CV_RH 22.0    /* a configuration's row */
#define CV_LABEL 290.0 /* room for the configuration names */
#define CV_CHARS 42
#define CV_PW 300.0   /* a plot's width */

/* A span [LO, HI] widened to round ticks (and to something when empty). */
static void nice_span(double *lo, double *hi)
{
	double step;

	if (!(*hi > *lo)) {
		double d = fabs(*lo) > 0 ? fabs(*lo) * 0.1 : 0.1;

		*lo -= d;
		*hi += d;
	}
	step = svg_nice_step(*hi - *lo, 5);
	*lo = floor(*lo / step) * step;
	*hi = ceil(*hi / step) * step;
}

/* The half-width of the 95% interval of configuration I's paired difference, NAN when
 * there is none (the baseline, or fewer than two folds). */
static double delta_half(const struct cv *cv, size_t i)
{
	const struct cvsummary *s = &cv->sum[i];
	double tq;

	if (i == 0 || cv->nf < 2 || !isfinite(s->delta_sd) || cv->o->k < 2)
		return NAN;
	tq = stats_t_quantile(0.975, (double)(cv->nf - 1));
	return tq * sqrt(1 / (double)cv->nf + 1 / (double)(cv->o->k - 1)) * s->delta_sd;
}

/* A marker at (X, Y): a diamond for the baseline, else a dot. */
static void marker(FILE *f, double x, double y, int baseline, const char *colour)
{
	if (baseline) {
		fputs("<path d=\"M", f);
		svg_num(f, x, 1);
		fputc(',', f);
		svg_num(f, y - 6, 1);
		fputs(" l6,6 l-6,6 l-6,-6 z\"", f);
	} else {
		fputs("<circle cx=\"", f);
		svg_num(f, x, 1);
		fputs("\" cy=\"", f);
		svg_num(f, y, 1);
		fputs("\" r=\"4\"", f);
	}
	fprintf(f, " fill=\"%s\"/>\n", colour);
}

/* An interval from LO to HI at height Y, with ends. */
static void whisker(FILE *f, const struct svg_axis *ax, double lo, double hi, double y,
                    const char *colour)
{
	double a = svg_map(ax, lo), b = svg_map(ax, hi);

	svg_line(f, a, y, b, y, colour, 1.5, NULL);
	svg_line(f, a, y - 4, a, y + 4, colour, 1.5, NULL);
	svg_line(f, b, y - 4, b, y + 4, colour, 1.5, NULL);
}

static void draw_cv_compare(FILE *f, const void *ctx)
{
	const struct cv *cv = ctx;
	size_t n = cv->ncfg, i, o;
	int mt = cv->o->metric;
	double lo = INFINITY, hi = -INFINITY, dlo = 0, dhi = 0, y0 = MT + 10, h = (double)n * CV_RH;
	double x1 = CV_LABEL, x2 = CV_LABEL + CV_PW + 50;
	struct svg_axis ax, dx, ay = { 0, 0, y0 + h, y0, 0 };
	char title[160], tip[400];

	for (i = 0; i < n; i++) {
		const struct cvsummary *s = &cv->sum[i];
		double sd = isfinite(s->sd[mt]) ? s->sd[mt] : 0, half = delta_half(cv, i);

		if (isfinite(s->mean[mt])) {
			lo = fmin(lo, s->mean[mt] - sd);
			hi = fmax(hi, s->mean[mt] + sd);
		}
		if (i > 0 && isfinite(s->delta_mean)) {
			double w = isfinite(half) ? half : 0;

			dlo = fmin(dlo, s->delta_mean - w);
			dhi = fmax(dhi, s->delta_mean + w);
		}
	}
	if (!isfinite(lo))
		lo = 0, hi = 1;
	nice_span(&lo, &hi);
	nice_span(&dlo, &dhi);
	ax = (struct svg_axis){ lo, hi, x1, x1 + CV_PW, 0 };
	dx = (struct svg_axis){ dlo, dhi, x2, x2 + CV_PW, 0 };
	snprintf(title, sizeof title, "%s, mean \xc2\xb1 sd over %zu folds", cv_metric_title[mt],
	         cv->nf);
	svg_text(f, x1, 22, SVG_START, "title", 0, 0, title);
	snprintf(title, sizeof title, "difference from the baseline, 95%% interval");
	svg_text(f, x2, 22, SVG_START, "title", 0, 0, title);
	for (i = 0; i < n; i++) /* the baseline's row, under everything */
		if (cv->order[i] == 0)
			svg_rect(f, 4, y0 + (double)i * CV_RH, x2 + CV_PW - 4, CV_RH, "#fdf1e4", NULL,
			         NULL);
	svg_axes(f, &ax, &ay, cv_metric_title[mt], NULL);
	svg_axes(f, &dx, &ay, "paired difference (corrected t)", NULL);
	svg_line(f, svg_map(&dx, 0), y0, svg_map(&dx, 0), y0 + h, "#555", 1, "4 3");
	for (i = 0; i < n; i++) {
		const struct cvsummary *s;
		double y = y0 + ((double)i + 0.5) * CV_RH, half;
		int base;

		o = cv->order[i];
		s = &cv->sum[o];
		base = o == 0;
		half = delta_half(cv, o);
		svg_text(f, x1 - 8, y + 4, SVG_END, "leg", 0, CV_CHARS, cv->cfg[o].name);
		if (isfinite(s->mean[mt])) {
			snprintf(tip, sizeof tip, "%.300s: %.3f \xc2\xb1 %.3f", cv->cfg[o].name,
			         s->mean[mt], s->sd[mt]);
			if (isfinite(s->sd[mt]))
				whisker(f, &ax, s->mean[mt] - s->sd[mt], s->mean[mt] + s->sd[mt], y,
				        base ? "#D55E00" : "#0072B2");
			fputs("<g><title>", f);
			svg_escape(f, tip);
			fputs("</title>", f);
			marker(f, svg_map(&ax, s->mean[mt]), y, base, base ? "#D55E00" : "#0072B2");
			fputs("</g>\n", f);
		}
		if (base) {
			svg_text(f, svg_map(&dx, 0) + 6, y + 4, SVG_START, "note", 0, 0, "baseline");
			continue;
		}
		if (!isfinite(s->delta_mean))
			continue;
		if (isfinite(half))
			whisker(f, &dx, s->delta_mean - half, s->delta_mean + half, y, "#009E73");
		marker(f, svg_map(&dx, s->delta_mean), y, 0, "#009E73");
		if (isfinite(s->delta_p))
			svg_textf(f, x2 + CV_PW + 6, y + 4, SVG_START, "note", "p %.3g", s->delta_p);
	}
}

static double cv_cell_w(const struct cv *cv)
{
	double w = floor(640.0 / (double)cv->s->nclass);

	return w < 26 ? 26 : w > 70 ? 70 : w;
}

#define CV_CLASS_CHARS 16 /* the characters of a class label shown under the recall grid */

/* The height of the recall panel: its grid, then the class labels slanted under it, as
 * far as the widest label shown reaches. */
static double cv_recall_h(const struct cv *cv)
{
	double w = 0;
	size_t c;

	for (c = 0; c < cv->s->nclass; c++)
		w = fmax(w, svg_text_width(cv->s->classes[c], CV_CLASS_CHARS, 11));
	return MT + (double)cv->ncfg * CV_RH + 8 + 0.7072 * (w + 3) + 10;
}

static void draw_cv_recall(FILE *f, const void *ctx)
{
	const struct cv *cv = ctx;
	size_t n = cv->ncfg, k = cv->s->nclass, i, c, o;
	double cw = cv_cell_w(cv), y0 = MT;
	char shade[8], tip[512];

	svg_text(f, CV_LABEL, 22, SVG_START, "title", 0, 0,
	         "recall per class, mean over the folds");
	for (i = 0; i < n; i++) {
		double y = y0 + (double)i * CV_RH;

		o = cv->order[i];
		svg_text(f, CV_LABEL - 8, y + CV_RH / 2 + 4, SVG_END, "leg", 0, CV_CHARS,
		         cv->cfg[o].name);
		for (c = 0; c < k; c++) {
			double v = cv->sum[o].recall_mean[c], x = CV_LABEL + (double)c * cw;

			svg_shade(shade, isfinite(v) ? v : 0);
			snprintf(tip, sizeof tip, "%.200s, %.200s: recall %.3f \xc2\xb1 %.3f",
			         cv->cfg[o].name, cv->s->classes[c], v, cv->sum[o].recall_sd[c]);
			svg_rect(f, x, y, cw, CV_RH, isfinite(v) ? shade : "#eee", "#fff", tip);
			if (!isfinite(v))
				continue;
			fputs("<text x=\"", f);
			svg_num(f, x + cw / 2, 1);
			fputs("\" y=\"", f);
			svg_num(f, y + CV_RH / 2 + 4, 1);
			fprintf(f, "\" text-anchor=\"middle\" font-size=\"%d\"%s>%.2f</text>\n",
			        cw >= 34 ? 10 : 8, svg_dark(v) ? " class=\"white\"" : "", v);
		}
	}
	for (c = 0; c < k; c++)
		svg_text(f, CV_LABEL + ((double)c + 0.5) * cw + 3, y0 + (double)n * CV_RH + 8, SVG_END,
		         "leg", -45, CV_CLASS_CHARS, cv->s->classes[c]);
}

void plot_cv_title(char *buf, size_t size, const struct cv *cv)
{
	snprintf(buf, size, "focal cv: %zu configurations, %zu-fold, %zu repeat%s", cv->ncfg,
	         cv->o->k, cv->o->repeat, cv->o->repeat == 1 ? "" : "s");
}

void plot_cv_svg(FILE *f, const struct cv *cv, int heading)
{
	struct panel pn[2];
	double h = (double)cv->ncfg * CV_RH;
	char title[160];

	plot_cv_title(title, sizeof title, cv);
	pn[0] = (struct panel){ CV_LABEL + 2 * CV_PW + 110, MT + 10 + h + 56, draw_cv_compare };
	pn[1] = (struct panel){ CV_LABEL + (double)cv->s->nclass * cv_cell_w(cv) + 20,
		                cv_recall_h(cv), draw_cv_recall };
	draw_panels(f, heading ? title : NULL, pn, 2, cv);
}

/* ---- the files ---- */

static const char html_style[] =
	"body{font-family:DejaVu Sans,Verdana,Arial,sans-serif;margin:1.5em;color:#222;"
	"background:#fff}\n"
	"h1{font-size:1.3em}\n"
	"pre{font-family:DejaVu Sans Mono,Menlo,Consolas,monospace;font-size:12px;"
	"background:#f6f6f6;padding:1em;overflow-x:auto;line-height:1.35}\n"
	"figure{margin:1em 0}\n"
	"svg{max-width:100%;height:auto}\n";

int plot_save(const char *path, enum plotfmt fmt, const char *title,
              void (*tables)(FILE *f, void *ctx),
              void (*figures)(FILE *f, void *ctx, int heading), void *ctx, struct ferr *e)
{
	struct outfile o;
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	memset(&o, 0, sizeof o);
	if (fmt == PLOT_HTML && tables) {
		FILE *m = open_memstream(&text, &len);

		if (!m)
			return ferr_set(e, "%s: cannot make room for the page's tables", path);
		tables(m, ctx);
		if (fclose(m) != 0) {
			free(text);
			return ferr_set(e, "%s: cannot make room for the page's tables", path);
		}
	}
	if (outfile_open(&o, path, e) != 0)
		goto out;
	if (fmt == PLOT_SVG) {
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", o.f);
		figures(o.f, ctx, 1);
	} else {
		fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
		      "<head>\n<meta charset=\"utf-8\"/>\n<title>", o.f);
		svg_escape(o.f, title);
		fprintf(o.f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", html_style);
		svg_escape(o.f, title);
		fputs("</h1>\n", o.f);
		if (text) {
			fputs("<pre>", o.f);
			svg_escape_n(o.f, text, len);
			fputs("</pre>\n", o.f);
		}
		fputs("<figure>\n", o.f);
		figures(o.f, ctx, 0);
		fputs("</figure>\n</body>\n</html>\n", o.f);
	}
	if (ferror(o.f)) {
		ferr_set(e, "%s: cannot write", path);
		goto out;
	}
	if (outfile_commit(&o, e) != 0)
		goto out;
	rc = 0;
out:
	outfile_abort(&o);
	free(text);
	return rc;
}
