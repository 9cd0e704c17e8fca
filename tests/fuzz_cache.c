/*
 * fuzz_cache.c: libFuzzer target for the --cache file reader (make fuzz).
 *
 * Random bytes never carry the right checksums, so each input is read twice: once as
 * it is (the magic, version and checksum checks themselves), and once as the payload
 * of a cache whose header (magic, version, byte-order mark, this target's key) and
 * checksums are made right, which takes it to the parser proper; each both as a whole
 * table's cache and as one process's share (focal-mpi).  A cache that loads
 * has every array it claims walked end to end, so that a size that does not match
 * its allocation shows up under AddressSanitizer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz/tempfile.h"
#include "cache.h"

#define MAX_BYTES 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key[] = "focal cache fuzz\n";

static void ignore(const char *msg)
{
	(void)msg;
}

/* Touches every element the loaded S and D say they hold; returns a sum so that the
 * reads are not optimised away. */
static double walk(const struct schema *s, const struct dataset *d)
{
	double sum = 0;
	size_t i, j;

	for (i = 0; i < s->nfeat; i++) {
		sum += (double)strlen(s->feat[i].name) + s->feat[i].center;
		for (j = 0; j < s->feat[i].nvocab; j++)
			sum += (double)strlen(s->feat[i].vocab[j]);
	}
	for (i = 0; i < s->nclass; i++)
		sum += (double)strlen(s->classes[i]) + (double)d->count[i];
	for (i = 0; i < d->n; i++) {
		for (j = 0; j < d->dim; j++)
			sum += d->x[i * d->dim + j];
		sum += d->y[i] + (d->roww ? d->roww[i] : 0) + (d->line ? (double)d->line[i] : 0);
		if (d->src)
			sum += (double)strlen(d->srcname[d->src[i]]);
		if (d->miss_off)
			for (j = d->miss_off[i]; j < d->miss_off[i + 1]; j++)
				sum += d->x[i * d->dim + d->miss_col[j]];
	}
	return sum;
}

static void try_load(const char *path)
{
	struct schema s;
	struct dataset d;
	struct ferr e = { "", 1, 0 };
	volatile double sink;
	char *rest = NULL;

	if (cache_load(path, key, &s, &d, ignore, &e) == 0) {
		sink = walk(&s, &d);
		(void)sink;
		schema_release(&s);
		dataset_release(&d);
	}
	/* as one process's share of a table (focal-mpi): the key a prefix of the file's,
	 * and no rows, or none of a class, allowed */
	if (cache_load_share(path, "focal cache", &rest, &s, &d, ignore, &e) == 0) {
		sink = walk(&s, &d);
		(void)sink;
		schema_release(&s);
		dataset_release(&d);
		free(rest);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tempfile tf;
	unsigned char head[64], *buf;
	uint32_t u;
	uint64_t klen = sizeof key - 1;
	size_t nh = 0;
	uLong crc;

	if (size > MAX_BYTES)
		return 0;

	/* as it is */
	if (temp_open(&tf, "fuzz_cache", data, size, NULL, 0) == 0) {
		try_load(tf.path);
		temp_close(&tf);
	}

	/* as the payload of a well-formed header, with both checksums right */
	memcpy(head, "focal-cache\n", 12);
	nh = 12;
	u = CACHE_VERSION;
	memcpy(head + nh, &u, 4);
	nh += 4;
	u = 0x01020304u;
	memcpy(head + nh, &u, 4);
	nh += 4;
	memcpy(head + nh, &klen, 8);
	nh += 8;
	memcpy(head + nh, key, sizeof key - 1);
	nh += sizeof key - 1;
	crc = crc32(0L, head, (uInt)nh);
	u = (uint32_t)crc;
	memcpy(head + nh, &u, 4);
	nh += 4;
	buf = malloc(nh + size + 4);
	if (!buf)
		return 0;
	memcpy(buf, head, nh);
	memcpy(buf + nh, data, size);
	u = (uint32_t)crc32(0L, buf, (uInt)(nh + size));
	memcpy(buf + nh + size, &u, 4);
	if (temp_open(&tf, "fuzz_cache", buf, nh + size + 4, NULL, 0) == 0) {
		try_load(tf.path);
		temp_close(&tf);
	}
	free(buf);
	return 0;
}
