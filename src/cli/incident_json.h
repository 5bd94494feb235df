/* incident_json.h - (private to src/cli) incidents as JSON. */
#ifndef OB_CLI_INCIDENT_JSON_H
#define OB_CLI_INCIDENT_JSON_H

#include "alerts/alerts.h"
#include "io/store.h"

#include <jansson.h>

/* The incident's fields; with_members adds "member_list". */
json_t *ob__incident_json(const struct ob_incident *inc, int with_members);
/* The incident's timeline from the store, oldest first. */
json_t *ob__timeline_json(struct ob_store *store, int64_t incident);

#endif
