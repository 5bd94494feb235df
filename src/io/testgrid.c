/* testgrid.c - TestGrid's JSON grid into a test history.
 *
 * The grid (what testgrid.k8s.io serves as a tab's "table") has one row per
 * test, its cells run-length encoded as {count, value} pairs, newest
 * column first. Values are TestGrid's test_status codes: 1, 2, 3 and 15
 * pass; 9-12 and 14 fail (timed out, categorized, build and tool failures);
 * 13 is FLAKY (passed on a retry); 0 and the rest (running, cancelled,
 * blocked, aborted, unknown) are no result. */
#include "io/ciresults.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum ob_ci_result status(json_int_t v, int *retried)
{
    *retried = 0;
    switch (v) {
    case 1: case 2: case 3: case 15: return OB_CI_PASS;
    case 13: *retried = 1; return OB_CI_PASS;
    case 9: case 10: case 11: case 12: case 14: return OB_CI_FAIL;
    default: return OB_CI_NONE;
    }
}

/* Columns: the timestamps' count when given, else the longest row. */
/* A grid's statuses are run-length counts, so a few bytes can claim any
 * number of runs; what a reader takes is bounded (far above TestGrid's own
 * grids) so bad input is an error, not all the memory. */
#define GRID_COLUMNS_MAX (1L << 20)
#define GRID_CELLS_MAX (1L << 26)

static long columns(json_t *tests, json_t *stamps, char *err, size_t errlen)
{
    long most = 0, cells = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        long n = 0;
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(t, "statuses"), j, c) {
            json_int_t k = json_integer_value(json_object_get(c, "count"));
            if (k <= 0)
                continue; /* add_row names a bad count */
            if (k > GRID_COLUMNS_MAX || (n += (long)k) > GRID_COLUMNS_MAX ||
                (cells += (long)k) > GRID_CELLS_MAX) {
                snprintf(err, errlen, "tests[%zu]: statuses' counts claim more than %ld runs "
                         "or %ld results in all", i, GRID_COLUMNS_MAX, GRID_CELLS_MAX);
                return -1;
            }
        }
        if (n > most)
            most = n;
    }
    if (json_is_array(stamps))
        return (long)json_array_size(stamps);
    return most;
}

static int add_row(struct ob_ci_history *h, long first, long ncol, int newest_first, size_t i,
                   json_t *t, char *err, size_t errlen)
{
    json_t *name = json_object_get(t, "name"), *st = json_object_get(t, "statuses");
    if (!json_is_string(name) || !json_is_array(st)) {
        snprintf(err, errlen, "tests[%zu]: expected \"name\" (string) and \"statuses\" (array)", i);
        return -1;
    }
    long col = 0;
    size_t j;
    json_t *c;
    json_array_foreach(st, j, c) {
        json_t *cnt = json_object_get(c, "count"), *val = json_object_get(c, "value");
        if (!json_is_integer(cnt) || !json_is_integer(val) || json_integer_value(cnt) < 0 ||
            json_integer_value(cnt) > ncol - col) {
            snprintf(err, errlen, "tests[%zu].statuses[%zu]: expected {count, value} within "
                     "the %ld columns", i, j, ncol);
            return -1;
        }
        int retried;
        enum ob_ci_result r = status(json_integer_value(val), &retried);
        long n = (long)json_integer_value(cnt);
        for (long k = 0; k < n; k++, col++) {
            if (r == OB_CI_NONE)
                continue;
            long run = first + (newest_first ? ncol - 1 - col : col);
            if (ob_ci_history_add(h, run, "", 0, json_string_value(name),
                                  json_string_length(name), r, retried) < 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
    }
    return 0;
}

long ob_testgrid_read(struct ob_ci_history *h, const char *buf, size_t len, char *err,
                      size_t errlen)
{
    json_error_t je;
    json_t *root = json_loadb(buf, len, 0, &je);
    if (!root) {
        snprintf(err, errlen, "line %d column %d: %s", je.line, je.column, je.text);
        return -1;
    }
    long ret = -1;
    json_t *tests = json_object_get(root, "tests"), *stamps = json_object_get(root, "timestamps");
    json_t *cls = json_object_get(root, "changelists");
    if (!json_is_array(tests)) {
        snprintf(err, errlen, "expected an object with \"tests\" (an array), TestGrid's grid");
        goto done;
    }
    long ncol = columns(tests, stamps, err, errlen);
    if (ncol < 0)
        goto done;
    /* TestGrid puts the newest column first; timestamps say so when given */
    int newest_first = 1;
    if (json_is_array(stamps) && json_array_size(stamps) > 1)
        newest_first = json_number_value(json_array_get(stamps, 0)) >=
                       json_number_value(json_array_get(stamps, json_array_size(stamps) - 1));
    long first = -1;
    for (long c = 0; c < ncol; c++) {
        long src = newest_first ? ncol - 1 - c : c;
        char label[96] = "";
        json_t *cl = json_array_get(cls, (size_t)src), *ts = json_array_get(stamps, (size_t)src);
        if (json_is_string(cl))
            snprintf(label, sizeof label, "%.80s", json_string_value(cl));
        else if (json_is_number(ts))
            snprintf(label, sizeof label, "%.0f", json_number_value(ts));
        long r = ob_ci_history_run(h, label[0] ? label : NULL);
        if (r < 0) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        if (first < 0)
            first = r;
    }
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t)
        if (add_row(h, first, ncol, newest_first, i, t, err, errlen) < 0)
            goto done;
    ret = ncol;
done:
    json_decref(root);
    return ret;
}
