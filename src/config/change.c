/* change.c - what a file's edit brought: the findings of its new version
 * that the old one had not, each with the diff hunks that brought it, for
 * the daemon to open an incident on a changed file (like an alert) with the
 * edit to look at. A finding is known by its class, section and key, not
 * its line, so moving lines brings nothing new; when a key is there twice,
 * the copies that no old finding matches are the new ones, and those on
 * changed lines are taken as new first. */
#include "config/config_int.h"
#include "core/buf.h"
#include "core/linediff.h"

#include <stdlib.h>
#include <string.h>

static int same_finding(const struct ob_cfg_finding *x, const struct ob_cfg_finding *y)
{
    char a[256], b[256];
    if (x->cls != y->cls || strcmp(x->section, y->section))
        return 0;
    ob_cfg_norm_key(x->key, strlen(x->key), a, sizeof a);
    ob_cfg_norm_key(y->key, strlen(y->key), b, sizeof b);
    return !strcmp(a, b);
}

static int in_new(const struct ob_hunk *h, size_t line)
{
    return line >= h->new_start && line < h->new_start + h->new_n;
}

static int in_old(const struct ob_hunk *h, size_t line)
{
    return line >= h->old_start && line < h->old_start + h->old_n;
}

/* Whether hunk h touches new lines lo..hi (a deletion touches the place
 * it left, between two lines). */
static int touches(const struct ob_hunk *h, size_t lo, size_t hi)
{
    if (h->new_n)
        return h->new_start <= hi && h->new_start + h->new_n - 1 >= lo;
    return h->new_start >= lo && h->new_start <= hi + 1;
}

/* Which hunks brought finding f, as flags in pick[]; how many. */
static unsigned pick_hunks(const struct ob_hunks *hs, const struct ob_cfg_finding *f,
                           const struct ob_cfg_file *old_f, const struct ob_cfg_file *new_f,
                           char *pick)
{
    unsigned n = 0;
    memset(pick, 0, hs->n);
    if (f->line) {
        for (size_t i = 0; i < hs->n; i++)
            n += pick[i] = (char)in_new(&hs->h[i], f->line);
    } else if (old_f) {
        /* a missing entry: the lines that held the key */
        char want[256], k[256];
        ob_cfg_norm_key(f->key, strlen(f->key), want, sizeof want);
        for (size_t e = 0; e < old_f->n; e++) {
            ob_cfg_norm_key(old_f->e[e].key, strlen(old_f->e[e].key), k, sizeof k);
            if (strcmp(k, want))
                continue;
            for (size_t i = 0; i < hs->n; i++)
                if (!pick[i] && in_old(&hs->h[i], old_f->e[e].line))
                    n += pick[i] = 1;
        }
    }
    if (n)
        return n;
    /* its scope: the lines of the entries of its section (or of the scope
     * of the entry on its line) */
    unsigned scope = 0;
    int by_scope = 0;
    for (size_t e = 0; e < new_f->n && f->line; e++)
        if (new_f->e[e].line == f->line) {
            scope = new_f->e[e].scope;
            by_scope = 1;
            break;
        }
    size_t lo = (size_t)-1, hi = 0;
    for (size_t e = 0; e < new_f->n; e++) {
        const struct ob_cfg_entry *x = &new_f->e[e];
        if (by_scope ? x->scope != scope : strcmp(x->section, f->section))
            continue;
        lo = x->line < lo ? x->line : lo;
        hi = x->line > hi ? x->line : hi;
    }
    for (size_t i = 0; i < hs->n && lo <= hi; i++)
        n += pick[i] = (char)touches(&hs->h[i], lo > 1 ? lo - 1 : lo, hi);
    if (n)
        return n;
    memset(pick, 1, hs->n);
    return (unsigned)hs->n;
}

static char *hunks_text(const char *a, size_t alen, const char *b, size_t blen,
                        const struct ob_hunks *hs, const char *pick)
{
    struct ob_buf out = {0};
    for (size_t i = 0; i < hs->n; i++) {
        if (!pick[i])
            continue;
        char *t = ob_hunk_text(a, alen, b, blen, &hs->h[i]);
        if (!t) {
            free(out.p);
            return NULL;
        }
        ob_buf_put(&out, t, strlen(t));
        free(t);
    }
    ob_buf_put(&out, "", 1);
    if (out.failed) {
        free(out.p);
        return NULL;
    }
    return (char *)out.p;
}

static int add_change(struct ob_cfg_changes *out, const struct ob_cfg_finding *f, char *diff,
                      unsigned nhunks)
{
    if (ob_grow((void **)&out->c, &out->cap, out->n + 1, sizeof *out->c) < 0) {
        free(diff);
        return -1;
    }
    struct ob_cfg_change *c = &out->c[out->n];
    c->f = *f;
    c->f.section = strdup(f->section);
    c->f.key = strdup(f->key);
    c->f.evidence = strdup(f->evidence);
    c->diff = diff;
    c->nhunks = nhunks;
    if (!c->f.section || !c->f.key || !c->f.evidence) {
        free(c->f.section), free(c->f.key), free(c->f.evidence), free(diff);
        return -1;
    }
    out->n++;
    return 0;
}

int ob_cfg_check_change(const struct ob_cfg_model *m, const char *old_text, size_t old_len,
                        const struct ob_cfg_file *old_f, const char *new_text, size_t new_len,
                        const struct ob_cfg_file *new_f, struct ob_cfg_changes *out)
{
    struct ob_cfg_findings was = {0}, now = {0};
    struct ob_hunks hs = {0};
    if (!old_f || !old_text)
        old_text = "", old_len = 0, old_f = NULL;
    int rc = (old_f ? ob_cfg_check(m, old_f, &was) : 0) < 0 || ob_cfg_check(m, new_f, &now) < 0 ||
                     ob_linediff(old_text, old_len, new_text, new_len, &hs) < 0
                 ? -1
                 : 0;
    char *used = rc == 0 ? calloc(was.n + 1, 1) : NULL, *isnew = rc == 0 ? calloc(now.n + 1, 1) : NULL;
    char *pick = rc == 0 ? calloc(hs.n + 1, 1) : NULL;
    if (!used || !isnew || !pick)
        rc = -1;
    /* the old findings are matched first by the new ones on unchanged
     * lines, then by those on changed lines: what is left over is new */
    for (int pass = 0; pass < 2 && rc == 0; pass++)
        for (size_t i = 0; i < now.n; i++) {
            int changed = 0;
            for (size_t h = 0; h < hs.n && !changed; h++)
                changed = now.f[i].line && in_new(&hs.h[h], now.f[i].line);
            if (changed != pass)
                continue;
            size_t j;
            for (j = 0; j < was.n && (used[j] || !same_finding(&was.f[j], &now.f[i])); j++)
                ;
            if (j < was.n)
                used[j] = 1;
            else
                isnew[i] = 1;
        }
    for (size_t i = 0; i < now.n && rc == 0; i++) {
        if (!isnew[i])
            continue;
        unsigned nh = pick_hunks(&hs, &now.f[i], old_f, new_f, pick);
        char *diff = hunks_text(old_text, old_len, new_text, new_len, &hs, pick);
        rc = diff ? add_change(out, &now.f[i], diff, nh) : -1;
    }
    free(used), free(isnew), free(pick);
    ob_hunks_clear(&hs);
    ob_cfg_findings_clear(&was);
    ob_cfg_findings_clear(&now);
    return rc;
}

void ob_cfg_changes_clear(struct ob_cfg_changes *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->c[i].f.section);
        free(cs->c[i].f.key);
        free(cs->c[i].f.evidence);
        free(cs->c[i].diff);
    }
    free(cs->c);
    memset(cs, 0, sizeof *cs);
}
