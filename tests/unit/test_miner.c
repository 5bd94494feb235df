/* test_miner.c - the log template miner: masking, joining, generalising,
 * merging siblings, parameters, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "logs/logs.h"
#include "logs/mask.h"

static uint32_t add(struct ob_miner *m, const char *s)
{
    uint32_t id = ob_miner_add(m, s, strlen(s));
    assert_true(id > 0);
    return id;
}

static void assert_template(struct ob_miner *m, uint32_t id, const char *want)
{
    char buf[256];
    size_t n = ob_miner_template_text(m, ob_miner_resolve(m, id), buf, sizeof buf);
    assert_int_equal(n, strlen(want));
    assert_string_equal(buf, want);
}

static void test_masking(void **state)
{
    (void)state;
    assert_int_equal(ob_mask_constant_prefix("block", 5), 5);
    assert_int_equal(ob_mask_constant_prefix("blk_-1608999687919862906", 24), 0);
    assert_int_equal(ob_mask_constant_prefix("10.251.73.220:50010", 19), 0);
    assert_int_equal(ob_mask_constant_prefix("uid=0", 5), 4);
    assert_int_equal(ob_mask_constant_prefix("Jun", 3), 0);
    assert_int_equal(ob_mask_constant_prefix("June", 4), 4);
}

static void test_numbers_join_one_template(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    assert_non_null(m);
    uint32_t a = add(m, "Received block blk_1 of size 67108864 from /10.0.0.1");
    for (int i = 0; i < 1000; i++) {
        char line[128];
        snprintf(line, sizeof line, "Received block blk_%d of size %d from /10.0.%d.%d", i * 7919,
                 i * 13, i % 256, i % 7);
        assert_int_equal(add(m, line), a);
    }
    assert_int_equal(ob_miner_templates(m), 1);
    assert_int_equal(ob_miner_template_count(m, a), 1001);
    assert_int_equal(ob_miner_template_first(m, a), 1);
    assert_int_equal(ob_miner_messages(m), 1001);
    uint32_t late = add(m, "a brand new event");
    assert_int_equal(ob_miner_template_first(m, late), 1002);
    assert_template(m, a, "Received block <*> of size <*> from <*>");
    ob_miner_free(m);
}

static void test_different_events_stay_apart(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    uint32_t a = add(m, "Verification succeeded for blk_1");
    uint32_t b = add(m, "Deleting block blk_2 file /tmp/x1");
    uint32_t c = add(m, "Session initialized by client SPP.");
    uint32_t d = add(m, "Session initialized by client WindowsUpdateAgent.");
    assert_true(a != b && c != d && a != c);
    assert_int_equal(add(m, "Session initialized by client SPP."), c);
    assert_int_equal(add(m, "Verification succeeded for blk_99"), a);
    ob_miner_free(m);
}

static void test_similar_lines_generalise(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    /* 10 constant tokens, one differs: 0.9 similar, joins. */
    uint32_t a = add(m, "a b c d e f g h i j alpha");
    assert_int_equal(add(m, "a b c d e f g h i j beta"), a);
    assert_template(m, a, "a b c d e f g h i j <*>");
    /* The parameter matches anything from now on. */
    assert_int_equal(add(m, "a b c d e f g h i j gamma"), a);
    ob_miner_free(m);
}

static void test_three_values_make_a_parameter(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    uint32_t a = add(m, "session closed for user cyrus");
    uint32_t b = add(m, "session closed for user news");
    assert_true(a != b); /* two values may be two events */
    uint32_t c = add(m, "session closed for user root");
    assert_int_equal(ob_miner_resolve(m, b), ob_miner_resolve(m, a));
    assert_int_equal(c, ob_miner_resolve(m, a));
    assert_template(m, a, "session closed for user <*>");
    assert_int_equal(ob_miner_template_count(m, ob_miner_resolve(m, a)), 3);
    assert_int_equal(add(m, "session closed for user test"), ob_miner_resolve(m, a));
    ob_miner_free(m);
}

struct params {
    char got[8][32];
    int n;
};

static void collect(void *arg, const char *v, size_t len)
{
    struct params *p = arg;
    if (p->n < 8)
        snprintf(p->got[p->n++], sizeof p->got[0], "%.*s", (int)len, v);
}

static void test_parameters(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    const char *line = "login uid=42 from  10.0.0.7 at Jun";
    uint32_t a = add(m, line);
    struct params p = {0};
    assert_int_equal(ob_miner_params(m, a, line, strlen(line), collect, &p), 3);
    assert_string_equal(p.got[0], "42");
    assert_string_equal(p.got[1], "10.0.0.7");
    assert_string_equal(p.got[2], "Jun");
    assert_template(m, a, "login uid=<*> from <*> at <*>");
    ob_miner_free(m);
}

static void test_hostile_input(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    uint32_t first = ob_miner_add(m, "", 0); /* nothing allocated yet: found by fuzzing */
    assert_true(first > 0);
    static const char junk[] = "\xff\xfe\x00\x01 \x80 abc\r\n\t\x00";
    uint32_t a = ob_miner_add(m, junk, sizeof junk - 1);
    assert_true(a > 0);
    assert_int_equal(ob_miner_add(m, junk, sizeof junk - 1), a);
    assert_int_equal(add(m, ""), first);
    assert_int_equal(add(m, "   \t "), first);
    char big[100000];
    memset(big, 'x', sizeof big);
    for (size_t i = 7; i < sizeof big; i += 8)
        big[i] = ' ';
    assert_true(ob_miner_add(m, big, sizeof big) > 0);
    char small[4];
    uint32_t w = add(m, "abcdef ghi");
    assert_int_equal(ob_miner_template_text(m, w, small, sizeof small), 10);
    assert_string_equal(small, "abc");
    assert_int_equal(ob_miner_template_text(m, 9999, small, sizeof small), 0);
    ob_miner_free(m);
    struct ob_miner_params bad = {.similarity = 0};
    assert_null(ob_miner_new(&bad));
}

/* Lines of a small imaginary system, deterministic. */
static void nth_line(int i, char *out, size_t cap)
{
    static const char *users[] = {"cyrus", "news", "root", "test", "guest", "ftp"};
    static const char *verbs[] = {"opened", "closed"};
    switch (i % 5) {
    case 0: snprintf(out, cap, "session %s for user %s", verbs[i % 2], users[i % 6]); break;
    case 1: snprintf(out, cap, "connection from 10.0.%d.%d port %d", i % 7, i % 250, 1000 + i); break;
    case 2: snprintf(out, cap, "client %s checked in", i % 3 ? "SPP" : "WindowsUpdateAgent"); break;
    case 3: snprintf(out, cap, "a b c d e f g h i j %s", users[(i / 5) % 6]); break;
    default: snprintf(out, cap, "disk sda%d at %d%% full", i % 3, i % 100); break;
    }
}

static void test_save_load_resumes_identically(void **state)
{
    (void)state;
    struct ob_miner *a = ob_miner_new(NULL);
    char line[128];
    for (int i = 0; i < 300; i++) {
        nth_line(i, line, sizeof line);
        add(a, line);
    }
    void *blob;
    size_t len = ob_miner_save(a, &blob);
    assert_true(len > 0);
    struct ob_miner *b = ob_miner_load(blob, len);
    assert_non_null(b);
    assert_int_equal(ob_miner_templates(a), ob_miner_templates(b));
    for (int i = 300; i < 900; i++) {
        nth_line(i * 7 + 3, line, sizeof line);
        uint32_t ia = add(a, line), ib = add(b, line);
        assert_int_equal(ia, ib);
    }
    char ta[256], tb[256];
    for (uint32_t id = 1; id <= ob_miner_templates(a); id++) {
        assert_int_equal(ob_miner_resolve(a, id), ob_miner_resolve(b, id));
        assert_int_equal(ob_miner_template_count(a, id), ob_miner_template_count(b, id));
        ob_miner_template_text(a, id, ta, sizeof ta);
        ob_miner_template_text(b, id, tb, sizeof tb);
        assert_string_equal(ta, tb);
        assert_int_equal(ob_miner_template_first(a, id), ob_miner_template_first(b, id));
    }
    assert_int_equal(ob_miner_messages(a), ob_miner_messages(b));
    /* Every truncation and a flipped byte are refused, never a crash. */
    for (size_t cut = 0; cut < len; cut += 1 + cut / 64)
        assert_null(ob_miner_load(blob, cut));
    unsigned char *bytes = blob;
    bytes[0] ^= 1;
    assert_null(ob_miner_load(blob, len));
    free(blob);
    ob_miner_free(a);
    ob_miner_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masking),
        cmocka_unit_test(test_numbers_join_one_template),
        cmocka_unit_test(test_different_events_stay_apart),
        cmocka_unit_test(test_similar_lines_generalise),
        cmocka_unit_test(test_three_values_make_a_parameter),
        cmocka_unit_test(test_parameters),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_save_load_resumes_identically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
