# A standard output that cannot be written (/dev/full) fails every command that writes
# to it: status 1 and exactly one message, "focal: cannot write standard output...".
# Files the run writes besides stdout follow their own rules.  Then a closed pipe and the
# signals that end a run: the files it was writing are removed.
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

# A closed pipe: the reader went away.  With SIGPIPE at its default action focal ends by
# it (status 141, as any program in a pipeline does); with SIGPIPE ignored the write fails
# and focal says so once (status 1).  Either way the files it was writing are gone.
CV_PIPE="cv -k 5 --repeat 3 -y type --save-folds cvf.csv --save-predictions cvp.csv $GLASS"
expect_success 'cv | true: ended by SIGPIPE (141), no folds, predictions or temporary file' '
	{ focal $CV_PIPE; echo $? > st; } | true
	test "$(cat st)" -eq 141 && test "$(ls cvf.csv* cvp.csv* 2> /dev/null)" = ""'
expect_success 'cv | true with SIGPIPE ignored: status 1, one message, nothing left' '
	(trap "" PIPE; { focal $CV_PIPE 2> err; echo $? > st; } | true)
	test "$(cat st)" -eq 1 && test $(wc -l < err) -eq 1 &&
	grep -q "^focal: cannot write standard output" err &&
	test "$(ls cvf.csv* cvp.csv* 2> /dev/null)" = ""'

# signalled SIG WHAT CMD...: runs focal CMD in the background, sends SIG once the
# temporary file "out.csv.tmp*" exists, and wants the run ended by SIG (status 128 + its
# number) with no out.csv and no temporary file.  CMD reads standard input from the
# endless generator in gen.sh when it names "-".
cat > gen.sh <<'GEN'
awk 'BEGIN { print "a,b,c,d,e,f,y"; srand(7)
	for (;;) { y = rand() < 0.1; printf "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%d\n",
	    rand() + 0.3 * y, rand(), rand(), rand(), rand(), rand() - 0.2 * y, y } }'
GEN
sh gen.sh | head -n 20001 > gen.csv
focal train -q -y y -o gen.focal gen.csv > /dev/null
signalled() {
	sig=$1 num=$2 what=$3
	shift 3
	rm -f out.csv out.csv.tmp*
	sh gen.sh | $FOCAL "$@" > /dev/null 2> err &
	pid=$!
	i=0
	while [ $i -lt 600 ] && ! ls out.csv.tmp* > /dev/null 2>&1 && kill -0 $pid 2> /dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -s "$sig" $pid 2> /dev/null
	i=0
	while [ $i -lt 200 ] && kill -0 $pid 2> /dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -s KILL $pid 2> /dev/null
	wait $pid
	got=$?
	left=$(ls out.csv* 2> /dev/null)
	if [ "$got" -eq $((128 + num)) ] && [ -z "$left" ]; then
		echo "ok - $what"
	else
		echo "not ok - $what (status $got, want $((128 + num)); left: ${left:-nothing})"
		sed 's/^/    # /' err | head -n 5
	fi
}
signalled TERM 15 'cv --save-folds, SIGTERM while folds are fitted: no folds file left' \
	cv -q -k 5 --repeat 1000 -y y --save-folds out.csv gen.csv
signalled HUP 1 'cv --save-predictions, SIGHUP: no predictions file left' \
	cv -q -k 5 --repeat 1000 -y y --save-predictions out.csv gen.csv
signalled TERM 15 'predict -o on an endless stdin, SIGTERM: no predictions file left' \
	predict -m gen.focal -o out.csv -
