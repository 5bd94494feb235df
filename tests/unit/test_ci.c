/* test_ci.c - src/ci and its readers: line ends as Python's splitlines,
 * cleaning (GitHub Actions prefixes, markers, colours), error words,
 * explain on small logs, the model's save and load, JUnit variants and
 * broken XML, TestGrid's grid, and the history's three findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ci/ci.h"
#include "io/ciresults.h"

static size_t count_lines(const char *s, size_t n)
{
    size_t lines = 0;
    for (size_t pos = 0, next; pos < n; pos = next, lines++)
        ob_ci_line_end(s, n, pos, &next);
    return lines;
}

static void test_line_ends(void **state)
{
    (void)state;
    /* each case: bytes and what Python's bytes.decode().splitlines() counts */
    static const struct {
        const char *s;
        size_t n, lines;
    } cases[] = {
        {"a\nb\n", 4, 2},          {"a\r\nb", 4, 2},          {"a\rb\rc", 5, 3},
        {"a\r\r\nb", 5, 3},        {"a\vb\fc", 5, 3},         {"a\x1c" "b\x1d" "c\x1e" "d", 7, 4},
        {"a\xc2\x85" "b", 4, 2},   {"a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", 9, 3},
        {"a\x85" "b", 3, 1},       /* a lone 0x85 is not U+0085: no line end */
        {"a\xe2\x80" "b", 4, 1},   {"\n\n", 2, 2},            {"", 0, 0},
        {"x\n", 2, 1},             {"\xff\xfe\r\xc2", 4, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = count_lines(cases[i].s, cases[i].n);
        if (got != cases[i].lines)
            fail_msg("case %zu: %zu lines, want %zu", i, got, cases[i].lines);
    }
    size_t next;
    assert_int_equal(ob_ci_line_end("ab\r\ncd", 6, 0, &next), 2);
    assert_int_equal(next, 4);
}

static const char *clean(const char *in, unsigned *flags)
{
    static char out[256];
    ob_ci_clean(in, strlen(in), out, sizeof out, flags);
    return out;
}

static void test_clean(void **state)
{
    (void)state;
    unsigned f;
    assert_string_equal(clean("2024-05-01T12:34:56.1234567Z hello", &f), "hello");
    assert_string_equal(clean("\xef\xbb\xbf" "2024-05-01T12:34:56.1234567Z hello", &f), "hello");
    assert_string_equal(clean("build\tstep one\t2021-12-01T13:01:04.3807878Z FAILED x", &f),
                        "FAILED x");
    assert_string_equal(clean("2024-05-01T12:34:56.1Z 2022-05-30T09:11:02.8577255Z  at a", &f),
                        " at a");
    assert_string_equal(clean("\x1b[1;31mERROR\x1b[m] x", &f), "ERROR] x");
    assert_string_equal(clean("2024-05-01T12:34:56.1234567Z ##[group]Run make", &f), "Run make");
    assert_true(f & OB_CI_GROUP);
    assert_string_equal(clean("##[endgroup]", &f), "");
    assert_true(f & OB_CI_ENDGROUP);
    assert_string_equal(clean("##[error]Process completed with exit code 1.", &f),
                        "Process completed with exit code 1.");
    assert_true(f & OB_CI_GH_ERROR);
    assert_string_equal(clean("2024-13-01 not a time", &f), "2024-13-01 not a time");
    assert_string_equal(clean("a\x01" "b\x7f" "c", &f), "abc");
    /* workflow commands cut short: read within the line only (found by
     * fuzz_ci_log; exact-size copies so ASan sees any overread) */
    const char *cut[] = {"::error", "::group:", "::endgroup:", "##[erro", "::"};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        size_t len = strlen(cut[i]);
        char *x = malloc(len), out[32];
        memcpy(x, cut[i], len);
        ob_ci_clean(x, len, out, sizeof out, &f);
        assert_int_equal(f, 0);
        free(x);
    }
    /* truncated, never overrun */
    char small[16];
    size_t n = ob_ci_clean("0123456789abcdefghij", 20, small, sizeof small, &f);
    assert_int_equal(n, 15);
}

static void test_error_words(void **state)
{
    (void)state;
    const char *bad[] = {"[ERROR] Failed to execute goal", "fatal: unable to access 'x'",
                         "java.lang.IllegalArgumentException: boom", "--- FAIL: TestX (0.01s)",
                         "Could not resolve dependencies", "No space left on device",
                         "BUILD FAILED in 3s"};
    const char *good[] = {"[INFO] Building jar: x.jar", "Downloading from central: https://x",
                          "compiling 12 files", "-Werror enabled for module"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ob_ci_error_words(bad[i], strlen(bad[i])) < 0.5)
            fail_msg("'%s' should read as an error", bad[i]);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (ob_ci_error_words(good[i], strlen(good[i])) > 0.1)
            fail_msg("'%s' should not read as an error", good[i]);
    assert_true(ob_ci_trace_line("\tat a.B.c(B.java:1)", 19));
    assert_true(ob_ci_trace_line("    ... 4 more", 14));
    assert_false(ob_ci_trace_line("at the end", 10));
}

/* A passing log and a failed one that differs by a block of errors in the
 * middle and the verdict at the end; progress bars end lines with CR. */
static char *make_log(int failed, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
#define OUT(...) (n += (size_t)snprintf(b + n, cap - n, __VA_ARGS__))
    for (int i = 0; i < 200; i++) {
        OUT("[INFO] Compiling module %d of 200 in %d ms\n", i, i * 7 + failed);
        if (i % 10 == 0)
            OUT("Progress %d%%\rProgress %d%%\r\n", i, i + 1);
        if (failed && i == 120) {
            OUT("[ERROR] /src/Main.java:[12,5] cannot find symbol\n");
            OUT("  symbol: method frob()\n");
        }
    }
    OUT(failed ? "[INFO] BUILD FAILURE\n" : "[INFO] BUILD SUCCESS\n");
#undef OUT
    *len = n;
    return b;
}

static size_t line_of(const char *buf, size_t len, const char *needle)
{
    size_t line = 1;
    for (size_t pos = 0, next; pos < len; pos = next, line++) {
        size_t n = ob_ci_line_end(buf, len, pos, &next);
        if (n >= strlen(needle) && strstr(buf + pos, needle) &&
            (size_t)(strstr(buf + pos, needle) - (buf + pos)) < n)
            return line;
    }
    return 0;
}

static void test_explain(void **state)
{
    (void)state;
    size_t plen, flen;
    char *pass = make_log(0, &plen), *fail = make_log(1, &flen);
    struct ob_ci_model *m = ob_ci_model_new();
    assert_non_null(m);
    assert_int_equal(ob_ci_model_learn(m, pass, plen), 0);
    struct ob_ci_finding *f;
    long n = ob_ci_explain(m, fail, flen, 5, &f);
    assert_true(n >= 2);
    size_t err = line_of(fail, flen, "cannot find symbol"), verdict = line_of(fail, flen, "BUILD FAILURE");
    int seen_err = 0, seen_verdict = 0;
    for (long i = 0; i < 2 && i < n; i++) {
        seen_err |= f[i].line == err;
        seen_verdict |= f[i].line == verdict;
        assert_true(f[i].reasons & OB_CI_R_NEW);
    }
    assert_true(seen_err && seen_verdict);
    /* best first, and the line's own bytes */
    for (long i = 1; i < n; i++)
        assert_true(f[i].line != f[i - 1].line);
    assert_memory_equal(fail + f[0].off, "[", 1);
    free(f);
    ob_ci_model_free(m);
    free(pass);
    free(fail);
}

static void test_model_round_trip(void **state)
{
    (void)state;
    size_t plen, flen;
    char *pass = make_log(0, &plen), *fail = make_log(1, &flen);
    struct ob_ci_model *a = ob_ci_model_new();
    assert_int_equal(ob_ci_model_learn(a, pass, plen), 0);
    void *blob;
    size_t n = ob_ci_model_save(a, &blob);
    assert_true(n > 0);
    struct ob_ci_model *b = ob_ci_model_load(blob, n);
    assert_non_null(b);
    assert_int_equal(ob_ci_model_lines(a), ob_ci_model_lines(b));
    struct ob_ci_finding *fa, *fb;
    long na = ob_ci_explain(a, fail, flen, 10, &fa), nb = ob_ci_explain(b, fail, flen, 10, &fb);
    assert_int_equal(na, nb);
    for (long i = 0; i < na; i++)
        assert_int_equal(fa[i].line, fb[i].line);
    /* corrupt or short buffers are refused */
    assert_null(ob_ci_model_load(blob, n / 2));
    ((char *)blob)[0] ^= 1;
    assert_null(ob_ci_model_load(blob, n));
    free(fa);
    free(fb);
    free(blob);
    ob_ci_model_free(a);
    ob_ci_model_free(b);
    free(pass);
    free(fail);
}

static void test_explain_hostile(void **state)
{
    (void)state;
    /* CR only, invalid UTF-8, NULs, an empty log, one huge line */
    const char cr[] = "ok\rok\rok\rERROR: boom\rok";
    struct ob_ci_model *m = ob_ci_model_new();
    struct ob_ci_finding *f;
    long n = ob_ci_explain(m, cr, sizeof cr - 1, 3, &f);
    assert_true(n >= 1);
    assert_int_equal(f[0].line, 4);
    free(f);
    ob_ci_model_free(m);
    const char bad[] = "\xff\xfe\x00\x80 error \xc3\x28\n\xed\xa0\x80\n";
    m = ob_ci_model_new();
    n = ob_ci_explain(m, bad, sizeof bad - 1, 5, &f);
    assert_int_equal(n, 2);
    free(f);
    ob_ci_model_free(m);
    m = ob_ci_model_new();
    n = ob_ci_explain(m, "", 0, 5, &f);
    assert_int_equal(n, 0);
    free(f);
    ob_ci_model_free(m);
    /* more lines than explain sorts whole (it selects the best first) */
    size_t cap = 8u << 20, len = 0;
    char *many = malloc(cap);
    unsigned seed = 1;
    for (int i = 0; i < 150000; i++) {
        seed = seed * 1103515245u + 12345u;
        len += (size_t)snprintf(many + len, cap - len, i == 77777 ? "FATAL: disk full on %u\n"
                                                                 : "step %c%c done %u\n",
                                'a' + (seed >> 16) % 26, 'a' + (seed >> 8) % 26, seed);
    }
    m = ob_ci_model_new();
    n = ob_ci_explain(m, many, len, 5, &f);
    assert_int_equal(n, 5);
    assert_int_equal(f[0].line, 77778);
    for (long i = 1; i < n; i++)
        assert_true(f[i].score <= f[0].score);
    free(f);
    free(many);
    ob_ci_model_free(m);
    size_t big = 1 << 22;
    char *huge = malloc(big);
    memset(huge, 'x', big);
    m = ob_ci_model_new();
    n = ob_ci_explain(m, huge, big, 5, &f);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].len, big);
    free(f);
    free(huge);
    ob_ci_model_free(m);
}

/* ---- readers and history ---- */

static struct ob_ci_history *one_run(const char *xml, long *cases)
{
    struct ob_ci_history *h = ob_ci_history_new();
    long run = ob_ci_history_run(h, "r1");
    char err[256];
    *cases = ob_junit_read(h, run, xml, strlen(xml), err, sizeof err);
    return h;
}

static const struct ob_ci_test_report *find(const struct ob_ci_test_report *t, size_t n,
                                            const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name))
            return &t[i];
    fail_msg("no test %s", name);
    return NULL;
}

static void test_junit_variants(void **state)
{
    (void)state;
    const char *xml =
        "<?xml version='1.0'?><testsuites><testsuite name='outer'><testsuite name='inner'>"
        "<testcase name='ok' classname='C' time='0.1'/>"
        "<testcase name='bad' classname='C'><failure message='x'>trace</failure></testcase>"
        "<testcase name='err' classname='C'><error/></testcase>"
        "<testcase name='skip' classname='C'><skipped/></testcase>"
        "<testcase name='flake' classname='C'><flakyFailure message='once'/></testcase>"
        "<testcase name='rerun' classname='C'><failure/><rerunFailure/></testcase>"
        "<testcase name='nocls'/>"
        "<testcase name='dup' classname='C'><failure/></testcase>"
        "<testcase name='dup' classname='C'/>"
        "</testsuite></testsuite></testsuites>";
    long cases;
    struct ob_ci_history *h = one_run(xml, &cases);
    assert_int_equal(cases, 9);
    struct ob_ci_params p = ob_ci_params_default();
    struct ob_ci_test_report *t;
    struct ob_ci_run_report *r;
    size_t nt, nr;
    assert_int_equal(ob_ci_history_analyse(h, &p, &t, &nt, &r, &nr), 0);
    assert_int_equal(nt, 8);
    assert_int_equal(nr, 1);
    assert_int_equal(r[0].tests, 7);
    assert_int_equal(find(t, nt, "bad")->failures, 1);
    assert_int_equal(find(t, nt, "err")->failures, 1);
    assert_int_equal(find(t, nt, "skip")->runs, 0);
    assert_true(find(t, nt, "flake")->flaky);
    assert_int_equal(find(t, nt, "rerun")->failures, 1);
    assert_string_equal(find(t, nt, "nocls")->suite, "inner");
    assert_true(find(t, nt, "dup")->flaky); /* failed, then passed in the same run */
    assert_false(find(t, nt, "ok")->flaky);
    free(t);
    free(r);
    ob_ci_history_free(h);
}

static void test_junit_broken(void **state)
{
    (void)state;
    char err[256];
    struct ob_ci_history *h = ob_ci_history_new();
    long run = ob_ci_history_run(h, NULL);
    const char *truncated = "<testsuite name='s'>\n<testcase name='a'/>\n<testcase name='b";
    assert_int_equal(ob_junit_read(h, run, truncated, strlen(truncated), err, sizeof err), -1);
    assert_non_null(strstr(err, "line 3"));
    const char *other = "<html><body/></html>";
    assert_int_equal(ob_junit_read(h, run, other, strlen(other), err, sizeof err), -1);
    assert_non_null(strstr(err, "testsuite"));
    const char *bad_utf8 = "<testsuite><testcase name='\xff\xfe'/></testsuite>";
    assert_int_equal(ob_junit_read(h, run, bad_utf8, strlen(bad_utf8), err, sizeof err), -1);
    const char *entity = "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                         "<testsuite><testcase name='&e;'/></testsuite>";
    long n = ob_junit_read(h, run, entity, strlen(entity), err, sizeof err);
    assert_true(n <= 1); /* never reads the file: the name stays unexpanded or is refused */
    assert_int_equal(ob_junit_read(h, run, "", 0, err, sizeof err), -1);
    /* a huge attribute: 1 MB is read, 12 MB refused with its line */
    for (size_t size = 1 << 20; size <= (12u << 20); size *= 12) {
        size_t len = size + 64;
        char *x = malloc(len);
        int k = snprintf(x, len, "<testsuite><testcase name='");
        memset(x + k, 'n', size);
        snprintf(x + k + size, len - k - size, "'/></testsuite>");
        long got = ob_junit_read(h, run, x, strlen(x), err, sizeof err);
        if (size == 1u << 20)
            assert_int_equal(got, 1);
        else
            assert_int_equal(got, -1);
        free(x);
    }
    ob_ci_history_free(h);
}

static void test_testgrid(void **state)
{
    (void)state;
    /* 22 runs, newest first: t1 fails in the two newest and passed in the 20
     * before; t2 passed on retry in the newest, has no result in the next */
    char grid[2048];
    int k = snprintf(grid, sizeof grid,
                     "{\"tests\":[{\"name\":\"t1\",\"statuses\":[{\"count\":2,\"value\":12},"
                     "{\"count\":20,\"value\":1}]},{\"name\":\"t2\",\"statuses\":[{\"count\":1,"
                     "\"value\":13},{\"count\":1,\"value\":0},{\"count\":20,\"value\":1}]}],"
                     "\"changelists\":[");
    for (int c = 0; c < 22; c++)
        k += snprintf(grid + k, sizeof grid - k, "%s\"cl%d\"", c ? "," : "", 22 - c);
    k += snprintf(grid + k, sizeof grid - k, "],\"timestamps\":[");
    for (int c = 0; c < 22; c++)
        k += snprintf(grid + k, sizeof grid - k, "%s%d", c ? "," : "", 1000 - c);
    snprintf(grid + k, sizeof grid - k, "]}");
    char err[256];
    struct ob_ci_history *h = ob_ci_history_new();
    assert_int_equal(ob_testgrid_read(h, grid, strlen(grid), err, sizeof err), 22);
    struct ob_ci_params p = ob_ci_params_default();
    struct ob_ci_test_report *t;
    struct ob_ci_run_report *r;
    size_t nt, nr;
    assert_int_equal(ob_ci_history_analyse(h, &p, &t, &nt, &r, &nr), 0);
    assert_int_equal(nr, 22);
    assert_string_equal(r[0].label, "cl1");
    assert_string_equal(r[21].label, "cl22");
    const struct ob_ci_test_report *t1 = find(t, nt, "t1"), *t2 = find(t, nt, "t2");
    assert_int_equal(t1->failing_since, 20);
    assert_int_equal(t1->streak, 2);
    assert_false(t1->flaky);
    assert_true(t2->flaky);
    assert_int_equal(t2->runs, 21);
    free(t);
    free(r);
    ob_ci_history_free(h);
    h = ob_ci_history_new();
    const char *bad = "{\"tests\":[{\"name\":\"x\",\"statuses\":[{\"count\":9,\"value\":1}]}],"
                      "\"timestamps\":[1,2]}";
    assert_int_equal(ob_testgrid_read(h, bad, strlen(bad), err, sizeof err), -1);
    assert_non_null(strstr(err, "tests[0].statuses[0]"));
    assert_int_equal(ob_testgrid_read(h, "[1,", 3, err, sizeof err), -1);
    ob_ci_history_free(h);
}

/* 40 runs of 20 tests: "flaky" fails every 7th run, "broken" from run 30,
 * run 12 is an outage (every test fails), the rest always pass. */
static void test_history_findings(void **state)
{
    (void)state;
    struct ob_ci_history *h = ob_ci_history_new();
    char name[32];
    for (int r = 0; r < 40; r++) {
        long run = ob_ci_history_run(h, NULL);
        for (int i = 0; i < 20; i++) {
            snprintf(name, sizeof name, i == 0 ? "flaky" : i == 1 ? "broken" : "t%d", i);
            int fail = r == 12 || (i == 0 && r % 7 == 3) || (i == 1 && r >= 30);
            assert_int_equal(ob_ci_history_add(h, run, "S", 1, name, strlen(name),
                                               fail ? OB_CI_FAIL : OB_CI_PASS, 0),
                             0);
        }
    }
    assert_int_equal(ob_ci_history_add(h, 99, "S", 1, "x", 1, OB_CI_PASS, 0), -1);
    struct ob_ci_params p = ob_ci_params_default();
    struct ob_ci_test_report *t;
    struct ob_ci_run_report *r;
    size_t nt, nr;
    assert_int_equal(ob_ci_history_analyse(h, &p, &t, &nt, &r, &nr), 0);
    for (size_t i = 0; i < nr; i++)
        assert_int_equal(r[i].infra, i == 12);
    const struct ob_ci_test_report *fl = find(t, nt, "flaky"), *br = find(t, nt, "broken");
    assert_true(fl->flaky);
    assert_int_equal(fl->failing_since, -1);
    assert_int_equal(br->failing_since, 30);
    assert_int_equal(br->streak, 10);
    assert_false(br->flaky);
    assert_int_equal(br->infra_failures, 1);
    for (size_t i = 0; i < nt; i++)
        if (t[i].name[0] == 't')
            assert_false(t[i].flaky || t[i].failing_since >= 0 || t[i].always_failing);
    free(t);
    free(r);
    ob_ci_history_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_ends),       cmocka_unit_test(test_clean),
        cmocka_unit_test(test_error_words),     cmocka_unit_test(test_explain),
        cmocka_unit_test(test_model_round_trip), cmocka_unit_test(test_explain_hostile),
        cmocka_unit_test(test_junit_variants),  cmocka_unit_test(test_junit_broken),
        cmocka_unit_test(test_testgrid),        cmocka_unit_test(test_history_findings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
