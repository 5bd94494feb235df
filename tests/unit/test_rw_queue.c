/* test_rw_queue.c - the remote-write queue on disk and its sender
 * (src/io/rw_queue.c): batches come back oldest first and whole, the
 * queue stays within max_files by dropping the oldest, numbering goes on
 * after a reopen (a restart resends, in order), and the sender tells
 * taken (2xx), refused for good (4xx but 429) and retry (429, 5xx, no
 * answer) apart, against a real HTTP server on a free port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "io/httpd.h"
#include "io/rw_queue.h"

#include <dirent.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ob-rwq-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

/* The queue's files (the test leaves no others), then the folder. */
static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[128];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && snprintf(path, sizeof path, "%s/%s", dir, e->d_name) > 0)
            unlink(path);
    if (d)
        closedir(d);
    return rmdir(dir);
}

static void push(struct ob_rwq *q, int i, long want_dropped, size_t want_queued)
{
    char batch[32];
    int n = snprintf(batch, sizeof batch, "batch %d", i);
    size_t queued = 0;
    assert_int_equal(ob_rwq_push(q, batch, (size_t)n, &queued), want_dropped);
    assert_int_equal(queued, want_queued);
}

static void expect(struct ob_rwq *q, const char *name, int i)
{
    char want[32];
    snprintf(want, sizeof want, "batch %d", i);
    void *data;
    size_t len;
    assert_int_equal(ob_rwq_read(q, name, &data, &len), 0);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(data, want, len);
    free(data);
}

static void test_bounded_oldest_first(void **state)
{
    (void)state;
    char err[256];
    struct ob_rwq *q = ob_rwq_open(dir, 3, err, sizeof err);
    assert_non_null(q);
    assert_int_equal(ob_rwq_resumed(q), 0);
    push(q, 0, 0, 1);
    push(q, 1, 0, 2);
    push(q, 2, 0, 3);
    push(q, 3, 1, 3); /* the oldest goes */
    push(q, 4, 1, 3);
    size_t n;
    char **names = ob_rwq_list(q, &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        expect(q, names[i], (int)i + 2);
    ob_rwq_remove(q, names[0]); /* sent */
    void *data;
    size_t len;
    assert_int_equal(ob_rwq_read(q, names[0], &data, &len), -1);
    ob_rwq_free_list(names, n);
    ob_rwq_close(q);

    q = ob_rwq_open(dir, 3, err, sizeof err); /* a restart */
    assert_non_null(q);
    assert_int_equal(ob_rwq_resumed(q), 2);
    push(q, 5, 0, 3);
    names = ob_rwq_list(q, &n);
    assert_int_equal(n, 3);
    expect(q, names[0], 3);
    expect(q, names[1], 4);
    expect(q, names[2], 5); /* numbered after those from before */
    ob_rwq_free_list(names, n);
    ob_rwq_close(q);
}

static void test_open_fails(void **state)
{
    (void)state;
    char err[256];
    assert_null(ob_rwq_open("/nonexistent-ob/queue", 3, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent-ob/queue"));
}

static int answer(void *arg, const struct ob_http_request *req, struct ob_buf *body, const char **type)
{
    (void)arg;
    (void)body;
    (void)type;
    return atoi(req->body); /* the batch says which status to answer */
}

static void test_sender(void **state)
{
    (void)state;
    char err[256], url[64], why[256];
    struct ob_httpd *h = ob_httpd_start("127.0.0.1:0", answer, NULL, NULL, err, sizeof err);
    assert_non_null(h);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/write", ob_httpd_port(h));
    struct ob_rw_sender *tx = ob_rw_sender_new(url);
    assert_non_null(tx);
    static const struct {
        const char *body;
        int rc;
    } cases[] = {{"204", 1}, {"200", 1}, {"400", -1}, {"404", -1}, {"429", 0}, {"500", 0}, {"503", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long status = -1;
        int rc = ob_rw_send(tx, cases[i].body, strlen(cases[i].body), &status, why, sizeof why);
        assert_int_equal(rc, cases[i].rc);
        assert_int_equal(status, atol(cases[i].body));
    }
    ob_rw_sender_free(tx);
    int port = ob_httpd_port(h);
    ob_httpd_stop(h); /* nobody listens now: retry later */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/write", port);
    tx = ob_rw_sender_new(url);
    long status = -1;
    assert_int_equal(ob_rw_send(tx, "x", 1, &status, why, sizeof why), 0);
    assert_int_equal(status, 0);
    assert_true(why[0] != '\0');
    ob_rw_sender_free(tx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bounded_oldest_first, setup, teardown),
        cmocka_unit_test(test_open_fails),
        cmocka_unit_test(test_sender),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
