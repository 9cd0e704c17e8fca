/* score.h: from probabilities to predicted classes, and scoring a whole dataset. */
#ifndef FOCAL_SCORE_H
#define FOCAL_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "metrics.h"
#include "train.h"

/*
 * The predicted class for PROB (k class probabilities): with two classes, POSITIVE
 * when prob[positive] >= THRESHOLD; otherwise the most probable class (the first
 * in class order on a tie).
 */
uint32_t decide(const double *prob, size_t k, int positive, double threshold);

/* Scores every row of D with M and fills R (release with report_release). */
void score_dataset(const struct linmodel *m, const struct dataset *d, double threshold,
                   struct report *r);

#endif
