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
#define PREFIX(s) ob_mask_constant_prefix(s, strlen(s))
    /* Names without a digit: three dotted parts, or a dotted value. */
    assert_int_equal(PREFIX("proxy.cse.cuhk.edu.hk"), 0);
    assert_int_equal(PREFIX("com.apple.icloud.fmfd.heartbeat:"), 0);
    assert_int_equal(PREFIX("rhost=zummit.com"), 6);
    assert_int_equal(PREFIX("user=guest"), 10);
    /* ... but not an upper-case constant, a sentence's end, one dot. */
    assert_int_equal(PREFIX("android.intent.action.SCREEN_ON"), 31);
    assert_int_equal(PREFIX("hypervisor."), 11);
    assert_int_equal(PREFIX("zummit.com"), 10);
    assert_int_equal(PREFIX("=x.y.z"), 0);
    assert_int_equal(PREFIX("<*>"), 0); /* a user's mask already took it */
    assert_true(ob_mask_is_unit("KB)", 3) && ob_mask_is_unit("sec", 3) && ob_mask_is_unit("bytes,", 6));
    assert_false(ob_mask_is_unit("seconds", 7) || ob_mask_is_unit("sent,", 5) || ob_mask_is_unit(")", 1));
#undef PREFIX
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

/* A long template (10-19 constants: one mismatch allowed) is found among
 * thousands of its length and first token by the near index, also after a
 * save and load (which rebuild it); two mismatches make a new template. */
static void long_line(char *buf, size_t cap, int i, const char *last)
{
    char w[8];
    int k = 0;
    do
        w[k++] = (char)('a' + i % 26);
    while ((i /= 26) > 0 && k < 7);
    w[k] = '\0';
    snprintf(buf, cap, "event %s %s happened on node after the job was in its final %s", w, w, last);
}

static void test_one_mismatch_among_many(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    char line[160];
    uint32_t ids[3000];
    for (int i = 0; i < 3000; i++) {
        long_line(line, sizeof line, i, "stage");
        ids[i] = add(m, line);
    }
    assert_int_equal(ob_miner_templates(m), 3000);
    long_line(line, sizeof line, 1234, "phase");
    assert_int_equal(add(m, line), ids[1234]);
    assert_template(m, ids[1234], "event mvb mvb happened on node after the job was in its final <*>");
    void *blob;
    size_t len = ob_miner_save(m, &blob);
    struct ob_miner *b = ob_miner_load(blob, len);
    free(blob);
    assert_non_null(b);
    long_line(line, sizeof line, 2999, "round");
    assert_int_equal(add(b, line), ids[2999]);
    assert_int_equal(add(b, "event mvb mvb happened on node after the run was in its final stage"),
                     ids[1234]);
    /* Two constants differ: not 0.9 similar to any. */
    uint32_t fresh = add(b, "event dub dub happened on node after the run was in its last stage");
    assert_true(fresh > 3000);
    ob_miner_free(b);
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

/* Words that name the event start with a capital ("VM Started", "\"GET"):
 * three of them are three events, not a parameter (OpenStack's lifecycle
 * lines were one template). */
static void test_capitalised_words_stay_events(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    const char *ev[] = {"Started", "Paused", "Resumed", "Stopped"};
    uint32_t id[4];
    for (int i = 0; i < 4; i++) {
        char line[128];
        snprintf(line, sizeof line, "[instance: b9000564-fe1a-%d] VM %s (Lifecycle Event)", i, ev[i]);
        id[i] = add(m, line);
    }
    for (int i = 0; i < 4; i++)
        for (int k = i + 1; k < 4; k++)
            assert_int_not_equal(ob_miner_resolve(m, id[i]), ob_miner_resolve(m, id[k]));
    uint32_t get = add(m, "10.11.10.1 \"GET /v2/54fadb/servers/detail HTTP/1.1\" status: 200 len: 1893");
    uint32_t post = add(m, "10.11.10.1 \"POST /v2/54fadb/os-events HTTP/1.1\" status: 200 len: 380");
    uint32_t del = add(m, "10.11.10.1 \"DELETE /v2/54fadb/servers/b9 HTTP/1.1\" status: 204 len: 203");
    assert_true(get != post && post != del && get != del);
    ob_miner_free(m);
}

/* A word after "key=" is a setting: user=root / user=guest / user=test
 * stay three events (Linux's sshd lines), a host after rhost= is a value. */
static void test_key_value_words_stay_events(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    const char *fmt = "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=%s user=%s";
    const char *host[] = {"61.30.4.1", "zummit.com", "csnsu.nsuok.edu"};
    const char *user[] = {"root", "guest", "test"};
    uint32_t id[3][3];
    for (int h = 0; h < 3; h++)
        for (int u = 0; u < 3; u++) {
            char line[200];
            snprintf(line, sizeof line, fmt, host[h], user[u]);
            id[h][u] = ob_miner_resolve(m, add(m, line));
        }
    for (int u = 0; u < 3; u++) {
        assert_int_equal(ob_miner_resolve(m, id[0][u]), ob_miner_resolve(m, id[2][u])); /* hosts: one */
        assert_int_not_equal(ob_miner_resolve(m, id[0][u]), ob_miner_resolve(m, id[0][(u + 1) % 3]));
    }
    ob_miner_free(m);
}

/* A value with its unit is one position: Proxifier's close lines were six
 * templates by whether a size had "(1.16 KB)" after it and a lifetime was
 * "<1 sec" or "00:02". */
static void test_units_belong_to_their_value(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    uint32_t a = add(m, "proxy.cse.cuhk.edu.hk:5070 close, 0 bytes sent, 0 bytes received, lifetime <1 sec");
    assert_int_equal(add(m, "proxy.cse.cuhk.edu.hk:5070 close, 1190 bytes (1.16 KB) sent, 1671 bytes "
                            "(1.63 KB) received, lifetime 00:02"), a);
    assert_int_equal(add(m, "www.example.com:443 close, 451 bytes sent, 8078 bytes (7.88 KB) received, "
                            "lifetime 01:07"), a);
    assert_template(m, a, "<*> close, <*> sent, <*> received, lifetime <*>");
    ob_miner_free(m);
}

/* A template made before its position was known to vary ("invalid user
 * webmaster", then "invalid user 0racle" made the general one, which the
 * next names joined by search) joins the general one once three words were
 * seen there. OpenSSH's webmaster lines were their own event. */
static void test_early_template_joins_the_general_one(void **state)
{
    (void)state;
    struct ob_miner *m = ob_miner_new(NULL);
    uint32_t w = add(m, "Invalid user webmaster from 173.234.31.186");
    uint32_t g = add(m, "Invalid user 0racle from 103.79.141.133");
    assert_int_not_equal(w, g);
    assert_int_equal(add(m, "Invalid user admin from 5.36.59.76"), g);
    assert_int_equal(ob_miner_resolve(m, w), w); /* two words: not yet */
    add(m, "Invalid user test from 5.36.59.76");
    assert_int_equal(ob_miner_resolve(m, w), ob_miner_resolve(m, g)); /* the oldest id */
    assert_int_equal(add(m, "Invalid user oracle from 5.36.59.76"), ob_miner_resolve(m, g));
    assert_int_equal(add(m, "Invalid user webmaster from 1.2.3.4"), ob_miner_resolve(m, g));
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
    /* A value with its unit is one parameter, as it was one position. */
    const char *sent = "close, 1190 bytes (1.16 KB) sent, lifetime <1 sec";
    uint32_t b = add(m, sent);
    p.n = 0;
    assert_int_equal(ob_miner_params(m, b, sent, strlen(sent), collect, &p), 2);
    assert_string_equal(p.got[0], "1190 bytes (1.16 KB)");
    assert_string_equal(p.got[1], "<1 sec");
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
    /* Keys that hold one template (no group yet) carry over: the third
     * name after the load merges the two before it. */
    uint32_t s1 = add(b, "lease dropped by peer alpha"), s2 = add(b, "lease dropped by peer beta");
    void *blob2;
    size_t len2 = ob_miner_save(b, &blob2);
    struct ob_miner *c = ob_miner_load(blob2, len2);
    assert_non_null(c);
    free(blob2);
    assert_true(s1 != s2);
    uint32_t s3 = add(c, "lease dropped by peer gamma");
    assert_int_equal(ob_miner_resolve(c, s1), s3);
    assert_int_equal(ob_miner_resolve(c, s2), s3);
    ob_miner_free(c);
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
        cmocka_unit_test(test_one_mismatch_among_many),
        cmocka_unit_test(test_three_values_make_a_parameter),
        cmocka_unit_test(test_capitalised_words_stay_events),
        cmocka_unit_test(test_key_value_words_stay_events),
        cmocka_unit_test(test_units_belong_to_their_value),
        cmocka_unit_test(test_early_template_joins_the_general_one),
        cmocka_unit_test(test_parameters),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_save_load_resumes_identically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
