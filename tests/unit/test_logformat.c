/* test_logformat.c - Loghub log_format expansion and message extraction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "io/logformat.h"

static void expect_message(struct ob_logformat *f, const char *line, const char *want, int matched)
{
    const char *msg;
    size_t len;
    assert_int_equal(ob_logformat_message(f, line, strlen(line), &msg, &len), matched);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(msg, want, len);
}

static void test_hdfs(void **state)
{
    (void)state;
    char err[256];
    struct ob_logformat *f =
        ob_logformat_new("<Date> <Time> <Pid> <Level> <Component>: <Content>", err, sizeof err);
    assert_non_null(f);
    expect_message(f, "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 "
                      "for block blk_3 terminating\r\n",
                   "PacketResponder 1 for block blk_3 terminating", 1);
    /* A line that does not match is its own message, trimmed. */
    expect_message(f, "  garbage line  \n", "garbage line", 0);
    ob_logformat_free(f);
}

static void test_optional_group_and_escapes(void **state)
{
    (void)state;
    char err[256];
    struct ob_logformat *f = ob_logformat_new(
        "<Month> <Date> <Time> <Level> <Component>(\\[<PID>\\])?: <Content>", err, sizeof err);
    assert_non_null(f);
    expect_message(f, "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure",
                   "authentication failure", 1);
    expect_message(f, "Jun 15 04:06:18 combo su: session opened", "session opened", 1);
    ob_logformat_free(f);
    f = ob_logformat_new("\\[<Time>\\] \\[<Level>\\] <Content>", err, sizeof err);
    assert_non_null(f);
    expect_message(f, "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok",
                   "workerEnv.init() ok", 1);
    ob_logformat_free(f);
}

static void test_bad_formats(void **state)
{
    (void)state;
    char err[256];
    assert_null(ob_logformat_new("<Date> <Time>", err, sizeof err));
    assert_non_null(strstr(err, "no <Content>"));
    assert_null(ob_logformat_new("<Date> ((( <Content>", err, sizeof err));
    assert_non_null(strstr(err, "not a valid regular expression"));
    assert_null(ob_logformat_new("<Da-te> <Content>", err, sizeof err));
    assert_non_null(strstr(err, "field name 'Da-te'"));
}

static void test_no_format_takes_whole_line(void **state)
{
    (void)state;
    expect_message(NULL, " whole line \r\n", "whole line", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hdfs),
        cmocka_unit_test(test_optional_group_and_escapes),
        cmocka_unit_test(test_bad_formats),
        cmocka_unit_test(test_no_format_takes_whole_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
