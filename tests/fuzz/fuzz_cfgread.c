/* fuzz_cfgread.c - libFuzzer target for the readers of `opsbox config`:
 * the first byte picks the dialect (auto-detect, INI, Apache, key=value,
 * YAML, XML), the rest is the file. A file is either refused with a
 * located error or read into entries that are whole (every string set,
 * lines within the file); those entries are then learned and checked, so
 * the rules meet every shape of entry too. The file against itself brings
 * no new finding, and the line diff of its first half to the whole stays
 * within both texts. */
#include "config/config.h"
#include "core/linediff.h"
#include "io/cfgread.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    enum ob_cfg_format fmt = (enum ob_cfg_format)(data[0] % 6);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char err[512];
    struct ob_cfg_file f;
    if (ob_cfg_parse(text, len, "f", fmt, &f, err, sizeof err) < 0) {
        if (strncmp(err, "f:", 2) != 0)
            abort();
        ob_cfg_file_clear(&f);
        return 0;
    }
    unsigned lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n' || text[i] == '\r';
    for (size_t i = 0; i < f.n; i++) {
        const struct ob_cfg_entry *e = &f.e[i];
        if (!e->key || !e->raw_key || !e->section || e->line > lines)
            abort();
    }
    struct ob_cfg_learner *l = ob_cfg_learner_new();
    if (l && ob_cfg_learn(l, &f) == 0 && ob_cfg_learn(l, &f) == 0) {
        struct ob_cfg_model *m = ob_cfg_learner_model(l);
        if (m) {
            struct ob_cfg_findings fs = {0};
            ob_cfg_check(m, &f, &fs);
            ob_cfg_findings_clear(&fs);
            struct ob_cfg_changes cs = {0};
            if (ob_cfg_check_change(m, text, len, &f, text, len, &f, &cs) == 0 && cs.n)
                abort();
            ob_cfg_changes_clear(&cs);
            char *dump = ob_cfg_model_dump(m);
            if (dump) {
                struct ob_cfg_model *back = ob_cfg_model_load(dump, strlen(dump), err, sizeof err);
                if (!back)
                    abort();
                ob_cfg_model_free(back);
                free(dump);
            }
            ob_cfg_model_free(m);
        }
    }
    ob_cfg_learner_free(l);
    ob_cfg_file_clear(&f);
    struct ob_hunks hs;
    if (ob_linediff(text, len / 2, text, len, &hs) == 0) {
        for (size_t i = 0; i < hs.n; i++) {
            if (hs.h[i].old_start + hs.h[i].old_n > lines + 1 || hs.h[i].new_start + hs.h[i].new_n > lines + 1)
                abort();
            free(ob_hunk_text(text, len / 2, text, len, &hs.h[i]));
        }
        ob_hunks_clear(&hs);
    }
    return 0;
}
