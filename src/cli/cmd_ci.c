/* cmd_ci.c - `opsbox ci explain|learn|tests`: why a build failed, which
 * tests are flaky. Files in, findings out; the work is in src/ci. */
#include "cli/cli.h"

#include "ci/ci.h"
#include "io/statefile.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MAX ((size_t)8 << 30) /* refuse logs over 8 GiB */
#define PASS_MAX 64
#define TEXT_MAX 400               /* bytes of a line's text in a report */

static void ci_usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox ci explain [--pass PASS.log]... [--model M] [--top N] [--tsv] FAIL.log|-\n"
            "       opsbox ci learn --out M PASS.log...\n"
            "       opsbox ci tests [--json] [--infra SHARE] RESULTS...\n\n"
            "explain prints the lines of a failed build log that explain the failure, best\n"
            "first, with their line number (counted as Python's str.splitlines() does: LF,\n"
            "CRLF and a lone CR each end a line) and why: a template the passing logs lack,\n"
            "error words, the first line of a new block, a stack trace's head.\n"
            "Timestamps, colours, GitHub Actions prefixes and markers, numbers, ids and\n"
            "durations are masked first. Without --pass or --model, normal is what repeats\n"
            "in the failed log itself.\n"
            "learn writes a model M of what passing logs print, for explain --model.\n"
            "tests reads JUnit XML files and TestGrid JSON grids (runs in the order given)\n"
            "and reports per test its runs, failures, and whether it is flaky, failing\n"
            "since a run (new failure), or failed in runs where most tests failed (infra).\n\n"
            "options:\n"
            "  --pass FILE   (explain, repeatable) a passing log of the same job\n"
            "  --model M     (explain) a model written by 'ci learn'\n"
            "  --top N       (explain) report at most N lines (default 50)\n"
            "  --tsv         (explain) LINE<TAB>SCORE<TAB>REASON<TAB>TEXT rows\n"
            "  --out M       (learn) where to write the model\n"
            "  --json        (tests) JSON instead of a table\n"
            "  -h, --help    this help\n"
            "exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input\n");
}

static int read_file(const char *path, void **buf, size_t *len)
{
    int rc = ob_statefile_read(path, LOG_MAX, buf, len);
    if (rc == 0)
        return 0;
    fprintf(stderr, "opsbox ci: %s: %s\n", path, rc == 1 ? "no such file" : strerror(errno));
    return -1;
}

static int learn_file(struct ob_ci_model *m, const char *path)
{
    void *buf;
    size_t len;
    if (read_file(path, &buf, &len) < 0)
        return OB_EXIT_USAGE;
    int rc = ob_ci_model_learn(m, buf, len);
    free(buf);
    if (rc < 0) {
        fprintf(stderr, "opsbox ci: out of memory\n");
        return OB_EXIT_FAILURE;
    }
    return OB_EXIT_OK;
}

/* The line's text for a report: no colours, no tabs or line ends. */
static void print_text(const char *s, size_t n)
{
    char clean[TEXT_MAX + 16];
    unsigned flags;
    size_t c = ob_ci_clean(s, n, clean, sizeof clean, &flags);
    for (size_t i = 0; i < c; i++)
        if (clean[i] == '\t')
            clean[i] = ' ';
    fwrite(clean, 1, c > TEXT_MAX ? TEXT_MAX : c, stdout);
    if (c > TEXT_MAX)
        fputs("...", stdout);
    putchar('\n');
}

/* OPSBOX_CI_TUNE: bench/ci_cv.py's grid of weights (docs/ci.md). */
static void tune_from_env(void)
{
    const char *t = getenv("OPSBOX_CI_TUNE");
    char name[64];
    double v;
    int used;
    while (t && sscanf(t, " %63[a-z_]=%lf%n", name, &v, &used) == 2) {
        ob_ci__tune(name, v);
        t += used;
        if (*t == ',')
            t++;
    }
}

static int ci_explain(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"pass", required_argument, NULL, 'p'}, {"model", required_argument, NULL, 'm'},
        {"top", required_argument, NULL, 'n'},  {"tsv", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *pass[PASS_MAX], *model = NULL;
    size_t npass = 0;
    long top = 50;
    bool tsv = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:m:n:th", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (npass == PASS_MAX) {
                fprintf(stderr, "opsbox ci explain: at most %d --pass\n", PASS_MAX);
                return OB_EXIT_USAGE;
            }
            pass[npass++] = optarg;
            break;
        case 'm': model = optarg; break;
        case 'n': {
            char *end;
            top = strtol(optarg, &end, 10);
            if (*end || top < 1 || top > 1000000) {
                fprintf(stderr, "opsbox ci explain: --top '%s': expected 1 to 1000000\n", optarg);
                return OB_EXIT_USAGE;
            }
            break;
        }
        case 't': tsv = true; break;
        case 'h': ci_usage(stdout); return OB_EXIT_OK;
        default: ci_usage(stderr); return OB_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "opsbox ci explain: expected one failed log; see --help\n");
        return OB_EXIT_USAGE;
    }
    tune_from_env();
    struct ob_ci_model *m = NULL;
    if (model) {
        void *buf;
        size_t len;
        if (read_file(model, &buf, &len) < 0)
            return OB_EXIT_USAGE;
        m = ob_ci_model_load(buf, len);
        free(buf);
        if (!m) {
            fprintf(stderr, "opsbox ci explain: %s: not a model written by 'opsbox ci learn'\n",
                    model);
            return OB_EXIT_USAGE;
        }
    } else if (!(m = ob_ci_model_new())) {
        fprintf(stderr, "opsbox ci explain: out of memory\n");
        return OB_EXIT_FAILURE;
    }
    int rc = OB_EXIT_OK;
    for (size_t i = 0; i < npass && rc == OB_EXIT_OK; i++)
        rc = learn_file(m, pass[i]);
    const void *buf = NULL;
    size_t len = 0;
    int mapped = -1;
    if (rc == OB_EXIT_OK) {
        /* mapped, not read: a 100 MB log is scanned once, never copied */
        const char *path = strcmp(argv[optind], "-") ? argv[optind] : "/dev/stdin";
        mapped = ob_statefile_map(path, &buf, &len);
        if (mapped == 1 || mapped < 0) {
            fprintf(stderr, "opsbox ci explain: %s: %s\n", argv[optind],
                    mapped == 1 ? "no such file" : strerror(errno));
            rc = OB_EXIT_USAGE;
        }
    }
    struct ob_ci_finding *f = NULL;
    long n = 0;
    if (rc == OB_EXIT_OK && (n = ob_ci_explain(m, buf, len, (size_t)top, &f)) < 0) {
        fprintf(stderr, "opsbox ci explain: out of memory\n");
        rc = OB_EXIT_FAILURE;
    }
    for (long i = 0; i < n; i++) {
        char why[160];
        ob_ci_reasons_text(f[i].reasons, why, sizeof why);
        if (tsv)
            printf("%llu\t%.3f\t%s\t", (unsigned long long)f[i].line, f[i].score, why);
        else
            printf("%6llu  (%s)  ", (unsigned long long)f[i].line, why);
        print_text((const char *)buf + f[i].off, f[i].len);
    }
    free(f);
    if (mapped == 0 || mapped == 2)
        ob_statefile_unmap(buf, len, mapped);
    ob_ci_model_free(m);
    return rc;
}

static int ci_learn(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'h': ci_usage(stdout); return OB_EXIT_OK;
        default: ci_usage(stderr); return OB_EXIT_USAGE;
        }
    }
    if (!out || optind >= argc) {
        fprintf(stderr, "opsbox ci learn: expected --out M and at least one passing log\n");
        return OB_EXIT_USAGE;
    }
    struct ob_ci_model *m = ob_ci_model_new();
    if (!m) {
        fprintf(stderr, "opsbox ci learn: out of memory\n");
        return OB_EXIT_FAILURE;
    }
    int rc = OB_EXIT_OK;
    for (int i = optind; i < argc && rc == OB_EXIT_OK; i++)
        rc = learn_file(m, argv[i]);
    void *blob = NULL;
    size_t n = 0;
    if (rc == OB_EXIT_OK && !(n = ob_ci_model_save(m, &blob))) {
        fprintf(stderr, "opsbox ci learn: out of memory\n");
        rc = OB_EXIT_FAILURE;
    }
    if (rc == OB_EXIT_OK && ob_statefile_write(out, blob, n) < 0) {
        fprintf(stderr, "opsbox ci learn: %s: %s\n", out, strerror(errno));
        rc = OB_EXIT_FAILURE;
    }
    if (rc == OB_EXIT_OK)
        fprintf(stderr, "opsbox ci learn: %llu lines learned into %s\n",
                (unsigned long long)ob_ci_model_lines(m), out);
    free(blob);
    ob_ci_model_free(m);
    return rc;
}

int ob_cmd_ci(int argc, char **argv)
{
    if (argc < 2) {
        ci_usage(stderr);
        return OB_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        ci_usage(stdout);
        return OB_EXIT_OK;
    }
    if (!strcmp(argv[1], "explain"))
        return ci_explain(argc - 1, argv + 1);
    if (!strcmp(argv[1], "learn"))
        return ci_learn(argc - 1, argv + 1);
    if (!strcmp(argv[1], "tests"))
        return ob_cmd_ci_tests(argc - 1, argv + 1);
    fprintf(stderr, "opsbox ci: unknown subcommand '%s' (explain, learn or tests)\n", argv[1]);
    return OB_EXIT_USAGE;
}
