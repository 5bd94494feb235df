/* serve_int.h - (private to src/cli) what the commands share with the
 * daemon: cmd_disk.c provides ob__disk_load_model, declared by the daemon's
 * public header. The daemon itself lives in src/serve/. */
#ifndef OB_CLI_SERVE_INT_H
#define OB_CLI_SERVE_INT_H

#include "serve/serve.h"

#endif
