/* prices.c - prices in `opsbox serve`: a worker thread reads
 * prices.files every prices.interval (each file or folder a source, as
 * `opsbox prices` reads them, off the scrape loop: an EC2 offer file takes
 * seconds), and keeps the cheapest offers that fit prices.{vcpu, memory,
 * gpu, region, spot} and the latest spike or level shift per series:
 *   opsbox_prices_fit_monthly_cost{rank, label, region, sku, value_type=
 *       "expected"|"lower"|"upper"}, opsbox_prices_fit_hourly_price{...}
 *   opsbox_prices_finding_percent{sku, region, kind}, and its
 *       opsbox_prices_finding_timestamp_seconds{...}
 *   opsbox_prices_reads_total, opsbox_prices_read_errors_total,
 *   opsbox_prices_observations
 * and /api/v1/prices (the same as JSON, with the last read error). */
#include "serve/serve_int.h"

#include "core/log.h"
#include "io/prices_read.h"
#include "prices/prices.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FINDINGS_MAX 200 /* series with a finding reported, the latest ones */

struct fit_row {
    char label[96], region[64], sku[128];
    double hourly, monthly, lo, hi;
};

struct finding_row {
    char sku[128], region[64];
    const char *kind;
    double ts, pct;
};

struct prices {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int stop, started;
    /* the last good read, under mu */
    struct fit_row *fit;
    size_t nfit;
    struct finding_row *findings;
    size_t nfindings;
    size_t observations;
    double read_at;
    uint64_t reads, errors;
    char error[600];
};

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

/* One read and analysis; the results replace the last ones only when every
 * file was read. */
static void refresh(struct prices *p, const struct ob_prices_config *c)
{
    struct ob_prices *t = ob_prices_new();
    char err[600] = "out of memory";
    struct ob_fit_offer *offers = NULL;
    struct ob_price_finding *f = NULL;
    size_t noffers = 0, nf = 0;
    int ok = t != NULL;
    for (size_t i = 0; ok && i < c->nfiles; i++)
        ok = ob_prices_read_path(t, (unsigned)i, c->files[i], err, sizeof err) == 0;
    struct ob_fit_query q = {.vcpu = (double)c->vcpu, .mem_gib = c->mem_gib, .gpu = (double)c->gpu,
                             .region = c->region, .spot = c->spot, .limit = (size_t)c->limit};
    if (ok)
        ok = ob_prices_fit(t, &q, &offers, &noffers) == 0 &&
             ob_prices_history(t, &f, &nf, NULL) == 0;
    struct fit_row *rows = ok ? calloc(noffers + 1, sizeof *rows) : NULL;
    /* the latest finding of each series: findings are sorted by time, so
     * walk back and keep a series the first time it is met */
    struct finding_row *fr = ok ? calloc(FINDINGS_MAX + 1, sizeof *fr) : NULL;
    size_t nfr = 0;
    if (rows && fr) {
        for (size_t i = 0; i < noffers; i++) {
            copy(rows[i].label, sizeof rows[i].label, ob_prices_str(t, offers[i].label));
            copy(rows[i].region, sizeof rows[i].region, ob_prices_str(t, offers[i].region));
            copy(rows[i].sku, sizeof rows[i].sku, ob_prices_str(t, offers[i].sku));
            rows[i].hourly = offers[i].price;
            rows[i].monthly = offers[i].monthly;
            rows[i].lo = offers[i].monthly_lo;
            rows[i].hi = offers[i].monthly_hi;
        }
        for (size_t i = nf; i-- > 0 && nfr < FINDINGS_MAX;) {
            int seen = 0;
            for (size_t j = i + 1; j < nf && !seen; j++)
                seen = f[j].sku == f[i].sku && f[j].region == f[i].region;
            if (seen)
                continue;
            struct finding_row *r = &fr[nfr++];
            copy(r->sku, sizeof r->sku, ob_prices_str(t, f[i].sku));
            copy(r->region, sizeof r->region, ob_prices_str(t, f[i].region));
            r->kind = f[i].kind == OB_FINDING_SPIKE ? "spike" : "level-shift";
            r->ts = f[i].ts;
            r->pct = f[i].pct;
        }
    }
    int failed = !(rows && fr);
    pthread_mutex_lock(&p->mu);
    p->reads++;
    if (!failed) {
        free(p->fit);
        free(p->findings);
        p->fit = rows;
        p->nfit = noffers;
        p->findings = fr;
        p->nfindings = nfr;
        p->observations = ob_prices_count(t);
        p->read_at = (double)time(NULL);
        p->error[0] = '\0';
        rows = NULL;
        fr = NULL;
    } else {
        p->errors++;
        copy(p->error, sizeof p->error, err);
    }
    pthread_mutex_unlock(&p->mu);
    if (failed)
        ob_warn("prices: %s", err);
    free(rows);
    free(fr);
    free(offers);
    free(f);
    ob_prices_free(t);
}

static void *worker(void *arg)
{
    struct serve *s = arg;
    struct prices *p = s->prices;
    for (;;) {
        /* A pass reads the config of its moment, held so a reload on
         * the main thread frees it only after the pass. */
        struct ob_config *cfg = ob__cfg_hold(s);
        refresh(p, &cfg->prices);
        time_t interval = (time_t)cfg->prices.interval_s;
        ob__cfg_release(s, cfg);
        pthread_mutex_lock(&p->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += interval;
        while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0)
            ;
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL;
    }
}

int ob__prices_start(struct serve *s, char *err, size_t errlen)
{
    const struct ob_prices_config *c = &s->cfg->prices;
    if (!c->nfiles)
        return 0;
    struct prices *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "prices: out of memory");
        return -1;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    s->prices = p;
    if (pthread_create(&p->thread, NULL, worker, s) != 0) {
        snprintf(err, errlen, "prices: cannot start its thread");
        return -1;
    }
    p->started = 1;
    ob_info("prices: %zu files, every %.0f s", c->nfiles, c->interval_s);
    return 0;
}

void ob__prices_stop(struct serve *s)
{
    struct prices *p = s->prices;
    if (!p)
        return;
    if (p->started)
        ob__worker_stop(&p->mu, &p->cv, &p->stop, p->thread);
    free(p->fit);
    free(p->findings);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
    s->prices = NULL;
}

/* An offer's labels: rank (from 1), label, region, sku; rank's text in rk. */
static void fit_labels(struct ob_label *l, const struct fit_row *r, size_t rank, char rk[24])
{
    snprintf(rk, 24, "%zu", rank);
    l[0] = ob_label_of("rank", rk);
    l[1] = ob_label_of("label", r->label);
    l[2] = ob_label_of("region", r->region);
    l[3] = ob_label_of("sku", r->sku);
}

static void finding_labels(struct ob_label *l, const struct finding_row *r)
{
    l[0] = ob_label_of("sku", r->sku);
    l[1] = ob_label_of("region", r->region);
    l[2] = ob_label_of("kind", r->kind);
}

void ob__prices_metrics(struct serve *s, struct ob_expo *e)
{
    struct prices *p = s->prices;
    if (!p)
        return;
    static const char *const types[] = {"expected", "lower", "upper"};
    struct ob_label l[5];
    char rk[24];
    pthread_mutex_lock(&p->mu);
    ob_expo_family(e, "opsbox_prices_fit_monthly_cost", "gauge",
                   "Cost of 730 hours of an offer that fits: expected, and the 5th/95th percentile over its history.");
    for (size_t i = 0; i < p->nfit; i++) {
        const double v[] = {p->fit[i].monthly, p->fit[i].lo, p->fit[i].hi};
        fit_labels(l, &p->fit[i], i + 1, rk);
        for (int k = 0; k < 3; k++) {
            l[4] = ob_label_of("value_type", types[k]);
            ob_expo_sample(e, l, 5, v[k]);
        }
    }
    ob_expo_family(e, "opsbox_prices_fit_hourly_price", "gauge", "The latest hourly price of an offer that fits.");
    for (size_t i = 0; i < p->nfit; i++) {
        fit_labels(l, &p->fit[i], i + 1, rk);
        ob_expo_sample(e, l, 4, p->fit[i].hourly);
    }
    ob_expo_family(e, "opsbox_prices_finding_percent", "gauge",
                   "Size of the latest spike or level shift of a price series, in percent of the price before.");
    for (size_t i = 0; i < p->nfindings; i++) {
        finding_labels(l, &p->findings[i]);
        ob_expo_sample(e, l, 3, isnan(p->findings[i].pct) ? 0 : p->findings[i].pct);
    }
    ob_expo_family(e, "opsbox_prices_finding_timestamp_seconds", "gauge",
                   "When the latest finding of a price series started.");
    for (size_t i = 0; i < p->nfindings; i++) {
        finding_labels(l, &p->findings[i]);
        ob_expo_sample(e, l, 3, p->findings[i].ts);
    }
    ob_expo_single_u64(e, "opsbox_prices_reads_total", "counter", "Reads of the price files.", p->reads);
    ob_expo_single_u64(e, "opsbox_prices_read_errors_total", "counter", "Reads of the price files that failed.",
                       p->errors);
    ob_expo_single_u64(e, "opsbox_prices_observations", "gauge", "Price observations read.", p->observations);
    pthread_mutex_unlock(&p->mu);
}

json_t *ob__prices_json(struct serve *s, const struct ob_http_request *req)
{
    (void)req;
    struct prices *p = s->prices;
    json_t *o = json_object(), *fit = json_array(), *fs = json_array();
    if (!o || !fit || !fs) {
        json_decref(o);
        json_decref(fit);
        json_decref(fs);
        return NULL;
    }
    json_object_set_new(o, "fit", fit);
    json_object_set_new(o, "findings", fs);
    if (!p)
        return o;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->nfit; i++) {
        const struct fit_row *r = &p->fit[i];
        json_array_append_new(fit, json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:f}", "label", r->label,
                                             "region", r->region, "sku", r->sku, "hourly", r->hourly,
                                             "monthly", r->monthly, "monthly_lo", r->lo,
                                             "monthly_hi", r->hi));
    }
    for (size_t i = 0; i < p->nfindings; i++) {
        const struct finding_row *r = &p->findings[i];
        json_array_append_new(fs, json_pack("{s:s, s:s, s:s, s:f, s:f}", "sku", r->sku, "region",
                                            r->region, "kind", r->kind, "ts", r->ts, "percent",
                                            isnan(r->pct) ? 0.0 : r->pct));
    }
    json_object_set_new(o, "read_at", json_real(p->read_at));
    json_object_set_new(o, "observations", json_integer((json_int_t)p->observations));
    if (p->error[0])
        json_object_set_new(o, "error", json_string(p->error));
    pthread_mutex_unlock(&p->mu);
    return o;
}

/* The part, as the core sees it (parts[] in core.c). */
const struct ob_serve_part ob__part_prices = {
    .name = "prices",
    .start = ob__prices_start,
    .stop = ob__prices_stop,
    .metrics = ob__prices_metrics,
    .api_path = "/api/v1/prices",
    .api = ob__prices_json,
};
