# Re-sampling: exact class counts after each strategy and ratio, determinism, SMOTE geometry.
. "$(dirname "$0")/lib.sh"

# counts MODEL: "before/after" per class, in class order, from focal info --format json.
counts() {
	focal info --format json "$1" | grep -o '"before":[0-9]*,"after":[0-9]*' |
		sed 's/"before":\([0-9]*\),"after":\([0-9]*\)/\1\/\2/' | tr '\n' ' ' | sed 's/ $//'
}

# glass, class order: building_float 70, building_nonfloat 76, container 13, headlamp 29,
# tableware 9, vehicle_float 17.
check_counts() {
	what=$1 want=$2
	shift 2
	expect_success "glass $what: $want" "
		focal train -q -y type -o s.focal $* $DATA/glass.csv >/dev/null &&
		got=\$(counts s.focal) && echo \"got \$got\" && test \"\$got\" = '$want'"
}
check_counts 'no sampling' '70/70 76/76 13/13 29/29 9/9 17/17'
check_counts 'over' '70/76 76/76 13/76 29/76 9/76 17/76' --sample over
check_counts 'over, ratio 0.5 (ceil 38)' '70/70 76/76 13/38 29/38 9/38 17/38' --sample over --sample-ratio 0.5
check_counts 'over, ratio 0.3 (ceil 22.8)' '70/70 76/76 13/23 29/29 9/23 17/23' --sample over --sample-ratio 0.3
check_counts 'under' '70/9 76/9 13/9 29/9 9/9 17/9' --sample under
check_counts 'under, ratio 0.5 (floor 18)' '70/18 76/18 13/13 29/18 9/9 17/17' --sample under --sample-ratio 0.5
check_counts 'under, ratio 0.4 (floor 22.5)' '70/22 76/22 13/13 29/22 9/9 17/17' --sample under --sample-ratio 0.4
check_counts 'smote' '70/76 76/76 13/76 29/76 9/76 17/76' --sample smote
check_counts 'smote, ratio 0.5' '70/70 76/76 13/38 29/38 9/38 17/38' --sample smote --sample-ratio 0.5
check_counts 'over+under (middle 26)' '70/26 76/26 13/26 29/26 9/26 17/26' --sample over+under
check_counts 'over+under, ratio 0.5 (26, then ceil 13)' '70/26 76/26 13/13 29/26 9/13 17/17' --sample over+under --sample-ratio 0.5

# wdbc: benign 357, malignant 212
expect_success 'wdbc over, under, over+under' '
	focal train -q -y diagnosis -o w1.focal --sample over $DATA/wdbc.csv >/dev/null &&
	focal train -q -y diagnosis -o w2.focal --sample under $DATA/wdbc.csv >/dev/null &&
	focal train -q -y diagnosis -o w3.focal --sample over+under --sample-ratio 0.8 $DATA/wdbc.csv >/dev/null &&
	test "$(counts w1.focal)" = "357/357 212/357" &&
	test "$(counts w2.focal)" = "357/212 212/212" &&
	test "$(counts w3.focal)" = "357/275 212/220"'

expect_success 'same seed, same model file; another seed, another model' '
	for s in over under smote over+under; do
		focal train -q -y type --sample $s --seed 7 -o a.focal $DATA/glass.csv >/dev/null &&
		cp a.focal first.focal &&
		focal train -q -y type --sample $s --seed 7 -o a.focal $DATA/glass.csv >/dev/null &&
		cmp a.focal first.focal &&
		focal train -q -y type --sample $s --seed 8 -o a.focal $DATA/glass.csv >/dev/null &&
		grep "^w " a.focal > w2 && grep "^w " first.focal > w1 && ! cmp -s w1 w2 || exit 1
	done'

expect_success 'the model file records the sampling' '
	focal train -q -y type --sample smote --sample-ratio 0.5 --smote-k 3 -o a.focal $DATA/glass.csv >/dev/null &&
	grep -qx "sample smote 0.5 3" a.focal'

expect_success 'smote warns about a class with fewer than k+1 rows' '
	focal train -y type --sample smote --smote-k 10 $DATA/glass.csv 2>err >/dev/null &&
	grep -q "class .tableware. has 9 rows; using 8 neighbours" err'

expect_error 2 "--sample: 'both' is not one of" 'bad --sample' train --sample both "$DATA/glass.csv"
expect_error 2 "--sample-ratio: '0' must be above 0" 'zero ratio' train --sample over --sample-ratio 0 "$DATA/glass.csv"
expect_error 2 "--sample-ratio: '1.5' is not a number in" 'ratio above 1' train --sample over --sample-ratio 1.5 "$DATA/glass.csv"
