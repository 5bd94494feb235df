/* linediff.c - Myers' greedy O(ND) diff on lines (E. Myers, "An O(ND)
 * difference algorithm and its variations", 1986), forward, keeping each
 * round's furthest-reaching paths to walk the edit script back. A common
 * head and tail are cut first: a config file that changed is mostly the
 * same, so D stays small and so does the kept trace (O(D^2) ints). Lines
 * are compared by hash, then bytes. */
#include "core/linediff.h"
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line {
    const char *p;
    size_t n;
    uint64_t h;
};

/* Splits t into lines (a trailing "\r" is not part of one). */
static struct line *split(const char *t, size_t len, size_t *nout)
{
    size_t n = 0, cap = 0;
    struct line *v = NULL;
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(t + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - t) : len;
        size_t l = e - i;
        if (l && t[e - 1] == '\r')
            l--;
        if (ob_grow((void **)&v, &cap, n + 1, sizeof *v) < 0) {
            free(v);
            return NULL;
        }
        uint64_t h = 1469598103934665603ull; /* FNV-1a */
        for (size_t k = 0; k < l; k++)
            h = (h ^ (unsigned char)t[i + k]) * 1099511628211ull;
        v[n++] = (struct line){t + i, l, h};
        i = e + 1;
    }
    *nout = n;
    if (!v)
        v = malloc(sizeof *v); /* no lines: still a valid array */
    return v;
}

static int same(const struct line *x, const struct line *y)
{
    return x->h == y->h && x->n == y->n && !memcmp(x->p, y->p, x->n);
}

static int add_hunk(struct ob_hunks *out, size_t os, size_t on, size_t ns, size_t nn)
{
    if (ob_grow((void **)&out->h, &out->cap, out->n + 1, sizeof *out->h) < 0)
        return -1;
    out->h[out->n++] = (struct ob_hunk){os + 1, on, ns + 1, nn};
    return 0;
}

/* Marks in del[] the lines of a[0..n) and in ins[] those of b[0..m) that
 * the shortest edit script removes and adds; 1 when it is longer than
 * max (nothing marked), -1 out of memory. */
static int myers(const struct line *a, size_t n, const struct line *b, size_t m, char *del,
                 char *ins, long max)
{
    long N = (long)n, M = (long)m;
    long *trace = NULL; /* round d's V[-d..d] at offset d*d */
    size_t tcap = 0;
    long *V = calloc((size_t)(2 * max + 3), sizeof *V);
    if (!V)
        return -1;
    long off = max + 1, D = -1;
    for (long d = 0; d <= max && D < 0; d++) {
        for (long k = -d; k <= d; k += 2) {
            long x = (k == -d || (k != d && V[off + k - 1] < V[off + k + 1])) ? V[off + k + 1]
                                                                           : V[off + k - 1] + 1;
            long y = x - k;
            while (x < N && y < M && same(&a[x], &b[y]))
                x++, y++;
            V[off + k] = x;
            if (x >= N && y >= M) {
                D = d;
                break;
            }
        }
        size_t need = (size_t)((d + 1) * (d + 1));
        if (ob_grow((void **)&trace, &tcap, need, sizeof *trace) < 0) {
            free(trace), free(V);
            return -1;
        }
        memcpy(trace + d * d, V + off - d, (size_t)(2 * d + 1) * sizeof *trace);
    }
    free(V);
    if (D < 0) {
        free(trace);
        return 1;
    }
    long x = N, y = M;
    for (long d = D; d > 0; d--) {
        const long *P = trace + (d - 1) * (d - 1) + (d - 1); /* P[k], k in -(d-1)..d-1 */
        long k = x - y;
        long pk = (k == -d || (k != d && P[k - 1] < P[k + 1])) ? k + 1 : k - 1;
        long px = P[pk], py = px - pk;
        while (x > px && y > py)
            x--, y--; /* the snake back to where round d started */
        if (pk == k + 1)
            ins[py] = 1; /* came down: b[py] added */
        else
            del[px] = 1; /* came right: a[px] removed */
        x = px, y = py;
    }
    free(trace);
    return 0;
}

int ob_linediff(const char *a, size_t alen, const char *b, size_t blen, struct ob_hunks *out)
{
    memset(out, 0, sizeof *out);
    size_t n = 0, m = 0;
    struct line *la = split(a, alen, &n), *lb = split(b, blen, &m);
    char *del = calloc(n + 1, 1), *ins = calloc(m + 1, 1);
    int rc = la && lb && del && ins ? 0 : -1;
    size_t head = 0, tail = 0;
    int rewrite = 0;
    if (rc == 0) {
        while (head < n && head < m && same(&la[head], &lb[head]))
            head++;
        while (tail < n - head && tail < m - head && same(&la[n - 1 - tail], &lb[m - 1 - tail]))
            tail++;
        size_t mn = n - head - tail, mm = m - head - tail;
        int r = myers(la + head, mn, lb + head, mm, del + head, ins + head, OB_LINEDIFF_MAX_EDITS);
        if (r < 0)
            rc = -1;
        else if (r > 0) { /* too different to align: one hunk */
            rewrite = 1;
            rc = add_hunk(out, head, mn, head, mm);
        }
    }
    /* the k-th kept old line is the k-th kept new line: the runs between
     * such pairs are the hunks (skipped after a rewrite hunk) */
    size_t ei = n - tail, ej = m - tail;
    for (size_t i = head, j = head; rc == 0 && !rewrite && (i < ei || j < ej);) {
        if (i < ei && j < ej && !del[i] && !ins[j]) {
            i++, j++;
            continue;
        }
        size_t i0 = i, j0 = j;
        while ((i < ei && del[i]) || (j < ej && ins[j])) {
            while (i < ei && del[i])
                i++;
            while (j < ej && ins[j])
                j++;
        }
        if (i == i0 && j == j0)
            break; /* an inconsistent script cannot happen; never loop on one */
        rc = add_hunk(out, i0, i - i0, j0, j - j0);
    }
    free(la), free(lb), free(del), free(ins);
    if (rc < 0)
        ob_hunks_clear(out);
    return rc;
}

void ob_hunks_clear(struct ob_hunks *hs)
{
    free(hs->h);
    memset(hs, 0, sizeof *hs);
}

char *ob_hunk_text(const char *a, size_t alen, const char *b, size_t blen, const struct ob_hunk *h)
{
    size_t n = 0, m = 0;
    struct line *la = split(a, alen, &n), *lb = split(b, blen, &m);
    struct ob_buf out = {0};
    if (!la || !lb) {
        free(la), free(lb);
        return NULL;
    }
    char head[96];
    int k = snprintf(head, sizeof head, "@@ -%zu,%zu +%zu,%zu @@\n", h->old_start, h->old_n,
                     h->new_start, h->new_n);
    ob_buf_put(&out, head, (size_t)k);
    for (size_t i = 0; i < h->old_n && h->old_start - 1 + i < n; i++) {
        const struct line *l = &la[h->old_start - 1 + i];
        ob_buf_put(&out, "-", 1);
        ob_buf_put(&out, l->p, l->n);
        ob_buf_put(&out, "\n", 1);
    }
    for (size_t j = 0; j < h->new_n && h->new_start - 1 + j < m; j++) {
        const struct line *l = &lb[h->new_start - 1 + j];
        ob_buf_put(&out, "+", 1);
        ob_buf_put(&out, l->p, l->n);
        ob_buf_put(&out, "\n", 1);
    }
    ob_buf_put(&out, "", 1);
    free(la), free(lb);
    if (out.failed) {
        free(out.p);
        return NULL;
    }
    return (char *)out.p;
}
