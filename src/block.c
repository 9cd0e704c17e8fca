/* block.c: feature blocks in memory or in a mapped temporary file (block.h). */
#include "block.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

#define SLICE_MAX ((size_t)64 << 20)

struct blk {
	float *p;
	size_t bytes; /* asked for (heap) or mapped (file: a whole number of pages) */
	int fd;       /* -1: on the heap */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct blk *reg;
static size_t nreg, capreg;
static size_t budget;    /* 0 until set or first needed */
static size_t held;      /* bytes of the blocks on the heap */

/* A limit of this process's control group (v2, then v1), or SIZE_MAX. */
static size_t cgroup_limit(void)
{
	static const char *const files[] = { "/sys/fs/cgroup/memory.max",
	                                     "/sys/fs/cgroup/memory/memory.limit_in_bytes" };
	size_t i, lim = SIZE_MAX;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		FILE *f = fopen(files[i], "r");
		unsigned long long v;

		if (!f)
			continue;
		if (fscanf(f, "%llu", &v) == 1 && v > 0 && v < lim)
			lim = (size_t)v;
		fclose(f);
	}
	return lim;
}

static size_t default_budget(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), pg = sysconf(_SC_PAGESIZE);
	size_t phys = pages > 0 && pg > 0 ? (size_t)pages * (size_t)pg : (size_t)1 << 32;
	size_t cg = cgroup_limit();

	return (cg < phys ? cg : phys) / 2;
}

void block_set_budget(size_t bytes)
{
	pthread_mutex_lock(&lock);
	budget = bytes ? bytes : default_budget();
	pthread_mutex_unlock(&lock);
}

static size_t budget_locked(void)
{
	if (!budget)
		budget = default_budget();
	return budget;
}

size_t block_budget(void)
{
	size_t b;

	pthread_mutex_lock(&lock);
	b = budget_locked();
	pthread_mutex_unlock(&lock);
	return b;
}

int block_parse_size(const char *s, size_t *bytes)
{
	char *end;
	double v, mult = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !(v >= 0))
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1024.0; end++; break;
	case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
	case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
	case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v * mult >= 18e18 || v * mult < 1)
		return -1;
	*bytes = (size_t)(v * mult);
	return 0;
}

static size_t page_size(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	return pg > 0 ? (size_t)pg : 4096;
}

static size_t page_round(size_t bytes)
{
	size_t pg = page_size();

	if (bytes == 0)
		return pg;
	if (bytes > SIZE_MAX - pg)
		return SIZE_MAX;
	return (bytes + pg - 1) / pg * pg;
}

static struct blk *find(const float *p)
{
	size_t i;

	for (i = 0; p && i < nreg; i++)
		if (reg[i].p == p)
			return &reg[i];
	return NULL;
}

/* The entry whose block holds P (a pointer into it), or NULL. */
static struct blk *find_in(const float *p)
{
	size_t i;

	for (i = 0; p && i < nreg; i++)
		if (p >= reg[i].p && (const char *)p < (const char *)reg[i].p + reg[i].bytes)
			return &reg[i];
	return NULL;
}

static struct blk *add(float *p, size_t bytes, int fd)
{
	if (nreg == capreg) {
		capreg = capreg ? 2 * capreg : 8;
		reg = xreallocarray(reg, capreg, sizeof *reg);
	}
	reg[nreg].p = p;
	reg[nreg].bytes = bytes;
	reg[nreg].fd = fd;
	return &reg[nreg++];
}

static void drop(struct blk *b)
{
	*b = reg[--nreg];
}

static void fatal(const char *what, size_t bytes, int err) __attribute__((noreturn));

static void fatal(const char *what, size_t bytes, int err)
{
	const char *dir = getenv("TMPDIR");

	fprintf(stderr, "focal: a feature block of %.0f MB is past --memory (%.0f MB) and %s in "
	        "%s: %s (set TMPDIR to a disk with room, or raise --memory)\n",
	        (double)bytes / 1e6, (double)budget / 1e6, what, dir && *dir ? dir : "/tmp",
	        strerror(err));
	exit(1);
}

/* Maps BYTES (a multiple of the page size) of FD; exits on failure. */
static float *map(int fd, size_t bytes)
{
	void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		fatal("cannot be mapped from its temporary file", bytes, errno);
	return m;
}

/* Sets FD's length to BYTES, with the disk space reserved (a write to a mapped page
 * past the end of the disk would be a SIGBUS, not an error). */
static void resize(int fd, size_t old, size_t bytes)
{
	int rc;

	if (ftruncate(fd, (off_t)bytes) != 0)
		fatal("cannot grow its temporary file", bytes, errno);
	if (bytes > old && (rc = posix_fallocate(fd, (off_t)old, (off_t)(bytes - old))) != 0 &&
	    rc != EINVAL && rc != EOPNOTSUPP)
		fatal("finds no room for its temporary file", bytes, rc);
}

/* A new file block of at least BYTES, registered. */
static struct blk *file_block(size_t bytes)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	size_t len = page_round(bytes);
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	path = xmalloc(strlen(dir) + 32);
	sprintf(path, "%s/focal-block-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		fatal("cannot have a temporary file", bytes, errno);
	}
	unlink(path); /* gone with the process, however it ends */
	free(path);
	resize(fd, 0, len);
	return add(map(fd, len), len, fd);
}

float *block_alloc(size_t n)
{
	return block_realloc(NULL, n);
}

float *block_realloc(float *p, size_t n)
{
	struct blk *b;
	size_t bytes, old;
	float *q;

	if (n > SIZE_MAX / sizeof(float) / 2)
		fatal("is too large", SIZE_MAX, ENOMEM);
	bytes = n * sizeof(float);
	pthread_mutex_lock(&lock);
	b = find(p);
	if (b && b->fd >= 0) { /* in a file already: the file follows */
		size_t len = page_round(bytes);

		if (len != b->bytes) {
			munmap(b->p, b->bytes);
			resize(b->fd, b->bytes, len);
			b->p = map(b->fd, len);
			b->bytes = len;
		}
		q = b->p;
		pthread_mutex_unlock(&lock);
		return q;
	}
	old = b ? b->bytes : 0;
	if (held - old + bytes <= budget_locked() || bytes <= page_size()) {
		q = xrealloc(p, bytes);
		if (b) {
			b->p = q;
			b->bytes = bytes;
		} else {
			add(q, bytes, -1);
		}
		held = held - old + bytes;
		pthread_mutex_unlock(&lock);
		return q;
	}
	/* past the budget: to a file, with what the heap block held */
	if (b) {
		held -= old;
		drop(b);
	}
	b = file_block(bytes);
	q = b->p;
	if (p) { /* in slices, each handed back once written: the copy takes no more memory */
		size_t n0 = old < bytes ? old : bytes, at, step = (size_t)4 << 20, pg = page_size();

		for (at = 0; at < n0; at += step) {
			size_t len = n0 - at < step ? n0 - at : step;

			memcpy((char *)q + at, (const char *)p + at, len);
			madvise((char *)q + at / pg * pg, (at + len) / pg * pg - at / pg * pg,
			        MADV_DONTNEED);
		}
	}
	free(p);
	pthread_mutex_unlock(&lock);
	return q;
}

void block_free(float *p)
{
	struct blk *b;

	if (!p)
		return;
	pthread_mutex_lock(&lock);
	b = find(p);
	if (b && b->fd >= 0) {
		munmap(b->p, b->bytes);
		close(b->fd);
		drop(b);
		pthread_mutex_unlock(&lock);
		return;
	}
	if (b) {
		held -= b->bytes;
		drop(b);
	}
	pthread_mutex_unlock(&lock);
	free(p);
}

int block_in_file(const float *p)
{
	struct blk *b;
	int r;

	pthread_mutex_lock(&lock);
	b = find_in(p);
	r = b && b->fd >= 0;
	pthread_mutex_unlock(&lock);
	return r;
}

/* madvise ADVICE over the whole pages of floats [from, to) of P's file block (with
 * the last page when TO is its end). */
static void advise(const float *p, size_t from, size_t to, int advice, int whole)
{
	struct blk *b;

	pthread_mutex_lock(&lock);
	b = find_in(p);
	if (b && b->fd >= 0 && from < to) {
		size_t pg = page_size(), off = (size_t)((const char *)p - (const char *)b->p);
		size_t lo = off + from * sizeof(float), hi = off + to * sizeof(float);

		lo = whole ? (lo + pg - 1) / pg * pg : lo / pg * pg;
		hi = hi >= b->bytes || !whole ? page_round(hi) : hi / pg * pg;
		if (hi > b->bytes)
			hi = b->bytes;
		if (lo < hi)
			madvise((char *)b->p + lo, hi - lo, advice);
	}
	pthread_mutex_unlock(&lock);
}

void block_done(const float *p, size_t from, size_t to)
{
	advise(p, from, to, MADV_DONTNEED, 1);
}

void block_ahead(const float *p, size_t from, size_t to)
{
	advise(p, from, to, MADV_WILLNEED, 0);
}

size_t block_slice(const float *p)
{
	size_t s;

	if (!block_in_file(p))
		return SIZE_MAX;
	s = block_budget() / 8;
	if (s > SLICE_MAX)
		s = SLICE_MAX;
	if (s < page_size())
		s = page_size();
	return s / sizeof(float);
}

void block_sweep(const float *x, size_t r, size_t n, size_t width)
{
	if (r % BLOCK_SWEEP_ROWS || r == 0)
		return;
	block_done(x, (r - BLOCK_SWEEP_ROWS) * width, r * width);
	block_ahead(x, r * width, (r + BLOCK_SWEEP_ROWS < n ? r + BLOCK_SWEEP_ROWS : n) * width);
}
