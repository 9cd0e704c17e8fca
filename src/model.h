/* model.h: model files (man/focal.5): versioned text, CRC-32, written atomically. */
#ifndef FOCAL_MODEL_H
#define FOCAL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "decision.h"
#include "train.h"
#include "util.h"

#define MODEL_FORMAT_VERSION 2

/* How a model was trained (what `focal info` shows). */
struct traininfo {
	char *loss;            /* "ce" or "focal" */
	double gamma, lambda;
	char *solver;
	char *sample;          /* "none", "over", ... */
	double sample_ratio;
	int smote_k;
	uint64_t seed;
	char *cmdline;
	char *bias_init;       /* "prior" or "zero" */
	double objective;
	int iterations, converged;
	double *class_weight;  /* nclass effective class weights */
	size_t *count_before;  /* nclass rows per class before sampling */
	size_t *count_after;   /* and after */
	char *calibrate;       /* "none", "prior" or "temperature" (version 1 files: none) */
	double temperature;    /* 1 unless temperature */
	struct lampath path;   /* --lambda auto's (n 0 otherwise, and in version 1 files) */
};

/* Everything a model file holds.  Owns all of it. */
struct model {
	struct schema s;
	struct linmodel lm;
	struct traininfo info;
	struct decision dec;   /* version 1 files: argmax */
	int version;           /* the format version read (model_load) */
};

void model_release(struct model *m);

/*
 * Writes M to PATH (gzip when PATH ends in .gz) through a temporary file in the same
 * directory renamed into place, so PATH is either the old file or the whole new one.
 * Refuses non-finite weights.  Returns 0, or -1 with E filled.
 */
int model_save(const char *path, const struct model *m, struct ferr *e);

/* Reads PATH (gzip or plain) into M after checking its version and CRC-32. */
int model_load(const char *path, struct model *m, struct ferr *e);

/* Writes `focal info` output for M to F in format FMT (an enum outfmt); -1 on a write error. */
int model_describe(FILE *f, const struct model *m, int fmt);

/*
 * Writes `focal info --coef` output for M to F in format FMT: one row per class (logistic:
 * the positive class only), then feature and level, with the weight of the standardised
 * input (as trained) and of the raw one (weight / scale; the "(intercept)" row, first for
 * each class, holds the bias less sum of weight * center / scale), so that
 * z = intercept_raw + sum of weight_raw * x over the raw values (the mean for a missing
 * one; 1 for a row's level of a categorical feature, 0 for the others).  -1 on a write
 * error.
 */
int model_coef(FILE *f, const struct model *m, int fmt);

#endif
