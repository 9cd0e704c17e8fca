/* score.h: from probabilities to predicted classes, and scoring a whole dataset. */
#ifndef FOCAL_SCORE_H
#define FOCAL_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "decision.h"
#include "metrics.h"
#include "train.h"

/*
 * The positive class of K classes (labels CLASSES in class order, COUNT[c] rows of
 * class c): with LABEL (not NULL), that class; otherwise the less frequent of two classes,
 * the second on a tie.  WHAT says where the classes come from in messages ("the data").
 * Returns the class index (1 when K is not 2 and there is no LABEL), or -1 with E filled
 * as a usage error: LABEL with other than two classes, or LABEL not among CLASSES.
 */
int positive_class(char *const *classes, size_t k, const size_t *count, const char *label,
                   const char *what, struct ferr *e);

/*
 * Row X (M's dim values) scored by M: its class probabilities into PROB and logits into
 * Z (nclass values each), and the class DEC decides for it.
 */
uint32_t score_row(const struct linmodel *m, const struct decision *dec, const double *x,
                   double *prob, double *z);

/*
 * The decision predict and eval -m apply: the model's own DEC, the argmax with ARGMAX,
 * or the model's own with threshold THRESHOLD when HAVE_THRESHOLD (two classes; with
 * more a usage error in E).  0, or -1 with E filled.
 */
int score_decision(const struct decision *dec, int argmax, int have_threshold, double threshold,
                   struct decision *out, struct ferr *e);

/*
 * Scores every row of D with M, deciding with DEC, on THREADS threads (the same figures
 * for any number), and fills R (release with report_release); with two classes R names
 * M's positive class.  The feature block D->x is freed once the rows are scored, before
 * the metrics need room of their own (D->x NULL after): the caller has no further use
 * for it.  With FD (not NULL), also fills the figures of the pictures (metrics.h;
 * figdata_release).
 */
void score_dataset(const struct linmodel *m, const struct decision *dec, struct dataset *d,
                   int threads, struct report *r, struct figdata *fd);

/* What score_dataset does in two steps: the probabilities of D's rows into PROB (n x
 * nclass) and the decisions into PRED (n); then the report R on N such rows, with their
 * true classes Y (focal-mpi scores each process's rows, and rank 0 reports on all). */
void score_predict(const struct linmodel *m, const struct decision *dec, const struct dataset *d,
                   int threads, double *prob, uint32_t *pred);
void score_report(const struct linmodel *m, size_t n, const uint32_t *y, const uint32_t *pred,
                  const double *prob, struct report *r, struct figdata *fd);

/*
 * score_dataset over the rows of every process of a focal-mpi run (dist.h): each
 * scores its own, and rank 0 gets the report on all of them in rank order (the rows of
 * the table in order), the others an empty one (and FD, when not NULL, the figures on
 * rank 0).  D->x freed, as by score_dataset.  DIST NULL: score_dataset itself.
 */
struct dist;
void score_shared(const struct dist *dist, const struct linmodel *m, const struct decision *dec,
                  struct dataset *d, int threads, struct report *r, struct figdata *fd);
/*
 * score_report over the rows of every process (collective): each passes its own N rows
 * (true classes Y, decisions PRED, probabilities PROB, n x nclass), and rank 0 gets the
 * report R on all of them in rank order (and FD when not NULL), the others an empty one.
 */
void score_report_shared(const struct dist *dist, const struct linmodel *m, size_t n,
                         const uint32_t *y, const uint32_t *pred, const double *prob,
                         struct report *r, struct figdata *fd);

#endif
