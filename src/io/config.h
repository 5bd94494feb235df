/* config.h - opsbox.yml: where to listen, where to keep state, and what to
 * scrape, in Prometheus's own scrape_configs syntax so users paste theirs. */
#ifndef OB_CONFIG_H
#define OB_CONFIG_H

#include <stddef.h>

#include "io/cfgmap.h" /* struct ob_label_pair, ob_parse_duration */

struct ob_target {
    char *address;                 /* host:port */
    struct ob_label_pair *labels;  /* from static_configs[].labels */
    size_t nlabels;
};

struct ob_scrape_config {
    char *job_name;
    double interval_s, timeout_s;
    char *metrics_path, *scheme;
    struct ob_target *targets;
    size_t ntargets;
    char **sd_files;               /* file_sd_configs: glob patterns */
    size_t nsd_files;
    double sd_refresh_s;           /* the shortest refresh_interval; default 5m */
};

/* alerts: the Alertmanager receiver and how incidents form. */
struct ob_alerts_config {
    char **identifying;        /* default instance, job, namespace */
    size_t nidentifying;
    double window_s;           /* signals join within this; default 5m */
    double hold_off_s;         /* a resolved incident reopens within this; default 10m */
    int close_on_resolve;      /* close the issue when resolved; default true */
    /* Receiver authentication, as Alertmanager's http_config sends it; the
     * *_file forms are read at start and on SIGHUP. */
    char *bearer_token, *bearer_token_file;
    char *username, *password, *password_file;
};

/* github: where incidents become issues. Absent: nothing is sent. */
struct ob_github_config {
    int enabled;
    char *api_url;             /* default https://api.github.com */
    char *repo;                /* owner/name; an alert's "repo" label overrides */
    char *token_file;          /* else $GITHUB_TOKEN */
    char **labels;             /* on each issue; default [opsbox] */
    size_t nlabels;
    char *title;               /* template; default "{{alertname}} ({{labels}})" */
    char *body;                /* template (Markdown); default: see alerts.h */
    double timeout_s;          /* per request; default 10s */
    double backoff_max_s;      /* retries wait at most this; default 10m */
};

/* logs: lines pushed to POST /loki/api/v1/push become templates. */
struct ob_logs_config {
    long warmup;               /* lines before a first-seen template is news; default 1000 */
    double rate_interval_s;    /* each template's rate is a point this often; default 15s */
    long max_stream_series;    /* (template, stream) counts kept; default 10000 */
    char **masks;              /* PCRE2 patterns whose matches become <*> */
    size_t nmasks;
};

/* disk: SMART readings on a schedule, scored by the disk model. */
struct ob_disk_config {
    char **devices;            /* run `smartctl --json --all DEV` for each */
    size_t ndevices;
    char *json_dir;            /* or read *.json there (one smartctl output per drive) */
    char *smartctl;            /* default smartctl (from PATH) */
    char *model;               /* a model file; default the built-in one */
    double interval_s;         /* default 1h */
};

/* prices: price files re-read on a schedule (src/prices): the cheapest
 * offers that fit and the spikes and level shifts of their histories. */
struct ob_prices_config {
    char **files;              /* files or folders, as `opsbox prices` takes them */
    size_t nfiles;
    double interval_s;         /* default 1h */
    long vcpu, gpu;            /* the fit asked for; defaults 0 (any) */
    double mem_gib;            /* from memory: 32G, 512M; default 0 */
    char *region;              /* default any */
    int spot;                  /* spot prices (default on-demand) */
    long limit;                /* offers reported; default 5 */
};

/* ci: test results of CI runs in a folder, analysed on a schedule. */
struct ob_ci_config {
    char *results_dir;         /* each entry a run, by name: a JUnit file, a folder
                                  of them, or a TestGrid grid */
    double interval_s;         /* default 1m */
    long new_failure_runs;     /* an incident once a new failure lasts this many
                                  runs; default 3 */
};

/* query_sources: a Prometheus-compatible query API (Prometheus,
 * VictoriaMetrics, Thanos) as a source: history on start, then new points. */
struct ob_query_source {
    char *url;                 /* API base, e.g. http://127.0.0.1:8428 */
    char **match;              /* series selectors */
    size_t nmatch;
    double step_s;             /* default 15s */
    double backfill_s;         /* default 1d; 0 = none */
    double page_s;             /* query_range window per request; default 6h */
};

/* remote_write: opsbox's outputs (yhat, band, score) sent to a Prometheus
 * or VictoriaMetrics, through an on-disk queue. */
struct ob_remote_write {
    char *url;
    double interval_s;         /* default 15s */
    char *queue_dir;           /* default: the store's path + ".rw-queue" */
    long max_queue_files;      /* the oldest batches go beyond this; default 1000 */
};

/* journal: the systemd journal as a log source. */
struct ob_journal_config {
    int enabled;
    char *directory;           /* journal files here; default the system's */
    char **matches;            /* FIELD=value, e.g. _SYSTEMD_UNIT=ssh.service */
    size_t nmatches;
};

/* metrics: the detector's threshold and band, for all series and for
 * series whose labels match (the first matching override wins). NaN: not
 * set here (the detector's default, or the section's own value). */
struct ob_metrics_override {
    struct ob_label_pair *match; /* each label equal ("__name__": the name) */
    size_t nmatch;
    double threshold, band;
};

struct ob_metrics_config {
    double threshold, band;
    struct ob_metrics_override *overrides;
    size_t noverrides;
};

/* The threshold and band the metrics section sets for the series name with
 * these labels: the section's own, then the first matching override's;
 * what is not set is left in *threshold / *band. */
void ob_config_metrics_params(const struct ob_metrics_config *m, const char *name,
                              const struct ob_label_pair *labels, size_t nlabels,
                              double *threshold, double *band);

struct ob_config {
    int holds;           /* the daemon's: parts still reading this config (src/serve/core.c) */
    char *listen;        /* default 127.0.0.1:9393 */
    char *store;         /* default ./opsbox.db; or a postgresql:// URL */
    char *store_password_file; /* the PostgreSQL password (else PGPASSWORD) */
    char *output_suffix; /* default "opsbox" */
    double snapshot_s;   /* models saved to the store this often; default 60 */
    double staleness_s;  /* series unseen this long are dropped; default 300 */
    long history_points; /* points per series kept for charts; default 64, 0 none */
    struct ob_scrape_config *scrapes;
    size_t nscrapes;
    struct ob_alerts_config alerts;
    struct ob_logs_config logs;
    struct ob_journal_config journal;
    struct ob_disk_config disk;
    struct ob_prices_config prices;
    struct ob_ci_config ci;
    struct ob_query_source *queries;
    size_t nqueries;
    struct ob_remote_write *writes;
    size_t nwrites;
    struct ob_github_config github;
    struct ob_metrics_config metrics;
};

/* Parses YAML text (name is used in errors). Returns a new config, or NULL
 * with "NAME:LINE: what" in err: unknown keys, wrong types, bad durations,
 * missing job_name or targets, duplicate job names. */
struct ob_config *ob_config_parse(const char *text, size_t len, const char *name, char *err,
                                  size_t errlen);
/* Adds the targets of every job's file_sd_configs: each file matching a
 * pattern (relative ones from base_dir) is a YAML or JSON list of
 * {targets: [...], labels: {...}}, as Prometheus reads it. 0, or -1 with
 * "FILE:LINE: what" in err (the config is then partly filled: discard it). */
int ob_config_load_file_sd(struct ob_config *c, const char *base_dir, char *err, size_t errlen);
/* A fingerprint of the file_sd files (names, sizes, times): when it
 * changes, the config is read again. 0 when there are none. */
unsigned long long ob_config_file_sd_stamp(const struct ob_config *c, const char *base_dir);
/* The shortest refresh_interval of any file_sd_configs, or 0. */
double ob_config_file_sd_refresh(const struct ob_config *c);

/* The configuration used when no file is given. */
struct ob_config *ob_config_default(void);
void ob_config_free(struct ob_config *c);

#endif
