/* logit.c - logistic regression by Newton's method, for two jobs that
 * need no more: the baseline every disk model is measured beside (a
 * logistic regression on the same features), and Platt scaling, which
 * turns the boosted trees' scores (trained with failing days weighed up)
 * back into probabilities. Small d only: the normal equations are solved
 * with a Cholesky factorisation of a (d+1)^2 matrix. */
#include "disk/disk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXD 64

/* Solves A z = b for symmetric positive definite A (k x k), in place. */
static int cholesky_solve(double *a, double *b, int k)
{
    for (int j = 0; j < k; j++) {
        double s = a[j * k + j];
        for (int p = 0; p < j; p++)
            s -= a[j * k + p] * a[j * k + p];
        if (!(s > 0))
            return -1;
        a[j * k + j] = sqrt(s);
        for (int i = j + 1; i < k; i++) {
            double t = a[i * k + j];
            for (int p = 0; p < j; p++)
                t -= a[i * k + p] * a[j * k + p];
            a[i * k + j] = t / a[j * k + j];
        }
    }
    for (int i = 0; i < k; i++) { /* L y = b */
        for (int p = 0; p < i; p++)
            b[i] -= a[i * k + p] * b[p];
        b[i] /= a[i * k + i];
    }
    for (int i = k - 1; i >= 0; i--) { /* L' z = y */
        for (int p = i + 1; p < k; p++)
            b[i] -= a[p * k + i] * b[p];
        b[i] /= a[i * k + i];
    }
    return 0;
}

int ob_disk_logit_fit(const double *x, const double *y, const double *wt, size_t n, int d, double lambda,
                      double *w)
{
    if (d < 0 || d > MAXD)
        return -1;
    int k = d + 1;
    double *h = malloc(sizeof(double) * (size_t)(k * k)), g[MAXD + 1];
    if (!h)
        return -1;
    memset(w, 0, sizeof *w * (size_t)k);
    for (int it = 0; it < 50; it++) {
        memset(h, 0, sizeof(double) * (size_t)(k * k));
        memset(g, 0, sizeof g);
        for (size_t i = 0; i < n; i++) {
            const double *xi = x + i * (size_t)d;
            double z = w[d];
            for (int j = 0; j < d; j++)
                z += w[j] * xi[j];
            double p = 1 / (1 + exp(-z)), c = wt ? wt[i] : 1, r = c * (p - y[i]), q = c * p * (1 - p);
            for (int a = 0; a < k; a++) {
                double xa = a < d ? xi[a] : 1;
                g[a] += r * xa;
                for (int b = 0; b <= a; b++)
                    h[a * k + b] += q * xa * (b < d ? xi[b] : 1);
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++)
                h[b * k + a] = h[a * k + b];
            if (a < d) {
                g[a] += lambda * w[a];
                h[a * k + a] += lambda;
            }
            h[a * k + a] += 1e-9; /* a constant column must not stop the solve */
        }
        if (cholesky_solve(h, g, k) < 0)
            break;
        double step = 0;
        for (int a = 0; a < k; a++) {
            w[a] -= g[a];
            step = fmax(step, fabs(g[a]));
        }
        if (step < 1e-8)
            break;
    }
    free(h);
    return 0;
}
