/* unit_output.c: the shared writers give the exact bytes each format needs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "tap.h"

static FILE *mem;
static char *buf;
static size_t len;

static void start(void)
{
	free(buf);
	buf = NULL;
	len = 0;
	mem = open_memstream(&buf, &len);
}

/* Ends the capture and returns what was written. */
static const char *got(void)
{
	fclose(mem);
	mem = NULL;
	return buf;
}

static char warned[256];
static int nwarned;

static void warn_hook(const char *msg)
{
	snprintf(warned, sizeof warned, "%s", msg);
	nwarned++;
}

int main(void)
{
	enum outfmt f = FMT_TABLE;
	struct grid g;
	char num[40], *s;

	CHECK(outfmt_parse("tsv", &f) == 0 && f == FMT_TSV, "outfmt_parse reads tsv");
	CHECK(outfmt_parse("json", &f) == 0 && f == FMT_JSON, "outfmt_parse reads json");
	CHECK(outfmt_parse("table", &f) == 0 && f == FMT_TABLE, "outfmt_parse reads table");
	CHECK(outfmt_parse("TSV", &f) == -1 && outfmt_parse(NULL, &f) == -1,
	      "outfmt_parse refuses other words and NULL");

	fmt_roundtrip(num, sizeof num, 0.1);
	CHECK(strcmp(num, "0.1") == 0, "fmt_roundtrip 0.1 is 0.1 (%s)", num);
	fmt_roundtrip(num, sizeof num, 1.0 / 3);
	CHECK(strtod(num, NULL) == 1.0 / 3 && strlen(num) <= 19, "fmt_roundtrip 1/3 reads back (%s)", num);

	start();
	json_number(mem, 2.5);
	putc(' ', mem);
	json_number(mem, NAN);
	putc(' ', mem);
	json_number(mem, INFINITY);
	CHECK(strcmp(got(), "2.5 null null") == 0, "json_number: finite, then null for NaN and inf (%s)", buf);

	start();
	json_field(mem, "f1", 0.75);
	json_field(mem, "auc", NAN);
	CHECK(strcmp(got(), ",\"f1\":0.75,\"auc\":null") == 0, "json_field writes ,\"KEY\":X (%s)", buf);

	start();
	json_string(mem, "a\"b\\c\td\ne\r\x01\xc3\xa9\xff");
	CHECK(strcmp(got(), "\"a\\\"b\\\\c\\td\\ne\\r\\u0001\xc3\xa9\\ufffd\"") == 0,
	      "json_string escapes quotes, backslashes, controls and bad UTF-8 (%s)", buf);
	start();
	json_string_or_null(mem, NULL);
	putc(' ', mem);
	json_string_or_null(mem, "x");
	CHECK(strcmp(got(), "null \"x\"") == 0, "json_string_or_null: null, then a string (%s)", buf);
	start();
	{
		char *two[2] = { "a", "b\"c" };

		json_strings(mem, two, 2);
		putc(' ', mem);
		json_strings(mem, two, 0);
	}
	CHECK(strcmp(got(), "[\"a\",\"b\\\"c\"] []") == 0, "json_strings: an array, escaped; [] for none (%s)", buf);

	start();
	tsv_label(mem, "a\tb\nc\rd");
	tsv_number(mem, 0.5);
	tsv_number(mem, NAN);
	CHECK(strcmp(got(), "a b c d\t0.5\t-") == 0, "tsv_label blanks tabs and line ends; tsv_number (%s)", buf);

	start();
	csv_put(mem, "plain", ',');
	putc('|', mem);
	csv_put(mem, "a,b", ',');
	putc('|', mem);
	csv_put(mem, "say \"hi\"", ',');
	putc('|', mem);
	csv_put(mem, " pad", ',');
	putc('|', mem);
	csv_put(mem, "a;b", ';');
	putc('|', mem);
	csv_put(mem, "\xef\xbb\xbfx", ',');
	CHECK(strcmp(got(), "plain|\"a,b\"|\"say \"\"hi\"\"\"|\" pad\"|\"a;b\"|\"\xef\xbb\xbfx\"") == 0,
	      "csv_put quotes only what needs it (%s)", buf);

	start();
	esc_put(mem, "a\x1b[31m\\b\x7f\xc3\xa9");
	CHECK(strcmp(got(), "a\\x1b[31m\\\\b\\x7f\xc3\xa9") == 0, "esc_put escapes controls and backslashes (%s)", buf);
	s = esc_dup("tab\there");
	CHECK(strcmp(s, "tab\\x09here") == 0, "esc_dup gives the same text (%s)", s);
	free(s);
	start();
	table_label(mem, "x\ny");
	CHECK(strcmp(got(), "x\\x0ay") == 0, "table_label escapes as esc_put (%s)", buf);

	grid_init(&g, 3, 3, 1);
	grid_set(&g, 0, 0, "class");
	grid_set(&g, 0, 1, "f1");
	grid_set(&g, 0, 2, "n");
	grid_label(&g, 1, 0, "\xc3\xa9t\xc3\xa9");
	grid_num(&g, 1, 1, 0.5);
	grid_set(&g, 1, 2, "%d", 12);
	grid_label(&g, 2, 0, "b\x01");
	grid_num(&g, 2, 1, NAN);
	start();
	grid_print(mem, &g);
	grid_release(&g);
	CHECK(strcmp(got(), "class     f1   n\n"
	                    "\xc3\xa9t\xc3\xa9    0.500  12\n"
	                    "b\\x01      -\n") == 0,
	      "grid_print aligns by characters, left then right, no trailing spaces:\n%s", buf);

	nwarned = 0;
	warn_skipped_rows(warn_hook, "in.csv", 0, "label");
	CHECK(nwarned == 0, "warn_skipped_rows says nothing for no rows");
	warn_skipped_rows(warn_hook, "in.csv", 1, "label");
	CHECK(nwarned == 1 && strcmp(warned, "in.csv: skipped 1 row whose label is missing") == 0,
	      "warn_skipped_rows for one row (%s)", warned);
	warn_skipped_rows(warn_hook, "stdin", 3, "true label");
	CHECK(strcmp(warned, "stdin: skipped 3 rows whose true label is missing") == 0,
	      "warn_skipped_rows for several rows (%s)", warned);
	warn_skipped_rows(NULL, "x", 2, "label");
	CHECK(nwarned == 2, "warn_skipped_rows without a hook is quiet");
	free(buf);
	TAP_DONE();
}
