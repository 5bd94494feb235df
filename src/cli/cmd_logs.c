/* cmd_logs.c - `opsbox logs parse|templates`: lines in, templates out.
 *
 * parse writes one CSV row per line with the template the line ends up in.
 * A line's template is known on arrival, but it may still generalise or
 * merge into another, so its final text is not: pass one mines and spools (id, message) to a
 * temporary file, pass two writes the rows. Memory stays bounded by the
 * number of templates whatever the input's size. */
#include "cli/cli.h"

#include "io/logformat.h"
#include "io/logmask.h"
#include "io/statefile.h"
#include "core/buf.h"
#include "logs/logs.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MASKS_MAX 64
#define IO_BUF ((size_t)1 << 20)

struct logs_opts {
    const char *format, *csv_path, *input, *state;
    char *masks[MASKS_MAX];
    size_t nmasks;
    double similarity;
    unsigned long long warmup;
    bool json;
};

static void logs_usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox logs parse [options] [FILE|-]\n"
            "       opsbox logs templates [options] [FILE|-]\n\n"
            "Mines log lines into templates (\"Received block <*> of size <*>\"), online.\n"
            "parse writes CSV LineId,EventId,EventTemplate,ParameterList, one row per line;\n"
            "templates prints each template with its count.\n\n"
            "options:\n"
            "  --format FMT      Loghub log_format: <Name> marks a field, <Content> the\n"
            "                    message, e.g. '<Date> <Time> <Level> <Component>: <Content>'.\n"
            "                    Without it the whole line is the message; a line that does\n"
            "                    not match is taken whole.\n"
            "  --csv OUT         (parse) write the CSV to OUT instead of stdout\n"
            "  --json            (templates) print JSON instead of a table\n"
            "  --warmup N        (templates) lines after which a template first seen is\n"
            "                    marked new (default 1000)\n"
            "  --similarity S    share of a template's constant tokens a line must match\n"
            "                    to join it, 0<S<=1 (default 0.9); ignored with a saved --state\n"
            "  --mask REGEX      (repeatable) a PCRE2 pattern whose matches become <*> before\n"
            "                    mining, for variables the built-in masks cannot know\n"
            "  --state FILE      load the miner from FILE if it exists, save it there after,\n"
            "                    so template ids carry over between runs\n"
            "  -h, --help        this help\n");
}

/* One line (with its newline, as getline gives it) into the miner and the
 * spool. Returns 0, or an exit code. */
static int mine_line(const char *line, size_t n, struct ob_logformat *fmt, struct ob_logmask *mask,
                     struct ob_miner *m, FILE *spool)
{
    const char *msg;
    size_t len;
    ob_logformat_message(fmt, line, n, &msg, &len);
    if (mask)
        msg = ob_logmask_apply(mask, msg, len, &len);
    uint32_t id = ob_miner_add(m, msg, len);
    if (id == 0) {
        fprintf(stderr, "opsbox logs: out of memory\n");
        return OB_EXIT_FAILURE;
    }
    uint64_t hdr[2] = {id, len};
    if (spool && (fwrite(hdr, sizeof hdr, 1, spool) != 1 || fwrite(msg, 1, len, spool) != len)) {
        fprintf(stderr, "opsbox logs: temporary file: %s\n", strerror(errno));
        return OB_EXIT_FAILURE;
    }
    return OB_EXIT_OK;
}

/* Reads every line of in into the miner, spooling (id, message) to spool
 * when it is not NULL. Reads in blocks of IO_BUF and finds lines with
 * memchr (a line longer than the block grows it): no library call per
 * line. Returns 0, or an exit code. */
static int mine(FILE *in, struct ob_logformat *fmt, struct ob_logmask *mask, struct ob_miner *m, FILE *spool)
{
    size_t cap = IO_BUF, have = 0;
    char *buf = malloc(cap);
    int rc = buf ? OB_EXIT_OK : OB_EXIT_FAILURE;
    if (!buf)
        fprintf(stderr, "opsbox logs: out of memory\n");
    bool eof = false;
    while (rc == OB_EXIT_OK && !eof) {
        if (have == cap) { /* one line fills the block */
            char *b = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!b) {
                fprintf(stderr, "opsbox logs: out of memory\n");
                rc = OB_EXIT_FAILURE;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + have, 1, cap - have, in);
        have += got;
        if (got == 0) {
            if (ferror(in)) {
                fprintf(stderr, "opsbox logs: reading input: %s\n", strerror(errno));
                rc = OB_EXIT_FAILURE;
                break;
            }
            eof = true;
        }
        size_t start = 0;
        for (;;) {
            const char *nl = memchr(buf + start, '\n', have - start);
            size_t end = nl ? (size_t)(nl - buf) + 1 : have;
            if (!nl && (!eof || start == have))
                break; /* an unfinished line waits for more; nothing left at the end */
            if ((rc = mine_line(buf + start, end - start, fmt, mask, m, spool)) != OB_EXIT_OK)
                break;
            start = end;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
    }
    free(buf);
    return rc;
}

/* Appends s[0..n) to b as one CSV field, quoted when it must be. */
static void csv_put(struct ob_buf *b, const char *s, size_t n)
{
    size_t plain = 0;
    while (plain < n && s[plain] != ',' && s[plain] != '"' && s[plain] != '\r' &&
           s[plain] != '\n' && s[plain] != '\0')
        plain++;
    if (plain == n) {
        ob_buf_put(b, s, n);
        return;
    }
    ob_buf_put(b, "\"", 1);
    for (size_t i = 0; i < n;) { /* runs up to and with each quote, which is doubled */
        const char *q = memchr(s + i, '"', n - i);
        size_t run = q ? (size_t)(q - s - i) + 1 : n - i;
        ob_buf_put(b, s + i, run);
        if (q)
            ob_buf_put(b, "\"", 1);
        i += run;
    }
    ob_buf_put(b, "\"", 1);
}

/* Appends v in decimal. */
static void put_u64(struct ob_buf *b, uint64_t v)
{
    char d[20];
    int k = sizeof d;
    do
        d[--k] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    ob_buf_put(b, d + k, sizeof d - (size_t)k);
}

/* Appends s[0..n) as a JSON string, ASCII only: '"', '\\' and control
 * characters escaped, UTF-8 as \uXXXX (pairs past U+FFFF), a byte that is
 * not UTF-8 as U+FFFD. Written here, not by a JSON library, because it runs
 * for every parameter of every line. */
static void json_str_put(struct ob_buf *b, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    ob_buf_put(b, "\"", 1);
    size_t i = 0;
    while (i < n) {
        size_t plain = i;
        while (plain < n && s[plain] >= 0x20 && s[plain] < 0x80 && s[plain] != '"' && s[plain] != '\\')
            plain++;
        ob_buf_put(b, s + i, plain - i);
        if ((i = plain) == n)
            break;
        unsigned c = s[i], cp = 0xFFFD;
        size_t len = 1;
        char esc[12];
        if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : (char)c;
            ob_buf_put(b, esc, 2);
            i++;
            continue;
        }
        if (c < 0x80) {
            cp = c;
        } else {
            size_t need = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            if (c >= 0xF5)
                need = 0;
            unsigned v = need == 2 ? c & 0x1F : need == 3 ? c & 0x0F : c & 0x07;
            size_t k = 1;
            while (need && k < need && i + k < n && (s[i + k] & 0xC0) == 0x80)
                v = (v << 6) | (s[i + k++] & 0x3F);
            if (need && k == need && !(need == 3 && (v < 0x800 || (v >= 0xD800 && v < 0xE000))) &&
                !(need == 4 && (v < 0x10000 || v > 0x10FFFF))) {
                cp = v;
                len = need;
            }
        }
        unsigned units[2] = {cp, 0}, nu = 1;
        if (cp > 0xFFFF) {
            units[0] = 0xD800 + ((cp - 0x10000) >> 10);
            units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            nu = 2;
        }
        for (unsigned u = 0; u < nu; u++) {
            char *e = esc + 6 * u;
            e[0] = '\\', e[1] = 'u';
            for (int h = 0; h < 4; h++)
                e[2 + h] = hex[(units[u] >> (12 - 4 * h)) & 0xF];
        }
        ob_buf_put(b, esc, 6 * nu);
        i += len;
    }
    ob_buf_put(b, "\"", 1);
}

/* Writes parse's rows; keeps per template its CSV text, since every line of
 * a template repeats it. */
struct row_writer {
    const struct ob_miner *m;
    FILE *out;
    struct ob_buf row;
    struct ob_buf *tpl_csv; /* [id]: the template text as a CSV field */
    uint32_t ntpl;
    struct ob_buf js;       /* the row's parameters as JSON, reused */
};

static void add_param(void *arg, const char *v, size_t n)
{
    struct ob_buf *js = arg;
    if (js->len > 1)
        ob_buf_put(js, ",", 1);
    json_str_put(js, (const unsigned char *)v, n);
}

static const struct ob_buf *template_field(struct row_writer *w, uint32_t id)
{
    struct ob_buf *f = &w->tpl_csv[id];
    if (f->len == 0 && !f->failed) {
        size_t n = ob_miner_template_text(w->m, id, NULL, 0);
        char *text = malloc(n + 1);
        if (!text) {
            f->failed = 1;
            return f;
        }
        ob_miner_template_text(w->m, id, text, n + 1);
        csv_put(f, text, n);
        free(text);
    }
    return f;
}

/* One CSV row: LineId,EventId,EventTemplate,ParameterList (a compact JSON
 * array of strings). */
static void write_row(struct row_writer *w, uint64_t line_id, uint32_t id, const char *msg,
                      size_t len)
{
    w->row.len = 0;
    put_u64(&w->row, line_id);
    ob_buf_put(&w->row, ",E", 2);
    put_u64(&w->row, id);
    ob_buf_put(&w->row, ",", 1);
    const struct ob_buf *t = template_field(w, id);
    ob_buf_put(&w->row, t->p, t->len);
    ob_buf_put(&w->row, ",", 1);
    w->js.len = 0;
    ob_buf_put(&w->js, "[", 1);
    ob_miner_params(w->m, id, msg, len, add_param, &w->js);
    ob_buf_put(&w->js, "]", 1);
    if (w->js.failed)
        w->row.failed = 1;
    else
        csv_put(&w->row, (const char *)w->js.p, w->js.len);
    ob_buf_put(&w->row, "\n", 1);
    if (!w->row.failed)
        fwrite(w->row.p, 1, w->row.len, w->out);
}

static int write_rows(FILE *spool, const struct ob_miner *m, FILE *out)
{
    uint64_t hdr[2], line_id = 0;
    struct row_writer w = {.m = m, .out = out, .ntpl = ob_miner_templates(m)};
    w.tpl_csv = calloc((size_t)w.ntpl + 1, sizeof *w.tpl_csv);
    char *msg = NULL;
    size_t cap = 0;
    int rc = w.tpl_csv ? OB_EXIT_OK : OB_EXIT_FAILURE;
    rewind(spool);
    fputs("LineId,EventId,EventTemplate,ParameterList\n", out);
    while (rc == OB_EXIT_OK && fread(hdr, sizeof hdr, 1, spool) == 1) {
        if (hdr[1] + 1 > cap) {
            char *b = realloc(msg, hdr[1] + 1);
            if (!b) {
                rc = OB_EXIT_FAILURE;
                break;
            }
            msg = b;
            cap = hdr[1] + 1;
        }
        if (fread(msg, 1, hdr[1], spool) != hdr[1]) {
            rc = OB_EXIT_FAILURE;
            break;
        }
        write_row(&w, ++line_id, ob_miner_resolve(m, (uint32_t)hdr[0]), msg, hdr[1]);
        if (w.row.failed)
            rc = OB_EXIT_FAILURE;
    }
    for (uint32_t i = 0; w.tpl_csv && i <= w.ntpl; i++)
        free(w.tpl_csv[i].p);
    free(w.tpl_csv);
    free(w.row.p);
    free(w.js.p);
    free(msg);
    if (rc != OB_EXIT_OK)
        fprintf(stderr, "opsbox logs: writing rows: out of memory or temporary file unreadable\n");
    return rc;
}

/* Appends s padded with blanks to width (on the left when right). */
static void put_padded(struct ob_buf *b, const char *s, size_t n, size_t width, bool right)
{
    static const char blanks[] = "                ";
    size_t pad = n < width ? width - n : 0;
    if (!right)
        ob_buf_put(b, s, n);
    ob_buf_put(b, blanks, pad < sizeof blanks - 1 ? pad : sizeof blanks - 1);
    if (right)
        ob_buf_put(b, s, n);
}

static void print_templates(const struct ob_miner *m, bool json, unsigned long long warmup)
{
    uint32_t n = ob_miner_templates(m);
    size_t cap = 4096;
    char *buf = malloc(cap);
    json_t *arr = json ? json_array() : NULL;
    struct ob_buf out = {0}, num = {0};
    for (uint32_t id = 1; buf && id <= n; id++) {
        if (ob_miner_resolve(m, id) != id)
            continue; /* merged into an older template, counted there */
        size_t l = ob_miner_template_text(m, id, buf, cap);
        if (l + 1 > cap) {
            char *b = realloc(buf, l + 1);
            if (!b)
                break;
            buf = b;
            cap = l + 1;
            ob_miner_template_text(m, id, buf, cap);
        }
        unsigned long long count = (unsigned long long)ob_miner_template_count(m, id);
        unsigned long long first = (unsigned long long)ob_miner_template_first(m, id);
        bool fresh = first > warmup;
        if (arr) {
            json_array_append_new(arr, json_pack("{s:o,s:s%,s:I,s:I,s:b}", "id", json_sprintf("E%u", id),
                                                 "template", buf, l, "count", (json_int_t)count,
                                                 "first_line", (json_int_t)first, "new", fresh));
            continue;
        }
        /* "E%-6u %10llu %-3s  %s\n", without a printf per template. */
        ob_buf_put(&out, "E", 1);
        num.len = 0;
        put_u64(&num, id);
        put_padded(&out, (const char *)num.p, num.len, 6, false);
        ob_buf_put(&out, " ", 1);
        num.len = 0;
        put_u64(&num, count);
        put_padded(&out, (const char *)num.p, num.len, 10, true);
        ob_buf_put(&out, " ", 1);
        put_padded(&out, fresh ? "new" : "", fresh ? 3 : 0, 3, false);
        ob_buf_put(&out, "  ", 2);
        ob_buf_put(&out, buf, l);
        ob_buf_put(&out, "\n", 1);
        if (out.len >= IO_BUF && !out.failed) {
            fwrite(out.p, 1, out.len, stdout);
            out.len = 0;
        }
    }
    if (out.len && !out.failed)
        fwrite(out.p, 1, out.len, stdout);
    if (out.failed)
        fprintf(stderr, "opsbox logs: out of memory writing templates\n");
    if (arr) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(arr);
    }
    free(out.p);
    free(num.p);
    free(buf);
}

static int parse_args(int argc, char **argv, struct logs_opts *o)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},  {"csv", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},          {"similarity", required_argument, NULL, 's'},
        {"state", required_argument, NULL, 'S'},   {"warmup", required_argument, NULL, 'w'},
        {"mask", required_argument, NULL, 'm'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': o->format = optarg; break;
        case 'c': o->csv_path = optarg; break;
        case 'j': o->json = true; break;
        case 'S': o->state = optarg; break;
        case 'm':
            if (o->nmasks == MASKS_MAX) {
                fprintf(stderr, "opsbox logs: --mask: at most %d\n", MASKS_MAX);
                return OB_EXIT_USAGE;
            }
            o->masks[o->nmasks++] = optarg;
            break;
        case 'w':
            errno = 0;
            o->warmup = strtoull(optarg, &end, 10);
            if (errno || *end || optarg[0] == '-' || !optarg[0]) {
                fprintf(stderr, "opsbox logs: --warmup: '%s' is not a count of lines\n", optarg);
                return OB_EXIT_USAGE;
            }
            break;
        case 's':
            o->similarity = strtod(optarg, &end);
            if (*end || !(o->similarity > 0 && o->similarity <= 1)) {
                fprintf(stderr, "opsbox logs: --similarity: '%s' is not a number in (0,1]\n", optarg);
                return OB_EXIT_USAGE;
            }
            break;
        case 'h': logs_usage(stdout); return -1;
        default:
            fprintf(stderr, "opsbox logs: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return OB_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "opsbox logs: one input at most; see --help\n");
        return OB_EXIT_USAGE;
    }
    o->input = optind < argc ? argv[optind] : "-";
    return OB_EXIT_OK;
}

#define STATE_MAX ((size_t)1 << 32) /* a state file larger than this is not ours */

/* The miner: from --state when that file exists, else new. NULL after
 * saying why; *rc is the exit code then. */
static struct ob_miner *open_miner(const struct logs_opts *o, int *rc)
{
    struct ob_miner_params mp = ob_miner_params_default();
    if (o->similarity > 0)
        mp.similarity = o->similarity;
    void *blob = NULL;
    size_t len = 0;
    int got = o->state ? ob_statefile_read(o->state, STATE_MAX, &blob, &len) : 1;
    if (got < 0) {
        fprintf(stderr, "opsbox logs: --state %s: %s\n", o->state, strerror(errno));
        *rc = OB_EXIT_FAILURE;
        return NULL;
    }
    struct ob_miner *m = got == 0 ? ob_miner_load(blob, len) : ob_miner_new(&mp);
    free(blob);
    if (!m && got == 0) {
        fprintf(stderr, "opsbox logs: --state %s: not a miner state this opsbox can read "
                        "(truncated, corrupt or another version)\n", o->state);
        *rc = OB_EXIT_USAGE;
    } else if (!m) {
        fprintf(stderr, "opsbox logs: out of memory\n");
        *rc = OB_EXIT_FAILURE;
    }
    return m;
}

static int save_miner(const struct logs_opts *o, const struct ob_miner *m)
{
    void *blob;
    size_t len = ob_miner_save(m, &blob);
    int rc = len && ob_statefile_write(o->state, blob, len) == 0 ? OB_EXIT_OK : OB_EXIT_FAILURE;
    if (rc != OB_EXIT_OK)
        fprintf(stderr, "opsbox logs: --state %s: saving failed: %s\n", o->state,
                len ? strerror(errno) : "out of memory");
    free(blob);
    return rc;
}

static int run(const char *sub, const struct logs_opts *o, FILE *in)
{
    char err[256];
    struct ob_logformat *fmt = NULL;
    if (o->format && !(fmt = ob_logformat_new(o->format, err, sizeof err))) {
        fprintf(stderr, "opsbox logs: --%s\n", err);
        return OB_EXIT_USAGE;
    }
    struct ob_logmask *mask = NULL;
    if (o->nmasks && !(mask = ob_logmask_new(o->masks, o->nmasks, err, sizeof err))) {
        fprintf(stderr, "opsbox logs: --%s\n", err);
        ob_logformat_free(fmt);
        return OB_EXIT_USAGE;
    }
    int rc = OB_EXIT_OK;
    struct ob_miner *m = open_miner(o, &rc);
    if (!m) {
        ob_logformat_free(fmt);
        ob_logmask_free(mask);
        return rc;
    }
    bool parse = strcmp(sub, "parse") == 0;
    FILE *spool = parse ? tmpfile() : NULL, *out = stdout;
    /* Large buffers: the default 4 KiB makes a system call every few
     * dozen lines (the input is read in blocks, see mine()). A failure
     * only costs speed. */
    if (spool)
        (void)setvbuf(spool, NULL, _IOFBF, IO_BUF);
    if (parse && !spool) {
        fprintf(stderr, "opsbox logs: cannot start: %s\n", strerror(errno));
        rc = OB_EXIT_FAILURE;
    }
    if (rc == OB_EXIT_OK && parse && o->csv_path && !(out = fopen(o->csv_path, "w"))) {
        fprintf(stderr, "opsbox logs: --csv %s: %s\n", o->csv_path, strerror(errno));
        rc = OB_EXIT_FAILURE;
        out = stdout;
    }
    if (out != stdout)
        (void)setvbuf(out, NULL, _IOFBF, IO_BUF);
    if (rc == OB_EXIT_OK)
        rc = mine(in, fmt, mask, m, spool);
    if (rc == OB_EXIT_OK && o->state)
        rc = save_miner(o, m);
    if (rc == OB_EXIT_OK && parse)
        rc = write_rows(spool, m, out);
    else if (rc == OB_EXIT_OK)
        print_templates(m, o->json, o->warmup);
    if ((out != stdout && fclose(out) != 0) || fflush(stdout) != 0) {
        fprintf(stderr, "opsbox logs: writing output: %s\n", strerror(errno));
        rc = OB_EXIT_FAILURE;
    }
    if (spool)
        fclose(spool);
    ob_miner_free(m);
    ob_logformat_free(fmt);
    ob_logmask_free(mask);
    return rc;
}

int ob_cmd_logs(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        logs_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? OB_EXIT_USAGE : OB_EXIT_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "parse") != 0 && strcmp(sub, "templates") != 0) {
        fprintf(stderr, "opsbox logs: unknown subcommand '%s' (parse or templates)\n", sub);
        return OB_EXIT_USAGE;
    }
    struct logs_opts o = {.warmup = 1000};
    int rc = parse_args(argc - 1, argv + 1, &o);
    if (rc != OB_EXIT_OK)
        return rc < 0 ? OB_EXIT_OK : rc;
    if (!strcmp(o.input, "-"))
        return run(sub, &o, stdin);
    FILE *in = fopen(o.input, "rb");
    if (!in) {
        fprintf(stderr, "opsbox logs: %s: %s\n", o.input, strerror(errno));
        return OB_EXIT_USAGE;
    }
    rc = run(sub, &o, in);
    fclose(in);
    return rc;
}
