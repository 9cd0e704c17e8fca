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
