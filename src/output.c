/*
 * output.c: the writers every output format shares: JSON strings and numbers, TSV
 * labels and numbers, CSV fields, text escaped for a terminal, and aligned grids for
 * tables; and the one warning about rows skipped for a missing label.
 */
#include "output.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- formats and numbers ---- */

int outfmt_parse(const char *s, enum outfmt *f)
{
	if (!s)
		return -1;
	if (strcmp(s, "table") == 0)
		*f = FMT_TABLE;
	else if (strcmp(s, "tsv") == 0)
		*f = FMT_TSV;
	else if (strcmp(s, "json") == 0)
		*f = FMT_JSON;
	else
		return -1;
	return 0;
}

void fmt_roundtrip(char *buf, size_t size, double x)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
	snprintf(buf, size, "%.17g", x);
}

/* ---- JSON ---- */

void json_number(FILE *f, double x)
{
	char buf[40];

	if (!isfinite(x)) {
		fputs("null", f);
		return;
	}
	fmt_roundtrip(buf, sizeof buf, x);
	fputs(buf, f);
}

size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cpp)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80) {
		cp = s[0];
		len = 1;
		goto out;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
out:
	if (cpp)
		*cpp = cp;
	return len;
}

/* Quotes and escapes S; bytes that are not UTF-8 become U+FFFD so the output stays valid. */
void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *end = p + strlen((const char *)p);

	putc('"', f);
	while (*p) {
		size_t len;

		if (*p == '"' || *p == '\\') {
			putc('\\', f);
			putc(*p++, f);
		} else if (*p == '\n' || *p == '\t' || *p == '\r') {
			putc('\\', f);
			putc(*p == '\n' ? 'n' : *p == '\t' ? 't' : 'r', f);
			p++;
		} else if (*p < 0x20) {
			fprintf(f, "\\u%04x", *p++);
		} else if ((len = utf8_len(p, (size_t)(end - p), NULL)) == 0) {
			fputs("\\ufffd", f);
			p++;
		} else {
			fwrite(p, 1, len, f);
			p += len;
		}
	}
	putc('"', f);
}

/* A JSON string, or null for a missing one. */
void json_string_or_null(FILE *f, const char *s)
{
	if (s)
		json_string(f, s);
	else
		fputs("null", f);
}

void json_strings(FILE *f, char *const *s, size_t n)
{
	size_t i;

	putc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			putc(',', f);
		json_string(f, s[i]);
	}
	putc(']', f);
}

/* ,"KEY":X */
void json_field(FILE *f, const char *key, double x)
{
	fprintf(f, ",\"%s\":", key);
	json_number(f, x);
}

/* ---- TSV and CSV ---- */

/* Writes a label for TSV: tabs, newlines and carriage returns become spaces. */
void tsv_label(FILE *f, const char *s)
{
	for (; *s; s++)
		putc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

/* Writes a tab and then X for TSV ("-" when undefined). */
void tsv_number(FILE *f, double x)
{
	char buf[40];

	putc('\t', f);
	if (!isfinite(x)) {
		putc('-', f);
		return;
	}
	fmt_roundtrip(buf, sizeof buf, x);
	fputs(buf, f);
}

/*
 * Does S need quotes to read back as itself?  It does with the delimiter, a double quote
 * or a line end anywhere, with a space or a tab at either end (the reader trims those
 * around an unquoted field) and with a UTF-8 byte-order mark at the start (which the
 * reader skips at the start of a file).
 */
static int needs_quotes(const char *s, int delim)
{
	size_t n = strlen(s);

	if (strchr(s, delim) || strpbrk(s, "\"\r\n") || strncmp(s, "\xef\xbb\xbf", 3) == 0)
		return 1;
	return n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
}

void csv_put(FILE *f, const char *s, int delim)
{
	if (!needs_quotes(s, delim)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* ---- text for a terminal ---- */

/* The escaped form of byte C into OUT (at least 5 bytes); returns its length. */
static size_t esc_byte(unsigned char c, char *out)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\') {
		out[0] = out[1] = '\\';
		return 2;
	}
	if (c < 0x20 || c == 0x7f) {
		out[0] = '\\';
		out[1] = 'x';
		out[2] = hex[c >> 4];
		out[3] = hex[c & 15];
		return 4;
	}
	out[0] = (char)c;
	return 1;
}

void esc_put(FILE *f, const char *s)
{
	char buf[5];

	for (; *s; s++)
		fwrite(buf, 1, esc_byte((unsigned char)*s, buf), f);
}

char *esc_dup(const char *s)
{
	size_t len = 0, i;
	char buf[5], *out, *p;

	for (i = 0; s[i]; i++)
		len += esc_byte((unsigned char)s[i], buf);
	p = out = xmalloc(len + 1);
	for (i = 0; s[i]; i++)
		p += esc_byte((unsigned char)s[i], p);
	*p = '\0';
	return out;
}

/* ---- grids: aligned tables for people ---- */

void grid_init(struct grid *g, size_t rows, size_t cols, size_t nleft)
{
	g->rows = rows;
	g->cols = cols;
	g->nleft = nleft;
	g->cell = xcalloc(rows && cols ? rows * cols : 1, sizeof *g->cell);
}

void grid_release(struct grid *g)
{
	size_t i;

	for (i = 0; i < g->rows * g->cols; i++)
		free(g->cell[i]);
	free(g->cell);
	g->cell = NULL;
}

void grid_set(struct grid *g, size_t row, size_t col, const char *fmt, ...)
{
	va_list ap;
	int len;
	char *s;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	s = xmalloc((size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	free(g->cell[row * g->cols + col]);
	g->cell[row * g->cols + col] = s;
}

/* Sets a cell to a label escaped for the terminal (esc_put). */
void grid_label(struct grid *g, size_t row, size_t col, const char *label)
{
	free(g->cell[row * g->cols + col]);
	g->cell[row * g->cols + col] = esc_dup(label);
}

/* Sets a cell to X with 3 decimals, or "-" when undefined. */
void grid_num(struct grid *g, size_t row, size_t col, double x)
{
	if (isfinite(x))
		grid_set(g, row, col, "%.3f", x);
	else
		grid_set(g, row, col, "-");
}

/* Display width: characters, counting a UTF-8 sequence as one. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void pad(FILE *f, size_t n)
{
	while (n-- > 0)
		putc(' ', f);
}

void grid_print(FILE *f, const struct grid *g)
{
	size_t *width = xcalloc(g->cols ? g->cols : 1, sizeof *width);
	size_t r, c, last;

	for (r = 0; r < g->rows; r++)
		for (c = 0; c < g->cols; c++) {
			const char *s = g->cell[r * g->cols + c];
			size_t w = s ? text_width(s) : 0;

			if (w > width[c])
				width[c] = w;
		}
	for (r = 0; r < g->rows; r++) {
		size_t owed = 0; /* spaces still to write before the next visible text */

		last = g->cols;
		while (last > 0 && !g->cell[r * g->cols + last - 1])
			last--;
		for (c = 0; c < last; c++) {
			const char *s = g->cell[r * g->cols + c];
			size_t w = s ? text_width(s) : 0;

			if (c > 0)
				owed += 2;
			if (c < g->nleft) {
				pad(f, owed);
				if (s)
					fputs(s, f);
				owed = width[c] - w;
			} else {
				pad(f, owed + width[c] - w);
				if (s)
					fputs(s, f);
				owed = 0;
			}
		}
		putc('\n', f);
	}
	free(width);
}

void table_label(FILE *f, const char *label)
{
	esc_put(f, label);
}

/* ---- messages ---- */

void warn_skipped_rows(void (*warn)(const char *msg), const char *name, size_t n,
                       const char *what)
{
	char msg[1024];

	if (!warn || n == 0)
		return;
	snprintf(msg, sizeof msg, "%s: skipped %zu row%s whose %s is missing", name, n,
	         n == 1 ? "" : "s", what);
	warn(msg);
}

/*
 * ,"KEY": then the N values V as an object keyed by LABELS, or as an array when LABELS is
 * NULL.
 */
static void json_values(FILE *f, const char *key, const double *v, char *const *labels, size_t n)
{
	size_t i;

	fprintf(f, ",\"%s\":%c", key, labels ? '{' : '[');
	for (i = 0; i < n; i++) {
		fputs(i ? "," : "", f);
		if (labels) {
			json_string(f, labels[i]);
			fputc(':', f);
		}
		json_number(f, v[i]);
	}
	fputc(labels ? '}' : ']', f);
}

void json_decision(FILE *f, const struct decision *d, char *const *classes)
{
	fprintf(f, "{\"source\":\"%s\"", decision_source_key[d->source]);
	if (d->source == DEC_TUNED)
		fprintf(f, ",\"tuned_for\":\"%s\",\"tune_folds\":%d", decision_metric_key[d->metric],
		        d->folds);
	if (d->k == 2) {
		fputs(",\"threshold\":", f);
		json_number(f, d->threshold);
		fputs(",\"threshold_sd\":", f);
		json_number(f, d->threshold_sd);
	} else {
		json_values(f, "offsets", d->offset, classes, d->k);
		json_values(f, "offsets_sd", d->offset_sd, classes, d->k);
	}
	fputc('}', f);
}

void csv_prob_columns(FILE *f, char *const *classes, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		char *name = xmalloc(strlen(classes[i]) + 3);

		sprintf(name, "p_%s", classes[i]);
		fputc(',', f);
		csv_put(f, name, ',');
		free(name);
	}
}

void json_lampath(FILE *f, const struct lampath *p)
{
	fprintf(f, "{\"chosen_by\":\"%s\"", p->metric >= 0 ? decision_metric_key[p->metric] : "log_loss");
	json_field(f, "chosen", p->lambda[p->chosen]);
	json_values(f, "lambda", p->lambda, NULL, p->n);
	json_values(f, "log_loss", p->log_loss, NULL, p->n);
	json_values(f, "score", p->score, NULL, p->n);
	fputc('}', f);
}
