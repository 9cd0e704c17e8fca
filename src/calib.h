/*
 * calib.h: calibrating a linear model's probabilities (SPEC "Decisions and
 * probabilities", --calibrate).  Both maps act on the logits, so they fold into the
 * weights: the prior correction adds log(pi_c / pi'_c) to class c's logit (pi the class
 * shares of the training rows, pi' those the fit saw after weights and sampling), the
 * temperature scales every logit by s = 1 / T and adds a bias b_c.
 */
#ifndef FOCAL_CALIB_H
#define FOCAL_CALIB_H

#include <stddef.h>
#include <stdint.h>

#include "train.h"

enum calib_kind { CALIB_AUTO, CALIB_NONE, CALIB_PRIOR, CALIB_TEMPERATURE };
extern const char *const calib_key[4]; /* "auto", "none", "prior", "temperature" */
/* The index of WORD among calib_key, or -1. */
int calib_parse(const char *word);

/*
 * The shares the fit saw against the rows' own: DELTA[c] (K values) = log pi_c - log
 * pi'_c, with pi_c from BEFORE[c] rows per class and pi'_c proportional to AFTER[c] *
 * WEIGHT[c] (0 for a class either share has none of).  Returns 1 when some DELTA is not
 * 0 (the fit saw another class balance), else 0.
 */
int calib_prior_shift(size_t k, const size_t *before, const size_t *after, const double *weight,
                      double *delta);

/*
 * The logit shift of M's nout outputs that class shifts SHIFT (K values) amount to:
 * softmax SHIFT itself, logistic shift[positive] - shift[1 - positive], into OUT.
 */
void calib_logit_shift(const struct linmodel *m, const double *shift, double *out);

/* Adds SHIFT (nout values, calib_logit_shift) to M's biases. */
void calib_add_bias(struct linmodel *m, const double *shift);

/*
 * Fits the temperature on N rows of logits Z (n x nout, as M gives them; Y the true
 * classes): the scale S > 0 and biases B (nout values; softmax B[0] = 0) that minimise
 * the mean log loss of the logits S * z + B, by Newton's method.  Returns 0, or -1 when
 * it did not converge (S and B are then the best point found).
 */
int calib_fit_temperature(const struct linmodel *m, size_t n, const double *z, const uint32_t *y,
                          double *s, double *b);

/* Multiplies M's weights and biases by S and adds B (nout values) to the biases. */
void calib_scale(struct linmodel *m, double s, const double *b);

#endif
