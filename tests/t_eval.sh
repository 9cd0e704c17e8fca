# focal eval: the golden metrics through predictions CSVs, the predict | eval pipeline,
# thresholds and bad predictions files.
. "$(dirname "$0")/lib.sh"

flat() { awk -f "$ROOT/tests/jsonflat.awk"; }

# One predictions CSV per golden case: y_true, predicted, p_<class> ...
awk -F'\t' 'NR > 1 {
	f = $1 ".csv"
	if ($2 == -1) { n = split($3, c, ","); h = "y_true,predicted"
		for (j = 1; j <= n; j++) h = h ",p_" c[j]; print h > f; next }
	print $3 "," $4 "," $5 > f }' "$GOLDEN/metrics_inputs.tsv"

for f in *.csv; do
	case=${f%.csv}
	expect_success "golden metrics, case $case: every value to 1e-9" "
		focal eval --truth y_true --format json $f | flat > got.tsv &&
		awk -F'\t' -v want=$case '
		FNR == NR { v[\$1] = \$2; next }
		\$1 != want { next }
		{
			m = \$2; c = \$3; want = \$4; path = \"\"
			if (m == \"confusion\") {
				split(c, tp, \">\"); for (k = 0; (\"classes/\" k) in v; k++) idx[v[\"classes/\" k]] = k
				path = \"confusion/\" idx[tp[1]] \"/\" idx[tp[2]]
			} else if (c != \"-\") {
				if (m == \"roc_auc_ovr\") m = \"roc_auc\"
				if (m == \"average_precision_ovr\") m = \"average_precision\"
				path = \"per_class/\" c \"/\" m
			} else if (m ~ /_(macro|weighted|micro)\$/ && m !~ /^roc_auc/) {
				split(m, p, \"_\"); path = p[2] \"/\" p[1]
			} else if (m == \"gmean_multiclass\") path = \"gmean\"
			else if (m == \"roc_auc\" || m == \"average_precision\") path = \"per_class/\" v[\"classes/1\"] \"/\" m
			else if (m ~ /^roc_auc_ovr_/) {
				s = 0; ws = 0; n = 0; wn = 0
				for (k = 0; (\"classes/\" k) in v; k++) {
					a = v[\"per_class/\" v[\"classes/\" k] \"/roc_auc\"]; w = v[\"per_class/\" v[\"classes/\" k] \"/support\"]
					if (a == \"null\") continue
					s += a; n++; ws += w * a; wn += w
				}
				v[\"computed\"] = m == \"roc_auc_ovr_macro\" ? s / n : ws / wn; path = \"computed\"
			} else path = m
			if (!(path in v)) { print \"missing \" path \" for \" m \" \" c; bad = 1; next }
			got = v[path]; d = got - want; if (d < 0) d = -d; a = want < 0 ? -want : want
			if (got == \"null\" || d > 1e-9 * a + 1e-300 && d > 0) { print m \" \" c \": got \" got \", want \" want; bad = 1 }
			checked++
		}
		END { print checked \" values checked\"; exit bad || checked == 0 }' got.tsv $GOLDEN/metrics_expected.tsv"
done

expect_success 'predict --keep type | eval --truth type - gives the report of eval -m' '
	focal train -q -y type -o m.focal $DATA/glass.csv > /dev/null &&
	focal predict --keep type -m m.focal $DATA/glass.csv | focal eval --truth type - > pipe.txt &&
	focal eval -m m.focal $DATA/glass.csv > direct.txt &&
	cmp pipe.txt direct.txt &&
	focal predict --keep type -m m.focal $DATA/glass.csv | focal eval --format json --truth type - > pipe.json &&
	focal eval --format json -m m.focal $DATA/glass.csv > direct.json && cmp pipe.json direct.json'

expect_success 'eval -m reports on the same rows as train' '
	focal train -q -y type --format json -o m.focal $DATA/glass.csv | flat | grep -v "^training/" > t.tsv &&
	focal eval --format json -m m.focal $DATA/glass.csv | flat > e.tsv &&
	grep -Ev "^(log_loss|brier|ece)	" t.tsv > t2 && grep -Ev "^(log_loss|brier|ece)	" e.tsv > e2 &&
	cmp t2 e2 && for k in log_loss brier ece; do
		close "$(grep "^$k	" t.tsv | cut -f2)" "$(grep "^$k	" e.tsv | cut -f2)" 1e-6 || exit 1
	done'

expect_success 'tsv: a header, one row per class, three average rows' '
	focal eval --format tsv -m m.focal $DATA/glass.csv > r.tsv &&
	test "$(wc -l < r.tsv)" -eq 10 &&
	head -n 1 r.tsv | grep -q "^class	precision	recall	specificity	f1	gmean	support	roc_auc	average_precision$" &&
	sed -n 2p r.tsv | grep -q "^building_float	" && tail -n 1 r.tsv | grep -q "^micro avg	"'

expect_success '--threshold moves the positive decision (predict and eval agree)' '
	focal train -q -y diagnosis -o w.focal $DATA/wdbc.csv > /dev/null &&
	for t in 0.1 0.5 0.9; do
		focal predict --threshold $t --keep diagnosis -m w.focal $DATA/wdbc.csv > p.csv &&
		focal eval --truth diagnosis --pred predicted p.csv | grep "^accuracy" > a1 &&
		focal eval --threshold $t -m w.focal $DATA/wdbc.csv | grep "^accuracy" > a2 &&
		focal eval --threshold $t --truth diagnosis p.csv | grep "^accuracy" > a3 &&
		cmp a1 a2 && cmp a1 a3 || exit 1
	done &&
	focal predict --threshold 0.1 -m w.focal $DATA/wdbc.csv | grep -c ",malignant," > n1 ;
	focal predict --threshold 0.9 -m w.focal $DATA/wdbc.csv | grep -c "^malignant," > n2 ;
	focal predict --threshold 0.1 -m w.focal $DATA/wdbc.csv | grep -c "^malignant," > n3 ;
	test "$(cat n3)" -gt "$(cat n2)"'

printf 'label,predicted,p_a,p_b\na,a,0.9,0.1\nb,b,0.2,0.8\n' > good.csv
expect_success 'a predictions file without p_ columns is scored from labels alone' '
	printf "label,predicted\na,a\nb,a\nb,b\n" > labels.csv &&
	focal eval --truth label --format json labels.csv | flat > r.tsv &&
	grep -q "^log_loss	null$" r.tsv && grep -q "^accuracy	0.6666666666666666$" r.tsv'
printf 'predicted,p_a,p_b\na,0.9,0.1\n' > notruth.csv
expect_error 1 "notruth.csv:1: no column 'label' for --truth" 'no truth column' eval --truth label notruth.csv
printf 'label,predicted,p_a,p_b\na,a,0.9,0.1\nc,b,0.2,0.8\n' > unknown.csv
expect_error 1 "unknown.csv:3: true label 'c' has no p_c column" 'a true label the scores do not name' \
	eval --truth label unknown.csv
printf 'label,predicted,p_a,p_b\na,a,0.9,0.1\nb,b,high,0.8\n' > nan.csv
expect_error 1 "nan.csv:3: column 'p_a': 'high' is not a probability" 'a probability that is not a number' \
	eval --truth label nan.csv
printf 'label,predicted,p_a,p_b\na,a,0.9,0.1\nb,b,1.5,0.8\n' > big.csv
expect_error 1 "big.csv:3: column 'p_a': '1.5' is not a probability" 'a probability above 1' \
	eval --truth label big.csv
sed '3s/,building_float$/,nope/' "$DATA/glass.csv" > unk.csv
expect_error 1 "unk.csv:3: label 'nope' is not one of the model's classes" 'eval -m on an unknown label' \
	eval -m m.focal unk.csv
printf 'y,p_a,p_a\na,0.9,0.9\nb,0.2,0.2\n' > dup.csv
expect_error 1 "dup.csv:1: column 'p_a' is given twice" 'a p_ column given twice' eval --truth y dup.csv
expect_error 2 'give either -m MODEL or --truth COL' 'eval with neither -m nor --truth' eval good.csv

expect_success 'eval --truth on a file without a header: columns by index' '
	printf "a,a,0.9,0.1\nb,a,0.6,0.4\nb,b,0.2,0.8\n" > nohead.csv &&
	focal eval --no-header --truth 1 --pred 2 --format json nohead.csv | flat > r.tsv &&
	grep -qx "n	3" r.tsv && grep -qx "accuracy	0.6666666666666666" r.tsv'
expect_error 2 '--pred goes with --truth' 'eval -m with --pred' eval -m m.focal --pred x "$DATA/glass.csv"
expect_error 2 '--threshold needs two classes; the model has 6' 'threshold on a six-class model' \
	eval -m m.focal --threshold 0.3 "$DATA/glass.csv"
expect_error 2 '--threshold needs two classes; the model has 6' 'predict threshold on a six-class model' \
	predict -m m.focal --threshold 0.3 "$DATA/glass.csv"
expect_success 'predict --keep by index keeps the header name; --no-header names it by number' '
	focal predict -m m.focal --keep 10 $DATA/glass.csv | head -n 1 | grep -q "^type,predicted," &&
	tail -n +2 $DATA/glass.csv > nh.csv &&
	focal train -q --no-header -o nh.focal nh.csv > /dev/null &&
	focal predict -m nh.focal --no-header --keep 10 nh.csv > p.csv &&
	head -n 1 p.csv | grep -q "^10,predicted," && test "$(wc -l < p.csv)" -eq 215'
expect_success 'predict quotes a value with a space or tab at either end, so predict | eval reads it back' '
	printf "x,y\n1,\" a\"\n2,\" a\"\n3,\"b\t\"\n4,\"b\t\"\n1.5,\" a\"\n3.5,\"b\t\"\n" > sp.csv &&
	focal train -q -o sp.focal sp.csv > /dev/null &&
	focal predict -m sp.focal --keep y sp.csv > p.csv &&
	head -n 1 p.csv | grep -qx "y,predicted,p_ a,\"p_b	\"" &&
	sed -n 2p p.csv | grep -q "^\" a\"," && sed -n 4p p.csv | grep -q "^\"b	\"," &&
	focal eval --truth y --format json p.csv | grep -q "\"classes\":\[\" a\",\"b\\\\t\"\]" &&
	bom=$(printf "\357\273\277") && printf "\"${bom}id\",x,y\n1,1,a\n2,3,b\n" > bom.csv &&
	focal predict -m sp.focal --keep 1 bom.csv | head -n 1 | grep -q "^\"${bom}id\",predicted,"'
expect_success 'softmax on two classes keeps --positive for the threshold' '
	focal train -q -y diagnosis --model softmax --positive benign -o s.focal $DATA/wdbc.csv > /dev/null &&
	grep -qx "positive 0" s.focal &&
	focal info --format json s.focal | grep -q "\"positive\":\"benign\""'

# bestcut CSV CLASS: the best macro F1 over every cut "p_CLASS >= p" of the predictions
# CSV (truth in column 1, p_CLASS in column COL), found by trying them all.
bestcut() {
	awk -F, -v cls="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == "p_" cls) col = i; next }
	{ n++; p[n] = $col; pos[n] = ($1 == cls); npos += pos[n] }
	function f1(tp, fp, fn) { return 2 * tp + fp + fn ? 2 * tp / (2 * tp + fp + fn) : 0 }
	END {
		best = -1
		for (i = 1; i <= n; i++) {
			tp = fp = 0
			for (j = 1; j <= n; j++) if (p[j] >= p[i]) { if (pos[j]) tp++; else fp++ }
			fn = npos - tp; tn = n - npos - fp
			m = (f1(tp, fp, fn) + f1(tn, fn, fp)) / 2
			if (m > best) best = m
		}
		printf "%.12f\n", best
	}' "$1"
}

expect_success 'two classes: the best threshold is what --threshold then gives, and no cut beats it' '
	for pos in malignant benign; do
		focal train -q -y diagnosis --positive $pos -o b.focal $DATA/wdbc.csv > /dev/null &&
		focal eval -m b.focal --format json $DATA/wdbc.csv | flat > b.tsv &&
		grep -qx "best_threshold/class	$pos" b.tsv &&
		t=$(grep ^best_threshold/threshold b.tsv | cut -f2) &&
		f=$(grep ^best_threshold/macro_f1 b.tsv | cut -f2) &&
		focal eval -m b.focal --threshold "$t" --format json $DATA/wdbc.csv | flat |
			grep -qx "macro/f1	$f" &&
		focal predict -m b.focal --keep diagnosis $DATA/wdbc.csv > p.csv &&
		test "$(bestcut p.csv $pos)" = "$(printf "%.12f" "$f")" &&
		focal eval --truth diagnosis --positive $pos --format json p.csv | flat |
			grep "^best_threshold/" > c.tsv && grep "^best_threshold/" b.tsv > d.tsv &&
		cmp c.tsv d.tsv || exit 1
	done &&
	focal train -q -y diagnosis $DATA/wdbc.csv | grep -q "^best threshold on these rows: predicting malignant when its probability is >= [0-9.e-]* gives macro F1 0\.9[0-9][0-9]$"'

expect_success 'the best threshold is the shortest decimal between two probabilities' '
	printf "y,predicted,p_a,p_b\na,a,0.9,0.1\nb,b,0.38,0.62\na,b,0.42,0.58\nb,b,0.25,0.75\n" > s.csv &&
	focal eval --truth y --format json s.csv | flat > s.tsv &&
	grep -qx "best_threshold/class	b" s.tsv && grep -qx "best_threshold/threshold	0.6" s.tsv &&
	grep -qx "best_threshold/macro_f1	1" s.tsv'

expect_success 'no best threshold for more than two classes, without scores, or with one class present' '
	! focal eval -m m.focal --format json $DATA/glass.csv | grep -q best_threshold &&
	! focal eval --truth label --format json labels.csv | grep -q best_threshold &&
	printf "y,predicted,p_a,p_b\na,a,0.9,0.1\na,b,0.4,0.6\n" > one.csv &&
	! focal eval --truth y --format json one.csv | grep -q best_threshold &&
	! focal eval --truth y one.csv | grep -q "best threshold"'

expect_success 'a value far outside a narrow training column still gives finite probabilities' '
	printf "a,b,y\n1,1e-30,p\n2,2e-30,q\n3,1.5e-30,r\n4,3e-30,q\n5,1e-30,r\n" > tiny.csv &&
	printf "a,b,y\n1,1e300,p\n1,-1e300,q\n2,2e-30,r\n" > far.csv &&
	focal train -q -o tiny.focal tiny.csv > /dev/null &&
	focal predict -m tiny.focal far.csv > p.csv && test "$(wc -l < p.csv)" -eq 4 &&
	! grep -qi "nan\|inf" p.csv &&
	focal train -q --valid far.csv --format json tiny.csv > v.json && ! grep -qi "nan\|inf" v.json &&
	grep -q "\"log_loss\":[0-9]" v.json'
