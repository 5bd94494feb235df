/* cmd_ci_tests.c - `opsbox ci tests`: test results of many runs in, flaky
 * tests, new failures and infra outages out.
 *
 * Each argument is one run, in the order given: a JUnit XML file, or a
 * folder whose *.xml files (any depth, by name) together are one run, as
 * Prow's artifacts/junit_*.xml are; a TestGrid JSON grid adds all of its
 * columns as runs. The analysis is src/ci/history.c. */
#include "cli/cli.h"

#include "ci/ci.h"
#include "io/ciresults.h"

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tests_usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox ci tests [--json] [--all] [--infra SHARE] RESULTS...\n\n"
            "Reads the test results of many runs, oldest first: each RESULTS is a JUnit\n"
            "XML file (Surefire, Gradle, pytest, gotestsum, Jest, Prow...), a folder of\n"
            "them that together are one run, or a TestGrid JSON grid (all its runs).\n"
            "Reports per test its runs and failures and what they mean:\n"
            "  flaky        failed, then passed again with no fix in between, or passed\n"
            "               on a retry\n"
            "  new failure  failing in every run since run N, a streak its failure\n"
            "               rate before makes unlikely\n"
            "  always fails failed in every run it had\n"
            "and the runs where most tests failed together (infra), whose failures\n"
            "count for no test.\n\n"
            "options:\n"
            "  --json         JSON instead of a table\n"
            "  --all          every test, not only those with a finding\n"
            "  --infra SHARE  share of a run's tests that fail together in an outage\n"
            "                 (default 0.5)\n"
            "  -h, --help     this help\n"
            "exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input\n");
}

/* One RESULTS argument, saying what is wrong on stderr; an exit code. */
static int read_results(struct ob_ci_history *h, const char *path)
{
    char err[4400];
    int rc = ob_ciresults_read(h, path, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "opsbox ci tests: %s\n", err);
    return rc == 0 ? OB_EXIT_OK : rc > 0 ? OB_EXIT_USAGE : OB_EXIT_FAILURE;
}

static bool has_finding(const struct ob_ci_test_report *t)
{
    return t->flaky || t->failing_since >= 0 || t->always_failing;
}

/* What the finding rests on, in words; runs are numbered from 1. */
static void evidence(const struct ob_ci_test_report *t, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
#define ADD(...) (o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, __VA_ARGS__))
    if (t->failing_since >= 0)
        ADD("failing in all %u runs since run %ld (failure rate %.2f before)", t->streak,
            t->failing_since + 1, t->rate_before);
    if (t->flips) {
        ADD("%sfailed then passed again %u time%s", o ? "; " : "", t->flips, t->flips > 1 ? "s" : "");
        if (t->first_flip_run == t->last_flip_run)
            ADD(" (run %ld)", t->first_flip_run + 1);
        else
            ADD(" (runs %ld to %ld)", t->first_flip_run + 1, t->last_flip_run + 1);
    }
    if (t->retried)
        ADD("%spassed on retry in %u run%s", o ? "; " : "", t->retried, t->retried > 1 ? "s" : "");
    if (t->always_failing && t->failing_since < 0)
        ADD("%sfailed in every run it had", o ? "; " : "");
    if (t->infra_failures)
        ADD("%s%u failure%s in infra runs left out", o ? "; " : "", t->infra_failures,
            t->infra_failures > 1 ? "s" : "");
#undef ADD
}

static const char *finding(const struct ob_ci_test_report *t)
{
    if (t->failing_since >= 0)
        return t->flaky ? "new failure, flaky" : "new failure";
    if (t->flaky)
        return "flaky";
    if (t->always_failing)
        return "always fails";
    return "-";
}

static void print_table(const struct ob_ci_test_report *T, size_t nt,
                        const struct ob_ci_run_report *R, size_t nr, bool all)
{
    size_t flaky = 0, fresh = 0, always = 0, infra = 0, empty = 0;
    for (size_t i = 0; i < nt; i++) {
        flaky += T[i].flaky != 0;
        fresh += T[i].failing_since >= 0;
        always += T[i].always_failing && T[i].failing_since < 0;
    }
    for (size_t r = 0; r < nr; r++) {
        infra += R[r].infra != 0;
        empty += R[r].tests == 0;
    }
    printf("runs %zu, tests %zu: %zu flaky, %zu new failures, %zu always failing; "
           "%zu infra runs, %zu runs without results\n",
           nr, nt, flaky, fresh, always, infra, empty);
    for (size_t r = 0; r < nr; r++)
        if (R[r].infra)
            printf("infra: run %zu%s%s: %u of %u tests failed\n", r + 1, R[r].label ? " " : "",
                   R[r].label ? R[r].label : "", R[r].failures, R[r].tests);
    printf("%-60s %6s %6s  %-18s %s\n", "TEST", "RUNS", "FAILS", "FINDING", "EVIDENCE");
    for (size_t i = 0; i < nt; i++) {
        if (!all && !has_finding(&T[i]))
            continue;
        char ev[400], id[1024];
        evidence(&T[i], ev, sizeof ev);
        snprintf(id, sizeof id, "%s%s%s", T[i].suite, T[i].suite[0] ? "." : "", T[i].name);
        printf("%-60s %6u %6u  %-18s %s\n", id, T[i].runs, T[i].failures, finding(&T[i]), ev);
    }
}

static int print_json(const struct ob_ci_test_report *T, size_t nt,
                      const struct ob_ci_run_report *R, size_t nr, bool all)
{
    json_t *root = json_object(), *runs = json_array(), *tests = json_array();
    if (!root || !runs || !tests)
        goto oom;
    json_object_set_new(root, "runs", runs);
    json_object_set_new(root, "tests", tests);
    for (size_t r = 0; r < nr; r++)
        json_array_append_new(runs, json_pack("{s:I,s:s?,s:I,s:I,s:b}", "run", (json_int_t)r + 1,
                                              "label", R[r].label, "tests", (json_int_t)R[r].tests,
                                              "failures", (json_int_t)R[r].failures, "infra",
                                              R[r].infra));
    for (size_t i = 0; i < nt; i++) {
        if (!all && !has_finding(&T[i]))
            continue;
        char ev[400];
        evidence(&T[i], ev, sizeof ev);
        json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:b,s:I,s:I,s:b,s:s}", "suite", T[i].suite,
                              "name", T[i].name, "runs", (json_int_t)T[i].runs, "failures",
                              (json_int_t)T[i].failures, "infra_failures",
                              (json_int_t)T[i].infra_failures, "flaky", T[i].flaky, "flips",
                              (json_int_t)T[i].flips, "retried", (json_int_t)T[i].retried,
                              "always_failing", T[i].always_failing, "evidence", ev);
        if (!o)
            goto oom;
        json_object_set_new(o, "failing_since",
                            T[i].failing_since >= 0 ? json_integer(T[i].failing_since + 1)
                                                    : json_null());
        json_array_append_new(tests, o);
    }
    if (json_dumpf(root, stdout, JSON_INDENT(1)) < 0)
        goto oom;
    putchar('\n');
    json_decref(root);
    return OB_EXIT_OK;
oom:
    json_decref(root);
    fprintf(stderr, "opsbox ci tests: out of memory\n");
    return OB_EXIT_FAILURE;
}

int ob_cmd_ci_tests(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'}, {"all", no_argument, NULL, 'a'},
        {"infra", required_argument, NULL, 'i'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ob_ci_params p = ob_ci_params_default();
    bool json = false, all = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "jai:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        case 'a': all = true; break;
        case 'i': {
            char *end;
            p.infra_share = strtod(optarg, &end);
            if (*end || !(p.infra_share > 0 && p.infra_share <= 1)) {
                fprintf(stderr, "opsbox ci tests: --infra '%s': expected a share in (0, 1]\n", optarg);
                return OB_EXIT_USAGE;
            }
            break;
        }
        case 'h': tests_usage(stdout); return OB_EXIT_OK;
        default: tests_usage(stderr); return OB_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "opsbox ci tests: expected results files; see --help\n");
        return OB_EXIT_USAGE;
    }
    struct ob_ci_history *h = ob_ci_history_new();
    if (!h) {
        fprintf(stderr, "opsbox ci tests: out of memory\n");
        return OB_EXIT_FAILURE;
    }
    int rc = OB_EXIT_OK;
    for (int i = optind; i < argc && rc == OB_EXIT_OK; i++)
        rc = read_results(h, argv[i]);
    struct ob_ci_test_report *T = NULL;
    struct ob_ci_run_report *R = NULL;
    size_t nt = 0, nr = 0;
    if (rc == OB_EXIT_OK && ob_ci_history_analyse(h, &p, &T, &nt, &R, &nr) < 0) {
        fprintf(stderr, "opsbox ci tests: out of memory\n");
        rc = OB_EXIT_FAILURE;
    }
    if (rc == OB_EXIT_OK) {
        if (json)
            rc = print_json(T, nt, R, nr, all);
        else
            print_table(T, nt, R, nr, all);
    }
    free(T);
    free(R);
    ob_ci_history_free(h);
    return rc;
}
