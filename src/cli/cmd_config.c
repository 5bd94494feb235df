/* cmd_config.c - `opsbox config`: learn a model of what one program's
 * configuration files look like from a corpus (src/config), and check files
 * against it, with the readers of src/io/cfgread.h at the edge. */
#include "cli/cli.h"

#include "config/config.h"
#include "io/cfgread.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox config learn --out MODEL [--format F] FILE_OR_DIR...\n"
            "       opsbox config check --model MODEL [--tsv] [--format F] FILE_OR_DIR...\n\n"
            "learn reads every configuration file given (folders recursively) of one\n"
            "program and writes what it learned as a JSON model: per key the sections it\n"
            "lives in, the kind of its values (number, size or duration with unit, switch,\n"
            "path, word, text) and their range; which keys come together (A => B) and which\n"
            "quantities stay below others (a < b), each with its support.\n"
            "check holds files to a model and prints what breaks it, most certain first:\n"
            "file:line: [section]key: class (confidence, support): evidence. Classes: typo\n"
            "(a key the corpus never has, one edit from one it often has), type, range,\n"
            "misplaced (a section the key is never in), missing (line 0: the key that should\n"
            "be there), relation. --tsv: FILE<TAB>LINE<TAB>CLASS<TAB>EVIDENCE per finding,\n"
            "LINE being the missing key's name for a missing entry.\n"
            "--format ini|apache|keyvalue|yaml|xml: the dialect, else told from the content.\n"
            "exit codes: 0 nothing found (learn: model written), 1 findings, 2 bad usage or\n"
            "unreadable input (each named file:line: what is wrong).\n");
}

/* ---- the files named on the command line, folders walked ---- */

struct paths {
    char **p;
    size_t n, cap;
};

static int add_path(struct paths *ps, const char *p)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 64;
        char **q = realloc(ps->p, cap * sizeof *q);
        if (!q)
            return -1;
        ps->p = q;
        ps->cap = cap;
    }
    if (!(ps->p[ps->n] = strdup(p)))
        return -1;
    ps->n++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files under path, in name order (so a model is the same each
 * run); dot files and folders skipped. -1 with a message when path is not
 * there. */
static int collect(struct paths *ps, const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "opsbox config: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return add_path(ps, path);
    if (depth > 32)
        return 0;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "opsbox config: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct paths here = {0};
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        size_t n = strlen(path) + strlen(de->d_name) + 2;
        char *full = malloc(n);
        if (!full) {
            rc = -1;
            break;
        }
        snprintf(full, n, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
        rc = add_path(&here, full);
        free(full);
    }
    closedir(d);
    qsort(here.p, here.n, sizeof *here.p, by_name);
    for (size_t i = 0; i < here.n; i++) {
        if (rc == 0)
            rc = collect(ps, here.p[i], depth + 1);
        free(here.p[i]);
    }
    free(here.p);
    return rc;
}

static void free_paths(struct paths *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->p[i]);
    free(ps->p);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0)
        if ((n += got) == cap) {
            char *p = realloc(buf, cap *= 2);
            if (!p)
                free(buf);
            buf = p;
        }
    fclose(fp);
    *len = n;
    return buf;
}

static int parse_format(const char *s)
{
    int f = ob_cfg_format_from_name(s);
    if (f < 0)
        fprintf(stderr, "opsbox config: --format %s: one of ini, apache, keyvalue, yaml, xml\n", s);
    return f;
}

/* A file read despite a problem: say where, once per file. */
static void warn_read_past(const struct ob_cfg_file *f)
{
    if (f->warning)
        fprintf(stderr, "opsbox config: %s:%s (read on%s)\n", f->name, f->warning,
                f->nwarnings > 1 ? ", and more like it" : "");
}

/* The options of both subcommands: the one path each needs (--out for
 * learn, --model for check), --format, --help, and for check --tsv (tsv
 * NULL: not taken). -1 to go on, else the exit code to return. */
static int parse_args(int argc, char **argv, const char *path_name, const char **path,
                      int *format, int *tsv)
{
    const struct option opts[] = {
        {path_name, required_argument, NULL, path_name[0]},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {tsv ? "tsv" : NULL, no_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    char shorts[] = {path_name[0], ':', 'f', ':', 'h', tsv ? 't' : 0, 0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        if (c == path_name[0])
            *path = optarg;
        else if (c == 't' && tsv)
            *tsv = 1;
        else if (c == 'f') {
            if ((*format = parse_format(optarg)) < 0)
                return OB_EXIT_USAGE;
        } else if (c == 'h') {
            usage(stdout);
            return OB_EXIT_OK;
        } else {
            usage(stderr);
            return OB_EXIT_USAGE;
        }
    }
    return -1;
}

/* ---- learn ---- */

static int cmd_learn(int argc, char **argv)
{
    const char *out = NULL;
    int format = OB_CFG_AUTO;
    int rc = parse_args(argc, argv, "out", &out, &format, NULL);
    if (rc >= 0)
        return rc;
    if (!out || optind >= argc) {
        fprintf(stderr, "opsbox config learn: --out MODEL and at least one FILE_OR_DIR\n");
        return OB_EXIT_USAGE;
    }
    struct paths ps = {0};
    for (int i = optind; i < argc; i++)
        if (collect(&ps, argv[i], 0) < 0) {
            free_paths(&ps);
            return OB_EXIT_USAGE;
        }
    struct ob_cfg_learner *l = ob_cfg_learner_new();
    size_t skipped = 0, learned = 0;
    rc = l ? OB_EXIT_OK : OB_EXIT_FAILURE;
    for (size_t i = 0; i < ps.n && rc == OB_EXIT_OK; i++) {
        struct ob_cfg_file f;
        char err[512];
        if (ob_cfg_read_file(ps.p[i], (enum ob_cfg_format)format, &f, err, sizeof err) < 0) {
            fprintf(stderr, "opsbox config learn: skipped %s\n", err);
            skipped++;
            ob_cfg_file_clear(&f);
            continue;
        }
        warn_read_past(&f);
        if (ob_cfg_learn(l, &f) < 0)
            rc = OB_EXIT_FAILURE;
        learned++;
        ob_cfg_file_clear(&f);
    }
    struct ob_cfg_model *m = rc == OB_EXIT_OK ? ob_cfg_learner_model(l) : NULL;
    char *text = m ? ob_cfg_model_dump(m) : NULL;
    if (rc == OB_EXIT_OK && !learned) {
        fprintf(stderr, "opsbox config learn: no file could be read\n");
        rc = OB_EXIT_USAGE;
    } else if (rc == OB_EXIT_OK && !text) {
        fprintf(stderr, "opsbox config learn: out of memory\n");
        rc = OB_EXIT_FAILURE;
    } else if (rc == OB_EXIT_OK) {
        FILE *fp = fopen(out, "w");
        if (!fp || fputs(text, fp) < 0 || fputc('\n', fp) < 0 || fclose(fp) != 0) {
            fprintf(stderr, "opsbox config learn: %s: %s\n", out, strerror(errno));
            rc = OB_EXIT_FAILURE;
        } else {
            struct ob_cfg_summary s;
            ob_cfg_model_summary(m, &s);
            printf("learned from %zu files (%zu skipped): %zu entries, %zu distinct keys, %zu sections\n",
                   s.files, skipped, s.entries, s.keys, s.sections);
            printf("rules: %zu keys with a value kind, %zu with a range, %zu with their sections\n",
                   s.typed, s.ranged, s.placed);
            printf("rules: %zu co-occurrences (A => B), %zu orderings (a < b)\n", s.cooccur,
                   s.relations);
            printf("model: %s (%zu bytes)\n", out, strlen(text) + 1);
        }
    }
    free(text);
    ob_cfg_model_free(m);
    ob_cfg_learner_free(l);
    free_paths(&ps);
    return rc;
}

/* ---- check ---- */

/* Evidence on one TSV line: no tabs or line ends. */
static void put_clean(const char *s)
{
    for (; *s; s++)
        putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void print_finding(const char *file, const struct ob_cfg_finding *f, int tsv)
{
    const char *cls = ob_cfg_class_name(f->cls);
    if (tsv) {
        fputs(file, stdout);
        if (f->line)
            printf("\t%u\t%s\t", f->line, cls);
        else {
            putchar('\t');
            put_clean(f->key);
            printf("\t%s\t", cls);
        }
        put_clean(f->evidence);
        putchar('\n');
        return;
    }
    if (f->line)
        printf("%s:%u: [%s]%s: %s (confidence %.2f, %u files): %s\n", file, f->line, f->section,
               f->key, cls, f->confidence, f->support, f->evidence);
    else
        printf("%s: [%s]%s: %s (confidence %.2f, %u): %s\n", file, f->section, f->key, cls,
               f->confidence, f->support, f->evidence);
}

static int cmd_check(int argc, char **argv)
{
    const char *model = NULL;
    int format = OB_CFG_AUTO, tsv = 0;
    int rc0 = parse_args(argc, argv, "model", &model, &format, &tsv);
    if (rc0 >= 0)
        return rc0;
    if (!model || optind >= argc) {
        fprintf(stderr, "opsbox config check: --model MODEL and at least one FILE_OR_DIR\n");
        return OB_EXIT_USAGE;
    }
    size_t len;
    char *text = slurp(model, &len), err[512];
    if (!text) {
        fprintf(stderr, "opsbox config check: %s: %s\n", model, strerror(errno));
        return OB_EXIT_USAGE;
    }
    struct ob_cfg_model *m = ob_cfg_model_load(text, len, err, sizeof err);
    free(text);
    if (!m) {
        fprintf(stderr, "opsbox config check: %s:%s\n", model, err);
        return OB_EXIT_USAGE;
    }
    struct paths ps = {0};
    int bad = 0, found = 0, failed = 0;
    for (int i = optind; i < argc; i++)
        if (collect(&ps, argv[i], 0) < 0)
            bad = 1;
    for (size_t i = 0; i < ps.n && !failed; i++) {
        struct ob_cfg_file f;
        if (ob_cfg_read_file(ps.p[i], (enum ob_cfg_format)format, &f, err, sizeof err) < 0) {
            fprintf(stderr, "opsbox config check: %s\n", err);
            bad = 1;
            ob_cfg_file_clear(&f);
            continue;
        }
        warn_read_past(&f);
        struct ob_cfg_findings fs = {0};
        if (ob_cfg_check(m, &f, &fs) < 0)
            failed = 1;
        for (size_t j = 0; j < fs.n; j++)
            print_finding(ps.p[i], &fs.f[j], tsv);
        found |= fs.n > 0;
        ob_cfg_findings_clear(&fs);
        ob_cfg_file_clear(&f);
    }
    free_paths(&ps);
    ob_cfg_model_free(m);
    if (failed) {
        fprintf(stderr, "opsbox config check: out of memory\n");
        return OB_EXIT_FAILURE;
    }
    return bad ? OB_EXIT_USAGE : found ? OB_EXIT_FAILURE : OB_EXIT_OK;
}

int ob_cmd_config(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return OB_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return OB_EXIT_OK;
    }
    if (!strcmp(argv[1], "learn"))
        return cmd_learn(argc - 1, argv + 1);
    if (!strcmp(argv[1], "check"))
        return cmd_check(argc - 1, argv + 1);
    fprintf(stderr, "opsbox config: unknown subcommand '%s' (learn or check)\n", argv[1]);
    return OB_EXIT_USAGE;
}
