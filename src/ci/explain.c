/* explain.c - the lines of a failed build log that say why it failed.
 *
 * The model is a log miner (src/logs) fed with the lines of passing logs:
 * a failed line whose template the miner knew from them is normal. Each
 * line of the failed log then scores by
 *
 *   - being new: its template is not in the passing logs (without any,
 *     being rare in the failed log itself stands in);
 *   - its error words (clean.c), which count fully on a new line and a
 *     little on a known one (a test that logs ERROR on every run);
 *   - heading a block: the first new line after known ones, or the line
 *     a stack trace hangs from; the trace's own "at ..." lines count little,
 *     so a trace collapses to its head;
 *   - where it is: a build stops at its failure, so late lines weigh more;
 *   - and against repetition: a new template printed a thousand times is
 *     progress output more often than the failure.
 *
 * A failure is usually told several times in one log (the compiler's
 * message, the build tool's summary, the CI server's verdict), each in its
 * own block, and any one of them explains it. So the report spreads over
 * blocks: once a line of a block is taken, the block's other lines drop
 * by a penalty, and the next best block's head comes first. */
#include "ci/ci.h"

#include "logs/logs.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CLEAN_MAX 2048     /* bytes of a cleaned line given to the miner */
#define MODEL_MAGIC "OBCIMODEL1\n"
#define CANDIDATES_MAX 50000

/* Weights of the line score; see the top of the file. Fitted by grouped
 * cross-validation over projects (bench/ci.sh, docs/ci.md). */
struct weights {
    double new_, kw_new, kw_known, head, trace_head, trace, blank, late, rep, block_pen, near_pen;
    double gh_error, self_new, self_late, heading;
};

static struct weights W = {
    .new_ = 1.0,
    .kw_new = 1.5,
    .kw_known = 0.3,
    .head = 0.6,
    .trace_head = 0.4,
    .trace = 0.8,
    .blank = 1.5,
    .late = 0.8,
    .rep = 0.15,
    .block_pen = 1.0,
    .near_pen = 0.5,
    .gh_error = 1.0,
    .self_new = 1.0,
    .self_late = 3.0,
    .heading = 0.3,
};

int ob_ci__tune(const char *name, double v)
{
    static const struct {
        const char *n;
        size_t off;
    } f[] = {
#define F(x) {#x, offsetof(struct weights, x)}
        F(new_), F(kw_new), F(kw_known), F(head), F(trace_head), F(trace), F(blank), F(late), F(rep),
        F(block_pen), F(near_pen), F(gh_error), F(self_new), F(self_late), F(heading),
#undef F
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!strcmp(f[i].n, name)) {
            *(double *)((char *)&W + f[i].off) = v;
            return 0;
        }
    return -1;
}

struct ob_ci_model {
    struct ob_miner *miner;
    uint64_t learned; /* messages of passing logs: templates first seen by then are normal */
};

struct ob_ci_model *ob_ci_model_new(void)
{
    struct ob_ci_model *m = calloc(1, sizeof *m);
    struct ob_miner_params p = ob_miner_params_default();
    if (!m || !(m->miner = ob_miner_new(&p))) {
        free(m);
        return NULL;
    }
    return m;
}

void ob_ci_model_free(struct ob_ci_model *m)
{
    if (!m)
        return;
    ob_miner_free(m->miner);
    free(m);
}

uint64_t ob_ci_model_lines(const struct ob_ci_model *m) { return m->learned; }

int ob_ci_model_learn(struct ob_ci_model *m, const char *buf, size_t len)
{
    char clean[CLEAN_MAX];
    for (size_t pos = 0, next; pos < len; pos = next) {
        size_t n = ob_ci_line_end(buf, len, pos, &next);
        unsigned flags;
        size_t c = ob_ci_clean(buf + pos, n, clean, sizeof clean, &flags);
        if (!ob_miner_add(m->miner, clean, c))
            return -1;
    }
    m->learned = ob_miner_messages(m->miner);
    return 0;
}

size_t ob_ci_model_save(const struct ob_ci_model *m, void **out)
{
    void *blob;
    size_t n = ob_miner_save(m->miner, &blob);
    if (!n)
        return 0;
    size_t h = sizeof MODEL_MAGIC - 1;
    unsigned char *b = malloc(h + 8 + n);
    if (!b) {
        free(blob);
        return 0;
    }
    memcpy(b, MODEL_MAGIC, h);
    for (int i = 0; i < 8; i++)
        b[h + i] = (unsigned char)(m->learned >> (8 * i));
    memcpy(b + h + 8, blob, n);
    free(blob);
    *out = b;
    return h + 8 + n;
}

struct ob_ci_model *ob_ci_model_load(const void *buf, size_t len)
{
    size_t h = sizeof MODEL_MAGIC - 1;
    const unsigned char *b = buf;
    if (len < h + 8 || memcmp(b, MODEL_MAGIC, h))
        return NULL;
    struct ob_ci_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    for (int i = 0; i < 8; i++)
        m->learned |= (uint64_t)b[h + i] << (8 * i);
    m->miner = ob_miner_load(b + h + 8, len - h - 8);
    if (!m->miner || m->learned > ob_miner_messages(m->miner)) {
        ob_ci_model_free(m);
        return NULL;
    }
    return m;
}

/* ---- explain ---- */

enum { L_TRACE = 1, L_BLANK = 2, L_GROUP = 4, L_GH_ERROR = 8, L_KNOWN = 16, L_HEADING = 32 };

struct line {
    size_t off, len;
    uint32_t tpl;
    float kw;
    uint8_t flags;
};

struct scored {
    uint32_t i;     /* index of the line */
    float s;        /* its score */
    uint32_t block; /* block it belongs to */
};

static int by_score(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->s != y->s)
        return x->s < y->s ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The k-th largest of v[0..n) (k < n), reordering v: Hoare's selection,
 * so that a log of millions of lines sorts only its best candidates. */
static float kth_largest(float *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        float pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* "COMPILATION ERROR :", "Failures:": a line that announces the lines
 * after it, which say what it is about. */
static bool is_heading(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n > 0 && s[n - 1] == ':';
}

/* Reads every line of the failed log into lines[], mining it. */
static long read_lines(struct ob_ci_model *m, const char *buf, size_t len, struct line **out)
{
    /* sized for lines of 64 bytes on average, so that big logs rarely copy */
    size_t cap = len / 64 + 1024, n = 0;
    struct line *L = malloc(cap * sizeof *L);
    char clean[CLEAN_MAX];
    /* error words per template id: the lines of a template share their
     * constant words, and its parameters (tokens with a digit) are no
     * words; reading them once per template is most of the speed on a
     * large log */
    float *kwc = NULL;
    size_t cap_kwc = 0;
    if (!L)
        return -1;
    for (size_t pos = 0, next; pos < len; pos = next) {
        size_t ln = ob_ci_line_end(buf, len, pos, &next);
        if (n == cap) {
            struct line *q = realloc(L, 2 * cap * sizeof *L);
            if (!q)
                goto oom;
            L = q;
            cap *= 2;
        }
        unsigned flags;
        size_t c = ob_ci_clean(buf + pos, ln, clean, sizeof clean, &flags);
        struct line *l = &L[n++];
        l->off = pos;
        l->len = ln;
        l->flags = 0;
        if (!(l->tpl = ob_miner_add(m->miner, clean, c)))
            goto oom;
        if (l->tpl >= cap_kwc) {
            size_t nc = cap_kwc ? cap_kwc : 1024;
            while (nc <= l->tpl)
                nc *= 2;
            float *q = realloc(kwc, nc * sizeof *q);
            if (!q)
                goto oom;
            for (size_t j = cap_kwc; j < nc; j++)
                q[j] = -1;
            kwc = q;
            cap_kwc = nc;
        }
        if (kwc[l->tpl] < 0)
            kwc[l->tpl] = (float)ob_ci_error_words(clean, c);
        l->kw = kwc[l->tpl];
        if (ob_ci_trace_line(clean, c))
            l->flags |= L_TRACE;
        if (is_blank(clean, c))
            l->flags |= L_BLANK;
        else if (is_heading(clean, c))
            l->flags |= L_HEADING;
        if (flags & (OB_CI_GROUP | OB_CI_ENDGROUP))
            l->flags |= L_GROUP;
        if (flags & OB_CI_GH_ERROR)
            l->flags |= L_GH_ERROR;
    }
    free(kwc);
    *out = L;
    return (long)n;
oom:
    free(kwc);
    free(L);
    return -1;
}

/* Novelty of each line in [0, 1]: unknown to the passing logs; without
 * any, rare in this log. */
static int novelty(struct ob_ci_model *m, struct line *L, size_t n, float *nov, float *rep)
{
    uint32_t nt = ob_miner_templates(m->miner);
    uint32_t *count = calloc((size_t)nt + 1, sizeof *count);
    if (!count)
        return -1;
    for (size_t i = 0; i < n; i++) {
        L[i].tpl = ob_miner_resolve(m->miner, L[i].tpl);
        count[L[i].tpl]++;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t t = L[i].tpl;
        bool known = m->learned && ob_miner_template_first(m->miner, t) <= m->learned;
        if (known)
            L[i].flags |= L_KNOWN;
        rep[i] = (float)log2(count[t]);
        if (m->learned)
            nov[i] = known ? 0.0f : 1.0f;
        else
            nov[i] = (float)W.self_new * (count[t] <= 2 ? 1.0f : (float)(2.0 / count[t]));
    }
    free(count);
    return 0;
}

static float line_score(const struct line *L, size_t n, size_t i, const float *nov,
                        const float *rep, bool learned, unsigned *why)
{
    const struct line *l = &L[i];
    unsigned r = 0;
    if (l->flags & L_BLANK) {
        *why = 0;
        return (float)-W.blank;
    }
    double s = 0, nv = nov[i];
    s += W.new_ * nv + W.kw_new * l->kw * nv + W.kw_known * l->kw * (1 - nv);
    if (nv >= 0.5)
        r |= learned ? OB_CI_R_NEW : OB_CI_R_RARE;
    /* a block's head: new after a known (or group) line */
    size_t p = i;
    while (p > 0 && (L[p - 1].flags & L_BLANK))
        p--;
    if (l->flags & L_HEADING)
        s -= W.heading;
    if (nv >= 0.5 && (p == 0 || nov[p - 1] < 0.5 || (L[p - 1].flags & (L_GROUP | L_HEADING)))) {
        s += W.head * nv;
        r |= OB_CI_R_HEAD;
    }
    if (l->flags & L_TRACE)
        s -= W.trace;
    else if (i + 1 < n && (L[i + 1].flags & L_TRACE)) {
        s += W.trace_head;
        r |= OB_CI_R_TRACE;
    }
    if (l->flags & L_GH_ERROR)
        s += W.gh_error;
    double pos = n > 1 ? (double)i / (double)(n - 1) : 1;
    s += W.late * (learned ? 1 : W.self_late) * pos * pos;
    if (n - i <= 20)
        r |= OB_CI_R_END;
    s -= W.rep * rep[i];
    if (l->kw >= 0.3 || (l->flags & L_GH_ERROR))
        r |= OB_CI_R_ERROR;
    *why = r;
    return (float)s;
}

/* Blocks: runs of new lines, through blank and stack-trace lines; a known
 * line or a group marker ends one. */
static void blocks(const struct line *L, size_t n, const float *nov, uint32_t *block)
{
    uint32_t b = 0;
    bool open = false;
    for (size_t i = 0; i < n; i++) {
        bool newish = nov[i] >= 0.5;
        bool glue = (L[i].flags & (L_BLANK | L_TRACE)) && !(L[i].flags & L_GROUP);
        if (L[i].flags & L_GROUP)
            open = false;
        if (newish && !open) {
            b++;
            open = true;
        } else if (!newish && !glue) {
            if (open)
                b++;
            open = false;
        }
        block[i] = b;
    }
}

/* Takes the best k candidates (sorted by score) spreading over blocks: a
 * candidate's score drops by block_pen per line already taken from its
 * block and by near_pen when a taken line is at most 2 lines away. */
static size_t pick(struct scored *c, size_t nc, size_t k, const struct line *L, size_t n,
                   uint32_t *taken_in_block, uint8_t *taken, size_t *chosen)
{
    size_t got = 0;
    (void)L;
    while (got < k) {
        size_t best = SIZE_MAX;
        double bs = -INFINITY;
        for (size_t j = 0; j < nc; j++) {
            if (taken[c[j].i])
                continue;
            if (c[j].s <= bs)
                break; /* sorted: no later candidate can beat it */
            double e = c[j].s - W.block_pen * taken_in_block[c[j].block];
            uint32_t i = c[j].i;
            for (uint32_t d = 1; d <= 2; d++)
                if ((i >= d && taken[i - d]) || (i + d < n && taken[i + d])) {
                    e -= W.near_pen;
                    break;
                }
            if (e > bs) {
                bs = e;
                best = j;
            }
        }
        if (best == SIZE_MAX)
            break;
        taken[c[best].i] = 1;
        taken_in_block[c[best].block]++;
        chosen[got++] = best;
    }
    return got;
}

long ob_ci_explain(struct ob_ci_model *m, const char *buf, size_t len, size_t k,
                   struct ob_ci_finding **out)
{
    struct line *L = NULL;
    long rn = read_lines(m, buf, len, &L);
    if (rn < 0)
        return -1;
    size_t n = (size_t)rn;
    long ret = -1;
    float *nov = malloc((n + 1) * sizeof *nov), *rep = malloc((n + 1) * sizeof *rep);
    uint32_t *block = malloc((n + 1) * sizeof *block);
    unsigned *why = malloc((n + 1) * sizeof *why);
    struct scored *c = malloc((n + 1) * sizeof *c);
    uint8_t *taken = calloc(n + 1, 1);
    uint32_t *tib = calloc(n + 2, sizeof *tib);
    size_t *chosen = malloc((k + 1) * sizeof *chosen);
    struct ob_ci_finding *f = malloc((k + 1) * sizeof *f);
    if (!nov || !rep || !block || !why || !c || !taken || !tib || !chosen || !f)
        goto done;
    if (novelty(m, L, n, nov, rep) < 0)
        goto done;
    blocks(L, n, nov, block);
    for (size_t i = 0; i < n; i++) {
        c[i].i = (uint32_t)i;
        c[i].s = line_score(L, n, i, nov, rep, m->learned > 0, &why[i]);
        c[i].block = block[i];
    }
    size_t nc = n;
    if (n > CANDIDATES_MAX) {
        /* keep the best CANDIDATES_MAX (and their ties), then sort those */
        float *v = (float *)nov; /* novelty is no longer needed: reuse it */
        for (size_t i = 0; i < n; i++)
            v[i] = c[i].s;
        float cut = kth_largest(v, n, CANDIDATES_MAX - 1);
        nc = 0;
        for (size_t i = 0; i < n; i++)
            if (c[i].s >= cut)
                c[nc++] = c[i];
    }
    qsort(c, nc, sizeof *c, by_score);
    if (nc > CANDIDATES_MAX)
        nc = CANDIDATES_MAX;
    size_t got = pick(c, nc, k, L, n, tib, taken, chosen);
    for (size_t j = 0; j < got; j++) {
        const struct scored *s = &c[chosen[j]];
        f[j] = (struct ob_ci_finding){.line = (uint64_t)s->i + 1, .score = s->s,
                                      .reasons = why[s->i], .off = L[s->i].off,
                                      .len = L[s->i].len};
    }
    *out = f;
    f = NULL;
    ret = (long)got;
done:
    free(L);
    free(nov);
    free(rep);
    free(block);
    free(why);
    free(c);
    free(taken);
    free(tib);
    free(chosen);
    free(f);
    return ret;
}

size_t ob_ci_reasons_text(unsigned reasons, char *buf, size_t cap)
{
    static const struct {
        unsigned bit;
        const char *text;
    } names[] = {
        {OB_CI_R_ERROR, "error words"},   {OB_CI_R_NEW, "new template"},
        {OB_CI_R_RARE, "rare template"},  {OB_CI_R_HEAD, "first new line of a block"},
        {OB_CI_R_TRACE, "stack trace head"}, {OB_CI_R_CONTEXT, "context"},
        {OB_CI_R_END, "near the end"},
    };
    size_t o = 0;
    if (cap)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(reasons & names[i].bit))
            continue;
        const char *t = names[i].text;
        size_t tl = strlen(t), sep = o ? 2 : 0;
        for (size_t j = 0; j < sep + tl; j++, o++)
            if (o + 1 < cap) {
                buf[o] = j < sep ? ", "[j] : t[j - sep];
                buf[o + 1] = '\0';
            }
    }
    if (o == 0) {
        const char *t = "known";
        for (; t[o]; o++)
            if (o + 1 < cap) {
                buf[o] = t[o];
                buf[o + 1] = '\0';
            }
    }
    return o;
}
