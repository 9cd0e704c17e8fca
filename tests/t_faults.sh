# Machine faults: every allocation failing from the N-th on, for every N up to the first
# run that succeeds, in train, predict, eval and cv.  Each failing run must end with status
# 1 and one "focal: ..." line, and leave no file behind (no model, no predictions, no folds,
# no temporary file).  Then twelve writers of one model, SIGKILL during a write, and a full
# disk (a small tmpfs, where mounting one is allowed).  Runs on the plain build only: the
# sanitizers' own allocator does not go through the library that makes malloc fail.
. "$(dirname "$0")/lib.sh"

SHIM=$ROOT/tests/failalloc.so
case $BIN in
*-asan)
	echo "# skipped on $BIN: AddressSanitizer replaces malloc, so LD_PRELOAD cannot fail it"
	exit 0 ;;
esac
if [ ! -f "$SHIM" ]; then
	echo "not ok - $SHIM is built (make tests/failalloc.so)"
	exit 0
fi
focal train -q -y type -o g.focal "$DATA/glass.csv" > /dev/null
head -n 121 "$DATA/wdbc.csv" > small.csv

# sweep NAME ARGS...: runs focal ARGS (outputs under w/) with allocations failing after
# N = 0, 1, ... until a run succeeds; reports the runs and each one that misbehaved.
sweep() {
	name=$1
	shift
	n=0 bad=0
	while :; do
		rm -rf w && mkdir w
		FOCAL_FAIL_AFTER=$n LD_PRELOAD=$SHIM $BIN "$@" > w/.out 2> w/.err < /dev/null
		rc=$?
		[ $rc -eq 0 ] && break
		left=$(ls w)
		if [ $rc -ne 1 ] || [ -n "$left" ] || [ "$(wc -l < w/.err)" -ne 1 ] ||
			! grep -q '^focal: ' w/.err; then
			bad=$((bad + 1))
			[ $bad -le 3 ] && echo "    # N=$n: status $rc, left [$left]: $(head -c 120 w/.err)"
		fi
		n=$((n + 1))
		[ $n -gt 20000 ] && { echo "    # no success after $n runs"; bad=$((bad + 1)); break; }
	done > sweep.log
	if [ $bad -eq 0 ] && [ $n -gt 0 ]; then
		echo "ok - $name: $n runs with allocations failing, each status 1, one message, nothing left behind"
	else
		echo "not ok - $name: $bad of $n runs misbehaved"
		cat sweep.log
	fi
}

sweep 'train -o (smote)' train -q -y type --sample smote -o w/m.focal "$DATA/glass.csv"
sweep 'train -o (tuned, gzip)' train -q -y diagnosis --tune-decision mcc --tune-folds 2 \
	-o w/m.focal.gz small.csv
sweep 'train -o (over+under, plot)' train -q -y type --sample over+under -o w/m.focal \
	--plot w/m.svg "$DATA/glass.csv"
sweep 'predict -o' predict -m g.focal -o w/p.csv "$DATA/glass.csv"
sweep 'eval -m' eval -m g.focal "$DATA/glass.csv"
sweep 'cv --save-folds --save-predictions' cv -q -k 3 -y type --sample none,over \
	--save-folds w/f.csv --save-predictions w/p.csv "$DATA/glass.csv"

# Twelve writers of one model at once: the file is one of theirs, whole, and no temporary
# file is left.
expect_success 'twelve concurrent train -o of one model: one whole model, no temporary file left' '
	mkdir -p cw && i=0 &&
	while [ $i -lt 12 ]; do
		$BIN train -q -y type --seed $i --sample over -o cw/m.focal "$DATA/glass.csv" > /dev/null &
		i=$((i + 1))
	done; wait &&
	focal info cw/m.focal > /dev/null && test "$(ls cw)" = m.focal'

# SIGKILL at several points of a run that writes a model over an old one: a whole model stays.
cp "$DATA/wdbc.csv" kill.csv
i=0
while [ $i -lt 30 ]; do tail -n +2 "$DATA/wdbc.csv" >> kill.csv; i=$((i + 1)); done
focal train -q -y diagnosis -o k.focal "$DATA/wdbc.csv" > /dev/null
cp k.focal k.old
expect_success 'SIGKILL at four points of a train -o over an existing model: the file is always a whole model' '
	for delay in 0.05 0.1 0.2 0.3; do
		$BIN train -q -y diagnosis --tune-decision mcc -o k.focal kill.csv > /dev/null 2>&1 &
		pid=$! && sleep $delay && kill -9 $pid 2> /dev/null; wait $pid 2> /dev/null
		focal info k.focal > /dev/null || exit 1
	done'

# A disk that fills up: a small tmpfs, where the system lets this user mount one.
if mkdir -p small && mount -t tmpfs -o size=64k tmpfs small 2> /dev/null; then
	trap 'umount "$T/small" 2> /dev/null; rm -rf "$T"' EXIT INT TERM
	# ten times glass: about 300 KB of predictions
	{ cat "$DATA/glass.csv"; for r in 1 2 3 4 5 6 7 8 9; do tail -n +2 "$DATA/glass.csv"; done; } > g10.csv
	expect_error 1 'No space left on device' 'predict -o on a full disk: status 1, the reason' \
		predict -m g.focal -o small/p.csv g10.csv
	expect_success 'predict -o and train -o on a full disk leave no file' '
		! $BIN predict -m g.focal -o small/p.csv g10.csv 2> /dev/null && test -z "$(ls small)" &&
		{ cat /dev/zero > small/fill; } 2> /dev/null; test -s small/fill &&
		! $BIN train -q -y type -o small/m.focal "$DATA/glass.csv" > /dev/null 2>&1 &&
		test "$(ls small)" = fill'
	umount small
else
	echo "# skipped: cannot mount a small tmpfs here (not root, or no permission), so no full-disk test"
fi
