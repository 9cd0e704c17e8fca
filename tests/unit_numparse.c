/* unit_numparse.c: the fast number parser agrees bit for bit with strtod. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util.h"

/* Writes a random decimal string of one of several shapes into buf. */
static void random_decimal(struct rng *r, char *buf)
{
	char *p = buf;
	int shape = (int)rng_below(r, 8), i, nd;

	if (rng_below(r, 2))
		*p++ = rng_below(r, 2) ? '-' : '+';
	switch (shape) {
	case 0: /* like %.6g output */
		p += sprintf(p, "%.6g", (rng_uniform(r) - 0.5) * pow(10, (double)rng_below(r, 20) - 10));
		break;
	case 1: /* long mantissas, 17 to 25 digits */
		nd = 17 + (int)rng_below(r, 9);
		for (i = 0; i < nd; i++) {
			if (i == (int)rng_below(r, (uint64_t)nd))
				*p++ = '.';
			*p++ = (char)('0' + rng_below(r, 10));
		}
		break;
	case 2: /* subnormals and the bottom of the range */
		p += sprintf(p, "%d.%de-%d", (int)rng_below(r, 10), (int)rng_below(r, 100000),
		             300 + (int)rng_below(r, 30));
		break;
	case 3: /* huge exponents, some overflowing */
		p += sprintf(p, "%de%d", (int)rng_below(r, 100000), 280 + (int)rng_below(r, 40));
		break;
	case 4: /* exact round-trip strings of random doubles */
	{
		uint64_t bits = rng_next(r);
		double v;

		memcpy(&v, &bits, sizeof v);
		if (!isfinite(v))
			v = 1.5;
		p += sprintf(p, "%.17g", fabs(v));
		break;
	}
	case 5: /* short decimals with leading and trailing zeros */
		p += sprintf(p, "%s%d.%0*d%s", rng_below(r, 2) ? "000" : "", (int)rng_below(r, 1000),
		             (int)rng_below(r, 6) + 1, (int)rng_below(r, 1000), rng_below(r, 2) ? "000" : "");
		break;
	case 6: /* integers up to 20 digits */
		nd = 1 + (int)rng_below(r, 20);
		for (i = 0; i < nd; i++)
			*p++ = (char)('0' + rng_below(r, 10));
		break;
	default: /* mantissa with an exponent near the fast path's edge */
		p += sprintf(p, "%llu.%llue%d", (unsigned long long)rng_below(r, 10000000),
		             (unsigned long long)rng_below(r, 100000000),
		             (int)rng_below(r, 60) - 30);
		break;
	}
	*p = '\0';
}

static int same_as_strtod(const char *s)
{
	double want, got;
	char *end;

	want = strtod(s, &end);
	if (*end != '\0')
		return fast_atod(s, strlen(s), &got) != 0;
	if (fast_atod(s, strlen(s), &got) != 0)
		return 0;
	return memcmp(&want, &got, sizeof want) == 0;
}

/*
 * plain_number on S followed by a comma and more: when it takes S, it stops at the
 * comma with strtod's value.  *TAKEN counts the strings it takes.
 */
static int plain_as_strtod(const char *s, size_t *taken)
{
	char buf[160];
	size_t n = strlen(s);
	const char *end;
	double want, got;
	char *e;

	memcpy(buf, s, n);
	memcpy(buf + n, ",9\n", 4);
	end = plain_number(buf, buf + n + 2, ',', &got);
	if (!end)
		return 1;
	++*taken;
	want = strtod(s, &e);
	return end == buf + n && *e == '\0' && memcmp(&want, &got, sizeof want) == 0;
}

int main(void)
{
	static const char *fixed[] = {
		"0", "-0", "+0", "0.0", "1", "-1", "1.5", ".5", "5.", "1e5", "1E-5", "2.2250738585072014e-308",
		"4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
		"1.7976931348623157e308", "1.7976931348623159e308", "9007199254740993",
		"9007199254740992", "123456789012345678901234567890", "0.1", "0.30000000000000004",
		"1e22", "1e23", "8.98846567431158e307", "1e-22", "1e-23", "3.14159265358979323846",
		"1.52101", "inf", "-Infinity", "1e999", "-1e999", "1e-999",
	};
	static const char *notnum[] = {
		"", " ", "abc", "1x", "1e", "1e+", "--1", "+-1", ".", "-.", "0x10", "nan", "NaN", "1,5",
		"1 2", "e5", "infinite",
	};
	/* What plain_number reads (the field ends at a comma) and what it leaves alone. */
	static const struct {
		const char *s;
		int takes;
	} plain[] = {
		{ "0,", 1 }, { "-0,", 1 }, { "+7,", 1 }, { "0.0459286,", 1 }, { "-2.45299,", 1 },
		{ "1.,", 1 }, { ".5,", 1 }, { "0000000000000000001,", 1 }, { "9007199254740992,", 1 },
		{ "0.000000000000000001,", 1 }, { "-123.456", 1 }, { "1234567890123456789,", 0 },
		{ "9007199254740993,", 0 }, { "0.00000000000000000000001,", 0 },
		{ "12345678901234567890,", 0 }, { "1e5,", 0 }, { " 1,", 0 }, { "1 ,", 0 }, { ",", 0 },
		{ "-,", 0 }, { ".,", 0 }, { "+.,", 0 }, { "1.2.3,", 0 }, { "1x,", 0 }, { "inf,", 0 },
		{ "--1,", 0 }, { "1-,", 0 },
	};
	struct rng r;
	char buf[128];
	size_t i, n = 1200000, bad = 0, pbad = 0, taken = 0;
	double v;

	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		CHECK(same_as_strtod(fixed[i]), "fast_atod(\"%s\") is strtod's value", fixed[i]);
	for (i = 0; i < sizeof notnum / sizeof notnum[0]; i++)
		CHECK(fast_atod(notnum[i], strlen(notnum[i]), &v) != 0, "\"%s\" is not a number",
		      notnum[i]);
	CHECK(fast_atod(" 2.5 ", 5, &v) == 0 && v == 2.5, "spaces around a number are allowed");
	CHECK(fast_atod("12345", 3, &v) == 0 && v == 123, "the length bounds the parse");
	for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		const char *s = plain[i].s, *end = plain_number(s, s + strlen(s), ',', &v);

		CHECK(plain[i].takes ? end && (*end == ',' || !*end) && v == strtod(s, NULL) && signbit(v) == (*s == '-')
		                     : end == NULL,
		      "plain_number %s \"%s\"", plain[i].takes ? "reads" : "leaves to fast_atod", s);
	}
	rng_seed(&r, 42);
	for (i = 0; i < n; i++) {
		random_decimal(&r, buf);
		if (!same_as_strtod(buf) && bad++ < 5)
			printf("# differs from strtod: %s\n", buf);
		if (!plain_as_strtod(buf, &taken) && pbad++ < 5)
			printf("# plain_number differs from strtod: %s\n", buf);
	}
	CHECK(bad == 0, "%zu random decimal strings parse bit for bit as strtod (%zu differ)", n, bad);
	CHECK(pbad == 0, "plain_number reads %zu of them, each bit for bit as strtod (%zu differ)",
	      taken, pbad);
	CHECK(taken > n / 4, "plain_number reads the common shapes (%zu of %zu)", taken, n);
	TAP_DONE();
}
