/*
 * dist.h: the other processes of a data-parallel run (SPEC "Beyond one machine").
 *
 * focal-mpi runs one process per rank, each holding a share of the rows; the core
 * reaches the others through the hooks below, which src/mpi.c fills with Open MPI's
 * collectives.  focal has no such run: dist_get() is NULL there, and every path that
 * takes a struct dist takes NULL as "this process alone".  Every hook is collective:
 * all processes call it, in the same order, with the same sizes where it says so.
 */
#ifndef FOCAL_DIST_H
#define FOCAL_DIST_H

#include <stddef.h>

#include "util.h"

struct dist {
	int rank, size;
	void *ctx;
	/* Sums N doubles element-wise over the processes, into V on each (N the same
	 * everywhere); the terms are added in rank order, so every process gets the same bits. */
	void (*sum)(void *ctx, double *v, size_t n);
	/*
	 * Every process's LEN bytes at BUF, one after the other in rank order: returns a
	 * malloc'd block (the caller frees it) and sets LENS[r] (size entries) to the length
	 * of process r's bytes.
	 */
	void *(*gather)(void *ctx, const void *buf, size_t len, size_t *lens);
	/* The same to rank 0 alone (NULL on the others), LEN a multiple of 8. */
	void *(*gather_root)(void *ctx, const void *buf, size_t len, size_t *lens);
	/*
	 * Sends SENDLEN[q] bytes to each process q (BUF holds them one after the other, in
	 * q order) and returns what the others sent this one, in the order of their ranks,
	 * as a malloc'd block, with RECVLEN[q] bytes from q.
	 */
	void *(*exchange)(void *ctx, const void *buf, const size_t *sendlen, size_t *recvlen);
	/* 1 when every process passes OK 1, else 0 (on every process). */
	int (*all_ok)(void *ctx, int ok);
};

/* The run's other processes, or NULL (focal; focal-mpi on one process has them too). */
const struct dist *dist_get(void);
/* Sets what dist_get returns (src/mpi.c, once, before any command runs). */
void dist_set(const struct dist *d);

/* dist_sum etc.: the hooks, doing nothing (or the obvious) when D is NULL. */
void dist_sum(const struct dist *d, double *v, size_t n);
void *dist_gather(const struct dist *d, const void *buf, size_t len, size_t *lens);
void *dist_gather_root(const struct dist *d, const void *buf, size_t len, size_t *lens);
void *dist_exchange(const struct dist *d, const void *buf, const size_t *sendlen,
                    size_t *recvlen);
int dist_all_ok(const struct dist *d, int ok);
/* Process ROOT's N doubles V onto every process, bit for bit (a sum in rank order where
 * the others add 0). */
void dist_bcast(const struct dist *d, int root, double *v, size_t n);
/* The rows of the processes before this one, given this one's N; *TOTAL gets those of
 * all (0 and N without others). */
size_t dist_rows_before(const struct dist *d, size_t n, size_t *total);
/* Fills E for a process that stops because another one failed (and gave the message:
 * MSG empty, status 1); returns -1. */
int dist_elsewhere(struct ferr *e);

/*
 * Which part of its input files a process reads (data.c): whole files, or for one plain
 * file a byte range of it.
 */
enum part_kind {
	PART_NONE,   /* not read at all */
	PART_WHOLE,  /* read as focal reads it */
	PART_RANGE   /* the header, then the records in [begin, end) (csvopts.ranged) */
};

struct filepart {
	enum part_kind kind;
	long long begin, end;
	unsigned long begin_line; /* newlines before BEGIN */
};

/*
 * The parts of the NPATHS input files that process D->rank reads, into PART (NPATHS
 * entries): a single uncompressed file is cut into D->size byte ranges at record
 * boundaries (a newline after an even number of quote characters from the start of
 * the file: each process counts the quotes and newlines of its nominal range, the
 * counts before it come from the others, and it moves its start on to the first such
 * newline); several files, or a compressed one, are dealt out whole, each process
 * taking a run of consecutive files of about equal total size, so that the rows in
 * rank order are the table's rows in order.  A process that does not read the first
 * file reads its header (PART_RANGE, empty).  0, or -1 with E filled (on every process
 * when any failed: an unreadable file, standard input).
 */
int dist_share(const struct dist *d, const char *const *paths, size_t npaths,
               struct filepart *part, struct ferr *e);

/*
 * Moves rows of D between the processes (each keeping the table's order) so that each
 * one's rows start at a multiple of UNIT in the table and all but the last hold a
 * multiple of UNIT rows: the passes over the rows (train.c) then cut them into the
 * blocks of UNIT rows one process would, and sum each block alike.  The rows move with
 * what D holds of each (x, y, roww, pos, the missing-value lists, and with readopts.keep_lines
 * each row's line and file); D->count stays.  When any process lists missing values (or
 * lines, or files), every one gets the lists (empty ones too), so that all of them
 * prepare a fill for them alike (cv), and write the rows' lines alike.
 */
struct dataset;
void dist_align_rows(const struct dist *d, struct dataset *ds, size_t unit);

#endif
