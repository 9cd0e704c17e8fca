# The exact optimum of L2-regularised cross-entropy (tests/golden/train_optimum.tsv):
# focal train reaches the objective to a relative 1e-6 and focal predict gives the
# first five rows' probabilities to 1e-4.
. "$(dirname "$0")/lib.sh"

tail -n +2 "$GOLDEN/train_optimum.tsv" | while IFS='	' read -r ds target model lambda cw obj gnorm probs; do
	for loss in "ce" "focal --gamma 0"; do
		name="$ds $model lambda=$lambda class-weight=$cw loss=$loss"
		expect_success "$name: objective $obj" "
			focal train -q -y $target --model $model --lambda $lambda --class-weight $cw --calibrate none \
				--loss $loss --tol 1e-9 --format json -o m.focal $DATA/$ds.csv > out.json &&
			got=\$(json_num objective out.json) &&
			echo \"objective \$got, want $obj\" &&
			grep -q '\"converged\": *true' out.json &&
			close \"\$got\" $obj 1e-6"
		expect_success "$name: probabilities of rows 1-5" "
			focal predict -m m.focal $DATA/$ds.csv | sed -n 2,6p | cut -d, -f2- | tr ',' ' ' > got &&
			echo '$probs' | tr ';,' '\n ' > want &&
			paste -d' ' got want | awk '{ n = NF / 2; for (i = 1; i <= n; i++) {
				d = \$i - \$(i + n); if (d < 0) d = -d;
				if (d > 1e-4) { print \"row \" NR \" class \" i \": \" \$i \" vs \" \$(i + n); bad = 1 } }
				rows++ } END { exit bad || rows != 5 }'"
	done
done
