/* cmd_ci_tests.c - `opsbox ci tests`: test results of many runs in, flaky
 * tests, new failures and infra outages out. */
#include "cli/cli.h"

#include <stdio.h>

int ob_cmd_ci_tests(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "opsbox ci tests: not yet\n");
    return OB_EXIT_FAILURE;
}
