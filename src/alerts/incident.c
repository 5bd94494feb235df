/* incident.c - the correlation of alerts and signals into incidents.
 *
 * One incident per Alertmanager group at a time, found by groupKey. It
 * resolves when every alert in it has resolved; if the group fires again
 * within the hold-off the same incident reopens, so a flapping alert makes
 * one issue, not one per flap. After the hold-off a new incident starts.
 *
 * Signals (opsbox's own anomalies and new log templates) never open an
 * incident: they join those whose identifying labels they share. A signal
 * is also kept for the window, because the anomaly often comes minutes
 * before the alert that Prometheus's rule fires after its `for:`.
 *
 * The set in memory holds the incidents that can still change (firing, or
 * resolved within the hold-off or window); the store holds all of them. */
#include "alerts/alerts.h"

#include "core/buf.h"
#include "core/strmap.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct signal {
    int kind;
    char *key, *summary;
    struct ob_kv *labels;
    size_t nlabels;
    double value, at;
};

struct ob_incidents {
    struct ob_incident_params p;
    struct ob_incident **inc;
    size_t n, cap;
    struct ob_strmap *by_group;  /* groupKey -> index of its latest incident */
    struct ob_strmap *members;   /* incident id (8 bytes) + member key -> index */
    struct signal *sig;
    size_t nsig, capsig;
    int64_t next_id;
    size_t nfiring; /* incidents in state FIRING, kept as states change */
};

static const char *const default_identifying[] = {"instance", "job", "namespace"};

struct ob_incidents *ob_incidents_new(const struct ob_incident_params *p)
{
    struct ob_incidents *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (p)
        s->p = *p;
    if (!s->p.identifying) {
        s->p.identifying = default_identifying;
        s->p.nidentifying = 3;
    }
    if (s->p.window_s <= 0)
        s->p.window_s = 300;
    if (s->p.hold_off_s <= 0)
        s->p.hold_off_s = 600;
    if (s->p.max_signals == 0)
        s->p.max_signals = 100;
    s->next_id = 1;
    s->by_group = ob_strmap_new();
    s->members = ob_strmap_new();
    if (!s->by_group || !s->members) {
        ob_incidents_free(s);
        return NULL;
    }
    return s;
}

static void free_signal(struct signal *g)
{
    free(g->key);
    free(g->summary);
    ob_kv_free(g->labels, g->nlabels);
}

void ob_incident_free(struct ob_incident *inc)
{
    if (!inc)
        return;
    for (size_t i = 0; i < inc->nmembers; i++) {
        free(inc->members[i].key);
        free(inc->members[i].labels);
        free(inc->members[i].summary);
    }
    free(inc->members);
    free(inc->group_key);
    ob_kv_free(inc->labels, inc->nlabels);
    ob_kv_free(inc->identifying, inc->nidentifying);
    free(inc->repo);
    free(inc->external_url);
    free(inc->issue_url);
    free(inc);
}

void ob_incidents_free(struct ob_incidents *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        ob_incident_free(s->inc[i]);
    for (size_t i = 0; i < s->nsig; i++)
        free_signal(&s->sig[i]);
    free(s->inc);
    free(s->sig);
    ob_strmap_free(s->by_group);
    ob_strmap_free(s->members);
    free(s);
}

int ob_severity_rank(const char *label)
{
    static const char *const names[] = {"info", "warning", "error", "critical", "page"};
    for (int i = 0; label && i < 5; i++)
        if (!strcmp(label, names[i]))
            return i < 4 ? i + 1 : 4;
    return 0;
}

const char *ob_severity_name(int rank)
{
    static const char *const names[] = {"none", "info", "warning", "error", "critical"};
    return names[rank >= 0 && rank <= 4 ? rank : 0];
}

/* ---- members ---- */

/* The member map's key: the incident id, then the member key. */
static size_t member_key(char *buf, size_t cap, int64_t id, const char *key)
{
    size_t n = strlen(key);
    if (n > cap - sizeof id)
        n = cap - sizeof id;
    memcpy(buf, &id, sizeof id);
    memcpy(buf + sizeof id, key, n);
    return sizeof id + n;
}

static struct ob_member *find_member(struct ob_incidents *s, struct ob_incident *inc, const char *key)
{
    char k[1024];
    uint32_t i;
    if (!ob_strmap_get(s->members, k, member_key(k, sizeof k, inc->id, key), &i) || i >= inc->nmembers)
        return NULL;
    return &inc->members[i];
}

static struct ob_member *add_member(struct ob_incidents *s, struct ob_incident *inc, int kind,
                                    const char *key, const struct ob_kv *labels, size_t nlabels,
                                    const char *summary)
{
    if (ob_grow((void **)&inc->members, &inc->cap, inc->nmembers + 1, sizeof *inc->members) < 0)
        return NULL;
    struct ob_member *m = &inc->members[inc->nmembers];
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->key = strdup(key);
    m->labels = ob_kv_to_json(labels, nlabels);
    m->summary = strdup(summary ? summary : "");
    char k[1024];
    if (!m->key || !m->labels || !m->summary ||
        ob_strmap_put(s->members, k, member_key(k, sizeof k, inc->id, key), (uint32_t)inc->nmembers) < 0) {
        free(m->key);
        free(m->labels);
        free(m->summary);
        return NULL;
    }
    inc->nmembers++;
    return m;
}

static int emit(struct ob_events *ev, int kind, struct ob_incident *inc, size_t member, double at,
                int detail)
{
    if (ob_grow((void **)&ev->ev, &ev->cap, ev->n + 1, sizeof *ev->ev) < 0)
        return -1;
    ev->ev[ev->n++] = (struct ob_event){kind, inc, member, at, detail};
    return 0;
}

/* ---- matching signals to incidents ---- */

/* A signal belongs with an incident when it shares at least one of the
 * incident's identifying labels and contradicts none of them. */
static bool matches(const struct ob_incident *inc, const struct ob_kv *labels, size_t nlabels)
{
    int shared = 0;
    for (size_t i = 0; i < inc->nidentifying; i++) {
        const char *v = ob_kv_get(labels, nlabels, inc->identifying[i].name);
        if (v && strcmp(v, inc->identifying[i].value))
            return false;
        shared += v != NULL;
    }
    return shared > 0;
}

static bool signals_welcome(const struct ob_incidents *s, const struct ob_incident *inc, double now)
{
    return inc->state == OB_INCIDENT_FIRING || now - inc->resolved <= s->p.window_s;
}

static size_t signal_members(const struct ob_incident *inc)
{
    size_t n = 0;
    for (size_t i = 0; i < inc->nmembers; i++)
        n += inc->members[i].kind != OB_MEMBER_ALERT;
    return n;
}

static int join_signal(struct ob_incidents *s, struct ob_incident *inc, const struct signal *g,
                       struct ob_events *ev)
{
    struct ob_member *m = find_member(s, inc, g->key);
    if (m) { /* the same series again: newer value, no news */
        m->updated = g->at;
        if (g->value > m->value)
            m->value = g->value;
        return 0;
    }
    if (signal_members(inc) >= s->p.max_signals)
        return 0;
    if (!(m = add_member(s, inc, g->kind, g->key, g->labels, g->nlabels, g->summary)))
        return -1;
    m->since = m->updated = g->at;
    m->value = g->value;
    inc->updated = g->at > inc->updated ? g->at : inc->updated;
    return emit(ev, OB_EV_JOINED, inc, inc->nmembers - 1, g->at, 0);
}

/* ---- incidents ---- */

static int copy_kv(const struct ob_kv *from, size_t n, struct ob_kv **to, size_t *nto)
{
    *to = calloc(n + 1, sizeof **to);
    *nto = 0;
    if (!*to)
        return -1;
    for (size_t i = 0; i < n; i++) {
        (*to)[i].name = strdup(from[i].name);
        (*to)[i].value = strdup(from[i].value);
        *nto = i + 1;
        if (!(*to)[i].name || !(*to)[i].value)
            return -1;
    }
    return 0;
}

/* Identifying labels: the configured names, from the group's labels or,
 * failing those, the labels every alert of the group has in common. */
static int pick_identifying(const struct ob_incidents *s, const struct ob_webhook *w,
                            struct ob_incident *inc)
{
    inc->identifying = calloc(s->p.nidentifying + 1, sizeof *inc->identifying);
    if (!inc->identifying)
        return -1;
    for (size_t i = 0; i < s->p.nidentifying; i++) {
        const char *name = s->p.identifying[i];
        const char *v = ob_kv_get(w->group_labels, w->ngroup_labels, name);
        if (!v)
            v = ob_kv_get(w->common_labels, w->ncommon_labels, name);
        if (!v)
            continue;
        struct ob_kv *e = &inc->identifying[inc->nidentifying++];
        if (!(e->name = strdup(name)) || !(e->value = strdup(v)))
            return -1;
    }
    return 0;
}

static int add_incident(struct ob_incidents *s, struct ob_incident *inc)
{
    if (ob_grow((void **)&s->inc, &s->cap, s->n + 1, sizeof *s->inc) < 0 ||
        ob_strmap_put(s->by_group, inc->group_key, strlen(inc->group_key), (uint32_t)s->n) < 0)
        return -1;
    s->inc[s->n++] = inc;
    s->nfiring += inc->state == OB_INCIDENT_FIRING;
    if (inc->id >= s->next_id)
        s->next_id = inc->id + 1;
    return 0;
}

static struct ob_incident *open_incident(struct ob_incidents *s, const struct ob_webhook *w,
                                         double now, uint64_t uid_seed)
{
    struct ob_incident *inc = calloc(1, sizeof *inc);
    if (!inc)
        return NULL;
    inc->id = s->next_id;
    snprintf(inc->uid, sizeof inc->uid, "%016llx", (unsigned long long)uid_seed);
    inc->group_key = strdup(w->group_key);
    const struct ob_kv *shown = w->ngroup_labels ? w->group_labels : w->common_labels;
    size_t nshown = w->ngroup_labels ? w->ngroup_labels : w->ncommon_labels;
    const char *repo = ob_kv_get(w->common_labels, w->ncommon_labels, "repo");
    inc->repo = repo ? strdup(repo) : NULL;
    inc->external_url = w->external_url ? strdup(w->external_url) : NULL;
    inc->started = inc->updated = now;
    if (!inc->group_key || copy_kv(shown, nshown, &inc->labels, &inc->nlabels) < 0 ||
        pick_identifying(s, w, inc) < 0 || (repo && !inc->repo) ||
        (w->external_url && !inc->external_url) || add_incident(s, inc) < 0) {
        ob_incident_free(inc);
        return NULL;
    }
    return inc;
}

static int apply_alert(struct ob_incidents *s, struct ob_incident *inc, const struct ob_alert *a,
                       double now, struct ob_events *ev)
{
    struct ob_member *m = find_member(s, inc, a->fingerprint);
    int sev = ob_severity_rank(ob_kv_get(a->labels, a->nlabels, "severity"));
    if (!m) {
        if (!a->firing)
            return 0; /* resolved before opsbox saw it fire: nothing to tell */
        const char *summary = ob_kv_get(a->annotations, a->nannotations, "summary");
        if (!summary)
            summary = ob_kv_get(a->annotations, a->nannotations, "description");
        if (!summary)
            summary = ob_kv_get(a->labels, a->nlabels, "alertname");
        if (!(m = add_member(s, inc, OB_MEMBER_ALERT, a->fingerprint, a->labels, a->nlabels, summary)))
            return -1;
        m->firing = 1;
        m->severity = sev;
        m->since = a->starts_at > 0 ? a->starts_at : now;
        m->updated = now;
        inc->firing++;
        return emit(ev, OB_EV_JOINED, inc, (size_t)(m - inc->members), now, 0);
    }
    m->updated = now;
    m->severity = sev;
    if (m->firing == a->firing)
        return 0;
    m->firing = a->firing;
    if (a->firing)
        inc->firing++;
    else
        inc->firing--;
    return emit(ev, a->firing ? OB_EV_MEMBER_FIRING : OB_EV_MEMBER_RESOLVED, inc,
                (size_t)(m - inc->members), now, 0);
}

static int max_firing_severity(const struct ob_incident *inc)
{
    int sev = 0;
    for (size_t i = 0; i < inc->nmembers; i++)
        if (inc->members[i].kind == OB_MEMBER_ALERT && inc->members[i].firing &&
            inc->members[i].severity > sev)
            sev = inc->members[i].severity;
    return sev;
}

static int pull_recent_signals(struct ob_incidents *s, struct ob_incident *inc, double now,
                               struct ob_events *ev)
{
    for (size_t i = 0; i < s->nsig; i++)
        if (now - s->sig[i].at <= s->p.window_s && matches(inc, s->sig[i].labels, s->sig[i].nlabels) &&
            join_signal(s, inc, &s->sig[i], ev) < 0)
            return -1;
    return 0;
}

static bool any_firing(const struct ob_webhook *w)
{
    for (size_t i = 0; i < w->nalerts; i++)
        if (w->alerts[i].firing)
            return true;
    return false;
}

/* The group's current incident, reopened when it fires again within the
 * hold-off; NULL when a new one is due (or nothing fires). */
static struct ob_incident *current(struct ob_incidents *s, const struct ob_webhook *w, double now,
                                   struct ob_events *ev, int *rc)
{
    uint32_t i;
    *rc = 0;
    if (!ob_strmap_get(s->by_group, w->group_key, strlen(w->group_key), &i) || i >= s->n)
        return NULL;
    struct ob_incident *inc = s->inc[i];
    if (inc->state == OB_INCIDENT_FIRING || !any_firing(w))
        return inc;
    if (now - inc->resolved > s->p.hold_off_s)
        return NULL;
    inc->state = OB_INCIDENT_FIRING;
    s->nfiring++;
    inc->resolved = 0;
    *rc = emit(ev, OB_EV_REOPENED, inc, SIZE_MAX, now, 0);
    return inc;
}

int ob_incidents_webhook(struct ob_incidents *s, const struct ob_webhook *w, double now,
                         uint64_t uid_seed, struct ob_events *ev)
{
    int rc;
    bool opened = false;
    struct ob_incident *inc = current(s, w, now, ev, &rc);
    if (rc < 0)
        return -1;
    if (!inc) {
        if (!any_firing(w))
            return 0; /* resolved news of a group opsbox never saw firing */
        if (!(inc = open_incident(s, w, now, uid_seed)) || emit(ev, OB_EV_OPENED, inc, SIZE_MAX, now, 0) < 0)
            return -1;
        opened = true;
    }
    int before = inc->severity;
    for (size_t i = 0; i < w->nalerts; i++)
        if (apply_alert(s, inc, &w->alerts[i], now, ev) < 0)
            return -1;
    if (opened && pull_recent_signals(s, inc, now, ev) < 0)
        return -1;
    int sev = max_firing_severity(inc);
    if (sev > before) {
        inc->severity = sev;
        if (!opened && emit(ev, OB_EV_SEVERITY, inc, SIZE_MAX, now, before) < 0)
            return -1;
    }
    inc->updated = now;
    if (inc->state == OB_INCIDENT_FIRING && inc->firing == 0) {
        inc->state = OB_INCIDENT_RESOLVED;
        s->nfiring--;
        inc->resolved = now;
        return emit(ev, OB_EV_RESOLVED, inc, SIZE_MAX, now, 0);
    }
    return 0;
}

/* Keeps (or refreshes) a signal for incidents that open within the window. */
static int remember_signal(struct ob_incidents *s, int kind, const char *key, const struct ob_kv *labels,
                           size_t nlabels, const char *summary, double value, double now)
{
    for (size_t i = 0; i < s->nsig; i++)
        if (s->sig[i].kind == kind && !strcmp(s->sig[i].key, key)) {
            s->sig[i].at = now;
            s->sig[i].value = value;
            return 0;
        }
    if (ob_grow((void **)&s->sig, &s->capsig, s->nsig + 1, sizeof *s->sig) < 0)
        return -1;
    struct signal *g = &s->sig[s->nsig];
    memset(g, 0, sizeof *g);
    g->kind = kind;
    g->value = value;
    g->at = now;
    g->key = strdup(key);
    g->summary = strdup(summary ? summary : "");
    if (!g->key || !g->summary || copy_kv(labels, nlabels, &g->labels, &g->nlabels) < 0) {
        free_signal(g);
        return -1;
    }
    s->nsig++;
    return 0;
}

int ob_incidents_signal(struct ob_incidents *s, int kind, const char *key, const struct ob_kv *labels,
                        size_t nlabels, const char *summary, double value, double now,
                        struct ob_events *ev)
{
    if (remember_signal(s, kind, key, labels, nlabels, summary, value, now) < 0)
        return -1;
    struct signal g = {kind, (char *)key, (char *)(summary ? summary : ""), (struct ob_kv *)labels,
                       nlabels, value, now};
    for (size_t i = 0; i < s->n; i++) {
        struct ob_incident *inc = s->inc[i];
        if (signals_welcome(s, inc, now) && matches(inc, labels, nlabels) && join_signal(s, inc, &g, ev) < 0)
            return -1;
    }
    return 0;
}

static void forget_incident(struct ob_incidents *s, size_t i)
{
    struct ob_incident *inc = s->inc[i];
    s->nfiring -= inc->state == OB_INCIDENT_FIRING;
    char k[1024];
    for (size_t j = 0; j < inc->nmembers; j++)
        ob_strmap_del(s->members, k, member_key(k, sizeof k, inc->id, inc->members[j].key));
    uint32_t at;
    size_t glen = strlen(inc->group_key);
    if (ob_strmap_get(s->by_group, inc->group_key, glen, &at) && at == i)
        ob_strmap_del(s->by_group, inc->group_key, glen);
    s->inc[i] = s->inc[--s->n];
    if (i < s->n) { /* the last one moved into slot i */
        struct ob_incident *moved = s->inc[i];
        glen = strlen(moved->group_key);
        if (ob_strmap_get(s->by_group, moved->group_key, glen, &at) && at == s->n)
            ob_strmap_put(s->by_group, moved->group_key, glen, (uint32_t)i);
    }
    ob_incident_free(inc);
}

void ob_incidents_expire(struct ob_incidents *s, double now)
{
    double keep = s->p.hold_off_s > s->p.window_s ? s->p.hold_off_s : s->p.window_s;
    for (size_t i = s->n; i-- > 0;)
        if (s->inc[i]->state == OB_INCIDENT_RESOLVED && now - s->inc[i]->resolved > keep)
            forget_incident(s, i);
    size_t kept = 0;
    for (size_t i = 0; i < s->nsig; i++) {
        if (now - s->sig[i].at > s->p.window_s)
            free_signal(&s->sig[i]);
        else
            s->sig[kept++] = s->sig[i];
    }
    s->nsig = kept;
}

int ob_incidents_restore(struct ob_incidents *s, struct ob_incident *inc)
{
    inc->firing = 0;
    inc->cap = inc->nmembers;
    for (size_t i = 0; i < inc->nmembers; i++)
        inc->firing += inc->members[i].kind == OB_MEMBER_ALERT && inc->members[i].firing;
    /* A later incident of the same group wins the groupKey; restore in id order. */
    if (add_incident(s, inc) < 0) {
        ob_incident_free(inc);
        return -1;
    }
    char k[1024];
    for (size_t i = 0; i < inc->nmembers; i++)
        if (ob_strmap_put(s->members, k, member_key(k, sizeof k, inc->id, inc->members[i].key),
                          (uint32_t)i) < 0)
            return -1;
    return 0;
}

int ob_incidents_replace(struct ob_incidents *s, struct ob_incident *inc)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->inc[i]->id == inc->id) {
            forget_incident(s, i);
            break;
        }
    /* The groupKey stays with its latest incident, which may not be this. */
    uint32_t at;
    size_t glen = strlen(inc->group_key);
    int64_t latest = ob_strmap_get(s->by_group, inc->group_key, glen, &at) ? s->inc[at]->id : 0;
    if (ob_incidents_restore(s, inc) < 0)
        return -1;
    if (latest > inc->id)
        return ob_strmap_put(s->by_group, inc->group_key, glen, at) < 0 ? -1 : 0;
    return 0;
}

void ob_incidents_reserve_id(struct ob_incidents *s, int64_t id)
{
    if (id >= s->next_id)
        s->next_id = id + 1;
}

size_t ob_incidents_firing(const struct ob_incidents *s)
{
    return s->nfiring;
}

size_t ob_incidents_count(const struct ob_incidents *s)
{
    return s->n;
}

struct ob_incident *ob_incidents_at(struct ob_incidents *s, size_t i)
{
    return i < s->n ? s->inc[i] : NULL;
}

void ob_events_clear(struct ob_events *ev)
{
    ev->n = 0;
}

void ob_events_free(struct ob_events *ev)
{
    free(ev->ev);
    *ev = (struct ob_events){0};
}
