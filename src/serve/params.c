/* params.c - the config's metrics: section applied to each series'
 * model (the rule itself is ob_config_metrics_params). The registry asks
 * for a new series, for a model restored from the store (the config wins
 * over the params saved in it) and for every series after SIGHUP. And what
 * a series shows now (ob__serve_shown), the one rule for /metrics, the
 * API and remote write out. */
#include "serve/serve_int.h"

#include <stdlib.h>

void ob__series_params(void *arg, const char *key, size_t key_len, size_t name_len,
                       struct ob_detector_params *p)
{
    (void)name_len;
    const struct ob_metrics_config *m = &((struct serve *)arg)->cfg->metrics;
    char small[1024], *buf = key_len < sizeof small ? small : malloc(key_len + 1);
    struct ob_label l[OB_KEY_MAX_LABELS];
    struct ob_label_pair pairs[OB_KEY_MAX_LABELS];
    const char *name;
    int n = buf ? ob_key_split(key, key_len, buf, key_len + 1, &name, l, OB_KEY_MAX_LABELS) : -1;
    for (int i = 0; i < n; i++) /* the strings are buf's */
        pairs[i] = (struct ob_label_pair){(char *)l[i].name, (char *)l[i].value};
    if (n >= 0)
        ob_config_metrics_params(m, name, pairs, (size_t)n, &p->threshold, &p->band);
    if (buf != small)
        free(buf);
}

void ob__serve_shown(const struct ob_series_view *v, double now, int *anomaly, double *score)
{
    int held = v->flagged_ts > 0 && now - v->flagged_ts <= ANOMALY_HOLD_S;
    *anomaly = held || v->last.anomaly;
    *score = held && v->flagged_score > v->last.anomaly_score ? v->flagged_score
                                                              : v->last.anomaly_score;
}
