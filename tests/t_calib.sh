# The threshold-free and calibration figures of every report (Brier score, ECE, macro
# average precision and ROC AUC): recomputed here with awk from predict's probabilities,
# the same from eval -m, eval --truth and train, and unmoved by a threshold.
. "$(dirname "$0")/lib.sh"

flat() { awk -f "$ROOT/tests/jsonflat.awk"; }
# field KEY FILE: the value of KEY in a flattened report.
field() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$2"; }

# brier_ece PRED TRUE K: from predict --keep TRUE output (TRUE first, predicted, then the
# k p_ columns in class order, the classes being the p_ names): the Brier score and ECE.
brier_ece() {
	awk -F, -v k="$2" 'NR == 1 { for (j = 1; j <= k; j++) name[j] = substr($(j + 2), 3); next }
	{
		top = 1
		for (j = 1; j <= k; j++) {
			p = $(j + 2); y = ($1 == name[j]); d = p - y
			if (k == 2) { if (j == 2) b += d * d } else b += d * d
			if (p > $(top + 2)) top = j
		}
		c = $(top + 2); bin = 0
		while (bin < 14 && c > (bin + 1) * (1 / 15)) bin++
		rows[bin]++; conf[bin] += c; hit[bin] += ($1 == name[top]); n++
	}
	END {
		for (i = 0; i < 15; i++) if (rows[i]) {
			d = hit[i] / rows[i] - conf[i] / rows[i]; if (d < 0) d = -d
			e += rows[i] / n * d
		}
		printf "%.17g %.17g\n", b / n, e
	}' "$1"
}

for ds in "glass type 6" "wdbc diagnosis 2" "house-votes-84 party 2"; do
	set -- $ds
	expect_success "$1: Brier score and ECE of eval -m equal those recomputed from predict's probabilities" "
		focal train -q -y $2 --loss focal --gamma 2 -o m.focal $DATA/$1.csv > /dev/null &&
		focal predict -m m.focal --keep $2 $DATA/$1.csv > p.csv &&
		set -- \$(brier_ece p.csv $3) && echo \"awk: brier \$1 ece \$2\" &&
		focal eval -m m.focal --format json $DATA/$1.csv | flat > e.tsv &&
		b=\$(field brier e.tsv) && e=\$(field ece e.tsv) && echo \"focal: brier \$b ece \$e\" &&
		close \"\$b\" \"\$1\" 1e-12 && close \"\$e\" \"\$2\" 1e-12 &&
		awk -v b=\"\$b\" -v e=\"\$e\" 'BEGIN { exit !(b > 0 && e > 0) }'"
done

# train reports on probabilities from its own standardised copy of the rows, eval -m on
# the rows standardised again from the model file: they agree to about 1e-8.
expect_success 'the figures are the same from eval -m, predict | eval --truth and train' '
	focal train -q -y type -o m.focal --format json $DATA/glass.csv | flat > t.tsv &&
	focal eval -m m.focal --format json $DATA/glass.csv | flat > e.tsv &&
	focal predict -m m.focal --keep type $DATA/glass.csv | focal eval --truth type --format json - | flat > p.tsv &&
	for k in brier ece macro/average_precision macro/roc_auc log_loss; do
		a=$(field $k t.tsv) b=$(field $k e.tsv) c=$(field $k p.tsv) &&
		echo "$k: $a $b $c" && [ -n "$a" ] && close "$a" "$b" 1e-6 && [ "$c" = "$b" ] || exit 1
	done'

expect_success 'macro ROC AUC and average precision are the means of the per-class figures' '
	focal train -q -y type -o m.focal $DATA/glass.csv > /dev/null &&
	focal eval -m m.focal --format tsv $DATA/glass.csv > e.tsv &&
	awk -F"\t" "NR > 1 && NR <= 7 { auc += \$8; ap += \$9 }
		\$1 == \"macro avg\" { mauc = \$8; map = \$9 }
		END { d1 = auc / 6 - mauc; d2 = ap / 6 - map; if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2
		      print auc / 6, mauc, ap / 6, map; exit !(d1 < 1e-12 && d2 < 1e-12) }" e.tsv'

expect_success 'a threshold moves the decisions, not the probability figures' '
	focal train -q -y diagnosis -o m.focal $DATA/wdbc.csv > /dev/null &&
	focal eval -m m.focal --format json $DATA/wdbc.csv | flat > a.tsv &&
	focal eval -m m.focal --threshold 0.1 --format json $DATA/wdbc.csv | flat > b.tsv &&
	! cmp -s a.tsv b.tsv &&
	for k in brier ece macro/average_precision macro/roc_auc log_loss; do
		[ "$(field $k a.tsv)" = "$(field $k b.tsv)" ] || exit 1
	done'

expect_success 'without probabilities the figures are null in json, - in the table' '
	printf "t,predicted\na,a\nb,a\na,b\n" > lab.csv &&
	focal eval --truth t --format json lab.csv | flat > r.tsv &&
	[ "$(field brier r.tsv)" = null ] && [ "$(field ece r.tsv)" = null ] &&
	[ "$(field macro/roc_auc r.tsv)" = null ] &&
	focal eval --truth t lab.csv > r.txt && grep -Eq "^Brier score +-$" r.txt && grep -Eq "^ECE +-$" r.txt'

# ---- cv: the same figures per configuration, and --metric for them
expect_success 'cv --metric log_loss, brier, ece: lowest first; average_precision, roc_auc: highest first' '
	for m in log_loss brier ece average_precision roc_auc; do
		focal cv -q -k 3 -y type --loss ce,focal --sample none,over --metric $m --format tsv \
			$DATA/glass.csv > c.tsv &&
		awk -F"\t" -v m="${m}_mean" -v low=$(case $m in log_loss|brier|ece) echo 1;; *) echo 0;; esac) "
			NR == 1 { for (i = 1; i <= NF; i++) if (\$i == m) col = i; next }
			{ v = \$col + 0; if (NR > 2 && (low ? v < prev : v > prev)) bad = 1; prev = v; n++ }
			END { exit !(col > 0 && n == 4 && !bad) }" c.tsv || { echo "$m"; cat c.tsv; exit 1; }
	done'

expect_success 'cv table: a probability figure given to --metric gets its own column' '
	focal cv -q -k 3 -y type --loss ce,focal --metric brier $DATA/glass.csv > c.txt &&
	sed -n 3p c.txt | grep -q "G-mean  *Brier  *diff  *p$" && grep -q "sorted by Brier;" c.txt &&
	focal cv -q -k 3 -y type --loss ce,focal $DATA/glass.csv > d.txt &&
	sed -n 3p d.txt | grep -q "G-mean  *diff  *p$"'

expect_success 'cv, --calibrate none: over-sampling leaves the probabilities less calibrated (glass: higher log loss)' '
	focal cv -q -k 5 -y type --sample none,over --calibrate none --format json $DATA/glass.csv | flat > c.tsv &&
	a=$(field configurations/0/mean/log_loss c.tsv) && b=$(field configurations/1/mean/log_loss c.tsv) &&
	n0=$(field configurations/0/name c.tsv) && echo "$n0 $a, other $b" &&
	awk -v a="$a" -v b="$b" -v n="$n0" "BEGIN { exit !(n !~ /over/ ? b > a : a > b) }"'

expect_error 2 "--metric: 'auc' is not one of macro_f1, balanced_accuracy, mcc, gmean, average_precision, roc_auc, log_loss, brier, ece" \
	'cv --metric: an unknown word names every figure' cv -k 3 -y type --metric auc $DATA/glass.csv
