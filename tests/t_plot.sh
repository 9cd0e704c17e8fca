# --plot: the pictures of eval, train and cv, as SVG and as an HTML page.  Every file must
# parse as XML, name its classes or configurations, show the report's own AP and AUC,
# come out byte for byte the same twice, stay readable with 26 classes of 40-character
# labels, and appear only when the run succeeds; Chromium must draw something of it.
. "$(dirname "$0")/lib.sh"

have_xmllint=0
command -v xmllint >/dev/null 2>&1 && have_xmllint=1
[ "$have_xmllint" = 1 ] || echo "# skipped: xmllint not found (apt-get install libxml2-utils)"

# xml_ok FILE: FILE parses as XML (true when xmllint is missing: reported above).
xml_ok() {
	[ "$have_xmllint" = 0 ] || xmllint --noout "$1"
}

focal train -y type -o g.focal "$DATA/glass.csv" > /dev/null 2>&1
focal train -y diagnosis -o w.focal "$DATA/wdbc.csv" > /dev/null 2>&1

expect_success 'eval --plot FILE.svg writes SVG that parses and names every class' '
	focal eval -m g.focal "$DATA/glass.csv" --plot g.svg > g.txt && xml_ok g.svg &&
	head -c 200 g.svg | grep -q "<svg xmlns=\"http://www.w3.org/2000/svg\"" &&
	for c in building_float building_nonfloat container headlamp tableware vehicle_float; do
		grep -q ">$c<" g.svg || { echo "no $c"; exit 1; }
	done'

expect_success 'eval: one PR and one ROC curve per class (12 for glass), one reliability line' '
	test "$(grep -c "<polyline class=\"curve\"" g.svg)" -eq 12 &&
	test "$(grep -c "<polyline class=\"rel\"" g.svg)" -eq 1'

# The report's ap and auc columns, class by class, against the legends in order.
awk '/^class .*precision/ { on = 1; next } on && NF == 0 { on = 0 }
	on && NF >= 9 { print "AP " $(NF-1); print "AUC " $(NF-2) }' g.txt | sort > want
expect_success 'eval: the legends show the AP and AUC the report prints' '
	test "$(wc -l < want)" -eq 12 &&
	grep -oE ">(AP|AUC) [0-9.]+<" g.svg | tr -d "<>" > all &&
	for l in $(sed "s/ /_/" want); do
		grep -qx "$(echo "$l" | sed "s/_/ /")" all || { echo "missing $l"; exit 1; }
	done'

expect_success 'eval on wdbc (two classes): 4 curves, AP of the positive class as reported' '
	focal eval -m w.focal "$DATA/wdbc.csv" --plot w.svg > w.txt && xml_ok w.svg &&
	test "$(grep -c "<polyline class=\"curve\"" w.svg)" -eq 4 &&
	ap=$(awk "\$1 == \"malignant\" { print \$(NF-1) }" w.txt) && test -n "$ap" &&
	grep -q ">AP $ap<" w.svg'

expect_success 'the same run gives the same bytes (eval, train, cv, svg and html)' '
	focal eval -m g.focal "$DATA/glass.csv" --plot g2.svg > /dev/null && cmp g.svg g2.svg &&
	focal train -y type "$DATA/glass.csv" --plot t1.html > /dev/null &&
	focal train -y type "$DATA/glass.csv" --plot t2.html > /dev/null && cmp t1.html t2.html &&
	focal cv -y type -k 3 --loss ce,focal "$DATA/glass.csv" --plot c1.html > /dev/null &&
	focal cv -y type -k 3 --loss ce,focal "$DATA/glass.csv" --plot c2.html > /dev/null &&
	cmp c1.html c2.html'

expect_success 'train --plot adds the objective per iteration; the page holds the report table' '
	xml_ok t1.html && grep -q "<polyline class=\"obj\"" t1.html &&
	grep -q "<pre>" t1.html && grep -q "building_nonfloat" t1.html &&
	grep -q "training objective per iteration" t1.html && ! grep -q "<script" t1.html &&
	! grep -qE "(src|href)=\"https?:" t1.html'

expect_success 'cv --plot names every configuration, marks the baseline, draws recall per class' '
	focal cv -y type -k 3 --loss ce,focal --sample none,over "$DATA/glass.csv" --plot c.svg \
		> c.txt && xml_ok c.svg &&
	for n in "ce" "focal g=2" "ce over" "focal g=2 over"; do
		grep -q ">$n<" c.svg || { echo "no $n"; exit 1; }
	done &&
	grep -q ">baseline<" c.svg && grep -q "recall per class" c.svg &&
	test "$(grep -c "recall [0-9.]* ±" c.svg)" -eq 24'

expect_success 'no NaN or infinity in any figure' '
	! grep -qiE "=\"[^\"]*(nan|inf)|>-?(nan|inf)" g.svg w.svg c.svg t1.html'

# 26 classes, each label 40 characters, on a small file made here.
awk 'BEGIN { srand(7); print "x1,x2,label";
	for (i = 0; i < 520; i++) { c = i % 26;
		lab = sprintf("class_%c_with_a_rather_long_name_%08d", 97 + c, c);
		printf "%.4f,%.4f,%s\n", c + rand() * 6, (c % 5) + rand() * 3, lab } }' > many.csv
expect_success '26 classes of 40-character labels: cut with an ellipsis, the whole in <title>' '
	focal train -y label many.csv --plot many.svg > /dev/null 2>&1 && xml_ok many.svg &&
	test "$(grep -c "<polyline class=\"curve\"" many.svg)" -eq 52 &&
	grep -q "<title>class_z_with_a_rather_long_name_00000025</title>class_z_with_a_rath…<" \
		many.svg && grep -q "…</text>" many.svg &&
	! grep -q ">class_a_with_a_rather_long_name_00000000</text>" many.svg'

expect_success 'a class without rows in eval: no curve, "no rows" in the legend' '
	head -n 1 many.csv > few.csv && grep "class_[ab]_" many.csv >> few.csv &&
	focal train -y label many.csv -o many.focal > /dev/null 2>&1 &&
	focal eval -m many.focal few.csv --plot few.svg > /dev/null && xml_ok few.svg &&
	test "$(grep -c "<polyline class=\"curve\"" few.svg)" -eq 4 &&
	grep -q ">no rows<" few.svg && ! grep -qi "nan" few.svg'

expect_success 'the HTML page shows its title once, as its heading; an SVG file has it inside' '
	for f in t1.html c1.html; do
		test "$(grep -c "<h1>" $f)" -eq 1 && ! grep -q "class=\"title\">focal" $f ||
			{ echo "$f: the title twice"; exit 1; }
	done &&
	grep -q "<h1>focal train: " t1.html && grep -q "<h1>focal cv: 2 configurations, 3-fold" c1.html &&
	grep -q "class=\"title\">focal eval: " g.svg && grep -q "class=\"title\">focal cv: " c.svg'

# Text in its place: tests/svgtext.py estimates every text's box (characters, font size,
# anchor, rotation, translation) and wants it inside the picture, touching no other;
# the confusion matrix's "predicted class" under its column labels, slanted (6 classes
# of 40-character labels) or upright (26).
if [ -x /usr/bin/python3 ]; then
	head -n 1 many.csv > six.csv && grep "class_[a-f]_" many.csv >> six.csv
	expect_success 'no text outside the picture or over another: eval glass and wdbc, train, cv' '
		/usr/bin/python3 "$ROOT/tests/svgtext.py" g.svg w.svg t1.html c.svg c1.html'
	expect_success '26 classes: the bin counts clear of the tick labels, the axis title under the column labels' '
		/usr/bin/python3 "$ROOT/tests/svgtext.py" --below "predicted class" many.svg'
	expect_success '6 classes of 40-character labels: the slanted column labels inside the picture' '
		focal train -y label six.csv --plot six.svg > /dev/null 2>&1 &&
		grep -q "rotate(-45" six.svg &&
		/usr/bin/python3 "$ROOT/tests/svgtext.py" --below "predicted class" six.svg g.svg'
	expect_success 'the checker sees a label pushed out of the picture and one over another' '
		sed "s/<text x=\"12\" y=\"24\"/<text x=\"12\" y=\"-24\"/" g.svg > out.svg &&
		! /usr/bin/python3 "$ROOT/tests/svgtext.py" out.svg > /dev/null &&
		sed "s|</svg>|<text x=\"14\" y=\"26\" class=\"title\">again</text></svg>|" g.svg \
			> over.svg && xml_ok over.svg &&
		! /usr/bin/python3 "$ROOT/tests/svgtext.py" over.svg > /dev/null'
else
	echo "# skipped: /usr/bin/python3 not found (the text boxes of the figures)"
fi

expect_error 2 "plot.*\\.svg or \\.html" 'eval --plot with another extension is a usage error' \
	eval -m g.focal --plot g.png "$DATA/glass.csv"
expect_error 2 "plot" 'train --plot without an extension is a usage error' \
	train -y type --plot picture "$DATA/glass.csv"
expect_error 2 "plot" 'cv --plot FILE.pdf is a usage error' \
	cv -y type -k 3 --plot x.pdf "$DATA/glass.csv"

expect_success 'a failed run leaves no plot file' '
	printf "a,b\n1,x\n" > bad.csv &&
	! focal eval -m g.focal bad.csv --plot fail.svg > /dev/null 2>&1 &&
	! focal train -y type missing.csv --plot fail2.html > /dev/null 2>&1 &&
	test ! -e fail.svg && test ! -e fail2.html && ! ls | grep -q "\.tmp"'
expect_success 'train -o a model that cannot be saved: no plot file either' '
	! focal train -q -y type -o nodir/m.focal --plot fail3.svg "$DATA/glass.csv" \
	    > /dev/null 2>&1 && test ! -e fail3.svg && ! ls | grep -q "\.tmp"'

expect_success 'the HTML page is XHTML: it parses as XML, with its figure inline' '
	xml_ok c1.html && head -n 2 c1.html | grep -q "<html xmlns=\"http://www.w3.org/1999/xhtml\"" &&
	grep -q "<svg xmlns=" c1.html'

# Rendering: Chromium draws the figure to a PNG that is not blank.
CHROME=
for c in chromium chromium-browser; do
	command -v "$c" >/dev/null 2>&1 && { CHROME=$c; break; }
done
if [ -z "$CHROME" ] || ! /usr/bin/python3 -c "import PIL" 2>/dev/null; then
	echo "# skipped: chromium or python3-pil not found (apt-get install chromium python3-pil)"
else
	for f in g.svg c.svg t1.html many.svg; do
		expect_success "Chromium renders $f to a PNG that is not blank" "
			timeout 60 $CHROME --headless --no-sandbox --disable-gpu --hide-scrollbars \
				--screenshot=\"$T/$f.png\" --window-size=1200,900 \"file://$T/$f\" \
				> /dev/null 2>&1; test -s \"$T/$f.png\" &&
			/usr/bin/python3 -c '
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert(\"RGB\")
colours = im.getcolors(1 << 24)
white = sum(n for n, c in colours if c == (255, 255, 255))
total = im.size[0] * im.size[1]
sys.exit(0 if len(colours) > 20 and white < 0.97 * total else 1)' \"$T/$f.png\""
	done
fi
