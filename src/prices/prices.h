/* prices.h - cloud price analysis (public interface; no I/O).
 *
 * One table holds every price observation the edge (src/io/prices_read.h)
 * read, from any number of files: each observation says what was priced
 * (SKU, region, family, a label such as the instance type), at what price per
 * unit, when, and from which file ("source"). Strings are interned, so an
 * observation is a few ids and numbers, whatever the provider's format.
 * On the table:
 *   changes   two sources (snapshots) compared: added, removed, repriced
 *   history   a series per SKU and region, scored by the metric detector:
 *             spikes and level shifts with time and size
 *   fit       the cheapest offers with at least the vCPUs, memory and GPUs
 *             asked for, with the expected monthly cost and its spread
 *   forecast  a daily bill to the end of its month and quarter, 90 % band */
#ifndef OB_PRICES_H
#define OB_PRICES_H

#include <stddef.h>
#include <stdint.h>

#define OB_PRICES_NONE 0xffffffffu /* "no such string" */

/* One price as published: per unit, at time ts. Ids name interned strings
 * (id 0 is always the empty string). vcpu, mem_gib and gpu are < 0 when the
 * source does not say. */
struct ob_price_obs {
    double ts;      /* unix seconds: when observed or effective */
    double price;   /* per unit, in the source's currency */
    float vcpu, mem_gib, gpu;
    uint32_t sku;     /* the provider's identity of what is priced */
    uint32_t region;  /* region or availability zone */
    uint32_t family;  /* product family or service */
    uint32_t label;   /* instance type, usage type, meter name */
    uint32_t variant; /* operating system, tenancy, licence, ... */
    uint32_t unit;    /* "Hrs", "1 Hour", "GB-Mo", ... */
    uint16_t source;  /* which file */
    uint8_t spot;     /* a spot / preemptible price */
};

struct ob_prices;

/* new: an empty table, or NULL when memory runs out. */
struct ob_prices *ob_prices_new(void);
void ob_prices_free(struct ob_prices *t);

/* The id of s[0..len), interned on first sight; OB_PRICES_NONE when memory
 * runs out. */
uint32_t ob_prices_intern(struct ob_prices *t, const char *s, size_t len);
/* The id of s if already interned, else OB_PRICES_NONE. */
uint32_t ob_prices_lookup(const struct ob_prices *t, const char *s, size_t len);
/* borrowed, NUL-terminated; "" for an unknown id. */
const char *ob_prices_str(const struct ob_prices *t, uint32_t id);
size_t ob_prices_nstrings(const struct ob_prices *t);

/* Appends a copy of o; 0, or -1 when memory runs out. */
int ob_prices_add(struct ob_prices *t, const struct ob_price_obs *o);
size_t ob_prices_count(const struct ob_prices *t);
/* borrowed; valid until the next add. */
struct ob_price_obs *ob_prices_at(struct ob_prices *t, size_t i);
const struct ob_price_obs *ob_prices_get(const struct ob_prices *t, size_t i);

/* True when a unit is per hour ("Hrs", "1 Hour", "hour", ...). */
int ob_prices_unit_hourly(const char *unit);

/* ---- changes between two snapshots ---- */

enum ob_change_kind { OB_CHANGE_ADDED, OB_CHANGE_REMOVED, OB_CHANGE_REPRICED };

struct ob_price_change {
    uint32_t sku, region, family, label, unit;
    int kind;              /* enum ob_change_kind */
    double old_price;      /* NAN when added */
    double new_price;      /* NAN when removed */
    double pct;            /* (new - old) / old * 100; NAN unless repriced from > 0 */
};

/* Compares the latest price of each (SKU, region) in source old_src with that
 * in new_src. *out (new, free()) is sorted by family, region, kind, SKU.
 * Returns 0, or -1 when memory runs out. */
int ob_prices_changes(const struct ob_prices *t, unsigned old_src, unsigned new_src,
                      struct ob_price_change **out, size_t *n);

/* ---- history: spikes and level shifts ---- */

enum ob_finding_kind { OB_FINDING_SPIKE, OB_FINDING_SHIFT };

struct ob_price_finding {
    uint32_t sku, region, family, label, unit;
    int kind;        /* enum ob_finding_kind */
    double ts;       /* when it started (start of the grid step) */
    double end_ts;   /* spike: when the price was back; shift: = ts */
    double before;   /* the level before */
    double after;    /* shift: the level after; spike: the extreme reached */
    double pct;      /* (after - before) / before * 100, NAN when before is 0 */
    double score;    /* the detector's anomaly_score */
};

struct ob_history_stats {
    size_t series;   /* (SKU, region) series seen */
    size_t changing; /* of which the price changed at least once */
    size_t scored;   /* of which long enough to score */
};

/* Every (SKU, region) series of t, resampled onto a regular grid, through
 * the metric detector. *out (new, free()) is sorted by time. 0, or -1 when
 * memory runs out. */
int ob_prices_history(const struct ob_prices *t, struct ob_price_finding **out, size_t *n,
                      struct ob_history_stats *stats);

/* ---- fit: cheapest offers that fit ---- */

struct ob_fit_query {
    double vcpu, mem_gib, gpu; /* at least; 0: any */
    const char *region;        /* NULL: any; else the region or its zones */
    int spot;                  /* 1: spot prices only; 0: on-demand only */
    size_t limit;              /* rows wanted */
};

struct ob_fit_offer {
    uint32_t sku, region, family, label, variant, unit;
    double vcpu, mem_gib, gpu;
    double price;        /* the latest price per hour */
    double monthly;      /* expected cost of 730 hours, from the history */
    double monthly_lo;   /* 5th and 95th percentile over the months (or days) seen */
    double monthly_hi;
    double span_days;    /* history behind the estimate */
    size_t n_obs;
    int spot;
};

/* The cheapest offers per hour that fit q, one per label and region (the
 * cheapest variant), ordered by expected monthly cost. Spot prices without
 * sizes take them from any offer of the same label. 0, or -1 (memory). */
int ob_prices_fit(const struct ob_prices *t, const struct ob_fit_query *q,
                  struct ob_fit_offer **out, size_t *n);

/* ---- forecast of a daily bill ---- */

struct ob_bill_forecast {
    double month_to_date, month, month_lo, month_hi;
    double quarter_to_date, quarter, quarter_lo, quarter_hi;
    int days_left_month, days_left_quarter;
    int backtests; /* rolling origins the band was measured on (0: normal approx.) */
};

/* daily[i] is the cost of day first_day + i (days since 1970-01-01), n >= 1;
 * the last day is the last one known. Fills *f; 0, or -1 on bad arguments
 * or memory. The method is in docs/prices.md. */
int ob_prices_forecast(const double *daily, size_t n, long long first_day,
                       struct ob_bill_forecast *f);

#endif
