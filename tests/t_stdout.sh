# A standard output that cannot be written (/dev/full) fails every command that writes
# to it: status 1 and exactly one message, "focal: cannot write standard output...".
# Files the run writes besides stdout follow their own rules.
. "$(dirname "$0")/lib.sh"

GLASS=$DATA/glass.csv
focal train -q -y type -o g.focal "$GLASS" > /dev/null
focal predict -m g.focal --keep type "$GLASS" > pred.csv

# full WHAT ARGS...: focal ARGS > /dev/full exits 1 with one message on stderr.
full() {
	what=$1
	shift
	focal "$@" > /dev/full 2> "$T/err" < /dev/null
	got=$?
	if [ "$got" -eq 1 ] && [ "$(wc -l < "$T/err")" -eq 1 ] &&
	    grep -q '^focal: cannot write standard output' "$T/err"; then
		echo "ok - $what"
	else
		echo "not ok - $what (status $got, want 1 and one message)"
		sed 's/^/    # /' "$T/err" | head -n 5
	fi
}

full 'train: the report' train -q -y type "$GLASS"
full 'train: the json report' train -q -y type --format json "$GLASS"
full 'predict: the predictions' predict -m g.focal "$GLASS"
full 'eval: the report' eval -m g.focal "$GLASS"
full 'eval --truth: the report' eval --truth type --format tsv pred.csv
full 'cv: the report' cv -q -k 3 -y type "$GLASS"
full 'info: the description' info g.focal
full 'info --coef: the weights' info --coef --format json g.focal
for c in train predict eval cv info; do
	full "$c -h: the usage" $c -h
done
full 'help COMMAND: the usage' help cv
full 'help: the list of commands' help
full '--version' --version

expect_success 'cv --save-folds: no folds file when the report could not be written' '
	! focal cv -q -k 3 -y type --save-folds f.csv "$GLASS" > /dev/full 2> err &&
	test $(wc -l < err) -eq 1 && ! ls f.csv* 2> /dev/null'
expect_success 'train -o: a report that cannot be written leaves no model (status 1, one message)' '
	focal train -q -y type -o t.focal "$GLASS" > /dev/full 2> err; test $? -eq 1 &&
	test $(wc -l < err) -eq 1 && grep -q "^focal: " err && ! ls t.focal* 2> /dev/null'
expect_success 'predict -o: stdout is not used, so a full one does not matter' '
	focal predict -m g.focal -o p.csv "$GLASS" > /dev/full 2> err && test ! -s err &&
	focal predict -m g.focal "$GLASS" | cmp - p.csv'
expect_success 'a usage error with a full stdout: status 2 and only the usage error' '
	focal train --lambda > /dev/full 2> err; test $? -eq 2 &&
	grep -q "needs a value" err && ! grep -q "standard output" err'
