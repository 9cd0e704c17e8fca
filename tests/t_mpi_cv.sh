# focal-mpi cv's files of every row: --save-folds and --save-predictions on 1, 2, 3 and
# 4 processes write the bytes focal cv writes (rank 0 writes them, the other processes'
# lines sent to it a chunk at a time), an output that cannot be made leaves nothing
# behind.  Runs against the plain build only.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/mpilib.sh"

# same_files NAME N ARGS...: focal cv ARGS and focal-mpi cv ARGS on N processes, each
# with --save-folds and --save-predictions: the same files byte for byte, the same JSON
same_files() {
	name=$1 n=$2
	shift 2
	focal cv -q --threads 1 --format json --save-folds "$name.folds" \
		--save-predictions "$name.pred" "$@" > "$name.json" &&
	fmpi "$n" cv -q --threads 1 --format json --save-folds "$name-$n.folds" \
		--save-predictions "$name-$n.pred" "$@" > "$name-$n.json" &&
	test -s "$name.folds" && test -s "$name.pred" &&
	cmp "$name.folds" "$name-$n.folds" && cmp "$name.pred" "$name-$n.pred" &&
	same_cv "$name.json" "$name-$n.json"
}

# ---- --save-folds, --save-predictions ----

for n in 1 2 4; do
	expect_success "glass.csv, -k 3, two configurations, on $n processes: the files of focal cv" "
		same_files glass $n -k 3 -y type --loss ce,focal \"\$DATA/glass.csv\""
done
# three shards: the file column; on 4 processes one reads none of them
head -n 1 "$DATA/glass.csv" > head.csv
for part in a:2,80 b:81,150 c:151,215; do
	{ cat head.csv; sed -n "${part#*:}p" "$DATA/glass.csv"; } > "${part%%:*}.csv"
done
for n in 2 4; do
	expect_success "three shards, --repeat 2, on $n processes: the files of focal cv (file column)" "
		same_files shards $n -k 3 --repeat 2 -y type --class-weight none,balanced a.csv b.csv c.csv &&
		head -n 1 shards-$n.folds | grep -q '^file,line,repeat,fold\$' &&
		grep -q '^c.csv,' shards-$n.pred"
done

make_big
expect_success '200,000 rows, --repeat 2, two configurations, on 3 processes: the files of focal cv' '
	same_files big 3 -k 3 --repeat 2 --class-weight none,balanced big.csv &&
	test "$(grep -c . big-3.folds)" = 400001 && test "$(grep -c . big-3.pred)" = 800001'

expect_success 'an output in a directory that does not exist: one message, status 1, nothing left' '
	mkdir out && cd out &&
	fmpi 3 cv -q -k 3 -y type --save-folds f.csv --save-predictions nodir/p.csv \
		"$DATA/glass.csv" > out 2> err; test $? -eq 1 &&
	test "$(grep -c . err)" = 1 && grep -q "^focal: nodir/p.csv: " err && ! test -s out &&
	test "$(ls)" = "$(printf "err\nout")"'
expect_success 'the folds file in a directory that does not exist: the same' '
	mkdir out2 && cd out2 &&
	fmpi 2 cv -q -k 3 -y type --save-folds nodir/f.csv "$DATA/glass.csv" > out 2> err; test $? -eq 1 && test "$(grep -c . err)" = 1 && grep -q "^focal: nodir/f.csv: " err &&
	! test -s out && test "$(ls)" = "$(printf "err\nout")"'
