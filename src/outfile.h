/* outfile.h: an output file that appears whole or not at all. */
#ifndef FOCAL_OUTFILE_H
#define FOCAL_OUTFILE_H

#include <stdio.h>

#include "util.h"

/*
 * Written to a new temporary file "PATH.tmpXXXXXX" beside PATH (created with O_EXCL, with
 * mode 0666 less the umask, as any file a program creates; mkstemp would make it 0600)
 * and renamed over PATH by outfile_commit, so a reader of PATH sees the old file or the
 * new one whole, never a part.  The struct owns TMP and F; zero it before use, so that
 * outfile_abort is harmless before outfile_open too.  A PATH that names a device or a
 * pipe (/dev/null, /dev/stdout) is written directly: there is no file to replace.
 */
struct outfile {
	const char *path; /* the target, borrowed */
	char *tmp;        /* the temporary file's name (NULL when direct) */
	FILE *f;          /* the stream to write to (on the temporary file) */
	int direct;       /* F is PATH itself, a device or a pipe */
};

/* Creates the temporary file beside PATH and opens O->f on it; 0, or -1 with E filled. */
int outfile_open(struct outfile *o, const char *path, struct ferr *e);
/* Flushes O->f to the disk, closes it and renames the file over O->path; 0, or -1 with E
 * filled (the temporary file is left for outfile_abort). */
int outfile_commit(struct outfile *o, struct ferr *e);
/* Closes O->f if open and removes the temporary file; harmless after a commit or a failed
 * open. */
void outfile_abort(struct outfile *o);

/*
 * Outputs that must not outlive a run that fails later (train's figure, written before
 * the model, when the model cannot be written or memory runs out): after outfile_hold,
 * each output committed stays registered to be removed at exit and on a fatal signal,
 * as the temporary files are, until outfile_settle (the run succeeded) or
 * outfile_withdraw (it failed: removed now).  A device or a pipe written directly is
 * not registered.  The names are borrowed: they must live until then.
 */
void outfile_hold(void);
void outfile_settle(void);
void outfile_withdraw(void);

#endif
