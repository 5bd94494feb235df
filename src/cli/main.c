/* main.c - `opsbox <command>`: dispatch, --help and --version. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"serve", "the daemon: scrape targets, model every series, serve /metrics", ob_cmd_serve},
    {"detect", "score a metric series (CSV) for anomalies, with forecast and band",
     ob_cmd_detect},
    {"logs", "mine log lines into templates with counts and parameters", ob_cmd_logs},
    {"incidents", "list incidents (alerts joined with anomalies) or show one", ob_cmd_incidents},
    {"disk", "predict disk failures from SMART data (train, eval, predict)", ob_cmd_disk},
    {"prices", "cloud prices: changes, spikes, cheapest fit, spend forecast", ob_cmd_prices},
    {"ci", "explain a failed build log; find flaky tests and new failures in JUnit results",
     ob_cmd_ci},
    {"config", "learn what a program's config files look like; flag what breaks it",
     ob_cmd_config},
    {"mail", "thread mailing list archives, their daily trends and topics", ob_cmd_mail},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox <command> [options] [args]\n"
            "       opsbox --help | --version\n\n"
            "opsbox reads what operators already collect, learns what normal looks\n"
            "like, and reports what is not.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'opsbox <command> --help' describes one command.\n"
                 "exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return OB_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return OB_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("opsbox %s\n", OB_VERSION);
        return OB_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "opsbox: unknown command '%s'; see 'opsbox --help'\n", argv[1]);
    return OB_EXIT_USAGE;
}
