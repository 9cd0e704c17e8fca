# The manual pages: mandoc finds nothing to warn about, and every command of every
# EXAMPLES section runs.  An example command is a line that begins with "$ " inside a
# literal display (.Bd -literal ... .Ed) of the EXAMPLES section; other lines of the
# display are sample output and are not checked.  The commands of one page run in
# order, in a directory of their own, so a model written by one is there for the next;
# " datasets/" becomes " $DATA/", so examples are written as run from the source tree.
. "$(dirname "$0")/lib.sh"

# examples PAGE: the example commands of PAGE, one a line, roff escapes undone.
examples() {
	awk '
	/^\.Sh / { inex = ($0 == ".Sh EXAMPLES"); next }
	inex && /^\.Bd -literal/ { lit = 1; next }
	/^\.Ed/ { lit = 0; next }
	inex && lit && /^\$ / {
		s = substr($0, 3); out = ""
		while ((i = index(s, "\\")) > 0) {
			c = substr(s, i + 1, 1)
			out = out substr(s, 1, i - 1)
			if (c == "e") out = out "\\"
			else if (c == "-") out = out "-"
			else if (c != "&") out = out "\\" c
			s = substr(s, i + 2)
		}
		out = out s
		gsub(/ datasets\//, " \"$DATA\"/", out)
		print out
	}' "$1"
}

for page in "$ROOT"/man/*.[1-9]; do
	name=$(basename "$page")
	if command -v mandoc >/dev/null 2>&1; then
		expect_success "$name: mandoc -Tlint -Wwarning is silent" '
			out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
			[ -z "$out" ] || { printf "%s\n" "$out"; false; }'
	fi
	examples "$page" > "$T/.examples"
	if [ "$name" = focal-mpi.1 ]; then
		# run with the focal-mpi beside focal, when it is built and mpirun is there
		if [ ! -x "$ROOT/focal-mpi" ] || ! command -v mpirun >/dev/null 2>&1; then
			echo "# skipped: the examples of $name (no focal-mpi or mpirun)"
			continue
		fi
		sed 's| focal-mpi | "$ROOT/focal-mpi" |' "$T/.examples" > "$T/.ex" &&
			mv "$T/.ex" "$T/.examples"
		OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
		OMPI_MCA_rmaps_base_oversubscribe=1
		export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM OMPI_MCA_btl
		export OMPI_MCA_rmaps_base_oversubscribe
	fi
	expect_success "$name: has examples" 'test -s "$T/.examples"'
	mkdir -p "$T/$name" && cd "$T/$name" || exit 1
	n=0
	while IFS= read -r cmd <&3; do
		n=$((n + 1))
		# (backslashes left out of the label: some echo commands read them)
		expect_success "$name: example $n: $(printf '%s\n' "$cmd" | tr -d '\\')" \
			"$cmd" </dev/null
	done 3< "$T/.examples"
	cd "$T" || exit 1
done
