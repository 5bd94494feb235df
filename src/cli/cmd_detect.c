/* cmd_detect.c - `opsbox detect [FILE|-]`: one series in, one scored row out
 * per point, streaming (memory does not grow with the input). */
#include "cli/cli.h"

#include "io/series_csv.h"
#include "metrics/metrics.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void detect_usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox detect [options] [FILE|-]\n\n"
            "Scores each point of a metric series from its past only, and writes CSV:\n"
            "  timestamp,value,anomaly_score,yhat,yhat_lower,yhat_upper,anomaly\n\n"
            "Input: CSV with a header; column 1 a timestamp ('YYYY-MM-DD HH:MM:SS',\n"
            "RFC 3339 or unix seconds), column 2 a number. FILE '-' or none: stdin.\n\n"
            "options:\n"
            "  --band P         coverage of the yhat band, 0<P<1 (default 0.99)\n"
            "  --threshold T    anomaly_score at or above which anomaly=1 (default 0.6795)\n"
            "  --anomalies      print only the rows flagged anomalous\n"
            "  -h, --help       this help\n");
}

static bool parse_unit(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

static void print_number(FILE *out, double v)
{
    fprintf(out, ",%.10g", v);
}

static void print_row(FILE *out, const struct ob_series_point *p, const struct ob_detection *r)
{
    fwrite(p->ts_text, 1, p->ts_len, out);
    print_number(out, p->value);
    print_number(out, r->anomaly_score);
    print_number(out, r->yhat);
    print_number(out, r->yhat_lower);
    print_number(out, r->yhat_upper);
    fprintf(out, ",%d\n", r->anomaly);
}

static int run(FILE *in, const char *name, const struct ob_detector_params *params,
               bool only_anomalies)
{
    struct ob_series_reader *rd = ob_series_reader_new(in, name);
    struct ob_detector *det = ob_detector_new(params);
    int rc = OB_EXIT_OK;
    if (!rd || !det) {
        fprintf(stderr, "opsbox detect: out of memory\n");
        rc = OB_EXIT_FAILURE;
        goto out;
    }
    printf("timestamp,value,anomaly_score,yhat,yhat_lower,yhat_upper,anomaly\n");
    struct ob_series_point p;
    int got;
    while ((got = ob_series_reader_next(rd, &p)) == 1) {
        struct ob_detection r = ob_detector_step(det, p.ts, p.value);
        if (!only_anomalies || r.anomaly)
            print_row(stdout, &p, &r);
    }
    if (got < 0) {
        fprintf(stderr, "opsbox detect: %s\n", ob_series_reader_error(rd));
        rc = OB_EXIT_USAGE;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "opsbox detect: writing output: %s\n", strerror(errno));
        rc = OB_EXIT_FAILURE;
    }
out:
    ob_detector_free(det);
    ob_series_reader_free(rd);
    return rc;
}

int ob_cmd_detect(int argc, char **argv)
{
    static const struct option opts[] = {
        {"band", required_argument, NULL, 'b'},
        {"threshold", required_argument, NULL, 't'},
        {"anomalies", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ob_detector_params params = ob_detector_params_default();
    bool only_anomalies = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (!parse_unit(optarg, &params.band) || !(params.band > 0 && params.band < 1)) {
                fprintf(stderr, "opsbox detect: --band: '%s' is not a number in (0,1)\n", optarg);
                return OB_EXIT_USAGE;
            }
            break;
        case 't':
            if (!parse_unit(optarg, &params.threshold) ||
                !(params.threshold >= 0 && params.threshold <= 1)) {
                fprintf(stderr, "opsbox detect: --threshold: '%s' is not a number in [0,1]\n",
                        optarg);
                return OB_EXIT_USAGE;
            }
            break;
        case 'a':
            only_anomalies = true;
            break;
        case 'h':
            detect_usage(stdout);
            return OB_EXIT_OK;
        default:
            fprintf(stderr, "opsbox detect: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return OB_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "opsbox detect: one input at most; see --help\n");
        return OB_EXIT_USAGE;
    }
    const char *path = optind < argc ? argv[optind] : "-";
    if (!strcmp(path, "-"))
        return run(stdin, "<stdin>", &params, only_anomalies);
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "opsbox detect: %s: %s\n", path, strerror(errno));
        return OB_EXIT_USAGE;
    }
    int rc = run(in, path, &params, only_anomalies);
    fclose(in);
    return rc;
}
