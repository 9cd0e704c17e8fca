# The command line: dispatch, help, versions, usage errors.
. "$(dirname "$0")/lib.sh"

expect_success '--version prints the version' 'focal --version | grep -qx "focal [0-9][0-9.]*"'
expect_success 'focal help lists the commands' '
	focal help > out && for c in train predict eval cv info; do grep -q "^  $c " out || exit 1; done'
for c in train predict eval cv info; do
	expect_success "focal $c -h and focal help $c print its usage on stdout, status 0" "
		focal $c -h > a && focal help $c > b && cmp a b && head -n 1 a | grep -q '^usage: focal $c'"
done
expect_error 2 "no command 'nope'" 'focal help on an unknown command' help nope
expect_error 2 'no command given' 'no command at all'
expect_error 2 'train: --lambda needs a value' 'an option without its value' train --lambda
expect_error 2 "--threads: '0' is not an integer" 'bad --threads' train --threads 0 "$DATA/glass.csv"
expect_error 2 "--seed: 'x' is not an integer" 'bad --seed' train --seed x "$DATA/glass.csv"
expect_error 2 "-d: 'ab' is not a single delimiter character" 'bad delimiter' train -d ab "$DATA/glass.csv"
expect_error 2 "--format: 'xml' is not one of table, tsv, json" 'bad --format' eval --format xml --truth a x.csv
expect_error 2 "--model logistic needs two classes; the data has 6" 'logistic on six classes' \
	train -y type --model logistic "$DATA/glass.csv"
expect_success 'a write error on stdout fails the command' '
	! focal train -q -y type "$DATA/glass.csv" > /dev/full 2> err && grep -q "^focal: " err'
expect_success 'make install puts the binary and the pages under DESTDIR/PREFIX' '
	make -s -C "$ROOT" install DESTDIR="$T/root" PREFIX=/usr > /dev/null &&
	test -x "$T/root/usr/bin/focal" && test -f "$T/root/usr/share/man/man1/focal-train.1" &&
	test -f "$T/root/usr/share/man/man5/focal.5"'
expect_success 'info --format tsv: key and value rows' '
	focal train -q -y diagnosis -o w.focal "$DATA/wdbc.csv" > /dev/null &&
	focal info --format tsv w.focal > i.tsv &&
	head -n 1 i.tsv | grep -qx "key	value" &&
	grep -qx "positive	malignant" i.tsv && grep -qx "rows/benign	357" i.tsv &&
	grep -q "^feature/mean_radius	numeric mean " i.tsv &&
	awk -F"\t" "NF != 2 { exit 1 }" i.tsv'
expect_success 'progress on stderr only with --progress when stderr is not a terminal' '
	focal train -q -y type "$DATA/glass.csv" > /dev/null 2> quiet.err && test ! -s quiet.err &&
	focal train -q --progress -y type "$DATA/glass.csv" > /dev/null 2> prog.err &&
	grep -q "iteration" prog.err &&
	focal cv -q -k 3 --progress -y type "$DATA/glass.csv" > /dev/null 2> cvprog.err &&
	grep -q "fits" cvprog.err'
