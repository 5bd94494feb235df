/* cmd_incidents.c - `opsbox incidents`: what the daemon's store knows about
 * incidents, for people (a table) and scripts (--json). Reads only: a
 * store that does not exist is an error, not a new empty file. */
#include "cli/cli.h"

#include "alerts/alerts.h"
#include "io/store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox incidents [list] [--store FILE|URL] [--limit N] [--json]\n"
            "       opsbox incidents show ID [--store FILE|URL] [--json]\n\n"
            "Incidents that `opsbox serve` formed from Alertmanager groups, with the\n"
            "anomalies that joined them, from its store (default ./opsbox.db; or the\n"
            "replicas' postgresql://user@host:port/db URL, password from PGPASSWORD).\n"
            "list: newest first (default 50); show: one with its members and timeline.\n");
}

static const char *when(double t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(buf, cap, "-");
    return buf;
}

struct listing {
    int json;
    json_t *all;
};

static int print_row(void *arg, struct ob_incident *inc)
{
    struct listing *l = arg;
    if (l->json) {
        json_array_append_new(l->all, ob_incident_json(inc, 0));
    } else {
        char t[32], title[256] = "";
        char *tt = ob_render_title(inc, NULL);
        snprintf(title, sizeof title, "%s", tt ? tt : "");
        free(tt);
        printf("%-6lld %-9s %-9s %-20s %7zu  %s\n", (long long)inc->id,
               inc->state == OB_INCIDENT_FIRING ? "firing" : "resolved", ob_severity_name(inc->severity),
               when(inc->started, t, sizeof t), inc->nmembers, title);
        if (inc->issue_number > 0)
            printf("%-6s issue #%lld %s\n", "", (long long)inc->issue_number,
                   inc->issue_url ? inc->issue_url : "");
    }
    ob_incident_free(inc);
    return 0;
}

static void on_timeline(void *arg, double at, const char *event, const char *member, const char *detail)
{
    (void)arg;
    char t[32];
    printf("  %s  %-16s %s %s\n", when(at, t, sizeof t), event, member ? member : "",
           detail ? detail : "");
}

struct showing {
    struct ob_store *store;
    int json, found;
};

static int show_one(void *arg, struct ob_incident *inc)
{
    struct showing *sh = arg;
    sh->found = 1;
    if (sh->json) {
        json_t *o = ob_incident_json(inc, 1);
        json_object_set_new(o, "timeline", ob_store_timeline_json(sh->store, inc->id));
        char *s = json_dumps(o, JSON_INDENT(2));
        printf("%s\n", s ? s : "{}");
        free(s);
        json_decref(o);
    } else {
        char t[32];
        char *title = ob_render_title(inc, NULL);
        printf("incident %lld: %s\nstate: %s   severity: %s   started: %s\ngroup: %s\n", (long long)inc->id,
               title ? title : "", inc->state == OB_INCIDENT_FIRING ? "firing" : "resolved",
               ob_severity_name(inc->severity), when(inc->started, t, sizeof t), inc->group_key);
        free(title);
        if (inc->issue_number > 0)
            printf("issue: #%lld %s\n", (long long)inc->issue_number, inc->issue_url ? inc->issue_url : "");
        printf("members:\n");
        for (size_t i = 0; i < inc->nmembers; i++)
            printf("  %-8s %-8s %s %s\n", inc->members[i].kind == OB_MEMBER_ALERT ? "alert" : "signal",
                   inc->members[i].kind != OB_MEMBER_ALERT ? "seen" : inc->members[i].firing ? "firing" : "resolved",
                   inc->members[i].labels, inc->members[i].summary);
        printf("timeline:\n");
        ob_store_timeline(sh->store, inc->id, on_timeline, NULL);
    }
    ob_incident_free(inc);
    return 0;
}

int ob_cmd_incidents(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, NULL, 's'}, {"limit", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *store = "./opsbox.db";
    long limit = 50;
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        if (c == 's')
            store = optarg;
        else if (c == 'n' && (limit = strtol(optarg, &end, 10)) > 0 && !*end)
            continue;
        else if (c == 'j')
            json = 1;
        else if (c == 'h') {
            usage(stdout);
            return OB_EXIT_OK;
        } else {
            fprintf(stderr, "opsbox incidents: bad or unknown option '%s'; see --help\n", argv[optind - 1]);
            return OB_EXIT_USAGE;
        }
    }
    const char *verb = optind < argc ? argv[optind++] : "list";
    int show = !strcmp(verb, "show");
    char *end = NULL;
    long long id = show && optind < argc ? strtoll(argv[optind++], &end, 10) : 0;
    if ((!show && strcmp(verb, "list")) || (show && (id <= 0 || !end || *end)) || optind < argc) {
        fprintf(stderr, "opsbox incidents: expected 'list' or 'show ID'; see --help\n");
        return OB_EXIT_USAGE;
    }
    if (!ob_store_is_url(store) && access(store, R_OK) != 0) {
        fprintf(stderr, "opsbox incidents: no store at %s (see --store)\n", store);
        return OB_EXIT_FAILURE;
    }
    char err[512];
    struct ob_store *s = ob_store_open(store, err, sizeof err);
    if (!s) {
        fprintf(stderr, "opsbox incidents: %s\n", err);
        return OB_EXIT_FAILURE;
    }
    long n;
    int rc = OB_EXIT_OK;
    if (show) {
        struct showing sh = {s, json, 0};
        n = ob_store_one_incident(s, id, show_one, &sh);
        if (n >= 0 && !sh.found) {
            fprintf(stderr, "opsbox incidents: no incident %lld in %s\n", id, store);
            rc = OB_EXIT_FAILURE;
        }
    } else {
        struct listing l = {json, json ? json_array() : NULL};
        if (!json)
            printf("%-6s %-9s %-9s %-20s %7s  %s\n", "ID", "STATE", "SEVERITY", "STARTED (UTC)",
                   "MEMBERS", "TITLE");
        n = ob_store_recent_incidents(s, limit, print_row, &l);
        if (json) {
            char *out = json_dumps(l.all, JSON_INDENT(2));
            printf("%s\n", out ? out : "[]");
            free(out);
            json_decref(l.all);
        }
    }
    if (n < 0) {
        fprintf(stderr, "opsbox incidents: reading %s: %s\n", store, ob_store_error(s));
        rc = OB_EXIT_FAILURE;
    }
    ob_store_close(s);
    return rc;
}
