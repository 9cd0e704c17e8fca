/* unit_outfile.c: an output file appears whole at commit, leaves nothing behind on abort,
 * takes its mode from the umask, and a directory that cannot hold it is an error. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "tap.h"

/* Files in DIR other than . and .. */
static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The contents of PATH, or NULL (caller frees). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 4096);
	n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Writes PATH through an outfile under umask MASK; the mode it then has, or 07777 on a
 * failure. */
static mode_t mode_under(const char *path, mode_t mask)
{
	struct outfile o = { NULL, NULL, NULL };
	struct ferr e = { "", 0, 0 };
	struct stat st;
	mode_t old = umask(mask);
	int rc = outfile_open(&o, path, &e);

	if (rc == 0)
		rc = outfile_commit(&o, &e);
	umask(old);
	outfile_abort(&o);
	return rc == 0 && stat(path, &st) == 0 ? st.st_mode & 0777 : 07777;
}

int main(void)
{
	char dir[] = "/tmp/unit_outfile.XXXXXX", path[256], missing[256], *s;
	struct outfile o = { NULL, NULL, NULL };
	struct ferr e = { "", 0, 0 };
	mode_t mode;
	int rc;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		TAP_DONE();
	}
	snprintf(path, sizeof path, "%s/out.txt", dir);

	/* commit: the target appears with what was written, and nothing else is left */
	rc = outfile_open(&o, path, &e);
	CHECK(rc == 0 && o.f && o.tmp, "outfile_open succeeds in a writable directory");
	CHECK(rc == 0 && strncmp(o.tmp, path, strlen(path)) == 0 &&
	      strncmp(o.tmp + strlen(path), ".tmp", 4) == 0,
	      "the temporary file is beside the target (%s)", o.tmp ? o.tmp : "-");
	CHECK(access(path, F_OK) != 0, "the target does not exist before the commit");
	fputs("hello\n", o.f);
	rc = outfile_commit(&o, &e);
	s = slurp(path);
	CHECK(rc == 0 && s && strcmp(s, "hello\n") == 0, "outfile_commit renames the whole file over the target");
	free(s);
	CHECK(count_files(dir) == 1, "after a commit only the target is in the directory");
	outfile_abort(&o);
	CHECK(access(path, F_OK) == 0, "outfile_abort after a commit leaves the target alone");

	/* abort: the old target is kept and the temporary file goes */
	rc = outfile_open(&o, path, &e);
	fputs("half a fi", o.f);
	outfile_abort(&o);
	s = slurp(path);
	CHECK(rc == 0 && s && strcmp(s, "hello\n") == 0, "an aborted write keeps the old target");
	free(s);
	CHECK(count_files(dir) == 1 && !o.tmp && !o.f, "an aborted write leaves nothing behind");

	/* the mode comes from the umask, also over a file of another mode */
	chmod(path, 0666);
	mode = mode_under(path, 077);
	CHECK(mode == 0600, "under umask 077 the file is 0600 (%o)", (unsigned)mode);
	mode = mode_under(path, 022);
	CHECK(mode == 0644, "under umask 022 the file is 0644 (%o)", (unsigned)mode);

	/* a directory that is not there: an error naming the file, not a crash */
	snprintf(missing, sizeof missing, "%s/nodir/out.txt", dir);
	memset(&e, 0, sizeof e);
	rc = outfile_open(&o, missing, &e);
	CHECK(rc == -1 && strstr(e.msg, "nodir/out.txt: cannot create a temporary file") && e.status == 1,
	      "a missing directory is an error (%s)", e.msg);
	CHECK(!o.f && !o.tmp, "a failed open holds nothing");
	outfile_abort(&o);
	CHECK(count_files(dir) == 1, "a failed open leaves nothing behind");

	unlink(path);
	rmdir(dir);
	TAP_DONE();
}
