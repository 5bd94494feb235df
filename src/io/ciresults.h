/* ciresults.h - test result files into a test history (src/ci): JUnit XML
 * (libxml2) and TestGrid's JSON grid (jansson). */
#ifndef OB_CIRESULTS_H
#define OB_CIRESULTS_H

#include "ci/ci.h"

#include <stddef.h>

/* Adds the test cases of one JUnit XML document (<testsuites>, <testsuite>
 * or a bare <testcase>, as Surefire, Gradle, pytest, gotestsum, Jest and
 * Prow write them) to run `run`. A <failure> or <error> fails a case,
 * <skipped> skips it, <flakyFailure>/<flakyError> (passed on a rerun) mark
 * a pass on retry, <rerunFailure>/<rerunError> a case that failed its
 * reruns too. Returns the number of cases, or -1 with "line N: what" in
 * err (not well-formed, truncated, no JUnit element). */
long ob_junit_read(struct ob_ci_history *h, long run, const char *buf, size_t len, char *err,
                   size_t errlen);

/* Adds TestGrid's grid (the "table" JSON: tests[].name and
 * tests[].statuses as run-length {count, value} pairs, newest column
 * first, with timestamps and changelists) as runs, oldest first. Returns
 * the number of runs added, or -1 with what is wrong in err. */
long ob_testgrid_read(struct ob_ci_history *h, const char *buf, size_t len, char *err,
                      size_t errlen);

/* Reads one place of results into h (ciresults.c): a JUnit XML file, a
 * folder whose *.xml files (any depth, by name) are one run together, or a
 * TestGrid grid (told apart from JUnit by its first character). Returns 0;
 * 1 when the input is wrong and -1 when memory ran out, both with
 * "PATH: what" in err ("out of memory" alone for a folder's list). */
int ob_ciresults_read(struct ob_ci_history *h, const char *path, char *err, size_t errlen);

#endif
