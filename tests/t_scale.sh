# Beyond one file and one budget: several input files read as one table, --memory (the
# feature blocks in a temporary file past the budget) and --cache (the table as read,
# kept in a binary file).  Each must give what the plain run on one file gives.
. "$(dirname "$0")/lib.sh"

# body MODEL: the model without the lines that name the command line (and the checksum
# that covers them).
body() {
	grep -v '^command\|^crc32' "$1"
}

# report OUT: a report without the time it took (train's seconds line, cv's wall time).
report() {
	grep -v '^seconds' "$1" | sed -E 's/[0-9.]+ s wall/- s wall/'
}

# same_report A B: the reports A and B are the same but for the time taken.
same_report() {
	report "$1" > "$1.r" && report "$2" > "$2.r" && cmp "$1.r" "$2.r"
}

# shards of glass.csv: the header on each, the second one compressed
head -n 1 "$DATA/glass.csv" > head.txt
sed -n '2,80p' "$DATA/glass.csv" > rows1
sed -n '81,170p' "$DATA/glass.csv" > rows2
sed -n '171,$p' "$DATA/glass.csv" > rows3
cat head.txt rows1 > a.csv
cat head.txt rows2 | gzip -c > b.csv.gz
cat head.txt rows3 > c.csv
focal train -q -y type --threads 1 -o whole.focal "$DATA/glass.csv" > whole.out
expect_success 'train on three shards (one gzip) gives the model of the whole file' '
	focal train -q -y type --threads 1 -o shards.focal a.csv b.csv.gz c.csv > shards.out &&
	body whole.focal > w && body shards.focal > s && cmp w s && same_report whole.out shards.out'
expect_success 'the model records every file of the command line' '
	grep "^command" shards.focal | grep -q "a.csv b.csv.gz c.csv"'
expect_success 'one shard from standard input' '
	focal train -q -y type --threads 1 -o stdin.focal a.csv - c.csv < b.csv.gz > /dev/null &&
	body stdin.focal > s2 && cmp w s2'
: > empty.csv
expect_success 'an empty shard is skipped with a warning that names it' '
	focal train -y type --threads 1 -o e.focal a.csv empty.csv b.csv.gz c.csv 2> e.err > /dev/null &&
	grep -q "^focal: empty.csv: empty file" e.err && body e.focal > s3 && cmp w s3'
expect_error 2 "standard input \('-'\) is given twice" "'-' twice" train -y type a.csv - -
sed '1s/mg/magnesium/' c.csv > renamed.csv
expect_error 1 "renamed.csv:1: column 3 is 'magnesium', but in a.csv it is 'mg'" \
	'a shard whose header differs' train -y type -o bad.focal a.csv renamed.csv
cut -d, -f1-9 c.csv > short.csv
expect_error 1 'short.csv:1: ' 'a shard with fewer columns' train -y type -o bad.focal a.csv short.csv
{ cat head.txt; head -n 3 rows3; echo '1.5,13,4,1,72,0.1,8,0,tableware'; } > badrow.csv
expect_error 1 "badrow.csv:5: expected 10 fields, found 9" \
	'a bad value names its own file and line' train -y type -o bad.focal a.csv badrow.csv
expect_success 'no model after the failed runs' '! ls bad.focal* 2>/dev/null | grep -q .'

# cv on shards: the same table, and --save-folds names each row's file
focal cv -q -k 4 -y type --threads 1 --save-folds wf.csv "$DATA/glass.csv" > wcv.out
expect_success 'cv on shards gives the table of the whole file' '
	focal cv -q -k 4 -y type --threads 1 --save-folds sf.csv a.csv b.csv.gz c.csv > scv.out &&
	same_report wcv.out scv.out'
expect_success 'cv --save-folds: a file column, and each line of that file' '
	test "$(head -n 1 sf.csv)" = "file,line,repeat,fold" &&
	test "$(head -n 1 wf.csv)" = "line,repeat,fold" &&
	test "$(sed -n 2p sf.csv)" = "a.csv,2,$(sed -n 2p wf.csv | cut -d, -f2-)" &&
	awk -F, "NR > 1 { n[\$1]++ } END { exit !(n[\"a.csv\"] == 79 && n[\"b.csv.gz\"] == 90 &&
		n[\"c.csv\"] == 45) }" sf.csv &&
	test "$(sed -n 81p sf.csv | cut -d, -f1,2)" = "b.csv.gz,2" &&
	cut -d, -f3- sf.csv | tail -n +2 > f1 && cut -d, -f2- wf.csv | tail -n +2 > f2 && cmp f1 f2'
expect_success 'cv --save-predictions: a file column with several files' '
	focal cv -q -k 3 -y type --threads 1 --save-predictions p.csv a.csv c.csv > /dev/null &&
	head -n 1 p.csv | grep -q "^file,line,repeat,fold,configuration,truth,predicted,p_" &&
	sed -n 2p p.csv | grep -q "^a.csv,2,1,"'
expect_success 'cv --refit on shards saves the model train fits on them' '
	focal cv -q -k 3 -y type --threads 1 --refit -o refit.focal a.csv b.csv.gz c.csv > /dev/null &&
	body refit.focal > r && cmp w r'

# --memory: blocks past the budget live in a temporary file; the results do not change
focal train -q -y diagnosis --threads 1 -o mem0.focal "$DATA/wdbc.csv" > mem0.out
for size in 4K 64K 1M; do
	expect_success "train --memory $size: the model and report of the run in memory" "
		focal train -q -y diagnosis --threads 1 --memory $size -o mem.focal \"\$DATA/wdbc.csv\" > mem.out &&
		body mem0.focal > m0 && body mem.focal > m1 && cmp m0 m1 && same_report mem0.out mem.out"
done
expect_success 'train --memory with re-sampling, lambda auto and sgd' '
	for s in "--sample over --lambda auto" "--solver sgd --epochs 3 --sample smote"; do
		focal train -q -y diagnosis --threads 1 $s -o x0.focal "$DATA/wdbc.csv" > x0.out &&
		focal train -q -y diagnosis --threads 1 $s --memory 8K -o x1.focal "$DATA/wdbc.csv" > x1.out &&
		body x0.focal > b0 && body x1.focal > b1 && cmp b0 b1 && same_report x0.out x1.out || exit 1
	done'
focal cv -q -k 3 -y diagnosis --loss ce,focal --sample none,under --threads 2 "$DATA/wdbc.csv" > cv0.out
expect_success 'cv --memory 16K (two threads): the table of the run in memory' '
	focal cv -q -k 3 -y diagnosis --loss ce,focal --sample none,under --threads 2 \
		--memory 16K "$DATA/wdbc.csv" > cv1.out && same_report cv0.out cv1.out'
mkdir ro
chmod 555 ro
if [ "$(id -u)" -ne 0 ]; then
	expect_error 1 'temporary file' 'an unwritable TMPDIR, when a block needs it' \
		train -y diagnosis --memory 1K -o ro.focal "$DATA/wdbc.csv"
fi
expect_success 'a missing TMPDIR, when a block needs it: status 1, a message, no model' '
	TMPDIR=$T/no/such/dir focal train -y diagnosis --memory 1K -o tmp.focal "$DATA/wdbc.csv" \
		> /dev/null 2> tmp.err; test $? -eq 1 && grep -q "^focal: .*temporary file" tmp.err &&
	! test -e tmp.focal'
expect_success 'a missing TMPDIR does not matter when the blocks fit' '
	TMPDIR=$T/no/such/dir focal train -q -y diagnosis --memory 1G -o tmp.focal "$DATA/wdbc.csv" > /dev/null'
for bad in 0 -1 12Q 1.5X '' K nan inf 1e30T; do
	expect_error 2 "--memory: '$bad' is not a size" "--memory '$bad' is refused" \
		train -y diagnosis --memory "$bad" "$DATA/wdbc.csv"
done
expect_success '--memory 1.5M and 2048 are sizes' '
	focal train -q -y diagnosis --memory 1.5M "$DATA/wdbc.csv" > /dev/null &&
	focal train -q -y diagnosis --memory 2048 "$DATA/wdbc.csv" > /dev/null'

# --cache: the first run writes it, later runs read it, and give the same
cp "$DATA/house-votes-84.csv" votes.csv
echo ",y,y,y,n,n,n,y,y,y,n,n,n,n,n,y,y" >> votes.csv # a warning to keep
focal train -y party --threads 1 -o plain.focal votes.csv > plain.out 2> plain.err
expect_success 'a run with --cache writes the cache and fits as without it' '
	focal train -y party --threads 1 --cache votes.cache -o c1.focal votes.csv > c1.out 2> c1.err &&
	test -s votes.cache && head -c 12 votes.cache | grep -q "^focal-cache" &&
	body plain.focal > p && body c1.focal > q && cmp p q && same_report plain.out c1.out && cmp plain.err c1.err'
expect_success 'a run that reads the cache: the same model, report and warnings' '
	test -s plain.err &&
	mv votes.csv votes.tmp && cp -p votes.tmp votes.csv && rm votes.tmp &&
	focal train -y party --threads 1 --cache votes.cache -o c2.focal votes.csv > c2.out 2> c2.err &&
	body plain.focal > p && body c2.focal > q && cmp p q && same_report plain.out c2.out && cmp plain.err c2.err' 
# the run above replaced votes.csv by a copy (another inode), so the cache was stale and
# made again.  Now it is current: a byte of the CSV changed in place, with the size,
# inode and modification time kept, is not seen, because the cache is read instead.
cp votes.cache kept.cache
touch -r votes.csv stamp
printf 'n' | dd of=votes.csv bs=1 seek=$(($(head -n 1 votes.csv | wc -c) + 13)) conv=notrunc 2> /dev/null
touch -r stamp votes.csv
expect_success 'the cache is read, not the CSV, while the key is the same' '
	test "$(sed -n 2p votes.csv | cut -c 1-14)" = "republican,n,n" &&
	focal train -q -y party --threads 1 --cache votes.cache -o c3.focal votes.csv > /dev/null &&
	body c3.focal > q && cmp p q && cmp votes.cache kept.cache &&
	focal train -q -y party --threads 1 -o c3b.focal votes.csv > /dev/null &&
	body c3b.focal > q2 && ! cmp -s p q2'
expect_success 'a stale cache (the file changed) is made again' '
	sleep 1; echo "democrat,y,y,n,n,n,n,y,y,y,n,n,n,n,n,y,y" >> votes.csv &&
	focal train -q -y party --threads 1 --cache votes.cache -o c4.focal votes.csv > c4.out &&
	! cmp -s votes.cache kept.cache &&
	focal train -q -y party --threads 1 -o c5.focal votes.csv > c5.out &&
	body c4.focal > a4 && body c5.focal > a5 && cmp a4 a5 && same_report c4.out c5.out'
expect_success 'another reading option makes the cache again, and fits accordingly' '
	focal train -q -y party --threads 1 --na "?" --cache votes.cache -o n1.focal votes.csv > n1.out &&
	focal train -q -y party --threads 1 --na "?" -o n2.focal votes.csv > n2.out &&
	body n1.focal > a1 && body n2.focal > a2 && cmp a1 a2 && same_report n1.out n2.out'
expect_success 'cv reads the cache train wrote, and gives its own table' '
	focal train -q -y party --cache votes.cache votes.csv > /dev/null &&
	focal cv -q -k 3 -y party --threads 1 votes.csv > v0.out &&
	focal cv -q -k 3 -y party --threads 1 --cache votes.cache votes.csv > v1.out && same_report v0.out v1.out'
expect_success 'a cache of several files, one of them gzip' '
	focal train -q -y type --threads 1 --cache shards.cache -o k1.focal a.csv b.csv.gz c.csv > /dev/null &&
	focal train -q -y type --threads 1 --cache shards.cache -o k2.focal a.csv b.csv.gz c.csv > /dev/null &&
	body k1.focal > s4 && body k2.focal > s5 && cmp w s4 && cmp w s5'
expect_success 'cv --save-folds from a cache of shards names the files' '
	focal cv -q -k 4 -y type --threads 1 --cache shards.cache --save-folds cf.csv a.csv b.csv.gz c.csv > ccv.out &&
	same_report ccv.out wcv.out && cmp cf.csv sf.csv'
expect_error 2 'standard input cannot be cached' '--cache with standard input' \
	train -y party --cache x.cache -
expect_error 2 "--cache: needs a file name" '--cache -' train -y party --cache - votes.csv

# damaged caches are refused, with the run failing and nothing written
focal train -q -y party --cache good.cache votes.csv > /dev/null
size=$(wc -c < good.cache)
cp good.cache flip.cache
printf '\377' | dd of=flip.cache bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
head -c $((size - 100)) good.cache > cut.cache
head -c 14 good.cache > stub.cache
cp good.cache hdr.cache
printf 'X' | dd of=hdr.cache bs=1 seek=40 conv=notrunc 2> /dev/null
for c in flip cut stub hdr; do
	cp $c.cache $c.before
	expect_error 1 "$c.cache: corrupt cache file \(.*\); remove it" "a damaged cache ($c) is refused" \
		train -y party --cache $c.cache -o d.focal votes.csv
	expect_success "the damaged cache ($c) is left as it was, and no model is written" "
		cmp $c.cache $c.before && ! test -e d.focal"
done
printf 'a,b,y\n1,2,x\n' > notcache.csv
cp notcache.csv notcache.before
expect_error 1 'notcache.csv: not a focal cache file' 'a file that is not a cache is refused' \
	train -y party --cache notcache.csv -o d.focal votes.csv
expect_success 'and is not overwritten' 'cmp notcache.csv notcache.before && ! test -e d.focal'
expect_error 1 'needs a regular file' '--cache on a directory' train -y party --cache ro votes.csv
if [ "$(id -u)" -ne 0 ]; then
	expect_error 1 'ro/x.cache' 'a cache that cannot be written is an error' \
		train -y party --cache ro/x.cache -o d.focal votes.csv
fi
expect_error 1 'no/such/x.cache' 'a cache in a missing directory is an error' \
	train -y party --cache no/such/x.cache -o d.focal votes.csv
expect_success 'no model and no temporary files after the failed runs' '
	! test -e d.focal && ! ls -a . ro | grep -q "\.tmp"'
chmod 755 ro
