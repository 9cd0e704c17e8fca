/*
 * output.h: the pieces every output format is written with (SPEC "Outputs"), apart from
 * what is written: JSON, TSV and CSV fields, text escaped for a terminal, aligned grids
 * for tables, and the warning about rows skipped for a missing label.  The writers of
 * whole outputs (report.h, model.h, the commands) are built on these.
 */
#ifndef FOCAL_OUTPUT_H
#define FOCAL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decision.h"
#include "train.h"

#include "util.h"

/* The formats of --format. */
enum outfmt { FMT_TABLE, FMT_TSV, FMT_JSON };

/* Parses "table", "tsv" or "json"; -1 if none. */
int outfmt_parse(const char *s, enum outfmt *f);

/* Formats finite X into BUF in the fewest significant digits (15..17) that read back as
 * X. */
void fmt_roundtrip(char *buf, size_t size, double x);

/* Writes S as a JSON string literal (quoted, escaped; bytes that are not UTF-8 become
 * U+FFFD so the output stays valid). */
void json_string(FILE *f, const char *s);
/* The length of the well-formed UTF-8 sequence at S (1..4, within the N bytes at S), or 0
 * when it is not one; its code point in *CP when CP is not NULL. */
size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp);
/* As json_string, or null when S is NULL. */
void json_string_or_null(FILE *f, const char *s);
/* Writes the N strings of S as a JSON array of string literals. */
void json_strings(FILE *f, char *const *s, size_t n);
/* Writes X as a JSON number that round-trips (the shortest of %.15g/%.16g/%.17g that
 * reads back exactly), or null when X is not finite. */
void json_number(FILE *f, double x);
/* Writes ,"KEY":X with X as json_number writes it. */
void json_field(FILE *f, const char *key, double x);

/* Writes a label for TSV: tabs, newlines and carriage returns become spaces. */
void tsv_label(FILE *f, const char *s);
/* Writes a tab and then X for TSV (as in JSON, "-" when undefined). */
void tsv_number(FILE *f, double x);

/* Writes one CSV field, quoted when needed for focal to read it back as S. */
void csv_put(FILE *f, const char *s, int delim);

/*
 * Text for a terminal: control bytes (0x00-0x1f, 0x7f) of S are written as \xHH and a
 * backslash as \\, so what a label or a name holds cannot move the cursor or change
 * colours and can still be told apart; other bytes (UTF-8 too) are kept.  esc_put writes
 * to F; esc_dup returns a new string (caller frees).
 */
void esc_put(FILE *f, const char *s);
char *esc_dup(const char *s);
/* Writes LABEL within a line of a table, escaped for the terminal (as grid_label). */
void table_label(FILE *f, const char *label);

/*
 * A grid of table cells for people, printed with columns just as wide as their widest
 * cell (a UTF-8 sequence counts as one character), two spaces apart; the first NLEFT
 * columns are aligned left, the others right.  No trailing spaces.  The grid owns its
 * cells; grid_release frees them.
 */
struct grid {
	size_t rows, cols, nleft;
	char **cell; /* rows x cols, NULL for an empty cell */
};

void grid_init(struct grid *g, size_t rows, size_t cols, size_t nleft);
void grid_release(struct grid *g);
/* Sets cell (ROW, COL) to the printf-formatted text. */
void grid_set(struct grid *g, size_t row, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sets a cell to LABEL escaped for the terminal (esc_put). */
void grid_label(struct grid *g, size_t row, size_t col, const char *label);
/* Sets a cell to X with 3 decimals, or "-" when undefined. */
void grid_num(struct grid *g, size_t row, size_t col, double x);
void grid_print(FILE *f, const struct grid *g);

/*
 * Calls WARN (when not NULL) with "NAME: skipped N row(s) whose WHAT is missing" when N
 * is not 0: the one message for rows left out for want of a label.
 */
void warn_skipped_rows(void (*warn)(const char *msg), const char *name, size_t n,
                       const char *what);

/*
 * Writes --lambda auto's path P as a JSON object: "chosen_by" ("log_loss" or the metric),
 * "chosen" (the lambda), then the arrays "lambda", "log_loss" and "score".
 */
void json_lampath(FILE *f, const struct lampath *p);

/* Writes ",p_LABEL" for each of the K CLASSES, each name quoted as CSV needs. */
void csv_prob_columns(FILE *f, char *const *classes, size_t k);

/*
 * Writes decision D as a JSON object: "source", with "tuned_for" and "tune_folds" when
 * tuned, then "threshold" and "threshold_sd" (two classes) or "offsets" and
 * "offsets_sd" keyed by CLASSES.
 */
void json_decision(FILE *f, const struct decision *d, char *const *classes);

#endif
