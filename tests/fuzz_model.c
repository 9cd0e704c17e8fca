/*
 * fuzz_model.c: libFuzzer target for the model file parser (make fuzz).
 *
 * Random bytes almost never carry the right CRC-32, so the input is loaded twice:
 * once as it is (the checksum check itself), and once with its final "crc32" line
 * replaced by the right one, which takes it to the parser proper.  A model that loads
 * is described in every format and scores one all-zero row.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "metrics.h"
#include "model.h"

#define MAX_BYTES 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_all(int fd, const void *p, size_t n)
{
	const char *q = p;

	while (n > 0) {
		ssize_t w = write(fd, q, n);

		if (w <= 0)
			return -1;
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes DATA to a new temporary file, followed by TAIL; its name goes to PATH. */
static int write_temp(const void *data, size_t size, const char *tail, char *path, size_t cap)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	int fd;

	snprintf(path, cap, "%s/fuzz_model.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, size) != 0 || write_all(fd, tail, strlen(tail)) != 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

static void try_load(const char *path)
{
	struct model m;
	struct ferr e = { "", 1 };
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
	char path[64], tail[32];
	size_t body = size, start;
	uLong crc;

	if (size > MAX_BYTES)
		return 0;

	/* as it is */
	if (write_temp(data, size, "", path, sizeof path) == 0) {
		try_load(path);
		unlink(path);
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
	if (write_temp(data, body, tail, path, sizeof path) == 0) {
		try_load(path);
		unlink(path);
	}
	return 0;
}
