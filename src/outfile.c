/* outfile.c: atomic output files (a temporary file beside the target, renamed over it). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Creates a new file "PATH.tmpXXXXXX" (X random) for writing; returns the descriptor and
 * sets *TMP to the name (caller frees), or returns -1 with errno set and *TMP NULL.
 */
static int tmpfile_beside(const char *path, char **tmp)
{
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned long calls;
	size_t n = strlen(path);
	char *name = xmalloc(n + 12);
	struct timespec ts;
	struct rng r;
	int tries, i, fd;

	clock_gettime(CLOCK_REALTIME, &ts);
	rng_seed(&r, ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^
	         ((uint64_t)getpid() << 40) ^ ((uint64_t)++calls << 20) ^ (uint64_t)(uintptr_t)name);
	memcpy(name, path, n);
	memcpy(name + n, ".tmp", 4);
	for (tries = 0; tries < 1000; tries++) {
		for (i = 0; i < 6; i++)
			name[n + 4 + i] = alnum[rng_below(&r, sizeof alnum - 1)];
		name[n + 10] = '\0';
		/* O_EXCL: a new file or none; the kernel applies the umask (and default ACLs) */
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*tmp = name;
			return fd;
		}
		if (errno != EEXIST)
			break;
	}
	i = errno;
	free(name);
	*tmp = NULL;
	errno = i;
	return -1;
}

/*
 * The temporary files open now, removed at exit: a run that ends on an error no caller
 * sees (out of memory, which exits at once) leaves none behind.  The commands open them
 * from the main thread only.  A signal that would end the process (a hangup, an
 * interrupt, a closed pipe, a termination) removes them too, then ends the process as it
 * would have ended: its handler is installed only where the signal's action is the
 * default one (a signal the caller ignores stays ignored), and runs on the main thread,
 * since the pool's helpers start with these signals blocked (pool.c).
 */
#define MAX_OPEN 16
static char *volatile open_tmp[MAX_OPEN];

static void remove_open(void)
{
	size_t i;

	for (i = 0; i < MAX_OPEN; i++)
		if (open_tmp[i])
			unlink(open_tmp[i]);
}

/* Only async-signal-safe calls: unlink, raise.  SA_RESETHAND has put back the default
 * action, so the signal raised again (pending until the handler returns) ends the
 * process with the status a shell expects of it (128 + the signal's number). */
static void on_fatal_signal(int sig)
{
	int saved = errno;

	remove_open();
	errno = saved;
	raise(sig);
}

static void catch_fatal_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGPIPE, SIGTERM };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
}

static void track(char *tmp)
{
	static int registered;
	size_t i;

	if (!registered) {
		atexit(remove_open);
		catch_fatal_signals();
		registered = 1;
	}
	for (i = 0; i < MAX_OPEN; i++)
		if (!open_tmp[i]) {
			open_tmp[i] = tmp;
			return;
		}
}

static void untrack(const char *tmp)
{
	size_t i;

	for (i = 0; i < MAX_OPEN; i++)
		if (open_tmp[i] == tmp)
			open_tmp[i] = NULL;
}

/*
 * PATH when it names a device, a pipe or a socket (-o /dev/null, -o /dev/stdout, a
 * named pipe), opened for writing on O: no file to replace, and no temporary file could
 * stand in for it (renamed over /dev/null, it would put a plain file there).  0 when
 * PATH is such a file and is open, 1 when it is not one (or does not exist), -1 with E
 * filled when it cannot be opened.
 */
static int open_special(struct outfile *o, const char *path, struct ferr *e)
{
	struct stat st;

	if (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return 1;
	if (!(o->f = fopen(path, "we")))
		return ferr_set(e, "%s: %s", path, strerror(errno));
	o->direct = 1;
	return 0;
}

/*
 * Outputs in place already that the run takes away if it ends in failure: while HOLDING,
 * each output committed (its name borrowed: it lives as long as the run) is tracked as
 * the temporary files are, with no allocation between its rename and its tracking.
 */
#define MAX_PROVISIONAL 4
static const char *provisional[MAX_PROVISIONAL];
static int holding;

static void hold_committed(const char *path)
{
	size_t i;

	for (i = 0; holding && i < MAX_PROVISIONAL; i++)
		if (!provisional[i]) {
			provisional[i] = path;
			track((char *)path);
			return;
		}
}

void outfile_hold(void)
{
	holding = 1;
}

void outfile_settle(void)
{
	size_t i;

	for (i = 0; i < MAX_PROVISIONAL; i++)
		if (provisional[i]) {
			untrack(provisional[i]);
			provisional[i] = NULL;
		}
	holding = 0;
}

void outfile_withdraw(void)
{
	size_t i;

	for (i = 0; i < MAX_PROVISIONAL; i++)
		if (provisional[i])
			unlink(provisional[i]);
	outfile_settle();
}

int outfile_open(struct outfile *o, const char *path, struct ferr *e)
{
	int fd, rc;

	o->path = path;
	o->direct = 0;
	if ((rc = open_special(o, path, e)) <= 0)
		return rc;
	fd = tmpfile_beside(path, &o->tmp);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		ferr_set(e, "%s: cannot create a temporary file: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		o->f = NULL;
		return -1;
	}
	track(o->tmp);
	return 0;
}

int outfile_commit(struct outfile *o, struct ferr *e)
{
	FILE *f = o->f;

	o->f = NULL;
	if (o->direct) {
		if (fflush(f) != 0 || ferror(f)) {
			ferr_set(e, "%s: %s", o->path, strerror(errno ? errno : EIO));
			fclose(f);
			return -1;
		}
		if (fclose(f) != 0)
			return ferr_set(e, "%s: %s", o->path, strerror(errno));
		return 0;
	}
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		ferr_set(e, "%s: %s", o->path, strerror(errno ? errno : EIO));
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0 || rename(o->tmp, o->path) != 0)
		return ferr_set(e, "%s: %s", o->path, strerror(errno));
	untrack(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
	hold_committed(o->path);
	return 0;
}

void outfile_abort(struct outfile *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp) {
		unlink(o->tmp);
		untrack(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
}
