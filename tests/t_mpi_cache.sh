# focal-mpi --cache FILE: each rank keeps its share in FILE.RANK-of-N; a later run on as
# many ranks reads the files instead of the CSV (the model of the first run and of focal
# train), one with a changed input, a missing file or another number of ranks reads the
# CSV again and rewrites them, and a damaged file on one rank fails every rank with that
# rank's message, status 1 and no model.  Runs against the plain build only.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/mpilib.sh"

# the 200,000 rows (x3 missing in every 97th row), and a row without a label: a warning
make_big
echo "0.5,0.5,1.000,7,0.5,red," >> big.csv
focal train --threads 1 -o big.focal big.csv > big.out 2> big.err

# stamp NAME FILE...: the bytes of the FILEs, kept as NAME.0, NAME.1, ...
stamp() {
	name=$1
	shift
	i=0
	for f in "$@"; do
		cp "$f" "$name.$i" || return 1
		i=$((i + 1))
	done
}
# same_as NAME FILE...: each FILE holds the bytes kept by stamp NAME
same_as() {
	name=$1
	shift
	i=0
	for f in "$@"; do
		cmp -s "$f" "$name.$i" || { echo "$f changed"; return 1; }
		i=$((i + 1))
	done
}
# report FILE: a text report without the time taken
report() { grep -v '^seconds' "$1"; }

for n in 2 3; do
	files=
	r=0
	while [ $r -lt $n ]; do
		files="$files c.cache.$r-of-$n"
		r=$((r + 1))
	done
	expect_success "$n ranks: the first run writes a cache per rank, and fits as focal train" "
		fmpi $n train --threads 1 --cache c.cache -o f1-$n.focal big.csv > f1-$n.out 2> f1-$n.err &&
		for f in $files; do head -c 12 \$f | grep -q '^focal-cache' || exit 1; done &&
		test \"\$(ls c.cache.*-of-$n | wc -l)\" = $n &&
		same_fit big.focal f1-$n.focal big.csv && cmp big.err f1-$n.err"
	stamp first-$n $files
	expect_success "$n ranks: the second run reads them: the model, report and warnings of the first" "
		fmpi $n train --threads 1 --cache c.cache -o f2-$n.focal big.csv > f2-$n.out 2> f2-$n.err &&
		same_fit f1-$n.focal f2-$n.focal big.csv && same_fit big.focal f2-$n.focal big.csv &&
		body f1-$n.focal > a && body f2-$n.focal > b && cmp a b &&
		report f1-$n.out > a && report f2-$n.out > b && cmp a b &&
		test -s f2-$n.err && cmp f1-$n.err f2-$n.err && same_as first-$n $files"
done

# The CSV made unreadable as a table, in place (one line in every 1000 loses a field),
# with its size, inode and modification time kept, so that the caches stay current: a
# run that read any part of it would fail.
cp big.csv big.orig
touch -r big.csv when
awk '{ if (NR > 1 && NR % 1000 == 0) sub(/,/, ";"); print }' big.orig > big.bad
cat big.bad > big.csv
touch -r when big.csv
expect_success 'the damaged CSV fails a run without the cache on 2 and 3 ranks' '
	! fmpi 2 train -q --threads 1 -o x.focal big.csv 2> x.err && grep -q "expected 7 fields" x.err &&
	! fmpi 3 train -q --threads 1 -o x.focal big.csv 2> x.err && grep -q "expected 7 fields" x.err &&
	! test -e x.focal'
for n in 2 3; do
	expect_success "$n ranks with the caches: no rank reads the CSV, the model is the first run's" "
		fmpi $n train -q --threads 1 --cache c.cache -o f3-$n.focal big.csv > /dev/null &&
		body f1-$n.focal > a && body f3-$n.focal > b && cmp a b"
done
expect_success 'cv on 2 ranks reads the caches train wrote: the figures of focal cv' '
	fmpi 2 cv -q -k 3 --threads 1 --format json --cache c.cache big.csv > cv2.json &&
	cat big.orig > big.csv && touch -r when big.csv &&
	focal cv -q -k 3 --threads 1 --format json big.csv > cv.json && same_cv cv.json cv2.json'
cat big.orig > big.csv
touch -r when big.csv

# one rank's file missing: every rank reads the CSV again; the model is still right
expect_success 'a rank whose file is missing: all read the CSV again, the file is back' '
	rm c.cache.1-of-3 &&
	fmpi 3 train -q --threads 1 --cache c.cache -o f4.focal big.csv > /dev/null &&
	same_fit big.focal f4.focal big.csv && cmp c.cache.1-of-3 first-3.1'

# the files of 2 ranks under the names of 3: their key says 2 processes, so they are stale
expect_success 'another number of ranks: its files are not used, but made anew' '
	cp c.cache.0-of-2 d.cache.0-of-3 && cp c.cache.1-of-2 d.cache.1-of-3 &&
	cp c.cache.1-of-2 d.cache.2-of-3 &&
	fmpi 3 train -q --threads 1 --cache d.cache -o f5.focal big.csv > /dev/null &&
	same_fit big.focal f5.focal big.csv &&
	cmp d.cache.0-of-3 c.cache.0-of-3 && cmp d.cache.1-of-3 c.cache.1-of-3 &&
	cmp d.cache.2-of-3 c.cache.2-of-3'

# a damaged file on one rank: refused on every rank, its message once, nothing written
for r in 0 2; do
	stamp ok c.cache.$r-of-3
	size=$(wc -c < c.cache.$r-of-3)
	printf '\377' | dd of=c.cache.$r-of-3 bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
	stamp bad c.cache.$r-of-3
	expect_success "a byte flipped in rank $r's file: one message, status 1 on 3 ranks, no model" "
		fmpi 3 train --threads 1 --cache c.cache -o bad.focal big.csv > out 2> err; test \$? -eq 1 &&
		test \"\$(grep -c . err)\" = 1 &&
		grep -q '^focal: c.cache.$r-of-3: corrupt cache file (.*); remove it' err &&
		! test -s out && ! test -e bad.focal && same_as bad c.cache.$r-of-3"
	cp ok.0 c.cache.$r-of-3
done
expect_success 'the file of rank 1 cut short: refused alike, by cv too' '
	head -c 5000 c.cache.1-of-3 > cut && cp cut c.cache.1-of-3 &&
	fmpi 3 cv -k 3 --threads 1 --cache c.cache big.csv > out 2> err; test $? -eq 1 &&
	test "$(grep -c . err)" = 1 && grep -q "^focal: c.cache.1-of-3: corrupt cache file" err &&
	! test -s out && cmp cut c.cache.1-of-3'
# a changed input (rows added): stale on every rank, read again, the new table's model
head -n 20001 big.orig | tail -n 20000 >> big.csv
focal train -q --threads 1 -o grown.focal big.csv > /dev/null
expect_success 'a changed input: the caches are made again, with the new rows' '
	fmpi 2 train -q --threads 1 --cache c.cache -o f6.focal big.csv > /dev/null &&
	same_fit grown.focal f6.focal big.csv && ! cmp -s c.cache.0-of-2 first-2.0 &&
	! cmp -s c.cache.1-of-2 first-2.1 &&
	fmpi 2 train -q --threads 1 --cache c.cache -o f7.focal big.csv > /dev/null &&
	same_fit grown.focal f7.focal big.csv'

expect_success 'a missing input with --cache: one message, status 1, no cache' '
	fmpi 3 train --threads 1 --cache m.cache -o bad.focal big.csv nosuch.csv > out 2> err
	test $? -eq 1 && test "$(cat err)" = "focal: nosuch.csv: No such file or directory" &&
	! test -e bad.focal && ! ls m.cache* 2> /dev/null'
expect_success 'standard input with --cache: status 2, one message' '
	fmpi 2 train --cache m.cache - < big.csv > out 2> err; test $? -eq 2 &&
	test "$(grep -c . err)" = 1 && grep -q "standard input cannot be cached" err'
expect_success 'no temporary files are left' '! ls -a | grep -q "\.tmp"'

# cv --cache on glass, 3 ranks (ranks 0 and 1 hold no rows: the table is under 4096)
expect_success 'cv --cache of glass.csv on 3 ranks, twice: the figures of focal cv' '
	focal cv -q -k 4 -y type --threads 1 --format json "$DATA/glass.csv" > g.json &&
	fmpi 3 cv -q -k 4 -y type --threads 1 --format json --cache g.cache "$DATA/glass.csv" > g1.json &&
	test -e g.cache.2-of-3 &&
	stamp g g.cache.0-of-3 g.cache.1-of-3 g.cache.2-of-3 &&
	fmpi 3 cv -q -k 4 -y type --threads 1 --format json --cache g.cache "$DATA/glass.csv" > g2.json &&
	same_as g g.cache.0-of-3 g.cache.1-of-3 g.cache.2-of-3 &&
	same_cv g.json g1.json && same_cv g.json g2.json'
expect_success 'another reading option: the glass caches are made again' '
	fmpi 3 train -q -y type --threads 1 --no-standardize --cache g.cache -o gn.focal "$DATA/glass.csv" > /dev/null &&
	focal train -q -y type --threads 1 --no-standardize -o gn1.focal "$DATA/glass.csv" > /dev/null &&
	same_fit gn1.focal gn.focal "$DATA/glass.csv" && ! cmp -s g.cache.2-of-3 g.2'

# cv's --save-folds and --save-predictions from the caches: each row's file and line are
# kept in its rank's cache, so the files are focal cv's on a run that reads no CSV
head -n 1 big.csv > sh.txt
for i in 1 2 3; do
	{ cat sh.txt; sed -n "$((2 + (i - 1) * 6000)),$((1 + i * 6000))p" big.csv; } | gzip -c > sv$i.csv.gz
done
expect_success 'cv --save-folds --save-predictions on 3 ranks with the caches, twice: the files of focal cv' '
	focal cv -q -k 3 --threads 1 --save-folds f1.csv --save-predictions p1.csv \
		sv1.csv.gz sv2.csv.gz sv3.csv.gz > /dev/null &&
	for i in a b; do
		fmpi 3 cv -q -k 3 --threads 1 --cache sv.cache --save-folds f$i.csv --save-predictions p$i.csv \
			sv1.csv.gz sv2.csv.gz sv3.csv.gz > /dev/null && cmp f1.csv f$i.csv && cmp p1.csv p$i.csv ||
			exit 1
		if [ $i = a ]; then stamp sv sv.cache.0-of-3 sv.cache.1-of-3 sv.cache.2-of-3; fi
	done && same_as sv sv.cache.0-of-3 sv.cache.1-of-3 sv.cache.2-of-3'
