# coef.awk: recomputes a model's probabilities from `focal info --coef --format tsv` and
# checks them against `focal predict`.  Run as
#   awk -F, -v tol=1e-9 -f coef.awk COEF.tsv INFO.tsv DATA.csv PRED.csv
# COEF.tsv and INFO.tsv (`focal info --format tsv`, for the means that fill a missing
# value) are read with tabs; DATA.csv (the raw rows, header first, no quoted fields) and
# PRED.csv (predict's output for it) with commas.  For every row, every class of COEF.tsv:
# z = intercept + sum of weight_raw * value (numeric; the mean when missing) + the
# weight_raw of the row's level (categorical; none when missing or unseen); softmax over
# the classes, or the logistic sigmoid for a single class.  Prints the rows checked and the
# largest difference; exits 1 when a difference is over tol.
function isna(v, l) {
	l = tolower(v)
	return v == "" || l == "na" || l == "n/a" || v == "?" || l == "nan" || l == "null"
}
FNR == 1 { file++ }
file == 1 && FNR > 1 {
	split($0, c, "\t")
	if (!(c[1] in seen)) {
		seen[c[1]] = 1
		cls[++ncls] = c[1]
	}
	if (c[2] == "(intercept)" && !((c[1], "icpt") in w)) {
		w[c[1], "icpt"] = c[5] + 0
		next
	}
	if (c[3] == "") {
		if (!(c[2] in isnum)) {
			isnum[c[2]] = 1
			num[++nnum] = c[2]
		}
		w[c[1], "num", c[2]] = c[5] + 0
	} else {
		if (!(c[2] in iscat)) {
			iscat[c[2]] = 1
			cat[++ncat] = c[2]
		}
		w[c[1], "cat", c[2], c[3]] = c[5] + 0
	}
	next
}
file == 2 {
	split($0, c, "\t")
	if (c[1] ~ /^feature\// && c[2] ~ /^numeric mean /) {
		split(c[2], d, " ")
		mean[substr(c[1], 9)] = d[3] + 0
	}
	next
}
file == 3 && FNR == 1 {
	for (i = 1; i <= NF; i++)
		col[$i] = i
	next
}
file == 3 {
	n++
	for (k = 1; k <= ncls; k++) {
		z = w[cls[k], "icpt"]
		for (j = 1; j <= nnum; j++) {
			v = $(col[num[j]])
			z += w[cls[k], "num", num[j]] * (isna(v) ? mean[num[j]] : v + 0)
		}
		for (j = 1; j <= ncat; j++) {
			v = $(col[cat[j]])
			if ((cls[k], "cat", cat[j], v) in w)
				z += w[cls[k], "cat", cat[j], v]
		}
		zs[n, k] = z
	}
	next
}
file == 4 && FNR == 1 {
	for (i = 1; i <= NF; i++)
		pcol[$i] = i
	for (k = 1; k <= ncls; k++)
		if (!(("p_" cls[k]) in pcol)) {
			print "coef.awk: no column p_" cls[k] > "/dev/stderr"
			exit 2
		}
	next
}
file == 4 {
	r++
	if (ncls == 1) {
		p[1] = 1 / (1 + exp(-zs[r, 1]))
	} else {
		m = zs[r, 1]
		for (k = 2; k <= ncls; k++)
			if (zs[r, k] > m)
				m = zs[r, k]
		s = 0
		for (k = 1; k <= ncls; k++)
			s += (p[k] = exp(zs[r, k] - m))
		for (k = 1; k <= ncls; k++)
			p[k] /= s
	}
	for (k = 1; k <= ncls; k++) {
		diff = p[k] - $(pcol["p_" cls[k]])
		if (diff < 0)
			diff = -diff
		if (diff > worst)
			worst = diff
	}
}
END {
	if (file != 4 || r != n || r == 0) {
		print "coef.awk: " n " data rows, " r " predictions" > "/dev/stderr"
		exit 2
	}
	printf "%d rows, %d classes, largest difference %.3g\n", r, ncls, worst
	exit worst > tol
}
