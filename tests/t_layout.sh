# The structure the layout in README promises, checked so that it stays true: the core
# library holds no command code, threads are started by the pool only, standard output is
# closed in one place, and each shared output helper is defined once.
. "$(dirname "$0")/lib.sh"
SRC=$ROOT/src

# The library beside the focal under test (libfocal.a, or libfocal-asan.a for focal-asan).
case $BIN in
*-asan) LIB=$ROOT/libfocal-asan.a ;;
*) LIB=$ROOT/libfocal.a ;;
esac

expect_success "$(basename "$LIB") holds the core only: no cmd_*, cli, fitcli, options or focal objects" '
	test -s "$LIB" && ar t "$LIB" > members && test -s members &&
	! grep -E "^(cmd_.*|cli|fitcli|options|focal)\.(asan\.)?o$" members'

expect_success "$(basename "$LIB") defines no cmd_ or cli_ functions" '
	nm -g --defined-only "$LIB" > syms && test -s syms &&
	! grep -E " T (cmd_|cli_|usage_)" syms'

# FILES... that match the extended regular expression PATTERN, outside the ALLOWED ones
# (basenames); prints them.
outside() {
	pat=$1 allowed=$2
	grep -lE "$pat" "$SRC"/*.c "$SRC"/*.h | while read -r f; do
		case " $allowed " in
		*" $(basename "$f") "*) ;;
		*) echo "$f" ;;
		esac
	done
}

expect_success 'threads are started by the pool only (src/pool.c)' '
	out=$(outside "pthread_create" "pool.c") && test -z "$out" ||
	{ echo "pthread_create in: $out"; false; }'

expect_success 'standard output is closed only in src/focal.c (or src/cli.c)' '
	out=$(outside "fclose\(stdout\)" "focal.c cli.c") && test -z "$out" ||
	{ echo "fclose(stdout) in: $out"; false; }'

expect_success 'command files parse options and print: none is over 600 lines' '
	for f in "$SRC"/cmd_*.c; do
		n=$(wc -l < "$f") && echo "$(basename "$f"): $n lines" && test "$n" -le 600 || exit 1
	done'

expect_success 'the core never calls the command side (no cli_, cmd_ or fitargs_ calls)' '
	for f in "$SRC"/*.c; do
		case $(basename "$f") in cmd_*|cli.c|fitcli.c|options.c|cvrefit.c|focal.c|mpi.c) continue ;; esac
		if grep -nE "\\b(cli|cmd|fitargs)_[a-z_]+\(" "$f"; then echo "in $f"; exit 1; fi
	done'

expect_success 'train and cv fit through fit_tuned (fit_rows, then calibration and decision), and the cv engine is in the core' '
	grep -q "fit_tuned(" "$SRC/cmd_train.c" && grep -q "fit_tuned(" "$SRC/cv.c" &&
	grep -q "fit_rows(" "$SRC/tune.c" && ! grep -qE "[^_a-z]fit_rows\(" "$SRC/cmd_train.c" &&
	grep -q "cv_run(" "$SRC/cmd_cv.c" &&
	! grep -qE "[^_a-z](train|fit_rows|fit_tuned)\(" "$SRC/cmd_cv.c"'

# The functions src/output.h declares, one a line.
awk '/^[a-z].*[ *][a-z_0-9]+\(/ {
	s = $0; sub(/\(.*/, "", s); sub(/.*[ *]/, "", s); print s }' "$SRC/output.h" > helpers
expect_success 'src/output.h declares the shared output helpers' '
	for h in json_string json_number json_field tsv_label tsv_number csv_put esc_put \
		esc_dup grid_print warn_skipped_rows outfmt_parse; do
		grep -qx "$h" helpers || { echo "missing: $h"; exit 1; }
	done'

# defs NAME: the definitions of function NAME in src/*.c (a line that starts with its
# type and name, static or not, and is not a declaration), as FILE:LINE.
defs() {
	grep -nE "^[a-z][a-z_0-9 *]*[ *]$1\(" "$SRC"/*.c | grep -v ';[[:space:]]*$' |
		sed "s|^$SRC/||; s|:\([0-9]*\):.*|:\1|"
}

while read -r h; do
	expect_success "$h is defined once, in src/output.c" "
		d=\$(defs $h) && test \"\$d\" = \"output.c:\${d#output.c:}\" &&
		test \$(printf '%s\n' \"\$d\" | wc -l) -eq 1 || { echo \"$h: \$d\"; false; }"
done < helpers

expect_success 'ends_with is defined once, in src/util.c' '
	test "$(defs ends_with | sed "s/:.*//")" = util.c'
expect_success 'model.c has no TSV writer of its own (tsv_put)' 'test -z "$(defs tsv_put)"'
expect_success 'the atomic writer is src/outfile.c alone (rename over the target)' '
	out=$(outside "rename\(" "outfile.c") && test -z "$out" ||
	{ echo "rename in: $out"; false; }'
