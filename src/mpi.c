/*
 * mpi.c: the focal-mpi command (make mpi): focal train and cv, data-parallel over Open
 * MPI.
 *
 * Every rank runs the same command line.  The core reaches the other ranks through
 * struct dist (dist.h), which this file fills with MPI's collectives: each rank reads
 * its share of the input, the schema is merged, every evaluation of the objective and
 * its gradient is summed over the ranks with one MPI_Allreduce, and every rank takes the
 * same L-BFGS steps (with --solver sgd or adam, the same minibatch steps: one allreduce of
 * a batch's gradient a step); rank 0 writes the report and the model.  cv runs its fits so, one
 * after another, on folds made from every rank's rows.  Compiled with mpicc, into
 * focal-mpi only: focal itself knows nothing of MPI.
 */
#include <mpi.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "dist.h"

/* What -v reports at the end: the time each kind of collective took on this rank. */
struct mpistats {
	double t0;
	double first_sum; /* when the first sum began: the class counts, once the shares are read */
	long sums, gathers, agreements;
	size_t sum_max;   /* doubles in the largest sum */
	double sum_seconds, gather_seconds, agree_seconds;
};

struct mpictx {
	MPI_Comm comm;
	MPI_Op ordered_sum;
	struct mpistats st;
};

/* Element-wise INOUT = IN + INOUT, IN being the lower ranks' part (the operation is
 * declared non-commutative, so that MPI adds in rank order). */
static void add_in_order(void *in, void *inout, int *len, MPI_Datatype *type)
{
	const double *a = in;
	double *b = inout;
	int i;

	(void)type;
	for (i = 0; i < *len; i++)
		b[i] = a[i] + b[i];
}

static void mpi_sum(void *ctx, double *v, size_t n)
{
	struct mpictx *m = ctx;
	double t = MPI_Wtime();
	size_t done, part;

	if (m->st.sums == 0)
		m->st.first_sum = t;
	/* an int counts the doubles of one call */
	for (done = 0; done < n; done += part) {
		part = n - done < (size_t)1 << 30 ? n - done : (size_t)1 << 30;
		MPI_Allreduce(MPI_IN_PLACE, v + done, (int)part, MPI_DOUBLE, m->ordered_sum, m->comm);
	}
	m->st.sums++;
	if (n > m->st.sum_max)
		m->st.sum_max = n;
	m->st.sum_seconds += MPI_Wtime() - t;
}

/*
 * The layout of a gather of ALL[r] items of UNIT bytes from each of the SIZE ranks: the
 * counts CNT and offsets OFF in items, the lengths LENS in bytes; the total in items.  A
 * total past what an int counts ends the job with WHY.
 */
static size_t layout(const struct mpictx *m, const unsigned long long *all, int size, size_t unit,
                     size_t *lens, int *cnt, int *off, const char *why)
{
	size_t total = 0;
	int r;

	for (r = 0; r < size; r++) {
		lens[r] = (size_t)all[r] * unit;
		if (total + all[r] > (size_t)INT32_MAX) {
			fprintf(stderr, "focal: %s\n", why);
			MPI_Abort(m->comm, 1);
		}
		off[r] = (int)total;
		cnt[r] = (int)all[r];
		total += all[r];
	}
	return total;
}

static void *mpi_gather(void *ctx, const void *buf, size_t len, size_t *lens)
{
	struct mpictx *m = ctx;
	double t = MPI_Wtime();
	int size, *cnt, *off;
	unsigned long long mine = len, *all;
	size_t total;
	char *out;

	MPI_Comm_size(m->comm, &size);
	all = xcalloc((size_t)size, sizeof *all);
	cnt = xcalloc((size_t)size, sizeof *cnt);
	off = xcalloc((size_t)size, sizeof *off);
	MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, all, 1, MPI_UNSIGNED_LONG_LONG, m->comm);
	total = layout(m, all, size, 1, lens, cnt, off, "the schema messages of the ranks exceed 2 GB");
	out = xmalloc(total + 1);
	MPI_Allgatherv(buf, (int)len, MPI_BYTE, out, cnt, off, MPI_BYTE, m->comm);
	free(all);
	free(cnt);
	free(off);
	m->st.gathers++;
	m->st.gather_seconds += MPI_Wtime() - t;
	return out;
}

static void *mpi_gather_root(void *ctx, const void *buf, size_t len, size_t *lens)
{
	struct mpictx *m = ctx;
	double t = MPI_Wtime();
	int size, rank, *cnt, *off;
	unsigned long long mine = len / sizeof(double), *all;
	size_t total = 0;
	double *out = NULL;

	MPI_Comm_size(m->comm, &size);
	MPI_Comm_rank(m->comm, &rank);
	all = xcalloc((size_t)size, sizeof *all);
	cnt = xcalloc((size_t)size, sizeof *cnt);
	off = xcalloc((size_t)size, sizeof *off);
	/* counted in doubles: an int reaches 16 GB */
	MPI_Gather(&mine, 1, MPI_UNSIGNED_LONG_LONG, all, 1, MPI_UNSIGNED_LONG_LONG, 0, m->comm);
	if (rank == 0) {
		total = layout(m, all, size, sizeof(double), lens, cnt, off,
		               "the rows to report on exceed 16 GB on rank 0");
		out = xreallocarray(NULL, total + 1, sizeof *out);
	}
	MPI_Gatherv(buf, (int)mine, MPI_DOUBLE, out, cnt, off, MPI_DOUBLE, 0, m->comm);
	free(all);
	free(cnt);
	free(off);
	m->st.gathers++;
	m->st.gather_seconds += MPI_Wtime() - t;
	return out;
}

static void *mpi_exchange(void *ctx, const void *buf, const size_t *sendlen, size_t *recvlen)
{
	struct mpictx *m = ctx;
	double t = MPI_Wtime();
	int size, r, *scnt, *soff, *rcnt, *roff;
	unsigned long long *sl, *rl;
	size_t stot = 0, rtot = 0;
	char *out;

	MPI_Comm_size(m->comm, &size);
	sl = xcalloc((size_t)size, sizeof *sl);
	rl = xcalloc((size_t)size, sizeof *rl);
	scnt = xcalloc(4 * (size_t)size, sizeof *scnt);
	soff = scnt + size;
	rcnt = soff + size;
	roff = rcnt + size;
	for (r = 0; r < size; r++)
		sl[r] = sendlen[r];
	MPI_Alltoall(sl, 1, MPI_UNSIGNED_LONG_LONG, rl, 1, MPI_UNSIGNED_LONG_LONG, m->comm);
	for (r = 0; r < size; r++) {
		recvlen[r] = (size_t)rl[r];
		if (stot + sendlen[r] > (size_t)INT32_MAX || rtot + recvlen[r] > (size_t)INT32_MAX) {
			fputs("focal: the rows the ranks exchange exceed 2 GB\n", stderr);
			MPI_Abort(m->comm, 1);
		}
		soff[r] = (int)stot;
		scnt[r] = (int)sendlen[r];
		roff[r] = (int)rtot;
		rcnt[r] = (int)recvlen[r];
		stot += sendlen[r];
		rtot += recvlen[r];
	}
	out = xmalloc(rtot + 1);
	MPI_Alltoallv(buf, scnt, soff, MPI_BYTE, out, rcnt, roff, MPI_BYTE, m->comm);
	free(sl);
	free(rl);
	free(scnt);
	m->st.gathers++;
	m->st.gather_seconds += MPI_Wtime() - t;
	return out;
}

static int mpi_all_ok(void *ctx, int ok)
{
	struct mpictx *m = ctx;
	double t = MPI_Wtime();
	int all = 0;

	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, m->comm);
	m->st.agreements++;
	m->st.agree_seconds += MPI_Wtime() - t;
	return all;
}

/* Rank 0 alone says what every rank would say alike. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	if (cli_rank != 0)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void usage(FILE *f)
{
	if (cli_rank != 0)
		return;
	fputs("usage: mpirun -n N focal-mpi [-v] train [options] FILE...\n"
	      "       mpirun -n N focal-mpi [-v] cv -k K [options] FILE...\n"
	      "focal train and cv, data-parallel: each of N processes reads a share of the\n"
	      "files (not standard input).\n\n"
	      "  -v        print, per rank, its wall time, peak memory and time in MPI's\n"
	      "            collectives\n\n"
	      "Run 'focal-mpi help train' or 'focal-mpi help cv' for the options; see\n"
	      "focal-mpi(1).\n", f);
}

/* The command ARGV[0] with the ARGC - 1 arguments after it; the exit status. */
static int run(int argc, char **argv)
{
	if (argc < 1) {
		say("focal-mpi: no command given\n");
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[0], "--version") == 0 || strcmp(argv[0], "-V") == 0) {
		printf("focal-mpi %s\n", FOCAL_VERSION);
		return 0;
	}
	if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0 ||
	    (strcmp(argv[0], "help") == 0 && argc == 1)) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[0], "help") == 0) {
		if (strcmp(argv[1], "train") == 0 || strcmp(argv[1], "cv") == 0) {
			cli_usage_write(stdout, strcmp(argv[1], "cv") == 0 ? &usage_cv : &usage_train);
			return 0;
		}
		say("focal-mpi: no command '%s' (focal-mpi runs train and cv)\n", argv[1]);
		return 2;
	}
	if (strcmp(argv[0], "train") == 0)
		return cmd_train(argc, argv);
	if (strcmp(argv[0], "cv") == 0)
		return cmd_cv(argc, argv);
	if (strcmp(argv[0], "predict") == 0 || strcmp(argv[0], "eval") == 0 ||
	    strcmp(argv[0], "info") == 0) {
		say("focal-mpi: %s is not data-parallel: run focal %s\n", argv[0], argv[0]);
		return 2;
	}
	say("focal-mpi: no command '%s'\n", argv[0]);
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct mpictx m;
	struct dist d;
	int status, verbose = 0, rank, size;

	MPI_Init(&argc, &argv);
	memset(&m, 0, sizeof m);
	m.comm = MPI_COMM_WORLD;
	m.st.t0 = MPI_Wtime();
	MPI_Comm_rank(m.comm, &rank);
	MPI_Comm_size(m.comm, &size);
	MPI_Op_create(add_in_order, 0, &m.ordered_sum);
	memset(&d, 0, sizeof d);
	d.rank = rank;
	d.size = size;
	d.ctx = &m;
	d.sum = mpi_sum;
	d.gather = mpi_gather;
	d.gather_root = mpi_gather_root;
	d.exchange = mpi_exchange;
	d.all_ok = mpi_all_ok;
	dist_set(&d);
	cli_rank = rank;
	if (rank > 0) {
		/* what every rank would say alike is said once, by rank 0; the message of an
		 * error met by one rank alone is given by that rank (cli_fail) */
		cli_quiet = 1;
		if (!freopen("/dev/null", "w", stdout))
			return 1;
	}
	opterr = 0;
	argc--;
	argv++;
	if (argc > 0 && strcmp(argv[0], "-v") == 0) {
		verbose = 1;
		argc--;
		argv++;
	}
	status = run(argc, argv);
	if (status == 0)
		status = cli_close_stdout();
	if (verbose) {
		struct rusage ru;

		if (getrusage(RUSAGE_SELF, &ru) != 0)
			ru.ru_maxrss = 0;
		fprintf(stderr, "focal-mpi: rank %d of %d: %.3f s wall, %.3f s to read and merge; "
		        "%ld allreduces (up to %zu doubles) %.6f s; %ld gathers %.6f s; %ld agreements "
		        "%.6f s; peak RSS %ld MB\n", rank, size, MPI_Wtime() - m.st.t0,
		        m.st.sums ? m.st.first_sum - m.st.t0 : 0.0, m.st.sums, m.st.sum_max,
		        m.st.sum_seconds, m.st.gathers, m.st.gather_seconds, m.st.agreements,
		        m.st.agree_seconds, (long)ru.ru_maxrss / 1024);
	}
	MPI_Op_free(&m.ordered_sum);
	MPI_Finalize();
	return status;
}
