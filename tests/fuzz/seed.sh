#!/bin/sh
# tests/fuzz/seed.sh FOCAL DIR: makes the fuzz corpus seeds afresh in DIR (run by
# make fuzz-seeds from the top of the tree), in three directories:
#   csv/    heads of the datasets (plain, cut mid-line and gzipped) and the small files
#           of tests/fuzz/;
#   model/  models FOCAL trains on the datasets (softmax; logistic with categorical
#           features; focal loss with over-sampling; and, only here, a tuned threshold,
#           tuned offsets with a temperature and a --lambda auto path);
#   cmd/    for fuzz_cmd, every sixth row of the datasets and of those models'
#           predictions, behind the four bytes that choose the command line
#           (tests/fuzz_cmd.c; in printf octal);
#   cache/  for fuzz_cache, the payloads (what follows the header, less the final
#           checksum) of --cache files FOCAL writes for the datasets and for shards of
#           one, with and without weights.
# Byte 0: 000 eval --truth, 001 eval --truth --pred, 002 predict, 003 eval -m; plus 004,
# 010 or 014 for the votes, wdbc or header-less glass model, 020 tsv or 040 json,
# 100 --no-header, 200 --threshold (byte 1 / 255).  Byte 2 picks the --truth, --pred or
# --keep columns (000: --truth 1); byte 3 adds -d TAB (001), --na (002), -o FILE (004),
# -q (010).
set -eu
[ $# -eq 2 ] || { echo "usage: tests/fuzz/seed.sh FOCAL DIR" >&2; exit 2; }
focal=$1
out=$2
rm -rf "$out"
mkdir -p "$out/csv" "$out/model" "$out/cmd" "$out/cache"

for f in datasets/*.csv; do
	b=$out/csv/$(basename "$f" .csv)
	head -n 12 "$f" > "$b-12.csv"
	head -c 1500 "$f" > "$b-cut.csv"
	head -n 40 "$f" | gzip -c > "$b-40.csv.gz"
done
cp tests/fuzz/*.csv "$out/csv/"

m=$out/model
"$focal" train -q -y type -o "$m/glass.focal" datasets/glass.csv > /dev/null
"$focal" train -q -y party -o "$m/votes.focal" datasets/house-votes-84.csv > /dev/null
"$focal" train -q -y diagnosis --loss focal --sample over -o "$m/wdbc.focal" \
	datasets/wdbc.csv > /dev/null
"$focal" train -q -y diagnosis --tune-decision mcc -o "$m/wdbc-tuned.focal" \
	datasets/wdbc.csv > /dev/null
"$focal" train -q -y type --sample over --calibrate temperature --tune-decision macro_f1 \
	--lambda auto -o "$m/glass-tuned.focal" datasets/glass.csv > /dev/null

# seed FILE BYTES CMD...: FILE gets the four BYTES, then the header and every sixth line
# of what CMD writes.
seed() {
	file=$1
	printf "$2" > "$file"
	shift 2
	"$@" | awk 'NR == 1 || NR % 6 == 0' >> "$file"
}
c=$out/cmd
seed "$c/glass-pred" '\000\000\000\000' "$focal" predict -m "$m/glass.focal" --keep type \
	datasets/glass.csv
seed "$c/votes-pred" '\020\000\000\000' "$focal" predict -m "$m/votes.focal" --keep party \
	datasets/house-votes-84.csv
seed "$c/wdbc-pred" '\240\070\000\000' "$focal" predict -m "$m/wdbc.focal" --keep diagnosis \
	datasets/wdbc.csv
seed "$c/wdbc-pred2" '\041\000\000\000' "$focal" predict -m "$m/wdbc.focal" \
	--keep diagnosis,mean_radius datasets/wdbc.csv
seed "$c/glass-pred-nh" '\101\000\020\000' "$focal" predict -m "$m/glass.focal" --keep type \
	datasets/glass.csv
seed "$c/glass-predict" '\002\000\002\000' cat datasets/glass.csv
seed "$c/glass-eval" '\043\000\000\000' cat datasets/glass.csv
seed "$c/votes-predict" '\006\000\003\004' cat datasets/house-votes-84.csv
seed "$c/votes-eval" '\027\000\000\000' cat datasets/house-votes-84.csv
seed "$c/wdbc-predict" '\212\200\004\004' cat datasets/wdbc.csv
seed "$c/wdbc-eval" '\253\070\000\000' cat datasets/wdbc.csv
seed "$c/glass-nh-predict" '\116\000\006\000' sed 1d datasets/glass.csv
seed "$c/glass-nh-eval" '\117\000\000\000' sed 1d datasets/glass.csv
{ printf '\002\000\002\000'; head -n 40 datasets/glass.csv | gzip -c; } > "$c/glass-gz"

# payload CACHE OUT: OUT gets CACHE less its header (magic, version, byte-order mark, the
# key after its 8-byte length, the header checksum) and its final checksum.
payload() {
	klen=$(od -An -tu8 -j20 -N8 "$1" | tr -d ' ')
	hl=$((12 + 4 + 4 + 8 + klen + 4))
	size=$(wc -c < "$1")
	tail -c +$((hl + 1)) "$1" | head -c $((size - hl - 4)) > "$2"
	rm -f "$1"
}
k=$out/cache
"$focal" train -q -y type --cache "$k/c" datasets/glass.csv > /dev/null
payload "$k/c" "$k/glass"
"$focal" train -q -y party --cache "$k/c" datasets/house-votes-84.csv > /dev/null
payload "$k/c" "$k/votes"
head -n 30 datasets/wdbc.csv > "$k/a.csv"
{ head -n 1 datasets/wdbc.csv; sed -n '300,330p' datasets/wdbc.csv; } > "$k/b.csv"
"$focal" train -q -y diagnosis --weight mean_radius --cache "$k/c" "$k/a.csv" "$k/b.csv" \
	> /dev/null
payload "$k/c" "$k/wdbc-shards-weighted"
rm -f "$k/a.csv" "$k/b.csv"
