/* cmd_mail.c - `opsbox mail threads|trends|headers MBOX...`: mailing list
 * archives (mbox files, plain or gzip, and Maildir folders) in; threads,
 * daily series with the detector's findings, and topics out.
 *
 * The edge work is here and in src/io (reading, MIME decoding); threading,
 * series and topics are src/mail's. Bodies are decoded only for trends,
 * which needs their new text; threads reads headers alone. */
#include "cli/cli.h"

#include "io/mbox.h"
#include "io/mime.h"
#include "mail/mail.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum mode { THREADS, TRENDS, HEADERS };

struct mail_opts {
    enum mode mode;
    bool tsv;
    long period;      /* trends: days at the end whose topics are shown */
    const char *list; /* the list's name for mail without List-Id */
};

static void mail_usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox mail threads [--tsv] MBOX...\n"
            "       opsbox mail trends [--tsv] [--period DAYS] MBOX...\n"
            "       opsbox mail headers MBOX...\n\n"
            "Reads mailing list archives: mbox files (mboxo or mboxrd, plain or gzip, as\n"
            "Mailman/pipermail and HyperKitty export them) and Maildir folders.\n\n"
            "threads   threads them (JWZ: Message-ID, In-Reply-To, References; subjects\n"
            "          when links are missing): per thread its start, messages,\n"
            "          participants, hours to the first reply by someone else, subject.\n"
            "          --tsv: one row per message, THREAD<TAB>MESSAGE-ID, THREAD the\n"
            "          Message-ID of the thread's root.\n"
            "trends    per list and day: messages, new threads, active senders, unanswered\n"
            "          threads, median hours to first reply, each scored by the metric\n"
            "          detector (it needs about 150 days of a list before it scores);\n"
            "          findings (bursts, drops) with their topics, and the topics of the\n"
            "          last --period days (default 7): keywords by TF-IDF against the\n"
            "          list's history, subject templates, each with its threads.\n"
            "          --tsv: every point, LIST DAY SERIES VALUE YHAT LOWER UPPER SCORE ANOMALY.\n"
            "headers   one row per message: MESSAGE-ID<TAB>DATE<TAB>FROM<TAB>SUBJECT, decoded\n"
            "          (RFC 2047); DATE in unix seconds, empty when unreadable.\n\n"
            "options:\n"
            "  --list NAME    the list of messages without a List-Id (default: unlisted)\n"
            "  -h, --help     this help\n"
            "Exit: 0 done, 2 bad usage or an unreadable archive (FILE:LINE: why).\n");
}

/* What decoding met, counted per run and told once at the end. */
struct problems {
    unsigned long charset, bytes, broken, no_id;
};

static void strip_id(const char **p, size_t *n)
{
    const char *lt = memchr(*p, '<', *n);
    if (!lt)
        return;
    const char *gt = memchr(lt, '>', *n - (size_t)(lt - *p));
    if (gt) {
        *p = lt + 1;
        *n = (size_t)(gt - lt - 1);
    }
}

/* The envelope's date ("addr Mon Jan  1 00:00:00 2007") when Date fails. */
static double envelope_date(const struct ob_mbox_msg *msg)
{
    const char *sp = memchr(msg->envelope, ' ', msg->envelope_len);
    if (!sp)
        return NAN;
    size_t n = msg->envelope_len - (size_t)(sp + 1 - msg->envelope);
    return ob_mime_date(sp + 1, n);
}

static void print_tsv_field(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) /* a TSV field keeps no tabs or line breaks */
        fputc(s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ? ' ' : s[i], out);
}

static int add_message(struct ob_mail *mail, struct ob_mail_head *h,
                       const struct ob_mbox_msg *msg, const struct mail_opts *o,
                       struct problems *pr)
{
    if (ob_mail_head_parse(h, msg->data, msg->len) < 0)
        return -1;
    int f1 = 0, f2 = 0, f3 = 0;
    size_t sl = 0, fl = 0, tl = 0;
    char *subject = ob_mime_header_text(h->subject.p, h->subject.n, &sl, &f1);
    char *from = ob_mime_address_text(h->from.p, h->from.n, &fl, &f2);
    char *text = NULL, *fresh = NULL;
    size_t fresh_len = 0;
    int rc = -1;
    if (!subject || !from)
        goto out;
    double date = ob_mime_date(h->date.p, h->date.n);
    if (isnan(date) && msg->envelope_len)
        date = envelope_date(msg);
    if (o->mode == TRENDS) {
        text = ob_mime_body_text(msg->data, msg->len, &tl, &f3);
        if (!text || !(fresh = malloc(tl + 1)))
            goto out;
        struct ob_mail_text_lines lines;
        fresh_len = ob_mail_new_text(text, tl, fresh, &lines);
    }
    int flags = f1 | f2 | f3;
    pr->charset += (flags & OB_MIME_BAD_CHARSET) != 0;
    pr->bytes += (flags & OB_MIME_BAD_BYTES) != 0;
    pr->broken += (flags & OB_MIME_BROKEN) != 0;
    pr->no_id += h->message_id.n == 0;
    const char *list = h->list_id.p;
    size_t list_len = h->list_id.n;
    strip_id(&list, &list_len);
    if (!list_len) {
        list = o->list;
        list_len = strlen(list);
    }
    struct ob_mail_input in = {
        .message_id = h->message_id.p, .message_id_len = h->message_id.n,
        .in_reply_to = h->in_reply_to.p, .in_reply_to_len = h->in_reply_to.n,
        .references = h->references.p, .references_len = h->references.n,
        .subject = subject, .subject_len = sl, .from = from, .from_len = fl,
        .list = list, .list_len = list_len,
        .text = fresh, .text_len = fresh_len, .date = date,
    };
    if (o->mode == HEADERS) {
        const char *id = h->message_id.p;
        size_t idn = h->message_id.n;
        strip_id(&id, &idn);
        print_tsv_field(stdout, id, idn);
        if (isnan(date))
            printf("\t\t");
        else
            printf("\t%.0f\t", date);
        print_tsv_field(stdout, from, fl);
        putchar('\t');
        print_tsv_field(stdout, subject, sl);
        putchar('\n');
        rc = 0;
    } else {
        rc = ob_mail_add(mail, &in);
    }
out:
    free(subject);
    free(from);
    free(text);
    free(fresh);
    return rc;
}

static int read_all(struct ob_mail *mail, char **paths, int n, const struct mail_opts *o)
{
    struct ob_mail_head h = {0};
    struct problems pr = {0};
    int rc = OB_EXIT_OK;
    for (int i = 0; i < n && rc == OB_EXIT_OK; i++) {
        char err[700];
        struct ob_mbox *mb = ob_mbox_open(paths[i], err, sizeof err);
        if (!mb) {
            fprintf(stderr, "opsbox mail: %s\n", err);
            rc = OB_EXIT_USAGE;
            break;
        }
        struct ob_mbox_msg msg;
        int got;
        while ((got = ob_mbox_next(mb, &msg)) == 1)
            if (add_message(mail, &h, &msg, o, &pr) < 0) {
                fprintf(stderr, "opsbox mail: %s:%lu: out of memory\n", msg.file, msg.line);
                got = 0;
                rc = OB_EXIT_FAILURE;
                break;
            }
        if (got < 0) {
            fprintf(stderr, "opsbox mail: %s\n", ob_mbox_error(mb));
            rc = OB_EXIT_USAGE;
        }
        ob_mbox_close(mb);
    }
    ob_mail_head_free(&h);
    if (pr.charset)
        fprintf(stderr, "opsbox mail: %lu messages in an unknown charset (its bytes shown as U+FFFD)\n",
                pr.charset);
    if (pr.bytes)
        fprintf(stderr, "opsbox mail: %lu messages with bytes not in their charset (shown as U+FFFD)\n",
                pr.bytes);
    if (pr.broken)
        fprintf(stderr, "opsbox mail: %lu messages with broken MIME structure (read as far as it goes)\n",
                pr.broken);
    if (pr.no_id)
        fprintf(stderr, "opsbox mail: %lu messages without a Message-ID (given one)\n", pr.no_id);
    return rc;
}

static void print_day(FILE *out, long long day)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    fprintf(out, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static void print_time(FILE *out, double t)
{
    if (isnan(t)) {
        fputs("-               ", out);
        return;
    }
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    fprintf(out, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
            tm.tm_hour, tm.tm_min);
}

static void print_threads(const struct ob_mail *mail, bool tsv)
{
    if (tsv) {
        for (size_t i = 0; i < ob_mail_messages(mail); i++) {
            struct ob_mail_thread t;
            ob_mail_thread_get(mail, ob_mail_message_thread(mail, i), &t);
            size_t n;
            const char *id = ob_mail_message_id(mail, i, &n);
            print_tsv_field(stdout, t.id, t.id_len);
            putchar('\t');
            print_tsv_field(stdout, id, n);
            putchar('\n');
        }
        return;
    }
    size_t unanswered = 0;
    printf("%-16s %5s %6s %8s  %s\n", "START (UTC)", "MSGS", "PEOPLE", "REPLY_H", "SUBJECT");
    for (size_t i = 0; i < ob_mail_threads(mail); i++) {
        struct ob_mail_thread t;
        ob_mail_thread_get(mail, i, &t);
        print_time(stdout, t.start);
        printf(" %5u %6u ", t.messages, t.participants);
        if (t.answered)
            printf("%8.1f  ", t.first_reply / 3600);
        else
            printf("%8s  ", "-");
        unanswered += !t.answered;
        print_tsv_field(stdout, t.subject, t.subject_len);
        putchar('\n');
    }
    printf("%zu messages, %zu threads, %zu unanswered\n", ob_mail_messages(mail),
           ob_mail_threads(mail), unanswered);
}

static void print_topics(const struct ob_mail *mail, const char *label,
                         const struct ob_mail_topic *t, size_t n, bool templates)
{
    for (size_t i = 0; i < n; i++) {
        if (templates)
            printf("    %s \"%s\" (%.0f threads)", label, t[i].text, t[i].score);
        else
            printf("    %s %s (%.2f)", label, t[i].text, t[i].score);
        for (size_t k = 0; k < t[i].nthreads; k++) {
            struct ob_mail_thread th;
            ob_mail_thread_get(mail, t[i].threads[k], &th);
            printf("%s<%.*s> \"", k ? ", " : ": ", (int)th.id_len, th.id);
            print_tsv_field(stdout, th.subject, th.subject_len > 60 ? 60 : th.subject_len);
            putchar('"');
        }
        putchar('\n');
    }
}

static void print_span_topics(const struct ob_mail *mail, size_t list, long long a,
                              long long b)
{
    struct ob_mail_topic t[5];
    size_t n = ob_mail_keywords(mail, list, a, b, t, 5);
    print_topics(mail, "keyword", t, n, false);
    n = ob_mail_templates(mail, list, a, b, t, 3);
    print_topics(mail, "subjects", t, n, true);
}

static void print_trends(const struct ob_mail *mail, const struct ob_mail_trends *tr,
                         const struct mail_opts *o)
{
    if (o->tsv) {
        printf("list\tday\tseries\tvalue\tyhat\tyhat_lower\tyhat_upper\tanomaly_score\tanomaly\n");
        for (size_t i = 0; i < ob_mail_trends_size(tr); i++) {
            const struct ob_mail_point *p = ob_mail_trends_point(tr, i);
            size_t ln;
            const char *name = ob_mail_list_name(mail, p->list, &ln);
            print_tsv_field(stdout, name, ln);
            putchar('\t');
            print_day(stdout, p->day);
            printf("\t%s\t%.10g\t%.10g\t%.10g\t%.10g\t%.4f\t%d\n", ob_mail_kind_name(p->kind),
                   p->value, p->det.yhat, p->det.yhat_lower, p->det.yhat_upper,
                   p->det.anomaly_score, p->det.anomaly);
        }
        return;
    }
    for (size_t l = 0; l < ob_mail_lists(mail); l++) {
        long long first, last;
        ob_mail_list_days(mail, l, &first, &last);
        size_t ln;
        const char *name = ob_mail_list_name(mail, l, &ln);
        size_t msgs = 0, threads = 0, unanswered = 0;
        for (size_t i = 0; i < ob_mail_threads(mail); i++) {
            struct ob_mail_thread t;
            ob_mail_thread_get(mail, i, &t);
            if (t.list != l)
                continue;
            threads++;
            msgs += t.messages;
            unanswered += !t.answered;
        }
        printf("list %.*s: ", (int)ln, name);
        if (last < first) {
            printf("no dated mail\n");
            continue;
        }
        print_day(stdout, first);
        printf(" .. ");
        print_day(stdout, last);
        printf(", %lld days, %zu messages, %zu threads, %zu unanswered\n", last - first + 1, msgs,
               threads, unanswered);
        size_t findings = 0;
        for (size_t i = 0; i < ob_mail_trends_size(tr); i++) {
            const struct ob_mail_point *p = ob_mail_trends_point(tr, i);
            if (p->list != l || !p->det.anomaly)
                continue;
            findings++;
            bool up = p->value > p->det.yhat;
            printf("  finding ");
            print_day(stdout, p->day);
            printf(" %s %s: %.4g (expected %.4g, band %.4g..%.4g), score %.3f\n",
                   ob_mail_kind_name(p->kind),
                   up ? "burst" : (p->value == 0 && p->kind == OB_MAIL_MESSAGES ? "silence" : "drop"),
                   p->value, p->det.yhat, p->det.yhat_lower, p->det.yhat_upper,
                   p->det.anomaly_score);
            if (up)
                print_span_topics(mail, l, p->day, p->day);
        }
        if (!findings)
            printf("  no findings%s\n", last - first + 1 < 150
                                            ? " (under 150 days: the detector is still learning)"
                                            : "");
        long long a = last - o->period + 1 < first ? first : last - o->period + 1;
        printf("  topics of ");
        print_day(stdout, a);
        printf(" .. ");
        print_day(stdout, last);
        printf(":\n");
        print_span_topics(mail, l, a, last);
    }
}

int ob_cmd_mail(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tsv", no_argument, NULL, 't'},
        {"period", required_argument, NULL, 'p'},
        {"list", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        mail_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? OB_EXIT_USAGE : OB_EXIT_OK;
    }
    struct mail_opts o = {.period = 7, .list = "unlisted"};
    if (!strcmp(argv[1], "threads"))
        o.mode = THREADS;
    else if (!strcmp(argv[1], "trends"))
        o.mode = TRENDS;
    else if (!strcmp(argv[1], "headers"))
        o.mode = HEADERS;
    else {
        fprintf(stderr, "opsbox mail: unknown command '%s' (threads, trends, headers); see --help\n",
                argv[1]);
        return OB_EXIT_USAGE;
    }
    argc--;
    argv++;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            o.tsv = true;
            break;
        case 'p': {
            char *end;
            errno = 0;
            o.period = strtol(optarg, &end, 10);
            if (errno || *end || o.period < 1 || o.period > 100000) {
                fprintf(stderr, "opsbox mail: --period: '%s' is not a number of days\n", optarg);
                return OB_EXIT_USAGE;
            }
            break;
        }
        case 'l':
            o.list = optarg;
            break;
        case 'h':
            mail_usage(stdout);
            return OB_EXIT_OK;
        default:
            fprintf(stderr, "opsbox mail: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return OB_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "opsbox mail: no archive given; see --help\n");
        return OB_EXIT_USAGE;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    ob_mime_init();
    struct ob_mail *mail = o.mode == HEADERS ? NULL : ob_mail_new();
    int rc = OB_EXIT_OK;
    if (o.mode != HEADERS && !mail) {
        fprintf(stderr, "opsbox mail: out of memory\n");
        rc = OB_EXIT_FAILURE;
        goto out;
    }
    rc = read_all(mail, argv + optind, argc - optind, &o);
    if (rc != OB_EXIT_OK || o.mode == HEADERS)
        goto out;
    if (ob_mail_finish(mail) < 0) {
        fprintf(stderr, "opsbox mail: out of memory\n");
        rc = OB_EXIT_FAILURE;
        goto out;
    }
    if (o.mode == THREADS) {
        print_threads(mail, o.tsv);
    } else {
        struct ob_detector_params params = ob_detector_params_default();
        struct ob_mail_trends *tr = ob_mail_trends_new(mail, &params);
        if (!tr) {
            fprintf(stderr, "opsbox mail: out of memory\n");
            rc = OB_EXIT_FAILURE;
            goto out;
        }
        print_trends(mail, tr, &o);
        ob_mail_trends_free(tr);
    }
out:
    if (fflush(stdout) != 0) {
        fprintf(stderr, "opsbox mail: writing output: %s\n", strerror(errno));
        rc = OB_EXIT_FAILURE;
    }
    ob_mail_free(mail);
    ob_mime_shutdown();
    return rc;
}
