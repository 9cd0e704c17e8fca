# focal cv: stratified folds, the grid of configurations, sorting, determinism across
# thread counts, and bad option values.
. "$(dirname "$0")/lib.sh"

flat() { awk -f "$ROOT/tests/jsonflat.awk"; }
GLASS=$DATA/glass.csv
WDBC=$DATA/wdbc.csv

# glass, class order: building_float 70, building_nonfloat 76, container 13, headlamp 29,
# tableware 9, vehicle_float 17 (214 rows).
focal cv -q -k 5 --loss ce,focal --sample none,over --format json -y type "$GLASS" | flat > g5.tsv

# nconf FILE: the number of configurations in a flattened cv JSON.
nconf() { grep -c '^configurations/[0-9]*/name	' "$1"; }

expect_success 'glass -k 5: each class splits evenly over the folds and sums to its size' '
	awk -F"\t" "
	\$1 ~ /^configurations\/0\/folds\/[0-9]+\/test_counts\// {
		split(\$1, p, \"/\"); c = p[6]; n = \$2 + 0
		sum[c] += n; if (!(c in lo) || n < lo[c]) lo[c] = n; if (!(c in hi) || n > hi[c]) hi[c] = n
		fold[p[4]] += n
	}
	END {
		want[\"building_float\"] = 70; want[\"building_nonfloat\"] = 76; want[\"container\"] = 13
		want[\"headlamp\"] = 29; want[\"tableware\"] = 9; want[\"vehicle_float\"] = 17
		for (c in want) {
			print c, sum[c], lo[c], hi[c]
			if (sum[c] != want[c] || hi[c] - lo[c] > 1) bad = 1
		}
		flo = 1e9; fhi = 0; nf = 0
		for (f in fold) { nf++; if (fold[f] < flo) flo = fold[f]; if (fold[f] > fhi) fhi = fold[f] }
		print \"folds\", nf, flo, fhi
		exit bad || nf != 5 || fhi - flo > 1
	}" g5.tsv'

expect_success 'no row is in two test folds: the test folds hold 214 rows in all' '
	test "$(awk -F"\t" "\$1 ~ /^configurations\/0\/folds\/[0-9]+\/test_counts\// { s += \$2 }
		END { print s }" g5.tsv)" = 214'

expect_success 'every configuration is scored on the same folds' '
	for c in 1 2 3; do
		grep "^configurations/0/folds/[0-9]*/test_counts/" g5.tsv | cut -f2 > a &&
		grep "^configurations/$c/folds/[0-9]*/test_counts/" g5.tsv | cut -f2 > b &&
		cmp a b || exit 1
	done'

expect_success 'folds, means and sds: a mean is the mean over the folds, delta the paired difference' '
	awk -F"\t" "
	\$1 ~ /^configurations\/[0-9]+\/name\$/ { split(\$1, p, \"/\"); name[p[2]] = \$2 }
	\$1 == \"baseline\" { base = \$2 }
	\$1 ~ /^configurations\/[0-9]+\/folds\/[0-9]+\/macro_f1\$/ { split(\$1, p, \"/\"); v[p[2], p[4]] = \$2; nf = p[4] + 1 }
	\$1 ~ /^configurations\/[0-9]+\/mean\/macro_f1\$/ { split(\$1, p, \"/\"); mean[p[2]] = \$2 }
	\$1 ~ /^configurations\/[0-9]+\/sd\/macro_f1\$/ { split(\$1, p, \"/\"); sd[p[2]] = \$2 }
	\$1 ~ /^configurations\/[0-9]+\/delta\/mean\$/ { split(\$1, p, \"/\"); dm[p[2]] = \$2 }
	END {
		for (c in name) if (name[c] == base) b = c
		for (c in name) {
			s = 0; q = 0; ds = 0
			for (f = 0; f < nf; f++) { s += v[c, f]; ds += v[c, f] - v[b, f] }
			m = s / nf
			for (f = 0; f < nf; f++) q += (v[c, f] - m) ^ 2
			d1 = m - mean[c]; d2 = sqrt(q / (nf - 1)) - sd[c]; d3 = ds / nf - dm[c]
			print name[c], m, mean[c], sd[c], dm[c]
			if (d1 * d1 > 1e-24 || d2 * d2 > 1e-24 || d3 * d3 > 1e-24) bad = 1
		}
		exit bad || nf != 5 || base != \"ce\" || dm[b] != 0
	}" g5.tsv'

expect_success '--threads 1 and --threads 2 give the same output (table, tsv, json)' '
	for f in table tsv json; do
		focal cv -q -k 4 --loss ce,focal --gamma 1,3 --sample none,over,under,smote,over+under \
			--format $f --threads 1 -y type "$GLASS" | sed "1s/;.*//" > t1 &&
		focal cv -q -k 4 --loss ce,focal --gamma 1,3 --sample none,over,under,smote,over+under \
			--format $f --threads 2 -y type "$GLASS" | sed "1s/;.*//" > t2 &&
		test -s t1 && cmp t1 t2 || exit 1
	done'

expect_success 'the same seed gives the same figures, another seed other folds' '
	focal cv -q -k 5 --seed 3 --format json -y type "$GLASS" > s1 &&
	focal cv -q -k 5 --seed 3 --format json -y type "$GLASS" > s2 && cmp s1 s2 &&
	focal cv -q -k 5 --seed 4 --format json -y type "$GLASS" > s3 && ! cmp -s s1 s3'

expect_success 'a configuration gets the same figures whatever else is compared with it' '
	focal cv -q -k 5 --sample over --format json -y type "$GLASS" | flat |
		grep "^configurations/0/folds/" | sed "s|^configurations/0/||" > alone &&
	i=$(grep -P "^configurations/\d+/name\tce over$" g5.tsv | cut -d/ -f2) &&
	grep "^configurations/$i/folds/" g5.tsv | sed "s|^configurations/$i/||" > among &&
	test -s alone && cmp alone among'

expect_success 'a SMOTE set shared by three configurations gives each the figures it gets alone' '
	focal cv -q -k 4 --loss ce,focal --gamma 1,3 --sample none,smote --format json -y type "$GLASS" |
		flat > sm.tsv &&
	for name in "ce smote" "focal g=3 smote"; do
		case $name in ce*) a="--loss ce" ;; *) a="--loss focal --gamma 3" ;; esac
		focal cv -q -k 4 $a --sample smote --format json -y type "$GLASS" | flat |
			grep "^configurations/0/folds/" | sed "s|^configurations/0/||" > alone &&
		i=$(grep -P "^configurations/\d+/name\t$name$" sm.tsv | cut -d/ -f2) &&
		grep "^configurations/$i/folds/" sm.tsv | sed "s|^configurations/$i/||" > among &&
		test -s alone && cmp alone among || exit 1
	done'

expect_success 'a class with fewer rows than folds gets a warning' '
	focal cv -k 10 -y type "$GLASS" 2>err >/dev/null &&
	grep -q "^focal: .*glass.csv: class .tableware. has 9 rows, fewer than k=10 folds$" err &&
	test "$(wc -l < err)" -eq 1 &&
	focal cv -k 9 -y type "$GLASS" 2>err >/dev/null && ! test -s err'

expect_success 'a gamma list does not multiply ce: --loss ce,focal --gamma 1,2,5 gives 4' '
	focal cv -q -k 3 --loss ce,focal --gamma 1,2,5 --format json -y type "$GLASS" | flat > c.tsv &&
	test "$(nconf c.tsv)" -eq 4 &&
	grep -P "^configurations/\d+/name\t" c.tsv | cut -f2 | sort > names &&
	printf "ce\nfocal g=1\nfocal g=2\nfocal g=5\n" > want && cmp names want'

expect_success '--sample none,over gives 2; with --sample-ratio 0.5,1 it gives 3' '
	focal cv -q -k 3 --sample none,over --format tsv -y type "$GLASS" > a.tsv &&
	test "$(wc -l < a.tsv)" -eq 3 &&
	focal cv -q -k 3 --sample none,over --sample-ratio 0.5,1 --format tsv -y type "$GLASS" > b.tsv &&
	test "$(wc -l < b.tsv)" -eq 4 &&
	cut -f1 b.tsv | sort > names && printf "ce\nce over r=0.5\nce over r=1\nconfig\n" > want &&
	cmp names want'

expect_success 'a repeated option appends to its list; LABEL=W items make one weighting' '
	focal cv -q -k 3 --class-weight none,balanced,benign=1,malignant=2 --format tsv \
		-y diagnosis "$WDBC" | cut -f4 | sort > w1 &&
	printf "balanced\nbenign=1,malignant=2\nnone\nweight\n" > want && cmp w1 want &&
	focal cv -q -k 3 --class-weight malignant=2 --class-weight malignant=3 --loss ce --loss focal \
		--format tsv -y diagnosis "$WDBC" | cut -f1 | sort > w2 &&
	printf "ce malignant=2\nce malignant=3\nconfig\nfocal g=2 malignant=2\nfocal g=2 malignant=3\n" > want &&
	cmp w2 want'

expect_success 'over and under sampling weigh the training rows up to the class targets' '
	for s in over under smote over+under; do
		focal cv -q -k 5 --sample $s --format json -y diagnosis "$WDBC" | flat > s.tsv &&
		awk -F"\t" -v s=$s "
		\$1 ~ /test_counts\/benign\$/ { split(\$1, p, \"/\"); b[p[4]] = \$2 }
		\$1 ~ /test_counts\/malignant\$/ { split(\$1, p, \"/\"); m[p[4]] = \$2 }
		\$1 ~ /train_rows\$/ { split(\$1, p, \"/\"); t[p[4]] = \$2 }
		END {
			for (f in t) {
				nb = 357 - b[f]; nm = 212 - m[f]; mid = int(sqrt(nb * nm))
				want = s == \"under\" ? 2 * nm : s == \"over+under\" ? 2 * mid : 2 * nb
				print f, t[f], want; if (t[f] != want) bad = 1; n++
			}
			exit bad || n != 5
		}" s.tsv || exit 1
	done'

expect_success 'rows are sorted by --metric, the best first and marked' '
	for m in macro_f1 balanced_accuracy mcc gmean; do
		focal cv -q -k 4 --loss ce,focal --gamma 0.5,4 --sample none,under --metric $m \
			--format json -y type "$GLASS" | flat > m.tsv &&
		grep -q "^metric	$m$" m.tsv &&
		grep "^best	" m.tsv | cut -f2 > best_$m &&
		test "$(cat best_$m)" = "$(grep "^configurations/0/name	" m.tsv | cut -f2)" &&
		grep -P "^configurations/\d+/mean/$m\t" m.tsv | cut -f2 > got &&
		sort -g -r got > sorted && cmp got sorted || exit 1
	done &&
	focal cv -q -k 4 --loss ce,focal --gamma 0.5,4 --sample none,under --metric mcc \
		-y type "$GLASS" > m.txt &&
	test "$(grep -c "^\*" m.txt)" -eq 1 && ! grep -q " $" m.txt &&
	test "$(grep "^\*" m.txt | sed "s/^\*  *//; s/  .*//")" = "$(cat best_mcc)" &&
	! cmp -s best_mcc best_gmean'

expect_success '--repeat 2 gives 2k folds per configuration, each repeat a partition' '
	focal cv -q -k 3 --repeat 2 --loss ce,focal --format json -y type "$GLASS" | flat > r.tsv &&
	for c in 0 1; do
		test "$(grep -c "^configurations/$c/folds/[0-9]*/fold	" r.tsv)" -eq 6 || exit 1
	done &&
	awk -F"\t" "\$1 ~ /^configurations\/0\/folds\/[0-9]+\/repeat\$/ { split(\$1, p, \"/\"); r[p[4]] = \$2 }
		\$1 ~ /^configurations\/0\/folds\/[0-9]+\/test_counts\// { split(\$1, p, \"/\"); n[p[4]] += \$2 }
		END { for (f in n) s[r[f]] += n[f]; print s[1], s[2]; exit s[1] != 214 || s[2] != 214 }" r.tsv'

expect_success 'tsv: one header and one row per configuration, all of the same width' '
	focal cv -q -k 3 --loss ce,focal --class-weight none,balanced --format tsv -y type "$GLASS" > t.tsv &&
	test "$(wc -l < t.tsv)" -eq 5 &&
	head -n 1 t.tsv | grep -q "^config	loss	gamma	weight	sample	sample_ratio	lambda	model	calibration	macro_f1_mean	macro_f1_sd	" &&
	head -n 1 t.tsv | grep -q "	recall_tableware_mean	recall_tableware_sd	f1_tableware_mean	f1_tableware_sd	" &&
	head -n 1 t.tsv | grep -q "	delta_mean	delta_sd	delta_p$" &&
	test "$(awk -F"\t" "{ print NF }" t.tsv | sort -u)" = 54'

expect_success 'cv reads standard input, and --no-standardize, --alpha and --lambda lists' '
	focal cv -q -k 3 -y diagnosis - < "$WDBC" > in.txt && grep -q "^\* *ce " in.txt &&
	focal cv -q -k 3 --no-standardize --max-iter 50 --alpha 0.25,0.75 --lambda 0.1,0.01 \
		--format tsv -y diagnosis "$WDBC" | cut -f1 | sort > n &&
	printf "ce alpha=0.25 lambda=0.01\nce alpha=0.25 lambda=0.1\nce alpha=0.75 lambda=0.01\nce alpha=0.75 lambda=0.1\nconfig\n" > want &&
	cmp n want'

# A fold of cv is the pipeline train + eval on the fold's rows: the same imputation
# (means of the fold's training rows), standardisation, lambda and model.  glass with
# missing values here and there in three columns (one, 'ba', mostly zero); the folds come
# from --save-folds.
awk -F, -v OFS=, 'NR > 1 { if (NR % 7 == 0) $3 = ""; if (NR % 5 == 0) $8 = "NA";
	if (NR % 13 < 2) $1 = "?" } { print }' "$GLASS" > na.csv

# same_fold CV_FLAT FOLD DATA TARGET ARGS...: cv's figures for FOLD (1-based, repeat 1;
# folds from folds.csv) match focal train ARGS on the other folds' rows of DATA and focal
# eval on the fold's rows.
same_fold() {
	cvf=$1 f=$2 data=$3 target=$4
	shift 4
	awk -F, -v f="$f" 'NR == FNR { if (FNR > 1 && $2 == 1) fold[$1] = $3; next }
		FNR == 1 { print > "tr.csv"; print > "te.csv"; next }
		{ print > (fold[FNR] == f ? "te.csv" : "tr.csv") }' folds.csv "$data" &&
	focal train -q --tol 1e-10 --format json -o m.focal "$@" -y "$target" tr.csv | flat > tr.tsv &&
	focal eval -q --format json -m m.focal te.csv | flat > te.tsv &&
	awk -F"\t" -v p="configurations/0/folds/$((f - 1))/" '
	FILENAME == ARGV[1] { if (index($1, p) == 1) cv[substr($1, length(p) + 1)] = $2; next }
	FILENAME == ARGV[2] { if ($1 == "training/objective") obj = $2; next }
	$1 == "macro/f1" { ev["macro_f1"] = $2 }
	$1 == "balanced_accuracy" || $1 == "mcc" { ev[$1] = $2 }
	$1 ~ /^per_class\/[^\/]*\/(recall|f1)$/ { split($1, q, "/"); ev[q[3] "/" q[2]] = $2 }
	$1 ~ /^per_class\/[^\/]*\/recall$/ { nclass++ }
	$1 == "macro/average_precision" { pr["average_precision"] = $2 }
	$1 == "macro/roc_auc" { pr["roc_auc"] = $2 }
	$1 == "log_loss" || $1 == "brier" || $1 == "ece" { pr[$1] = $2 }
	END {
		# the figures of the probabilities: scored from the fold s own standardisation of
		# the stored features, against the file read again: equal to about 1e-9
		for (k in pr) {
			np++; d = cv[k] - pr[k]; if (d < 0) d = -d
			if (!(d <= 1e-6 * pr[k]) || cv[k] == "") { print k, cv[k], pr[k]; bad = 1 }
		}
		if (np != 5) bad = 1
		d = cv["objective"] - obj; if (d < 0) d = -d
		print "objective", cv["objective"], obj
		if (!(d <= 1e-7 * obj) || obj == "") bad = 1
		for (k in ev) {
			n++; d = cv[k] - ev[k]; if (d < 0) d = -d
			if (!(d <= 1e-12) || cv[k] == "") { print k, cv[k], ev[k]; bad = 1 }
		}
		exit bad || n != 3 + 2 * nclass || nclass < 2
	}' "$cvf" tr.tsv te.tsv
}

expect_success 'a fold of cv is train + eval on its rows, missing values imputed from the fold' '
	focal cv -q -k 3 --tol 1e-10 --save-folds folds.csv --format json -y type na.csv | flat > na.tsv &&
	test "$(sed 1d folds.csv | wc -l)" -eq 214 && head -n 1 folds.csv | grep -qx "line,repeat,fold" &&
	same_fold na.tsv 1 na.csv type && same_fold na.tsv 2 na.csv type &&
	same_fold na.tsv 3 na.csv type'

# (without standardising, the columns of glass that sit far from 0 with a small spread
# make the problem too ill-conditioned to solve to 1e-10; they are dropped)
expect_success 'the same with --no-standardize, --drop and a --lambda' '
	set -- --no-standardize --drop ri,na,si,ca --lambda 0.01 &&
	focal cv -q -k 3 --tol 1e-10 --save-folds folds.csv "$@" --format json -y type na.csv |
		flat > nn.tsv &&
	same_fold nn.tsv 1 na.csv type "$@" && same_fold nn.tsv 2 na.csv type "$@"'

# An outlier among the values of a column with gaps: a test fold without it has a training
# mean far from the file's, so test rows with a gap there are scored with the fold's
# mean or visibly not.
awk 'BEGIN { print "x1,x2,y"; for (i = 1; i <= 90; i++) { c = i % 3 == 0
	x2 = i == 45 ? 1000 : i % 4 == 1 ? "" : sprintf("%.3f", (sin(i * 7) + 1) / 2 + c * 0.3)
	printf "%.3f,%s,%s\n", sin(i * 3) + c, x2, c ? "b" : "a" } }' > out.csv
expect_success 'test rows of a fold are imputed with the fold'"'"'s training mean too' '
	focal cv -q -k 3 --tol 1e-10 --save-folds folds.csv --format json -y y out.csv | flat > o.tsv &&
	same_fold o.tsv 1 out.csv y && same_fold o.tsv 2 out.csv y && same_fold o.tsv 3 out.csv y'

expect_success '--save-folds with --repeat 2: every row once per repeat, as test_counts say' '
	focal cv -q -k 4 --repeat 2 --save-folds f2.csv --format json -y type "$GLASS" | flat > r2.tsv &&
	test "$(sed 1d f2.csv | wc -l)" -eq 428 &&
	awk -F, "NR > 1 { n[\$2 \",\" \$3]++; l[\$1]++ } END { for (k in n) print k, n[k];
		for (x in l) if (l[x] != 2) exit 1 }" f2.csv | sort > got &&
	awk -F"\t" "\$1 ~ /^configurations\/0\/folds\/[0-9]+\/test_counts\// {
		split(\$1, p, \"/\"); n[p[4]] += \$2 }
		END { for (f in n) print int(f / 4) + 1 \",\" f % 4 + 1, n[f] }" r2.tsv | sort > want &&
	cmp got want'

expect_success '--save-folds: a file is written only when cv succeeds' '
	! focal cv -q -k 3 --save-folds bad.csv -y type "$GLASS" 2>err >/dev/full &&
	grep -q "^focal: cannot write standard output" err && ! ls bad.csv* 2>/dev/null &&
	! focal cv -q -k 3 --save-folds nodir/x.csv -y type "$GLASS" 2>err >/dev/null &&
	grep -q "^focal: nodir/x.csv: cannot create a temporary file" err'

# usage errors
expect_error 2 '-k K \(the number of folds\) is required' 'no -k' cv -y type "$GLASS"
expect_error 2 "-k: '1' is not an integer" '-k 1' cv -k 1 -y type "$GLASS"
expect_error 2 "-k: 'five' is not an integer" '-k five' cv -k five -y type "$GLASS"
expect_error 2 '-k: 215 folds for 214 rows' '-k above the row count' cv -k 215 -y type "$GLASS"
expect_error 2 "--metric: 'auc' is not one of" 'bad --metric' cv -k 3 --metric auc "$GLASS"
expect_error 2 "--loss: 'hinge' is not one of ce, focal" 'bad --loss item' cv -k 3 --loss ce,hinge "$GLASS"
expect_error 2 "--gamma: '-1' is not a number" 'bad --gamma item' cv -k 3 --gamma 1,-1 "$GLASS"
expect_error 2 "--gamma: '2' is given twice" 'a value given twice' cv -k 3 --gamma 2 --gamma 1,2 "$GLASS"
expect_error 2 "--sample: 'both' is not one of" 'bad --sample item' cv -k 3 --sample over,both "$GLASS"
expect_error 2 "--sample-ratio: '0' must be above 0" 'zero --sample-ratio' cv -k 3 --sample-ratio 0.5,0 "$GLASS"
expect_error 2 "--class-weight: 'heavy' is not none, balanced or LABEL=W" 'bad --class-weight item' \
	cv -k 3 --class-weight none,heavy "$GLASS"
expect_error 2 "--class-weight: no class 'q'" 'a class weight for an unknown class' \
	cv -k 3 --class-weight q=2 -y type "$GLASS"
expect_error 2 '--alpha and --class-weight cannot be used together' 'alpha with class-weight' \
	cv -k 3 --alpha 0.25 --class-weight balanced "$WDBC"
expect_error 2 "--alpha: '1' must lie strictly between 0 and 1" 'alpha of 1' cv -k 3 --alpha 0.5,1 "$WDBC"
expect_error 2 '--alpha needs two classes' 'alpha with six classes' cv -k 3 --alpha 0.25 -y type "$GLASS"
expect_error 2 '--model logistic needs two classes' 'logistic with six classes' \
	cv -k 3 --model softmax,logistic -y type "$GLASS"
expect_error 2 "--format: 'xml' is not one of" 'bad --format' cv -k 3 --format xml "$GLASS"
expect_error 2 'no input FILE' 'no FILE' cv -k 3
expect_error 1 'nonexistent.csv' 'a missing file' cv -k 3 nonexistent.csv
expect_success '--model auto,softmax on six classes: one configuration, with a warning' '
	focal cv -k 3 -y type --model auto,softmax --format tsv "$DATA/glass.csv" > out 2> err &&
	test "$(wc -l < out)" -eq 2 && grep -q "fits the same softmax model" err'
expect_error 2 "--class-weight: 'tableware=2,container=3' gives the same weights as 'container=3,tableware=2'" \
	'the same LABEL=W weighting written twice' \
	cv -k 3 -y type --class-weight container=3,tableware=2 --class-weight tableware=2,container=3 "$DATA/glass.csv"
