# Files as other tools write them (SPEC "Reading data"): spellings of numbers in a
# categorical column, index columns, empty fields with --na, NUL bytes, duplicate names.
. "$(dirname "$0")/lib.sh"

# confusion FILE: the confusion matrix of a JSON report.
confusion() { grep -o '"confusion":\[[][0-9,]*\]' "$1"; }

# --- 1 and 1.0 are two categories ---
# f tells the classes apart only when 1 and 1.0 are two categories: 1 -> a, 1.0 -> b.
printf 'f,y\n1,a\n1.0,b\nx,a\n1.0,b\n1,a\n2,b\n' > enc.csv
expect_success 'train: 1 and 1.0 are two categories in its own report' '
	focal train -q --lambda 0.001 --format json -o enc.focal enc.csv > train.json &&
	confusion train.json | grep -qxF "\"confusion\":[[3,0],[0,3]]" &&
	grep -qx "categorical \"f\" 4 \"1\" \"1.0\" \"2\" \"x\"" enc.focal'
expect_success 'train, eval and predict encode 1 and 1.0 the same way' '
	focal eval -m enc.focal --format json enc.csv > eval.json &&
	confusion eval.json | grep -qxF "\"confusion\":[[3,0],[0,3]]" &&
	focal predict -m enc.focal --keep y enc.csv | tail -n +2 | cut -d, -f1,2 > pred &&
	awk -F, "\$1 != \$2 { bad = 1 } END { exit bad }" pred'
expect_success 'cv: 1 and 1.0 are two categories' '
	awk "BEGIN { print \"f,y\"; for (i = 0; i < 40; i++) print (i % 2 ? \"1.0,b\" : \"1,a\");
		print \"x,a\"; print \"x,b\" }" > enc40.csv &&
	focal cv -q -k 2 --lambda 0.001 --format json enc40.csv > cv.json &&
	grep -q "\"macro_f1\":0.9[0-9]*" cv.json'
# A text value after the first chunk (1 MB): the threaded reader tracks the same spellings.
awk 'BEGIN { print "f,g,y"; for (i = 0; i < 120000; i++)
	print (i % 3 == 0 ? "1" : i % 3 == 1 ? "1.0" : "2") "," (i % 5) "," (i % 3 == 1 ? "b" : "a");
	print "x,1,a" }' > late.csv
expect_success 'a late text value: the spellings so far are categories, on 1 or 2 threads' '
	focal train -q --threads 1 -o late1.focal late.csv > /dev/null &&
	focal train -q --threads 2 -o late2.focal late.csv > /dev/null &&
	grep -v "^command\|^crc32" late1.focal > a && grep -v "^command\|^crc32" late2.focal > b &&
	cmp a b &&
	grep -qx "categorical \"f\" 4 \"1\" \"1.0\" \"2\" \"x\"" late1.focal'
expect_success 'numbers spelled two ways in a numeric column are the same numbers' '
	sed "s/^1\.0,/1,/; s/,1,a$/,1.00,a/" late.csv | sed "\$d" > nums1.csv &&
	sed "s/^1\.0,/1,/" late.csv | sed "\$d" > nums2.csv &&
	focal train -q --threads 2 -o n1.focal nums1.csv > /dev/null &&
	focal train -q --threads 2 -o n2.focal nums2.csv > /dev/null &&
	grep "^numeric" n1.focal > a && grep "^numeric" n2.focal > b && cmp a b &&
	grep "^w " n1.focal > a && grep "^w " n2.focal > b && cmp a b'

# --- --categorical ---
# g's codes 1..3: class b for 2 only, which no single numeric weight can say.
awk 'BEGIN { print "g,h,y"; for (i = 0; i < 60; i++) print (i % 3 + 1) "," (i % 7) "," (i % 3 == 1 ? "b" : "a") }' > codes.csv
expect_success '--categorical: numeric codes are one-hot encoded, in predict and eval too' '
	focal train -q --categorical g --lambda 0.001 --format json -o codes.focal codes.csv > c.json &&
	grep -qx "categorical \"g\" 3 \"1\" \"2\" \"3\"" codes.focal &&
	grep -q "^numeric \"h\"" codes.focal &&
	confusion c.json | grep -qxF "\"confusion\":[[40,0],[0,20]]" &&
	focal eval -m codes.focal --format json codes.csv > e.json &&
	confusion e.json | grep -qxF "\"confusion\":[[40,0],[0,20]]" &&
	focal predict -m codes.focal codes.csv > p && test "$(wc -l < p)" -eq 61'
expect_success '--categorical by index, and in cv' '
	focal train -q --categorical 1 -o codes1.focal codes.csv > /dev/null &&
	grep "^categorical" codes1.focal > a && grep "^categorical" codes.focal > b && cmp a b &&
	focal cv -q -k 3 --categorical g,h codes.csv > /dev/null'
expect_error 2 "--categorical: no column 'nope'" '--categorical: an unknown column' \
	train --categorical nope codes.csv
expect_error 2 "--categorical: column 'y' is the target" '--categorical: the target' \
	train --categorical y codes.csv
expect_error 2 "--categorical: column 'y' is the target" 'cv --categorical: the target' \
	cv -k 2 --categorical y codes.csv
expect_error 2 "unknown option '--categorical'" 'predict has no --categorical' \
	predict -m codes.focal --categorical g codes.csv

# --- an empty field is missing whatever --na says ---
printf 'x,y\n1,a\n2,b\n3,a\n4,\n5,b\n6,a\n7,b\n' > emptylab.csv
expect_success '--na LIST: a row with an empty label is skipped (train)' '
	focal train --na unknown -o el.focal - < emptylab.csv > out 2> err &&
	grep -qx "focal: stdin: skipped 1 row whose label is missing" err &&
	grep -qx "model logistic" el.focal && grep -qx "classes 2" el.focal &&
	grep -qx "class \"a\" 3 3 1" el.focal && grep -qx "class \"b\" 3 3 1" el.focal'
expect_success '--na LIST: a row with an empty label is skipped (eval, --valid)' '
	focal eval -m el.focal --na unknown emptylab.csv > out 2> err &&
	grep -qx "focal: emptylab.csv: skipped 1 row whose label is missing" err &&
	grep -q "^6 rows" out &&
	focal train --na unknown --valid emptylab.csv emptylab.csv > out 2> err &&
	test "$(grep -c "skipped 1 row whose label is missing" err)" -eq 2'
printf 'x,y\n1,a\n,b\n3,a\nunknown,b\n5,b\n6,a\n' > emptyfeat.csv
expect_success '--na LIST: an empty feature is missing (imputed), in train and predict' '
	focal train -q --na unknown -o ef.focal emptyfeat.csv > /dev/null &&
	grep -q "^numeric \"x\" 3.75 " ef.focal &&
	focal predict -m ef.focal emptyfeat.csv > p && test "$(wc -l < p)" -eq 7 &&
	focal predict -m ef.focal --na unknown emptyfeat.csv > p2 && cmp p p2'

# --- unnamed columns ---
printf ',x,y\n0,1,a\n1,5,b\n2,2,a\n3,6,b\n4,1,a\n5,7,b\n' > pandas.csv
printf '"","x","y"\n"1",1,"a"\n"2",5,"b"\n"3",2,"a"\n"4",6,"b"\n"5",1,"a"\n"6",7,"b"\n' > r.csv
expect_success 'an unnamed column of row numbers from 0 (pandas) is an index, left out' '
	focal train -o pd.focal pandas.csv > /dev/null 2> err &&
	grep -q "pandas.csv: column 1 has no name and holds the row numbers.*index" err &&
	grep -qx "features 1 1" pd.focal && grep -q "^numeric \"x\" " pd.focal'
expect_success 'an unnamed column of row numbers from 1 (R write.csv) is an index, left out' '
	focal train -o r.focal r.csv > /dev/null 2> err &&
	grep -q "r.csv: column 1 has no name and holds the row numbers.*index" err &&
	grep "^numeric" r.focal > a && grep "^numeric" pd.focal > b && cmp a b'
expect_success 'predict and eval on a file with its index column' '
	focal predict -m r.focal r.csv > p1 && cut -d, -f2- r.csv > noindex.csv &&
	focal predict -m r.focal noindex.csv > p2 && cmp p1 p2 &&
	focal eval -q -m pd.focal pandas.csv > /dev/null &&
	focal train -q --valid pandas.csv -o v.focal r.csv > /dev/null'
printf 'a,,,y\n1,3,9,a\n2,1,8,b\n3,4,7,a\n4,2,6,b\n' > unnamed.csv
expect_success 'other unnamed columns are features named by their 1-based index' '
	focal train -q -o un.focal unnamed.csv > /dev/null &&
	grep -q "^numeric \"2\" " un.focal && grep -q "^numeric \"3\" " un.focal &&
	focal predict -m un.focal unnamed.csv > p && test "$(wc -l < p)" -eq 5'
expect_success '--categorical keeps an unnamed column of row numbers as a feature' '
	focal train -q --categorical 1 -o pdc.focal pandas.csv > /dev/null 2> err &&
	! grep -q index err && grep -q "^categorical \"1\" 6 " pdc.focal'

# --- NUL bytes ---
printf 'x,y\n1,a\n2,a\000\n3,a\n4,b\n' > nullabel.csv
expect_error 1 'nullabel.csv:3: a field holds a NUL byte' 'NUL in a label' train nullabel.csv
expect_error 1 'nullabel.csv:3: a field holds a NUL byte' 'NUL in a label, 2 threads' \
	train --threads 2 nullabel.csv
printf 'x,c,y\n1,"p",a\n2,"q\nr\000s",b\n3,p,a\n' > nulquoted.csv
expect_error 1 'nulquoted.csv:4: a field holds a NUL byte' 'NUL in a quoted field' \
	train nulquoted.csv
printf 'x,y\n1,a\n2\000,b\n' > nulfeat.csv
expect_error 1 'nulfeat.csv:3: a field holds a NUL byte' 'predict: NUL in a field' \
	predict -m el.focal nulfeat.csv
expect_error 1 'nulfeat.csv:3: a field holds a NUL byte' 'eval -m: NUL in a field' \
	eval -m el.focal nulfeat.csv
printf 'y,predicted,p_a,p_b\na,a,0.9,0.1\na\000,b,0.2,0.8\n' > nulpred.csv
expect_error 1 'nulpred.csv:3: a field holds a NUL byte' 'eval --truth: NUL in a field' \
	eval --truth y nulpred.csv

# --- duplicate column names in a scoring file ---
printf 'x,x,y\n1,2,a\n3,4,b\n' > dup.csv
expect_error 1 "dup.csv:1: column name 'x' appears twice" 'predict: a duplicate column name' \
	predict -m el.focal dup.csv
expect_error 1 "dup.csv:1: column name 'x' appears twice" 'eval -m: a duplicate column name' \
	eval -m el.focal dup.csv
expect_error 1 "dup.csv:1: column name 'x' appears twice" '--valid: a duplicate column name' \
	train --valid dup.csv emptylab.csv

# --- no features ---
expect_error 1 'emptylab.csv:1: no feature columns left' '--drop of every feature' \
	train --drop x emptylab.csv
expect_error 1 'emptylab.csv:1: no feature columns left' 'cv: --drop of every feature' \
	cv -k 2 --drop x emptylab.csv
printf 'y\na\nb\na\n' > onlyy.csv
expect_error 1 'onlyy.csv:1: no feature columns left' 'a file of the target alone' train onlyy.csv
printf ',y\n0,a\n1,b\n2,a\n' > onlyindex.csv
expect_error 1 'onlyindex.csv: no feature columns left' 'a file of an index and the target' \
	train onlyindex.csv
