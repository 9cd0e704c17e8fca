/*
 * svg.h: drawing primitives for the pictures (SPEC "Pictures"), written as SVG text to a
 * stream: numbers in a fixed format that needs no locale, text escaped for XML (and cut
 * to a width with the full text kept as a tooltip), axes with round ticks, polylines
 * thinned to what a screen shows, and a palette that colour-blind readers can tell apart.
 * The same calls give the same bytes.  Writes to the stream it is given; the caller
 * checks it.
 */
#ifndef FOCAL_SVG_H
#define FOCAL_SVG_H

#include <stddef.h>
#include <stdio.h>

/* Writes X with at most DECIMALS (0..6) decimals, trailing zeros cut, "-0" as "0"; a
 * value that is not finite is written as 0 (callers draw no such value). */
void svg_num(FILE *f, double x, int decimals);

/*
 * Writes S as XML character data or attribute text: & < > " ' as entities, control
 * bytes XML cannot hold and bytes that are not UTF-8 as U+FFFD.  svg_escape_n writes
 * the first LEN bytes only.
 */
void svg_escape(FILE *f, const char *s);
void svg_escape_n(FILE *f, const char *s, size_t len);

/* The characters of UTF-8 text S (a byte that is not UTF-8 counts as one). */
size_t svg_chars(const char *s);

/*
 * The width in pixels that LABEL takes in a font of SIZE pixels once svg_text has cut it
 * to MAXCHARS characters (0: no limit), for the room of a layout: the characters times
 * SVG_EM_WIDTH em, on the wide side of DejaVu Sans and Verdana (their digits and most
 * lower-case letters are 0.55 to 0.64 em), so text laid out by it does not touch what
 * follows.
 */
#define SVG_EM_WIDTH 0.64
double svg_text_width(const char *label, int maxchars, double size);

/* Opens a standalone <svg> element of W x H pixels (with its namespace), its styles and
 * a white background; svg_close ends it. */
void svg_open(FILE *f, double w, double h);
void svg_close(FILE *f);

/* Text anchors. */
enum svg_anchor { SVG_START, SVG_MIDDLE, SVG_END };

/*
 * Writes LABEL at (X, Y) in class CLS (NULL: none), cut to MAXCHARS characters (0: no
 * limit) with an ellipsis; cut text carries the whole label in a <title> child, which
 * browsers show as a tooltip.  ROTATE is an angle in degrees about (X, Y), 0 for none.
 */
void svg_text(FILE *f, double x, double y, enum svg_anchor a, const char *cls, double rotate,
              int maxchars, const char *label);
/* As svg_text for printf-formatted text that needs no cutting. */
void svg_textf(FILE *f, double x, double y, enum svg_anchor a, const char *cls,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A rectangle filled with FILL (a colour, "none" for none) and stroked with STROKE (NULL:
 * none); TITLE (NULL: none) becomes its tooltip. */
void svg_rect(FILE *f, double x, double y, double w, double h, const char *fill,
              const char *stroke, const char *title);
void svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *stroke,
              double width, const char *dash);

/*
 * The palette: Okabe and Ito's eight colours, in an order that keeps the first few apart
 * and leaves the hard yellow for last; class I gets colour I % 8 and, past the first
 * eight, the dash pattern I / 8 (solid, dashed, dotted, dash-dot, then around again).
 */
const char *svg_colour(size_t i);
const char *svg_dash(size_t i); /* NULL for solid */
/* The colour of a share X in [0, 1] on a white-to-blue scale, as "#rrggbb" into BUF (8
 * bytes); dark enough from 0.5 up that text on it should be white (svg_dark). */
void svg_shade(char *buf, double x);
int svg_dark(double x);

/*
 * An axis: data values LO..HI drawn at pixels P0..P1 (P1 < P0 for a y axis), linear or
 * logarithmic (LO > 0 then).
 */
struct svg_axis {
	double lo, hi, p0, p1;
	int log;
};

/* The pixel of data value V (clamped to the axis). */
double svg_map(const struct svg_axis *ax, double v);

/*
 * Round ticks for AX: at most MAX values into T, from multiples of 1, 2 or 5 times a
 * power of ten (for a logarithmic axis, powers of ten, with 2 and 5 times them when the
 * axis spans less than three decades), about TARGET of them; returns how many, and the
 * decimals their labels need in *DECIMALS.
 */
size_t svg_ticks(const struct svg_axis *ax, size_t target, double *t, size_t max, int *decimals);

/* A round step for a span S cut in about N pieces: 1, 2 or 5 times a power of ten. */
double svg_nice_step(double s, size_t n);

/*
 * A polyline through the N points (X[i], Y[i]) in data units on axes AX, AY, stroked in
 * COLOUR with DASH (NULL: solid), in class CLS (NULL: none): a point is kept only where its pixel differs from the
 * last kept one, and the last point always, so a curve of millions of points costs what
 * the screen can show and keeps its shape and its ends.  Nothing for N 0.
 */
void svg_polyline(FILE *f, const struct svg_axis *ax, const struct svg_axis *ay, const double *x,
                  const double *y, size_t n, const char *cls, const char *colour,
                  const char *dash, double width);

/* Draws the frame of the plot area, the ticks of AX and AY with their labels and grid
 * lines, and the axis titles XTITLE and YTITLE. */
void svg_axes(FILE *f, const struct svg_axis *ax, const struct svg_axis *ay, const char *xtitle,
              const char *ytitle);

#endif
