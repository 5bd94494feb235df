/* test_config_change.c - the line diff (src/core/linediff.c) and what a
 * file's edit brought (ob_cfg_check_change): a new bad entry is the one
 * change, with its hunk; a finding the old version had already is not new;
 * moving lines around brings nothing; the diff is a shortest one (checked
 * against an LCS table on random texts) and rebuilds the new text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "core/linediff.h"
#include "io/cfgread.h"

/* ---- the diff ---- */

static void test_diff_hunks(void **state)
{
    (void)state;
    struct ob_hunks hs;
    const char *a = "a\nb\nc\nd\n", *b = "a\nx\nc\nd\ne\n";
    assert_int_equal(ob_linediff(a, strlen(a), b, strlen(b), &hs), 0);
    assert_int_equal(hs.n, 2);
    assert_int_equal(hs.h[0].old_start, 2);
    assert_int_equal(hs.h[0].old_n, 1);
    assert_int_equal(hs.h[0].new_start, 2);
    assert_int_equal(hs.h[0].new_n, 1);
    assert_int_equal(hs.h[1].old_n, 0);
    assert_int_equal(hs.h[1].new_start, 5);
    assert_int_equal(hs.h[1].new_n, 1);
    char *t = ob_hunk_text(a, strlen(a), b, strlen(b), &hs.h[0]);
    assert_string_equal(t, "@@ -2,1 +2,1 @@\n-b\n+x\n");
    free(t);
    ob_hunks_clear(&hs);
    assert_int_equal(ob_linediff(a, strlen(a), a, strlen(a), &hs), 0);
    assert_int_equal(hs.n, 0);
    /* CRLF and a missing last newline are the same lines */
    assert_int_equal(ob_linediff("a\r\nb", 4, "a\nb\n", 4, &hs), 0);
    assert_int_equal(hs.n, 0);
    assert_int_equal(ob_linediff("", 0, "a\nb\n", 4, &hs), 0);
    assert_int_equal(hs.n, 1);
    assert_int_equal(hs.h[0].new_n, 2);
    ob_hunks_clear(&hs);
}

static size_t lcs(const char *const *x, size_t n, const char *const *y, size_t m)
{
    size_t *t = calloc((n + 1) * (m + 1), sizeof *t);
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++)
            t[i * (m + 1) + j] = !strcmp(x[i - 1], y[j - 1]) ? t[(i - 1) * (m + 1) + j - 1] + 1
                                 : t[(i - 1) * (m + 1) + j] > t[i * (m + 1) + j - 1]
                                     ? t[(i - 1) * (m + 1) + j]
                                     : t[i * (m + 1) + j - 1];
    size_t r = t[n * (m + 1) + m];
    free(t);
    return r;
}

/* Random texts over a few distinct lines: the hunks rebuild b from a, and
 * remove and add no more lines than the shortest script (n + m - 2 LCS). */
static void test_diff_random(void **state)
{
    (void)state;
    static const char *const words[] = {"x = 1", "y = 2", "[s]", "z", "# c"};
    srand(7);
    for (int round = 0; round < 300; round++) {
        const char *la[40], *lb[40];
        size_t n = (size_t)(rand() % 30), m = (size_t)(rand() % 30);
        char a[400] = "", b[400] = "";
        for (size_t i = 0; i < n; i++) {
            la[i] = words[rand() % 5];
            strcat(a, la[i]), strcat(a, "\n");
        }
        for (size_t j = 0; j < m; j++) {
            lb[j] = words[rand() % 5];
            strcat(b, lb[j]), strcat(b, "\n");
        }
        struct ob_hunks hs;
        assert_int_equal(ob_linediff(a, strlen(a), b, strlen(b), &hs), 0);
        size_t edits = 0, i = 0, out = 0;
        const char *rebuilt[80];
        for (size_t h = 0; h < hs.n; h++) {
            assert_true(hs.h[h].old_start >= i + 1);
            while (i + 1 < hs.h[h].old_start)
                rebuilt[out++] = la[i++];
            for (size_t k = 0; k < hs.h[h].new_n; k++)
                rebuilt[out++] = lb[hs.h[h].new_start - 1 + k];
            i += hs.h[h].old_n;
            edits += hs.h[h].old_n + hs.h[h].new_n;
        }
        while (i < n)
            rebuilt[out++] = la[i++];
        assert_int_equal(out, m);
        for (size_t j = 0; j < m; j++)
            assert_string_equal(rebuilt[j], lb[j]);
        assert_int_equal(edits, n + m - 2 * lcs(la, n, lb, m));
        ob_hunks_clear(&hs);
    }
}

/* ---- what an edit brought ---- */

static char *corpus_text(int i)
{
    char *t = malloc(512);
    snprintf(t, 512,
             "[server]\nport = %d\nbuffer_size = %dM\ntimeout = %d\ndata_dir = /var/lib/db\n"
             "enable_cache = %s\n\n[client]\nuser = app\nsocket = /tmp/db.sock\n",
             3000 + i, 16 + i % 48, 10 + i % 50, i % 2 ? "on" : "off");
    return t;
}

static struct ob_cfg_model *model;

static int setup(void **state)
{
    (void)state;
    struct ob_cfg_learner *l = ob_cfg_learner_new();
    char err[256];
    for (int i = 0; i < 80; i++) {
        char *t = corpus_text(i);
        struct ob_cfg_file f;
        if (ob_cfg_parse(t, strlen(t), "c.cnf", OB_CFG_INI, &f, err, sizeof err) < 0 ||
            ob_cfg_learn(l, &f) < 0)
            return -1;
        ob_cfg_file_clear(&f);
        free(t);
    }
    model = ob_cfg_learner_model(l);
    ob_cfg_learner_free(l);
    return model ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ob_cfg_model_free(model);
    return 0;
}

/* The changes from old to new text (old NULL: a file not seen before). */
static void changes(const char *old, const char *new, struct ob_cfg_changes *out)
{
    struct ob_cfg_file of, nf;
    char err[256];
    memset(out, 0, sizeof *out);
    if (old)
        assert_int_equal(ob_cfg_parse(old, strlen(old), "o.cnf", OB_CFG_INI, &of, err, sizeof err), 0);
    assert_int_equal(ob_cfg_parse(new, strlen(new), "n.cnf", OB_CFG_INI, &nf, err, sizeof err), 0);
    assert_int_equal(ob_cfg_check_change(model, old, old ? strlen(old) : 0, old ? &of : NULL, new,
                                         strlen(new), &nf, out),
                     0);
    if (old)
        ob_cfg_file_clear(&of);
    ob_cfg_file_clear(&nf);
}

static const char *const OLD = "[server]\nport = 3007\nbuffer_size = 32M\ntimeout = 20\n"
                               "data_dir = /var/lib/db\nenable_cache = on\n\n[client]\nuser = app\n"
                               "socket = /tmp/db.sock\n";

static void test_one_new_bad_entry(void **state)
{
    (void)state;
    struct ob_cfg_changes cs;
    changes(OLD, OLD, &cs);
    assert_int_equal(cs.n, 0);
    /* one edit: buffer_size misspelt */
    const char *new = "[server]\nport = 3007\nbuffer_sise = 32M\ntimeout = 20\n"
                      "data_dir = /var/lib/db\nenable_cache = on\n\n[client]\nuser = app\n"
                      "socket = /tmp/db.sock\n";
    changes(OLD, new, &cs);
    assert_int_equal(cs.n, 1);
    assert_int_equal(cs.c[0].f.cls, OB_CFG_TYPO);
    assert_int_equal(cs.c[0].f.line, 3);
    assert_string_equal(cs.c[0].f.key, "buffer_sise");
    assert_int_equal(cs.c[0].nhunks, 1);
    assert_string_equal(cs.c[0].diff, "@@ -3,1 +3,1 @@\n-buffer_size = 32M\n+buffer_sise = 32M\n");
    ob_cfg_changes_clear(&cs);
}

static void test_old_finding_not_new(void **state)
{
    (void)state;
    /* the old version has a negative timeout already; the edit adds a
     * misspelt entry: only that one is new */
    const char *old = "[server]\nport = 3007\nbuffer_size = 32M\ntimeout = -5\n"
                      "data_dir = /var/lib/db\n\n[client]\nuser = app\n";
    const char *new = "[server]\nport = 3007\nbuffer_size = 32M\ntimeout = -5\n"
                      "data_dir = /var/lib/db\ntimeuot = 30\n\n[client]\nuser = app\n";
    struct ob_cfg_changes cs;
    changes(NULL, old, &cs);
    assert_int_equal(cs.n, 1); /* seen first: its finding is new, with the whole file */
    assert_int_equal(cs.c[0].f.cls, OB_CFG_RANGE);
    assert_non_null(strstr(cs.c[0].diff, "+timeout = -5\n"));
    ob_cfg_changes_clear(&cs);
    changes(old, new, &cs);
    assert_int_equal(cs.n, 1);
    assert_int_equal(cs.c[0].f.cls, OB_CFG_TYPO);
    assert_int_equal(cs.c[0].f.line, 6);
    assert_string_equal(cs.c[0].diff, "@@ -6,0 +6,1 @@\n+timeuot = 30\n");
    ob_cfg_changes_clear(&cs);
    /* a value edited on the bad line keeps the same finding: not new */
    const char *edited = "[server]\nport = 3007\nbuffer_size = 32M\ntimeout = -7\n"
                         "data_dir = /var/lib/db\n\n[client]\nuser = app\n";
    changes(old, edited, &cs);
    assert_int_equal(cs.n, 0);
    ob_cfg_changes_clear(&cs);
}

static void test_reorder_brings_nothing(void **state)
{
    (void)state;
    const char *old = "[server]\nport = 3007\nbuffer_size = 32M\ntimeout = -5\n"
                      "data_dir = /var/lib/db\nenable_cache = on\n\n[client]\nuser = app\n";
    const char *moved = "[client]\nuser = app\n\n[server]\nenable_cache = on\ntimeout = -5\n"
                        "data_dir = /var/lib/db\nbuffer_size = 32M\nport = 3007\n";
    struct ob_cfg_changes cs;
    changes(old, moved, &cs);
    assert_int_equal(cs.n, 0);
    ob_cfg_changes_clear(&cs);
    /* a bad entry copied twice over: the copy is new, on its own line */
    const char *twice = "[server]\nport = 3007\nbuffer_size = 32M\ntimeout = -5\n"
                        "data_dir = /var/lib/db\nenable_cache = on\ntimeout = -5\n\n[client]\nuser = app\n";
    changes(old, twice, &cs);
    assert_int_equal(cs.n, 1);
    assert_int_equal(cs.c[0].f.line, 7);
    assert_string_equal(cs.c[0].diff, "@@ -7,0 +7,1 @@\n+timeout = -5\n");
    ob_cfg_changes_clear(&cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_hunks),
        cmocka_unit_test(test_diff_random),
        cmocka_unit_test_setup_teardown(test_one_new_bad_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_finding_not_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reorder_brings_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
