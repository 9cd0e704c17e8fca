# tests/lib.sh: sourced by every tests/t_*.sh.  Each check prints "ok - WHAT" or
# "not ok - WHAT"; tests/run counts them.  Set VALGRIND=1 to run focal under valgrind.
set -u
LC_ALL=C
export LC_ALL
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$ROOT/datasets
GOLDEN=$ROOT/tests/golden
BIN=${FOCAL_BIN:-$ROOT/focal}
if [ "${VALGRIND:-0}" = 1 ]; then
	FOCAL="valgrind -q --error-exitcode=99 --leak-check=full $BIN"
else
	FOCAL=$BIN
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
cd "$T" || exit 1

focal() {
	$FOCAL "$@"
}

# expect_success WHAT CODE: CODE (shell) must succeed.
expect_success() {
	if (eval "$2") >"$T/.out" 2>&1; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		sed 's/^/    # /' "$T/.out" | head -n 20
	fi
}

# expect_error STATUS PATTERN WHAT ARGS...: focal ARGS must exit with STATUS, print
# nothing on stdout... only "focal: " lines on stderr, one matching PATTERN (grep -E).
expect_error() {
	want=$1 pat=$2 what=$3
	shift 3
	focal "$@" >"$T/.out" 2>"$T/.err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ] && grep -q '^focal: ' "$T/.err" && grep -Eq -- "$pat" "$T/.err"; then
		echo "ok - $what"
	else
		echo "not ok - $what (status $got, want $want)"
		sed 's/^/    # /' "$T/.err" | head -n 10
	fi
}

# json_num KEY FILE: the first number after "KEY": in FILE.
json_num() {
	grep -o "\"$1\": *[-0-9.eE+]*" "$2" | head -n 1 | sed 's/.*: *//'
}

# close A B REL: |A - B| <= REL * |B|.
close() {
	awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d;
		m = b < 0 ? -b : b; exit !(d <= r * m) }'
}
