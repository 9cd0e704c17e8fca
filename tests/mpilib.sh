# tests/mpilib.sh: sourced by the focal-mpi tests (tests/t_mpi*.sh) after lib.sh: skips
# the script where focal-mpi or mpirun is missing, and gives the comparisons with focal.

MPIBIN=$ROOT/focal-mpi
case $BIN in
*-asan | *-tsan)
	echo "# skipped: focal-mpi is tested against the plain build only"
	exit 0 ;;
esac
if [ ! -x "$MPIBIN" ]; then
	echo "# skipped: focal-mpi is not built (make mpi needs mpicc: libopenmpi-dev)"
	exit 0
fi
if ! command -v mpirun >/dev/null 2>&1; then
	echo "# skipped: no mpirun (openmpi-bin)"
	exit 0
fi
# as root, Open MPI wants to be told; shared memory only, no probing for networks
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM OMPI_MCA_btl
export OMPI_MCA_rmaps_base_oversubscribe

# fmpi N ARGS...: focal-mpi ARGS on N processes (two cores here: 4 oversubscribe them)
fmpi() {
	n=$1
	shift
	timeout 120 mpirun -q --oversubscribe -n "$n" "$MPIBIN" "$@"
}

# body MODEL: the model without what may differ (the command line, its checksum, and the
# objective and weights, compared to 1e-9 through the probabilities instead).
body() {
	grep -v '^command\|^crc32\|^objective\|^w ' "$1"
}

# same_fit A B DATA: models A and B have the same schema, objectives within 1e-9 and the
# same predictions on DATA, every probability within 1e-9 (relative, or 1e-12 absolute).
same_fit() {
	body "$1" > "$1.b" && body "$2" > "$2.b" && cmp "$1.b" "$2.b" &&
	close "$(sed -n 's/^objective //p' "$1")" "$(sed -n 's/^objective //p' "$2")" 1e-9 &&
	focal predict -q -m "$1" "$3" > "$1.p" && focal predict -q -m "$2" "$3" > "$2.p" &&
	paste -d '|' "$1.p" "$2.p" | awk -F'|' '
	{
		na = split($1, a, ","); nb = split($2, b, ",")
		if (na != nb) { print "line " NR ": " na " vs " nb " fields"; bad = 1; exit }
		for (i = 1; i <= na; i++) {
			if (a[i] == b[i]) continue
			if (a[i] !~ /^[-+0-9.eE]+$/) { print "line " NR ": " a[i] " vs " b[i]; bad = 1; exit }
			d = a[i] - b[i]; if (d < 0) d = -d
			m = b[i] < 0 ? -b[i] : b[i]
			if (d > 1e-9 * m && d > 1e-12) { print "line " NR ": " a[i] " vs " b[i]; bad = 1; exit }
		}
	}
	END { exit bad }'
}

# make_big: big.csv, 200,000 rows of three classes (x3 missing in every 97th row, a
# category of four values), in the current directory
make_big() {
	awk -v n=200000 'BEGIN {
		srand(7); split("red green blue grey", col, " ")
		print "x1,x2,x3,x4,x5,color,y"
		for (i = 1; i <= n; i++) {
			a = rand() * 2 - 1; b = rand() * 2 - 1; c = rand() * 10; d = int(rand() * 100)
			e = rand(); k = col[1 + int(rand() * 4)]
			s = 2 * a - b + 0.1 * c + (k == "red") + rand() * 1.5
			printf "%.6f,%.6f,%s,%d,%.4g,%s,%s\n", a, b, (i % 97 ? sprintf("%.3f", c) : "NA"), d, e,
			       k, (s > 2.6 ? "rare" : s > 1.2 ? "mid" : "common")
		}
	}' > big.csv
}

# same_report A B: two JSON reports with the same fields, every number within 1e-9
# (relative, or 1e-12 absolute) and every other value equal, the time taken aside.
same_report() {
	awk -f "$ROOT/tests/jsonflat.awk" "$1" | grep -v seconds > "$1.f" &&
	awk -f "$ROOT/tests/jsonflat.awk" "$2" | grep -v seconds > "$2.f" &&
	test -s "$1.f" && paste "$1.f" "$2.f" | awk -F'\t' '
	{
		if ($1 != $3) { print "field " $1 " vs " $3; bad = 1; exit }
		if ($2 == $4) next
		if ($2 !~ /^[-+0-9.eE]+$/) { print $1 ": " $2 " vs " $4; bad = 1; exit }
		d = $2 - $4; if (d < 0) d = -d
		m = $4 < 0 ? -$4 : $4
		if (d > 1e-9 * m && d > 1e-12) { print $1 ": " $2 " vs " $4; bad = 1; exit }
	}
	END { exit bad || NR == 0 }'
}

# flat FILE: the fields of a JSON document, a line each (the time taken aside)
flat() { awk -f "$ROOT/tests/jsonflat.awk" "$1" | grep -v seconds; }

# same_cv A B: cv JSON documents A and B hold the same values, every number within 1e-9
# (relative, or absolute); the JSON holds no wall time.
same_cv() {
	awk -f "$ROOT/tests/jsonflat.awk" "$1" > "$1.t" && awk -f "$ROOT/tests/jsonflat.awk" "$2" > "$2.t" &&
	test -s "$1.t" && awk -F '\t' '
	NR == FNR { a[$1] = $2; na++; next }
	{
		nb++
		if (!($1 in a)) { print "only in the second: " $1; bad = 1; next }
		x = a[$1]; y = $2
		if (x == y) next
		if (x !~ /^[-+0-9.eE]+$/ || y !~ /^[-+0-9.eE]+$/) { print $1 ": " x " vs " y; bad = 1; next }
		d = x - y; if (d < 0) d = -d
		m = y < 0 ? -y : y
		if (d > 1e-9 * m && d > 1e-9) { print $1 ": " x " vs " y; bad = 1 }
	}
	END { if (na != nb) { print na " vs " nb " values"; bad = 1 }; exit bad }' "$1.t" "$2.t"
}

# numbers_before N... -- ARGS: ns gets the Ns, nskip how many arguments to shift past "--"
numbers_before() {
	ns= nskip=1
	while [ "$1" != -- ]; do
		ns="$ns $1"
		nskip=$((nskip + 1))
		shift
	done
}

# cvs NAME N... -- ARGS: focal cv ARGS, then focal-mpi cv ARGS on each N processes, the
# same JSON each time
cvs() {
	name=$1
	shift
	numbers_before "$@"
	shift $nskip
	focal cv -q --format json "$@" > "$name.json" || return 1
	for n in $ns; do
		fmpi "$n" cv -q --format json "$@" > "$name-$n.json" &&
		same_cv "$name.json" "$name-$n.json" || { echo "on $n processes"; return 1; }
	done
}
