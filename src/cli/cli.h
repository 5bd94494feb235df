/* cli.h - the commands of `opsbox`, each a function from argv to exit code. */
#ifndef OB_CLI_H
#define OB_CLI_H

/* Exit codes, the same for every command. */
enum { OB_EXIT_OK = 0, OB_EXIT_FAILURE = 1, OB_EXIT_USAGE = 2 };

int ob_cmd_detect(int argc, char **argv);
int ob_cmd_logs(int argc, char **argv);
int ob_cmd_serve(int argc, char **argv);
int ob_cmd_incidents(int argc, char **argv);
int ob_cmd_disk(int argc, char **argv);
int ob_cmd_prices(int argc, char **argv);
int ob_cmd_ci(int argc, char **argv);
/* `opsbox ci tests` (cmd_ci_tests.c), called by ob_cmd_ci. */
int ob_cmd_ci_tests(int argc, char **argv);
int ob_cmd_config(int argc, char **argv);
int ob_cmd_mail(int argc, char **argv);

#endif
