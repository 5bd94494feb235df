/* incident_json.c - an incident as JSON, the one shape that
 * `opsbox incidents --json` and the daemon's /api/v1/incidents share. */
#include "alerts/alerts.h"

#include <jansson.h>
#include <stdlib.h>

json_t *ob_incident_json(const struct ob_incident *inc, int with_members)
{
    char *labels = ob_kv_to_json(inc->labels, inc->nlabels);
    json_t *o = json_pack("{sI ss ss ss ss sf sf sI si}", "id", (json_int_t)inc->id, "group_key",
                          inc->group_key, "state",
                          inc->state == OB_INCIDENT_FIRING ? "firing" : "resolved", "severity",
                          ob_severity_name(inc->severity), "uid", inc->uid, "started", inc->started,
                          "resolved", inc->resolved, "issue_number", (json_int_t)inc->issue_number,
                          "members", (int)inc->nmembers);
    json_object_set_new(o, "labels", json_loads(labels ? labels : "{}", 0, NULL));
    json_object_set_new(o, "issue_url", inc->issue_url ? json_string(inc->issue_url) : json_null());
    free(labels);
    if (with_members) {
        static const char *const kinds[] = {"alert", "anomaly", "log"};
        json_t *a = json_array();
        for (size_t i = 0; i < inc->nmembers; i++) {
            const struct ob_member *m = &inc->members[i];
            json_t *mo = json_pack("{ss ss ss sb ss sf sf sf}", "kind", kinds[m->kind % 3], "key", m->key,
                                   "summary", m->summary, "firing", m->firing, "severity",
                                   ob_severity_name(m->severity), "since", m->since, "updated",
                                   m->updated, "value", m->value);
            json_object_set_new(mo, "labels", json_loads(m->labels, 0, NULL));
            json_array_append_new(a, mo);
        }
        json_object_set_new(o, "member_list", a);
    }
    return o;
}
