/*
 * mpibench: the time of one MPI_Allreduce of N doubles, summed in rank order as
 * focal-mpi sums each gradient (a non-commutative user operation), and as MPI_SUM.
 * usage: mpirun -n P bench/mpibench [N [CALLS]]   (make bench/mpibench)
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void add_in_order(void *in, void *inout, int *len, MPI_Datatype *type)
{
	const double *a = in;
	double *b = inout;
	int i;

	(void)type;
	for (i = 0; i < *len; i++)
		b[i] = a[i] + b[i];
}

/* Seconds per call of CALLS allreduces of N doubles with OP (after a warm-up). */
static double time_calls(double *v, int n, int calls, MPI_Op op)
{
	double t;
	int i;

	for (i = 0; i < 100; i++)
		MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, op, MPI_COMM_WORLD);
	MPI_Barrier(MPI_COMM_WORLD);
	t = MPI_Wtime();
	for (i = 0; i < calls; i++)
		MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, op, MPI_COMM_WORLD);
	return (MPI_Wtime() - t) / calls;
}

int main(int argc, char **argv)
{
	int n, calls, rank, size, i;
	double *v, ordered, plain;
	MPI_Op op;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	n = argc > 1 ? atoi(argv[1]) : 207;
	calls = argc > 2 ? atoi(argv[2]) : 10000;
	if (n < 1 || calls < 1) {
		if (rank == 0)
			fputs("usage: mpibench [N [CALLS]]\n", stderr);
		MPI_Finalize();
		return 2;
	}
	v = calloc((size_t)n, sizeof *v);
	if (!v)
		MPI_Abort(MPI_COMM_WORLD, 1);
	for (i = 0; i < n; i++)
		v[i] = 1e-3 * i;
	MPI_Op_create(add_in_order, 0, &op);
	ordered = time_calls(v, n, calls, op);
	plain = time_calls(v, n, calls, MPI_SUM);
	if (rank == 0)
		printf("%d processes, %d doubles: %.2f us per allreduce in rank order, %.2f us with "
		       "MPI_SUM\n", size, n, ordered * 1e6, plain * 1e6);
	MPI_Op_free(&op);
	free(v);
	MPI_Finalize();
	return 0;
}
