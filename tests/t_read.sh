# Reading data as SPEC "Reading data" says.
. "$(dirname "$0")/lib.sh"

# w lines of a model file: the weights alone.
weights() { grep '^w ' "$1"; }

printf '\357\273\277a,b,y\r\n1,2,x\r\n3,5,z\r\n4,4,x\r\n2,7,z\r\n' > bom.csv
expect_success 'byte-order mark and CRLF are not part of names and labels' '
	focal train -q -o bom.focal bom.csv >/dev/null &&
	focal info --format json bom.focal > info.json &&
	grep -q "\"classes\":\[\"x\",\"z\"\]" info.json &&
	grep -q "{\"name\":\"a\"" info.json'

printf 'a,c,y\n1,"p, ""q""\nr",x\n2,s,"z,1"\n3,s,x\n4,"p, ""q""\nr","z,1"\n' > quoted.csv
expect_success 'quoted fields with delimiters, quotes and newlines' '
	focal train -q -o q.focal quoted.csv >/dev/null &&
	focal info --format json q.focal > info.json &&
	grep -qF "\"classes\":[\"x\",\"z,1\"]" info.json &&
	grep -qF "\"values\":[\"p, \\\"q\\\"\\nr\",\"s\"]" info.json'
expect_success 'a quoted newline keeps the line numbers right' '
	printf "a,c,y\n1,\"two\nlines\",x\n2,s,z\n3,s\n" > ql.csv &&
	! focal train -q ql.csv 2> err && grep -q "ql.csv:5: expected 3 fields" err'

cp "$DATA/glass.csv" g.csv
gzip -c g.csv > g-gzip.csv
expect_success 'gzip recognised by content, and stdin' '
	focal train -q -y type -o plain.focal g.csv >/dev/null &&
	focal train -q -y type -o gz.focal g-gzip.csv >/dev/null &&
	focal train -q -y type -o stdin.focal - < g.csv >/dev/null &&
	weights plain.focal > a && weights gz.focal > b && weights stdin.focal > c &&
	cmp a b && cmp a c'

expect_success 'same command, same data: byte-identical model files' '
	cp plain.focal first.focal &&
	focal train -q -y type -o plain.focal g.csv >/dev/null && cmp plain.focal first.focal'

expect_success 'a .gz model is gzip and predicts the same' '
	focal train -q -y type -o m.focal.gz g.csv >/dev/null &&
	gzip -t m.focal.gz &&
	focal predict -m m.focal.gz g.csv > p1 && focal predict -m plain.focal g.csv > p2 && cmp p1 p2'

expect_success '--no-header names columns 1, 2, ... and the target is the last' '
	tail -n +2 g.csv > nohead.csv &&
	focal train -q --no-header -o nh.focal nohead.csv >/dev/null &&
	focal info --format json nh.focal > info.json &&
	grep -q "\"target\":\"10\"" info.json && grep -q "{\"name\":\"1\"" info.json &&
	weights nh.focal > d && cmp a d'

expect_success 'target by 1-based index, --drop by name and index' '
	focal train -q -y 10 --drop ri,2 -o idx.focal g.csv >/dev/null &&
	focal info --format json idx.focal > info.json &&
	grep -q "\"target\":\"type\"" info.json &&
	! grep -q "\"name\":\"ri\"" info.json && ! grep -q "\"name\":\"na\"" info.json &&
	grep -q "\"name\":\"mg\"" info.json'

expect_success 'delimiter: -d and .tsv' '
	tr , ";" < g.csv > semi.csv && tr , "\t" < g.csv > tab.tsv &&
	focal train -q -y type -d ";" -o semi.focal semi.csv >/dev/null &&
	focal train -q -y type -o tab.focal tab.tsv >/dev/null &&
	weights semi.focal > e && weights tab.focal > f && cmp a e && cmp a f'

printf 'a,b,y\n1,NA,x\n2,?,z\n3,1,x\n,2,z\nnull,3,x\n6,N/A,z\n' > na.csv
expect_success 'missing-value tokens are imputed with the training mean' '
	focal train -q -o na.focal na.csv >/dev/null &&
	grep -q "^numeric \"a\" 3 3 " na.focal && grep -q "^numeric \"b\" 2 2 " na.focal'
expect_success '--na replaces the token list' '
	printf "a,y\n1,x\n-,z\n3,x\n5,z\n" > dash.csv &&
	focal train -q --na - -o dash.focal dash.csv >/dev/null &&
	grep -q "^numeric \"a\" 3 3 " dash.focal'

awk 'BEGIN { print "a,b,y"; for (i = 1; i <= 5000; i++) print i % 7 "," i "," (i % 2 ? "x" : "z");
	print "seven,1,x" }' > late.csv
expect_success 'a text value far down a numeric column makes it categorical' '
	focal train -o late.focal late.csv >/dev/null 2>err &&
	grep -q "late.csv:5002: column .a. is categorical" err &&
	grep -q "^categorical \"a\" 8 \"0\" \"1\" \"2\" \"3\" \"4\" \"5\" \"6\" \"seven\"$" late.focal'
awk 'BEGIN { print "a,b,y"; for (i = 1; i <= 500; i++) print i % 7 "," i "," (i % 2 ? "x" : "z");
	print "1,text,x" }' > late2.csv
expect_error 1 "late2.csv:502: column 'b' mixes numbers and text .* --drop 'b'" \
	'too many distinct values to become categorical' train -o m1 late2.csv
awk 'BEGIN { print "id,y"; for (i = 1; i <= 200; i++) print "u" i "," (i % 2 ? "x" : "z") }' > ids.csv
expect_error 1 "ids.csv:102: column 'id' has more than 100 distinct values; drop it with --drop 'id'" \
	'too many categories' train ids.csv
expect_success '--max-categories raises the limit' 'focal train -q --max-categories 300 ids.csv >/dev/null'

printf 'a,y\n1,10\n2,9\n3,2\n4,10\n5,9\n6,2\n' > numlab.csv
expect_success 'numeric labels in numeric order' '
	focal train -q -o nl.focal numlab.csv >/dev/null &&
	focal predict -m nl.focal numlab.csv | head -n 1 | grep -qx "predicted,p_2,p_9,p_10"'

expect_success 'all four bundled datasets train without cleaning' '
	focal train -q -y type "$DATA/glass.csv" >/dev/null &&
	focal train -q -y diagnosis "$DATA/wdbc.csv" >/dev/null &&
	focal train -q -y class --drop id "$DATA/breast-cancer-wisconsin.csv" >/dev/null &&
	focal train -q -y party -o votes.focal "$DATA/house-votes-84.csv" >/dev/null &&
	grep -q "^categorical \"vote1\" 2 \"n\" \"y\"$" votes.focal'

expect_success 'predict: columns in any order, target absent, --keep' '
	awk -F, -v OFS=, "{ print \$10, \$9, \$3, \$1, \$2, \$4, \$5, \$6, \$7, \$8 }" g.csv > shuffled.csv &&
	cut -d, -f1-9 g.csv > nolabel.csv &&
	focal predict -m plain.focal g.csv > p1 &&
	focal predict -m plain.focal shuffled.csv > p2 &&
	focal predict -m plain.focal nolabel.csv > p3 &&
	cmp p1 p2 && cmp p1 p3 &&
	focal predict -m plain.focal --keep type,ri g.csv > p4 &&
	head -n 1 p4 | grep -q "^type,ri,predicted,p_building_float," &&
	sed -n 2p p4 | grep -q "^building_float,1.52101,"'

expect_success 'predict: unseen categories encode as zeros, with a warning' '
	printf "party,vote1,vote2,vote3,vote4,vote5,vote6,vote7,vote8,vote9,vote10,vote11,vote12,vote13,vote14,vote15,vote16\nrepublican,maybe,y,n,y,y,y,n,n,n,y,,y,y,y,n,y\n" > unseen.csv &&
	focal predict -m votes.focal unseen.csv > out 2> err &&
	grep -q "1 values unseen in training" err && test "$(wc -l < out)" -eq 2'

expect_success 'predict -o writes the file whole' '
	focal predict -m plain.focal -o pred.csv g.csv && cmp pred.csv p1'
