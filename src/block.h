/*
 * block.h: where the feature blocks live (SPEC "Beyond one machine").
 *
 * A feature block (rows x design columns of floats: the training rows, a sampled copy)
 * is allocated here.  While the blocks held in memory stay within the memory budget
 * (--memory; by default half of the machine's memory) a block is plain heap memory.
 * A block that would take them past it lives in a temporary file instead (in $TMPDIR,
 * else /tmp; unlinked as soon as it is made, so it goes away with the process, however
 * that ends), mapped into memory: every reader sees an ordinary array.  What keeps the
 * process small is that the loops which sweep such a block hand back each slice they
 * are done with (block_done) and ask for the next one early (block_ahead, which the
 * kernel reads in while they compute); the pages they handed back are the page cache's,
 * not the process's, and the kernel writes and evicts them as it needs.
 */
#ifndef FOCAL_BLOCK_H
#define FOCAL_BLOCK_H

#include <stddef.h>

/* Sets the budget in bytes (0: the default, half of physical memory or of the
 * process's memory limit, whichever is less). */
void block_set_budget(size_t bytes);
size_t block_budget(void);

/*
 * Parses a --memory value: a number with an optional suffix K, M, G or T (powers of
 * 1024; B or nothing: bytes), e.g. 512M, 1.5G.  0 and *bytes, or -1.
 */
int block_parse_size(const char *s, size_t *bytes);

/* A block of N floats, or P grown (or shrunk) to N floats, contents kept.  Exits with a
 * message (status 1) when neither memory nor a temporary file can hold it. */
float *block_alloc(size_t n);
float *block_realloc(float *p, size_t n);
/* Frees a block of block_alloc (a NULL or a plain heap pointer is also accepted). */
void block_free(float *p);

/* 1 when P is a block in a temporary file. */
int block_in_file(const float *p);

/*
 * The caller is done, for now, with the floats [from, to) of block P: a block in a
 * file gives their pages back (later reads fetch them again).  block_ahead: the caller
 * will soon read [from, to); the kernel starts reading them in.  Both do nothing for a
 * block in memory; call them from one thread.
 */
void block_done(const float *p, size_t from, size_t to);
void block_ahead(const float *p, size_t from, size_t to);

/*
 * In a sweep over rows [0, n) of block X, WIDTH floats a row, with R rows done: every
 * BLOCK_SWEEP_ROWS rows, the rows behind are handed back (block_done) and the next
 * ones asked for (block_ahead).  Costs nothing in between.
 */
#define BLOCK_SWEEP_ROWS 16384
void block_sweep(const float *x, size_t r, size_t n, size_t width);

/* Floats of P that a sweep takes at once before handing them back: a slice of at most
 * 64 MiB and an eighth of the budget (for a block in memory: all of it, SIZE_MAX). */
size_t block_slice(const float *p);

#endif
