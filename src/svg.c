/* svg.c: drawing primitives of the pictures (svg.h). */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "svg.h"
#include "output.h"

void svg_num(FILE *f, double x, int decimals)
{
	static const long pow10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
	long scale, ip, fp;
	double r;
	int neg, d;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	scale = pow10[decimals];
	/* far beyond any canvas: clamped, so that the integer arithmetic cannot overflow */
	if (!isfinite(x))
		x = 0;
	if (x > 1e9)
		x = 1e9;
	if (x < -1e9)
		x = -1e9;
	r = floor(fabs(x) * (double)scale + 0.5);
	neg = x < 0 && r > 0;
	ip = (long)(r / (double)scale);
	fp = (long)(r - (double)ip * (double)scale);
	d = decimals;
	while (d > 0 && fp % 10 == 0) {
		fp /= 10;
		d--;
	}
	fprintf(f, "%s%ld", neg ? "-" : "", ip);
	if (d > 0)
		fprintf(f, ".%0*ld", d, fp);
}

/* The length of the UTF-8 sequence at S (at most N bytes) of a character XML allows
 * (not U+FFFE or U+FFFF), or 0 when it is not one. */
static size_t xml_char_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t l = utf8_len(s, n, &cp);

	return l && cp != 0xfffe && cp != 0xffff ? l : 0;
}

void svg_escape_n(FILE *f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l;

	while (i < len) {
		unsigned char c = u[i];

		switch (c) {
		case '&': fputs("&amp;", f); i++; continue;
		case '<': fputs("&lt;", f); i++; continue;
		case '>': fputs("&gt;", f); i++; continue;
		case '"': fputs("&quot;", f); i++; continue;
		case '\'': fputs("&apos;", f); i++; continue;
		}
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			fputs("\xef\xbf\xbd", f);
			i++;
			continue;
		}
		l = xml_char_len(u + i, len - i);
		if (l == 0) {
			fputs("\xef\xbf\xbd", f);
			i++;
			continue;
		}
		fwrite(u + i, 1, l, f);
		i += l;
	}
}

void svg_escape(FILE *f, const char *s)
{
	svg_escape_n(f, s, strlen(s));
}

size_t svg_chars(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, count = 0, l;

	while (i < n) {
		l = xml_char_len(u + i, n - i);
		i += l ? l : 1;
		count++;
	}
	return count;
}

double svg_text_width(const char *label, int maxchars, double size)
{
	size_t n = svg_chars(label);

	if (maxchars > 1 && n > (size_t)maxchars)
		n = (size_t)maxchars;
	return (double)n * SVG_EM_WIDTH * size;
}

/* The bytes of the first M characters of S. */
static size_t chars_bytes(const char *s, size_t m)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, count = 0, l;

	while (i < n && count < m) {
		l = xml_char_len(u + i, n - i);
		i += l ? l : 1;
		count++;
	}
	return i;
}

void svg_open(FILE *f, double w, double h)
{
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"", f);
	svg_num(f, w, 0);
	fputs("\" height=\"", f);
	svg_num(f, h, 0);
	fputs("\" viewBox=\"0 0 ", f);
	svg_num(f, w, 0);
	fputc(' ', f);
	svg_num(f, h, 0);
	fputs("\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"12\">\n", f);
	fputs("<style>\n"
	      ".title{font-size:14px;font-weight:bold}\n"
	      ".axis{font-size:11px;fill:#333}\n"
	      ".atitle{font-size:12px}\n"
	      ".leg{font-size:11px}\n"
	      ".note{font-size:10px;fill:#555}\n"
	      ".cell{font-size:10px}\n"
	      ".small{font-size:8px}\n"
	      ".white{fill:#fff}\n"
	      "</style>\n", f);
	fputs("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n", f);
}

void svg_close(FILE *f)
{
	fputs("</svg>\n", f);
}

static const char *const anchor_name[] = { "start", "middle", "end" };

/* Writes the opening <text ...> tag. */
static void text_open(FILE *f, double x, double y, enum svg_anchor a, const char *cls,
                      double rotate)
{
	fputs("<text x=\"", f);
	svg_num(f, x, 1);
	fputs("\" y=\"", f);
	svg_num(f, y, 1);
	fputc('"', f);
	if (a != SVG_START)
		fprintf(f, " text-anchor=\"%s\"", anchor_name[a]);
	if (cls)
		fprintf(f, " class=\"%s\"", cls);
	if (rotate != 0) {
		fputs(" transform=\"rotate(", f);
		svg_num(f, rotate, 1);
		fputc(' ', f);
		svg_num(f, x, 1);
		fputc(' ', f);
		svg_num(f, y, 1);
		fputs(")\"", f);
	}
	fputc('>', f);
}

void svg_text(FILE *f, double x, double y, enum svg_anchor a, const char *cls, double rotate,
              int maxchars, const char *label)
{
	text_open(f, x, y, a, cls, rotate);
	if (maxchars > 1 && svg_chars(label) > (size_t)maxchars) {
		fputs("<title>", f);
		svg_escape(f, label);
		fputs("</title>", f);
		svg_escape_n(f, label, chars_bytes(label, (size_t)maxchars - 1));
		fputs("\xe2\x80\xa6", f);
	} else {
		svg_escape(f, label);
	}
	fputs("</text>\n", f);
}

void svg_textf(FILE *f, double x, double y, enum svg_anchor a, const char *cls,
               const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	svg_text(f, x, y, a, cls, 0, 0, buf);
}

void svg_rect(FILE *f, double x, double y, double w, double h, const char *fill,
              const char *stroke, const char *title)
{
	fputs("<rect x=\"", f);
	svg_num(f, x, 1);
	fputs("\" y=\"", f);
	svg_num(f, y, 1);
	fputs("\" width=\"", f);
	svg_num(f, w < 0 ? 0 : w, 1);
	fputs("\" height=\"", f);
	svg_num(f, h < 0 ? 0 : h, 1);
	fprintf(f, "\" fill=\"%s\"", fill);
	if (stroke)
		fprintf(f, " stroke=\"%s\"", stroke);
	if (title) {
		fputs("><title>", f);
		svg_escape(f, title);
		fputs("</title></rect>\n", f);
	} else {
		fputs("/>\n", f);
	}
}

/* Ends an open line or polyline element: its stroke (WIDTH when not 1, DASH when not NULL). */
static void stroke_end(FILE *f, const char *stroke, double width, const char *dash)
{
	fprintf(f, " stroke=\"%s\"", stroke);
	if (width != 1) {
		fputs(" stroke-width=\"", f);
		svg_num(f, width, 2);
		fputc('"', f);
	}
	if (dash)
		fprintf(f, " stroke-dasharray=\"%s\"", dash);
	fputs("/>\n", f);
}

void svg_line(FILE *f, double x1, double y1, double x2, double y2, const char *stroke,
              double width, const char *dash)
{
	fputs("<line x1=\"", f);
	svg_num(f, x1, 1);
	fputs("\" y1=\"", f);
	svg_num(f, y1, 1);
	fputs("\" x2=\"", f);
	svg_num(f, x2, 1);
	fputs("\" y2=\"", f);
	svg_num(f, y2, 1);
	fputc('"', f);
	stroke_end(f, stroke, width, dash);
}

static const char *const okabe_ito[8] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#F0E442"
};
static const char *const dashes[4] = { NULL, "7 3", "2 2", "8 3 2 3" };

const char *svg_colour(size_t i)
{
	return okabe_ito[i % 8];
}

const char *svg_dash(size_t i)
{
	return dashes[(i / 8) % 4];
}

void svg_shade(char *buf, double x)
{
	/* from white through a light blue to Okabe and Ito's blue (0, 114, 178), darker */
	static const double lo[3] = { 255, 255, 255 }, hi[3] = { 0, 80, 140 };
	int c[3], i;

	if (!(x >= 0))
		x = 0;
	if (x > 1)
		x = 1;
	for (i = 0; i < 3; i++)
		c[i] = (int)floor(lo[i] + (hi[i] - lo[i]) * x + 0.5);
	snprintf(buf, 8, "#%02x%02x%02x", (unsigned)c[0], (unsigned)c[1], (unsigned)c[2]);
}

int svg_dark(double x)
{
	return x >= 0.5;
}

double svg_map(const struct svg_axis *ax, double v)
{
	double lo = ax->lo, hi = ax->hi, t;

	if (ax->log) {
		v = v > 0 ? log10(v) : log10(lo);
		lo = log10(lo);
		hi = log10(hi);
	}
	t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
	if (!(t >= 0))
		t = 0;
	if (t > 1)
		t = 1;
	return ax->p0 + t * (ax->p1 - ax->p0);
}

double svg_nice_step(double s, size_t n)
{
	double raw, p, m;

	if (!(s > 0) || n == 0)
		return 1;
	raw = s / (double)n;
	p = pow(10, floor(log10(raw)));
	m = raw / p;
	if (m < 1.5)
		return p;
	if (m < 3.5)
		return 2 * p;
	if (m < 7.5)
		return 5 * p;
	return 10 * p;
}

/* Decimals a label of a multiple of STEP needs. */
static int step_decimals(double step)
{
	int d = 0;

	while (d < 6 && fabs(step * pow(10, d) - floor(step * pow(10, d) + 0.5)) > 1e-6)
		d++;
	return d;
}

size_t svg_ticks(const struct svg_axis *ax, size_t target, double *t, size_t max, int *decimals)
{
	size_t n = 0;
	double step, v, eps;
	long i, i0, i1;

	*decimals = 0;
	if (ax->log && ax->lo > 0 && ax->hi > ax->lo) {
		static const double mult[3] = { 1, 2, 5 };
		int e0 = (int)floor(log10(ax->lo)), e1 = (int)ceil(log10(ax->hi)), e, j;
		int all = e1 - e0 < 3, dmin = 0;

		for (e = e0; e <= e1 && n < max; e++)
			for (j = 0; j < (all ? 3 : 1) && n < max; j++) {
				v = mult[j] * pow(10, e);
				if (v < ax->lo * (1 - 1e-9) || v > ax->hi * (1 + 1e-9))
					continue;
				t[n++] = v;
				if (e < 0 && -e > dmin)
					dmin = -e;
			}
		if (n >= 2) {
			*decimals = dmin;
			return n;
		}
		n = 0;
	}
	if (!(ax->hi > ax->lo))
		return 0;
	step = svg_nice_step(ax->hi - ax->lo, target);
	eps = step * 1e-9;
	i0 = (long)ceil((ax->lo - eps) / step);
	i1 = (long)floor((ax->hi + eps) / step);
	for (i = i0; i <= i1 && n < max; i++)
		t[n++] = (double)i * step;
	*decimals = step_decimals(step);
	return n;
}

void svg_polyline(FILE *f, const struct svg_axis *ax, const struct svg_axis *ay, const double *x,
                  const double *y, size_t n, const char *cls, const char *colour,
                  const char *dash, double width)
{
	size_t i;
	long lastx = 0, lasty = 0;
	int any = 0;

	if (n == 0)
		return;
	fputs("<polyline", f);
	if (cls)
		fprintf(f, " class=\"%s\"", cls);
	fputs(" fill=\"none\" stroke-linejoin=\"round\" points=\"", f);
	for (i = 0; i < n; i++) {
		double px, py;
		long qx, qy;

		if (!isfinite(x[i]) || !isfinite(y[i]))
			continue;
		px = svg_map(ax, x[i]);
		py = svg_map(ay, y[i]);
		qx = (long)floor(px + 0.5);
		qy = (long)floor(py + 0.5);
		if (any && qx == lastx && qy == lasty && i + 1 < n)
			continue;
		if (any)
			fputc(' ', f);
		svg_num(f, px, 1);
		fputc(',', f);
		svg_num(f, py, 1);
		lastx = qx;
		lasty = qy;
		any = 1;
	}
	fputc('"', f);
	stroke_end(f, colour, width, dash);
}

/* Writes tick value V with DECIMALS decimals (a power of ten on a log axis as is). */
static void tick_label(FILE *f, double x, double y, enum svg_anchor a, double v, int decimals)
{
	text_open(f, x, y, a, "axis", 0);
	if (fabs(v) >= 1e5 || (v != 0 && fabs(v) < 1e-4)) {
		int e = (int)floor(log10(fabs(v)) + 1e-9);
		double m = v / pow(10, e);

		if (fabs(m - 1) > 1e-9) {
			svg_num(f, m, 2);
			fputs("\xc3\x97", f);
		}
		fprintf(f, "10<tspan dy=\"-5\" font-size=\"8\">%d</tspan>", e);
	} else {
		svg_num(f, v, decimals);
	}
	fputs("</text>\n", f);
}

void svg_axes(FILE *f, const struct svg_axis *ax, const struct svg_axis *ay, const char *xtitle,
              const char *ytitle)
{
	double t[64], x0 = ax->p0, x1 = ax->p1, y0 = ay->p0, y1 = ay->p1, p;
	size_t n, i;
	int dec;

	n = svg_ticks(ax, 5, t, 64, &dec);
	for (i = 0; i < n; i++) {
		p = svg_map(ax, t[i]);
		svg_line(f, p, y0, p, y1, "#e5e5e5", 1, NULL);
		svg_line(f, p, y0, p, y0 + 4, "#333", 1, NULL);
		tick_label(f, p, y0 + 16, SVG_MIDDLE, t[i], dec);
	}
	n = svg_ticks(ay, 5, t, 64, &dec);
	for (i = 0; i < n; i++) {
		p = svg_map(ay, t[i]);
		svg_line(f, x0, p, x1, p, "#e5e5e5", 1, NULL);
		svg_line(f, x0 - 4, p, x0, p, "#333", 1, NULL);
		tick_label(f, x0 - 7, p + 4, SVG_END, t[i], dec);
	}
	svg_rect(f, x0, y1, x1 - x0, y0 - y1, "none", "#333", NULL);
	if (xtitle)
		svg_text(f, (x0 + x1) / 2, y0 + 34, SVG_MIDDLE, "atitle", 0, 0, xtitle);
	if (ytitle)
		svg_text(f, x0 - 44, (y0 + y1) / 2, SVG_MIDDLE, "atitle", -90, 0, ytitle);
}
