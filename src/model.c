/* model.c: the model file format of man/focal.5. */
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "calib.h"
#include "outfile.h"
#include "output.h"

#define MAX_MODEL_BYTES ((size_t)1 << 30)

void model_release(struct model *m)
{
	struct traininfo *t;

	if (!m)
		return;
	t = &m->info;
	schema_release(&m->s);
	linmodel_release(&m->lm);
	free(t->loss);
	free(t->solver);
	free(t->sample);
	free(t->cmdline);
	free(t->bias_init);
	free(t->class_weight);
	free(t->count_before);
	free(t->count_after);
	free(t->calibrate);
	lampath_release(&t->path);
	decision_release(&m->dec);
	memset(m, 0, sizeof *m);
}

/* ---- writing ---- */

/* Writes S as a quoted string with C-style escapes. */
static void put_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void put_num(FILE *f, double x)
{
	fprintf(f, " %.17g", x);
}

/* The calibration and decision lines (version 2). */
static void write_decision(FILE *f, const struct model *m)
{
	const struct decision *d = &m->dec;
	const struct lampath *p = &m->info.path;
	size_t c;

	fprintf(f, "calibration %s %.17g\n", m->info.calibrate ? m->info.calibrate : "none",
	        m->info.temperature > 0 ? m->info.temperature : 1);
	fprintf(f, "decision %s %s %d\n", decision_source_key[d->source],
	        d->source == DEC_TUNED ? decision_metric_key[d->metric] : "-", d->folds);
	if (m->s.nclass == 2)
		fprintf(f, "threshold %.17g %.17g\n", d->threshold, d->threshold_sd);
	for (c = 0; m->s.nclass != 2 && c < m->s.nclass; c++)
		fprintf(f, "offset %.17g %.17g\n", d->offset ? d->offset[c] : 0,
		        d->offset_sd ? d->offset_sd[c] : 0);
	fprintf(f, "lambda-path %zu %s %zu\n", p->n,
	        p->n == 0 ? "-" : p->metric >= 0 ? decision_metric_key[p->metric] : "log_loss",
	        p->chosen);
	for (c = 0; c < p->n; c++) {
		fprintf(f, "step %.17g %.17g", p->lambda[c], p->log_loss[c]);
		if (isnan(p->score[c]))
			fputs(" -\n", f); /* not tried */
		else
			fprintf(f, " %.17g\n", p->score[c]);
	}
}

static void write_body(FILE *f, const struct model *m)
{
	const struct schema *s = &m->s;
	const struct traininfo *t = &m->info;
	const struct linmodel *lm = &m->lm;
	size_t i, j;

	fprintf(f, "focal-model %d\n", MODEL_FORMAT_VERSION);
	fprintf(f, "model %s\n", lm->kind == MODEL_LOGISTIC ? "logistic" : "softmax");
	fprintf(f, "loss %s\n", t->loss ? t->loss : "ce");
	fprintf(f, "gamma %.17g\n", t->gamma);
	fprintf(f, "lambda %.17g\n", t->lambda);
	fprintf(f, "solver %s\n", t->solver ? t->solver : "lbfgs");
	fprintf(f, "bias-init %s\n", t->bias_init ? t->bias_init : "prior");
	fprintf(f, "sample %s %.17g %d\n", t->sample ? t->sample : "none", t->sample_ratio, t->smote_k);
	fprintf(f, "seed %" PRIu64 "\n", t->seed);
	fprintf(f, "objective %.17g\n", t->objective);
	fprintf(f, "iterations %d %s\n", t->iterations, t->converged ? "converged" : "not-converged");
	fputs("command ", f);
	put_str(f, t->cmdline ? t->cmdline : "");
	fputs("\ntarget ", f);
	put_str(f, s->target);
	fprintf(f, "\nna %zu", s->nna);
	for (i = 0; i < s->nna; i++) {
		fputc(' ', f);
		put_str(f, s->na[i]);
	}
	fprintf(f, "\nclasses %zu\n", s->nclass);
	for (i = 0; i < s->nclass; i++) {
		fputs("class ", f);
		put_str(f, s->classes[i]);
		fprintf(f, " %zu %zu %.17g\n", t->count_before ? t->count_before[i] : 0,
		        t->count_after ? t->count_after[i] : 0, t->class_weight ? t->class_weight[i] : 1.0);
	}
	if (s->nclass == 2)
		fprintf(f, "positive %d\n", lm->positive);
	write_decision(f, m);
	fprintf(f, "features %zu %zu\n", s->nfeat, s->dim);
	for (i = 0; i < s->nfeat; i++) {
		const struct feature *ft = &s->feat[i];

		if (ft->categorical) {
			fputs("categorical ", f);
			put_str(f, ft->name);
			fprintf(f, " %zu", ft->nvocab);
			for (j = 0; j < ft->nvocab; j++) {
				fputc(' ', f);
				put_str(f, ft->vocab[j]);
			}
			fputc('\n', f);
		} else {
			fputs("numeric ", f);
			put_str(f, ft->name);
			put_num(f, ft->impute);
			put_num(f, ft->center);
			put_num(f, ft->scale);
			fputc('\n', f);
		}
	}
	fprintf(f, "weights %zu %zu\n", lm->nout, lm->dim + 1);
	for (i = 0; i < lm->nout; i++) {
		fputc('w', f);
		for (j = 0; j <= lm->dim; j++)
			put_num(f, lm->w[i * (lm->dim + 1) + j]);
		fputc('\n', f);
	}
}

static int all_finite(const struct model *m)
{
	size_t i, n = linmodel_nparams(&m->lm);

	for (i = 0; i < n; i++)
		if (!isfinite(m->lm.w[i]))
			return 0;
	for (i = 0; i < m->s.nfeat; i++)
		if (!isfinite(m->s.feat[i].center) || !isfinite(m->s.feat[i].scale) ||
		    !isfinite(m->s.feat[i].impute))
			return 0;
	if (!isfinite(m->dec.threshold) || !isfinite(m->dec.threshold_sd) ||
	    !isfinite(m->info.temperature))
		return 0;
	for (i = 0; m->dec.offset && i < m->s.nclass; i++)
		if (!isfinite(m->dec.offset[i]) || !isfinite(m->dec.offset_sd[i]))
			return 0;
	for (i = 0; i < m->info.path.n; i++)
		if (!isfinite(m->info.path.lambda[i]) || !isfinite(m->info.path.log_loss[i]) ||
		    isinf(m->info.path.score[i]))
			return 0;
	return 1;
}

/*
 * Writes LEN bytes of BODY to O's file gzip-compressed (level 9), through a descriptor of
 * its own on the temporary file, so that outfile_commit then syncs, closes and renames it
 * as it does a plain file.
 */
static int write_gzip(struct outfile *o, const char *body, size_t len, struct ferr *e)
{
	int fd = dup(fileno(o->f));
	gzFile gz = fd < 0 ? NULL : gzdopen(fd, "wb9");

	if (!gz) {
		if (fd >= 0)
			close(fd);
		return ferr_set(e, "%s: cannot write compressed data", o->path);
	}
	if (gzwrite(gz, body, (unsigned)len) != (int)len || gzflush(gz, Z_FINISH) != Z_OK) {
		gzclose(gz);
		return ferr_set(e, "%s: cannot write compressed data", o->path);
	}
	if (gzclose(gz) != Z_OK)
		return ferr_set(e, "%s: cannot write compressed data", o->path);
	return 0;
}

int model_save(const char *path, const struct model *m, struct ferr *e)
{
	struct outfile of = { NULL, NULL, NULL, 0 };
	char *body = NULL;
	size_t len = 0;
	FILE *mem;
	int rc = -1;
	uLong crc;

	if (!all_finite(m))
		return ferr_set(e, "%s: refusing to write a model with non-finite weights", path);
	mem = open_memstream(&body, &len);
	if (!mem)
		return ferr_set(e, "%s: %s", path, strerror(errno));
	write_body(mem, m);
	fflush(mem);
	crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)body, (uInt)len);
	fprintf(mem, "crc32 %08lx\n", (unsigned long)crc);
	if (fclose(mem) != 0) {
		ferr_set(e, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (outfile_open(&of, path, e) != 0)
		goto out;
	if (ends_with(path, ".gz")) {
		if (write_gzip(&of, body, len, e) != 0)
			goto out;
	} else if (fwrite(body, 1, len, of.f) != len) {
		ferr_set(e, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (outfile_commit(&of, e) != 0)
		goto out;
	rc = 0;
out:
	outfile_abort(&of);
	free(body);
	return rc;
}

/* ---- reading ---- */

struct parser {
	const char *name;
	char *p, *end;          /* the current line [p, end) */
	char *next;             /* start of the following line */
	unsigned long line;
	struct ferr *e;
};

static int bad(struct parser *ps, const char *what)
{
	return ferr_set(ps->e, "%s:%lu: corrupt model file: %s", ps->name, ps->line, what);
}

/* Moves to the next line; -1 at the end of the text. */
static int next_line(struct parser *ps, const char *limit)
{
	char *nl;

	if (ps->next >= limit)
		return -1;
	ps->p = ps->next;
	nl = memchr(ps->p, '\n', (size_t)(limit - ps->p));
	ps->end = nl ? nl : (char *)limit;
	ps->next = nl ? nl + 1 : (char *)limit;
	ps->line++;
	return 0;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && *ps->p == ' ')
		ps->p++;
}

/* Reads a bare word into a new string. */
static char *get_word(struct parser *ps)
{
	char *start;

	skip_space(ps);
	start = ps->p;
	while (ps->p < ps->end && *ps->p != ' ')
		ps->p++;
	if (ps->p == start)
		return NULL;
	return xstrndup(start, (size_t)(ps->p - start));
}

/* Expects the keyword KW at the start of the line. */
static int expect_kw(struct parser *ps, const char *limit, const char *kw)
{
	char *w;
	int ok;

	if (next_line(ps, limit) != 0)
		return ferr_set(ps->e, "%s:%lu: corrupt model file: missing '%s' line", ps->name,
		                ps->line, kw);
	w = get_word(ps);
	ok = w && strcmp(w, kw) == 0;
	free(w);
	if (!ok) {
		char msg[128];

		snprintf(msg, sizeof msg, "expected a '%s' line", kw);
		return bad(ps, msg);
	}
	return 0;
}

static int get_double(struct parser *ps, double *v)
{
	char *w = get_word(ps);
	int rc = w ? parse_double(w, v) : -1;

	free(w);
	return rc != 0 ? bad(ps, "expected a finite number") : 0;
}

static int get_size(struct parser *ps, size_t *v, size_t max)
{
	char *w = get_word(ps);
	long x;
	int rc = w ? parse_long(w, 0, (long)(max > (size_t)LONG_MAX ? LONG_MAX : (long)max), &x) : -1;

	free(w);
	if (rc != 0)
		return bad(ps, "expected a count");
	*v = (size_t)x;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads a quoted string (see put_str). */
static int get_str(struct parser *ps, char **out)
{
	char *buf, *q;

	skip_space(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return bad(ps, "expected a quoted string");
	ps->p++;
	buf = q = xmalloc((size_t)(ps->end - ps->p) + 1);
	while (ps->p < ps->end && *ps->p != '"') {
		char c = *ps->p++;

		if (c == '\\') {
			if (ps->p >= ps->end)
				break;
			c = *ps->p++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'r')
				c = '\r';
			else if (c == 'x') {
				int hi, lo;

				if (ps->end - ps->p < 2 || (hi = hexval(ps->p[0])) < 0 ||
				    (lo = hexval(ps->p[1])) < 0 || (hi == 0 && lo == 0)) {
					free(buf);
					return bad(ps, "bad escape in a string");
				}
				c = (char)(hi * 16 + lo);
				ps->p += 2;
			} else if (c != '"' && c != '\\') {
				free(buf);
				return bad(ps, "bad escape in a string");
			}
		}
		*q++ = c;
	}
	if (ps->p >= ps->end) {
		free(buf);
		return bad(ps, "unterminated string");
	}
	ps->p++;
	*q = '\0';
	*out = buf;
	return 0;
}

/*
 * A count read from the file must not make the parser allocate more than the file can
 * fill: N items of SIZE bytes each at least (2 for a line, "" or " 0") have to fit in
 * [from, to).  Returns 0, or -1 with "more WHAT than the WHERE has room for".
 */
static int room_for(struct parser *ps, size_t n, size_t size, const char *from, const char *to,
                    const char *what, const char *where)
{
	char msg[128];

	if (n <= (size_t)(to - from) / size)
		return 0;
	snprintf(msg, sizeof msg, "more %s than the %s has room for", what, where);
	return bad(ps, msg);
}

static int end_of_line(struct parser *ps)
{
	skip_space(ps);
	return ps->p == ps->end ? 0 : bad(ps, "unexpected text at the end of the line");
}

/* Reads the whole file, gzip or not. */
static int slurp(const char *path, char **out, size_t *len, struct ferr *e)
{
	gzFile gz;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int got, zerr;

	gz = gzopen(path, "rb");
	if (!gz)
		return ferr_set(e, "%s: %s", path, errno ? strerror(errno) : "cannot open");
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? 2 * cap : 262144;
			if (cap > MAX_MODEL_BYTES) {
				gzclose(gz);
				free(buf);
				return ferr_set(e, "%s: not a focal model file (too large)", path);
			}
			buf = xrealloc(buf, cap);
		}
		got = gzread(gz, buf + n, (unsigned)(cap - n - 1));
		if (got < 0)
			break;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	gzerror(gz, &zerr);
	gzclose(gz);
	if (got < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
		free(buf);
		return ferr_set(e, "%s: truncated or corrupt gzip data", path);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Checks the final "crc32 XXXXXXXX" line; returns the length of the covered text. */
static int check_crc(const char *path, const char *buf, size_t len, size_t *body, struct ferr *e)
{
	const char *last;
	size_t start;
	unsigned long want;
	char *endp;
	uLong got;
	long version;

	if (len < 12 || strncmp(buf, "focal-model ", 12) != 0)
		return ferr_set(e, "%s: not a focal model file", path);
	version = strtol(buf + 12, NULL, 10);
	if (version < 1 || version > MODEL_FORMAT_VERSION)
		return ferr_set(e, "%s:1: model format version %ld is not supported (this focal "
		                "reads versions 1 to %d)", path, version, MODEL_FORMAT_VERSION);
	if (buf[len - 1] != '\n')
		return ferr_set(e, "%s: truncated model file (no final checksum line)", path);
	start = len - 1;
	while (start > 0 && buf[start - 1] != '\n')
		start--;
	last = buf + start;
	if (strncmp(last, "crc32 ", 6) != 0)
		return ferr_set(e, "%s: truncated model file (no final checksum line)", path);
	errno = 0;
	want = strtoul(last + 6, &endp, 16);
	if (endp != last + 14 || *endp != '\n' || errno)
		return ferr_set(e, "%s: corrupt model file: bad checksum line", path);
	got = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)buf, (uInt)start);
	if (got != want)
		return ferr_set(e, "%s: checksum mismatch: the model file was truncated or edited "
		                "(crc32 %08lx, expected %08lx)", path, (unsigned long)got, want);
	*body = start;
	return 0;
}

static int parse_header(struct parser *ps, const char *lim, struct model *m)
{
	struct traininfo *t = &m->info;
	char *w = NULL;
	size_t v;
	int rc = -1;

	if (expect_kw(ps, lim, "focal-model") || get_size(ps, &v, 1000000))
		return -1;
	if (v < 1 || v > MODEL_FORMAT_VERSION)
		return ferr_set(ps->e, "%s:%lu: model format version %zu is not supported (this focal "
		                "reads versions 1 to %d)", ps->name, ps->line, v, MODEL_FORMAT_VERSION);
	m->version = (int)v;
	if (expect_kw(ps, lim, "model") || !(w = get_word(ps)))
		return bad(ps, "expected the model kind");
	if (strcmp(w, "logistic") == 0)
		m->lm.kind = MODEL_LOGISTIC;
	else if (strcmp(w, "softmax") == 0)
		m->lm.kind = MODEL_SOFTMAX;
	else
		goto out;
	free(w);
	w = NULL;
	if (expect_kw(ps, lim, "loss") || !(t->loss = get_word(ps)))
		goto out;
	if (expect_kw(ps, lim, "gamma") || get_double(ps, &t->gamma))
		goto out;
	if (expect_kw(ps, lim, "lambda") || get_double(ps, &t->lambda))
		goto out;
	if (expect_kw(ps, lim, "solver") || !(t->solver = get_word(ps)))
		goto out;
	if (expect_kw(ps, lim, "bias-init") || !(t->bias_init = get_word(ps)))
		goto out;
	if (expect_kw(ps, lim, "sample") || !(t->sample = get_word(ps)) ||
	    get_double(ps, &t->sample_ratio) || get_size(ps, &v, 1000000))
		goto out;
	t->smote_k = (int)v;
	if (expect_kw(ps, lim, "seed") || !(w = get_word(ps)))
		goto out;
	t->seed = strtoull(w, NULL, 10);
	free(w);
	w = NULL;
	if (expect_kw(ps, lim, "objective") || get_double(ps, &t->objective))
		goto out;
	if (expect_kw(ps, lim, "iterations") || get_size(ps, &v, 1000000000) || !(w = get_word(ps)))
		goto out;
	t->iterations = (int)v;
	t->converged = strcmp(w, "converged") == 0;
	free(w);
	w = NULL;
	if (expect_kw(ps, lim, "command") || get_str(ps, &t->cmdline) || end_of_line(ps))
		goto out;
	rc = 0;
out:
	free(w);
	if (rc != 0 && ps->e->msg[0] == '\0')
		bad(ps, "bad header line");
	return rc;
}

/* A number, or '-' for none (NAN). */
static int get_score(struct parser *ps, double *v)
{
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == '-' && (ps->p + 1 == ps->end || ps->p[1] == ' ' ||
	                                         ps->p[1] == '\t')) {
		ps->p++;
		*v = NAN;
		return 0;
	}
	return get_double(ps, v);
}

/* The lambda-path line and its steps (version 2). */
static int parse_lampath(struct parser *ps, const char *lim, struct lampath *p)
{
	size_t n, i;
	char *w = NULL;
	int rc = -1;

	if (expect_kw(ps, lim, "lambda-path") || get_size(ps, &n, 1000) || !(w = get_word(ps)) ||
	    get_size(ps, &p->chosen, 1000) || end_of_line(ps))
		goto out;
	p->metric = decision_parse_metric(w);
	if (n == 0 ? strcmp(w, "-") != 0 || p->chosen != 0 :
	    (p->metric < 0 && strcmp(w, "log_loss") != 0) || p->chosen >= n) {
		bad(ps, "the lambda-path line does not hold together");
		goto out;
	}
	if (room_for(ps, n, 2, ps->next, lim, "steps", "file"))
		goto out;
	p->n = n;
	p->lambda = xcalloc(n + 1, sizeof *p->lambda);
	p->log_loss = xcalloc(n + 1, sizeof *p->log_loss);
	p->score = xcalloc(n + 1, sizeof *p->score);
	for (i = 0; i < n; i++)
		if (expect_kw(ps, lim, "step") || get_double(ps, &p->lambda[i]) ||
		    get_double(ps, &p->log_loss[i]) || get_score(ps, &p->score[i]) || end_of_line(ps))
			goto out;
	rc = 0;
out:
	free(w);
	return rc;
}

/* The calibration and decision lines of version 2; version 1 gets none and argmax. */
static int parse_decision(struct parser *ps, const char *lim, struct model *m)
{
	struct decision *d = &m->dec;
	struct traininfo *t = &m->info;
	size_t k = m->s.nclass, c, v;
	char *w = NULL;
	int i, rc = -1;

	decision_argmax(d, k, m->lm.positive);
	t->temperature = 1;
	if (m->version < 2) {
		t->calibrate = xstrdup("none");
		return 0;
	}
	if (expect_kw(ps, lim, "calibration") || !(t->calibrate = get_word(ps)) ||
	    get_double(ps, &t->temperature) || end_of_line(ps))
		goto out;
	i = calib_parse(t->calibrate);
	if (i < 0 || i == CALIB_AUTO) {
		bad(ps, "unknown calibration");
		goto out;
	}
	if (!(t->temperature > 0) || !isfinite(t->temperature)) {
		bad(ps, "the temperature must be a positive number");
		goto out;
	}
	if (expect_kw(ps, lim, "decision") || !(w = get_word(ps)))
		goto out;
	for (i = 0; i < 3 && strcmp(w, decision_source_key[i]) != 0; i++)
		;
	if (i == 3) {
		bad(ps, "unknown decision");
		goto out;
	}
	d->source = (enum decision_source)i;
	free(w);
	if (!(w = get_word(ps)) || get_size(ps, &v, 1000) || end_of_line(ps))
		goto out;
	d->metric = decision_parse_metric(w);
	if ((d->source == DEC_TUNED) != (d->metric >= 0) ||
	    (d->metric < 0 && strcmp(w, "-") != 0)) {
		bad(ps, "the decision line names no metric it was tuned for, or one it was not");
		goto out;
	}
	d->folds = (int)v;
	if (k == 2) {
		if (expect_kw(ps, lim, "threshold") || get_double(ps, &d->threshold) ||
		    get_double(ps, &d->threshold_sd) || end_of_line(ps))
			goto out;
		if (!(d->threshold >= 0 && d->threshold <= 1) || !(d->threshold_sd >= 0)) {
			bad(ps, "the threshold must lie in [0, 1]");
			goto out;
		}
	} else {
		if (room_for(ps, k, 2, ps->next, lim, "offsets", "file"))
			goto out;
		for (c = 0; c < k; c++)
			if (expect_kw(ps, lim, "offset") || get_double(ps, &d->offset[c]) ||
			    get_double(ps, &d->offset_sd[c]) || end_of_line(ps))
				goto out;
			else if (!isfinite(d->offset[c]) || !(d->offset_sd[c] >= 0) ||
			         !isfinite(d->offset_sd[c])) {
				bad(ps, "an offset must be a finite number");
				goto out;
			}
	}
	if (parse_lampath(ps, lim, &t->path))
		goto out;
	rc = 0;
out:
	free(w);
	if (rc != 0 && ps->e->msg[0] == '\0')
		bad(ps, "bad calibration or decision line");
	return rc;
}

static int parse_schema(struct parser *ps, const char *lim, struct model *m)
{
	struct schema *s = &m->s;
	struct traininfo *t = &m->info;
	size_t i, j, v, nfeat, nvocab;

	if (expect_kw(ps, lim, "target") || get_str(ps, &s->target) || end_of_line(ps))
		return -1;
	if (expect_kw(ps, lim, "na") || get_size(ps, &s->nna, 10000))
		return -1;
	s->na = xcalloc(s->nna + 1, sizeof *s->na);
	for (i = 0; i < s->nna; i++)
		if (get_str(ps, &s->na[i]))
			return -1;
	schema_na_update(s);
	if (end_of_line(ps) || expect_kw(ps, lim, "classes") || get_size(ps, &s->nclass, 1000000))
		return -1;
	if (s->nclass < 2)
		return bad(ps, "fewer than two classes");
	if (room_for(ps, s->nclass, 2, ps->next, lim, "classes", "file"))
		return -1;
	s->classes = xcalloc(s->nclass, sizeof *s->classes);
	t->count_before = xcalloc(s->nclass, sizeof *t->count_before);
	t->count_after = xcalloc(s->nclass, sizeof *t->count_after);
	t->class_weight = xcalloc(s->nclass, sizeof *t->class_weight);
	for (i = 0; i < s->nclass; i++)
		if (expect_kw(ps, lim, "class") || get_str(ps, &s->classes[i]) ||
		    get_size(ps, &t->count_before[i], SIZE_MAX) ||
		    get_size(ps, &t->count_after[i], SIZE_MAX) || get_double(ps, &t->class_weight[i]) ||
		    end_of_line(ps))
			return -1;
	m->lm.positive = 1;
	if (m->lm.kind == MODEL_LOGISTIC && s->nclass != 2)
		return bad(ps, "a logistic model needs two classes");
	if (s->nclass == 2) {
		if (expect_kw(ps, lim, "positive") || get_size(ps, &v, 1) || end_of_line(ps))
			return -1;
		m->lm.positive = (int)v;
	}
	if (parse_decision(ps, lim, m))
		return -1;
	/* s->nfeat is set only with s->feat allocated: schema_release walks them together */
	if (expect_kw(ps, lim, "features") || get_size(ps, &nfeat, 10000000) ||
	    get_size(ps, &s->dim, 100000000) || end_of_line(ps) ||
	    room_for(ps, nfeat, 2, ps->next, lim, "features", "file"))
		return -1;
	s->feat = xcalloc(nfeat + 1, sizeof *s->feat);
	s->nfeat = nfeat;
	v = 0;
	for (i = 0; i < s->nfeat; i++) {
		struct feature *f = &s->feat[i];
		char *kind;

		if (next_line(ps, lim) != 0)
			return bad(ps, "missing feature lines");
		kind = get_word(ps);
		f->offset = v;
		if (kind && strcmp(kind, "numeric") == 0) {
			free(kind);
			if (get_str(ps, &f->name) || get_double(ps, &f->impute) ||
			    get_double(ps, &f->center) || get_double(ps, &f->scale) || end_of_line(ps))
				return -1;
			if (f->scale <= 0)
				return bad(ps, "a feature's scale must be positive");
			v++;
		} else if (kind && strcmp(kind, "categorical") == 0) {
			free(kind);
			f->categorical = 1;
			if (get_str(ps, &f->name) || get_size(ps, &nvocab, 100000000) ||
			    room_for(ps, nvocab, 2, ps->p, ps->end, "values", "line"))
				return -1;
			f->vocab = xcalloc(nvocab + 1, sizeof *f->vocab);
			f->nvocab = nvocab;
			for (j = 0; j < f->nvocab; j++)
				if (get_str(ps, &f->vocab[j]))
					return -1;
			if (end_of_line(ps))
				return -1;
			v += f->nvocab;
		} else {
			free(kind);
			return bad(ps, "expected a 'numeric' or 'categorical' feature line");
		}
	}
	if (v != s->dim)
		return bad(ps, "the features do not add up to the stated width");
	return 0;
}

static int parse_weights(struct parser *ps, const char *lim, struct model *m)
{
	struct linmodel *lm = &m->lm;
	size_t i, j, nout, width;

	if (expect_kw(ps, lim, "weights") || get_size(ps, &nout, 1000000) ||
	    get_size(ps, &width, 100000001) || end_of_line(ps))
		return -1;
	if (width != m->s.dim + 1 ||
	    nout != (lm->kind == MODEL_LOGISTIC ? (size_t)1 : m->s.nclass))
		return bad(ps, "the weight block does not match the classes and features");
	/* nout lines of width numbers (width > 0, so 2 * width does not overflow) */
	if (room_for(ps, nout, 2 * width, ps->next, lim, "weights", "file"))
		return -1;
	linmodel_init(lm, lm->kind, m->s.nclass, m->s.dim, lm->positive);
	for (i = 0; i < nout; i++) {
		if (expect_kw(ps, lim, "w"))
			return -1;
		for (j = 0; j < width; j++)
			if (get_double(ps, &lm->w[i * width + j]))
				return -1;
		if (end_of_line(ps))
			return -1;
	}
	if (next_line(ps, lim) == 0)
		return bad(ps, "unexpected line after the weights");
	return 0;
}

int model_load(const char *path, struct model *m, struct ferr *e)
{
	struct parser ps;
	char *buf = NULL;
	size_t len = 0, body = 0;
	int rc = -1;

	memset(m, 0, sizeof *m);
	if (e)
		e->msg[0] = '\0';
	if (slurp(path, &buf, &len, e) != 0)
		return -1;
	if (check_crc(path, buf, len, &body, e) != 0)
		goto out;
	memset(&ps, 0, sizeof ps);
	ps.name = path;
	ps.next = buf;
	ps.e = e;
	if (parse_header(&ps, buf + body, m) || parse_schema(&ps, buf + body, m) ||
	    parse_weights(&ps, buf + body, m))
		goto out;
	rc = 0;
out:
	free(buf);
	if (rc != 0)
		model_release(m);
	return rc;
}

/* ---- focal info ---- */

/* The format version of the file M was read from (a model not read: this focal's). */
static int model_version(const struct model *m)
{
	return m->version ? m->version : MODEL_FORMAT_VERSION;
}

/* `focal info`'s JSON of the calibration and the decision, from the comma before them. */
static void describe_decision_json(FILE *f, const struct model *m)
{
	const struct decision *d = &m->dec;

	fputs(",\"calibration\":", f);
	json_string(f, m->info.calibrate);
	fputs(",\"temperature\":", f);
	json_number(f, m->info.temperature);
	fputs(",\"decision\":", f);
	json_decision(f, d, m->s.classes);
	if (m->info.path.n) {
		fputs(",\"lambda_path\":", f);
		json_lampath(f, &m->info.path);
	}
}

/* `focal info`'s lines on the calibration and the decision, for people. */
static void describe_decision_table(FILE *f, const struct model *m)
{
	const struct decision *d = &m->dec;

	if (strcmp(m->info.calibrate, "temperature") == 0)
		fprintf(f, "calibration temperature %.4g (after the prior correction)\n",
		        m->info.temperature);
	else
		fprintf(f, "calibration %s\n", m->info.calibrate);
	fputs("decision    ", f);
	if (m->s.nclass == 2) {
		fputs("positive when p(", f);
		esc_put(f, m->s.classes[m->lm.positive]);
		fprintf(f, ") >= %.6g", d->threshold);
	} else {
		fputs(d->source == DEC_ARGMAX ? "the most probable class" :
		      "the largest log p + offset (offsets below)", f);
	}
	if (d->source == DEC_CALIBRATION)
		fputs(", the fit's own before calibration", f);
	else if (d->source == DEC_TUNED && m->s.nclass == 2)
		fprintf(f, ", tuned for %s on %d inner folds (sd %.3g)", decision_metric_key[d->metric],
		        d->folds, d->threshold_sd);
	else if (d->source == DEC_TUNED)
		fprintf(f, ", tuned for %s on %d inner folds", decision_metric_key[d->metric], d->folds);
	fputc('\n', f);
}

/* `focal info --format tsv`: a header, then one "key<TAB>value" row per fact. */
static int describe_tsv(FILE *f, const struct model *m)
{
	const struct schema *s = &m->s;
	const struct traininfo *t = &m->info;
	size_t i, j;

	fprintf(f, "key\tvalue\nformat_version\t%d\nmodel\t%s\nloss\t%s\ngamma\t%.17g\n"
	        "lambda\t%.17g\nsolver\t%s\nbias_init\t%s\nsample\t%s\nsample_ratio\t%.17g\n"
	        "seed\t%" PRIu64 "\nobjective\t%.17g\niterations\t%d\nconverged\t%s\ncommand\t",
	        model_version(m), m->lm.kind == MODEL_LOGISTIC ? "logistic" : "softmax", t->loss,
	        t->gamma, t->lambda, t->solver, t->bias_init, t->sample, t->sample_ratio, t->seed,
	        t->objective, t->iterations, t->converged ? "true" : "false");
	tsv_label(f, t->cmdline);
	fputs("\ntarget\t", f);
	tsv_label(f, s->target);
	if (s->nclass == 2) {
		fputs("\npositive\t", f);
		tsv_label(f, s->classes[m->lm.positive]);
	}
	fprintf(f, "\ncalibration\t%s\ntemperature\t%.17g\ndecision\t%s", t->calibrate,
	        t->temperature, decision_source_key[m->dec.source]);
	if (m->dec.source == DEC_TUNED)
		fprintf(f, "\ntuned_for\t%s\ntune_folds\t%d", decision_metric_key[m->dec.metric],
		        m->dec.folds);
	if (s->nclass == 2)
		fprintf(f, "\nthreshold\t%.17g\nthreshold_sd\t%.17g", m->dec.threshold,
		        m->dec.threshold_sd);
	if (t->path.n)
		fprintf(f, "\nlambda_chosen_by\t%s",
		        t->path.metric >= 0 ? decision_metric_key[t->path.metric] : "log_loss");
	for (i = 0; i < t->path.n; i++) {
		fprintf(f, "\nlambda_path/%zu\t%.17g %.17g", i + 1, t->path.lambda[i],
		        t->path.log_loss[i]);
		if (isnan(t->path.score[i]))
			fputs(" -", f);
		else
			fprintf(f, " %.17g", t->path.score[i]);
	}
	for (i = 0; s->nclass != 2 && i < s->nclass; i++) {
		fputs("\noffset/", f);
		tsv_label(f, s->classes[i]);
		fprintf(f, "\t%.17g\noffset_sd/", m->dec.offset[i]);
		tsv_label(f, s->classes[i]);
		fprintf(f, "\t%.17g", m->dec.offset_sd[i]);
	}
	for (i = 0; i < s->nclass; i++) {
		static const char *const key[] = { "rows", "sampled", "weight" };
		int k;

		for (k = 0; k < 3; k++) {
			fprintf(f, "\n%s/", key[k]);
			tsv_label(f, s->classes[i]);
			if (k < 2)
				fprintf(f, "\t%zu", k == 0 ? t->count_before[i] : t->count_after[i]);
			else
				fprintf(f, "\t%.17g", t->class_weight[i]);
		}
	}
	for (i = 0; i < s->nfeat; i++) {
		const struct feature *ft = &s->feat[i];

		fputs("\nfeature/", f);
		tsv_label(f, ft->name);
		if (!ft->categorical) {
			fprintf(f, "\tnumeric mean %.17g scale %.17g", ft->impute, ft->scale);
			continue;
		}
		fputs("\tcategorical", f);
		for (j = 0; j < ft->nvocab; j++) {
			fputc(' ', f);
			tsv_label(f, ft->vocab[j]);
		}
	}
	fprintf(f, "\ndim\t%zu\n", s->dim);
	return ferror(f) ? -1 : 0;
}

int model_describe(FILE *f, const struct model *m, int fmt)
{
	const struct schema *s = &m->s;
	const struct traininfo *t = &m->info;
	size_t i, nnum = 0;
	int json = fmt == FMT_JSON;

	if (fmt == FMT_TSV)
		return describe_tsv(f, m);

	for (i = 0; i < s->nfeat; i++)
		nnum += !s->feat[i].categorical;
	if (json) {
		fprintf(f, "{\"format_version\":%d,\"model\":\"%s\",\"loss\":", model_version(m),
		        m->lm.kind == MODEL_LOGISTIC ? "logistic" : "softmax");
		json_string(f, t->loss);
		fputs(",\"gamma\":", f);
		json_number(f, t->gamma);
		fputs(",\"lambda\":", f);
		json_number(f, t->lambda);
		fputs(",\"solver\":", f);
		json_string(f, t->solver);
		fputs(",\"bias_init\":", f);
		json_string(f, t->bias_init);
		fputs(",\"sample\":", f);
		json_string(f, t->sample);
		fputs(",\"sample_ratio\":", f);
		json_number(f, t->sample_ratio);
		fprintf(f, ",\"seed\":%" PRIu64 ",\"objective\":", t->seed);
		json_number(f, t->objective);
		fprintf(f, ",\"iterations\":%d,\"converged\":%s,\"command\":", t->iterations,
		        t->converged ? "true" : "false");
		json_string(f, t->cmdline);
		fputs(",\"target\":", f);
		json_string(f, s->target);
		if (s->nclass == 2) {
			fputs(",\"positive\":", f);
			json_string(f, s->classes[m->lm.positive]);
		}
		describe_decision_json(f, m);
		fputs(",\"classes\":", f);
		json_strings(f, s->classes, s->nclass);
		fputs(",\"class_counts\":{", f);
		for (i = 0; i < s->nclass; i++) {
			fputs(i ? "," : "", f);
			json_string(f, s->classes[i]);
			fprintf(f, ":{\"before\":%zu,\"after\":%zu,\"weight\":", t->count_before[i],
			        t->count_after[i]);
			json_number(f, t->class_weight[i]);
			fputc('}', f);
		}
		fputs("},\"features\":[", f);
		for (i = 0; i < s->nfeat; i++) {
			const struct feature *ft = &s->feat[i];

			fputs(i ? "," : "", f);
			fputs("{\"name\":", f);
			json_string(f, ft->name);
			if (ft->categorical) {
				size_t j;

				fputs(",\"type\":\"categorical\",\"values\":[", f);
				for (j = 0; j < ft->nvocab; j++) {
					fputs(j ? "," : "", f);
					json_string(f, ft->vocab[j]);
				}
				fputs("]}", f);
			} else {
				fputs(",\"type\":\"numeric\",\"mean\":", f);
				json_number(f, ft->impute);
				fputs(",\"center\":", f);
				json_number(f, ft->center);
				fputs(",\"scale\":", f);
				json_number(f, ft->scale);
				fputc('}', f);
			}
		}
		fprintf(f, "],\"dim\":%zu}\n", s->dim);
		return ferror(f) ? -1 : 0;
	}
	fprintf(f, "format      focal model, version %d\n", model_version(m));
	fprintf(f, "model       %s, %zu classes, %zu features (%zu numeric, %zu categorical), "
	        "%zu inputs\n", m->lm.kind == MODEL_LOGISTIC ? "logistic" : "softmax", s->nclass,
	        s->nfeat, nnum, s->nfeat - nnum, s->dim);
	if (strcmp(t->loss, "focal") == 0)
		fprintf(f, "loss        focal, gamma %g\n", t->gamma);
	else
		fprintf(f, "loss        cross-entropy\n");
	if (t->path.n)
		fprintf(f, "lambda      %g, chosen by %s out of fold from %zu values, %g to %g\n",
		        t->lambda, t->path.metric >= 0 ? decision_metric_key[t->path.metric] : "log loss",
		        t->path.n, t->path.lambda[0], t->path.lambda[t->path.n - 1]);
	else
		fprintf(f, "lambda      %g\n", t->lambda);
	fprintf(f, "solver      %s, %d iterations, %s, objective %.10g\n", t->solver, t->iterations,
	        t->converged ? "converged" : "not converged", t->objective);
	fprintf(f, "bias init   %s\n", t->bias_init);
	if (strcmp(t->sample, "none") == 0)
		fprintf(f, "sampling    none\n");
	else
		fprintf(f, "sampling    %s, ratio %g\n", t->sample, t->sample_ratio);
	fprintf(f, "seed        %" PRIu64 "\n", t->seed);
	/* names and labels are escaped for the terminal (esc_put) */
	fputs("command     ", f);
	esc_put(f, t->cmdline);
	fputs("\ntarget      ", f);
	esc_put(f, s->target);
	if (s->nclass == 2) {
		fputs("\npositive    ", f);
		esc_put(f, s->classes[m->lm.positive]);
	}
	fputc('\n', f);
	describe_decision_table(f, m);
	{
		int offs = s->nclass != 2 && m->dec.source != DEC_ARGMAX;
		char **label = xcalloc(s->nclass, sizeof *label);
		size_t wl = 5;

		for (i = 0; i < s->nclass; i++) {
			label[i] = esc_dup(s->classes[i]);
			if (strlen(label[i]) > wl)
				wl = strlen(label[i]);
		}
		fprintf(f, "\n%-*s  %10s  %10s  %10s", (int)wl, "class", "rows", "sampled", "weight");
		fputs(offs ? "      offset          sd\n" : "\n", f);
		for (i = 0; i < s->nclass; i++) {
			fprintf(f, "%-*s  %10zu  %10zu  %10.4g", (int)wl, label[i],
			        t->count_before[i], t->count_after[i], t->class_weight[i]);
			if (offs)
				fprintf(f, "  %10.4g  %10.4g", m->dec.offset[i], m->dec.offset_sd[i]);
			fputc('\n', f);
			free(label[i]);
		}
		free(label);
	}
	fputs("\nfeatures\n", f);
	for (i = 0; i < s->nfeat; i++) {
		const struct feature *ft = &s->feat[i];

		fputs("  ", f);
		esc_put(f, ft->name);
		if (ft->categorical) {
			size_t j;

			fprintf(f, ": categorical, %zu values:", ft->nvocab);
			for (j = 0; j < ft->nvocab && j < 10; j++) {
				fputc(' ', f);
				esc_put(f, ft->vocab[j]);
			}
			fputs(j < ft->nvocab ? " ...\n" : "\n", f);
		} else {
			fprintf(f, ": numeric, mean %.6g, scale %.6g\n", ft->impute, ft->scale);
		}
	}
	return ferror(f) ? -1 : 0;
}

/* ---- focal info --coef ---- */

/* One coefficient: the class of output O, a feature (or NULL for the intercept) and a
 * level (NULL for a numeric feature), the trained weight and the raw one. */
struct coef {
	const char *class, *feature, *level;
	double weight, raw;
};

/*
 * The coefficients of M in order: for each output, the intercept, then the features in
 * schema order (a categorical one level by level).  Returns nout * (dim + 1) of them;
 * caller frees.
 */
static struct coef *coef_list(const struct model *m, size_t *n)
{
	const struct schema *s = &m->s;
	const struct linmodel *lm = &m->lm;
	size_t stride = lm->dim + 1, o, i, j, k = 0;
	struct coef *c = xcalloc(lm->nout * stride, sizeof *c);

	for (o = 0; o < lm->nout; o++) {
		const double *w = lm->w + o * stride;
		const char *label = s->classes[lm->kind == MODEL_LOGISTIC ? (size_t)lm->positive : o];
		struct coef *icpt = &c[k++];
		double b = w[lm->dim];

		for (i = 0; i < s->nfeat; i++) {
			const struct feature *ft = &s->feat[i];

			if (ft->categorical) {
				/* one-hot columns enter as they are */
				for (j = 0; j < ft->nvocab; j++) {
					c[k].class = label;
					c[k].feature = ft->name;
					c[k].level = ft->vocab[j];
					c[k].weight = c[k].raw = w[ft->offset + j];
					k++;
				}
				continue;
			}
			/* w * (x - center) / scale = (w / scale) * x - w * center / scale */
			c[k].class = label;
			c[k].feature = ft->name;
			c[k].weight = w[ft->offset];
			c[k].raw = w[ft->offset] / ft->scale;
			b -= c[k].raw * ft->center;
			k++;
		}
		icpt->class = label;
		icpt->weight = w[lm->dim];
		icpt->raw = b;
	}
	*n = k;
	return c;
}

int model_coef(FILE *f, const struct model *m, int fmt)
{
	size_t n, i;
	struct coef *c = coef_list(m, &n);

	if (fmt == FMT_TSV) {
		fputs("class\tfeature\tlevel\tweight\tweight_raw\n", f);
		for (i = 0; i < n; i++) {
			tsv_label(f, c[i].class);
			putc('\t', f);
			tsv_label(f, c[i].feature ? c[i].feature : "(intercept)");
			putc('\t', f);
			tsv_label(f, c[i].level ? c[i].level : "");
			tsv_number(f, c[i].weight);
			tsv_number(f, c[i].raw);
			putc('\n', f);
		}
	} else if (fmt == FMT_JSON) {
		fprintf(f, "{\"model\":\"%s\",\"coefficients\":[",
		        m->lm.kind == MODEL_LOGISTIC ? "logistic" : "softmax");
		for (i = 0; i < n; i++) {
			fputs(i ? ",{\"class\":" : "{\"class\":", f);
			json_string(f, c[i].class);
			fputs(",\"feature\":", f);
			json_string(f, c[i].feature ? c[i].feature : "(intercept)");
			fputs(",\"level\":", f);
			if (c[i].level)
				json_string(f, c[i].level);
			else
				fputs("null", f);
			fputs(",\"weight\":", f);
			json_number(f, c[i].weight);
			fputs(",\"weight_raw\":", f);
			json_number(f, c[i].raw);
			putc('}', f);
		}
		fputs("]}\n", f);
	} else {
		struct grid g;

		grid_init(&g, n + 1, 5, 3);
		grid_set(&g, 0, 0, "class");
		grid_set(&g, 0, 1, "feature");
		grid_set(&g, 0, 2, "level");
		grid_set(&g, 0, 3, "weight");
		grid_set(&g, 0, 4, "weight_raw");
		for (i = 0; i < n; i++) {
			grid_label(&g, i + 1, 0, c[i].class);
			grid_label(&g, i + 1, 1, c[i].feature ? c[i].feature : "(intercept)");
			if (c[i].level)
				grid_label(&g, i + 1, 2, c[i].level);
			grid_set(&g, i + 1, 3, "%.6g", c[i].weight);
			grid_set(&g, i + 1, 4, "%.6g", c[i].raw);
		}
		grid_print(f, &g);
		grid_release(&g);
	}
	free(c);
	return ferror(f) ? -1 : 0;
}
