# The text scripts and users read, pinned byte for byte: each command's -h, a few usage
# errors, and the table reports of train and eval on the bundled glass and wdbc data.
# tests/expect/NAME.out holds the expected stdout and NAME.err the expected stderr (no
# file: nothing written); the exit status is given below.  The seconds a fit took
# change from run to run, and the last digits of where the solver stopped from one
# machine to another (the float pass is AVX2's or portable C's): train's "seconds" and
# "gradient norm" lines are replaced by "*", and its objective is kept to 6 decimals
# (tests/t_golden.sh holds the optimum itself), before the comparison.
#
# After a deliberate change of the text, TEXT_UPDATE=1 sh tests/t_text.sh writes what the
# build prints into tests/expect/; read the diff before committing it.
. "$(dirname "$0")/lib.sh"

EXPECT=$ROOT/tests/expect

# text NAME STATUS ARGS...: focal ARGS exits with STATUS and writes exactly
# tests/expect/NAME.out on stdout and tests/expect/NAME.err on stderr.
text() {
	name=$1 want=$2
	shift 2
	focal "$@" > "$T/out" 2> "$T/err" < /dev/null
	got=$?
	sed -e 's/^seconds  *[0-9.e+-]*$/seconds        */' \
		-e 's/^gradient norm  *[0-9.e+-]*$/gradient norm  */' \
		-e 's/^\(objective  *[0-9]*\.[0-9]\{6\}\)[0-9]*$/\1*/' "$T/out" > "$T/$name.out"
	mv "$T/err" "$T/$name.err"
	if [ "${TEXT_UPDATE:-0}" = 1 ]; then
		for s in out err; do
			if [ -s "$T/$name.$s" ]; then
				cp "$T/$name.$s" "$EXPECT/$name.$s"
			else
				rm -f "$EXPECT/$name.$s"
			fi
		done
	fi
	: > "$T/why"
	[ "$got" -eq "$want" ] || echo "status $got, want $want" >> "$T/why"
	for s in out err; do
		if [ -f "$EXPECT/$name.$s" ]; then
			cmp -s "$EXPECT/$name.$s" "$T/$name.$s" ||
				diff -u "$EXPECT/$name.$s" "$T/$name.$s" | head -n 20 >> "$T/why"
		elif [ -s "$T/$name.$s" ]; then
			{ echo "unexpected std$s:"; head -n 5 "$T/$name.$s"; } >> "$T/why"
		fi
	done
	if [ -s "$T/why" ]; then
		echo "not ok - $name: focal $*"
		sed 's/^/    # /' "$T/why"
	else
		echo "ok - $name: focal $*"
	fi
}

# usage
text help 0 help
for c in train predict eval cv info; do
	text help-$c 0 $c -h
done

# usage errors: one message naming the option or the value, then the hint
text error-unknown-long 2 train --foo "$DATA/glass.csv"
text error-unknown-short 2 predict -Z -m m.focal
text error-missing-value 2 train --lambda
text error-missing-short-value 2 cv -k
text error-bad-number 2 train --gamma x "$DATA/glass.csv"
text error-bad-word 2 eval --format xml --truth a x.csv
text error-ambiguous 2 cv --s 1 "$DATA/glass.csv"
text error-takes-no-value 2 info --coef=1 m.focal
text error-no-command 2 nope

# reports (the data sets are named relative to the source tree in the reports)
cd "$ROOT" || exit 1
text train-glass 0 train -q -y type --threads 1 -o "$T/glass.focal" datasets/glass.csv
text eval-glass 0 eval -m "$T/glass.focal" datasets/glass.csv
focal train -q -y diagnosis -o "$T/wdbc.focal" datasets/wdbc.csv > /dev/null
text eval-wdbc 0 eval -m "$T/wdbc.focal" datasets/wdbc.csv
