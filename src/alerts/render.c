/* render.c - the words opsbox writes into the tracker: an issue's title
 * and body, and the comment each event deserves. Markdown, because that is
 * what GitHub (and GitLab, Gitea) render. The body ends with a marker that
 * lets opsbox find an issue it opened before a crash. */
#include "alerts/alerts.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void put(struct ob_buf *b, const char *s)
{
    ob_buf_put(b, s, strlen(s));
}

static char *finish(struct ob_buf *b)
{
    ob_buf_put(b, "", 1);
    if (b->failed) {
        free(b->p);
        return NULL;
    }
    return (char *)b->p;
}

static void put_time(struct ob_buf *b, double t)
{
    char s[40];
    time_t tt = (time_t)t;
    struct tm tm;
    if (t > 0 && gmtime_r(&tt, &tm) && strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S UTC", &tm))
        put(b, s);
    else
        put(b, "(unknown time)");
}

/* Markdown would read a label value as markup; backticks keep it literal. */
static void put_code(struct ob_buf *b, const char *s)
{
    put(b, "`");
    for (; *s; s++)
        ob_buf_put(b, *s == '`' ? "'" : s, 1);
    put(b, "`");
}

static void put_group_labels(struct ob_buf *b, const struct ob_incident *inc)
{
    int first = 1;
    for (size_t i = 0; i < inc->nlabels; i++) {
        if (!strcmp(inc->labels[i].name, "alertname"))
            continue;
        if (!first)
            put(b, " ");
        first = 0;
        put(b, inc->labels[i].name);
        put(b, "=");
        put(b, inc->labels[i].value);
    }
}

void ob_render_marker(const struct ob_incident *inc, char *buf, size_t cap)
{
    snprintf(buf, cap, "<!-- opsbox incident %s -->", inc->uid);
}

static const char *kind_name(int kind)
{
    return kind == OB_MEMBER_ALERT ? "alert" : kind == OB_MEMBER_ANOMALY ? "anomaly" : "log template";
}

static void put_member_row(struct ob_buf *b, const struct ob_member *m)
{
    put(b, "| ");
    put(b, kind_name(m->kind));
    put(b, " | ");
    put(b, m->kind == OB_MEMBER_ALERT ? (m->firing ? "firing" : "resolved") : "seen");
    put(b, " | ");
    put_code(b, m->labels);
    put(b, " | ");
    put_time(b, m->since);
    put(b, " |\n");
}

static void put_members(struct ob_buf *b, const struct ob_incident *inc)
{
    const size_t shown = 50; /* an issue is read by people: the store has the rest */
    put(b, "| kind | state | labels | since |\n|---|---|---|---|\n");
    for (size_t i = 0; i < inc->nmembers && i < shown; i++)
        put_member_row(b, &inc->members[i]);
    if (inc->nmembers > shown) {
        char line[128];
        snprintf(line, sizeof line, "\n…and %zu more (`opsbox incidents show %lld`).\n",
                 inc->nmembers - shown, (long long)inc->id);
        put(b, line);
    }
}

static const char *first_summary(const struct ob_incident *inc)
{
    for (size_t i = 0; i < inc->nmembers; i++)
        if (inc->members[i].summary[0])
            return inc->members[i].summary;
    return "";
}

/* What "{{name}}" stands for: the words below, else the incident's label. */
static void put_value(struct ob_buf *b, const struct ob_incident *inc, const char *name)
{
    char num[32];
    const char *label = ob_kv_get(inc->labels, inc->nlabels, name);
    if (!strcmp(name, "labels"))
        put_group_labels(b, inc);
    else if (!strcmp(name, "id")) {
        snprintf(num, sizeof num, "%lld", (long long)inc->id);
        put(b, num);
    } else if (!strcmp(name, "members"))
        put_members(b, inc);
    else if (!strcmp(name, "summary"))
        put(b, first_summary(inc));
    else if (!strcmp(name, "started"))
        put_time(b, inc->started);
    else if (!strcmp(name, "group"))
        put_code(b, inc->group_key);
    else if (!strcmp(name, "alertmanager"))
        put(b, inc->external_url ? inc->external_url : "");
    else if (!strcmp(name, "severity") && !label)
        put(b, ob_severity_name(inc->severity));
    else
        put(b, label ? label : "");
}

static void expand(struct ob_buf *b, const struct ob_incident *inc, const char *tmpl)
{
    while (*tmpl) {
        const char *open = strstr(tmpl, "{{"), *close = open ? strstr(open, "}}") : NULL;
        if (!open || !close) {
            put(b, tmpl);
            break;
        }
        ob_buf_put(b, tmpl, (size_t)(open - tmpl));
        char name[128];
        size_t n = (size_t)(close - open - 2);
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), open + 2);
        put_value(b, inc, name);
        tmpl = close + 2;
    }
}

char *ob_render_title(const struct ob_incident *inc, const char *tmpl)
{
    struct ob_buf b = {0};
    expand(&b, inc, tmpl ? tmpl : "{{alertname}} ({{labels}})");
    /* "Alert ()" when the group has no labels besides alertname. */
    if (b.len >= 3 && !memcmp(b.p + b.len - 3, " ()", 3))
        b.len -= 3;
    return finish(&b);
}

#define DEFAULT_BODY                                                                               \
    "opsbox incident {{id}}, severity {{severity}}, firing since {{started}}.\n\n"                   \
    "Group: {{group}}\n\n{{members}}\n> {{summary}}\n"

char *ob_render_body(const struct ob_incident *inc, const char *tmpl)
{
    struct ob_buf b = {0};
    expand(&b, inc, tmpl ? tmpl : DEFAULT_BODY);
    if (!tmpl && inc->external_url) {
        put(&b, "\n[Alertmanager](");
        put(&b, inc->external_url);
        put(&b, ")\n");
    }
    char marker[64]; /* always: it is how opsbox finds its issue after a crash */
    ob_render_marker(inc, marker, sizeof marker);
    put(&b, "\n");
    put(&b, marker);
    put(&b, "\n");
    return finish(&b);
}

char *ob_render_comment(const struct ob_event *e)
{
    const struct ob_incident *inc = e->incident;
    const struct ob_member *m = e->member < inc->nmembers ? &inc->members[e->member] : NULL;
    struct ob_buf b = {0};
    switch (e->kind) {
    case OB_EV_JOINED:
    case OB_EV_MEMBER_FIRING:
        if (!m)
            return NULL;
        put(&b, e->kind == OB_EV_JOINED ? "Joined: " : "Firing again: ");
        put(&b, kind_name(m->kind));
        put(&b, " ");
        put_code(&b, m->kind == OB_MEMBER_ALERT ? m->labels : m->key);
        if (m->summary[0]) {
            put(&b, " — ");
            put(&b, m->summary);
        }
        break;
    case OB_EV_SEVERITY:
        put(&b, "Severity rose from ");
        put(&b, ob_severity_name(e->detail));
        put(&b, " to ");
        put(&b, ob_severity_name(inc->severity));
        break;
    case OB_EV_RESOLVED:
        put(&b, "Resolved: every alert of the group has resolved");
        break;
    case OB_EV_REOPENED:
        put(&b, "Firing again within the hold-off: reopened");
        break;
    default:
        return NULL; /* opened: the issue itself; a member resolving: in the body */
    }
    put(&b, " (");
    put_time(&b, e->at);
    put(&b, ").\n");
    return finish(&b);
}
