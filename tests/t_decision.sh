# Decisions and probabilities (focal-train(1) "Decisions and probabilities"): the prior
# correction and the temperature keep the decisions and mend the probabilities; a tuned
# threshold or offsets are stored, shown and applied exactly; version 1 model files
# still load; the options' errors.
. "$(dirname "$0")/lib.sh"

flat() { awk -f "$ROOT/tests/jsonflat.awk"; }
# field KEY FILE: the value of KEY in a flattened report or a key<TAB>value listing.
field() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$2"; }
# col NAME FILE: the column named NAME of a cv --format tsv output, row by row.
col() { awk -F'\t' -v n="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next }
	{ print $1 "\t" $c }' "$2"; }

# A binary file with 8% positives from the bundled glass data: vehicle_float against the rest.
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next }
	{ $NF = $NF == "vehicle_float" ? "vehicle" : "other"; print }' "$DATA/glass.csv" > veh.csv
# and a split of it, every third row held out
awk 'NR == 1 || NR % 3 != 0' veh.csv > veh-train.csv
awk 'NR == 1 || NR % 3 == 0' veh.csv > veh-test.csv

# logloss PRED: the mean log loss of predict --keep type output (truth first).
logloss() {
	awk -F, 'NR == 1 { for (j = 3; j <= NF; j++) name[j] = substr($j, 3); next }
	{ for (j = 3; j <= NF; j++) if (name[j] == $1) { p = $j } ; if (p < 1e-15) p = 1e-15
	  s -= log(p); n++ } END { printf "%.17g\n", s / n }' "$1"
}

expect_success '--sample over: --calibrate prior and temperature predict the same classes as none, on every held-out row' '
	for cal in none prior temperature; do
		focal train -q -y type --sample over --calibrate $cal -o $cal.focal veh-train.csv > /dev/null &&
		focal predict -m $cal.focal --keep type veh-test.csv > $cal.csv || exit 1
	done &&
	cut -d, -f2 none.csv > a && cut -d, -f2 prior.csv > b && cut -d, -f2 temperature.csv > c &&
	cmp a b && cmp a c && grep -q vehicle a'

expect_success '--sample over: the prior correction is p_c proportional to p_c * pi_c / pi_c'"'"' on every row' '
	focal info --format tsv none.focal > info.tsv &&
	awk -F"\t" "/^rows\\//{ r[substr(\$1, 6)] = \$2 } /^sampled\\//{ s[substr(\$1, 9)] = \$2 }
		/^weight\\//{ w[substr(\$1, 8)] = \$2 }
		END { for (c in r) { nr += r[c]; ns += s[c] * w[c] }
		      for (c in r) printf \"%s %.17g\\n\", c, (r[c] / nr) / (s[c] * w[c] / ns) }" info.tsv > ratio &&
	paste -d, none.csv prior.csv | awk -F, -v rf=ratio "BEGIN {
		while ((getline l < rf) > 0) { split(l, a, \" \"); q[a[1]] = a[2] } }
		NR == 1 { for (j = 3; j <= 4; j++) name[j] = substr(\$j, 3); next }
		{ z = 0; for (j = 3; j <= 4; j++) z += \$j * q[name[j]]
		  for (j = 3; j <= 4; j++) { want = \$j * q[name[j]] / z; d = want - \$(j + 4)
		    if (d < 0) d = -d; if (d > 1e-9) { print \"row\", NR, want, \$(j + 4); bad = 1 } } }
		END { exit bad }"'

expect_success 'held out, --sample over: prior log loss far below the uncalibrated and within 20% of no sampling; temperature within 5%' '
	focal train -q -y type -o plain.focal veh-train.csv > /dev/null &&
	focal predict -m plain.focal --keep type veh-test.csv > plain.csv &&
	plain=$(logloss plain.csv) && over=$(logloss none.csv) && prior=$(logloss prior.csv) &&
	temp=$(logloss temperature.csv) &&
	echo "plain $plain over $over prior $prior temperature $temp" &&
	awk -v a=$plain -v o=$over -v p=$prior -v t=$temp "BEGIN {
		exit !(p < 0.75 * o && p <= 1.2 * a && t <= 1.05 * a) }"'

expect_success 'cv, every fold: calibration keeps the decision figures; prior and temperature mend the log loss' '
	focal cv -k 5 --repeat 3 -y type --sample none,over --calibrate none,prior,temperature \
		--format tsv veh.csv > cv.tsv &&
	col macro_f1_mean cv.tsv | sort > f1 &&
	test "$(grep -c "ce over" f1)" -eq 3 &&
	test "$(grep "ce over" f1 | cut -f2 | sort -u | wc -l)" -eq 1 &&
	col log_loss_mean cv.tsv > ll && cat ll &&
	a=$(field "ce cal=none" ll) && o=$(field "ce over cal=none" ll) &&
	p=$(field "ce over cal=prior" ll) && t=$(field "ce over cal=temperature" ll) &&
	awk -v a=$a -v o=$o -v p=$p -v t=$t "BEGIN { exit !(p < 0.75 * o && p <= 1.2 * a && t <= 1.05 * a) }"'

expect_success 'the default: prior when sampling or weights change the class balance, none otherwise' '
	focal train -q -y type --sample over --format json veh.csv | flat > j1 &&
	test "$(field training/calibration j1)" = prior &&
	test "$(field training/decision/source j1)" = calibration &&
	focal train -q -y type --class-weight balanced --format json veh.csv | flat > j2 &&
	test "$(field training/calibration j2)" = prior &&
	focal train -q -y type --format json veh.csv | flat > j3 &&
	test "$(field training/calibration j3)" = none &&
	test "$(field training/decision/source j3)" = argmax &&
	test "$(field training/decision/threshold j3)" = 0.5'

expect_success 'prior: the threshold keeps the balanced decision: with balanced weights it is the positive class share' '
	focal train -q -y type --class-weight balanced -o bal.focal veh.csv > /dev/null &&
	focal info --format tsv bal.focal > bal.tsv &&
	awk -F"\t" "\$1 == \"threshold\" { t = \$2 } \$1 == \"rows/vehicle\" { v = \$2 }
		\$1 == \"rows/other\" { o = \$2 } END { d = t - v / (v + o); if (d < 0) d = -d; exit !(d < 1e-12) }" bal.tsv'

for spec in "veh type 2" "wdbc diagnosis 2"; do
	set -- $spec
	f=$1.csv
	[ "$1" = wdbc ] && f=$DATA/wdbc.csv
	expect_success "$1: a tuned threshold is stored and applied exactly: predicted is positive iff its p_ >= the threshold" "
		focal train -q -y $2 --sample over --tune-decision macro_f1 -o t.focal $f > /dev/null &&
		focal info --format tsv t.focal > t.tsv &&
		test \"\$(field decision t.tsv)\" = tuned && test \"\$(field tuned_for t.tsv)\" = macro_f1 &&
		test \"\$(field tune_folds t.tsv)\" = 5 &&
		th=\$(field threshold t.tsv) && pos=\$(field positive t.tsv) && echo \"threshold \$th on \$pos\" &&
		focal predict -m t.focal $f > p.csv &&
		awk -F, -v t=\"\$th\" -v pos=\"\$pos\" 'NR == 1 { for (j = 2; j <= NF; j++) if (\$j == \"p_\" pos) c = j; next }
			{ n++; want = (\$c + 0 >= t + 0); got = (\$1 == pos); if (want != got) bad++; np += got }
			END { print n, \"rows,\", np, \"positive\"; exit bad || !c || np == 0 || np == n }' p.csv &&
		focal eval -m t.focal --format json $f | flat > e1 &&
		focal predict -m t.focal --keep $2 $f > k.csv &&
		focal eval --truth $2 --format json k.csv | flat > e2 &&
		test \"\$(grep ^confusion/ e1)\" = \"\$(grep ^confusion/ e2)\""
done

expect_success 'a tuned threshold: --threshold and --decision argmax override it in predict and eval -m' '
	focal train -q -y type --tune-decision f1 -o t2.focal veh.csv > /dev/null &&
	focal predict -m t2.focal --threshold 0.5 veh.csv | cut -d, -f1 > a &&
	focal predict -m t2.focal --decision argmax veh.csv | cut -d, -f1 > b &&
	cmp a b &&
	focal predict -m t2.focal veh.csv | cut -d, -f1 > c && ! cmp -s a c &&
	focal eval -m t2.focal --decision argmax --format json veh.csv | flat | grep ^confusion/ > e1 &&
	focal eval -m t2.focal --threshold 0.5 --format json veh.csv | flat | grep ^confusion/ > e2 &&
	cmp e1 e2'

expect_success 'more classes: tuned offsets stored, shown with their spread, and applied as argmax of log p + offset' '
	focal train -q -y type --tune-decision balanced_accuracy -o g.focal $DATA/glass.csv > tr.txt &&
	grep -q "^decision  *tuned for balanced_accuracy on 5 inner folds" tr.txt &&
	focal info --format tsv g.focal > g.tsv &&
	test "$(grep -c "^offset/" g.tsv)" -eq 6 && test "$(grep -c "^offset_sd/" g.tsv)" -eq 6 &&
	focal info g.focal | grep -q "offset  *sd" &&
	focal predict -m g.focal $DATA/glass.csv > p.csv &&
	awk -F, -v info=g.tsv "BEGIN { while ((getline l < info) > 0) { split(l, a, \"\\t\");
			if (a[1] ~ /^offset\\//) o[substr(a[1], 8)] = a[2] } }
		NR == 1 { for (j = 2; j <= NF; j++) name[j] = substr(\$j, 3); next }
		{ best = \"\"; for (j = 2; j <= NF; j++) { v = log(\$j) + o[name[j]]
			if (best == \"\" || v > bv) { bv = v; best = name[j] } }
		  if (best != \$1) bad++; n++ } END { print n, \"rows\"; exit bad }" p.csv &&
	focal predict -m g.focal --decision argmax $DATA/glass.csv | cut -d, -f1 > a &&
	cut -d, -f1 p.csv > b && ! cmp -s a b'

expect_success 'tuning the decision raises the training rows'"'"' out-of-fold metric it was tuned for, nested in cv' '
	focal cv -k 5 --repeat 2 -y type --format json --tune-decision macro_f1 $DATA/glass.csv | flat > t.json &&
	focal cv -k 5 --repeat 2 -y type --format json $DATA/glass.csv | flat > u.json &&
	t=$(field configurations/0/mean/macro_f1 t.json) && u=$(field configurations/0/mean/macro_f1 u.json) &&
	echo "tuned $t untuned $u" && awk -v t=$t -v u=$u "BEGIN { exit !(t > u) }" &&
	test "$(field tune_decision t.json)" = macro_f1 &&
	test "$(field fits t.json)" -eq 60 &&
	test "$(field configurations/0/folds/3/decision/source t.json)" = tuned'

expect_success 'cv with tuning and temperature: the same figures on 1 and 2 threads' '
	for n in 1 2; do
		focal cv -k 4 -y type --threads $n --sample none,over --calibrate prior,temperature \
			--tune-decision mcc --format json $DATA/glass.csv | sed "s/\"seconds\":[0-9.e-]*//" > c$n.json || exit 1
	done && cmp c1.json c2.json'

expect_success 'train --tune-decision: the model is the same for any --threads, and on a second run' '
	mkdir -p t1 t2 t3 &&
	for n in 1 2 2; do
		d=t$n; [ -e t2/m.focal ] && d=t3
		(cd $d && focal train -q -y type --tune-decision gmean --calibrate temperature --threads $n \
			-o m.focal $DATA/glass.csv > /dev/null) || exit 1
	done &&
	cmp t1/m.focal t2/m.focal && cmp t2/m.focal t3/m.focal'

expect_success 'a version 1 model file still loads: calibration none, the argmax decision' '
	focal train -q -y diagnosis -o v2.focal $DATA/wdbc.csv > /dev/null &&
	grep -v "^\\(calibration\\|decision\\|threshold\\|lambda-path\\|crc32\\) " v2.focal | sed "1s/^focal-model 2$/focal-model 1/" > v1.body &&
	sum=$(gzip -c < v1.body | tail -c 8 | od -An -tx1 -N4 | awk "{ print \$4 \$3 \$2 \$1 }") &&
	{ cat v1.body; echo "crc32 $sum"; } > v1.focal &&
	focal info --format tsv v1.focal > v1.tsv &&
	test "$(field format_version v1.tsv)" = 1 && test "$(field calibration v1.tsv)" = none &&
	test "$(field decision v1.tsv)" = argmax && test "$(field threshold v1.tsv)" = 0.5 &&
	focal predict -m v1.focal $DATA/wdbc.csv > p1.csv && focal predict -m v2.focal $DATA/wdbc.csv > p2.csv &&
	cmp p1.csv p2.csv'

# model files with a bad decision line, checksum made right again
resum() {
	grep -v '^crc32 ' "$1" > "$1.body"
	sum=$(gzip -c < "$1.body" | tail -c 8 | od -An -tx1 -N4 | awk '{ print $4 $3 $2 $1 }')
	{ cat "$1.body"; echo "crc32 $sum"; } > "$1"
	rm -f "$1.body"
}
focal train -q -y diagnosis --tune-decision mcc -o good.focal "$DATA/wdbc.csv" > /dev/null
sed 's/^threshold .*/threshold 1.5 0/' good.focal > bad1.focal
sed 's/^decision tuned mcc 5$/decision tuned - 5/' good.focal > bad2.focal
sed 's/^calibration none 1$/calibration sometimes 1/' good.focal > bad3.focal
sed 's/^focal-model 2$/focal-model 3/' good.focal > bad4.focal
focal train -q -y type --tune-decision mcc -o goodg.focal "$DATA/glass.csv" > /dev/null
sed '/^offset /{n;d}' goodg.focal > bad5.focal
for f in bad1 bad2 bad3 bad4 bad5; do resum $f.focal; done
expect_error 1 'bad1.focal:[0-9]+: corrupt model file: the threshold must lie in \[0, 1\]' \
	'a threshold outside [0, 1] in a model file' predict -m bad1.focal "$DATA/wdbc.csv"
expect_error 1 'bad2.focal:[0-9]+: corrupt model file: the decision line' \
	'a tuned decision without its metric' info bad2.focal
expect_error 1 'bad3.focal:[0-9]+: corrupt model file: unknown calibration' \
	'an unknown calibration' info bad3.focal
expect_error 1 'bad4.focal:1: model format version 3 is not supported \(this focal reads versions 1 to 2\)' \
	'a later format version' info bad4.focal
expect_error 1 'bad5.focal:[0-9]+: corrupt model file' 'an offset line missing' info bad5.focal

expect_error 2 '--tune-decision f1 needs two classes; the data have 6' \
	'train --tune-decision f1 with six classes' train -y type --tune-decision f1 "$DATA/glass.csv"
expect_error 2 '--tune-decision f1 needs two classes' \
	'cv --tune-decision f1 with six classes' cv -k 3 -y type --tune-decision f1 "$DATA/glass.csv"
expect_error 2 "--tune-decision: 'auc' is not one of" 'an unknown --tune-decision metric' \
	train -y type --tune-decision auc "$DATA/glass.csv"
expect_error 2 '--tune-folds' '--tune-folds 1' train -y type --tune-decision mcc --tune-folds 1 "$DATA/glass.csv"
expect_error 2 "--calibrate: 'platt' is not one of" 'an unknown --calibrate' \
	train -y type --calibrate platt "$DATA/glass.csv"
expect_error 2 "--calibrate: 'platt' is not one of" 'cv: an unknown --calibrate' \
	cv -k 3 -y type --calibrate prior,platt "$DATA/glass.csv"
expect_error 2 "--decision: 'best' is not one of model, argmax" 'an unknown --decision' \
	predict -m good.focal --decision best "$DATA/wdbc.csv"
expect_error 2 '--decision goes with -m' 'eval --truth --decision' \
	eval --truth diagnosis --decision argmax p1.csv
expect_success 'warns: --tune-folds without tuning or a temperature' '
	focal train -y type --tune-folds 3 "$DATA/glass.csv" 2>&1 >/dev/null |
		grep -q "^focal: --tune-folds has no effect without --tune-decision, --calibrate temperature or --lambda auto"'
expect_success 'silent: --seed with --tune-decision (the inner folds are drawn)' '
	test -z "$(focal train -y type --seed 3 --tune-decision mcc "$DATA/glass.csv" 2>&1 >/dev/null)"'
expect_success 'a failed run leaves no model: --tune-decision f1 on six classes' '
	rm -f none6.focal; focal train -q -y type --tune-decision f1 -o none6.focal "$DATA/glass.csv" 2>/dev/null;
	test ! -e none6.focal'

expect_success 'cv: the p of the diff: 1 for a configuration with the same decisions, in (0, 1) otherwise, none for the baseline' '
	focal cv -k 5 -y type --sample none,over --calibrate none,prior --format tsv $DATA/glass.csv > p.tsv &&
	col delta_p p.tsv > dp && cat dp &&
	test "$(field "ce cal=none" dp)" = - && test "$(field "ce cal=prior" dp)" = 1 &&
	p=$(field "ce over cal=none" dp) && test "$p" = "$(field "ce over cal=prior" dp)" &&
	awk -v p=$p "BEGIN { exit !(p > 0 && p < 1) }"'

expect_success 'cv --save-predictions: each fold'"'"'s rows, scored by eval --truth, give that fold'"'"'s figures' '
	focal cv -k 3 --repeat 2 -y type --sample none,over --tune-decision macro_f1 --format json \
		--save-predictions sp.csv $DATA/glass.csv | flat > sp.json &&
	test "$(wc -l < sp.csv)" -eq $((214 * 2 * 2 + 1)) &&
	head -n 1 sp.csv | grep -qx "line,repeat,fold,configuration,truth,predicted,p_building_float,p_building_nonfloat,p_container,p_headlamp,p_tableware,p_vehicle_float" &&
	for c in 0 1; do
		name=$(field configurations/$c/name sp.json)
		for f in 0 4; do
			r=$((f / 3 + 1)) fo=$((f % 3 + 1))
			awk -F, -v n="$name" -v r=$r -v f=$fo "NR == 1 || (\$2 == r && \$3 == f && \$4 == n)" sp.csv |
				cut -d, -f5- > one.csv &&
			focal eval --truth truth --format json one.csv | flat > one.json &&
			for k in macro/f1 log_loss brier; do
				want=$(field configurations/$c/folds/$f/${k##*/} sp.json)
				[ "$k" = macro/f1 ] && want=$(field configurations/$c/folds/$f/macro_f1 sp.json)
				got=$(field $k one.json)
				test "$got" = "$want" || { echo "$name fold $f $k: $got, want $want"; exit 1; }
			done || exit 1
		done
	done'

expect_success 'cv --save-predictions: nothing is left behind when the run fails' '
	rm -f sp2.csv; ! focal cv -k 3 -y type --tune-decision f1 --save-predictions sp2.csv $DATA/glass.csv 2>/dev/null &&
	test ! -e sp2.csv'

for spec in "glass type --loss ce,focal --gamma 1 --sample none,over --tune-decision macro_f1" \
	"wdbc diagnosis --alpha 0.3,0.6 --loss focal --gamma 0.5 --lambda 0.01,0.1 --calibrate none,temperature --metric log_loss" \
	"breast-cancer-wisconsin class --drop id --class-weight none,balanced --sample none,smote --smote-k 3 --seed 4"; do
	set -- $spec
	ds=$1 y=$2
	shift 2
	expect_success "$ds: cv --refit, then the focal train command it prints: the same model file and predictions, byte for byte" "
		focal cv -k 3 -y $y $* --refit -o r.focal $DATA/$ds.csv > cv.txt &&
		cmd=\$(tail -n 1 cv.txt | sed 's/^  focal //') && echo \"\$cmd\" &&
		focal predict -m r.focal $DATA/$ds.csv > p1.csv && mv r.focal r1.focal &&
		eval \"focal \$cmd\" > /dev/null && cmp r.focal r1.focal &&
		focal predict -m r.focal $DATA/$ds.csv > p2.csv && cmp p1.csv p2.csv &&
		best=\$(awk '/^\\*/ { sub(/^\\* +/, \"\"); sub(/  .*/, \"\"); print; exit }' cv.txt) &&
		grep -q \"^refit: \$best on all rows, saved to r.focal; the same model:\" cv.txt"
done

expect_success 'cv --refit --format json: the configuration, the model and the command' '
	focal cv -k 3 -y type --sample none,over --refit -o rj.focal --format json $DATA/glass.csv | flat > rj.json &&
	test "$(field refit/configuration rj.json)" = "$(field best rj.json)" &&
	test "$(field refit/model rj.json)" = rj.focal &&
	test "$(field refit/command rj.json)" = "focal train -y type --sample over -o rj.focal $DATA/glass.csv" &&
	test -s rj.focal'
expect_error 2 '--refit needs -o MODEL' 'cv --refit without -o' cv -k 3 -y type --refit "$DATA/glass.csv"
expect_error 2 '-o MODEL goes with --refit' 'cv -o without --refit' cv -k 3 -y type -o x.focal "$DATA/glass.csv"
expect_error 2 '--refit reads the file again' 'cv --refit on standard input' cv -k 3 -y type --refit -o x.focal -

expect_success 'train --lambda auto: lambdas from 1 down by sqrt(10) tried out of fold until the log loss rose twice; the lowest is fitted, as --lambda would fit it' '
	focal train -q -y type --lambda auto -o la.focal $DATA/glass.csv > la.txt &&
	grep -q "^lambda  *[0-9.e-]*, chosen by log loss out of fold from [0-9]* values, 1 to " la.txt &&
	focal info --format tsv la.focal > la.tsv &&
	test "$(field lambda_chosen_by la.tsv)" = log_loss &&
	n=$(grep -c "^lambda_path/" la.tsv) && test "$n" -ge 3 && test "$n" -le 13 &&
	awk -F"\t" "/^lambda_path\// { split(\$2, a, \" \"); ll[++n] = a[2]; if (n == 1 || a[2] < ll[b]) b = n }
		END { exit !(n == b + 2 && ll[n] > ll[b] && ll[n - 1] > ll[b] || n == 13) }" la.tsv &&
	best=$(awk -F"\t" "/^lambda_path\\// { split(\$2, a, \" \"); if (b == \"\" || a[2] < bl) { b = a[1]; bl = a[2] } }
		END { print b }" la.tsv) &&
	test "$(field lambda la.tsv)" = "$best" && echo "chosen $best" &&
	focal train -q -y type --lambda "$best" -o lx.focal $DATA/glass.csv > /dev/null &&
	focal predict -m la.focal $DATA/glass.csv > a.csv && focal predict -m lx.focal $DATA/glass.csv > b.csv &&
	cmp a.csv b.csv'

expect_success 'train --lambda auto --tune-decision: lambda chosen by the tuned metric, the highest on the path' '
	focal train -q -y type --lambda auto --tune-decision macro_f1 --format json -o lt.focal $DATA/glass.csv | flat > lt.json &&
	test "$(field training/lambda_path/chosen_by lt.json)" = macro_f1 &&
	focal info --format tsv lt.focal > lt.tsv &&
	best=$(awk -F"\t" "/^lambda_path\\// { split(\$2, a, \" \"); if (a[3] != \"-\" && (b == \"\" || a[3] > bs)) { b = a[1]; bs = a[3] } }
		END { print b }" lt.tsv) &&
	test "$(grep "^lambda_path/" lt.tsv | grep -vc " -$")" -ge 2 &&
	test "$(field lambda lt.tsv)" = "$best" &&
	test "$(field training/lambda_path/chosen lt.json)" = "$(field training/lambda lt.json)"'

expect_success 'cv --lambda auto,0.01: nested, each fold chooses from the path; the same on 1 and 2 threads' '
	for n in 1 2; do
		focal cv -k 4 -y type --threads $n --lambda auto,0.01 --format json $DATA/glass.csv |
			sed "s/\"seconds\":[0-9.e-]*//" | flat > la$n.json || exit 1
	done && cmp la1.json la2.json &&
	grep "^configurations/[01]/name	ce lambda=auto$" la1.json &&
	c=$(grep "^configurations/[01]/name	ce lambda=auto$" la1.json | cut -d/ -f2) &&
	test "$(field configurations/$c/lambda la1.json)" = auto &&
	for f in 0 1 2 3; do
		l=$(field configurations/$c/folds/$f/lambda la1.json) &&
		awk -v l=$l "BEGIN { for (j = 0; j < 13; j++) { p = 10 ^ (-0.5 * j); d = (l - p) / p; if (d < 0) d = -d
			if (d < 1e-12) exit 0 } exit 1 }" || exit 1
	done &&
	f=$(field fits la1.json) && test "$f" -ge $((8 + 4 * 5 * 3)) && test "$f" -le $((8 + 4 * 5 * 13))'

expect_success 'cv --lambda auto --refit: the printed command (with --lambda auto) gives the same model' '
	focal cv -k 3 -y diagnosis --lambda auto --sample none,over --refit -o lr.focal $DATA/wdbc.csv > cv.txt &&
	cmd=$(tail -n 1 cv.txt | sed "s/^  focal //") && echo "$cmd" && case $cmd in *"--lambda auto"*) ;; *) exit 1 ;; esac &&
	mv lr.focal lr1.focal && eval "focal $cmd" > /dev/null && cmp lr.focal lr1.focal'
expect_error 2 "--lambda: 'auto' is given twice" 'cv --lambda auto,auto' cv -k 3 -y type --lambda auto,auto "$DATA/glass.csv"
