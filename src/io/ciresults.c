/* ciresults.c - one place of test results into a test history: a JUnit
 * XML file, a folder whose *.xml files (any depth, by name) together are
 * one run, as Prow's artifacts/junit_*.xml are, or a TestGrid JSON grid
 * (all of its columns as runs). For `opsbox ci tests` and the daemon's ci:
 * section; the parsing is junit.c and testgrid.c. */
#include "io/ciresults.h"

#include "io/statefile.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RESULTS_MAX ((size_t)4 << 30)
#define DEPTH_MAX 8

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* What a parser said, as a return code: out of memory is ours, the rest
 * the input's. */
static int failed(const char *path, const char *why, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", path, why);
    return strcmp(why, "out of memory") ? 1 : -1;
}

static int read_file(const char *path, void **buf, size_t *len, char *err, size_t errlen)
{
    int rc = ob_statefile_read(path, RESULTS_MAX, buf, len);
    if (rc != 0)
        return failed(path, rc == 1 ? "no such file" : strerror(errno), err, errlen);
    return 0;
}

static int read_junit(struct ob_ci_history *h, long run, const char *path, char *err, size_t errlen)
{
    void *buf;
    size_t len;
    int rc = read_file(path, &buf, &len, err, errlen);
    if (rc != 0)
        return rc;
    char why[300];
    long n = ob_junit_read(h, run, buf, len, why, sizeof why);
    free(buf);
    return n < 0 ? failed(path, why, err, errlen) : 0;
}

/* Every *.xml under dir, by name, into run. */
static int read_dir(struct ob_ci_history *h, long run, const char *dir, int depth, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return failed(dir, strerror(errno), err, errlen);
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **q = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
            if (!q) {
                rc = -1;
                break;
            }
            names = q;
        }
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(l))) {
            rc = -1;
            break;
        }
        snprintf(names[n++], l, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (rc < 0)
        snprintf(err, errlen, "out of memory");
    if (names)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct stat st;
        if (stat(names[i], &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < DEPTH_MAX)
            rc = read_dir(h, run, names[i], depth + 1, err, errlen);
        else if (S_ISREG(st.st_mode) && ends_with(names[i], ".xml"))
            rc = read_junit(h, run, names[i], err, errlen);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int ob_ciresults_read(struct ob_ci_history *h, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return failed(path, strerror(errno), err, errlen);
    if (S_ISDIR(st.st_mode)) {
        long run = ob_ci_history_run(h, path);
        return run < 0 ? failed(path, "out of memory", err, errlen) : read_dir(h, run, path, 0, err, errlen);
    }
    void *buf;
    size_t len;
    int rc = read_file(path, &buf, &len, err, errlen);
    if (rc != 0)
        return rc;
    size_t i = 0;
    const char *s = buf;
    while (i < len && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
        i++;
    char why[300];
    long n;
    if (i < len && s[i] == '{') {
        n = ob_testgrid_read(h, s, len, why, sizeof why);
    } else {
        long run = ob_ci_history_run(h, path);
        n = run < 0 ? (snprintf(why, sizeof why, "out of memory"), -1)
                    : ob_junit_read(h, run, s, len, why, sizeof why);
    }
    free(buf);
    return n < 0 ? failed(path, why, err, errlen) : 0;
}
