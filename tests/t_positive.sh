# The positive class of two classes (the less frequent unless --positive), the same
# threshold on every scoring path, --threshold with more than two classes, and the
# warning for an option that has no effect on the run it is given to.
. "$(dirname "$0")/lib.sh"

flat() { awk -f "$ROOT/tests/jsonflat.awk"; }

# rare.csv: 300 rows, two noisy features; 'no' (the first label in byte order) is the
# rarer class, 90 rows (every row whose number is 1, 4 or 7 modulo 10).
awk 'BEGIN {
	print "x1,x2,y"; s = 12345
	for (i = 0; i < 300; i++) {
		s = (s * 1103515245 + 12345) % 2147483648; u = s / 2147483648
		s = (s * 1103515245 + 12345) % 2147483648; v = s / 2147483648
		r = i % 10; no = (r == 1 || r == 4 || r == 7)
		printf "%.4f,%.4f,%s\n", (no ? 0.8 : -0.4) + 2 * u - 1, 3 * v - 1.5, no ? "no" : "yes"
	}
}' > rare.csv
# even.csv: as many rows of each class.
printf 'x,y\n1,a\n2,b\n3,a\n4,b\n2.5,a\n1.5,b\n' > even.csv

expect_success 'train: the default positive class is the less frequent, even when it is the first label' '
	focal train -q -y y -o r.focal --format json rare.csv | flat > r.tsv &&
	grep -qx "positive 0" r.focal &&
	grep -qx "positive	no" r.tsv &&
	grep -qx "best_threshold/class	no" r.tsv &&
	focal train -q -y y rare.csv > r.txt &&
	grep -qx "positive class: no" r.txt &&
	grep -q "^best threshold on these rows: predicting no when" r.txt &&
	focal train -q -y y --format tsv rare.csv > r.tsv &&
	head -n 1 r.tsv | grep -q "	average_precision	positive$" &&
	grep -q "^no	.*	1$" r.tsv && grep -q "^yes	.*	0$" r.tsv &&
	grep -q "^macro avg	.*	-$" r.tsv &&
	awk -F"\t" "NF != 10 { exit 1 }" r.tsv'

expect_success 'train: --alpha weighs the less frequent class by A; --positive turns it round' '
	focal train -q -y y --alpha 0.2 --format json rare.csv | flat > a.tsv &&
	grep -qx "training/class_weights/no	0.2" a.tsv &&
	grep -qx "training/class_weights/yes	0.8" a.tsv &&
	focal train -q -y y --alpha 0.2 --positive yes -o y.focal --format json rare.csv | flat > b.tsv &&
	grep -qx "positive 1" y.focal && grep -qx "positive	yes" b.tsv &&
	grep -qx "training/class_weights/yes	0.2" b.tsv'

expect_success 'train: with as many rows of each class the positive class is the second' '
	focal train -q -o e.focal --format json even.csv | flat > e.tsv &&
	grep -qx "positive 1" e.focal && grep -qx "positive	b" e.tsv'

expect_success 'train: more than two classes name no positive class' '
	focal train -q -y type --format json $DATA/glass.csv | flat > g.tsv &&
	! grep -q "^positive	" g.tsv &&
	focal train -q -y type $DATA/glass.csv > g.txt && ! grep -q "^positive class" g.txt &&
	focal train -q -y type --format tsv $DATA/glass.csv | head -n 1 |
		grep -q "	average_precision$"'

expect_success 'the bundled two-class datasets keep their second class as the positive one' '
	for ds in "wdbc malignant -y diagnosis" "breast-cancer-wisconsin malignant -y class --drop id" \
		"house-votes-84 republican -y party"; do
		set -- $ds
		f=$1 pos=$2
		shift 2
		focal train -q "$@" -o d.focal --format json $DATA/$f.csv | flat > d.tsv &&
		grep -qx "positive 1" d.focal && grep -qx "positive	$pos" d.tsv || exit 1
	done'

expect_success 'cv: the positive class comes from the whole file: --alpha weighs the rarer class' '
	focal cv -q -k 3 -y y --alpha 0.2 --format json rare.csv > c1.json &&
	focal cv -q -k 3 -y y --alpha 0.2 --positive no --format json rare.csv > c2.json &&
	focal cv -q -k 3 -y y --alpha 0.2 --positive yes --format json rare.csv > c3.json &&
	grep -q "\"positive\":\"no\"" c1.json && grep -q "\"positive\":\"yes\"" c3.json &&
	sed "s/\"seconds\":[0-9.e-]*//" c1.json > a && sed "s/\"seconds\":[0-9.e-]*//" c2.json > b &&
	cmp a b &&
	flat < c1.json | grep "^configurations/0/mean/" > m1 &&
	flat < c3.json | grep "^configurations/0/mean/" > m3 && ! cmp -s m1 m3 &&
	focal cv -q -k 3 -y y --alpha 0.2 rare.csv | grep -qx "alpha=A weighs the positive class no by A and the other by 1 - A"'

expect_success 'cv: without --alpha the output names no positive class' '
	focal cv -q -k 3 -y y --format json rare.csv > c.json && ! grep -q "\"positive\"" c.json &&
	focal cv -q -k 3 -y y rare.csv > c.txt && ! grep -q "positive" c.txt'

expect_success 'predict | eval --truth --threshold T gives the figures of eval -m --threshold T (positive: no)' '
	focal predict -m r.focal --keep y rare.csv > p.csv &&
	for t in 0.2 0.35 0.5 0.8; do
		focal eval -m r.focal --threshold $t --format json rare.csv > m.json &&
		focal eval --truth y --threshold $t --format json p.csv > t.json &&
		cmp m.json t.json &&
		grep -q "\"positive\":\"no\"" t.json &&
		focal eval -m r.focal --threshold $t rare.csv > m.txt &&
		focal eval --truth y --threshold $t p.csv > t.txt && cmp m.txt t.txt &&
		grep -qx "positive class: no" t.txt || exit 1
	done &&
	focal predict -m r.focal --threshold 0.35 --keep y rare.csv > p35.csv &&
	focal eval --truth y --format json p35.csv | flat | grep "^confusion/" > c1 &&
	focal eval -m r.focal --threshold 0.35 --format json rare.csv | flat | grep "^confusion/" > c2 &&
	cmp c1 c2'

expect_success 'eval --truth --positive LABEL matches a model trained with --positive LABEL' '
	focal train -q -y y --positive yes -o y.focal rare.csv > /dev/null &&
	focal predict -m y.focal --keep y rare.csv > py.csv &&
	for t in 0.3 0.6; do
		focal eval -m y.focal --threshold $t --format json rare.csv > m.json &&
		focal eval --truth y --positive yes --threshold $t --format json py.csv > t.json &&
		cmp m.json t.json && grep -q "\"positive\":\"yes\"" t.json || exit 1
	done &&
	focal eval --truth y --positive yes --format json py.csv | flat |
		grep -qx "best_threshold/class	yes"'

printf 'y,predicted\na,a\nb,a\nb,b\n' > labels.csv
printf 'y,predicted,p_a,p_b,p_c\na,a,0.8,0.1,0.1\nb,b,0.1,0.8,0.1\nc,c,0.1,0.1,0.8\n' > three.csv
expect_error 2 "--positive: no class 'maybe' in the file" 'eval --truth --positive: not a class' \
	eval --truth y --positive maybe p.csv
expect_error 2 '--positive needs two classes; the file has 3' 'eval --truth --positive on three classes' \
	eval --truth y --positive a three.csv
expect_error 2 '--positive goes with --truth' 'eval -m --positive' \
	eval -m r.focal --positive no rare.csv
expect_success 'eval --truth --positive without p_ columns warns that it has no effect' '
	focal eval --truth y --positive b labels.csv > out 2> err &&
	grep -qx "focal: --positive has no effect without p_<label> columns" err &&
	test "$(wc -l < err)" -eq 1 && grep -q "^accuracy" out'

# ---- --threshold with more than two classes ----

focal train -q -y type -o g.focal "$DATA/glass.csv" > /dev/null
focal predict -m g.focal --keep type "$DATA/glass.csv" > gp.csv
expect_error 2 '--threshold needs two classes; the model has 6' 'predict --threshold on six classes' \
	predict -m g.focal --threshold 0.3 "$DATA/glass.csv"
expect_error 2 '--threshold needs two classes; the model has 6' 'eval -m --threshold on six classes' \
	eval -m g.focal --threshold 0.3 "$DATA/glass.csv"
expect_error 2 '--threshold needs two classes' 'eval --truth --threshold on six classes' \
	eval --truth type --threshold 0.3 gp.csv
expect_error 2 "train: unknown option '--threshold'" 'train takes no --threshold' \
	train -y type --threshold 0.3 "$DATA/glass.csv"
expect_error 2 "cv: unknown option '--threshold'" 'cv takes no --threshold' \
	cv -k 3 -y type --threshold 0.3 "$DATA/glass.csv"
expect_success 'no manual page or README says --threshold has no effect' '
	for f in "$ROOT"/man/*.[1-9]; do
		awk -v f="$f" "/^\\.It / { in_t = (\$0 ~ /^\\.It Fl -threshold/) }
			in_t && /no effect/ { print f \": \" \$0; bad = 1 } END { exit bad }" "$f" || exit 1
	done &&
	! grep -n "threshold[^.]*no effect" "$ROOT/README.md"'

# ---- options that have no effect ----

# warns WANT ARGS...: focal ARGS succeeds with a report, and its only message on
# stderr is "focal: WANT"; with -q it prints none.
warns() {
	want=$1
	shift
	focal "$@" > out 2> err && test -s out && test "$(cat err)" = "focal: $want" &&
	sub=$1 && shift && focal "$sub" -q "$@" > /dev/null 2> err && ! test -s err
}
# silent ARGS...: focal ARGS succeeds with nothing on stderr.
silent() {
	focal "$@" > out 2> err && test -s out && ! test -s err
}

W=$DATA/wdbc.csv
for c in \
	"--gamma has no effect with --loss ce|train -y diagnosis --gamma 3 $W" \
	"--gamma has no effect with --loss ce|train -y diagnosis --loss ce --gamma 3 $W" \
	"--smote-k has no effect without --sample smote|train -y diagnosis --smote-k 3 $W" \
	"--smote-k has no effect without --sample smote|train -y diagnosis --sample over --smote-k 3 $W" \
	"--sample-ratio has no effect with --sample none|train -y diagnosis --sample-ratio 0.5 $W" \
	"--epochs has no effect with --solver lbfgs|train -y diagnosis --epochs 5 $W" \
	"--batch-size has no effect with --solver lbfgs|train -y diagnosis --batch-size 32 $W" \
	"--lr has no effect with --solver lbfgs|train -y diagnosis --solver lbfgs --lr 0.5 $W" \
	"--max-iter has no effect with --solver sgd (see --epochs)|train -y diagnosis --solver sgd --epochs 50 --tol 10 --max-iter 5 $W" \
	"--max-iter has no effect with --solver adam (see --epochs)|train -y diagnosis --solver adam --epochs 50 --tol 10 --max-iter 5 $W" \
	"--seed has no effect with --solver lbfgs and --sample none: nothing is drawn at random|train -y diagnosis --seed 7 $W" \
	"--gamma has no effect with --loss ce|cv -k 3 -y diagnosis --gamma 2 --loss ce $W" \
	"--gamma has no effect with --loss ce|cv -k 3 -y diagnosis --gamma 1,2 $W" \
	"--smote-k has no effect without --sample smote|cv -k 3 -y diagnosis --sample none,over --smote-k 3 $W" \
	"--sample-ratio has no effect with --sample none|cv -k 3 -y diagnosis --sample-ratio 0.5,1 $W" \
	"--epochs has no effect with --solver lbfgs|cv -k 3 -y diagnosis --epochs 5 $W" \
	"--batch-size has no effect with --solver lbfgs|cv -k 3 -y diagnosis --batch-size 32 $W" \
	"--lr has no effect with --solver lbfgs|cv -k 3 -y diagnosis --lr 0.5 $W" \
	"--max-iter has no effect with --solver adam (see --epochs)|cv -k 3 -y diagnosis --solver adam --epochs 40 --tol 10 --max-iter 9 $W" \
	"--positive has no effect without --alpha|cv -k 3 -y diagnosis --positive benign $W"
do
	want=${c%%|*}
	args=${c#*|}
	expect_success "warns: focal $args" "warns \"$want\" $args"
done

expect_success 'one warning per option, each naming its option' '
	focal train -y diagnosis --gamma 3 --epochs 5 --lr 0.5 --smote-k 3 $W > /dev/null 2> err &&
	test "$(wc -l < err)" -eq 4 &&
	grep -qx "focal: --gamma has no effect with --loss ce" err &&
	grep -qx "focal: --epochs has no effect with --solver lbfgs" err &&
	grep -qx "focal: --lr has no effect with --solver lbfgs" err &&
	grep -qx "focal: --smote-k has no effect without --sample smote" err'

for args in \
	"train -y diagnosis --loss focal --gamma 3 $W" \
	"train -y diagnosis --sample smote --smote-k 3 --sample-ratio 0.8 $W" \
	"train -y diagnosis --sample over --seed 7 $W" \
	"train -y diagnosis --solver sgd --epochs 50 --batch-size 64 --lr 0.05 --seed 3 --tol 10 $W" \
	"train -y diagnosis --max-iter 500 --tol 1e-3 $W" \
	"train -y diagnosis --positive benign $W" \
	"cv -k 3 -y diagnosis --loss ce,focal --gamma 1,2 $W" \
	"cv -k 3 -y diagnosis --sample none,smote --smote-k 3 --sample-ratio 0.5 $W" \
	"cv -k 3 -y diagnosis --seed 9 $W" \
	"cv -k 3 -y diagnosis --alpha 0.3 --positive benign $W"
do
	expect_success "silent: focal $args" "silent $args"
done
