/* history.c - spikes and level shifts in price histories.
 *
 * A price is a step function: it holds until the next observation. Each
 * (SKU, region) series is resampled onto a regular grid (the time-weighted
 * mean price in each step, so a short spike between two grid points still
 * shows), about GRID_POINTS steps over its span, and the grid goes through
 * the metric detector exactly as `opsbox detect` feeds it points. Series
 * whose price never changes are skipped: they cannot hold a finding.
 *
 * A point the detector flags is then measured against the level before it
 * (median of the WINDOW steps before) and after it (median of the WINDOW
 * steps from it). It must be material: at least MIN_MOVE of the price and
 * DRIFT_TIMES the series' usual drift (the median change over WINDOW steps),
 * since spot prices creep in steps of a hundredth of a cent and each step
 * alone is a surprise to a forecaster of a flat line. If the level later
 * has moved by at least half the largest excursion, it is a level shift;
 * otherwise a spike that reached the excursion and came back. The detector
 * learns for 150 points before it scores: it first sees PREFIX steps of
 * the series' starting price, so that a change early on is scored too. */
#include "prices/prices.h"
#include "prices/prices_int.h"

#include "metrics/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRID_POINTS 2000  /* steps per series, about */
#define MIN_STEPS 300     /* fewer: too short to score (the detector learns for 150) */
#define WINDOW 24         /* steps on each side that define the levels */
#define ORDINARY_MOVES 20 /* moves a series makes often enough to be ordinary */
#define HELD 50           /* steps the detector holds after a flag (its HOLD_POINTS) */
#define PREFIX 200        /* steps of the first price fed before the series */
#define LOOK (4 * WINDOW) /* steps after a flag that tell a spike from a shift */
#define MIN_MOVE 0.01     /* a move under 1 % of the price is not a finding */
#define DRIFT_TIMES 4     /* ...nor one within 4 times the series' usual drift */

static double median(const double *v, size_t n, double *scratch)
{
    memcpy(scratch, v, n * sizeof *v);
    qsort(scratch, n, sizeof *scratch, ob__prices_cmp_double);
    return n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
}

/* The grid step: the largest round step giving at least GRID_POINTS steps;
 * beyond a week a step (spans of decades, or a mistyped year) is not round,
 * so that no series grows a grid of millions. */
static double grid_step(double span)
{
    static const double nice[] = {60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400};
    size_t nn = sizeof nice / sizeof nice[0];
    double raw = span / GRID_POINTS, step = nice[0];
    if (raw > 2 * nice[nn - 1])
        return raw;
    for (size_t i = 0; i < nn; i++)
        if (nice[i] <= raw)
            step = nice[i];
    return step;
}

/* Fills grid[0..m) with the time-weighted mean of the step function given by
 * points (ts[i], v[i]) over [t0 + k*step, t0 + (k+1)*step). */
static void resample(const double *ts, const double *v, size_t n, double t0, double step,
                     double *grid, size_t m)
{
    size_t p = 0;
    for (size_t k = 0; k < m; k++) {
        double a = t0 + (double)k * step, b = a + step, sum = 0;
        while (p + 1 < n && ts[p + 1] <= a)
            p++;
        double cur = a;
        for (size_t q = p;; q++) {
            double next = q + 1 < n && ts[q + 1] < b ? ts[q + 1] : b;
            sum += v[q] * (next - cur);
            if (next >= b)
                break;
            cur = next;
        }
        grid[k] = sum / step;
    }
}

struct findings {
    struct ob_price_finding *f;
    size_t n, cap;
};

static int push(struct findings *fs, const struct ob_price_finding *f)
{
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 16;
        void *p = realloc(fs->f, cap * sizeof *fs->f);
        if (!p)
            return -1;
        fs->f = p;
        fs->cap = cap;
    }
    fs->f[fs->n++] = *f;
    return 0;
}

/* Classifies the flagged step i of grid[0..m) into *f. Returns the first
 * step after the event (flags before it are the same event), or 0 when the
 * price did not move enough there to report. */
static size_t measure(const double *grid, size_t m, size_t i, double t0, double step,
                      double drift, double *scratch, struct ob_price_finding *f)
{
    size_t lo = i > WINDOW ? i - WINDOW : 0;
    if (lo == i)
        return 0;
    double before = median(grid + lo, i - lo, scratch);
    /* the move at the flagged step (or the next: the step in which a
     * change falls is only partly changed) */
    size_t at = i + 1 < m && fabs(grid[i + 1] - before) > fabs(grid[i] - before) ? i + 1 : i;
    double move = grid[at] - before;
    if (fabs(move) < MIN_MOVE * fabs(before) || fabs(move) <= DRIFT_TIMES * drift || move == 0)
        return 0;
    size_t end = i + LOOK < m ? i + LOOK : m, peak = at;
    for (size_t k = at; k < end; k++)
        if ((grid[k] - before) * (move > 0 ? 1 : -1) > (grid[peak] - before) * (move > 0 ? 1 : -1))
            peak = k;
    double excursion = grid[peak] - before;
    size_t far = i + LOOK / 2 < end ? i + LOOK / 2 : i;
    double later = median(grid + far, end - far, scratch);
    f->ts = t0 + (double)i * step;
    f->before = before;
    size_t next;
    if (fabs(later - before) >= 0.5 * fabs(excursion)) {
        size_t a = at + 1 < m ? at + 1 : at, b = a + WINDOW < m ? a + WINDOW : m;
        f->kind = OB_FINDING_SHIFT;
        f->after = b > a ? median(grid + a, b - a, scratch) : grid[at];
        f->end_ts = f->ts;
        next = i + WINDOW;
    } else {
        f->kind = OB_FINDING_SPIKE;
        f->after = grid[peak];
        size_t back = peak;
        while (back < m && fabs(grid[back] - before) >= 0.5 * fabs(excursion))
            back++;
        f->end_ts = t0 + (double)back * step;
        next = back + 1;
    }
    f->pct = before != 0 ? (f->after - before) / fabs(before) * 100 : NAN;
    return next;
}

/* The median |grid[k + WINDOW] - grid[k]|: how far the price usually moves
 * over a window; -1 when memory runs out. */
static double usual_drift(const double *grid, size_t m)
{
    if (m <= WINDOW)
        return 0;
    size_t n = m - WINDOW;
    double *d = malloc(n * sizeof *d);
    if (!d)
        return -1;
    for (size_t k = 0; k < n; k++)
        d[k] = fabs(grid[k + WINDOW] - grid[k]);
    qsort(d, n, sizeof *d, ob__prices_cmp_double);
    double med = d[n / 2];
    free(d);
    return med;
}

/* The size of the series' ordinary moves: the median of its moves from
 * one step to the next when it moves often (creep or noise, as spot prices
 * do), 0 when it moves less than ORDINARY_MOVES times (a list price, whose
 * few changes are the news), and in *share the share of steps that move;
 * -1 when memory runs out. */
static double usual_step(const double *grid, size_t m, double *share)
{
    *share = 0;
    double *d = malloc((m ? m : 1) * sizeof *d);
    if (!d)
        return -1;
    size_t n = 0;
    for (size_t k = 0; k + 1 < m; k++)
        if (grid[k + 1] != grid[k])
            d[n++] = fabs(grid[k + 1] - grid[k]);
    double q = 0;
    if (n >= ORDINARY_MOVES) {
        qsort(d, n, sizeof *d, ob__prices_cmp_double);
        q = d[n / 2];
        *share = (double)n / (double)(m - 1);
    }
    free(d);
    return q;
}

/* One series: obs[0..n) sorted by time. */
static int score_series(const struct ob_price_obs *const *obs, size_t n, struct findings *fs,
                        struct ob_history_stats *st)
{
    st->series++;
    int changes = 0;
    for (size_t i = 1; i < n && !changes; i++)
        changes = obs[i]->price != obs[0]->price;
    if (!changes)
        return 0;
    st->changing++;
    double span = obs[n - 1]->ts - obs[0]->ts;
    double step = grid_step(span);
    size_t m = (size_t)(span / step) + 1;
    if (!(span > 0) || m < MIN_STEPS)
        return 0;
    st->scored++;
    int rc = -1;
    double *ts = malloc(n * sizeof *ts), *v = malloc(n * sizeof *v);
    double *grid = malloc((PREFIX + m) * sizeof *grid), *scratch = malloc(2 * WINDOW * sizeof *scratch);
    struct ob_detector *d = ob_detector_new(NULL);
    if (!ts || !v || !grid || !scratch || !d)
        goto out;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && obs[i]->ts == ts[k - 1])
            k--; /* the same instant twice: the later reading wins */
        ts[k] = obs[i]->ts;
        v[k++] = obs[i]->price;
    }
    /* grid[0..PREFIX) is the price the series starts at, as if it had held
     * before the first observation, moving as it ordinarily does: the
     * detector learns on it, so that a change early in the series is scored
     * too, and the first ordinary move is no surprise */
    double t0 = ts[0] - PREFIX * step;
    resample(ts, v, k, ts[0], step, grid + PREFIX, m);
    double start = median(grid + PREFIX, m < WINDOW ? m : WINDOW, scratch);
    double moves;
    double wiggle = usual_step(grid + PREFIX, m, &moves);
    if (wiggle < 0)
        goto out;
    /* a walk back from the start with the series' ordinary moves, as often */
    uint64_t rng = 0x9e3779b97f4a7c15u;
    double x = start;
    for (size_t i = PREFIX; i-- > 0;) {
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        double u = (double)(rng >> 11) / 9007199254740992.0;
        if (u < moves)
            x += u < moves / 2 ? wiggle : -wiggle;
        grid[i] = x;
    }
    double drift = usual_drift(grid + PREFIX, m);
    if (drift < 0)
        goto out;
    size_t quiet_until = 0; /* the steps of the event last reported */
    size_t held_until = 0;  /* the detector's hold after a flag we dropped */
    double held_score = 0;
    for (size_t i = 0; i < PREFIX + m; i++) {
        struct ob_detection r = ob_detector_step(d, t0 + (double)i * step, grid[i]);
        struct ob_price_finding f = {.sku = obs[0]->sku, .region = obs[0]->region,
                                     .family = obs[0]->family, .label = obs[0]->label,
                                     .unit = obs[0]->unit, .score = r.anomaly_score};
        /* after a flag, the detector holds back all but a clearly stronger
         * one for HELD steps; when we dropped that flag as immaterial, a
         * material move in those steps is still a finding */
        int held = !r.anomaly && i < held_until;
        if ((!r.anomaly && !held) || i < PREFIX || i < quiet_until)
            continue;
        if (held)
            f.score = held_score;
        size_t next = measure(grid, PREFIX + m, i, t0, step, drift, scratch, &f);
        if (next && push(fs, &f) < 0)
            goto out;
        if (next) {
            quiet_until = next;
            held_until = 0;
        } else if (r.anomaly) {
            held_until = i + 1 + HELD;
            held_score = r.anomaly_score;
        }
    }
    rc = 0;
out:
    ob_detector_free(d);
    free(ts);
    free(v);
    free(grid);
    free(scratch);
    return rc;
}

static int by_time(const void *a, const void *b)
{
    const struct ob_price_finding *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->sku != y->sku)
        return x->sku < y->sku ? -1 : 1;
    return (x->region > y->region) - (x->region < y->region);
}

int ob_prices_history(const struct ob_prices *t, struct ob_price_finding **out, size_t *n,
                      struct ob_history_stats *stats)
{
    struct ob_history_stats st = {0};
    struct findings fs = {0};
    size_t total = ob_prices_count(t);
    const struct ob_price_obs **o = malloc((total ? total : 1) * sizeof *o);
    *out = NULL;
    *n = 0;
    if (!o)
        return -1;
    for (size_t i = 0; i < total; i++)
        o[i] = ob_prices_get(t, i);
    qsort(o, total, sizeof *o, ob__prices_by_series_then_time);
    for (size_t i = 0; i < total;) {
        size_t j = i + 1;
        while (j < total && o[j]->sku == o[i]->sku && o[j]->region == o[i]->region)
            j++;
        if (score_series(o + i, j - i, &fs, &st) < 0) {
            free(o);
            free(fs.f);
            return -1;
        }
        i = j;
    }
    free(o);
    if (fs.n)
        qsort(fs.f, fs.n, sizeof *fs.f, by_time);
    *out = fs.f;
    *n = fs.n;
    if (stats)
        *stats = st;
    return 0;
}
