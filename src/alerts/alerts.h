/* alerts.h - Alertmanager webhooks in, incidents out (public interface).
 *
 * An incident starts from an Alertmanager group (its groupKey) and takes in
 * what belongs with it: the group's alerts, and opsbox's own signals (metric
 * anomalies, new log templates) that share its identifying labels within a
 * time window. Every change comes out as an event, which the caller stores
 * (timeline) and turns into tracker actions (outbox). No I/O: the daemon
 * decodes a request body, applies it, and persists the events itself. */
#ifndef OB_ALERTS_H
#define OB_ALERTS_H

#include <stddef.h>
#include <stdint.h>

struct ob_kv {
    char *name, *value;
};

/* ---- the webhook (Alertmanager's payload, version 4) ---- */

struct ob_alert {
    int firing;                    /* status "firing" (1) or "resolved" (0) */
    struct ob_kv *labels;          /* sorted by name */
    size_t nlabels;
    struct ob_kv *annotations;
    size_t nannotations;
    double starts_at, ends_at;     /* unix seconds; 0 when unset */
    char *fingerprint;             /* Alertmanager's, or a hash of the labels */
    char *generator_url;
};

struct ob_webhook {
    char *receiver, *group_key, *external_url;
    int firing;                    /* the group's status */
    long truncated;                /* alerts Alertmanager left out */
    struct ob_kv *group_labels, *common_labels, *common_annotations;
    size_t ngroup_labels, ncommon_labels, ncommon_annotations;
    struct ob_alert *alerts;
    size_t nalerts;
};

/* Decodes body[0..len). 0 on success; -1 with "where: what is wrong" in err
 * (e.g. "alerts[2].labels.severity: expected a string"), and *w empty. */
int ob_webhook_decode(const void *body, size_t len, struct ob_webhook *w, char *err,
                      size_t errlen);
void ob_webhook_free(struct ob_webhook *w);

/* The value of label name in a sorted set, or NULL. */
const char *ob_kv_get(const struct ob_kv *kv, size_t n, const char *name);
/* A label set as a JSON object (malloc'd), and back (sorted). */
char *ob_kv_to_json(const struct ob_kv *kv, size_t n);
int ob_kv_from_json(const char *json, struct ob_kv **kv, size_t *n);
void ob_kv_free(struct ob_kv *kv, size_t n);

/* ---- incidents ---- */

enum ob_member_kind { OB_MEMBER_ALERT, OB_MEMBER_ANOMALY, OB_MEMBER_LOG };

struct ob_member {
    int kind;                      /* enum ob_member_kind */
    char *key;                     /* fingerprint, series, or template */
    char *labels;                  /* JSON object */
    char *summary;                 /* annotation summary, template text, ... */
    int firing, severity;
    double since, updated, value;  /* value: an anomaly's score */
};

enum ob_incident_state { OB_INCIDENT_FIRING, OB_INCIDENT_RESOLVED };

struct ob_incident {
    int64_t id;
    char uid[17];                  /* random hex, the marker in the tracker */
    char *group_key;
    struct ob_kv *labels;          /* the group's labels (title, display) */
    struct ob_kv *identifying;     /* those signals must share to join */
    size_t nlabels, nidentifying;
    char *repo;                    /* from the "repo" label, or NULL */
    char *external_url;
    int state, severity;           /* enum ob_incident_state; ob_severity_rank */
    double started, updated, resolved;
    struct ob_member *members;
    size_t nmembers, cap;
    size_t firing;                 /* alert members firing now */
    int64_t issue_number;          /* in the tracker, once opened (the store's) */
    char *issue_url;
};

enum ob_event_kind {
    OB_EV_OPENED,      /* a new incident; its first members follow as JOINED */
    OB_EV_JOINED,      /* a member joined (member set) */
    OB_EV_MEMBER_RESOLVED,
    OB_EV_MEMBER_FIRING, /* a resolved member fires again */
    OB_EV_SEVERITY,    /* severity rose (old in detail) */
    OB_EV_RESOLVED,    /* every alert member resolved */
    OB_EV_REOPENED,    /* fired again within the hold-off */
};

struct ob_event {
    int kind;
    struct ob_incident *incident;  /* valid until the next call on the set */
    size_t member;                 /* index in incident->members, or SIZE_MAX */
    double at;
    int detail;                    /* OB_EV_SEVERITY: the previous severity */
};

struct ob_events {
    struct ob_event *ev;
    size_t n, cap;
};

struct ob_incident_params {
    const char *const *identifying; /* label names (must outlive the set); default
                                       instance, job, namespace */
    size_t nidentifying;
    double window_s;   /* signals join incidents within this; default 300 */
    double hold_off_s; /* firing again within this after resolving reopens; default 600 */
    size_t max_signals; /* signal members kept per incident; default 100 */
};

struct ob_incidents;

struct ob_incidents *ob_incidents_new(const struct ob_incident_params *p);
void ob_incidents_free(struct ob_incidents *s);

/* Applies one webhook at time now; appends what changed to ev. 0, or -1 on
 * allocation failure (the set may be partly updated: reload it). uid_seed
 * gives new incidents their marker (the caller's randomness). */
int ob_incidents_webhook(struct ob_incidents *s, const struct ob_webhook *w, double now,
                         uint64_t uid_seed, struct ob_events *ev);

/* A signal from opsbox itself (kind OB_MEMBER_ANOMALY or OB_MEMBER_LOG)
 * with labels as a sorted set: joins every incident it matches; kept for
 * window_s to join incidents that open later. */
int ob_incidents_signal(struct ob_incidents *s, int kind, const char *key,
                        const struct ob_kv *labels, size_t nlabels, const char *summary,
                        double value, double now, struct ob_events *ev);

/* Forgets incidents resolved longer than the hold-off and window ago (they
 * stay in the store) and signals older than the window. */
void ob_incidents_expire(struct ob_incidents *s, double now);

/* Restoring from the store: adds a malloc'd incident as it was saved
 * (members included) and keeps the id counter past it. The set owns inc
 * from then on, also when this fails (-1, out of memory). */
int ob_incidents_restore(struct ob_incidents *s, struct ob_incident *inc);
/* Another writer (a replica on the same store) changed inc: it takes the
 * place of the one with its id, or is added. Owns inc, as restore does. */
int ob_incidents_replace(struct ob_incidents *s, struct ob_incident *inc);
/* New incidents get ids above id (the highest the store ever held). */
void ob_incidents_reserve_id(struct ob_incidents *s, int64_t id);
size_t ob_incidents_count(const struct ob_incidents *s);
/* Of those, how many are firing: kept as they change, not counted. */
size_t ob_incidents_firing(const struct ob_incidents *s);
struct ob_incident *ob_incidents_at(struct ob_incidents *s, size_t i);
void ob_incident_free(struct ob_incident *inc);

void ob_events_clear(struct ob_events *ev);
void ob_events_free(struct ob_events *ev);

/* "critical"/"page" 4, "error" 3, "warning" 2, "info" 1, anything else 0. */
int ob_severity_rank(const char *label);
const char *ob_severity_name(int rank);

/* ---- text for the tracker ---- */

/* The issue's title and body from templates (NULL: the defaults). In
 * both, "{{name}}" is that label of the incident's group, and these words
 * stand for: {{labels}} the group labels but alertname as k=v, {{id}},
 * {{members}} a table of members, {{summary}} the first summary annotation,
 * {{started}}, {{group}} the groupKey, {{alertmanager}} its URL,
 * {{severity}} (the label, else the incident's). The body always ends with
 * the marker. Markdown, malloc'd. */
char *ob_render_title(const struct ob_incident *inc, const char *tmpl);
char *ob_render_body(const struct ob_incident *inc, const char *tmpl);
/* The comment an event deserves (NULL when it deserves none). */
char *ob_render_comment(const struct ob_event *e);
/* "<!-- opsbox incident UID -->": how opsbox finds its own issue again. */
void ob_render_marker(const struct ob_incident *inc, char *buf, size_t cap);

/* The incident as JSON (new): its fields; with_members adds "member_list".
 * (struct json_t is jansson's json_t.) */
struct json_t;
struct json_t *ob_incident_json(const struct ob_incident *inc, int with_members);

#endif
