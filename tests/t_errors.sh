# Bad input gets "focal: file:line: what" on stderr, exit status 1 (data) or 2 (usage),
# and never a partial output file.
. "$(dirname "$0")/lib.sh"

printf 'a,b,y\n1,2,x\n3,4,z\n5,6,x\n' > ok.csv
focal train -q -o good.focal ok.csv > /dev/null

: > empty.csv
expect_error 1 'empty.csv: empty file' 'empty file' train -o m1 empty.csv
printf 'a,b,y\n' > header.csv
expect_error 1 'header.csv: no data rows' 'header only' train -o m1 header.csv
printf 'a,b,y\n1,2,x\n3,4\n5,6,z\n' > ragged.csv
expect_error 1 'ragged.csv:3: expected 3 fields, found 2' 'ragged row' train -o m1 ragged.csv
printf 'a,b,y\r1,2,x\r3,4,z\r5,6\r' > ragged-cr.csv
expect_error 1 'ragged-cr.csv:4: expected 3 fields, found 2' 'ragged row, CR line endings' \
	train -o m1 ragged-cr.csv
expect_error 1 "ok.csv:1: no column 'label' for the target" 'target column missing' \
	train -y label -o m1 ok.csv
printf 'a,b,y\n1,2,x\n3,4,x\n' > single.csv
expect_error 1 "single class \('x'\)" 'single class' train -o m1 single.csv
for bad in inf -Infinity 1e999; do
	printf 'a,b,y\n1,2,x\n%s,4,z\n5,6,x\n' "$bad" > inf.csv
	expect_error 1 "inf.csv:3: column 'a': '$bad' is not a finite number" "non-finite $bad" \
		train -o m1 inf.csv
done
# features are held as 32-bit floats: a finite number beyond them is refused where it is
for bad in 1e39 -3.5e38; do
	printf 'a,b,y\n1,2,x\n3,4,z\n%s,6,x\n' "$bad" > huge.csv
	expect_error 1 "huge.csv:4: column 'a': '$bad' is out of range" "out of range $bad" \
		train -o m1 huge.csv
done
printf 'a,b,y\n3e37,2,x\n-9e37,4,z\n5,6,x\n' > large.csv
expect_success 'numbers up to 1e38 train' 'focal train -q -o large.focal large.csv'
printf 'a,b,y\n1,"2,x\n' > quote.csv
expect_error 1 'quote.csv:[0-9]+: malformed CSV' 'unterminated quote' train -o m1 quote.csv
printf 'a,b,y\n1,2,x\n' > /dev/null
awk 'BEGIN { print "a,b,y"; for (i = 0; i < 20000; i++) print i "," i * 2 "," (i % 3 ? "x" : "z") }' |
	gzip -c > big.csv.gz
head -c 20000 big.csv.gz > cut.csv.gz
expect_error 1 'cut.csv.gz:[0-9]+: truncated or corrupt gzip data' 'truncated gzip' \
	train -o m1 cut.csv.gz
expect_error 1 'no-such.csv: No such file' 'missing file' train -o m1 no-such.csv
expect_success 'no partial model file after errors' '! ls m1* 2>/dev/null | grep -q .'

# at predict time
printf 'a,b,y\n1,2,x\nabc,4,z\n' > text.csv
expect_error 1 "text.csv:3: column 'a': 'abc' is not a number" 'text in a numeric column' \
	predict -m good.focal text.csv
printf 'b,y\n2,x\n' > nocol.csv
expect_error 1 "nocol.csv:1: column 'a' of the model is missing" 'missing feature column' \
	predict -m good.focal nocol.csv
cp good.focal edited.focal
sed -i 's/^lambda .*/lambda 0.5/' edited.focal
expect_error 1 'edited.focal: checksum mismatch' 'edited model file' predict -m edited.focal ok.csv
# one byte changed, anywhere in the weights
awk '/^w / && !done { sub(/1/, "2"); done = 1 } { print }' good.focal > byte.focal
expect_success 'the byte edit changed the file' '! cmp -s good.focal byte.focal'
expect_error 1 'byte.focal: checksum mismatch' 'model with one byte changed' predict -m byte.focal ok.csv
head -c 200 good.focal > short.focal
expect_error 1 'short.focal: truncated model file' 'truncated model' info short.focal
echo 'hello' > notmodel.focal
expect_error 1 'notmodel.focal: not a focal model file' 'not a model' info notmodel.focal

# An edited model file with a correct checksum must still be refused, line and all.
# resum FILE: replaces FILE's crc32 line with the right one (gzip's trailer holds it).
resum() {
	grep -v '^crc32 ' "$1" > "$1.body"
	sum=$(gzip -c < "$1.body" | tail -c 8 | od -An -tx1 -N4 | awk '{ print $4 $3 $2 $1 }')
	{ cat "$1.body"; echo "crc32 $sum"; } > "$1"
	rm -f "$1.body"
}
cp good.focal resum.focal
resum resum.focal
expect_success 'resum reproduces the checksum of an unedited file' 'cmp good.focal resum.focal'
sed 's/^features .*/features 2/' good.focal > nodim.focal
resum nodim.focal
expect_error 1 'nodim.focal:[0-9]+: corrupt model file: expected a count' \
	'features line without the width' info nodim.focal
# A count the rest of the file cannot hold is refused before anything is allocated for it.
printf 'a,c,y\n1,p,x\n2,q,z\n3,p,x\n' > cat.csv
focal train -q -o cat.focal cat.csv > /dev/null
sed 's/^classes 2$/classes 999999/' cat.focal > counts1.focal
sed 's/^features 2 3$/features 9999999 3/' cat.focal > counts2.focal
sed 's/^categorical "c" 2 /categorical "c" 99999999 /' cat.focal > counts3.focal
grep -v '^w ' cat.focal > counts4.focal
for f in counts1 counts2 counts3 counts4; do
	resum $f.focal
done
expect_error 1 'counts1.focal:15: corrupt model file: more classes than the file has room for' \
	'a class count larger than the file' info counts1.focal
expect_error 1 'counts2.focal:23: corrupt model file: more features than the file has room for' \
	'a feature count larger than the file' info counts2.focal
expect_error 1 'counts3.focal:25: corrupt model file: more values than the line has room for' \
	'a category count larger than the line' info counts3.focal
expect_error 1 'counts4.focal:26: corrupt model file: more weights than the file has room for' \
	'a weight block larger than the file' info counts4.focal
case $BIN in
*-asan) ;; # AddressSanitizer needs more address space than the limit below
*)
	expect_success 'a corrupt count allocates nothing large' '
		(ulimit -v 200000; focal info counts3.focal) 2>&1 | grep -q "more values than"'
	;;
esac

# usage errors
expect_error 2 "train: unknown option '--bogus'" 'unknown option' train --bogus ok.csv
expect_error 2 "--lambda: 'abc' is not a number" 'bad --lambda' train --lambda abc ok.csv
expect_error 2 "--lambda: '-1' is not a number" 'negative --lambda' train --lambda -1 ok.csv
expect_error 2 "--gamma: '1x' is not a number" 'bad --gamma' train --loss focal --gamma 1x ok.csv
expect_error 2 "--loss: 'hinge' is not one of" 'bad --loss' train --loss hinge ok.csv
expect_error 2 '--alpha and --class-weight' 'alpha with class-weight' \
	train --alpha 0.25 --class-weight balanced ok.csv
expect_error 2 '--alpha needs two classes' 'alpha with three classes' \
	train --alpha 0.25 "$DATA/glass.csv"
expect_error 2 "--class-weight: no class 'q'" 'class weight for an unknown class' \
	train --class-weight q=2 ok.csv
expect_error 2 'no model' 'predict without -m' predict ok.csv
expect_error 2 "no command 'bogus'" 'unknown command' bogus
expect_error 2 'no input FILE' 'train without a file' train
expect_error 1 'p.csv: cannot create a temporary file' 'predict into a missing directory' \
	predict -m good.focal -o /nonexistent/dir/p.csv ok.csv
