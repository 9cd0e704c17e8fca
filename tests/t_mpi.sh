# focal-mpi (make mpi): train data-parallel over Open MPI on 1, 2 and 4 processes gives
# what focal train gives on the whole table (objective and every probability to 1e-9,
# the same schema), whatever the shares hold, and cv what focal cv gives (every figure
# of its JSON to 1e-9); an error on any process ends them all with that process's
# message, status 1 and no model.  Runs against the plain build only.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/mpilib.sh"

# the bundled datasets, on 2 and 4 processes
for set in "glass type" "wdbc diagnosis" "house-votes-84 party" "breast-cancer-wisconsin class"; do
	name=${set% *}
	y=${set#* }
	focal train -q -y "$y" --threads 1 -o "$name.focal" "$DATA/$name.csv" > /dev/null
	for n in 2 4; do # (one process: on the 200,000 rows below)
		expect_success "$name.csv on $n processes: the fit of focal train" "
			fmpi $n train -q -y $y --threads 1 -o $name-$n.focal \"\$DATA/$name.csv\" > /dev/null &&
			same_fit $name.focal $name-$n.focal \"\$DATA/$name.csv\""
	done
done
expect_success 'the report is that of focal train (the time taken aside)' '
	focal train -y type --threads 1 "$DATA/glass.csv" | grep -v "^seconds" > r1 &&
	fmpi 2 train -y type --threads 1 "$DATA/glass.csv" | grep -v "^seconds" > r2 && cmp r1 r2'

# 200,000 rows: each process holds tens of thousands, in blocks that move between them
make_big
focal train -q --threads 1 -o big.focal big.csv > /dev/null
for n in 1 2 4; do
	expect_success "200,000 rows on $n processes: the fit of focal train" "
		fmpi $n train -q --threads 1 -o big-$n.focal big.csv > /dev/null &&
		same_fit big.focal big-$n.focal big.csv"
done
expect_success '200,000 rows, focal loss and balanced weights on 3 processes' '
	focal train -q --threads 1 --loss focal --class-weight balanced -o bf.focal big.csv > /dev/null &&
	fmpi 3 train -q --threads 1 --loss focal --class-weight balanced -o bf3.focal big.csv > /dev/null &&
	same_fit bf.focal bf3.focal big.csv'

# the report of rank 0 on every process's rows, merged from sums and sorted runs
# (AUC, average precision, log loss, the best threshold): that of focal train
focal train -q --threads 1 --format json -o /dev/null big.csv > big.json
for n in 1 2 4; do
	expect_success "200,000 rows on $n processes: the report of focal train" "
		fmpi $n train -q --threads 1 --format json -o big-r$n.focal big.csv > big-$n.json &&
		same_report big.json big-$n.json"
done
awk -F, 'NR == 1 || $7 != "mid"' big.csv > big2.csv
focal train -q --threads 1 --format json -o /dev/null big2.csv > big2.json
expect_success 'two classes on 3 processes: the report and its best threshold' '
	fmpi 3 train -q --threads 1 --format json -o big2-3.focal big2.csv > big2-3.json &&
	grep -q "\"best_threshold\"" big2.json && same_report big2.json big2-3.json'
expect_success 'the pictures of the report on 4 processes: those of focal train' '
	focal train -q --threads 1 -o /dev/null --plot rp1.svg big2.csv > /dev/null &&
	fmpi 4 train -q --threads 1 -o p4.focal --plot rp4.svg big2.csv > /dev/null &&
	cmp rp1.svg rp4.svg'

# a --weight column with zeros: one process's passes leave those rows out of its blocks,
# and so do the processes' (the same model to the last bit, not only within 1e-9)
awk -F, -v OFS=, 'NR == 1 { $7 = "w," $7; print; next } { $7 = (NR % 7 ? 1 + NR % 3 : 0) "," $7; print }' \
	big.csv > wz.csv
focal train -q --threads 1 --weight w -o wz.focal wz.csv > /dev/null
grep -v '^command\|^crc32' wz.focal > wz.m
expect_success 'a --weight column with zeros on 2 and 4 processes: the model of focal train, bit for bit' '
	for n in 2 4; do
		fmpi $n train -q --threads 1 --weight w -o wz-$n.focal wz.csv > /dev/null &&
		grep -v "^command\|^crc32" wz-$n.focal > wz-$n.m && cmp wz.m wz-$n.m || exit 1
	done'
expect_success 'cv with a --weight column with zeros on 3 processes: focal cv' '
	cvs wzcv 3 -- -k 3 --weight w wz.csv'

# over- and under-sampling: every process draws what one process draws over the whole table
for n in 2 4; do
	expect_success "200,000 rows, --sample over and under on $n processes: the fit of focal train" "
		for smp in over under; do
			focal train -q --threads 1 --sample \$smp -o s1.focal big.csv > /dev/null &&
			fmpi $n train -q --threads 1 --sample \$smp -o s$n.focal big.csv > /dev/null &&
			grep -q \"^sample \$smp\" s$n.focal && same_fit s1.focal s$n.focal big.csv || exit 1
		done"
done
expect_success 'glass, --sample over+under --sample-ratio 0.5 on 3 processes: the fit and the report' '
	focal train --threads 1 --sample over+under --sample-ratio 0.5 -y type -o ou1.focal \
		"$DATA/glass.csv" | grep -v "^seconds" > ou1 &&
	fmpi 3 train --threads 1 --sample over+under --sample-ratio 0.5 -y type -o ou3.focal \
		"$DATA/glass.csv" | grep -v "^seconds" > ou3 &&
	same_fit ou1.focal ou3.focal "$DATA/glass.csv" && cmp ou1 ou3'

# SMOTE: each process makes its share of the new rows from its own rows (not one process's
# rows, so a fit of its own): the targets of the whole table, and about the same figures
focal train -q --threads 1 --format json --sample smote -o /dev/null big.csv > sm1.json
expect_success 'SMOTE on 3 processes: the rows after sampling of focal train, figures within 0.01' '
	fmpi 3 train -q --threads 1 --format json --sample smote -o sm3.focal big.csv > sm3.json &&
	flat sm1.json | grep "/after" > a1 && flat sm3.json | grep "/after" > a3 &&
	test -s a1 && cmp a1 a3 && grep -q "^sample smote" sm3.focal &&
	for f in macro/f1 balanced_accuracy macro/roc_auc; do
		x=$(flat sm1.json | awk -F"\t" -v k="$f" "\$1 == k { print \$2 }")
		y=$(flat sm3.json | awk -F"\t" -v k="$f" "\$1 == k { print \$2 }")
		awk -v x="$x" -v y="$y" "BEGIN { d = x - y; exit !(x != \"\" && (d < 0 ? -d : d) < 0.01) }" ||
			{ echo "$f: $x vs $y"; exit 1; }
	done'

# --valid: rank 0 reads the validation file and reports on it; an error in it ends all
head -n 1 "$DATA/glass.csv" > gv.csv && sed -n '2,80p' "$DATA/glass.csv" >> gv.csv
expect_success 'train --valid on 3 processes: the report of focal train on the validation rows' '
	focal train -y type --threads 1 --valid gv.csv -o /dev/null "$DATA/glass.csv" |
		grep -v "^seconds" > v1 &&
	fmpi 3 train -y type --threads 1 --valid gv.csv -o v3.focal "$DATA/glass.csv" |
		grep -v "^seconds" > v3 && grep -q "^evaluated on gv.csv: 79 rows" v3 && cmp v1 v3'
printf 'ri,na\n1,2\n' > vbad.csv
expect_success 'train --valid with a column missing: one message, status 1, no model' '
	fmpi 3 train -y type --valid vbad.csv -o vb.focal "$DATA/glass.csv" > out 2> err
	test $? -eq 1 && test "$(grep -c . err)" = 1 &&
	grep -q "^focal: vbad.csv:1: column .* of the model is missing" err && ! test -e vb.focal'

# three gzip shards dealt out whole, against one process on their concatenation
head -n 1 big.csv > head.txt
sed -n '2,60001p' big.csv > rows1
sed -n '60002,150001p' big.csv > rows2
sed -n '150002,$p' big.csv > rows3
for i in 1 2 3; do
	cat head.txt rows$i | gzip -c > part$i.csv.gz
done
expect_success 'three gzip shards on 2, 3 and 4 processes (one that reads none): the fit of the whole' '
	for n in 2 3 4; do
		fmpi $n train -q --threads 1 -o gz-$n.focal part1.csv.gz part2.csv.gz part3.csv.gz \
			> /dev/null && same_fit big.focal gz-$n.focal big.csv || exit 1
	done'

# a quoted field with newlines (some of which look like records) over the points where
# the file is cut: the processes after it start past its end
awk 'BEGIN {
	print "x,note,late,y"
	for (i = 1; i <= 300; i++)
		printf "%d.5,%s,%s,%s\n", i % 13, (i % 3 ? "a" : "b"),
		       (i > 200 ? 1234.56789 + i / 1000 : ""), (i * 7 % 5 < 2 ? "c1" : "c0")
	printf "7,\"big"
	for (i = 1; i <= 3000; i++)
		printf "\n%s", i % 10 ? "a line of the note" : "1,a,,c0"
	printf "\",1240.5,c1\n"
	for (i = 301; i <= 600; i++)
		printf "%d.5,%s,%s,%s\n", i % 11, (i % 4 ? "b" : "a"), 1234.56789 + i / 1000,
		       (i * 3 % 7 < 3 ? "c1" : "c0")
}' > quoted.csv
focal train -q --threads 1 -o quoted.focal quoted.csv > /dev/null
expect_success 'a quoted field with newlines over the cut points, on 2 and 4 processes' '
	grep -q "^categorical \"note\" 3" quoted.focal &&
	for n in 2 4; do
		fmpi $n train -q --threads 1 -o quoted-$n.focal quoted.csv > /dev/null &&
		same_fit quoted.focal quoted-$n.focal quoted.csv || exit 1
	done'
{ head -n 3450 quoted.csv; echo '3.5,a,1,c0,surplus'; tail -n +3451 quoted.csv; } > qbad.csv
line=$(grep -n 'surplus' qbad.csv | cut -d: -f1)
expect_success "a bad line past the quoted field: its line in the file ($line), as focal says" '
	focal train -q -o qb.focal qbad.csv > /dev/null 2> qb1.err; test $? -eq 1 &&
	grep -q "^focal: qbad.csv:$line: expected 4 fields, found 5$" qb1.err &&
	for n in 2 4; do
		fmpi $n train -q -o qb.focal qbad.csv > /dev/null 2> qb2.err; test $? -eq 1 &&
		cmp qb1.err qb2.err || exit 1
	done && ! test -e qb.focal'

# a category, and text in a numeric column, that only the last process sees; a column
# that the first process sees only missing
awk 'BEGIN {
	print "color,code,late,v,y"
	for (i = 1; i <= 400; i++)
		printf "%s,%s,%s,%.3f,%s\n", (i > 394 ? "violet" : i % 2 ? "red" : "blue"),
		       (i == 399 ? "x" : i % 9 + 1), (i > 220 ? 9876.54321 + i / 997 : "NA"),
		       (i * 37 % 101) / 10, ((i * 13 % 7 < 3 || i > 396) ? "yes" : "no")
}' > cats.csv
focal train -q --threads 1 -o cats.focal cats.csv > /dev/null
expect_success 'categories seen by one process only: the vocabularies of one process' '
	grep -q "^categorical \"color\" 3 \"blue\" \"red\" \"violet\"" cats.focal &&
	grep -q "^categorical \"code\" 10 " cats.focal && grep -q "^numeric \"late\"" cats.focal &&
	for n in 2 4; do
		fmpi $n train -q --threads 1 -o cats-$n.focal cats.csv > /dev/null &&
		same_fit cats.focal cats-$n.focal cats.csv || exit 1
	done'

# a column with no name that holds the row numbers (pandas' index) is left out, as focal
# leaves it out: numbered over the whole table (from 0, from 1; one file cut into ranges,
# or three gzip shards numbered on), or in each file; numbers out of order are a feature
head -n 30001 big.csv | awk -F, -v OFS=, 'NR == 1 { print "", $0; next } { print NR - 2, $0 }' > i0.csv
awk -F, -v OFS=, 'NR == 1 { print; next } { $1 = $1 + 1; print }' i0.csv > i1.csv
awk -F, -v OFS=, 'NR == 1 { print; next } { $1 = NR * 7919 % 30011; print }' i0.csv > inot.csv
head -n 1 i0.csv > ih
for i in 1 2 3; do
	case $i in 1) a=2 b=10001 ;; 2) a=10002 b=22001 ;; 3) a=22002 b=30001 ;; esac
	sed -n "${a},${b}p" i0.csv > ir
	cat ih ir | gzip -c > ig$i.csv.gz
	cat ih ir | awk -F, -v OFS=, 'NR == 1 { print; next } { $1 = NR - 2; print }' | gzip -c > il$i.csv.gz
done
expect_success 'an unnamed column of row numbers, or not, on 2 and 3 processes: what focal makes of it' '
	for set in i0.csv i1.csv inot.csv "ig1.csv.gz ig2.csv.gz ig3.csv.gz" \
		"il1.csv.gz il2.csv.gz il3.csv.gz"; do
		focal train --threads 1 -o ix.focal $set > /dev/null 2> ix.err &&
		grep -v "^command\|^crc32" ix.focal > ix.m &&
		for n in 2 3; do
			fmpi $n train --threads 1 -o ix-$n.focal $set > /dev/null 2> ix-$n.err &&
			cmp ix.err ix-$n.err && grep -v "^command\|^crc32" ix-$n.focal > ix-$n.m &&
			cmp ix.m ix-$n.m || { echo "$set on $n"; exit 1; }
		done || exit 1
	done &&
	grep -q "row numbers (from 0 in each file)" ix.err &&
	for f in i0 i1; do
		focal train --threads 1 -o /dev/null $f.csv 2>&1 >/dev/null | grep -q "left out as an index" || exit 1
	done &&
	! focal train --threads 1 -o /dev/null inot.csv 2>&1 >/dev/null | grep -q "index"'
expect_success 'cv with an unnamed column of row numbers on 3 processes: focal cv' '
	cvs ixcv 3 -- -k 3 i1.csv'

# errors: every process ends, one message, status 1, no model
sed -n '2,80p' "$DATA/glass.csv" > g1
sed -n '81,170p' "$DATA/glass.csv" > g2
sed -n '171,$p' "$DATA/glass.csv" > g3
head -n 1 "$DATA/glass.csv" > gh
cat gh g1 > a.csv
{ cat gh; head -n 3 g2; echo '1.5,13,4,1,72,0.1,8,0,tableware'; tail -n +4 g2; } > b.csv
cat gh g3 > c.csv
expect_success 'a bad line in one of three shards: one message naming it, status 1, no model' '
	fmpi 3 train -y type -o bad.focal a.csv b.csv c.csv > out 2> err; test $? -eq 1 &&
	test "$(cat err)" = "focal: b.csv:5: expected 10 fields, found 9" && ! test -s out &&
	! test -e bad.focal'
mkdir dir.csv
expect_success 'a shard that cannot be read, on the process that reads it: its message once' '
	fmpi 2 train -y type -o bad.focal a.csv dir.csv c.csv > out 2> err; test $? -eq 1 &&
	test "$(grep -c . err)" = 1 && grep -q "^focal: dir.csv" err && ! test -e bad.focal'
expect_success 'a missing file: one message, status 1' '
	fmpi 3 train -y type -o bad.focal a.csv nosuch.csv > out 2> err; test $? -eq 1 &&
	test "$(cat err)" = "focal: nosuch.csv: No such file or directory" && ! test -e bad.focal'
expect_success 'an error in the merged table (one class) is given once' '
	grep ",tableware$" "$DATA/glass.csv" | sed "1i $(cat gh)" > one.csv &&
	fmpi 2 train -y type -o bad.focal one.csv > out 2> err; test $? -eq 1 &&
	test "$(grep -c . err)" = 1 && grep -q "single class" err && ! test -e bad.focal'
# a rank that dies (SIGKILL, midway through a cv of many fits): mpirun ends the others
# within the watchdog's minute, the run fails and leaves no model
expect_success 'a rank killed midway: every rank ends, status not 0, no model' '
	timeout 60 mpirun -q --oversubscribe -n 2 "$MPIBIN" cv -q -k 10 --loss ce,focal --gamma 1,2 \
		--refit -o killed.focal big.csv > out 2> err &
	mp=$!
	r1= tries=0
	while [ -z "$r1" ] && [ $tries -lt 200 ]; do
		for c in $(pgrep -P "$(pgrep -P $mp)"); do # timeout, mpirun, the ranks
			tr "\0" "\n" < /proc/$c/environ 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && r1=$c
		done
		tries=$((tries + 1))
		sleep 0.05
	done
	test -n "$r1" && sleep 1 && ranks=$(pgrep -P "$(pgrep -P $mp)") && kill -9 "$r1"
	wait $mp
	st=$?
	echo "status $st"
	test $st -ne 0 && test $st -ne 124 && ! test -e killed.focal &&
	for c in $ranks; do # gone, or a zombie no one has reaped yet
		! kill -0 $c 2>/dev/null || grep -q "^State:.*Z" /proc/$c/status || exit 1
	done'
expect_success 'standard input is refused' '
	fmpi 2 train -y type - < "$DATA/glass.csv" > out 2> err; test $? -eq 2 &&
	grep -q "standard input" err'

# ---- cv ----

expect_success 'cv of glass.csv, a loss and gamma grid, on 1, 2 and 4 processes: focal cv' '
	cvs glass 1 2 4 -- -k 5 -y type --loss ce,focal --gamma 1,2 "$DATA/glass.csv"'
expect_success 'cv of wdbc.csv, two repeats, class weights, on 2 and 4 processes: focal cv' '
	cvs wdbc 2 4 -- -k 4 --repeat 2 -y diagnosis --class-weight none,balanced "$DATA/wdbc.csv"'
# the 200,000 rows (some values missing): every process holds folds' rows, their fits
# the blocks of the training rows alone
expect_success 'cv of 200,000 rows on 1, 2 and 4 processes: focal cv' '
	cvs bigcv 1 2 4 -- -k 3 --loss ce,focal big.csv &&
	grep -q "\"rows\":200000" bigcv-4.json'
expect_success 'cv of 200,000 rows, balanced weights, --refit on 3 processes: the model of focal cv' '
	focal cv -q -k 3 --class-weight none,balanced --format json --refit -o rf.focal big.csv > rf.json &&
	mv rf.focal rf1.focal &&
	fmpi 3 cv -q -k 3 --class-weight none,balanced --format json --refit -o rf.focal big.csv \
		> rf3.json && same_cv rf.json rf3.json && same_fit rf1.focal rf.focal big.csv'
expect_success 'cv --plot on 2 processes: the page of focal cv, written once' '
	focal cv -q -k 4 -y type --loss ce,focal --plot p1.svg "$DATA/glass.csv" > out1 &&
	fmpi 2 cv -q -k 4 -y type --loss ce,focal --plot p2.svg "$DATA/glass.csv" > out2 &&
	cmp p1.svg p2.svg && test "$(ls p*.svg | wc -l)" = 2'
expect_success 'focal-mpi help cv gives the options of cv' '
	fmpi 1 help cv > out && grep -q -- "--repeat" out'
expect_success 'cv of glass.csv, --sample none,over,under,over+under, on 2 and 4 processes: focal cv' '
	cvs samp 2 4 -- -k 4 -y type --sample none,over,under,over+under "$DATA/glass.csv"'
expect_success 'cv of 200,000 rows, --sample over,under, on 3 processes: focal cv' '
	cvs bigsamp 3 -- -k 3 --sample over,under big.csv'
expect_success 'cv: a bad line in one of three shards: one message naming it, status 1, no page' '
	fmpi 3 cv -k 3 -y type --plot bad.svg a.csv b.csv c.csv > out 2> err; test $? -eq 1 &&
	test "$(cat err)" = "focal: b.csv:5: expected 10 fields, found 9" && ! test -s out &&
	! test -e bad.svg'
expect_success 'cv: more folds than rows of all the processes is the error of focal cv' '
	printf "a,y\n1,x\n2,y\n3,x\n" > three.csv &&
	fmpi 2 cv -k 5 three.csv > out 2> err; test $? -eq 2 &&
	grep -q "^focal: -k: 5 folds for 3 rows" err && test "$(grep -c "folds for" err)" = 1'
