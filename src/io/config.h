/* config.h - opsbox.yml: where to listen, where to keep state, and what to
 * scrape, in Prometheus's own scrape_configs syntax so users paste theirs. */
#ifndef OB_CONFIG_H
#define OB_CONFIG_H

#include <stddef.h>

struct ob_label_pair {
    char *name, *value;
};

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
};

struct ob_config {
    char *listen;        /* default 127.0.0.1:9393 */
    char *store;         /* default ./opsbox.db */
    char *output_suffix; /* default "opsbox" */
    double snapshot_s;   /* models saved to the store this often; default 60 */
    double staleness_s;  /* series unseen this long are dropped; default 300 */
    struct ob_scrape_config *scrapes;
    size_t nscrapes;
};

/* Parses YAML text (name is used in errors). Returns a new config, or NULL
 * with "NAME:LINE: what" in err: unknown keys, wrong types, bad durations,
 * missing job_name or targets, duplicate job names. */
struct ob_config *ob_config_parse(const char *text, size_t len, const char *name, char *err,
                                  size_t errlen);
/* The configuration used when no file is given. */
struct ob_config *ob_config_default(void);
void ob_config_free(struct ob_config *c);

/* Prometheus durations: "15s", "1m30s", "500ms", "2h", "1d". -1 if bad. */
double ob_parse_duration(const char *s);

#endif
