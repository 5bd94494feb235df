/* test_loki.c - Loki's push body (JSON): decoded as promtail sends it;
 * wrong shapes refused with the field's path, nothing half-decoded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "io/loki.h"

static void test_decodes_push(void **state)
{
    (void)state;
    const char *body = "{\"streams\":[{\"stream\":{\"job\":\"app\",\"instance\":\"a:1\"},"
                       "\"values\":[[\"1700000000500000000\",\"hello world\"],"
                       "[\"1700000001000000000\",\"line two\",{\"trace_id\":\"x\"}]]},"
                       "{\"stream\":{\"job\":\"db\"},\"values\":[]}]}";
    struct ob_loki_push p;
    char err[256];
    assert_int_equal(ob_loki_decode(body, strlen(body), &p, err, sizeof err), 0);
    assert_int_equal(p.nstreams, 2);
    assert_int_equal(p.nentries, 2);
    assert_string_equal(p.streams[0].labels[0].name, "instance"); /* sorted */
    assert_string_equal(p.streams[0].labels[1].value, "app");
    assert_true(p.streams[0].entries[0].ts == 1700000000.5);
    assert_int_equal(p.streams[0].entries[1].len, 8);
    assert_memory_equal(p.streams[0].entries[1].line, "line two", 8);
    assert_int_equal(p.streams[1].nentries, 0);
    ob_loki_free(&p);
}

/* What the format does not define is skipped, whatever its shape; a line
 * with escapes comes out unescaped, one without points into the body. */
static void test_skips_unknown_and_unescapes(void **state)
{
    (void)state;
    const char *body = "{\"extra\":{\"a\":[1,{\"b\":null}]},\"streams\":[{\"values\":"
                       "[[\"5\",\"tab\\there \\\"q\\\" \\u00e9\",[[true]],{\"k\":[]}],[\"6\",\"plain\"]],"
                       "\"stream\":{\"a\\\"b\":\"v\\n\",\"job\":\"x\"},\"more\":[[[]]]}],\"tail\":false}";
    struct ob_loki_push p;
    char err[256] = "";
    if (ob_loki_decode(body, strlen(body), &p, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(p.nstreams, 1);
    assert_int_equal(p.nentries, 2);
    const struct ob_loki_stream *st = &p.streams[0];
    assert_int_equal(st->nlabels, 2);
    assert_string_equal(st->labels[0].name, "a\"b"); /* a key with an escape */
    assert_string_equal(st->labels[0].value, "v\n");
    const char *want = "tab\there \"q\" \xc3\xa9";
    assert_int_equal(st->entries[0].len, strlen(want));
    assert_memory_equal(st->entries[0].line, want, strlen(want));
    assert_true(st->entries[0].ts == 5e-9);
    assert_true(st->entries[1].line >= body && st->entries[1].line < body + strlen(body));
    assert_memory_equal(st->entries[1].line, "plain", 5);
    ob_loki_free(&p);
}

static void expect(const char *body, const char *want)
{
    struct ob_loki_push p;
    char err[256] = "";
    assert_int_equal(ob_loki_decode(body, strlen(body), &p, err, sizeof err), -1);
    if (!strstr(err, want))
        fail_msg("'%s' lacks '%s'", err, want);
    assert_null(p.streams);
}

static void test_refuses(void **state)
{
    (void)state;
    expect("{", "not valid JSON");
    expect("[]", "streams: missing");
    expect("{\"streams\":[{\"values\":[]}]}", "streams[0].stream: expected an object");
    expect("{\"streams\":[{\"stream\":{\"a\":1},\"values\":[]}]}", "label values must be strings");
    expect("{\"streams\":[{\"stream\":{}}]}", "streams[0].values: missing");
    expect("{\"streams\":[{\"stream\":{},\"values\":[[\"1\",\"ok\"],[\"-5\",\"x\"]]}]}",
           "streams[0].values[1][0]: expected a string of unix nanoseconds");
    expect("{\"streams\":[{\"stream\":{},\"values\":[[\"1\",7]]}]}", "streams[0].values[0][1]");
    expect("{\"streams\":[{\"stream\":{},\"values\":[\"1\"]}]}", "streams[0].values[0]: expected");
    expect("{\"streams\":{}}", "streams: missing");
    expect("{\"streams\":[7]}", "streams[0].stream: expected an object");
    expect("{\"streams\":[{\"stream\":{},\"values\":[[\"1\",\"a\"]]},{\"stream\":[],\"values\":[]}]}",
           "streams[1].stream: expected an object");
    expect("{\"streams\":[{\"stream\":{},\"values\":[[\"1\",\"a\"],[\"2\"]]}]}",
           "streams[0].values[1]: expected");
    expect("{\"streams\":[{\"stream\":{},\"values\":[[\"12a\",\"a\"]]}]}",
           "streams[0].values[0][0]: expected a string of unix nanoseconds");
    expect("{\"streams\":[]} trailing", "not valid JSON");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decodes_push),
        cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_skips_unknown_and_unescapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
