# Each command's options as -h lists them and as man/focal-CMD.1 documents them are the
# same options, with the same short letters and the same need for a value; the page's
# SYNOPSIS names each of them, by its short letter or its long name; and getopt takes
# each of them as -h shows it.
. "$(dirname "$0")/lib.sh"

# help_opts CMD: "NAME SHORT ARG" for each option of `focal CMD -h` ("-" for no short
# letter or no value).
help_opts() {
	focal "$1" -h |
		sed -nE 's/^  (-([A-Za-z]), |    )--([a-z][a-z0-9-]*)( ([A-Z][A-Z]*))?  .*/\3 s=\2 a=\5/p' |
		awk '{ print $1, ($2 == "s=" ? "-" : substr($2, 3)), ($3 == "a=" ? "-" : "ARG") }' | sort
}

# man_opts PAGE: the same from the .It lines of PAGE that name options (".It Fl q , Fl -quiet",
# ".It Fl -solver Ar solver , Fl -tol Ar t"): a short letter goes with the long name
# after it on the same line.
man_opts() {
	awk '
	/^\.It Fl / {
		line = substr($0, 5); short = "-"
		n = split(line, items, / , /)
		for (i = 1; i <= n; i++) {
			m = split(items[i], w, " ")
			if (w[1] != "Fl") continue
			arg = (m >= 3 && w[3] == "Ar") ? "ARG" : "-"
			name = w[2]; sub(/^\\?-/, "", name)
			if (w[2] ~ /^\\?-/) { print name, short, arg; short = "-" }
			else short = name
		}
	}' "$1" | sort -u
}

# synopsis_opts PAGE: what the SYNOPSIS of PAGE names after each Fl, a long name or a
# group of short letters ("Fl hq"), one a line: "--name" or "-h".
synopsis_opts() {
	awk '/^\.Sh / { syn = ($0 == ".Sh SYNOPSIS"); next }
	syn {
		for (i = 1; i < NF; i++) {
			if ($i != "Fl" && $i != ".Fl") continue
			w = $(i + 1)
			if (w ~ /^\\?-/) { sub(/^\\?-/, "", w); print "--" w }
			else for (j = 1; j <= length(w); j++) print "-" substr(w, j, 1)
		}
	}' "$1" | sort -u
}

for c in train predict eval cv info; do
	page=$ROOT/man/focal-$c.1
	help_opts $c > "$T/$c.help"
	man_opts "$page" > "$T/$c.man"
	expect_success "$c: -h lists options, each once" '
		test $(wc -l < "$T/$c.help") -ge 3 && test -z "$(cut -d" " -f1 "$T/$c.help" | uniq -d)"'
	expect_success "$c: every option of -h is in focal-$c.1, with its short letter and value" '
		diff "$T/$c.help" "$T/$c.man" > "$T/$c.diff"; s=$?
		[ $s -eq 0 ] || { echo "< focal '$c' -h, > focal-'$c'.1:"; cat "$T/$c.diff"; }
		[ $s -eq 0 ]'
	expect_success "$c: every option of focal-$c.1 is in -h" '
		cut -d" " -f1 "$T/$c.man" | while read -r name; do
			grep -q "^$name " "$T/$c.help" || { echo "--$name is not in -h"; exit 1; }
		done'
	synopsis_opts "$page" > "$T/$c.syn"
	expect_success "$c: the SYNOPSIS of focal-$c.1 names every option of -h, and no other" '
		while read -r name short arg; do
			grep -qx -- "--$name" "$T/$c.syn" || grep -qx -- "-$short" "$T/$c.syn" ||
				{ echo "--$name is not in the SYNOPSIS"; exit 1; }
		done < "$T/$c.help"
		while read -r o; do
			case $o in
			--*) grep -q "^${o#--} " "$T/$c.help" ;;
			*) grep -q "^[^ ]* ${o#-} " "$T/$c.help" ;;
			esac || { echo "$o of the SYNOPSIS is not in -h"; exit 1; }
		done < "$T/$c.syn"'
	while read -r name short arg; do
		if [ "$arg" = ARG ]; then
			expect_success "$c: getopt takes --$name VALUE, and wants the value" '
				focal $c --$name=1 -h > /dev/null 2> "$T/err"
				! grep -Eq "unknown option|is ambiguous|takes no value|needs a value" "$T/err" &&
				! focal $c --$name 2> "$T/err" && grep -q -- "--$name needs a value" "$T/err"'
		else
			expect_success "$c: getopt takes --$name, and no value" '
				focal $c --$name -h > /dev/null 2> "$T/err"
				! grep -Eq "unknown option|is ambiguous|takes no value|needs a value" "$T/err" &&
				! focal $c --$name=1 2> "$T/err" && grep -q -- "--$name takes no value" "$T/err"'
		fi
		if [ "$short" != - ]; then
			expect_success "$c: getopt takes -$short as --$name" '
				focal $c -$short 2> "$T/err" > /dev/null
				! grep -q "unknown option" "$T/err"'
		fi
	done < "$T/$c.help"
done
