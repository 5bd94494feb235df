/* cmd_detect.c - `opsbox detect [FILE|-]`: one series in, one scored row out
 * per point, streaming (memory does not grow with the input). */
#include "cli/cli.h"

#include "core/num.h"
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

/* Rows go out in blocks of OUT_BLOCK bytes: one write per few thousand
 * rows instead of stdio's per-call work. */
#define OUT_BLOCK (64u * 1024)
#define ROW_MAX (6 * (OB_NUM_G10_MAX + 1) + 4) /* all but the timestamp */

struct out {
    FILE *f;
    size_t n;
    char b[OUT_BLOCK];
};

static void out_flush(struct out *o)
{
    fwrite(o->b, 1, o->n, o->f);
    o->n = 0;
}

static void put_number(struct out *o, double v)
{
    o->b[o->n++] = ',';
    o->n += ob_num_format_g10(o->b + o->n, v); /* "%.10g", byte for byte */
}

static void print_row(struct out *o, const struct ob_series_point *p,
                      const struct ob_detection *r)
{
    if (OUT_BLOCK - o->n < p->ts_len + ROW_MAX)
        out_flush(o);
    if (p->ts_len > OUT_BLOCK - ROW_MAX) /* a timestamp padded with blanks */
        fwrite(p->ts_text, 1, p->ts_len, o->f);
    else {
        memcpy(o->b + o->n, p->ts_text, p->ts_len);
        o->n += p->ts_len;
    }
    put_number(o, p->value);
    put_number(o, r->anomaly_score);
    put_number(o, r->yhat);
    put_number(o, r->yhat_lower);
    put_number(o, r->yhat_upper);
    o->b[o->n++] = ',';
    o->b[o->n++] = r->anomaly ? '1' : '0';
    o->b[o->n++] = '\n';
}

static int run(FILE *in, const char *name, const struct ob_detector_params *params,
               bool only_anomalies)
{
    struct ob_series_reader *rd = ob_series_reader_new(in, name);
    struct ob_detector *det = ob_detector_new(params);
    struct out *o = malloc(sizeof *o);
    int rc = OB_EXIT_OK;
    if (!rd || !det || !o) {
        fprintf(stderr, "opsbox detect: out of memory\n");
        rc = OB_EXIT_FAILURE;
        goto out;
    }
    printf("timestamp,value,anomaly_score,yhat,yhat_lower,yhat_upper,anomaly\n");
    o->f = stdout;
    o->n = 0;
    struct ob_series_point p;
    int got;
    while ((got = ob_series_reader_next(rd, &p)) == 1) {
        struct ob_detection r = ob_detector_step(det, p.ts, p.value);
        if (!only_anomalies || r.anomaly)
            print_row(o, &p, &r);
    }
    out_flush(o);
    if (got < 0) {
        fprintf(stderr, "opsbox detect: %s\n", ob_series_reader_error(rd));
        rc = OB_EXIT_USAGE;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "opsbox detect: writing output: %s\n", strerror(errno));
        rc = OB_EXIT_FAILURE;
    }
out:
    free(o);
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
