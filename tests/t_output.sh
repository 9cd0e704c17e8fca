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
