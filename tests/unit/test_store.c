/* test_store.c - the SQLite store: schema on first open, models saved in a
 * transaction and read back after reopening, refusals of foreign files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/store.h"

struct got {
    int n;
    char last[64];
    size_t last_len;
};

static int collect(void *arg, const char *series, size_t len, const void *blob, size_t blen)
{
    struct got *g = arg;
    g->n++;
    snprintf(g->last, sizeof g->last, "%.*s=%.*s", (int)len, series, (int)blen, (const char *)blob);
    g->last_len = blen;
    return 0;
}

static void test_round_trip(void **state)
{
    (void)state;
    char path[] = "/tmp/opsbox-store-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    char err[256];
    struct ob_store *s = ob_store_open(path, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(ob_store_begin(s), 0);
    assert_int_equal(ob_store_put_model(s, "up{job=\"a\"}", 11, "v1", 2, 1.0), 0);
    assert_int_equal(ob_store_put_model(s, "up{job=\"a\"}", 11, "v2", 2, 2.0), 0);
    assert_int_equal(ob_store_commit(s), 0);
    assert_int_equal(ob_store_begin(s), 0);
    assert_int_equal(ob_store_put_model(s, "lost", 4, "x", 1, 3.0), 0);
    ob_store_rollback(s);
    ob_store_close(s);

    s = ob_store_open(path, err, sizeof err);
    assert_non_null(s);
    struct got g = {0};
    assert_int_equal(ob_store_each_model(s, collect, &g), 1);
    assert_string_equal(g.last, "up{job=\"a\"}=v2");
    ob_store_close(s);

    /* A store from a newer opsbox is refused, not mangled. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "python3 -c \"import sqlite3; c=sqlite3.connect('%s'); "
             "c.execute('PRAGMA user_version=99'); c.commit()\"", path);
    if (system(cmd) == 0) {
        assert_null(ob_store_open(path, err, sizeof err));
        assert_non_null(strstr(err, "newer than this opsbox knows"));
    }
    unlink(path);
    snprintf(cmd, sizeof cmd, "%s-wal", path);
    unlink(cmd);
    snprintf(cmd, sizeof cmd, "%s-shm", path);
    unlink(cmd);
}

static void test_foreign_file(void **state)
{
    (void)state;
    char path[] = "/tmp/opsbox-store-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "this is not a database, just text long enough to matter....", 60), 60);
    close(fd);
    char err[256];
    assert_null(ob_store_open(path, err, sizeof err));
    assert_non_null(strstr(err, path));
    unlink(path);
    assert_null(ob_store_open("/nonexistent-dir/x.db", err, sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_foreign_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
