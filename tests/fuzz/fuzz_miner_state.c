/* fuzz_miner_state.c - libFuzzer target: any bytes as a saved miner state.
 * Loading must refuse or give a miner that then mines and saves safely. */
#include "logs/logs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ob_miner *m = ob_miner_load(data, size);
    if (!m)
        return 0;
    static const char *lines[] = {"session closed for user x", "a b c d e f g h i j k",
                                  "connection from 10.0.0.1", ""};
    char text[256];
    for (int i = 0; i < 4; i++) {
        uint32_t id = ob_miner_add(m, lines[i], strlen(lines[i]));
        ob_miner_template_text(m, ob_miner_resolve(m, id), text, sizeof text);
    }
    void *out;
    size_t len = ob_miner_save(m, &out);
    struct ob_miner *again = len ? ob_miner_load(out, len) : NULL;
    if (len && !again)
        abort(); /* what opsbox saves, it must load */
    ob_miner_free(again);
    free(out);
    ob_miner_free(m);
    return 0;
}
