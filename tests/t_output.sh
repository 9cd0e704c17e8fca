# What focal writes: file modes, labels and names on a terminal, option messages, and
# focal info --coef.
. "$(dirname "$0")/lib.sh"

# ---- files get their mode from the umask (0666 less the umask), as any file a tool creates

# mode FILE: the permission string of FILE, as ls -l shows it ("-rw-r--r--")
mode() {
	ls -ln "$1" | cut -c 1-10
}

for u in 077 022 027; do
	case $u in
	077) want=-rw------- ;;
	022) want=-rw-r--r-- ;;
	027) want=-rw-r----- ;;
	esac
	expect_success "umask $u: the model file, gzip or not, is $want" "
		umask $u && focal train -q -y type -o u$u.focal \"\$DATA/glass.csv\" > /dev/null &&
		focal train -q -y type -o u$u.focal.gz \"\$DATA/glass.csv\" > /dev/null &&
		test \"\$(mode u$u.focal)\" = $want && test \"\$(mode u$u.focal.gz)\" = $want"
	expect_success "umask $u: predict -o and cv --save-folds files are $want" "
		umask $u && focal predict -m u$u.focal -o u$u.csv \"\$DATA/glass.csv\" &&
		focal cv -q -k 2 -y type --max-iter 5 --save-folds u$u.folds \"\$DATA/glass.csv\" > /dev/null &&
		test \"\$(mode u$u.csv)\" = $want && test \"\$(mode u$u.folds)\" = $want"
done
# ---- a device or a pipe as the output (-o /dev/null, a named pipe) is written, not replaced
# (a temporary file renamed over it would leave a plain file in its place)
focal train -q -y type -o fifo-ref.focal "$DATA/glass.csv" > /dev/null
focal predict -m fifo-ref.focal -o fifo-ref.csv "$DATA/glass.csv"
expect_success 'train -o, predict -o and --plot on a named pipe: the pipe gets the bytes, and stays' '
	mkfifo out.fifo &&
	{ timeout 20 cat out.fifo > got.focal & } &&
	focal train -q -y type -o out.fifo "$DATA/glass.csv" > /dev/null && wait &&
	grep -v "^command\|^crc32" got.focal > got.b && grep -v "^command\|^crc32" fifo-ref.focal > ref.b &&
	cmp got.b ref.b && focal info got.focal > /dev/null && test -p out.fifo &&
	{ timeout 20 cat out.fifo > got.csv & } &&
	focal predict -m fifo-ref.focal -o out.fifo "$DATA/glass.csv" && wait &&
	cmp got.csv fifo-ref.csv && test -p out.fifo &&
	mkfifo p.svg && { timeout 20 cat p.svg > got.svg & } &&
	focal eval -m fifo-ref.focal --plot p.svg "$DATA/glass.csv" > /dev/null && wait &&
	grep -q "</svg>" got.svg && test -p p.svg && ! ls ./*.tmp* 2> /dev/null'
expect_success 'train -o /dev/full: no space, status 1, and /dev/full is still a device' '
	focal train -q -y type -o /dev/full "$DATA/glass.csv" > /dev/null 2> full.err
	test $? -eq 1 && grep -q "^focal: /dev/full: No space left on device$" full.err &&
	test -c /dev/full'

expect_success 'a model written over an existing file takes the umask, not the old mode' '
	umask 077 && : > over.focal && chmod 0666 over.focal &&
	focal train -q -y type -o over.focal "$DATA/glass.csv" > /dev/null &&
	test "$(mode over.focal)" = -rw------- && ! ls over.focal.tmp* 2> /dev/null'

# ---- a bad option: one message naming it, then the hint; nothing from getopt itself

# bad_option WHAT MESSAGE COMMAND ARGS...: status 2, nothing on stdout, and on stderr
# exactly "focal: COMMAND: MESSAGE" and the hint to run COMMAND -h.
bad_option() {
	what=$1 msg=$2 cmd=$3
	shift 2
	focal "$@" > "$T/.out" 2> "$T/.err" < /dev/null
	got=$?
	printf 'focal: %s: %s\nfocal: run '\''focal %s -h'\'' for usage\n' "$cmd" "$msg" "$cmd" \
		> "$T/.want"
	if [ "$got" -eq 2 ] && ! [ -s "$T/.out" ] && cmp -s "$T/.want" "$T/.err"; then
		echo "ok - $what"
	else
		echo "not ok - $what (status $got)"
		sed 's/^/    # /' "$T/.err" | head -n 10
	fi
}

G=$DATA/glass.csv
for c in train predict eval cv info; do
	case $c in
	train) long=--lambda short=-y ;;
	predict) long=--threshold short=-m ;;
	eval) long=--truth short=-m ;;
	cv) long=--folds short=-k ;;
	info) long=--format short= ;;
	esac
	bad_option "$c: a long option without its value" "$long needs a value" $c "$G" $long
	bad_option "$c: an abbreviated long option without its value is named in full" \
		"$long needs a value" $c "$G" "$(printf %s "$long" | cut -c 1-5)"
	[ -n "$short" ] &&
		bad_option "$c: a short option without its value" "$short needs a value" $c "$G" $short
	bad_option "$c: an unknown long option" "unknown option '--foo'" $c --foo "$G"
	bad_option "$c: an unknown long option with a value" "unknown option '--foo'" $c --foo=1 "$G"
	bad_option "$c: an unknown short option" "unknown option '-Z'" $c -Z "$G"
	[ $c != info ] &&
		bad_option "$c: an unknown short option in a group" "unknown option '-Z'" $c -qZ "$G"
	bad_option "$c: a value given to an option that takes none" "--help takes no value" \
		$c --help=yes "$G"
done
bad_option 'an ambiguous abbreviation lists what it could be' \
	"option '--s' is ambiguous (--solver, --seed, --sample, --sample-ratio, --smote-k)" \
	train --s 1 "$G"
bad_option 'an unknown short option after a long one with =' "unknown option '-Z'" \
	train --format=json -Zq "$G"

# ---- labels, names and values on a terminal: control bytes escaped (\x1b), a backslash
# doubled; tsv, json and predict's CSV keep the bytes

# raw_controls FILE: FILE holds a control byte other than the line ends
raw_controls() {
	tr -d '\n' < "$1" | grep -q '[[:cntrl:]]'
}

ESC=$(printf '\033')
# classes "a<ESC>[31mred", "b\back" and "plain, ""q""" (quoted); a numeric column whose
# name sets the terminal title; a categorical column with a value holding byte 0x01
awk -v esc="$ESC" 'BEGIN {
	printf "x,n%s]0;pwned%sme,cat,y\n", esc, sprintf("%c", 7)
	for (i = 0; i < 90; i++) {
		c = i % 3
		y = c == 0 ? "a" esc "[31mred" : c == 1 ? "b\\back" : "\"plain, \"\"q\"\"\""
		v = c == 2 ? sprintf("v%c1", 1) : "w"
		printf "%.3f,%.3f,%s,%s\n", c + (i % 7) / 10, (i % 5) - c, v, y
	}
}' > ctl.csv
expect_success 'train table: labels and names escaped, no raw control byte' '
	focal train -q -o ctl.focal ctl.csv > out && ! raw_controls out &&
	grep -q "^a\\\\x1b\\[31mred " out && grep -q "^b\\\\\\\\back " out &&
	grep -q "^plain, \"q\" " out'
expect_success 'info table: labels, the feature name and a level escaped' '
	focal info ctl.focal > out && ! raw_controls out &&
	grep -q "^  n\\\\x1b\\]0;pwned\\\\x07me: numeric" out && grep -q " v\\\\x011" out &&
	grep -q "^a\\\\x1b\\[31mred " out'
expect_success 'eval and cv tables: labels escaped' '
	focal eval -m ctl.focal ctl.csv > out && ! raw_controls out &&
	grep -q "^a\\\\x1b\\[31mred " out &&
	focal cv -q -k 3 --class-weight "b\\back=2" ctl.csv > out && ! raw_controls out &&
	grep -q "b\\\\\\\\back=2" out && grep -q " a\\\\x1b\\[31mred " out'
expect_success 'an error quoting a field value escapes it' '
	sed "2s/^[^,]*/$ESC[2J/" ctl.csv > bad.csv &&
	! focal predict -m ctl.focal bad.csv > /dev/null 2> err && ! raw_controls err &&
	grep -q "^focal: bad.csv:2: column .x.: .\\\\x1b\\[2J. is not a number" err'
expect_success 'a warning quoting a label escapes it' '
	head -n 3 ctl.csv > few.csv && tail -n 60 ctl.csv >> few.csv &&
	focal cv -k 22 --max-iter 2 few.csv > /dev/null 2> err && ! raw_controls err &&
	grep -q "^focal: .*class .a\\\\x1b\\[31mred. has 21 rows, fewer than k=22" err'
expect_success 'an unknown option or command is quoted escaped' '
	! focal train "--x$ESC[5m" ctl.csv 2> err && ! raw_controls err &&
	grep -qx "focal: train: unknown option .--x\\\\x1b\\[5m." err &&
	! focal "$ESC[5m" 2> err && ! raw_controls err &&
	grep -qx "focal: no command .\\\\x1b\\[5m." err'
expect_success 'json: control bytes as \u00XX escapes (RFC 8259), backslash and quote escaped' '
	focal eval -m ctl.focal --format json ctl.csv > out && ! raw_controls out &&
	grep -q "\"a\\\\u001b\\[31mred\"" out && grep -q "\"b\\\\\\\\back\"" out &&
	grep -q "\"plain, \\\\\"q\\\\\"\"" out &&
	focal info --format json ctl.focal > out && ! raw_controls out &&
	grep -q "\"n\\\\u001b\\]0;pwned\\\\u0007me\"" out && grep -q "\"v\\\\u00011\"" out &&
	focal cv -q -k 3 --format json ctl.csv > out && ! raw_controls out &&
	grep -q "\"a\\\\u001b\\[31mred\"" out'
expect_success 'tsv keeps the bytes of labels' '
	focal eval -m ctl.focal --format tsv ctl.csv > out &&
	grep -q "^a$ESC\\[31mred	" out && grep -q "^b\\\\back	" out'
expect_success 'predict | eval --truth: the labels come back byte for byte' '
	focal predict -m ctl.focal --keep y ctl.csv > p.csv &&
	grep -q "^a$ESC\\[31mred,a$ESC\\[31mred," p.csv &&
	grep -q "^\"plain, \"\"q\"\"\",\"plain, \"\"q\"\"\"," p.csv &&
	focal eval -m ctl.focal --format json ctl.csv > a.json &&
	focal eval --truth y --format json p.csv > b.json &&
	grep -o "\"classes\":\[[^]]*\]" a.json > a.cls && grep -o "\"classes\":\[[^]]*\]" b.json > b.cls &&
	cmp a.cls b.cls && test "$(json_num accuracy a.json)" = "$(json_num accuracy b.json)" &&
	test "$(json_num log_loss a.json)" = "$(json_num log_loss b.json)"'

# ---- focal info --coef: the weights, enough to recompute every probability

# recompute MODEL DATA: probabilities from info --coef --format tsv (and the means of
# info --format tsv) with awk on the raw rows equal predict's p_ columns to 1e-9
recompute() {
	focal info --coef --format tsv "$1" > c.tsv && focal info --format tsv "$1" > i.tsv &&
	focal predict -m "$1" "$2" > p.csv &&
	awk -F, -v tol=1e-9 -f "$ROOT/tests/coef.awk" c.tsv i.tsv "$2" p.csv
}
expect_success 'info --coef --format tsv: the header and one row per class, feature and level' '
	focal train -q -y type -o glass.focal "$DATA/glass.csv" > /dev/null &&
	focal info --coef --format tsv glass.focal > c.tsv &&
	head -n 1 c.tsv | grep -qx "class	feature	level	weight	weight_raw" &&
	test "$(wc -l < c.tsv)" -eq $((1 + 6 * 10)) &&
	awk -F"\t" "NR > 1 && (NF != 5 || \$3 != \"\") { exit 1 }" c.tsv &&
	grep -q "^building_float	(intercept)		" c.tsv && grep -q "^tableware	fe		" c.tsv'
expect_success 'softmax (glass): the coefficients give predict'"'"'s probabilities' '
	recompute glass.focal "$DATA/glass.csv"'
expect_success 'softmax, focal loss, balanced, --no-standardize (glass): the same' '
	focal train -q -y type --loss focal --class-weight balanced --no-standardize \
		-o glass2.focal "$DATA/glass.csv" > /dev/null &&
	recompute glass2.focal "$DATA/glass.csv" &&
	focal info --coef --format tsv glass2.focal | awk -F"\t" "NR > 1 && \$4 != \$5 { exit 1 }"'
expect_success 'logistic, categorical with missing votes (house-votes): positive class only' '
	focal train -q -y party -o votes.focal "$DATA/house-votes-84.csv" > /dev/null &&
	recompute votes.focal "$DATA/house-votes-84.csv" &&
	focal info --coef --format tsv votes.focal > c.tsv &&
	test "$(cut -f 1 c.tsv | sort -u | tr "\n" " ")" = "class republican " &&
	grep -q "^republican	vote4	y	" c.tsv && grep -q "^republican	vote4	n	" c.tsv'
expect_success 'logistic, numeric with missing values, dropped id (breast-cancer): the same' '
	focal train -q --drop id -o bcw.focal "$DATA/breast-cancer-wisconsin.csv" > /dev/null &&
	recompute bcw.focal "$DATA/breast-cancer-wisconsin.csv"'
expect_success 'logistic, 30 numeric columns (wdbc): the same' '
	focal train -q -y diagnosis -o wdbc.focal "$DATA/wdbc.csv" > /dev/null &&
	recompute wdbc.focal "$DATA/wdbc.csv"'
expect_success 'info --coef: table and json hold the same rows' '
	focal info --coef glass.focal > t.out && head -n 1 t.out | grep -q "^class  *feature  *level  *weight  *weight_raw$" &&
	test "$(wc -l < t.out)" -eq 61 && grep -q "^tableware  *(intercept)  " t.out &&
	focal info --coef --format json glass.focal > j.out &&
	test "$(grep -o "\"weight_raw\":" j.out | wc -l)" -eq 60 &&
	grep -q "^{\"model\":\"softmax\",\"coefficients\":\[{\"class\":\"building_float\",\"feature\":\"(intercept)\",\"level\":null,\"weight\":" j.out &&
	focal info --coef --format tsv glass.focal | awk -F"\t" "NR > 1 { print \$5 }" > want &&
	grep -o "\"weight_raw\":[^}]*" j.out | cut -d: -f2 > got && cmp want got'
