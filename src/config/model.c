/* model.c - the learned model as a versioned JSON document: saving,
 * loading (with the checks that make a hand-edited or foreign file fail
 * with a message, not a crash), and the summary `learn` prints. */
#include "config/config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t obj_size(json_t *root, const char *name)
{
    json_t *v = json_object_get(root, name);
    return json_is_object(v) ? json_object_size(v) : json_is_array(v) ? json_array_size(v) : 0;
}

static unsigned ival(json_t *obj, const char *name)
{
    json_int_t v = json_integer_value(json_object_get(obj, name));
    return v < 0 ? 0 : v > 0x7fffffff ? 0x7fffffff : (unsigned)v;
}

static struct ob_cfg_model *sort_model;

static int by_files(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    unsigned fi = sort_model->files[i], fj = sort_model->files[j];
    if (fi != fj)
        return fi > fj ? -1 : 1;
    return strcmp(sort_model->names[i], sort_model->names[j]);
}

static int index_keys(struct ob_cfg_model *m)
{
    size_t n = json_object_size(m->keys);
    m->names = calloc(n + 1, sizeof *m->names);
    m->files = calloc(n + 1, sizeof *m->files);
    size_t *order = calloc(n + 1, sizeof *order);
    if (!m->names || !m->files || !order) {
        free(order);
        return -1;
    }
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach(m->keys, k, v) {
        m->names[i] = k;
        m->files[i] = ival(v, "files");
        order[i] = i;
        i++;
    }
    m->nnames = i;
    /* most files first: the spelling search then meets the likeliest
     * intended key first (qsort with a file-scope pointer: one thread) */
    sort_model = m;
    qsort(order, i, sizeof *order, by_files);
    const char **names = malloc((i + 1) * sizeof *names);
    unsigned *files = malloc((i + 1) * sizeof *files);
    if (!names || !files) {
        free(names);
        free(files);
        free(order);
        return -1;
    }
    for (size_t j = 0; j < i; j++) {
        names[j] = m->names[order[j]];
        files[j] = m->files[order[j]];
    }
    free(m->names);
    free(m->files);
    free(order);
    m->names = names;
    m->files = files;
    return 0;
}

/* A key's lead section: the one most of its files have it in. */
const char *ob__cfg_lead_section(json_t *k, unsigned *files)
{
    const char *s, *lead = NULL;
    json_t *cnt;
    unsigned n = 0;
    json_object_foreach(json_object_get(k, "sections"), s, cnt) if ((unsigned)json_integer_value(cnt) > n) {
        n = (unsigned)json_integer_value(cnt);
        lead = s;
    }
    if (files)
        *files = n;
    return lead;
}

/* How often the keys of one section stray into another: of the keys led
 * by L whose files also have S (enough of them to tell), how many are ever
 * seen in S. A section that takes a fifth of another's keys now and then
 * (a wrapper that passes them on) shares its vocabulary, and a key of L
 * found there is no evidence of a mistake; one that takes almost none has
 * a vocabulary of its own. */
static int index_leaks(struct ob_cfg_model *m)
{
    m->leak = json_object();
    if (!m->leak)
        return -1;
    const char *k, *s;
    json_t *v, *cnt;
    json_object_foreach(m->keys, k, v) {
        const char *lead = ob__cfg_lead_section(v, NULL);
        if (!lead)
            continue;
        json_t *secs = json_object_get(v, "sections");
        json_object_foreach(json_object_get(v, "with_sections"), s, cnt) {
            if (!strcmp(s, lead) || json_integer_value(cnt) < OB_CFG_PLACE_MIN)
                continue;
            char name[512];
            snprintf(name, sizeof name, "%s\x01%s", lead, s);
            json_t *p = json_object_get(m->leak, name);
            if (!p) {
                p = json_pack("[ii]", 0, 0);
                if (!p || json_object_set_new(m->leak, name, p) < 0)
                    return -1;
            }
            json_array_set_new(p, 0, json_integer(json_integer_value(json_array_get(p, 0)) + 1));
            if (json_object_get(secs, s))
                json_array_set_new(p, 1, json_integer(json_integer_value(json_array_get(p, 1)) + 1));
        }
    }
    return 0;
}

struct ob_cfg_model *ob__cfg_model_wrap(json_t *root, char *err, size_t errlen)
{
    const char *fmt = json_string_value(json_object_get(root, "format"));
    json_t *ver = json_object_get(root, "version");
    if (!json_is_object(root) || !fmt || strcmp(fmt, OB_CFG_MODEL_FORMAT)) {
        snprintf(err, errlen, "not an opsbox config model (no \"format\": \"%s\")", OB_CFG_MODEL_FORMAT);
        json_decref(root);
        return NULL;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) != OB_CFG_MODEL_VERSION) {
        snprintf(err, errlen, "model version %lld, this opsbox reads version %d",
                 (long long)json_integer_value(ver), OB_CFG_MODEL_VERSION);
        json_decref(root);
        return NULL;
    }
    static const char *const objects[] = {"keys", "sections", "units"};
    for (size_t i = 0; i < 3; i++)
        if (!json_is_object(json_object_get(root, objects[i]))) {
            snprintf(err, errlen, "model without \"%s\"", objects[i]);
            json_decref(root);
            return NULL;
        }
    static const char *const arrays[] = {"cooccur", "relations"};
    for (size_t i = 0; i < 2; i++)
        if (!json_is_array(json_object_get(root, arrays[i]))) {
            snprintf(err, errlen, "model without \"%s\"", arrays[i]);
            json_decref(root);
            return NULL;
        }
    struct ob_cfg_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        json_decref(root);
        return NULL;
    }
    m->root = root;
    m->keys = json_object_get(root, "keys");
    const char *k;
    json_t *v;
    json_object_foreach(m->keys, k, v) if (!json_is_object(v)) {
        snprintf(err, errlen, "model key \"%s\" is not an object", k);
        ob_cfg_model_free(m);
        return NULL;
    }
    if (index_keys(m) < 0 || index_leaks(m) < 0) {
        snprintf(err, errlen, "out of memory");
        ob_cfg_model_free(m);
        return NULL;
    }
    return m;
}

void ob_cfg_model_free(struct ob_cfg_model *m)
{
    if (!m)
        return;
    json_decref(m->root);
    json_decref(m->leak);
    free(m->names);
    free(m->files);
    free(m);
}

char *ob_cfg_model_dump(const struct ob_cfg_model *m)
{
    return json_dumps(m->root, JSON_SORT_KEYS | JSON_COMPACT);
}

struct ob_cfg_model *ob_cfg_model_load(const char *text, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    if (!root) {
        snprintf(err, errlen, "%d:%d: %s", je.line, je.column, je.text);
        return NULL;
    }
    return ob__cfg_model_wrap(root, err, errlen);
}

void ob_cfg_model_summary(const struct ob_cfg_model *m, struct ob_cfg_summary *s)
{
    memset(s, 0, sizeof *s);
    s->files = ival(m->root, "files");
    s->entries = ival(m->root, "entries");
    s->keys = json_object_size(m->keys);
    s->sections = obj_size(m->root, "sections");
    s->cooccur = obj_size(m->root, "cooccur");
    s->relations = obj_size(m->root, "relations");
    const char *k;
    json_t *v;
    json_object_foreach(m->keys, k, v) {
        s->typed += ival(v, "entries") >= OB_CFG_TYPE_MIN;
        s->ranged += ival(json_object_get(v, "num"), "n") >= OB_CFG_RANGE_MIN;
        s->placed += ival(v, "files") >= OB_CFG_PLACE_MIN;
    }
}
