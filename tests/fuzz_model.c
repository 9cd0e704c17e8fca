/*
 * fuzz_model.c: libFuzzer target for the model file parser (make fuzz).
 *
 * Random bytes almost never carry the right CRC-32, so the input is loaded twice:
 * once as it is (the checksum check itself), and once with its final "crc32" line
 * replaced by the right one, which takes it to the parser proper.  A model that loads
 * is described in every format and scores one all-zero row.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz/tempfile.h"
#include "output.h"
#include "model.h"

#define MAX_BYTES 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_load(const char *path)
{
	struct model m;
	struct ferr e = { "", 1, 0 };
	FILE *null;
	double *x, *prob;

	if (model_load(path, &m, &e) != 0)
		return;
	null = fopen("/dev/null", "w");
	if (null) {
		model_describe(null, &m, FMT_TABLE);
		model_describe(null, &m, FMT_TSV);
		model_describe(null, &m, FMT_JSON);
		fclose(null);
	}
	x = calloc(m.s.dim + 1, sizeof *x);
	prob = calloc(m.s.nclass + 1, sizeof *prob);
	if (x && prob)
		linmodel_predict(&m.lm, x, prob);
	free(x);
	free(prob);
	model_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tempfile tf;
	char tail[32];
	size_t body = size, start;
	uLong crc;

	if (size > MAX_BYTES)
		return 0;

	/* as it is */
	if (temp_open(&tf, "fuzz_model", data, size, NULL, 0) == 0) {
		try_load(tf.path);
		temp_close(&tf);
	}

	/* the body: everything before a final "crc32 ..." line, ending in a newline */
	if (body > 0 && data[body - 1] == '\n') {
		start = body - 1;
		while (start > 0 && data[start - 1] != '\n')
			start--;
		if (body - start >= 6 && memcmp(data + start, "crc32 ", 6) == 0)
			body = start;
	}
	crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, data, (uInt)body);
	if (body > 0 && data[body - 1] != '\n') {
		crc = crc32(crc, (const Bytef *)"\n", 1);
		snprintf(tail, sizeof tail, "\ncrc32 %08lx\n", (unsigned long)crc);
	} else {
		snprintf(tail, sizeof tail, "crc32 %08lx\n", (unsigned long)crc);
	}
	if (temp_open(&tf, "fuzz_model", data, body, tail, strlen(tail)) == 0) {
		try_load(tf.path);
		temp_close(&tf);
	}
	return 0;
}
