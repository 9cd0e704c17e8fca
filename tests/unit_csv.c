/* unit_csv.c: the in-place splitter agrees with libcsv, on one thread and on several,
 * across chunk boundaries, with the same line numbers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvread.h"
#include "tap.h"

/* Every record as "line|field\x1ffield...\n", appended to a growing string. */
struct dump {
	char *s;
	size_t len, cap;
};

static void put(struct dump *d, const char *p, size_t n)
{
	if (d->len + n + 1 > d->cap) {
		while (d->len + n + 1 > d->cap)
			d->cap = d->cap ? 2 * d->cap : 4096;
		d->s = xrealloc(d->s, d->cap);
	}
	memcpy(d->s + d->len, p, n);
	d->len += n;
	d->s[d->len] = '\0';
}

static int on_row(void *ctx, const struct csvrow *row, struct ferr *e)
{
	struct dump *d = ctx;
	char num[64];
	size_t i;

	(void)e;
	snprintf(num, sizeof num, "%lu|", row->line);
	put(d, num, strlen(num));
	for (i = 0; i < row->n; i++) {
		if (i)
			put(d, "\x1f", 1);
		put(d, row->f[i], row->len[i]);
		if (strlen(row->f[i]) != row->len[i])
			put(d, "<NUL>", 5);
		if (row->num) { /* the number read with the field is fast_atod's, bit for bit */
			double v, w = row->num[i];

			if (fast_atod(row->f[i], row->len[i], &v) != 0)
				v = NAN;
			snprintf(num, sizeof num, "=%a", w);
			put(d, num, strlen(num));
			if (memcmp(&v, &w, sizeof v) != 0 && !(isnan(v) && isnan(w)))
				put(d, "<NUM>", 5);
		}
	}
	put(d, "\n", 1);
	return 0;
}

/* Parses PATH with the given settings; the dump (or "error: ...") is returned. */
static int numbers; /* parse asks the reader for each field's number */

static char *parse(const char *path, int force, int threads, int delim)
{
	struct csvopts o;
	struct dump d = { NULL, 0, 0 };
	struct ferr e;

	memset(&o, 0, sizeof o);
	o.delim = delim;
	o.threads = threads;
	o.force_libcsv = force;
	o.numbers = numbers;
	put(&d, "", 0);
	if (csv_stream_ex(path, &o, on_row, &d, &e) != 0) {
		put(&d, "error: ", 7);
		put(&d, e.msg, strlen(e.msg));
	}
	return d.s;
}

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	fwrite(data, 1, n, f);
	fclose(f);
}

/* The three ways of reading PATH agree; returns the libcsv dump (caller frees). */
static char *agree(const char *what, const char *path, int delim)
{
	char *a = parse(path, 1, 1, delim), *b = parse(path, 0, 1, delim), *c = parse(path, 0, 3, delim);
	int ok = strcmp(a, b) == 0 && strcmp(a, c) == 0;

	CHECK(ok, "%s: libcsv, the splitter and three threads agree", what);
	if (!ok) {
		printf("# libcsv:   %.300s\n# splitter: %.300s\n# threads:  %.300s\n", a, b, c);
	}
	free(b);
	free(c);
	return a;
}

int main(void)
{
	static const struct {
		const char *what, *text;
		int delim;
	} cases[] = {
		{ "plain", "a,b,c\n1,2,3\n4,5,6\n", 0 },
		{ "spaces and tabs around fields", "a , b,\tc\t\n 1 ,2 , 3\n", 0 },
		{ "tab delimiter keeps tabs as separators", "a\tb\n 1 \t 2\n\t\n", '\t' },
		{ "CRLF and a final line without newline", "a,b\r\n1,2\r\n3,4", 0 },
		{ "empty lines are skipped", "a,b\n\n1,2\n\r\n\n3,4\n", 0 },
		{ "a line of spaces", "a,b\n   \n1,2\n", 0 },
		{ "empty fields and a trailing delimiter", "a,,c,\n,,,\n", 0 },
		{ "quotes", "a,\"b,c\",\"d\"\"e\"\n\"x\ny\",2,3\n4,\"\",5\n", 0 },
		{ "quoted field spanning lines then plain lines", "\"a\n\nb\",1\nc,2\nd,3\n", 0 },
		{ "CR line endings", "a,b\r1,2\r3,4\r", 0 },
		{ "CR inside a line", "a,b\rc,d\n1,2\n", 0 },
		{ "semicolons", "a;b\n1,5;2\n", ';' },
		{ "unterminated quote", "a,b\n1,\"2\n3,4\n", 0 },
		{ "quote inside an unquoted field", "a,b\n1,2\"3\n", 0 },
		{ "empty file", "", 0 },
	};
	/* Numbers read while splitting: each case names one field's expected dump. */
	static const struct {
		const char *what, *text, *want;
		int delim;
	} numcases[] = {
		{ "plain numbers", "a,b,c\n-0.5,+2,10\n", "-0x1p-1\x1f" "+2=0x1p+1\x1f" "10=0x1.4p+3\n", 0 },
		{ "negative zero", "a\n-0\n", "-0=-0x0p+0", 0 },
		{ "a point at either end", "a,b\n1.,.5\n", "1.=0x1p+0\x1f" ".5=0x1p-1", 0 },
		{ "an exponent", "a,b\n1e2,2.5E-1\n", "1e2=0x1.9p+6\x1f" "2.5E-1=0x1p-2", 0 },
		{ "spaces around a number", "a,b\n 1.5 ,\t2\n", "1.5=0x1.8p+0\x1f" "2=0x1p+1", 0 },
		{ "not numbers", "a,b,c,d\n-,.,1.2.3,1x\n", "-=nan\x1f.=nan\x1f" "1.2.3=nan\x1f" "1x=nan", 0 },
		{ "an empty field and a sign alone", "a,b,c\n,+,-1\n", "2|=nan\x1f+=nan\x1f-1=-0x1p+0", 0 },
		{ "20 digits", "a\n12345678901234567890\n", "=0x1.56a95319d63e1p+63", 0 },
		{ "above 2^53", "a\n9007199254740993\n", "=0x1p+53", 0 },
		{ "23 digits after the point", "a\n0.00000000000000000000001\n", "=0x1.82db34012b251p-77", 0 },
		{ "inf", "a\ninf\n", "inf=inf", 0 },
		{ "a number at the end of the file", "a,b\n1,0.25", "1=0x1p+0\x1f" "0.25=0x1p-2", 0 },
		{ "CRLF after a number", "a\r\n3.5\r\n", "3.5=0x1.cp+1\n", 0 },
		{ "point as the delimiter", "a.b\n1.5\n", "1=0x1p+0\x1f" "5=0x1.4p+2", '.' },
		{ "a digit as the delimiter", "a5b\n152\n", "1=0x1p+0\x1f" "2=0x1p+1", '5' },
		{ "minus as the delimiter", "a-b\n1-2\n", "1=0x1p+0\x1f" "2=0x1p+1", '-' },
		{ "tab delimiter", "a\tb\n1.5\t-2\n", "1.5=0x1.8p+0\x1f" "-2=-0x1p+1", '\t' },
	};
	char path[] = "/tmp/unit_csv.XXXXXX", *out, *big;
	size_t i, n = 0, cap = 12u << 20;
	int fd = mkstemp(path);
	unsigned r = 12345;

	close(fd);
	for (numbers = 0; numbers < 2; numbers++)
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			write_file(path, cases[i].text, strlen(cases[i].text));
			free(agree(cases[i].what, path, cases[i].delim));
		}
	numbers = 1;
	for (i = 0; i < sizeof numcases / sizeof numcases[0]; i++) {
		write_file(path, numcases[i].text, strlen(numcases[i].text));
		out = agree(numcases[i].what, path, numcases[i].delim);
		CHECK(strstr(out, "<NUM>") == NULL, "%s: each field's number is fast_atod's",
		      numcases[i].what);
		CHECK(strstr(out, numcases[i].want) != NULL, "%s: %s", numcases[i].what,
		      numcases[i].want);
		free(out);
	}
	numbers = 0;
	write_file(path, "a,b\n1,2\n3,4\n", 12);
	out = parse(path, 0, 1, 0);
	CHECK(strcmp(out, "1|a\x1f" "b\n2|1\x1f" "2\n3|3\x1f" "4\n") == 0, "records and line numbers");
	free(out);
	write_file(path, "a,b\n\"x\ny\",1\n2,3\n", 16);
	out = parse(path, 0, 1, 0);
	CHECK(strstr(out, "2|x\ny\x1f" "1\n4|2") != NULL, "a record after a quoted newline starts on line 4");
	free(out);
	/* a CR that no LF follows ends a line, as LF and CRLF do, quoted or not */
	{
		const char *text = "a,b\r1,2\r\"x\ry\",3\r\r4,5\n6,7\r\n8,9";
		const char *want = "1|a\x1f" "b\n2|1\x1f" "2\n3|x\ry\x1f" "3\n6|4\x1f" "5\n7|6\x1f"
		                   "7\n8|8\x1f" "9\n";

		write_file(path, text, strlen(text));
		for (i = 0; i < 2; i++) {
			out = parse(path, (int)i, 1, 0);
			CHECK(strcmp(out, want) == 0, "CR line endings count as lines (%s)",
			      i ? "libcsv" : "splitter");
			free(out);
		}
	}
	/* a NUL byte in a field is an error naming its line, plain, quoted or after a number */
	{
		static const struct {
			const char *what, *text;
			size_t len;
			const char *want;
		} nul[] = {
			{ "a NUL byte in a text field", "a,b\n1,2\n3,x\0y\n", 14, ":3: a field holds a NUL byte" },
			{ "a NUL byte in a quoted field", "a,b\n\"p\nq\",\"x\0\"\n", 15, ":3: a field holds a NUL byte" },
			{ "a NUL byte after a number", "a,b\n1\0,2\n", 9, ":2: a field holds a NUL byte" },
		};

		for (i = 0; i < sizeof nul / sizeof nul[0]; i++)
			for (numbers = 0; numbers < 2; numbers++) {
				write_file(path, nul[i].text, nul[i].len);
				out = agree(nul[i].what, path, 0);
				CHECK(strstr(out, "error: ") && strstr(out, nul[i].want) &&
				      !strstr(out, "<NUL>"), "%s: %s", nul[i].what, nul[i].want);
				free(out);
			}
		numbers = 0;
	}

	/* 12 MB: several chunks, quoted newlines and CRLF here and there. */
	big = xmalloc(cap + 256);
	while (n < cap) {
		r = r * 1103515245u + 12345u;
		switch ((r >> 16) % 7) {
		case 0:
			n += (size_t)sprintf(big + n, "%u,\"q\n%u\",x\n", r % 1000, r % 77);
			break;
		case 1:
			n += (size_t)sprintf(big + n, "%u, %u ,y\r\n", r % 1000, r % 13);
			break;
		case 2:
			n += (size_t)sprintf(big + n, "\n");
			break;
		default:
			n += (size_t)sprintf(big + n, "%u.%u,%u,z\n", r % 1000, r % 99, r % 5);
		}
	}
	write_file(path, big, n);
	numbers = 1;
	free(big);
	free(agree("12 MB across chunk boundaries", path, 0));
	unlink(path);
	TAP_DONE();
}
