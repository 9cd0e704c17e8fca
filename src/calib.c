/* calib.c: the prior correction and the temperature (calib.h). */
#include "calib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const calib_key[4] = { "auto", "none", "prior", "temperature" };

int calib_parse(const char *word)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(word, calib_key[i]) == 0)
			return i;
	return -1;
}

int calib_prior_shift(size_t k, const size_t *before, const size_t *after, const double *weight,
                      double *delta)
{
	double nb = 0, na = 0;
	size_t c;
	int changed = 0;

	for (c = 0; c < k; c++) {
		nb += (double)before[c];
		na += (double)after[c] * weight[c];
	}
	for (c = 0; c < k; c++) {
		double pi = (double)before[c] / nb, fit = (double)after[c] * weight[c] / na;

		delta[c] = nb > 0 && na > 0 && pi > 0 && fit > 0 ? log(pi) - log(fit) : 0;
		/* the same shares computed two ways differ in the last bits only */
		if (fabs(delta[c]) < 1e-12)
			delta[c] = 0;
		changed |= delta[c] != 0;
	}
	return changed;
}

void calib_logit_shift(const struct linmodel *m, const double *shift, double *out)
{
	if (m->kind == MODEL_LOGISTIC)
		out[0] = shift[m->positive] - shift[1 - m->positive];
	else
		memcpy(out, shift, m->nclass * sizeof *out);
}

void calib_add_bias(struct linmodel *m, const double *shift)
{
	size_t c, stride = m->dim + 1;

	for (c = 0; c < m->nout; c++)
		m->w[c * stride + m->dim] += shift[c];
}

void calib_scale(struct linmodel *m, double s, const double *b)
{
	size_t c, j, stride = m->dim + 1;

	for (c = 0; c < m->nout; c++) {
		for (j = 0; j < stride; j++)
			m->w[c * stride + j] *= s;
		m->w[c * stride + m->dim] += b[c];
	}
}

/* ---- the temperature: Newton's method on (s, b) ---- */

struct tfit {
	const struct linmodel *m;
	size_t n, nout, np;  /* np parameters: s, then the free biases */
	const double *z;
	const uint32_t *y;
	double *u, *du, *p, *b; /* nclass each */
};

/* The free biases of parameters TH into B (nout values). */
static void biases(const struct tfit *t, const double *th, double *b)
{
	size_t c;

	if (t->m->kind == MODEL_LOGISTIC) {
		b[0] = th[1];
		return;
	}
	b[0] = 0;
	for (c = 1; c < t->nout; c++)
		b[c] = th[c];
}

/*
 * The mean log loss at TH; with G and H (not NULL), its gradient (np) and Hessian
 * (np x np) there.
 */
static double tfit_eval(struct tfit *t, const double *th, double *g, double *h)
{
	const struct linmodel *m = t->m;
	size_t i, c, j, np = t->np, nout = t->nout;
	double loss = 0, *bb = t->b;

	biases(t, th, bb);
	if (g) {
		memset(g, 0, np * sizeof *g);
		memset(h, 0, np * np * sizeof *h);
	}
	for (i = 0; i < t->n; i++) {
		const double *zi = t->z + i * nout;

		for (c = 0; c < nout; c++)
			t->u[c] = th[0] * zi[c] + bb[c];
		if (m->kind == MODEL_LOGISTIC) {
			int pos = t->y[i] == (uint32_t)m->positive;
			double du, p;

			loss += focal_binary(t->u[0], pos, 0, &du);
			if (!g)
				continue;
			p = du + pos; /* du = p - t */
			g[0] += du * zi[0];
			g[1] += du;
			h[0] += p * (1 - p) * zi[0] * zi[0];
			h[1] += p * (1 - p) * zi[0];
			h[3] += p * (1 - p);
			continue;
		}
		loss += focal_softmax(t->u, nout, t->y[i], 0, g ? t->du : NULL);
		if (!g)
			continue;
		for (c = 0; c < nout; c++)
			t->p[c] = t->du[c] + (c == t->y[i]);
		{
			/* Hessian in u: diag(p) - p p'; pz = sum p_c z_c */
			double pz = 0, zhz = 0;

			for (c = 0; c < nout; c++)
				pz += t->p[c] * zi[c];
			for (c = 0; c < nout; c++) {
				double hz = t->p[c] * (zi[c] - pz); /* (Hu z)_c */

				g[0] += t->du[c] * zi[c];
				zhz += zi[c] * hz;
				if (c == 0)
					continue;
				g[c] += t->du[c];
				h[c] += hz;          /* (0, c) */
				for (j = 1; j < nout; j++)
					h[c * np + j] += (c == j ? t->p[c] : 0) - t->p[c] * t->p[j];
			}
			h[0] += zhz;
		}
	}
	if (g) {
		for (c = 1; c < np; c++)
			h[c * np] = h[c];
		for (c = 0; c < np; c++)
			g[c] /= (double)t->n;
		for (c = 0; c < np * np; c++)
			h[c] /= (double)t->n;
	}
	return loss / (double)t->n;
}

/* Solves (H + ridge) x = -G by Cholesky (H np x np, overwritten); -1 if not positive. */
static int newton_step(double *h, const double *g, size_t np, double *x)
{
	size_t i, j, l;

	for (i = 0; i < np; i++)
		h[i * np + i] += 1e-10;
	for (i = 0; i < np; i++) {
		for (j = 0; j <= i; j++) {
			double v = h[i * np + j];

			for (l = 0; l < j; l++)
				v -= h[i * np + l] * h[j * np + l];
			if (i == j) {
				if (!(v > 0))
					return -1;
				h[i * np + i] = sqrt(v);
			} else {
				h[i * np + j] = v / h[j * np + j];
			}
		}
	}
	for (i = 0; i < np; i++) {
		double v = -g[i];

		for (l = 0; l < i; l++)
			v -= h[i * np + l] * x[l];
		x[i] = v / h[i * np + i];
	}
	for (i = np; i-- > 0;) {
		double v = x[i];

		for (l = i + 1; l < np; l++)
			v -= h[l * np + i] * x[l];
		x[i] = v / h[i * np + i];
	}
	return 0;
}

int calib_fit_temperature(const struct linmodel *m, size_t n, const double *z, const uint32_t *y,
                          double *s, double *b)
{
	struct tfit t;
	size_t np = m->kind == MODEL_LOGISTIC ? 2 : m->nclass, c;
	double *th = xcalloc(np, sizeof *th), *g = xcalloc(np, sizeof *g);
	double *h = xcalloc(np * np, sizeof *h), *step = xcalloc(np, sizeof *step);
	double *tr = xcalloc(np, sizeof *tr), f, ft, slope, a, gmax;
	int it, rc = -1;

	memset(&t, 0, sizeof t);
	t.m = m;
	t.n = n;
	t.nout = m->nout;
	t.np = np;
	t.z = z;
	t.y = y;
	t.u = xcalloc(m->nclass, sizeof *t.u);
	t.du = xcalloc(m->nclass, sizeof *t.du);
	t.p = xcalloc(m->nclass, sizeof *t.p);
	t.b = xcalloc(m->nclass, sizeof *t.b);
	th[0] = 1;
	if (n == 0) {
		rc = 0;
		goto out;
	}
	f = tfit_eval(&t, th, g, h);
	for (it = 0; it < 100; it++) {
		gmax = 0;
		for (c = 0; c < np; c++)
			gmax = fmax(gmax, fabs(g[c]));
		if (gmax < 1e-10) {
			rc = 0;
			break;
		}
		if (newton_step(h, g, np, step) != 0)
			for (c = 0; c < np; c++)
				step[c] = -g[c];
		slope = 0;
		for (c = 0; c < np; c++)
			slope += g[c] * step[c];
		for (a = 1; a > 1e-12; a /= 2) {
			for (c = 0; c < np; c++)
				tr[c] = th[c] + a * step[c];
			if (tr[0] <= 1e-6)
				continue;
			ft = tfit_eval(&t, tr, NULL, NULL);
			if (ft <= f + 1e-4 * a * slope)
				break;
		}
		if (a <= 1e-12) {
			/* no step lowers the loss: at the optimum within rounding */
			rc = gmax < 1e-6 ? 0 : -1;
			break;
		}
		memcpy(th, tr, np * sizeof *th);
		f = tfit_eval(&t, th, g, h);
	}
out:
	*s = th[0];
	biases(&t, th, b);
	free(th);
	free(g);
	free(h);
	free(step);
	free(tr);
	free(t.u);
	free(t.du);
	free(t.p);
	free(t.b);
	return rc;
}
