# jsonflat.awk: prints every scalar of a JSON document as "PATH<TAB>VALUE", one a line.
# PATH joins object keys and array indices (from 0) with '/'; strings are printed
# unescaped for the simple escapes (\" \\ \/ \n \t), null as null.  Used by the tests.
function fail(msg) { print "jsonflat: " msg > "/dev/stderr"; exit 2 }
function skip() { while (substr(s, i, 1) ~ /[ \t\n\r]/) i++ }
function str(   out, c) {
	out = ""; i++
	while ((c = substr(s, i, 1)) != "\"") {
		if (c == "") fail("unterminated string")
		if (c == "\\") {
			i++; c = substr(s, i, 1)
			if (c == "n") c = "\n"; else if (c == "t") c = "\t"; else if (c == "r") c = "\r"
			else if (c == "u") { c = "\\u" substr(s, i + 1, 4); i += 4 }
		}
		out = out c; i++
	}
	i++
	return out
}
function value(path,   c, k, n, start) {
	skip(); c = substr(s, i, 1)
	if (c == "{") {
		i++; skip()
		if (substr(s, i, 1) == "}") { i++; return }
		for (;;) {
			skip(); k = str(); skip()
			if (substr(s, i, 1) != ":") fail("expected : at " i)
			i++; value(path == "" ? k : path "/" k); skip()
			c = substr(s, i++, 1)
			if (c == "}") return
			if (c != ",") fail("expected , or } at " i)
		}
	}
	if (c == "[") {
		i++; skip(); n = 0
		if (substr(s, i, 1) == "]") { i++; return }
		for (;;) {
			value(path "/" n++); skip()
			c = substr(s, i++, 1)
			if (c == "]") return
			if (c != ",") fail("expected , or ] at " i)
		}
	}
	if (c == "\"") { print path "\t" str(); return }
	start = i
	while (substr(s, i, 1) ~ /[-+.0-9eEtruefalsn]/) i++
	if (i == start) fail("unexpected character at " i)
	print path "\t" substr(s, start, i - start)
}
{ s = s $0 "\n" }
END { i = 1; value(""); skip(); if (i <= length(s)) fail("trailing text") }
