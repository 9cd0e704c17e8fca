# focal-mpi (make mpi) with an inner cross-validation: --lambda auto, --tune-decision and
# --calibrate temperature, in train and in every fold of cv, give on 1, 2, 3 and 4
# processes what focal train and focal cv give on the whole table (the model file but
# for its weights and objective byte for byte, those and every probability to 1e-9, the
# report's figures to 1e-9); with --sample smote, close to them.  The reports on 16,000
# and 200,000 rows are made from every process's rows, each scored with its own model
# and decision: they also check that every process ends with the same ones.  Runs
# against the plain build only.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/mpilib.sh"

# trains NAME DATA N... -- ARGS: focal train ARGS DATA, then focal-mpi train on each N
# processes: the same model (same_fit) and the same JSON report (same_report)
trains() {
	name=$1 data=$2
	shift 2
	numbers_before "$@"
	shift $nskip
	focal train -q --threads 1 --format json -o "$name.focal" "$@" "$data" > "$name.json" ||
		return 1
	for n in $ns; do
		fmpi "$n" train -q --threads 1 --format json -o "$name-$n.focal" "$@" "$data" \
			> "$name-$n.json" &&
		same_fit "$name.focal" "$name-$n.focal" "$data" &&
		same_report "$name.json" "$name-$n.json" || { echo "on $n processes"; return 1; }
	done
}

# ---- train ----

# the bundled datasets: six classes (softmax, offsets), two (logistic, a threshold)
expect_success 'glass.csv, --lambda auto on 1, 2 and 4 processes: focal train' '
	trains gla "$DATA/glass.csv" 1 2 4 -- -y type --lambda auto &&
	grep -q "^lambda-path " gla-4.focal'
expect_success 'glass.csv, --tune-decision macro_f1 --calibrate temperature on 1, 2 and 4 processes' '
	trains gtd "$DATA/glass.csv" 1 2 4 -- -y type --tune-decision macro_f1 \
		--calibrate temperature &&
	grep -q "\"source\":\"tuned\"" gtd-2.json && grep -q "^calibration temperature" gtd-4.focal'
expect_success 'glass.csv, --calibrate temperature on 2 processes: focal train' '
	trains gct "$DATA/glass.csv" 2 -- -y type --calibrate temperature'
expect_success 'wdbc.csv, --tune-decision f1 on 1, 2 and 4 processes: focal train' '
	trains wtd "$DATA/wdbc.csv" 1 2 4 -- -y diagnosis --tune-decision f1 &&
	grep -q "\"tuned_for\":\"f1\"" wtd-4.json'
expect_success 'wdbc.csv, --lambda auto --tune-decision f1 --calibrate temperature on 4 processes' '
	trains wla "$DATA/wdbc.csv" 4 -- -y diagnosis --lambda auto --tune-decision f1 \
		--calibrate temperature'

# 16,000 rows (three classes, some values missing): the rows of several processes in
# every inner fold
make_big
head -n 16001 big.csv > mid.csv
expect_success '16,000 rows, --lambda auto --sample under on 2 and 3 processes: focal train' '
	trains mla mid.csv 2 3 -- --lambda auto --sample under'
expect_success '16,000 rows, all three, --tune-folds 3, balanced weights on 3 processes' '
	trains mall mid.csv 3 -- --lambda auto --tune-decision macro_f1 --calibrate temperature \
		--tune-folds 3 --class-weight balanced &&
	grep -q "\"tune_folds\":3" mall-3.json'

# 200,000 rows, two classes and three, on 3 processes
awk -F, 'NR == 1 || $7 != "mid"' big.csv > big2.csv
expect_success '200,000 rows without mid, --tune-decision f1 on 3 processes: focal train' '
	trains btd big2.csv 3 -- --tune-decision f1 && grep -q "\"tuned_for\":\"f1\"" btd-3.json'
expect_success '200,000 rows, --calibrate temperature --tune-decision macro_f1 on 3 processes' '
	trains bct big.csv 3 -- --calibrate temperature --tune-decision macro_f1'

# SMOTE with them: each process makes the new rows of every inner fold from its own
# rows (as focal-mpi's SMOTE does), so the fits are not one process's: the same rows
# after sampling, figures within 0.01 of focal's, and the same on every run
near() { # near A B KEY...: each KEY of the flattened JSON A within 0.01 of B's
	a=$1 b=$2
	shift 2
	for k in "$@"; do
		x=$(flat "$a" | awk -F"\t" -v k="$k" '$1 == k { print $2 }')
		y=$(flat "$b" | awk -F"\t" -v k="$k" '$1 == k { print $2 }')
		awk -v x="$x" -v y="$y" 'BEGIN { d = x - y; exit !(x != "" && (d < 0 ? -d : d) < 0.01) }' ||
			{ echo "$k: $x vs $y"; return 1; }
	done
}
expect_success 'train --sample smote with all three on 3 processes: figures within 0.01, the same twice' '
	focal train -q --threads 1 --format json --sample smote --lambda auto --tune-decision macro_f1 \
		--calibrate temperature -o /dev/null mid.csv > ss1.json &&
	for i in a b; do
		fmpi 3 train -q --threads 1 --format json --sample smote --lambda auto \
			--tune-decision macro_f1 --calibrate temperature -o ss$i.focal mid.csv > ss$i.json ||
			exit 1
	done && grep -v "^command\|^crc32" ssa.focal > ssa.m && grep -v "^command\|^crc32" ssb.focal > ssb.m &&
	cmp ssa.m ssb.m && grep -q "^sample smote" ssa.focal &&
	flat ss1.json | grep "/after" > sa1 && flat ssa.json | grep "/after" > sa3 && cmp sa1 sa3 &&
	near ss1.json ssa.json macro/f1 balanced_accuracy macro/roc_auc'

# ---- cv ----

expect_success 'cv of glass.csv, --tune-decision, --calibrate none,temperature, --lambda auto,0.01' '
	cvs gcv 2 4 -- -k 4 -y type --tune-decision macro_f1 --calibrate none,temperature \
		--lambda auto,0.01 "$DATA/glass.csv" && grep -q "\"source\":\"tuned\"" gcv-4.json'
expect_success 'cv of wdbc.csv, --tune-decision f1 --lambda auto --calibrate temperature' '
	cvs wcv 1 2 4 -- -k 3 -y diagnosis --tune-decision f1 --lambda auto \
		--calibrate temperature "$DATA/wdbc.csv"'
expect_success 'cv of 16,000 rows, all three on 3 processes: focal cv' '
	cvs mcv 3 -- -k 3 --lambda auto --tune-decision balanced_accuracy --calibrate temperature \
		mid.csv'
expect_success 'cv of 16,000 rows, --sample none,smote with --tune-decision on 3 processes: close' '
	focal cv -q -k 3 --format json --sample none,smote --tune-decision macro_f1 mid.csv > cs1.json &&
	fmpi 3 cv -q -k 3 --format json --sample none,smote --tune-decision macro_f1 mid.csv > cs3.json &&
	near cs1.json cs3.json configurations/0/mean/macro_f1 configurations/1/mean/macro_f1 \
		configurations/1/mean/balanced_accuracy'
expect_success 'cv --refit of 16,000 rows, --tune-decision on 2 processes: the model of focal cv' '
	focal cv -q -k 3 --tune-decision macro_f1 --class-weight none,balanced --format json \
		--refit -o rt.focal mid.csv > rt.json && mv rt.focal rt1.focal &&
	fmpi 2 cv -q -k 3 --tune-decision macro_f1 --class-weight none,balanced --format json \
		--refit -o rt.focal mid.csv > rt2.json &&
	same_cv rt.json rt2.json && same_fit rt1.focal rt.focal mid.csv &&
	grep -q "^decision tuned macro_f1" rt.focal'
expect_success 'cv of 200,000 rows, --tune-decision --calibrate temperature on 3 processes' '
	cvs bcv 3 -- -k 3 --tune-decision macro_f1 --calibrate temperature big.csv &&
	grep -q "\"calibration\":\"temperature\"" bcv-3.json'
