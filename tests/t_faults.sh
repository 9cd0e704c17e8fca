# Machine faults: every allocation failing from the N-th on, for every N up to the first
# run that succeeds, in train, predict, eval and cv.  Each failing run must end with status
# 1 and one "focal: ..." line, and leave no file behind (no model, no predictions, no folds,
# no temporary file).  Runs on the plain build only: the sanitizers' own allocator does
# not go through the library that makes malloc fail.
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
sweep 'predict -o' predict -m g.focal -o w/p.csv "$DATA/glass.csv"
sweep 'eval -m' eval -m g.focal "$DATA/glass.csv"
sweep 'cv --save-folds --save-predictions' cv -q -k 3 -y type --sample none,over \
	--save-folds w/f.csv --save-predictions w/p.csv "$DATA/glass.csv"
