# Focal loss through the command line: L-BFGS converges for gamma 0.5, 2 and 5 on the
# bundled datasets, deterministically; alpha and class weights point the right way.
. "$(dirname "$0")/lib.sh"

flat() { awk -f "$ROOT/tests/jsonflat.awk"; }

for ds in "glass type" "wdbc diagnosis"; do
	set -- $ds
	for g in 0.5 2 5; do
		for cw in none balanced; do
			expect_success "$1 focal gamma $g class-weight $cw: converges below --tol 1e-6, same model twice" "
				focal train -q -y $2 --loss focal --gamma $g --class-weight $cw --lambda 0.01 --tol 1e-6 \
					--format json -o a.focal $DATA/$1.csv | flat > r.tsv &&
				grep -qx 'training/converged	true' r.tsv &&
				awk -F'\t' '\$1 == \"training/gradient_norm\" { exit !(\$2 < 1e-6) }' r.tsv &&
				cp a.focal first.focal &&
				focal train -q -y $2 --loss focal --gamma $g --class-weight $cw --lambda 0.01 --tol 1e-6 \
					--format json -o a.focal $DATA/$1.csv > /dev/null && cmp a.focal first.focal"
		done
	done
done

expect_success 'the report prints each class weight; --alpha weights the positive class' '
	focal train -q -y diagnosis --loss focal --alpha 0.25 --format json $DATA/wdbc.csv | flat > r.tsv &&
	grep -qx "training/class_weights/malignant	0.25" r.tsv &&
	grep -qx "training/class_weights/benign	0.75" r.tsv &&
	focal train -q -y diagnosis --alpha 0.25 --positive benign --format json $DATA/wdbc.csv | flat > r.tsv &&
	grep -qx "training/class_weights/benign	0.25" r.tsv'

expect_success 'balanced weights are n / (k n_c)' '
	focal train -q -y type --class-weight balanced --format json $DATA/glass.csv | flat > r.tsv &&
	grep -qx "training/class_weights/tableware	3.962962962962963" r.tsv &&
	grep -qx "training/class_weights/building_nonfloat	0.4692982456140351" r.tsv'

expect_success 'LABEL=W weights, the others 1' '
	focal train -q -y type --class-weight tableware=5,container=2.5 --format json $DATA/glass.csv | flat > r.tsv &&
	grep -qx "training/class_weights/tableware	5" r.tsv &&
	grep -qx "training/class_weights/container	2.5" r.tsv &&
	grep -qx "training/class_weights/headlamp	1" r.tsv'

expect_success 'focal loss with weights and gamma 2 raises minority recall on glass' '
	focal train -q -y type --format json $DATA/glass.csv | flat > ce.tsv &&
	focal train -q -y type --loss focal --gamma 2 --class-weight balanced --format json $DATA/glass.csv | flat > fl.tsv &&
	ce=$(grep "^per_class/vehicle_float/recall" ce.tsv | cut -f2) &&
	fl=$(grep "^per_class/vehicle_float/recall" fl.tsv | cut -f2) &&
	echo "vehicle_float recall: ce $ce, focal $fl" &&
	awk -v a="$ce" -v b="$fl" "BEGIN { exit !(b > a) }"'

expect_success 'sgd and adam train, deterministically, and say they did not converge, naming their options' '
	for s in sgd adam; do
		focal train -y diagnosis --solver $s --epochs 5 --format json -o a.focal $DATA/wdbc.csv 2> err | flat > r.tsv &&
		grep -qx "training/iterations	5" r.tsv &&
		grep -qx "training/converged	false" r.tsv && cp a.focal first.focal &&
		grep -q "did not converge (raise --epochs, or change --lr or --batch-size)" err &&
		focal train -y diagnosis --solver $s --epochs 5 --format json -o a.focal $DATA/wdbc.csv \
			> /dev/null 2>&1 && cmp a.focal first.focal || exit 1
	done'

# With their defaults the stochastic solvers land within 2% of the L-BFGS objective.
for ds in "glass -y type" "wdbc -y diagnosis" "breast-cancer-wisconsin -y class --drop id" \
	"house-votes-84 -y party"; do
	set -- $ds
	f=$1
	shift
	for loss in ce focal; do
		for s in sgd adam; do
			expect_success "$f $loss: $s with its defaults is within 2% of the lbfgs objective, and converges" "
				focal train -q $* --loss $loss --format json $DATA/$f.csv > l.json &&
				focal train $* --loss $loss --solver $s --format json $DATA/$f.csv > s.json 2> err &&
				! grep -q . err && grep -q '\"converged\": *true' s.json &&
				l=\$(json_num objective l.json) && o=\$(json_num objective s.json) &&
				echo \"lbfgs \$l, $s \$o\" && close \"\$o\" \"\$l\" 0.02"
		done
	done
done

expect_success 'sgd and adam: the same model for --threads 1 and 2 and a large batch' '
	for s in sgd adam; do
		focal train -q -y type --solver $s --batch-size 5000 --threads 1 -o a.focal $DATA/glass.csv > /dev/null &&
		mv a.focal t1 &&
		focal train -q -y type --solver $s --batch-size 5000 --threads 2 -o a.focal $DATA/glass.csv > /dev/null &&
		cmp a.focal t1 || exit 1
	done'

expect_success '--max-iter stops early and says so' '
	focal train -y type --max-iter 3 --format json $DATA/glass.csv 2> err | flat > r.tsv &&
	grep -qx "training/converged	false" r.tsv && grep -q "did not converge" err'

expect_success '--bias-init zero and prior reach the same optimum' '
	focal train -q -y type --tol 1e-9 --bias-init zero --format json $DATA/glass.csv | flat > z.tsv &&
	focal train -q -y type --tol 1e-9 --format json $DATA/glass.csv | flat > p.tsv &&
	close "$(grep ^training/objective z.tsv | cut -f2)" "$(grep ^training/objective p.tsv | cut -f2)" 1e-9'

expect_success '--threads 1 and 2 give the same model file, byte for byte' '
	focal train -q -y type --loss focal --threads 1 -o a.focal $DATA/glass.csv > /dev/null &&
	mv a.focal w1 &&
	focal train -q -y type --loss focal --threads=2 -o a.focal $DATA/glass.csv > /dev/null &&
	mv a.focal w2 && cmp w1 w2 && focal train -q -y type --loss focal -o a.focal \
		$DATA/glass.csv > /dev/null && cmp a.focal w1 && grep -q "^command .* -o a.focal " w1 &&
	! grep -q -- "--th" w1'

awk 'NR == 1 || NR % 3 != 0' $DATA/glass.csv > tr.csv
awk 'NR == 1 || NR % 3 == 0' $DATA/glass.csv > va.csv
expect_success '--valid: the report is on the validation rows, never sampled' '
	focal train -q -y type --sample over --valid va.csv --format json tr.csv | flat > r.tsv &&
	grep -qx "n	71" r.tsv && grep -qx "training/evaluated_on	va.csv" r.tsv'
cut -d, -f1-9 va.csv > va2.csv
awk -F, -v OFS=, 'NR == 1 { print $0, "w"; next } { print $0, (NR == 3 ? -1 : 1) }' $DATA/glass.csv > bw.csv
expect_error 1 "va2.csv:1: no label column 'type'" '--valid without the label column' \
	train -q -y type --valid va2.csv "$DATA/glass.csv"

expect_success '--weight: a column of row weights, not a feature; uniform weights change nothing' '
	awk -F, -v OFS=, "NR == 1 { print \$0, \"w\"; next } { print \$0, 2 }" $DATA/glass.csv > w.csv &&
	focal train -q -y type --weight w --tol 1e-9 -o w.focal --format json w.csv | flat > a.tsv &&
	focal train -q -y type --tol 1e-9 --format json $DATA/glass.csv | flat > b.tsv &&
	! grep -q "^numeric \"w\"" w.focal &&
	close "$(grep ^training/objective a.tsv | cut -f2)" "$(grep ^training/objective b.tsv | cut -f2)" 1e-9'
expect_error 1 "bw.csv:3: column 'w': weight '-1' is not a non-negative number" 'a negative weight' \
	train -q -y type --weight w bw.csv

# A wide one-hot table (60 categorical columns, 568 inputs, many levels of a few rows;
# 3000 rows, 12% positive), the same with any awk (a Park-Miller generator).
awk 'function u() { s = (s * 16807) % 2147483647; return s / 2147483647 }
BEGIN {
	s = 12345
	for (c = 1; c <= 60; c++) {
		nl[c] = 4 + int(u() * 11)
		for (l = 0; l < nl[c]; l++) eff[c, l] = (u() - 0.5) * (c <= 12 ? 3 : 0.6)
	}
	for (c = 1; c <= 60; c++) printf "c%d,", c
	print "y"
	for (i = 0; i < 3000; i++) {
		z = -3.2
		for (c = 1; c <= 60; c++) { v = u(); lv[c] = int(nl[c] * v * v * v); z += eff[c, lv[c]] }
		for (c = 1; c <= 60; c++) printf "a%d,", lv[c]
		print (u() < 1 / (1 + exp(-z)) ? "yes" : "no")
	}
}' > onehot.csv
# The optimum's stand-in: a fit to --tol 1e-8 (its probabilities within 1e-7 of a fit
# to 1e-10; tighter than 1e-9, the objective's last bits are all that is left to move
# and the line search can stall short of the test on some paths).
# maxdiff A B: the largest absolute difference between the probabilities of two predictions.
maxdiff() {
	paste -d, "$1" "$2" | awk -F, 'NR > 1 { n = NF / 2; for (i = 2; i <= n; i++) {
		d = $i - $(i + n); if (d < 0) d = -d; if (d > m) m = d } }
		END { printf "%.3g\n", m }'
}
for loss in ce focal; do
	expect_success "wide one-hot data, $loss: the default --tol lands within 1e-3 of the optimum's probabilities" "
		focal train -q -y y --loss $loss --tol 1e-8 --format json -o opt.focal onehot.csv | flat > r.tsv &&
		grep -qx 'training/converged	true' r.tsv &&
		awk -F'\t' '\$1 == \"training/gradient_norm\" { exit !(\$2 < 1e-8) }' r.tsv &&
		focal train -y y --loss $loss -o def.focal onehot.csv > /dev/null 2> err && ! grep -q . err &&
		focal info def.focal | grep -q ' 568 inputs' &&
		focal predict -m opt.focal onehot.csv > opt.csv && focal predict -m def.focal onehot.csv > def.csv &&
		d=\$(maxdiff def.csv opt.csv) && echo \"largest difference \$d\" &&
		awk -v d=\"\$d\" 'BEGIN { exit !(d <= 1e-3) }'"
done

# The fast float pass (FOCAL_KERNEL unset: AVX2 where the CPU has it; portable) and the
# exact pass alone reach the same optimum: objectives within 1e-9 of each other at a
# tight --tol, and the fast pass gives the same model file on 1 and 3 threads.
objective_of() { awk -F'\t' '$1 == "training/objective" { print $2 }' "$1"; }
for spec in glass:type:ce wdbc:diagnosis:focal breast-cancer-wisconsin:class:ce; do
	ds=${spec%%:*} rest=${spec#*:} y=${rest%%:*} loss=${rest#*:}
	expect_success "$ds, $loss: the fast pass (default and portable) and the exact pass alone reach one optimum" "
		FOCAL_KERNEL=exact focal train -q -y $y --loss $loss --tol 1e-9 --format json $DATA/$ds.csv | flat > e.tsv &&
		focal train -q -y $y --loss $loss --tol 1e-9 --format json $DATA/$ds.csv | flat > f.tsv &&
		FOCAL_KERNEL=portable focal train -q -y $y --loss $loss --tol 1e-9 --format json $DATA/$ds.csv | flat > p.tsv &&
		grep -qx 'training/converged	true' f.tsv && grep -qx 'training/converged	true' p.tsv &&
		e=\$(objective_of e.tsv) f=\$(objective_of f.tsv) p=\$(objective_of p.tsv) &&
		echo \"exact \$e fast \$f portable \$p\" &&
		awk -v e=\"\$e\" -v f=\"\$f\" -v p=\"\$p\" 'function a(x) { return x < 0 ? -x : x }
			BEGIN { exit !(a(f - e) <= 1e-9 * e && a(p - e) <= 1e-9 * e) }'"
	expect_success "$ds, $loss: the fast pass gives the same model on 1 and 3 threads" "
		focal train -q -y $y --loss $loss --threads 1 -o t.focal $DATA/$ds.csv > /dev/null &&
		mv t.focal t1.focal &&
		focal train -q -y $y --loss $loss --threads 3 -o t.focal $DATA/$ds.csv > /dev/null &&
		cmp t1.focal t.focal"
done
