/* cmd_serve.c - `opsbox serve`: argv into ob_serve_options, and the daemon
 * (src/serve/, ob_serve_run) from there. */
#include "cli/cli.h"
#include "io/shard.h"
#include "serve/serve.h"

#include <getopt.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>

static void serve_usage(FILE *out)
{
    fprintf(out,
            "usage: opsbox serve [--config FILE] [--listen HOST:PORT]\n\n"
            "Scrapes the targets in FILE's scrape_configs (Prometheus syntax), keeps a model\n"
            "per series, and serves on /metrics, for each series name{labels}:\n"
            "  name_opsbox{labels, value_type=\"yhat\"|\"yhat_lower\"|\"yhat_upper\"|\"anomaly\"|\"anomaly_score\"}\n"
            "plus opsbox's own metrics (opsbox_series_models, opsbox_points_ingested_total, ...).\n"
            "A flag (anomaly 1, and its score) stays up for 60 s after the point that raised it.\n"
            "Counters (names ending _total, _count, _sum, _bucket) are modelled as rates.\n"
            "POST /v1/receiver takes Alertmanager's webhook: alerts and anomalies become\n"
            "incidents (`opsbox incidents`), and with a github: section, GitHub issues.\n"
            "POST /loki/api/v1/push takes Loki's push body (JSON or protobuf): lines become\n"
            "templates (/api/v1/templates), counted per stream, their rates modelled; new\n"
            "templates join incidents. A journal: section reads the systemd journal.\n"
            "POST /api/v1/write takes Prometheus remote write; query_sources: backfills and\n"
            "follows a Prometheus-compatible server; remote_write: sends the outputs on.\n"
            "The page at / shows it all.\n\n"
            "options:\n"
            "  --config FILE       opsbox.yml; without it, the embedded default scrapes the\n"
            "                      local node_exporter (127.0.0.1:9100) and opsbox itself\n"
            "  --listen HOST:PORT  overrides the config's listen (default 127.0.0.1:9393)\n"
            "  --store FILE        overrides the config's store (default ./opsbox.db)\n"
            "  --web.config.file F TLS and basic auth on every endpoint, in Prometheus's\n"
            "                      web config format (tls_server_config, basic_auth_users)\n"
            "  --shard I/N         model only the series whose hash falls in shard I of N\n"
            "                      (Prometheus hashmod: md5 of name{labels}), so N replicas\n"
            "                      with the same config split the work\n"
            "  -h, --help          this help\n"
            "SIGTERM or SIGINT stops it (saving the models); SIGHUP reads the config again.\n");
}

int ob_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"store", required_argument, NULL, 's'},
        {"shard", required_argument, NULL, 'S'},
        {"web.config.file", required_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *listen = NULL, *store = NULL, *webconfig = NULL;
    uint64_t shard = 0, shards = 1;
    /* Scrape and push bodies are megabytes that live for one request. A
     * fixed threshold keeps them in mmap'd blocks given back on free;
     * glibc's sliding one would soon keep them in the heap for good. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'c')
            config = optarg;
        else if (c == 'l')
            listen = optarg;
        else if (c == 's')
            store = optarg;
        else if (c == 'W')
            webconfig = optarg;
        else if (c == 'S') {
            if (ob_shard_parse(optarg, &shard, &shards) < 0) {
                fprintf(stderr, "opsbox serve: --shard: '%s' is not I/N with 0 <= I < N\n", optarg);
                return OB_EXIT_USAGE;
            }
        }
        else if (c == 'h') {
            serve_usage(stdout);
            return OB_EXIT_OK;
        } else {
            fprintf(stderr, "opsbox serve: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return OB_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "opsbox serve: unexpected argument '%s'; see --help\n", argv[optind]);
        return OB_EXIT_USAGE;
    }
    struct ob_serve_options o = {.config = config, .listen = listen, .store = store,
                                 .webconfig = webconfig, .shard = shard, .shards = shards};
    return ob_serve_run(&o);
}
