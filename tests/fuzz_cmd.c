/*
 * fuzz_cmd.c: libFuzzer target for the commands that read a data file (make fuzz):
 * focal eval --truth COL on a predictions CSV, and focal predict -m MODEL and focal
 * eval -m MODEL on a data file, against fixed models trained once at startup on the
 * bundled datasets (glass; house-votes-84, with categorical columns; wdbc, two classes
 * with focal loss; glass without its header line, for --no-header).
 *
 * The first four bytes of the input choose the command line (the enums below); the
 * rest is the file.  The command runs in-process as focal.c runs it, with standard
 * output going to a temporary file and standard error to memory.  Errors are expected.
 * Crashes, leaks, hangs and undefined behaviour are not, and neither are: an exit
 * status other than 0, 1 or 2; a failure without a "focal: " message; a success
 * without output; NaN or infinity in a report; predictions that do not read back (a
 * row of the wrong width, a kept field that is not the input's, a probability that is
 * not one, a predicted class that does not follow from the probabilities); and with
 * predict -o, a file left behind by a failure or missing after a success.
 *
 * With FUZZ_CMD_SHOW set in the environment, each command line is printed with its exit
 * status and messages (the file is named /proc/self/fd/N: the input without its first
 * four bytes).
 */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "csvread.h"
#include "fuzz/tempfile.h"
#include "model.h"

#define MAX_BYTES 65536
#define NSEL 4

/* Byte 0: the command, the model, the format, --no-header, --threshold. */
enum {
	B0_MODE = 3,            /* bits 0-1: enum mode */
	B0_MODEL_SHIFT = 2,     /* bits 2-3: which of the models */
	B0_FORMAT_SHIFT = 4,    /* bits 4-5: --format table, tsv, json, json */
	B0_NO_HEADER = 1 << 6,  /* --no-header (always with the model trained without one) */
	B0_THRESHOLD = 1 << 7,  /* --threshold, its value from byte 1 */
};

enum mode {
	M_TRUTH,       /* eval --truth COL */
	M_TRUTH_PRED,  /* eval --truth COL --pred COL */
	M_PREDICT,     /* predict -m MODEL [--keep COLS] */
	M_EVAL_MODEL,  /* eval -m MODEL */
};

/* Byte 1: the threshold, byte / 255.  Byte 2: bits 0-2 choose --truth (eval) or --keep
 * (predict), bits 3-5 --pred.  Byte 3: */
enum {
	B3_TAB = 1 << 0,        /* -d TAB */
	B3_NA = 1 << 1,         /* --na NA,-1 */
	B3_OUTPUT = 1 << 2,     /* predict -o FILE */
	B3_QUIET = 1 << 3,      /* -q */
};

static const char *const truth_cols[8] = {
	"1", "2", "3", "type", "party", "diagnosis", "predicted", "p_malignant"
};
static const char *const pred_cols[8] = {
	"predicted", "1", "2", "3", "4", "p_benign", "type", "0"
};
static const char *const keep_cols[8] = {
	NULL, "1", "type", "party", "diagnosis", "1,2", "10", "type,ri"
};

/* The fixed models: how each is trained, and what it holds once trained. */
struct fixed {
	const char *name, *data, *args[8];
	int no_header;          /* trained on the data without its header line */
	char path[64];          /* where the commands read it */
	int fd;
	struct model m;
};

static struct fixed models[4] = {
	{ .name = "glass", .data = "glass.csv", .args = { "-y", "type" } },
	{ .name = "votes", .data = "house-votes-84.csv", .args = { "-y", "party" } },
	{ .name = "wdbc", .data = "wdbc.csv",
	  .args = { "-y", "diagnosis", "--loss", "focal", "--sample", "over" } },
	{ .name = "glass-nh", .data = "glass.csv", .args = { "--no-header" }, .no_header = 1 },
};

/* Standard output goes to OUT (a temporary file), standard error to ERR (memory). */
static struct tempfile out;
static int saved_stdout = -1;
static FILE *saved_stderr;
static char *err;
static size_t nerr;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Runs FN (a cmd_* function) on ARGS (NARGS strings, the command's name first) the way
 * focal.c runs it.  Standard output is redirected with dup2; standard error by
 * pointing the stderr stream at memory rather than by moving descriptor 2, so that a
 * sanitizer report still reaches the terminal.
 */
static int run(int (*fn)(int, char **), const char *const *args, int nargs)
{
	char *argv[32];
	FILE *ef;
	int i, rc;

	for (i = 0; i < nargs; i++)
		argv[i] = (char *)args[i];
	argv[nargs] = NULL;
	free(err);
	err = NULL;
	nerr = 0;
	ef = open_memstream(&err, &nerr);
	if (!ef)
		abort();
	fflush(stdout);
	if (ftruncate(out.fd, 0) != 0 || lseek(out.fd, 0, SEEK_SET) != 0 ||
	    dup2(out.fd, STDOUT_FILENO) < 0)
		abort();
	clearerr(stdout);
	saved_stderr = stderr;
	stderr = ef;
	optind = 0; /* glibc: getopt_long starts afresh */
	cli_quiet = 0;
	rc = fn(nargs, argv);
	fflush(stdout);
	stderr = saved_stderr;
	fclose(ef);
	if (dup2(saved_stdout, STDOUT_FILENO) < 0)
		abort();
	clearerr(stdout);
	return rc;
}

/* The captured standard output, NUL-terminated; *n gets its length.  Caller frees. */
static char *output(size_t *n)
{
	struct stat st;
	char *buf;
	ssize_t got;

	if (fstat(out.fd, &st) != 0)
		abort();
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		abort();
	got = pread(out.fd, buf, (size_t)st.st_size, 0);
	if (got != st.st_size)
		abort();
	buf[got] = '\0';
	*n = (size_t)got;
	return buf;
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_cmd: %s\n", what);
	if (err && nerr)
		fprintf(stderr, "standard error of the command:\n%.*s\n", (int)nerr, err);
	abort();
}

/* Trains model F into directory DIR, loads it, and keeps it open by descriptor. */
static void train_fixed(struct fixed *f, const char *datadir, const char *dir)
{
	const char *args[20];
	char data[4096], file[4096];
	struct tempfile rows;
	struct ferr e = { "", 1, 0 };
	int n = 0, i;

	snprintf(data, sizeof data, "%s/%s", datadir, f->data);
	snprintf(file, sizeof file, "%s/%s.focal", dir, f->name);
	rows.fd = -1;
	if (f->no_header) {
		/* the same rows without the header line */
		FILE *in = fopen(data, "rb");
		char *buf = NULL, *body;
		size_t cap = 0, len = 0;

		if (!in)
			die("cannot read the datasets (run from the top directory)");
		for (;;) {
			size_t got;

			buf = realloc(buf, cap += 65536);
			if (!buf)
				abort();
			got = fread(buf + len, 1, cap - len, in);
			len += got;
			if (got == 0)
				break;
		}
		fclose(in);
		body = memchr(buf, '\n', len);
		body = body ? body + 1 : buf + len;
		if (temp_open(&rows, "fuzz_cmd", body, len - (size_t)(body - buf), NULL, 0) != 0)
			die("cannot write a temporary file");
		free(buf);
		snprintf(data, sizeof data, "%s", rows.path);
	}
	args[n++] = "train";
	args[n++] = "-q";
	for (i = 0; i < 8 && f->args[i]; i++)
		args[n++] = f->args[i];
	args[n++] = "-o";
	args[n++] = file;
	args[n++] = data;
	if (run(cmd_train, args, n) != 0)
		die("training a fixed model failed");
	if (rows.fd >= 0)
		temp_close(&rows);
	f->fd = open(file, O_RDONLY);
	if (f->fd < 0)
		die("the trained model is missing");
	snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
	if (access(f->path, R_OK) == 0)
		unlink(file);
	else
		snprintf(f->path, sizeof f->path, "%s", file);
	if (model_load(f->path, &f->m, &e) != 0)
		die(e.msg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char datadir[4096], dir[64];
	const char *slash;
	const char *shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	size_t i;

	(void)argc;
	/* the datasets: beside the directory of this program (tests/), else ./datasets */
	slash = strrchr((*argv)[0], '/');
	if (slash)
		snprintf(datadir, sizeof datadir, "%.*s/../datasets", (int)(slash - (*argv)[0]),
		         (*argv)[0]);
	if (!slash || access(datadir, R_OK) != 0)
		snprintf(datadir, sizeof datadir, "datasets");
	saved_stdout = dup(STDOUT_FILENO);
	if (saved_stdout < 0 || temp_open(&out, "fuzz_cmd", "", 0, NULL, 0) != 0)
		die("cannot set up standard output");
	snprintf(dir, sizeof dir, "%s/fuzz_cmd.XXXXXX", shm);
	if (!mkdtemp(dir))
		die("cannot make a temporary directory");
	for (i = 0; i < sizeof models / sizeof models[0]; i++)
		train_fixed(&models[i], datadir, dir);
	for (i = 0; i < sizeof models / sizeof models[0]; i++)
		if (strncmp(models[i].path, "/proc/", 6) != 0)
			return 0; /* no /proc: the models stay in DIR */
	rmdir(dir);
	return 0;
}

/* Does S[0..n) hold WORD (lower case) in any case? */
static int contains_nocase(const char *s, size_t n, const char *word)
{
	size_t i, j, w = strlen(word);

	for (i = 0; i + w <= n; i++) {
		for (j = 0; j < w; j++)
			if ((s[i + j] | 0x20) != word[j])
				break;
		if (j == w)
			return 1;
	}
	return 0;
}

static int word_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

/* Does S[0..n) hold "nan" or "inf" (any case) as a word of its own, the way printf
 * writes a number that is not finite?  Not after a backslash: JSON writes a label's
 * newline and "an" as \nan. */
static int nonfinite_word(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 3 <= n; i++) {
		if ((i > 0 && (word_byte(s[i - 1]) || s[i - 1] == '\\')) ||
		    (i + 3 < n && word_byte(s[i + 3])))
			continue;
		if (contains_nocase(s + i, 3, "nan") || contains_nocase(s + i, 3, "inf"))
			return 1;
	}
	return 0;
}

/* A report of eval: no NaN or infinity printed as such, and in JSON the figures that
 * any non-empty set of rows defines are numbers. */
static void check_report(const char *body, size_t nbody, int json, int model)
{
	size_t n;
	char *s = output(&n);

	if (n == 0)
		die("eval succeeded without output");
	if (!contains_nocase(body, nbody, "nan") && !contains_nocase(body, nbody, "inf") &&
	    nonfinite_word(s, n))
		die("a report holds a non-finite number");
	if (json) {
		if (s[n - 1] != '\n' || s[0] != '{' || strstr(s, "\"accuracy\":null") ||
		    strstr(s, "\"balanced_accuracy\":null") ||
		    strstr(s, "\"macro\":{\"precision\":null") ||
		    (model && strstr(s, "\"log_loss\":null")))
			die("a JSON report lacks a figure it must have");
	}
	free(s);
}

/* ---- reading predictions back ---- */

/* The kept fields of the input's data rows, in order. */
struct kept {
	const char *keep;
	int header;
	long col[4];
	size_t ncol;
	char **v;            /* nrow x ncol */
	size_t nrow, cap;
	char **hname;        /* the names predict gives the kept columns */
};

/* Column SPEC of header H as predict finds it: a name (with a header), else an index. */
static long find_col(const struct csvrow *h, const char *spec, int header)
{
	size_t j;
	long v;

	for (j = 0; header && j < h->n; j++)
		if (strcmp(spec, h->f[j]) == 0)
			return (long)j;
	if (parse_long(spec, 1, (long)h->n, &v) == 0)
		return v - 1;
	return -1;
}

static int on_input_row(void *ctx, const struct csvrow *row, struct ferr *e)
{
	struct kept *k = ctx;
	size_t i;

	(void)e;
	if (row->index == 0) {
		char **cols;
		size_t n = 0;

		cols = k->keep ? split_list(k->keep, &n) : NULL;
		k->ncol = n;
		k->hname = calloc(n + 1, sizeof *k->hname);
		for (i = 0; i < n; i++) {
			char num[32];

			k->col[i] = find_col(row, cols[i], k->header);
			if (k->col[i] < 0)
				die("predict succeeded with a --keep column the input lacks");
			snprintf(num, sizeof num, "%ld", k->col[i] + 1);
			k->hname[i] = xstrdup(k->header ? row->f[k->col[i]] : num);
		}
		strv_free(cols, n);
		if (k->header)
			return 0;
	}
	if (k->nrow == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 64;
		k->v = xreallocarray(k->v, k->cap, (k->ncol + 1) * sizeof *k->v);
	}
	for (i = 0; i < k->ncol; i++) {
		if ((size_t)k->col[i] >= row->n)
			die("predict succeeded on a row without a kept column");
		k->v[k->nrow * k->ncol + i] = xstrdup(row->f[k->col[i]]);
	}
	k->nrow++;
	return 0;
}

static void kept_release(struct kept *k)
{
	strv_free(k->v, k->nrow * k->ncol);
	strv_free(k->hname, k->ncol);
}

/* What predict promises of its output, checked row by row. */
struct readback {
	const struct model *m;
	const struct kept *k;
	double threshold;
	size_t nrow;
};

static int on_output_row(void *ctx, const struct csvrow *row, struct ferr *e)
{
	struct readback *rb = ctx;
	const struct schema *s = &rb->m->s;
	size_t nk = rb->k->ncol, i, pred;
	double p[256], sum = 0;

	(void)e;
	if (row->n != nk + 1 + s->nclass)
		die("a predictions row of the wrong width");
	if (row->index == 0) {
		for (i = 0; i < nk; i++)
			if (strcmp(row->f[i], rb->k->hname[i]) != 0)
				die("a kept column's name does not read back");
		if (strcmp(row->f[nk], "predicted") != 0)
			die("no 'predicted' column");
		for (i = 0; i < s->nclass; i++)
			if (strncmp(row->f[nk + 1 + i], "p_", 2) != 0 ||
			    strcmp(row->f[nk + 1 + i] + 2, s->classes[i]) != 0)
				die("a p_<label> column does not name its class");
		return 0;
	}
	if (rb->nrow >= rb->k->nrow)
		die("more predictions than input rows");
	for (i = 0; i < nk; i++)
		if (strcmp(row->f[i], rb->k->v[rb->nrow * nk + i]) != 0)
			die("a kept field does not read back as the input's");
	for (pred = 0; pred < s->nclass; pred++)
		if (strcmp(row->f[nk], s->classes[pred]) == 0)
			break;
	if (pred == s->nclass)
		die("a predicted label that is not a class");
	if (s->nclass > sizeof p / sizeof p[0])
		abort();
	for (i = 0; i < s->nclass; i++) {
		const char *v = row->f[nk + 1 + i];

		if (fast_atod(v, row->len[nk + 1 + i], &p[i]) != 0 || !(p[i] >= 0 && p[i] <= 1))
			die("a probability that is not a number in [0, 1]");
		sum += p[i];
	}
	if (fabs(sum - 1) > 1e-9)
		die("probabilities that do not add up to 1");
	if (s->nclass == 2) {
		size_t pos = (size_t)rb->m->lm.positive;

		if ((pred == pos) != (p[pos] >= rb->threshold))
			die("a predicted class on the wrong side of the threshold");
	} else {
		for (i = 0; i < s->nclass; i++)
			if (p[i] > p[pred] || (p[i] == p[pred] && i < pred))
				die("a predicted class that is not the most probable");
	}
	rb->nrow++;
	return 0;
}

/* Reads predictions at PATH back against the input at INPUT. */
static void check_predictions(const char *path, const char *input, int delim, int header,
                              const char *keep, const struct model *m, double threshold)
{
	struct kept k;
	struct readback rb;
	struct ferr e = { "", 1, 0 };

	memset(&k, 0, sizeof k);
	k.keep = keep;
	k.header = header;
	if (csv_stream(input, delim, on_input_row, &k, &e) != 0)
		die("predict succeeded on input that does not read");
	memset(&rb, 0, sizeof rb);
	rb.m = m;
	rb.k = &k;
	rb.threshold = threshold;
	if (csv_stream(path, ',', on_output_row, &rb, &e) != 0) {
		fprintf(stderr, "fuzz_cmd: %s\n", e.msg);
		die("the predictions do not read back");
	}
	if (rb.nrow != k.nrow)
		die("fewer predictions than input rows");
	kept_release(&k);
}

/* The names in DIR other than FILE; 0 when there are none. */
static int others_in(const char *dir, const char *file)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		abort();
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, file) != 0)
			n++;
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[4] = { "table", "tsv", "json", "json" };
	const char *args[32];
	const char *body;
	struct tempfile tf;
	struct fixed *f;
	char thr[32], outdir[64], outpath[96];
	unsigned b0, b1, b2, b3;
	enum mode mode;
	int n = 0, rc, header, fmt, have_threshold, to_file = 0, delim;
	double threshold = 0.5;

	if (size < NSEL || size > MAX_BYTES)
		return 0;
	b0 = data[0];
	b1 = data[1];
	b2 = data[2];
	b3 = data[3];
	body = (const char *)data + NSEL;
	size -= NSEL;
	mode = (enum mode)(b0 & B0_MODE);
	f = &models[(b0 >> B0_MODEL_SHIFT) & 3];
	fmt = (int)((b0 >> B0_FORMAT_SHIFT) & 3);
	header = !(b0 & B0_NO_HEADER);
	have_threshold = !!(b0 & B0_THRESHOLD);
	delim = b3 & B3_TAB ? '\t' : ',';
	if (mode != M_TRUTH && mode != M_TRUTH_PRED && f->no_header)
		header = 0;

	if (temp_open(&tf, "fuzz_cmd", body, size, NULL, 0) != 0)
		return 0;
	args[n++] = mode == M_PREDICT ? "predict" : "eval";
	if (mode == M_PREDICT || mode == M_EVAL_MODEL) {
		args[n++] = "-m";
		args[n++] = f->path;
	}
	if (mode == M_TRUTH || mode == M_TRUTH_PRED) {
		args[n++] = "--truth";
		args[n++] = truth_cols[b2 & 7];
	}
	if (mode == M_TRUTH_PRED) {
		args[n++] = "--pred";
		args[n++] = pred_cols[(b2 >> 3) & 7];
	}
	if (mode == M_PREDICT && keep_cols[b2 & 7]) {
		args[n++] = "--keep";
		args[n++] = keep_cols[b2 & 7];
	}
	if (mode != M_PREDICT) {
		args[n++] = "--format";
		args[n++] = formats[fmt];
	}
	if (have_threshold) {
		if (b1 == 0 || b1 == 255)
			snprintf(thr, sizeof thr, "%d", b1 == 255);
		else
			snprintf(thr, sizeof thr, "%.3g", b1 / 255.0);
		threshold = strtod(thr, NULL);
		args[n++] = "--threshold";
		args[n++] = thr;
	}
	if (!header)
		args[n++] = "--no-header";
	if (b3 & B3_TAB) {
		args[n++] = "-d";
		args[n++] = "\t";
	}
	if (b3 & B3_NA) {
		args[n++] = "--na";
		args[n++] = "NA,-1";
	}
	if (b3 & B3_QUIET)
		args[n++] = "-q";
	if (mode == M_PREDICT && (b3 & B3_OUTPUT)) {
		const char *shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

		snprintf(outdir, sizeof outdir, "%s/fuzz_cmd.XXXXXX", shm);
		if (!mkdtemp(outdir))
			abort();
		snprintf(outpath, sizeof outpath, "%s/p.csv", outdir);
		args[n++] = "-o";
		args[n++] = outpath;
		to_file = 1;
	}
	args[n++] = tf.path;

	rc = run(mode == M_PREDICT ? cmd_predict : cmd_eval, args, n);
	if (getenv("FUZZ_CMD_SHOW")) {
		/* what ran, for reproducing a finding with focal itself */
		int i;

		fputs("focal", stderr);
		for (i = 0; i < n; i++)
			fprintf(stderr, strcmp(args[i], "\t") == 0 ? " $'\\t'" : " %s", args[i]);
		fprintf(stderr, ": status %d\n%.*s", rc, (int)nerr, err ? err : "");
	}
	if (rc < 0 || rc > 2)
		die("an exit status other than 0, 1 or 2");
	if (rc != 0 && (nerr == 0 || strncmp(err, "focal: ", 7) != 0))
		die("a failure without a message");

	if (mode != M_PREDICT) {
		if (rc == 0)
			check_report(body, size, fmt >= 2, mode == M_EVAL_MODEL);
	} else if (to_file) {
		size_t nout;
		char *s = output(&nout);
		char fdpath[64];
		int fd = -1;

		free(s);
		if (nout != 0)
			die("predict -o wrote to standard output");
		if (others_in(outdir, "p.csv") != 0)
			die("predict -o left a temporary file behind");
		if (rc != 0 && access(outpath, F_OK) == 0)
			die("predict -o failed but left its output file");
		if (rc == 0 && (fd = open(outpath, O_RDONLY)) < 0)
			die("predict -o succeeded without its output file");
		/* read the file by descriptor once it is gone, so a finding leaves nothing */
		snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
		if (fd < 0 || access(fdpath, R_OK) != 0)
			snprintf(fdpath, sizeof fdpath, "%s", outpath);
		else
			unlink(outpath);
		rmdir(outdir);
		if (rc == 0)
			check_predictions(fdpath, tf.path, delim, header, keep_cols[b2 & 7], &f->m,
			                  threshold);
		if (fd >= 0)
			close(fd);
		unlink(outpath);
		rmdir(outdir);
	} else if (rc == 0) {
		check_predictions(out.path, tf.path, delim, header, keep_cols[b2 & 7], &f->m,
		                  threshold);
	}
	temp_close(&tf);
	free(err);
	err = NULL;
	nerr = 0;
	return 0;
}
