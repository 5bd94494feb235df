/* fit.c - the cheapest offers that fit a size.
 *
 * Candidates are hourly prices above zero (zero-priced SKUs are capacity
 * already paid for, not offers) of the asked market (spot or on-demand),
 * with at least the vCPUs, memory and GPUs asked. Spot histories carry no
 * sizes: they take them from any offer of the same label (instance type)
 * in the table, so give an offer file beside the spot history.
 *
 * A price holds until the next observation, and the last one until the end
 * of the data. Expected monthly cost: the time-weighted mean price over the
 * last 30 days of the series (all of it when shorter) times 730 hours. Its
 * spread: the 5th and 95th percentiles of the same mean over every 30-day
 * window, one a day, or over every day when there are fewer than 30. */
#include "prices/prices.h"
#include "prices/prices_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HOURS_PER_MONTH 730.0
#define DAY 86400.0
#define MONTH (30 * DAY)
#define MAX_WINDOWS 1000

struct spec {
    float vcpu, mem, gpu;
};

/* Time-weighted mean of the step function o[0..n) over [a, b), from the
 * first observation on; NAN when [a, b) ends before it. */
static double mean_over(const struct ob_price_obs *const *o, size_t n, double a, double b)
{
    if (a < o[0]->ts)
        a = o[0]->ts;
    if (!(b > a))
        return b == a ? o[0]->price : NAN;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double s = o[i]->ts, e = i + 1 < n ? o[i + 1]->ts : b;
        if (s < a)
            s = a;
        if (e > b)
            e = b;
        if (e > s)
            sum += o[i]->price * (e - s);
    }
    return sum / (b - a);
}

static double quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, ob__prices_cmp_double);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    return i + 1 < n ? v[i] + (pos - (double)i) * (v[i + 1] - v[i]) : v[n - 1];
}

/* Expected monthly cost and spread of one series, up to end. */
static int estimate(const struct ob_price_obs *const *o, size_t n, double end,
                    struct ob_fit_offer *f)
{
    double first = o[0]->ts, span = end - first;
    f->span_days = span / DAY;
    f->price = o[n - 1]->price;
    if (!(span > 0)) {
        f->monthly = f->monthly_lo = f->monthly_hi = f->price * HOURS_PER_MONTH;
        return 0;
    }
    double win = span >= MONTH ? MONTH : span >= DAY ? DAY : span;
    f->monthly = mean_over(o, n, end - (span >= MONTH ? MONTH : span), end) * HOURS_PER_MONTH;
    /* one window a day, but no more than MAX_WINDOWS over a long history */
    double every = (span - win) / DAY > MAX_WINDOWS ? (span - win) / MAX_WINDOWS : DAY;
    size_t nw = (size_t)((span - win) / every) + 1;
    double *w = malloc(nw * sizeof *w);
    if (!w)
        return -1;
    for (size_t i = 0; i < nw; i++)
        w[i] = mean_over(o, n, end - win - (double)i * every, end - (double)i * every);
    f->monthly_lo = quantile(w, nw, 0.05) * HOURS_PER_MONTH;
    f->monthly_hi = quantile(w, nw, 0.95) * HOURS_PER_MONTH;
    free(w);
    if (f->monthly_lo > f->monthly) /* the latest month can be the cheapest */
        f->monthly_lo = f->monthly;
    if (f->monthly_hi < f->monthly)
        f->monthly_hi = f->monthly;
    return 0;
}

static int region_matches(const char *have, const char *want)
{
    size_t n = strlen(want);
    return !strncmp(have, want, n); /* a region's zones start with its name */
}

static int by_monthly(const void *a, const void *b)
{
    const struct ob_fit_offer *x = a, *y = b;
    if (x->monthly != y->monthly)
        return x->monthly < y->monthly ? -1 : 1;
    if (x->price != y->price)
        return x->price < y->price ? -1 : 1;
    if (x->label != y->label)
        return x->label < y->label ? -1 : 1;
    return (x->region > y->region) - (x->region < y->region);
}

static int by_label_region_cost(const void *a, const void *b)
{
    const struct ob_fit_offer *x = a, *y = b;
    if (x->label != y->label)
        return x->label < y->label ? -1 : 1;
    if (x->region != y->region)
        return x->region < y->region ? -1 : 1;
    return by_monthly(a, b);
}

/* Sizes per label, from every observation that has them. */
static struct spec *specs_by_label(const struct ob_prices *t)
{
    size_t ns = ob_prices_nstrings(t);
    struct spec *s = malloc(ns * sizeof *s);
    if (!s)
        return NULL;
    for (size_t i = 0; i < ns; i++)
        s[i] = (struct spec){-1, -1, -1};
    for (size_t i = 0; i < ob_prices_count(t); i++) {
        const struct ob_price_obs *o = ob_prices_get(t, i);
        if (o->vcpu >= 0 && o->label && s[o->label].vcpu < 0)
            s[o->label] = (struct spec){o->vcpu, o->mem_gib, o->gpu};
    }
    return s;
}

static struct spec spec_of(const struct ob_price_obs *o, const struct spec *by_label)
{
    if (o->vcpu >= 0)
        return (struct spec){o->vcpu, o->mem_gib, o->gpu};
    return by_label[o->label];
}

static int fits(const struct ob_prices *t, const struct ob_price_obs *o, struct spec s,
                const struct ob_fit_query *q)
{
    if (!(o->price > 0) || (o->spot != 0) != (q->spot != 0) ||
        !ob_prices_unit_hourly(ob_prices_str(t, o->unit)))
        return 0;
    if (s.vcpu < 0 || s.vcpu < q->vcpu || s.mem < q->mem_gib)
        return 0;
    if (q->gpu > 0 && s.gpu < q->gpu)
        return 0;
    return !q->region || region_matches(ob_prices_str(t, o->region), q->region);
}

int ob_prices_fit(const struct ob_prices *t, const struct ob_fit_query *q,
                  struct ob_fit_offer **out, size_t *n)
{
    size_t total = ob_prices_count(t), nc = 0, no = 0;
    const struct ob_price_obs **c = malloc((total ? total : 1) * sizeof *c);
    struct ob_fit_offer *offers = NULL;
    struct spec *by_label = specs_by_label(t);
    *out = NULL;
    *n = 0;
    if (!c || !by_label)
        goto fail;
    double end = -INFINITY;
    for (size_t i = 0; i < total; i++) {
        const struct ob_price_obs *o = ob_prices_get(t, i);
        if (fits(t, o, spec_of(o, by_label), q)) {
            c[nc++] = o;
            if (o->ts > end)
                end = o->ts;
        }
    }
    qsort(c, nc, sizeof *c, ob__prices_by_series_then_time);
    offers = malloc((nc ? nc : 1) * sizeof *offers);
    if (!offers)
        goto fail;
    for (size_t i = 0; i < nc;) {
        size_t j = i + 1;
        while (j < nc && c[j]->sku == c[i]->sku && c[j]->region == c[i]->region)
            j++;
        const struct ob_price_obs *last = c[j - 1];
        struct spec s = spec_of(last, by_label);
        struct ob_fit_offer *f = &offers[no++];
        *f = (struct ob_fit_offer){.sku = last->sku, .region = last->region,
                                   .family = last->family, .label = last->label,
                                   .variant = last->variant, .unit = last->unit, .vcpu = s.vcpu,
                                   .mem_gib = s.mem, .gpu = s.gpu < 0 ? 0 : s.gpu,
                                   .n_obs = j - i, .spot = last->spot};
        if (estimate(c + i, j - i, end, f) < 0)
            goto fail;
        i = j;
    }
    /* One row per label and region: its cheapest variant. */
    qsort(offers, no, sizeof *offers, by_label_region_cost);
    size_t k = 0;
    for (size_t i = 0; i < no; i++)
        if (!k || offers[i].label != offers[k - 1].label ||
            offers[i].region != offers[k - 1].region || !offers[i].label)
            offers[k++] = offers[i];
    qsort(offers, k, sizeof *offers, by_monthly);
    if (q->limit && k > q->limit)
        k = q->limit;
    free(c);
    free(by_label);
    *out = offers;
    *n = k;
    return 0;
fail:
    free(c);
    free(by_label);
    free(offers);
    return -1;
}
