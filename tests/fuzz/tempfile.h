/* tempfile.h: the fuzz targets' input files.  The readers take a path, so each input is
 * written to a temporary file; where /proc/self/fd can name it, the file is unlinked at
 * once and opened through that name, so an input that crashes leaves nothing behind. */
#ifndef FOCAL_FUZZ_TEMPFILE_H
#define FOCAL_FUZZ_TEMPFILE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct tempfile {
	int fd;
	char name[64];  /* the file's own name, "" once unlinked */
	char path[64];  /* the name to open it by */
};

static int write_full(int fd, const void *p, size_t n)
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

/* Creates T holding A[0..na) then B[0..nb) (B may be NULL); -1 on failure. */
static int temp_open(struct tempfile *t, const char *tag, const void *a, size_t na,
                     const void *b, size_t nb)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(t->name, sizeof t->name, "%s/%s.XXXXXX", dir, tag);
	t->fd = mkstemp(t->name);
	if (t->fd < 0)
		return -1;
	if (write_full(t->fd, a, na) != 0 || (b && write_full(t->fd, b, nb) != 0)) {
		close(t->fd);
		unlink(t->name);
		return -1;
	}
	snprintf(t->path, sizeof t->path, "/proc/self/fd/%d", t->fd);
	if (access(t->path, R_OK) == 0) {
		unlink(t->name);
		t->name[0] = '\0';
	} else {
		snprintf(t->path, sizeof t->path, "%s", t->name);
	}
	return 0;
}

static void temp_close(struct tempfile *t)
{
	close(t->fd);
	if (t->name[0])
		unlink(t->name);
}

#endif
