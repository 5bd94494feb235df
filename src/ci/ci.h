/* ci.h - AI for CI (public interface): why a build failed, which tests flake.
 *
 * Two halves, both without I/O:
 *
 *  - explain: a failed build log in, the lines that explain the failure
 *    out, best first. Lines are numbered as Python's str.splitlines()
 *    numbers them. Each line is cleaned (GitHub Actions prefixes and
 *    markers, timestamps, ANSI colours) and mined into a template by the
 *    log miner (src/logs), which masks numbers, ids, durations and hashes;
 *    a model holds the templates of passing logs. A failed line scores by
 *    being new to the model, by its error words, by starting a new block
 *    and by where it sits in the log; the report spreads over the blocks.
 *
 *  - history: test results of many runs (one record per test and run, in
 *    run order) in, per test: runs, failures, flaky, failing since run N,
 *    and the runs where most tests failed at once (infra).
 */
#ifndef OB_CI_H
#define OB_CI_H

#include <stddef.h>
#include <stdint.h>

/* ---- lines ---- */

/* The end of the line that starts at buf[pos] (pos < len): *next is where
 * the next line starts. Line ends are Python's: \n, \r\n, \r, \v, \f,
 * \x1c, \x1d, \x1e and the UTF-8 forms of U+0085, U+2028, U+2029.
 * Returns the line's length without its end. */
size_t ob_ci_line_end(const char *buf, size_t len, size_t pos, size_t *next);

/* ---- cleaning one line ---- */

enum {
    OB_CI_GROUP = 1u << 0,    /* a GitHub Actions ##[group] line: a block starts */
    OB_CI_ENDGROUP = 1u << 1, /* ##[endgroup] */
    OB_CI_GH_ERROR = 1u << 2, /* ##[error] (or ::error) */
};

/* Writes into out (cap bytes, cap >= 16) line[0..len) without the parts
 * that vary between two runs of the same build and carry no meaning: a
 * leading "job<TAB>step<TAB>" and ISO timestamp (GitHub Actions), ANSI
 * escapes, other control bytes, GitHub's ##[...] markers (noted in
 * *flags). Truncates at cap-1. Returns the length written. */
size_t ob_ci_clean(const char *line, size_t len, char *out, size_t cap, unsigned *flags);

/* How strongly a cleaned line reads as an error, 0 (not at all) to 1
 * ("[ERROR]", "FAILED", "fatal:", an exception's name...). */
double ob_ci_error_words(const char *s, size_t len);

/* 1 when a cleaned line continues a stack trace ("\tat f(X.java:1)",
 * "... 4 more", Python's "  File ..." and Go's "\t/path/x.go:12"). */
int ob_ci_trace_line(const char *s, size_t len);

/* ---- the model of passing logs ---- */

struct ob_ci_model;

/* new: an empty model; NULL on allocation failure. */
struct ob_ci_model *ob_ci_model_new(void);
void ob_ci_model_free(struct ob_ci_model *m);
/* Learns every line of one passing log as normal. 0, or -1 out of memory. */
int ob_ci_model_learn(struct ob_ci_model *m, const char *buf, size_t len);
/* Lines learned so far. */
uint64_t ob_ci_model_lines(const struct ob_ci_model *m);
/* Saves the model into a new buffer (*out, to free()); its size, 0 on
 * allocation failure. */
size_t ob_ci_model_save(const struct ob_ci_model *m, void **out);
/* new: a model from ob_ci_model_save's buffer; NULL when it is not one. */
struct ob_ci_model *ob_ci_model_load(const void *buf, size_t len);

/* ---- explain ---- */

enum {
    OB_CI_R_NEW = 1u << 0,     /* template not in the passing logs */
    OB_CI_R_ERROR = 1u << 1,   /* error words */
    OB_CI_R_HEAD = 1u << 2,    /* first line of a block the passing logs lack */
    OB_CI_R_TRACE = 1u << 3,   /* head of a stack trace */
    OB_CI_R_CONTEXT = 1u << 4, /* next to a reported line */
    OB_CI_R_END = 1u << 5,     /* among the last lines of the log */
    OB_CI_R_RARE = 1u << 6,    /* rare in the log itself (no model) */
};

struct ob_ci_finding {
    uint64_t line; /* from 1 */
    double score;
    unsigned reasons;
    size_t off, len; /* the raw line in the failed log's buffer */
};

/* Explains a failed log: at most k findings, best first, into a new array
 * (*out, to free(), also when there are none). The model's templates are what is normal; with an
 * empty model, normal is learned from the log itself. The failed log's
 * lines are mined into the model's miner (not counted as normal), so use
 * a model for one explain at a time. Returns the number of findings, or
 * -1 out of memory. */
long ob_ci_explain(struct ob_ci_model *m, const char *buf, size_t len, size_t k,
                   struct ob_ci_finding **out);

/* Sets one of explain's weights by name (see explain.c), for the
 * cross-validation in bench/ci_cv.py (OPSBOX_CI_TUNE="late=0.4,..."); 0, or
 * -1 for a name that is not one. Process-wide: not for the daemon. */
int ob_ci__tune(const char *name, double v);

/* Writes the reasons as words ("new template, error words") like snprintf. */
size_t ob_ci_reasons_text(unsigned reasons, char *buf, size_t cap);

/* ---- test history ---- */

enum ob_ci_result { OB_CI_NONE = 0, OB_CI_PASS = 1, OB_CI_FAIL = 2, OB_CI_SKIP = 3 };

struct ob_ci_history;

struct ob_ci_history *ob_ci_history_new(void);
void ob_ci_history_free(struct ob_ci_history *h);

/* Appends a run (label copied; may be NULL); runs are in the order added.
 * Returns its index from 0, or -1 out of memory. */
long ob_ci_history_run(struct ob_ci_history *h, const char *label);

/* One result of test "suite" / "name" in run (an index from
 * ob_ci_history_run). retried: it passed only after failing in that run
 * (Surefire's flakyFailure, TestGrid's FLAKY). The same test twice in one
 * run is one result: a pass after a failure is a pass on retry. 0 or -1
 * out of memory or a run that does not exist. */
int ob_ci_history_add(struct ob_ci_history *h, long run, const char *suite, size_t slen,
                      const char *name, size_t nlen, enum ob_ci_result r, int retried);

struct ob_ci_params {
    double infra_share;  /* a run where at least this share of tests failed... */
    unsigned infra_min;  /* ...and at least this many, is an outage (infra) */
    double chance;       /* a failing streak this unlikely from a test's own
                            failure rate before it is a new failure */
    unsigned min_streak; /* and it has at least this many runs */
};

struct ob_ci_params ob_ci_params_default(void);

struct ob_ci_run_report {
    const char *label; /* borrowed from the history */
    uint32_t tests, failures;
    int infra; /* most tests failed together, and not again in the next run */
};

struct ob_ci_test_report {
    const char *suite, *name; /* borrowed from the history */
    uint32_t runs, failures;  /* runs with a pass or fail result; failures among them */
    uint32_t infra_failures;  /* failures in infra runs (left out of the rest) */
    uint32_t retried;         /* runs where it passed on retry */
    uint32_t flips;           /* failures followed by a pass, outside a solid streak */
    long first_flip_run;      /* run of the first such failure, -1 none */
    long last_flip_run;
    int flaky;                /* flips or retried */
    long failing_since;       /* new failure: run where its final failing streak
                                 began (-1 none) */
    uint32_t streak;          /* length of that streak */
    double rate_before;       /* its failure rate before the streak */
    int always_failing;       /* failed every run it had, two at least */
};

/* Analyses the history (sorting each test's results by run): reports for every test (in the order first seen)
 * and every run, into new arrays (*tests, *runs; free() both). 0 or -1. */
int ob_ci_history_analyse(struct ob_ci_history *h, const struct ob_ci_params *p,
                          struct ob_ci_test_report **tests, size_t *ntests,
                          struct ob_ci_run_report **runs, size_t *nruns);

#endif
