/* test_mail_read.c - the mail readers at the edge: the mbox reader (From-line
 * quoting of mboxo and mboxrd, unquoted "From " in bodies, CRLF, gzip, cut
 * and non-mbox input, Maildir), the header block (unfolding, first field
 * wins, where the body starts) and the MIME decoding (encoded words, unknown
 * charsets, transfer encodings, broken multiparts, dates). Inputs are
 * written to a temporary folder, since the reader opens paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "io/mbox.h"
#include "io/mime.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_mail_read.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *put(const char *name, const void *data, size_t n)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return path;
}

/* All messages of path, each a NUL-terminated copy in out[]; the count, or
 * -1 when the reader refused (its error into err). */
static int read_all(const char *path, char out[][512], int max, char *err, size_t errcap)
{
    struct ob_mbox *mb = ob_mbox_open(path, err, errcap);
    assert_non_null(mb);
    struct ob_mbox_msg m;
    int n = 0, rc;
    while ((rc = ob_mbox_next(mb, &m)) == 1) {
        assert_true(n < max);
        assert_true(m.len < 512);
        memcpy(out[n], m.data, m.len);
        out[n][m.len] = 0;
        n++;
    }
    if (rc < 0) {
        snprintf(err, errcap, "%s", ob_mbox_error(mb));
        n = -1;
    }
    ob_mbox_close(mb);
    return n;
}

static const char two[] =
    "From alice@example.org Mon Sep  4 10:00:00 2017\n"
    "Message-ID: <a1@x>\n"
    "Subject: first\n"
    "\n"
    ">From the start, quoted once (mboxo and mboxrd)\n"
    ">>From a quoted quote (mboxrd)\n"
    "> From is not a From line\n"
    "From here on, written unquoted by a careless writer\n"
    "\n"
    "From bob@example.org Mon Sep  4 11:00:00 2017\n"
    "Message-ID: <b1@x>\n"
    "\n"
    "second\n";

static void test_from_quoting(void **state)
{
    (void)state;
    char msgs[4][512], err[600];
    int n = read_all(put("q.mbox", two, sizeof two - 1), msgs, 4, err, sizeof err);
    assert_int_equal(n, 2);
    /* one '>' off each >...>From line; "> From" and the unquoted line kept */
    assert_non_null(strstr(msgs[0], "\nFrom the start"));
    assert_non_null(strstr(msgs[0], "\n>From a quoted quote"));
    assert_non_null(strstr(msgs[0], "\n> From is not"));
    assert_non_null(strstr(msgs[0], "\nFrom here on, written"));
    assert_null(strstr(msgs[0], "b1@x"));
    /* the separator's blank line belongs to no message */
    assert_true(msgs[0][strlen(msgs[0]) - 1] != '\n' || msgs[0][strlen(msgs[0]) - 2] != '\n');
    assert_string_equal(msgs[1], "Message-ID: <b1@x>\n\nsecond\n");
}

/* A "From " after a blank line opens a message only when a header follows. */
static void test_from_in_body_after_blank(void **state)
{
    (void)state;
    static const char s[] = "From a@b Mon Sep  4 10:00:00 2017\n"
                            "Subject: s\n\nbody\n\nFrom my point of view\nthis stays\n";
    char msgs[4][512], err[600];
    assert_int_equal(read_all(put("b.mbox", s, sizeof s - 1), msgs, 4, err, sizeof err), 1);
    assert_non_null(strstr(msgs[0], "From my point of view\nthis stays"));
}

static void test_crlf_and_envelope(void **state)
{
    (void)state;
    static const char s[] = "From a@b Mon Sep  4 10:00:00 2017\r\nSubject: one\r\n\r\nx\r\n\r\n"
                            "From c@d Tue Sep  5 10:00:00 2017\r\nSubject: two\r\n\r\ny\r\n";
    struct ob_mbox *mb;
    char err[600];
    assert_non_null(mb = ob_mbox_open(put("crlf.mbox", s, sizeof s - 1), err, sizeof err));
    struct ob_mbox_msg m;
    assert_int_equal(ob_mbox_next(mb, &m), 1);
    assert_int_equal(m.envelope_len, strlen("a@b Mon Sep  4 10:00:00 2017"));
    assert_memory_equal(m.envelope, "a@b Mon Sep  4 10:00:00 2017", m.envelope_len);
    assert_int_equal(m.line, 2);
    assert_int_equal(ob_mbox_next(mb, &m), 1);
    assert_int_equal(m.line, 7);
    assert_memory_equal(m.data, "Subject: two", 12);
    assert_int_equal(ob_mbox_next(mb, &m), 0);
    ob_mbox_close(mb);
}

static void test_gzip_whole_and_cut(void **state)
{
    (void)state;
    /* enough messages that the gzip stream is longer than the cut */
    size_t cap = 200000, n = 0;
    char *big = malloc(cap);
    assert_non_null(big);
    for (int i = 0; n + 200 < cap; i++)
        n += (size_t)snprintf(big + n, cap - n,
                              "From a@b Mon Sep  4 10:00:00 2017\nMessage-ID: <%d@x>\n\n%d %x\n\n",
                              i, i * 7919, i * 104729);
    uLongf zn = compressBound(n) + 64;
    unsigned char *z = malloc(zn);
    assert_non_null(z);
    /* gzip framing: deflateInit2 with 16 + MAX_WBITS */
    z_stream zs = {0};
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)big;
    zs.avail_in = (uInt)n;
    zs.next_out = z;
    zs.avail_out = (uInt)zn;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t zlen = zs.total_out;
    deflateEnd(&zs);

    char err[600];
    struct ob_mbox *mb = ob_mbox_open(put("w.mbox.gz", z, zlen), err, sizeof err);
    assert_non_null(mb);
    struct ob_mbox_msg m;
    int count = 0, rc;
    while ((rc = ob_mbox_next(mb, &m)) == 1)
        count++;
    assert_int_equal(rc, 0);
    int expect = 0;
    for (const char *p = big; (p = strstr(p, "From a@b")); p++)
        expect++;
    assert_int_equal(count, expect);
    ob_mbox_close(mb);

    mb = ob_mbox_open(put("cut.mbox.gz", z, zlen / 2), err, sizeof err);
    assert_non_null(mb);
    while ((rc = ob_mbox_next(mb, &m)) == 1)
        ;
    assert_int_equal(rc, -1);
    assert_non_null(strstr(ob_mbox_error(mb), "truncated"));
    assert_non_null(strstr(ob_mbox_error(mb), "cut.mbox.gz"));
    ob_mbox_close(mb);
    free(z);
    free(big);
}

static void test_not_mbox_and_empty(void **state)
{
    (void)state;
    char err[600];
    static const char s[] = "\n\nSubject: no envelope\n\nbody\n";
    struct ob_mbox *mb = ob_mbox_open(put("not.mbox", s, sizeof s - 1), err, sizeof err);
    assert_non_null(mb);
    struct ob_mbox_msg m;
    assert_int_equal(ob_mbox_next(mb, &m), -1);
    assert_non_null(strstr(ob_mbox_error(mb), "not.mbox:3: not an mbox"));
    ob_mbox_close(mb);
    mb = ob_mbox_open(put("empty.mbox", "", 0), err, sizeof err);
    assert_non_null(mb);
    assert_int_equal(ob_mbox_next(mb, &m), 0);
    ob_mbox_close(mb);
    assert_null(ob_mbox_open("/nonexistent/x.mbox", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/x.mbox"));
}

static void test_maildir(void **state)
{
    (void)state;
    char p[160], err[600];
    snprintf(p, sizeof p, "%s/md", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/md/cur", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/md/new", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    put("md/cur/2", "Subject: b\n\ny\n", 14);
    put("md/cur/1", "From x@y Mon Sep  4 10:00:00 2017\nSubject: a\n\nx\n", 48);
    put("md/new/.hidden", "junk", 4);
    snprintf(p, sizeof p, "%s/md", dir);
    struct ob_mbox *mb = ob_mbox_open(p, err, sizeof err);
    assert_non_null(mb);
    struct ob_mbox_msg m;
    assert_int_equal(ob_mbox_next(mb, &m), 1);
    assert_memory_equal(m.data, "Subject: a\n", 11); /* envelope line taken off */
    assert_int_equal(m.line, 2);
    assert_int_equal(ob_mbox_next(mb, &m), 1);
    assert_memory_equal(m.data, "Subject: b\n", 11);
    assert_int_equal(ob_mbox_next(mb, &m), 0);
    ob_mbox_close(mb);
    snprintf(p, sizeof p, "%s/md/cur", dir); /* a folder that is no Maildir */
    assert_null(ob_mbox_open(p, err, sizeof err));
    assert_non_null(strstr(err, "not a Maildir"));
}

static void test_header_block(void **state)
{
    (void)state;
    static const char s[] = "Message-ID: <m@x>\r\n"
                            "References: <a@x>\r\n"
                            "\t<b@x>\r\n"
                            "  <c@x>\r\n"
                            "subject: first\r\n"
                            "Subject: second\r\n"
                            "X-Long: " "y\r\n"
                            "\r\n"
                            "Subject: in the body\r\n";
    struct ob_mail_head h = {0};
    assert_int_equal(ob_mail_head_parse(&h, s, sizeof s - 1), 0);
    assert_string_equal(h.message_id.p, "<m@x>");
    assert_string_equal(h.references.p, "<a@x> <b@x>  <c@x>");
    assert_int_equal(h.references.n, strlen(h.references.p));
    assert_string_equal(h.subject.p, "first"); /* the first wins; names any case */
    assert_string_equal(h.in_reply_to.p, "");
    assert_string_equal(s + h.body, "Subject: in the body\r\n");
    /* no blank line: a line that is no header starts the body */
    static const char t[] = "From: a@b\nthis is text\nDate: x\n";
    assert_int_equal(ob_mail_head_parse(&h, t, sizeof t - 1), 0);
    assert_string_equal(h.from.p, "a@b");
    assert_string_equal(h.date.p, "");
    assert_string_equal(t + h.body, "this is text\nDate: x\n");
    ob_mail_head_free(&h);
}

static int utf8_valid(const char *s)
{
    int bad = 1;
    size_t n;
    char *c = ob_utf8_clean(s, strlen(s), &n, &bad);
    free(c);
    return !bad;
}

static void test_header_words(void **state)
{
    (void)state;
    size_t n;
    int fl;
    char *s = ob_mime_header_text("=?UTF-8?B?w6TDtsO8?= =?iso-8859-1?q?caf=E9?=_x", 46, &n, &fl);
    assert_string_equal(s, "äöücafé_x");
    assert_int_equal(fl, 0);
    free(s);
    /* an unknown charset: flagged, and what comes out is still UTF-8 */
    const char *u = "=?x-no-such-cs?q?caf=E9?= ok";
    s = ob_mime_header_text(u, strlen(u), &n, &fl);
    assert_true(fl & OB_MIME_BAD_CHARSET);
    assert_true(utf8_valid(s));
    assert_non_null(strstr(s, "ok"));
    free(s);
    /* raw 8-bit bytes in a header (no encoded word): GMime reads them in
     * its fallback charsets; never passed through as invalid UTF-8 */
    s = ob_mime_header_text("caf\xe9 \xff\xfe", 7, &n, &fl);
    assert_true(utf8_valid(s));
    assert_memory_equal(s, "caf", 3);
    free(s);
    const char *a = "=?iso-8859-1?q?Andr=E9_Dupont?= <andre@example.org>";
    s = ob_mime_address_text(a, strlen(a), &n, &fl);
    assert_string_equal(s, "André Dupont <andre@example.org>");
    free(s);
    const char *q = "\"Doe, John\" <jd@example.org>";
    s = ob_mime_address_text(q, strlen(q), &n, &fl);
    assert_string_equal(s, "\"Doe, John\" <jd@example.org>");
    free(s);
}

static void test_dates(void **state)
{
    (void)state;
    const char *d = "Mon, 4 Sep 2017 10:00:00 +0200";
    assert_true(ob_mime_date(d, strlen(d)) == 1504512000.0);
    d = "4 Sep 2017 08:00:00 GMT";
    assert_true(ob_mime_date(d, strlen(d)) == 1504512000.0);
    d = "not a date";
    assert_true(isnan(ob_mime_date(d, strlen(d))));
    assert_true(isnan(ob_mime_date("", 0)));
}

static void test_bodies(void **state)
{
    (void)state;
    size_t n;
    int fl;
    const char *alt = "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"XX\"\n\n"
                      "--XX\nContent-Type: text/html\n\n<p>html</p>\n"
                      "--XX\nContent-Type: text/plain; charset=iso-8859-1\n"
                      "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 au lait\n--XX--\n";
    char *s = ob_mime_body_text(alt, strlen(alt), &n, &fl);
    assert_non_null(strstr(s, "café au lait"));
    assert_null(strstr(s, "html"));
    assert_int_equal(fl, 0);
    free(s);
    const char *b64 = "Content-Type: text/plain; charset=utf-8\n"
                      "Content-Transfer-Encoding: base64\n\nw6TDtsO8IG9rCg==\n";
    s = ob_mime_body_text(b64, strlen(b64), &n, &fl);
    assert_string_equal(s, "äöü ok\n");
    free(s);
    const char *unk = "Content-Type: text/plain; charset=x-no-such-cs\n\ncaf\xe9\n";
    s = ob_mime_body_text(unk, strlen(unk), &n, &fl);
    assert_true(fl & OB_MIME_BAD_CHARSET);
    assert_true(utf8_valid(s));
    free(s);
    const char *html = "Content-Type: text/html\n\n<p>x</p>\n";
    s = ob_mime_body_text(html, strlen(html), &n, &fl);
    assert_true(fl & OB_MIME_NO_TEXT);
    assert_string_equal(s, "");
    free(s);
    /* a multipart whose boundary never comes: broken, said so */
    const char *broken = "Content-Type: multipart/mixed; boundary=\"ZZ\"\n\n"
                         "--ZZ\nContent-Type: text/plain\n\npart one, never closed\n";
    s = ob_mime_body_text(broken, strlen(broken), &n, &fl);
    assert_true(fl & OB_MIME_BROKEN);
    assert_true(utf8_valid(s));
    free(s);
    const char *nob = "Content-Type: multipart/mixed\n\n--\nno boundary\n";
    s = ob_mime_body_text(nob, strlen(nob), &n, &fl);
    assert_true(fl & (OB_MIME_BROKEN | OB_MIME_NO_TEXT));
    free(s);
}

int main(void)
{
    ob_mime_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_quoting),
        cmocka_unit_test(test_from_in_body_after_blank),
        cmocka_unit_test(test_crlf_and_envelope),
        cmocka_unit_test(test_gzip_whole_and_cut),
        cmocka_unit_test(test_not_mbox_and_empty),
        cmocka_unit_test(test_maildir),
        cmocka_unit_test(test_header_block),
        cmocka_unit_test(test_header_words),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_bodies),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    ob_mime_shutdown();
    return rc;
}
