# focal-mpi train and cv with --solver sgd and adam: every rank draws the minibatches one
# process draws over the whole table, each sums the batch's rows it holds and one sum per
# step adds up the ranks' sums.  One process adds a batch's rows one after the other, so
# on more ranks the sums round otherwise: the fit equals focal train's to 1e-9 (measured:
# probabilities within 3e-14, relative), and on one rank to the last bit.  Runs against
# the plain build only.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/mpilib.sh"

# same_bits A B: models A and B alike but for the command line and its checksum (the
# objective and every weight to the last digit)
same_bits() {
	grep -v '^command\|^crc32' "$1" > "$1.x" && grep -v '^command\|^crc32' "$2" > "$2.x" &&
	cmp "$1.x" "$2.x"
}

# Every step is a collective, which on two oversubscribed cores costs up to a time slice:
# the runs are kept short with --epochs (the default plan is at least 5000 steps).

# the bundled tables (each within one block of 4096 rows, so rank 0 holds it and the
# others hold no rows but take every step)
for set in "glass type" "wdbc diagnosis"; do
	name=${set% *}
	y=${set#* }
	for s in sgd adam; do
		focal train -q -y "$y" --threads 1 --solver $s --epochs 300 -o $name-$s.focal \
			"$DATA/$name.csv" > /dev/null
		expect_success "$name.csv --solver $s on 1 process: focal train's fit to the bit" "
			fmpi 1 train -q -y $y --threads 1 --solver $s --epochs 300 -o $name-$s-1.focal \
				\"\$DATA/$name.csv\" > /dev/null && same_bits $name-$s.focal $name-$s-1.focal"
		for n in 2 4; do
			expect_success "$name.csv --solver $s on $n processes: the fit of focal train" "
				fmpi $n train -q -y $y --threads 1 --solver $s --epochs 300 \
					-o $name-$s-$n.focal \"\$DATA/$name.csv\" > /dev/null &&
				same_fit $name-$s.focal $name-$s-$n.focal \"\$DATA/$name.csv\""
		done
	done
done

# 200,000 rows: a batch's rows lie on every rank
make_big
focal train -q --threads 1 --solver adam -o ba.focal big.csv > /dev/null
expect_success '200,000 rows, --solver adam on 1 process: focal train to the bit' '
	fmpi 1 train -q --threads 1 --solver adam -o ba1.focal big.csv > /dev/null &&
	same_bits ba.focal ba1.focal'
expect_success '200,000 rows, --solver adam on 2 processes (10 epochs): the fit of focal train' '
	fmpi 2 train -q --threads 1 --solver adam -o ba2.focal big.csv > /dev/null &&
	same_fit ba.focal ba2.focal big.csv'
expect_success '200,000 rows, --solver sgd, focal loss, balanced weights on 3 and 4 processes' '
	focal train -q --threads 1 --solver sgd --epochs 2 --loss focal --class-weight balanced \
		-o bs.focal big.csv > /dev/null &&
	for n in 3 4; do
		fmpi $n train -q --threads 1 --solver sgd --epochs 2 --loss focal \
			--class-weight balanced -o bs$n.focal big.csv > /dev/null &&
		same_fit bs.focal bs$n.focal big.csv || exit 1
	done'
# batches of several blocks, and rows left out (under-sampling: the rows drawn are a copy,
# their positions among all the rows kept with them)
expect_success '200,000 rows, --sample under, batches of 10,000 on 3 processes' '
	focal train -q --threads 1 --solver sgd --sample under --batch-size 10000 --epochs 3 \
		-o bu.focal big.csv > /dev/null &&
	fmpi 3 train -q --threads 1 --solver sgd --sample under --batch-size 10000 --epochs 3 \
		-o bu3.focal big.csv > /dev/null && same_fit bu.focal bu3.focal big.csv'
expect_success '200,000 rows, --sample over with adam on 2 and 4 processes' '
	focal train -q --threads 1 --solver adam --sample over --epochs 2 -o bo.focal big.csv \
		> /dev/null &&
	for n in 2 4; do
		fmpi $n train -q --threads 1 --solver adam --sample over --epochs 2 -o bo$n.focal \
			big.csv > /dev/null && same_fit bo.focal bo$n.focal big.csv || exit 1
	done'
# row weights, those of every 5th and 7th row 0: one process's batches hold those rows too
expect_success '200,000 rows, --weight with rows of weight 0, --solver adam on 3 processes' '
	awk -F, -v OFS=, "NR == 1 { print \$0, \"wt\"; next } { print \$0, NR % 7 ? NR % 5 / 2 : 0 }" \
		big.csv > bigw.csv &&
	focal train -q --threads 1 -y y --weight wt --solver adam --epochs 2 -o bw.focal bigw.csv \
		> /dev/null &&
	fmpi 3 train -q --threads 1 -y y --weight wt --solver adam --epochs 2 -o bw3.focal \
		bigw.csv > /dev/null && same_fit bw.focal bw3.focal bigw.csv'
# rank 0 alone shows the progress: the others still take part in each epoch's evaluation
expect_success '--progress on rank 0 alone: the fit without it, no hang' '
	fmpi 2 train -q --threads 1 --solver adam --epochs 3 -o bp.focal big.csv > /dev/null &&
	fmpi 2 train -q --threads 1 --solver adam --epochs 3 --progress -o bq.focal big.csv \
		> /dev/null 2> err && grep -q "iteration 3" err && same_bits bp.focal bq.focal'

# ---- cv ----
expect_success 'cv --solver adam of glass.csv on 1, 2 and 4 processes: focal cv' '
	cvs ga 1 2 4 -- -k 4 -y type --solver adam --epochs 300 --threads 1 "$DATA/glass.csv"'
# a fold's training rows are a copy: the batches are drawn over every row's position
expect_success 'cv --solver adam of 200,000 rows, --sample none,over on 3 processes: focal cv' '
	cvs bcv 3 -- -k 3 --solver adam --epochs 2 --threads 1 --sample none,over big.csv'
expect_success 'cv --solver sgd, --sample under, batches of 5000, on 1 process: focal cv to the bit' '
	focal cv -q --format json -k 3 --solver sgd --batch-size 5000 --epochs 2 --sample under \
		--threads 1 big.csv > u.json &&
	fmpi 1 cv -q --format json -k 3 --solver sgd --batch-size 5000 --epochs 2 --sample under \
		--threads 1 big.csv > u1.json && cmp u.json u1.json'
