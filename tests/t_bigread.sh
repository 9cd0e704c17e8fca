# Files of several chunks: the threaded reader and its per-chunk preparation give the
# same model as one thread, and late surprises (text, missing values, inf) are handled
# with the right line numbers.
. "$(dirname "$0")/lib.sh"

# 40,000 rows, ~3 MB: a few chunks.  Column a is integer-valued (few distinct values),
# b..h continuous, y the label.
awk 'BEGIN { srand(7); print "a,b,c,d,e,f,g,h,y";
	for (i = 1; i <= 40000; i++) {
		printf "%d", i % 5
		for (j = 0; j < 7; j++) printf ",%.6g", (rand() - 0.5) * 10 ^ (j - 3)
		printf ",%s\n", (rand() < 0.1 ? "rare" : "common")
	} }' > big.csv

expect_success 'threads 1, 2 and 3 give the same model file on a file of several chunks' '
	for t in 1 2 3; do
		focal train -q --threads $t -o m.focal big.csv > /dev/null && mv m.focal m$t.focal || exit 1
	done && cmp m1.focal m2.focal && cmp m1.focal m3.focal'

awk -F, -v OFS=, 'NR == 30001 { $1 = "seven" } NR % 997 == 0 { $4 = "NA" } { print }' big.csv > late.csv
expect_success 'late text turns a column categorical, missing values are imputed: same for any threads' '
	focal train --threads 1 -o m.focal late.csv > /dev/null 2> err1 && mv m.focal m1.focal &&
	focal train --threads 2 -o m.focal late.csv > /dev/null 2> err2 && mv m.focal m2.focal &&
	grep -q "late.csv:30001: column .a. is categorical: .seven. is not a number" err1 &&
	cmp err1 err2 &&
	grep -q "^categorical \"a\" 6 \"0\" \"1\" \"2\" \"3\" \"4\" \"seven\"$" m1.focal &&
	cmp m1.focal m2.focal'

awk -F, -v OFS=, 'NR == 30001 { $3 = "oops" } { print }' big.csv > text.csv
expect_error 1 "text.csv:30001: column 'c' mixes numbers and text \('oops'\)" \
	'late text in a continuous column, on two threads' train --threads 2 text.csv
awk -F, -v OFS=, 'NR == 35001 { $5 = "inf" } { print }' big.csv > inf.csv
expect_error 1 "inf.csv:35001: column 'e': 'inf' is not a finite number" \
	'a late infinity, on two threads' train --threads 2 inf.csv
awk -F, -v OFS=, 'NR == 36001 { $6 = "-2e38" } { print }' big.csv > huge.csv
expect_error 1 "huge.csv:36001: column 'f': '-2e38' is out of range" \
	'a late number beyond the float range, on two threads' train --threads 2 huge.csv
awk 'NR == 38001 { print "1,2"; next } { print }' big.csv > ragged.csv
expect_error 1 'ragged.csv:38001: expected 9 fields, found 2' 'a late ragged row, on two threads' \
	train --threads 2 ragged.csv
