/*
 * cvrefit.h: focal cv --refit: the focal train command of a configuration, built from
 * cv's own command line, and run to save its model.
 */
#ifndef FOCAL_CVREFIT_H
#define FOCAL_CVREFIT_H

#include "cv.h"

/*
 * The arguments of `focal train` (ARGV[0] "train") that fit configuration C on FILES (NFILES) as
 * cv's command line ARGV (ARGC entries, ARGV[0] "cv") reads it, saving the model to
 * MODEL: cv's data-reading, solver and tuning options as given, then C's own values.
 * *ARGC_OUT gets their number; the vector and its strings are the caller's (strv_free).
 */
char **cvrefit_argv(int argc, char **argv, const struct cvconfig *c, const char *model,
                    char *const *files, size_t nfiles, size_t *argc_out);

#endif
