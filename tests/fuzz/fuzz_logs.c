/* fuzz_logs.c - libFuzzer target: any bytes as log lines through a Loghub
 * format and the miner; every id must resolve and every template print. */
#include "io/logformat.h"
#include "logs/logs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ob_logformat *format(void)
{
    static struct ob_logformat *f;
    char err[256];
    if (!f)
        f = ob_logformat_new("<Month> <Date> <Time> <Level> <Component>(\\[<PID>\\])?: <Content>",
                             err, sizeof err);
    return f;
}

static void sink(void *arg, const char *v, size_t n)
{
    (void)v;
    *(size_t *)arg += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ob_miner *m = ob_miner_new(NULL);
    const char *p = (const char *)data, *end = p + size;
    char text[512];
    while (m && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *msg;
        size_t mlen, total = 0;
        ob_logformat_message(format(), p, len, &msg, &mlen);
        uint32_t id = ob_miner_add(m, msg, mlen);
        uint32_t root = ob_miner_resolve(m, id);
        if (id == 0 || root == 0 || ob_miner_resolve(m, root) != root)
            abort();
        ob_miner_params(m, root, msg, mlen, sink, &total);
        if (total > mlen)
            abort();
        ob_miner_template_text(m, root, text, sizeof text);
        p += len + (nl != NULL);
    }
    ob_miner_free(m);
    return 0;
}
