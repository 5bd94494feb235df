/* query_api.h - a client of the Prometheus HTTP query API (Prometheus,
 * VictoriaMetrics, Thanos), for the daemon's query_sources: one
 * query_range request at a time, its answer as a jansson array. */
#ifndef OB_IO_QUERY_API_H
#define OB_IO_QUERY_API_H

#include <jansson.h>
#include <stddef.h>

struct ob_query_client;

/* new, NULL when libcurl cannot start; one thread at a time uses it. */
struct ob_query_client *ob_query_client_new(void);
void ob_query_client_free(struct ob_query_client *c);

/* GET base/api/v1/query_range?query=selector&start=&end=&step=STEPs.
 * Returns data.result (new: an array of {metric, values}), or NULL with
 * why in err: libcurl's error, "HTTP error" for a status other than 200,
 * or "not a query_range answer". */
json_t *ob_query_range(struct ob_query_client *c, const char *base, const char *selector, double start,
                       double end, double step_s, char *err, size_t errlen);

#endif
