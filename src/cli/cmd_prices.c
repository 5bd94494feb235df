/* cmd_prices.c - `opsbox prices changes|history|fit|forecast`: cloud price
 * lists and bills in, changes, spikes, cheapest fits and forecasts out.
 * The files are read by src/io/prices_read.c, the analysis is src/prices. */
#include "cli/cli.h"

#include "core/csv.h"
#include "core/timeparse.h"
#include "io/prices_read.h"
#include "prices/prices.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox prices changes [--tsv] OLD NEW\n"
            "       opsbox prices history [--tsv] FILE...\n"
            "       opsbox prices fit --vcpu N --memory SIZE [--gpu N] [--region R] [--spot]\n"
            "                         [--limit N] [--tsv] FILE...\n"
            "       opsbox prices forecast [--tsv] SPEND.csv\n\n"
            "Price files, told apart by their content (gzip is fine): AWS Price List offer\n"
            "files (index.json or its CSV form), AWS spot price history (the JSON of\n"
            "'aws ec2 describe-spot-price-history'), Azure Retail Prices API pages, or CSV\n"
            "time,sku,region,price,unit[,attributes...]. A folder is one snapshot in\n"
            "many files (Azure's pages, AWS's per-region offer files).\n\n"
            "  changes   every SKU added, removed or repriced from OLD to NEW, grouped by\n"
            "            family and region; --tsv: SKU, REGION, added|removed|repriced, OLD,\n"
            "            NEW, PERCENT (empty where there is none)\n"
            "  history   a series per SKU and region over all FILEs, scored by the metric\n"
            "            detector: spikes and level shifts with time and size\n"
            "  fit       the cheapest hourly offers with at least --vcpu CPUs, --memory\n"
            "            (e.g. 32G, 512M) and --gpu GPUs, in --region (or its zones); --spot\n"
            "            for spot prices (sizes from an offer file given beside); expected\n"
            "            monthly cost (730 h) and its 5-95 %% range from the history\n"
            "  forecast  a bill as CSV date,service,cost: end-of-month and end-of-quarter\n"
            "            totals per service and overall, with a 90 %% band\n\n"
            "exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input\n");
}

static void fmt_time(double ts, char *buf, size_t cap)
{
    time_t t = (time_t)ts;
    struct tm tm;
    if (!isfinite(ts) || !gmtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, cap, "%.0f", ts);
}

static void print_num(FILE *out, double v)
{
    if (!isnan(v))
        fprintf(out, "%.10g", v);
}

/* Reads every path (a file, or a folder of files) into t, path i as source i. */
static int read_all(struct ob_prices *t, char **paths, int n)
{
    char err[600];
    if (n > 0x10000) {
        fprintf(stderr, "opsbox prices: at most 65536 files\n");
        return OB_EXIT_USAGE;
    }
    for (int i = 0; i < n; i++)
        if (ob_prices_read_path(t, (unsigned)i, paths[i], err, sizeof err) < 0) {
            fprintf(stderr, "opsbox prices: %s\n", err);
            return OB_EXIT_USAGE;
        }
    return OB_EXIT_OK;
}

static int finish_output(void)
{
    if (fflush(stdout) != 0) {
        fprintf(stderr, "opsbox prices: writing output: %s\n", strerror(errno));
        return OB_EXIT_FAILURE;
    }
    return OB_EXIT_OK;
}

/* Parses the options common to the subcommands; returns optind or -1 (rc set). */
struct opts {
    int tsv, spot;
    double vcpu, mem_gib, gpu;
    const char *region;
    size_t limit;
};

static int parse_size(const char *s, double *gib)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v >= 0) || !isfinite(v))
        return -1;
    char u = (char)toupper((unsigned char)*end);
    if (u == 'M')
        v /= 1024;
    else if (u == 'T')
        v *= 1024;
    else if (u && u != 'G')
        return -1;
    if (u && end[1] && strcmp(end + 1, "i") && strcasecmp(end + 1, "iB") && strcasecmp(end + 1, "B"))
        return -1;
    *gib = v;
    return 0;
}

static int parse_opts(int argc, char **argv, const char *cmd, struct opts *o, int *rc)
{
    static const struct option lo[] = {
        {"tsv", no_argument, NULL, 't'},     {"spot", no_argument, NULL, 's'},
        {"vcpu", required_argument, NULL, 'c'}, {"memory", required_argument, NULL, 'm'},
        {"gpu", required_argument, NULL, 'g'},  {"region", required_argument, NULL, 'r'},
        {"limit", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 't':
            o->tsv = 1;
            break;
        case 's':
            o->spot = 1;
            break;
        case 'c':
        case 'g':
            errno = 0;
            double v = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(v >= 0) || !isfinite(v)) {
                fprintf(stderr, "opsbox prices %s: --%s: '%s' is not a count\n", cmd,
                        c == 'c' ? "vcpu" : "gpu", optarg);
                *rc = OB_EXIT_USAGE;
                return -1;
            }
            *(c == 'c' ? &o->vcpu : &o->gpu) = v;
            break;
        case 'm':
            if (parse_size(optarg, &o->mem_gib) < 0) {
                fprintf(stderr, "opsbox prices %s: --memory: '%s' is not a size (32G, 512M)\n",
                        cmd, optarg);
                *rc = OB_EXIT_USAGE;
                return -1;
            }
            break;
        case 'r':
            o->region = optarg;
            break;
        case 'l': {
            errno = 0;
            unsigned long n = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || !n) {
                fprintf(stderr, "opsbox prices %s: --limit: '%s' is not a positive count\n", cmd,
                        optarg);
                *rc = OB_EXIT_USAGE;
                return -1;
            }
            o->limit = n;
            break;
        }
        case 'h':
            usage(stdout);
            *rc = OB_EXIT_OK;
            return -1;
        default:
            fprintf(stderr, "opsbox prices %s: unknown or incomplete option '%s'; see --help\n",
                    cmd, argv[optind - 1]);
            *rc = OB_EXIT_USAGE;
            return -1;
        }
    }
    return optind;
}

/* ---------------------------------------------------------------- changes */

static const char *const kind_names[] = {"added", "removed", "repriced"};

static void print_changes_text(const struct ob_prices *t, const struct ob_price_change *c,
                               size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i, counts[3] = {0};
        while (j < n && c[j].family == c[i].family && c[j].region == c[i].region)
            counts[c[j++].kind]++;
        printf("%s / %s: %zu added, %zu removed, %zu repriced\n",
               *ob_prices_str(t, c[i].family) ? ob_prices_str(t, c[i].family) : "(no family)",
               *ob_prices_str(t, c[i].region) ? ob_prices_str(t, c[i].region) : "(no region)",
               counts[0], counts[1], counts[2]);
        for (; i < j; i++) {
            printf("  %-8s %s", kind_names[c[i].kind], ob_prices_str(t, c[i].sku));
            if (*ob_prices_str(t, c[i].label))
                printf(" (%s)", ob_prices_str(t, c[i].label));
            printf("  ");
            if (isnan(c[i].old_price))
                printf("none");
            print_num(stdout, c[i].old_price);
            printf(" -> ");
            if (isnan(c[i].new_price))
                printf("none");
            print_num(stdout, c[i].new_price);
            if (*ob_prices_str(t, c[i].unit))
                printf(" per %s", ob_prices_str(t, c[i].unit));
            if (!isnan(c[i].pct))
                printf("  %+.2f %%", c[i].pct);
            printf("\n");
        }
    }
}

/* The start every table subcommand shares: its options into *o, then the
 * files read into a new table. want: the number of files wanted exactly,
 * 0 for one or more (usage names them). NULL with *rc set when it fails. */
static struct ob_prices *load_table(int argc, char **argv, const char *name, struct opts *o,
                                    int want, const char *usage, int *rc)
{
    int first = parse_opts(argc, argv, name, o, rc);
    if (first < 0)
        return NULL;
    int n = argc - first;
    if (want ? n != want : n < 1) {
        fprintf(stderr, "opsbox prices %s: %s; see --help\n", name, usage);
        *rc = OB_EXIT_USAGE;
        return NULL;
    }
    struct ob_prices *t = ob_prices_new();
    if (!t) {
        fprintf(stderr, "opsbox prices: out of memory\n");
        *rc = OB_EXIT_FAILURE;
        return NULL;
    }
    *rc = read_all(t, argv + first, n);
    if (*rc != OB_EXIT_OK) {
        ob_prices_free(t);
        return NULL;
    }
    return t;
}

static int cmd_changes(int argc, char **argv)
{
    struct opts o = {0};
    int rc;
    struct ob_prices *t = load_table(argc, argv, "changes", &o, 2, "two snapshots wanted, OLD and NEW", &rc);
    if (!t)
        return rc;
    struct ob_price_change *c = NULL;
    size_t n = 0;
    if (rc == OB_EXIT_OK && ob_prices_changes(t, 0, 1, &c, &n) < 0) {
        fprintf(stderr, "opsbox prices: out of memory\n");
        rc = OB_EXIT_FAILURE;
    }
    if (rc == OB_EXIT_OK) {
        if (o.tsv) {
            for (size_t i = 0; i < n; i++) {
                printf("%s\t%s\t%s\t", ob_prices_str(t, c[i].sku), ob_prices_str(t, c[i].region),
                       kind_names[c[i].kind]);
                print_num(stdout, c[i].old_price);
                putchar('\t');
                print_num(stdout, c[i].new_price);
                putchar('\t');
                if (!isnan(c[i].pct))
                    printf("%.4f", c[i].pct);
                putchar('\n');
            }
        } else {
            if (!n)
                printf("no changes\n");
            print_changes_text(t, c, n);
        }
        rc = finish_output();
    }
    free(c);
    ob_prices_free(t);
    return rc;
}

/* ---------------------------------------------------------------- history */

static int cmd_history(int argc, char **argv)
{
    struct opts o = {0};
    int rc;
    struct ob_prices *t = load_table(argc, argv, "history", &o, 0, "no files", &rc);
    if (!t)
        return rc;
    struct ob_price_finding *f = NULL;
    size_t n = 0;
    struct ob_history_stats st = {0};
    if (rc == OB_EXIT_OK && ob_prices_history(t, &f, &n, &st) < 0) {
        fprintf(stderr, "opsbox prices: out of memory\n");
        rc = OB_EXIT_FAILURE;
    }
    if (rc == OB_EXIT_OK) {
        char ts[32], end[32];
        if (!o.tsv)
            printf("%zu series, %zu with price changes, %zu long enough to score; %zu findings\n",
                   st.series, st.changing, st.scored, n);
        for (size_t i = 0; i < n; i++) {
            fmt_time(f[i].ts, ts, sizeof ts);
            fmt_time(f[i].end_ts, end, sizeof end);
            const char *kind = f[i].kind == OB_FINDING_SPIKE ? "spike" : "level-shift";
            if (o.tsv) {
                printf("%s\t%s\t%s\t%s\t", ts, ob_prices_str(t, f[i].sku),
                       ob_prices_str(t, f[i].region), kind);
                print_num(stdout, f[i].before);
                putchar('\t');
                print_num(stdout, f[i].after);
                putchar('\t');
                if (!isnan(f[i].pct))
                    printf("%.4f", f[i].pct);
                printf("\t%s\t%.4f\n", f[i].kind == OB_FINDING_SPIKE ? end : "", f[i].score);
                continue;
            }
            printf("%s  %-11s %s  %s  ", ts, kind, ob_prices_str(t, f[i].sku),
                   ob_prices_str(t, f[i].region));
            print_num(stdout, f[i].before);
            printf(" -> ");
            print_num(stdout, f[i].after);
            if (!isnan(f[i].pct))
                printf(" (%+.1f %%)", f[i].pct);
            if (f[i].kind == OB_FINDING_SPIKE)
                printf(", back by %s", end);
            printf("  score %.3f\n", f[i].score);
        }
        rc = finish_output();
    }
    free(f);
    ob_prices_free(t);
    return rc;
}

/* -------------------------------------------------------------------- fit */

static int cmd_fit(int argc, char **argv)
{
    struct opts o = {.limit = 10};
    int rc;
    struct ob_prices *t = load_table(argc, argv, "fit", &o, 0, "no files", &rc);
    if (!t)
        return rc;
    struct ob_fit_query q = {.vcpu = o.vcpu, .mem_gib = o.mem_gib, .gpu = o.gpu,
                             .region = o.region, .spot = o.spot, .limit = o.limit};
    struct ob_fit_offer *f = NULL;
    size_t n = 0;
    if (rc == OB_EXIT_OK && ob_prices_fit(t, &q, &f, &n) < 0) {
        fprintf(stderr, "opsbox prices: out of memory\n");
        rc = OB_EXIT_FAILURE;
    }
    if (rc == OB_EXIT_OK) {
        if (!o.tsv && !n)
            printf("no %s offer fits (sizes come from offer files or CSV attributes)\n",
                   o.spot ? "spot" : "on-demand");
        else if (!o.tsv)
            printf("%-20s %-16s %5s %8s %4s %10s %10s %21s %6s  %s\n", "label", "region", "vcpu",
                   "mem_gib", "gpu", "per_hour", "monthly", "monthly_5-95%", "days", "sku");
        for (size_t i = 0; i < n; i++) {
            const char *lab = ob_prices_str(t, f[i].label), *reg = ob_prices_str(t, f[i].region);
            if (o.tsv) {
                printf("%s\t%s\t%s\t%g\t%g\t%g\t%.10g\t%.2f\t%.2f\t%.2f\t%.1f\t%s\n", lab, reg,
                       ob_prices_str(t, f[i].sku), f[i].vcpu, f[i].mem_gib, f[i].gpu, f[i].price,
                       f[i].monthly, f[i].monthly_lo, f[i].monthly_hi, f[i].span_days,
                       ob_prices_str(t, f[i].variant));
                continue;
            }
            char range[48];
            snprintf(range, sizeof range, "%.2f-%.2f", f[i].monthly_lo, f[i].monthly_hi);
            printf("%-20s %-16s %5g %8g %4g %10.4f %10.2f %21s %6.1f  %s %s\n", lab, reg,
                   f[i].vcpu, f[i].mem_gib, f[i].gpu, f[i].price, f[i].monthly, range,
                   f[i].span_days, ob_prices_str(t, f[i].sku), ob_prices_str(t, f[i].variant));
        }
        rc = finish_output();
    }
    free(f);
    ob_prices_free(t);
    return rc;
}

/* --------------------------------------------------------------- forecast */

struct bill_row {
    char *service;
    long long day;
    double cost;
};

struct bill {
    struct bill_row *rows;
    size_t n, cap;
};

static int day_of(const char *s, size_t len, long long *day)
{
    double ts;
    char buf[40];
    if (len == 10 && len < sizeof buf) {
        memcpy(buf, s, 10);
        memcpy(buf + 10, " 00:00:00", 10);
        s = buf;
        len = 19;
    }
    if (ob_time_parse(s, len, &ts) < 0)
        return -1;
    *day = (long long)floor(ts / 86400);
    return 0;
}

/* "1234.5", "$1,234.50": a cost. */
static int cost_of(const char *s, size_t len, double *v)
{
    char buf[64];
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof buf - 1; i++)
        if (s[i] != '$' && s[i] != ',' && s[i] != ' ')
            buf[n++] = s[i];
    buf[n] = '\0';
    char *end;
    errno = 0;
    *v = strtod(buf, &end);
    return n && !*end && !errno && isfinite(*v) ? 0 : -1;
}

static int read_bill(const char *path, struct bill *b)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "opsbox prices forecast: %s: %s\n", path, strerror(errno));
        return OB_EXIT_USAGE;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long lineno = 0;
    int rc = OB_EXIT_OK;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len)
            continue;
        struct ob_csv_field fs[4];
        size_t ecol;
        int n = ob_csv_split(line, (size_t)len, fs, 4, &ecol);
        long long day;
        double cost;
        if (n < 0) {
            fprintf(stderr, "opsbox prices forecast: %s:%lu:%zu: misplaced quote\n", path, lineno,
                    ecol);
            rc = OB_EXIT_USAGE;
            break;
        }
        if (n < 3) {
            fprintf(stderr, "opsbox prices forecast: %s:%lu: want date,service,cost\n", path,
                    lineno);
            rc = OB_EXIT_USAGE;
            break;
        }
        if (day_of(fs[0].ptr, fs[0].len, &day) < 0) {
            if (lineno == 1)
                continue; /* the header */
            fprintf(stderr, "opsbox prices forecast: %s:%lu:%zu: '%.*s' is not a date\n", path,
                    lineno, fs[0].col, (int)(fs[0].len > 40 ? 40 : fs[0].len), fs[0].ptr);
            rc = OB_EXIT_USAGE;
            break;
        }
        if (cost_of(fs[2].ptr, fs[2].len, &cost) < 0) {
            fprintf(stderr, "opsbox prices forecast: %s:%lu:%zu: '%.*s' is not a cost\n", path,
                    lineno, fs[2].col, (int)(fs[2].len > 40 ? 40 : fs[2].len), fs[2].ptr);
            rc = OB_EXIT_USAGE;
            break;
        }
        if (b->n == b->cap) {
            size_t nc = b->cap ? b->cap * 2 : 256;
            void *p = realloc(b->rows, nc * sizeof *b->rows);
            if (!p) {
                rc = OB_EXIT_FAILURE;
                break;
            }
            b->rows = p;
            b->cap = nc;
        }
        char *svc = strndup(fs[1].ptr, fs[1].len);
        if (!svc) {
            rc = OB_EXIT_FAILURE;
            break;
        }
        b->rows[b->n++] = (struct bill_row){svc, day, cost};
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (rc == OB_EXIT_OK && !b->n) {
        fprintf(stderr, "opsbox prices forecast: %s: no rows\n", path);
        rc = OB_EXIT_USAGE;
    }
    return rc;
}

static int by_service(const void *a, const void *b)
{
    return strcmp(((const struct bill_row *)a)->service, ((const struct bill_row *)b)->service);
}

static void print_forecast(const char *name, const struct ob_bill_forecast *f, int tsv)
{
    if (tsv) {
        printf("%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n", name, f->month_to_date,
               f->month, f->month_lo, f->month_hi, f->quarter_to_date, f->quarter, f->quarter_lo,
               f->quarter_hi);
        return;
    }
    printf("%-28s month %12.2f [%12.2f, %12.2f]   quarter %12.2f [%12.2f, %12.2f]\n", name,
           f->month, f->month_lo, f->month_hi, f->quarter, f->quarter_lo, f->quarter_hi);
}

static int forecast_one(const char *name, const double *daily, size_t n, long long first, int tsv)
{
    struct ob_bill_forecast f;
    if (ob_prices_forecast(daily, n, first, &f) < 0) {
        fprintf(stderr, "opsbox prices forecast: out of memory\n");
        return OB_EXIT_FAILURE;
    }
    print_forecast(name, &f, tsv);
    return OB_EXIT_OK;
}

static int cmd_forecast(int argc, char **argv)
{
    struct opts o = {0};
    int rc, first = parse_opts(argc, argv, "forecast", &o, &rc);
    if (first < 0)
        return rc;
    if (argc - first != 1) {
        fprintf(stderr, "opsbox prices forecast: one bill (date,service,cost) wanted\n");
        return OB_EXIT_USAGE;
    }
    struct bill b = {0};
    rc = read_bill(argv[first], &b);
    double *total = NULL, *daily = NULL;
    if (rc != OB_EXIT_OK)
        goto out;
    long long d0 = b.rows[0].day, d1 = b.rows[0].day;
    for (size_t i = 0; i < b.n; i++) {
        if (b.rows[i].day < d0)
            d0 = b.rows[i].day;
        if (b.rows[i].day > d1)
            d1 = b.rows[i].day;
    }
    if (d1 - d0 > 20 * 366) {
        fprintf(stderr, "opsbox prices forecast: %s: dates span more than 20 years\n", argv[first]);
        rc = OB_EXIT_USAGE;
        goto out;
    }
    size_t nd = (size_t)(d1 - d0 + 1);
    total = calloc(nd, sizeof *total);
    daily = calloc(nd, sizeof *daily);
    if (!total || !daily) {
        rc = OB_EXIT_FAILURE;
        goto out;
    }
    qsort(b.rows, b.n, sizeof *b.rows, by_service);
    char last[32], firsts[32];
    fmt_time((double)d1 * 86400, last, sizeof last);
    fmt_time((double)d0 * 86400, firsts, sizeof firsts);
    if (o.tsv)
        printf("service\tmonth_to_date\tmonth\tmonth_lo\tmonth_hi\tquarter_to_date\tquarter\t"
               "quarter_lo\tquarter_hi\n");
    else
        printf("bill %.10s to %.10s (%zu days); forecasts to the end of the month and quarter "
               "with a 90 %% band\n", firsts, last, nd);
    for (size_t i = 0; i < b.n && rc == OB_EXIT_OK;) {
        size_t j = i;
        memset(daily, 0, nd * sizeof *daily);
        while (j < b.n && !strcmp(b.rows[j].service, b.rows[i].service)) {
            daily[b.rows[j].day - d0] += b.rows[j].cost;
            total[b.rows[j].day - d0] += b.rows[j].cost;
            j++;
        }
        rc = forecast_one(b.rows[i].service, daily, nd, d0, o.tsv);
        i = j;
    }
    if (rc == OB_EXIT_OK)
        rc = forecast_one("TOTAL", total, nd, d0, o.tsv);
    if (rc == OB_EXIT_OK)
        rc = finish_output();
out:
    for (size_t i = 0; i < b.n; i++)
        free(b.rows[i].service);
    free(b.rows);
    free(total);
    free(daily);
    return rc;
}

int ob_cmd_prices(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return OB_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        usage(stdout);
        return OB_EXIT_OK;
    }
    if (!strcmp(sub, "changes"))
        return cmd_changes(argc - 1, argv + 1);
    if (!strcmp(sub, "history"))
        return cmd_history(argc - 1, argv + 1);
    if (!strcmp(sub, "fit"))
        return cmd_fit(argc - 1, argv + 1);
    if (!strcmp(sub, "forecast"))
        return cmd_forecast(argc - 1, argv + 1);
    fprintf(stderr, "opsbox prices: unknown subcommand '%s'; see 'opsbox prices --help'\n", sub);
    return OB_EXIT_USAGE;
}
