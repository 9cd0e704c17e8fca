# focal-mpi cv's files of every row and its SMOTE: --save-folds and --save-predictions
# on 1, 2, 3 and 4 processes write the bytes focal cv writes (rank 0 writes them, the
# other processes' lines sent to it a chunk at a time), an output that cannot be made
# leaves nothing behind; --sample smote gives the rows after sampling of focal cv and
# about its figures (each process makes its share of each fold's new rows from its own
# rows), the same on every run.  Runs against the plain build only.
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

# (glass's rows all go to rank 0, in its first block of 4096 rows): 20,000 rows in three
# shards on 4 processes, each holding some of them, the file column from several
head -n 1 big.csv > mhead.csv
for part in m1:2,7001 m2:7002,12001 m3:12002,20001; do
	{ cat mhead.csv; sed -n "${part#*:}p" big.csv; } > "${part%%:*}.csv"
done
expect_success '20,000 rows in three shards, --repeat 2, on 4 processes: the files of focal cv' '
	same_files mid 4 -k 3 --repeat 2 --loss ce,focal m1.csv m2.csv m3.csv &&
	grep -q "^m1.csv," mid-4.folds && grep -q "^m3.csv," mid-4.pred'

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

# ---- --sample smote ----

# rows_by_name JSON: each fold's test counts and rows after sampling, with the name of
# its configuration (the configurations are in the order of their figures)
rows_by_name() {
	flat "$1" | awk -F'\t' '
	{ n = split($1, p, "/") }
	p[1] == "configurations" && n == 3 && p[3] == "name" { name[p[2]] = $2 }
	p[1] == "configurations" && p[3] == "folds" && (p[5] == "train_rows" || p[5] == "test_counts") {
		sub(/^configurations\/[0-9]+\//, "", $1); line[++m] = p[2] "\t" $1 "\t" $2
	}
	END { for (i = 1; i <= m; i++) { split(line[i], q, "\t"); print name[q[1]] "\t" q[2] "\t" q[3] } }' |
	sort
}

# means JSON: each configuration's mean macro F1 and balanced accuracy, by name
means() {
	flat "$1" | awk -F'\t' '
	{ n = split($1, p, "/") }
	p[1] == "configurations" && n == 3 && p[3] == "name" { name[p[2]] = $2 }
	p[1] == "configurations" && n == 4 && p[3] == "mean" &&
	    (p[4] == "macro_f1" || p[4] == "balanced_accuracy") { v[p[2] "\t" p[4]] = $2 }
	END { for (k in v) { split(k, q, "\t"); print name[q[1]] "|" q[2] "\t" v[k] } }' | sort
}

# smote_like NAME N TOL AGAIN ARGS...: focal cv ARGS and focal-mpi cv ARGS on N
# processes: every fold of every configuration the same rows (test counts, and rows after
# sampling), the means of macro F1 and balanced accuracy within TOL; with AGAIN 1, a
# second run the same JSON
smote_like() {
	name=$1 n=$2 tol=$3 again=$4
	shift 4
	focal cv -q --threads 1 --format json "$@" > "$name.json" &&
	fmpi "$n" cv -q --threads 1 --format json "$@" > "$name-$n.json" &&
	rows_by_name "$name.json" > "$name.rows" && rows_by_name "$name-$n.json" > "$name-$n.rows" &&
	grep -q "smote.*train_rows" "$name.rows" && cmp "$name.rows" "$name-$n.rows" &&
	means "$name.json" > "$name.means" && means "$name-$n.json" > "$name-$n.means" &&
	test -s "$name.means" &&
	paste "$name.means" "$name-$n.means" | awk -F'\t' -v tol="$tol" '
	{
		if ($1 != $3) { print "configuration " $1 " vs " $3; bad = 1; exit }
		d = $2 - $4; if (d < 0) d = -d
		if (d > tol) { print $1 ": " $2 " vs " $4; bad = 1 }
	}
	END { exit bad }' &&
	if [ "$again" = 1 ]; then
		fmpi "$n" cv -q --threads 1 --format json "$@" > "$name-$n.again.json" &&
		cmp "$name-$n.json" "$name-$n.again.json"
	fi
}

expect_success 'smote on glass.csv on 3 processes: the rows of focal cv, figures within 0.02, twice the same' '
	smote_like gsm 3 0.02 1 -k 3 -y type --sample smote "$DATA/glass.csv"'
expect_success 'smote on 200,000 rows on 3 processes: the rows of focal cv, figures within 0.02, twice the same' '
	smote_like bsm 3 0.02 1 -k 3 --sample smote big.csv'
# configurations sharing a fold's SMOTE set, and others, on shards (one process without
# rows of its own before they move); the figures of so few rows vary more
expect_success 'smote, ratios and losses sharing the sets, --repeat 2, on 4 processes: the rows of focal cv' '
	smote_like ssm 4 0.1 0 -k 3 --repeat 2 -y type --sample none,smote --sample-ratio 0.5,1 \
		--loss ce,focal a.csv b.csv c.csv'
expect_success 'smote without sampling configurations gives focal cv figures for those' '
	grep "^ce|" ssm.means > x1 && grep "^ce|" ssm-4.means > x4 && test -s x1 &&
	awk -F"\t" "NR == FNR { a[\$1] = \$2; next } { d = a[\$1] - \$2; if (d < 0) d = -d; if (d > 1e-9) bad = 1 } END { exit bad }" x1 x4'
